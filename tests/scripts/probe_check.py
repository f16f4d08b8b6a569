# SPDX-License-Identifier: BSD-2-Clause
"""probe_check.py CASE FILE -- check tlsrpt-probe's JSON output for one case
of t-probe.sh, field by field. Exit 0 when it is what the case wants."""
import hashlib
import json
import re
import sys

case, path = sys.argv[1], sys.argv[2]
with open(path, encoding="utf-8") as f:
    out = json.load(f)


def want(cond, what):
    if not cond:
        sys.exit(f"probe_check {case}: {what}")


def one(seq, what):
    want(len(seq) == 1, f"want exactly one {what}, got {len(seq)}: {seq}")
    return seq[0]


ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
want(out["version"] == 1, "version")
want(ISO.match(out["time"]), "time")
# dnsmasq does not validate; unbound (the dnssec- cases) does.
want(out["resolver"]["validates"] is case.startswith("dnssec-"),
     f"resolver.validates {out['resolver']['validates']}")
want(out["resolver"]["server"].startswith("127.0.0.1:"), "resolver.server")
dom = one(out["domains"], "domain")
want(dom["error"] is None, f"domain error {dom['error']}")
findings = out["findings"]
for f in findings:
    want(set(f) == {"time", "domain", "result-type", "mx-host", "address",
                    "detail", "action"}, f"finding keys {sorted(f)}")
    want(f["time"] == out["time"], "finding time")
    want(f["domain"] == dom["domain"], "finding domain")
    want(f["detail"] and f["action"].endswith("."), "detail and action")
types = sorted(f["result-type"] for f in findings)


def host(mx, addr=None):
    hs = [h for h in dom["hosts"] if h["mx-host"] == mx and
          (addr is None or h["address"] == addr)]
    return one(hs, f"host {mx} {addr}")


def tls_ok(h):
    want(h["error"] is None, f"{h['mx-host']}: error {h['error']}")
    want(h["starttls"] is True, "starttls")
    want(h["tls"]["version"] in ("TLSv1.2", "TLSv1.3"), "tls.version")
    want(h["tls"]["cipher"], "tls.cipher")
    want(h["tls-error"] is None, "tls-error")
    c = h["certificates"][0]
    want(ISO.match(c["not-after"]) and ISO.match(c["not-before"]), "dates")
    want(re.match(r"^[0-9a-f]{64}$", c["spki-sha256"]), "spki-sha256")
    want(h["webpki"]["ahead-days"] == out["days-ahead"], "ahead-days")


def finding(ftype, mx, addr):
    f = one([f for f in findings if f["result-type"] == ftype], ftype)
    want(f["mx-host"] == mx and f["address"] == addr,
         f"{ftype} at {f['mx-host']} {f['address']}")
    return f


if case == "valid":
    want(types == [], f"findings {types}")
    mx = dom["mx"]
    want([m["host"] for m in mx] == ["mx-valid.test", "mx2-valid.test"],
         "MX set sorted by preference")
    want([m["preference"] for m in mx] == [10, 20], "preferences")
    want(mx[0]["addresses"] == ["127.0.0.2"] and not mx[0]["implicit"],
         "addresses")
    want(mx[0]["tlsa"] == [] and mx[0]["tlsa-dnssec"] is None, "no TLSA")
    want(dom["mta-sts"] == {"record": None, "lookup-error": None},
         f"no MTA-STS: {dom['mta-sts']}")
    want(mx[0]["sts-match"] is None, "sts-match")
    for name in ("mx-valid.test", "mx2-valid.test"):
        h = host(name)
        tls_ok(h)
        want(h["port"] > 1024, "port")
        w = h["webpki"]
        want(w == {"valid": True, "verdict": "ok", "expired": False,
                   "trusted": True, "host-match": True,
                   "ahead-days": 14, "valid-ahead": True}, f"webpki {w}")
        want(88 <= h["days-left"] <= 90, f"days-left {h['days-left']}")
        want(h["certificates"][0]["issuer"] == "CN=Probe Test CA", "issuer")
        want(h["dane"] is None, "dane")
elif case == "expired":
    h = host("mx-expired.test", "127.0.0.3")
    tls_ok(h)
    want(h["days-left"] in (-2, -3), f"days-left {h['days-left']}")
    want(h["webpki"]["valid"] is False and h["webpki"]["expired"] is True,
         "webpki expired")
    want(h["webpki"]["verdict"] == "certificate has expired", "verdict")
    want(h["webpki"]["trusted"] is True, "still from a trusted CA")
    want(types == ["certificate-expired"], f"findings {types}")
    f = finding("certificate-expired", "mx-expired.test", "127.0.0.3")
    want(f["detail"] == "the certificate CN=mx-expired.test expired on " +
         h["certificates"][0]["not-after"], f["detail"])
elif case == "expiring":
    h = host("mx-expiring.test", "127.0.0.4")
    tls_ok(h)
    want(h["days-left"] in (4, 5), f"days-left {h['days-left']}")
    want([c["subject"] for c in h["certificates"]] ==
         ["CN=mx-expiring.test", "CN=Probe Test CA"], "the chain as sent")
    want(h["webpki"]["valid"] is True and h["webpki"]["valid-ahead"] is False,
         "valid now, not in 14 days")
    want(types == ["certificate-expiring"], f"findings {types}")
    f = finding("certificate-expiring", "mx-expiring.test", "127.0.0.4")
    want(f["detail"] == "the certificate CN=mx-expiring.test expires on "
         f"{h['certificates'][0]['not-after']}, in {h['days-left']} day(s), "
         "within the 14 days looked ahead", f["detail"])
elif case == "expiring-3-days":
    want(out["days-ahead"] == 3, "days-ahead")
    h = host("mx-expiring.test")
    want(h["webpki"]["valid-ahead"] is True, "valid in 3 days")
    want(types == [], f"findings {types}")
elif case == "wrongname":
    h = host("mx-wrongname.test", "127.0.0.5")
    tls_ok(h)
    want(h["webpki"]["host-match"] is False, "host-match")
    want(h["webpki"]["valid"] is True, "the chain itself is fine")
    want(types == ["certificate-host-mismatch"], f"findings {types}")
    f = finding("certificate-host-mismatch", "mx-wrongname.test", "127.0.0.5")
    want("CN=other.test" in f["detail"], f["detail"])
elif case == "self":
    h = host("mx-self.test", "127.0.0.6")
    tls_ok(h)
    want(h["webpki"]["trusted"] is False and h["webpki"]["valid"] is False,
         "untrusted")
    want(h["webpki"]["host-match"] is True, "name is right")
    want(h["certificates"][0]["issuer"] == "CN=mx-self.test", "issuer")
    want(types == ["certificate-not-trusted"], f"findings {types}")
    finding("certificate-not-trusted", "mx-self.test", "127.0.0.6")
elif case == "future":
    h = host("mx-future.test", "127.0.0.10")
    tls_ok(h)
    want(h["webpki"]["valid"] is False and h["webpki"]["expired"] is False
         and h["webpki"]["trusted"] is True, f"webpki {h['webpki']}")
    want(h["webpki"]["verdict"] == "certificate is not yet valid", "verdict")
    want(types == ["validation-failure"], f"findings {types}")
    f = finding("validation-failure", "mx-future.test", "127.0.0.10")
    want(f["detail"] == "certificate is not yet valid", f["detail"])
elif case == "notls":
    h = host("mx-notls.test", "127.0.0.11")
    want(h["error"] is None and h["starttls"] is True, "STARTTLS offered")
    want(h["tls"] is None, "no handshake")
    want(h["tls-error"].startswith("TLS handshake failed: "), h["tls-error"])
    want(types == ["validation-failure"], f"findings {types}")
    f = finding("validation-failure", "mx-notls.test", "127.0.0.11")
    want(f["detail"] == h["tls-error"], f["detail"])
elif case == "plain":
    h = host("mx-plain.test", "127.0.0.7")
    want(h["error"] is None and h["starttls"] is False, "no STARTTLS")
    want(h["tls"] is None and "certificates" not in h, "no TLS")
    want(types == ["starttls-not-supported"], f"findings {types}")
    finding("starttls-not-supported", "mx-plain.test", "127.0.0.7")
elif case == "down":
    h = host("mx-down.test", "127.0.0.8")
    want(h["error"].startswith("cannot connect to port "), h["error"])
    want(h["starttls"] is None and h["tls"] is None, "nothing more")
    want(types == ["mx-unreachable"], f"findings {types}")
    f = finding("mx-unreachable", "mx-down.test", "127.0.0.8")
    want("Connection refused" in f["detail"], f["detail"])
elif case == "noaddr":
    m = one(dom["mx"], "MX")
    want(m["addresses"] == [] and
         m["address-error"] == "mx-none.test: no such name (NXDOMAIN)",
         "address-error")
    want(dom["hosts"] == [], "no host probed")
    want(types == ["mx-unreachable"], f"findings {types}")
    finding("mx-unreachable", "mx-none.test", None)
elif case == "silent":
    h = host("mx-silent.test", "127.0.0.9")
    want(h["error"] == "no reply in time after connecting", h["error"])
    want(2.9 <= h["seconds"] < 4, f"seconds {h['seconds']}")
    want(types == ["mx-unreachable"], f"findings {types}")
    finding("mx-unreachable", "mx-silent.test", "127.0.0.9")
elif case == "v6":
    h = host("mx-v6.test", "::1")
    tls_ok(h)
    want(h["webpki"]["valid"] is True and h["webpki"]["host-match"], "valid")
    want(types == [], f"findings {types}")
elif case == "dane":
    m = one(dom["mx"], "MX")
    r = one(m["tlsa"], "TLSA record")
    h = host("mx-dane.test", "127.0.0.2")
    tls_ok(h)
    want(r == {"usage": 3, "selector": 1, "matching-type": 1,
               "data": h["certificates"][0]["spki-sha256"]}, f"tlsa {r}")
    want(m["tlsa-dnssec"] is False, "dnsmasq sets no AD bit")
    want(h["dane"] == {"matched": True, "usage": 3, "verdict": "ok",
                       "matched-ahead": True},
         f"dane {h['dane']}")
    want(types == [], f"findings {types}")
elif case in ("dnssec-signed", "dnssec-unsigned"):
    # Through unbound: mx-dane.test's TLSA record in the signed zone (AD
    # bit), mx3.valid.test's in a zone delegated without DS (none).
    mxname = "mx-dane.test" if case == "dnssec-signed" else "mx3.valid.test"
    m = one(dom["mx"], "MX")
    want(m["host"] == mxname, f"MX {m['host']}")
    r = one(m["tlsa"], "TLSA record")
    h = host(mxname, "127.0.0.2")
    tls_ok(h)
    want(r == {"usage": 3, "selector": 1, "matching-type": 1,
               "data": h["certificates"][0]["spki-sha256"]}, f"tlsa {r}")
    want(m["tlsa-dnssec"] is (case == "dnssec-signed"),
         f"tlsa-dnssec {m['tlsa-dnssec']}: the AD bit of the TLSA answer")
    want(h["dane"] == {"matched": True, "usage": 3, "verdict": "ok",
                       "matched-ahead": True}, f"dane {h['dane']}")
    want(types == [], f"findings {types}")
elif case == "danebad":
    h = host("mx-danebad.test", "127.0.0.2")
    tls_ok(h)
    r = one(one(dom["mx"], "MX")["tlsa"], "TLSA record")
    want(r["data"] != h["certificates"][0]["spki-sha256"], "a wrong record")
    want(h["dane"]["matched"] is False and h["dane"]["usage"] is None and
         h["dane"]["matched-ahead"] is False,
         f"dane {h['dane']}")
    want(h["webpki"]["valid"] is True, "WebPKI is fine")
    want(types == ["tlsa-invalid"], f"findings {types}")
    f = finding("tlsa-invalid", "mx-danebad.test", "127.0.0.2")
    want("_25._tcp.mx-danebad.test" in f["detail"], f["detail"])
elif case == "danemixed":
    want([m["host"] for m in dom["mx"]] == ["mx-dane.test", "mx-valid.test"],
         "MX set")
    want(host("mx-dane.test")["dane"]["matched"] is True, "mx-dane matched")
    want(host("mx-valid.test")["dane"] is None, "mx-valid has no TLSA")
    want(types == ["dane-required"], f"findings {types}")
    finding("dane-required", "mx-valid.test", "127.0.0.2")
elif case.startswith("change-"):
    # sts-change.test, probed with a store (t-probe.sh): the policy with
    # max_age 86400 under id 1A, then 604800 under 1A, 2B and 3C.
    sts = dom["mta-sts"]
    pol = [hashlib.sha256(b"version: STSv1\r\nmode: testing\r\n"
                          b"mx: mx-valid.test\r\nmax_age: %d\r\n" % a
                          ).hexdigest() for a in (86400, 604800)]
    cur, base, prev_id, prev_base, note = {
        "change-first": (pol[0], pol[0], None, None, None),
        "change-body": (pol[1], pol[0], "1A", pol[0], None),
        "change-again": (pol[1], pol[0], "1A", pol[0], None),
        "change-newid": (pol[1], pol[1], "1A", pol[0], None),
        "change-idonly": (pol[1], pol[1], "2B", pol[1],
                          "the _mta-sts id changed from 2B to 3C"),
    }[case]
    want(sts["record-valid"] is True and sts["policy"]["mode"] == "testing",
         f"record and policy {sts}")
    want(sts["policy-sha256"] == cur, "policy-sha256: the policy served")
    want(sts["id-policy-sha256"] == base,
         "id-policy-sha256: the first policy seen under this id")
    if prev_id is None:
        want(sts["previous"] is None, f"no earlier run: {sts['previous']}")
    else:
        want(ISO.match(sts["previous"]["time"]) and
             sts["previous"]["id"] == prev_id and
             sts["previous"]["id-policy-sha256"] == prev_base,
             f"previous {sts['previous']}")
    want(sts["note"] == note if note is None else
         sts["note"].startswith(note + " (since the run of ") and
         sts["note"].endswith(") with the same policy: senders fetch it "
                              "again for nothing"), f"note {sts['note']}")
    if case in ("change-body", "change-again"):
        f = one(findings, "finding")
        want(f["result-type"] == "sts-policy-id-unchanged" and
             f["mx-host"] is None and f["address"] is None, f"finding {f}")
        want(f"(SHA-256 {pol[1][:12]}..., under this id since the run of "
             in f["detail"] and f"{pol[0][:12]}...) but the _mta-sts id is "
             "still 1A: senders that fetched the old policy keep it" in
             f["detail"], f["detail"])
        want(f["action"].startswith("Change the id of the _mta-sts TXT "
                                    "record"), f["action"])
    else:
        want(types == [], f"findings {types}")
elif case.startswith("sts-"):
    sts = dom["mta-sts"]
    want(sts["record"] == ("v=STSv1; id=2026-01-01" if case == "sts-badtxt"
                           else "v=STSv1; id=20260101T000000Z"), "record")
    want(sts["record-valid"] is (case != "sts-badtxt"), "record-valid")
    url = f"https://mta-sts.{dom['domain']}:"
    want(sts["url"].startswith(url) and
         sts["url"].endswith("/.well-known/mta-sts.txt"), sts["url"])
    for h in dom["hosts"]:
        tls_ok(h)
    if case in ("sts-good", "sts-wrongmx", "sts-badtxt"):
        want(sts["fetch-error"] is None and sts["http-status"] == 200,
             "fetched")
        want(sts["policy"]["mode"] == "enforce" and
             sts["policy"]["max_age"] == 86400, f"policy {sts['policy']}")
    else:
        want(sts["policy"] is None, "no policy")
    if case == "sts-good":
        want(sts["id"] == "20260101T000000Z", "id")
        want(sts["policy-sha256"] == hashlib.sha256(
            b"version: STSv1\r\nmode: enforce\r\nmx: mx-valid.test\r\n"
            b"mx: *.valid.test\r\nmax_age: 86400\r\n").hexdigest(),
            "policy-sha256 is that of the policy served")
        want(sts["policy"]["mx"] == ["mx-valid.test", "*.valid.test"], "mx")
        want([(m["host"], m["sts-match"]) for m in dom["mx"]] ==
             [("mx-valid.test", "mx-valid.test"),
              ("mx3.valid.test", "*.valid.test")], "every MX matched")
        want(types == [], f"findings {types}")
    elif case == "sts-wrongmx":
        want(one(dom["mx"], "MX")["sts-match"] is None, "unmatched")
        f = one(findings, "finding")
        want(f["result-type"] == "sts-policy-invalid" and
             f["mx-host"] == "mx-valid.test" and f["address"] is None,
             f"finding {f}")
        want("matches no mx: pattern" in f["detail"], f["detail"])
    elif case == "sts-badtxt":
        f = one(findings, "finding")
        want(f["result-type"] == "sts-policy-invalid" and
             f["mx-host"] is None, f"finding {f}")
        want(f["detail"].startswith("_mta-sts.sts-badtxt.test: "), f["detail"])
    elif case == "sts-badpolicy":
        want(sts["http-status"] == 200 and sts["fetch-error"] is None,
             "fetched")
        f = one(findings, "finding")
        want(f["result-type"] == "sts-policy-invalid", f"finding {f}")
        want('mode "enforcing"' in f["detail"], f["detail"])
    else:
        f = one(findings, "finding")
        want(f["mx-host"] is None and f["address"] is None, "domain finding")
        want(f["detail"] == sts["fetch-error"], "detail is the fetch-error")
        wanted = {
            "sts-redirect": ("sts-policy-fetch-error", 301, "a redirect"),
            "sts-404": ("sts-policy-fetch-error", 404, "HTTP 404, not 200"),
            "sts-huge": ("sts-policy-fetch-error", 200,
                         "larger than 65536 bytes"),
            "sts-badcert": ("sts-webpki-invalid", None,
                            "the certificate does not validate"),
        }[case]
        want(f["result-type"] == wanted[0], f"finding {f}")
        want(sts["http-status"] == wanted[1], f"http-status {sts}")
        want(wanted[2] in f["detail"], f["detail"])
elif case == "daneta":
    h = host("mx-daneta.test", "127.0.0.4")
    tls_ok(h)
    r = one(one(dom["mx"], "MX")["tlsa"], "TLSA record")
    want((r["usage"], r["selector"], r["matching-type"]) == (2, 0, 1), "2 0 1")
    want(h["dane"] == {"matched": True, "usage": 2, "verdict": "ok",
                       "matched-ahead": False},
         f"DANE-TA matches now, not in 14 days: {h['dane']}")
    want(types == ["certificate-expiring"], f"findings {types}")
    finding("certificate-expiring", "mx-daneta.test", "127.0.0.4")
else:
    sys.exit(f"probe_check: unknown case {case}")
