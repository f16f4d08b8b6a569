#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""make-hostile.py -- write the hostile and broken messages of the bad input
catalogue (tests/hostile/cases.tsv) for t-hostile-e2e.sh.

    make-hostile.py DIR [NAME...]

writes DIR/<name>.eml for every case (or only the named ones); each has
Message-ID <name@hostile.test> so the test finds its delivery and its queue
id. Deterministic (fixed seeds, gzip mtime 0): the same bytes every run.
Some files are megabytes: they are written at test time into a temporary
directory, never committed. `make-hostile.py --list` prints the names.

The milter under test runs with MaxMessageSize 2M, MaxReportSize 8M and
MaxInflateRatio 200 (see t-hostile-e2e.sh); the other limits are the
defaults.
"""
import base64
import gzip
import io
import json
import os
import random
import sys
import zipfile
import zlib

DAY = "2026-11-27"
BOUNDARY = "hostile-b0undary"


def report(rid, **over):
    r = {
        "organization-name": "Hostile Reporter",
        "date-range": {"start-datetime": DAY + "T00:00:00Z",
                       "end-datetime": DAY + "T23:59:59Z"},
        "contact-info": "tlsrpt@hostile.test",
        "report-id": rid,
        "policies": [policy()],
    }
    r.update(over)
    return r


def policy(domain="example.org", ok=10, failed=1, details=None):
    return {
        "policy": {"policy-type": "sts",
                   "policy-string": ["version: STSv1", "mode: enforce",
                                     "mx: mx1.example.org",
                                     "max_age: 86400"],
                   "policy-domain": domain,
                   "mx-host": ["mx1.example.org"]},
        "summary": {"total-successful-session-count": ok,
                    "total-failure-session-count": failed},
        "failure-details": details if details is not None else [{
            "result-type": "certificate-expired",
            "sending-mta-ip": "192.0.2.7",
            "receiving-mx-hostname": "mx1.example.org",
            "failed-session-count": failed}],
    }


def js(obj):
    return json.dumps(obj).encode()


def gz(data):
    return gzip.compress(data, mtime=0)


def b64(data):
    s = base64.b64encode(data)
    return b"\r\n".join(s[i:i + 76] for i in range(0, len(s), 76))


def head(name, ctype, extra=b""):
    return (b"From: noreply@hostile.test\r\n"
            b"To: tlsrpt@example.org\r\n"
            b"Subject: Report Domain: example.org Submitter: hostile.test "
            b"Report-ID: <" + name.encode() + b">\r\n"
            b"Date: Sat, 28 Nov 2026 06:12:00 +0000\r\n"
            b"Message-ID: <" + name.encode() + b"@hostile.test>\r\n"
            b"MIME-Version: 1.0\r\n"
            b"TLS-Report-Domain: example.org\r\n"
            b"TLS-Report-Submitter: hostile.test\r\n" + extra +
            b"Content-Type: " + ctype.encode() + b"\r\n\r\n")


def part(data, ctype="application/tlsrpt+gzip", filename="report.json.gz",
         cte="base64", extra=b""):
    h = b"Content-Type: " + ctype.encode() + b"\r\n"
    if filename is not None:
        h += (b"Content-Disposition: attachment; filename=\"" +
              filename.encode() + b"\"\r\n")
    if cte is not None:
        h += b"Content-Transfer-Encoding: " + cte.encode() + b"\r\n"
    body = b64(data) if cte == "base64" else data
    return h + extra + b"\r\n" + body + b"\r\n"


def multipart(name, parts, close=True, boundary=BOUNDARY,
              ctype="multipart/report; report-type=tlsrpt", extra=b""):
    out = head(name, ctype + '; boundary="' + boundary + '"', extra)
    out += b"This is a multi-part message.\r\n"
    out += b"--" + boundary.encode() + b"\r\n"
    out += part(b"An aggregate TLS report from hostile.test.\r\n",
                "text/plain", None, None)
    for p in parts:
        out += b"--" + boundary.encode() + b"\r\n" + p
    if close:
        out += b"--" + boundary.encode() + b"--\r\n"
    return out


def simple(name, data, **kw):
    """A report mail with one attachment (gzip by default)."""
    return multipart(name, [part(data, **kw)])


def gzreport(name, **over):
    return simple(name, gz(js(report(name, **over))))


# ---- the cases: name -> bytes ---------------------------------------------

def c_valid_control(n):
    return gzreport(n)


def c_bomb_ratio(n):
    # 6 MiB of zeros in ~6 KiB: past MaxInflateRatio 200 long before
    # MaxReportSize. (Deflate tops out near 1030:1, so the default ratio
    # of 1000 is only reached by the size limit.)
    return simple(n, gz(b"\0" * (6 << 20)))


def c_bomb_ratio_json(n):
    # A valid-looking report whose padding inflates ~1000x.
    r = report(n)
    r["x-padding"] = " " * (8 << 20)
    return simple(n, gz(js(r)))


def c_bomb_absolute(n):
    # ~10 MiB of JSON that compresses only ~18:1: under MaxInflateRatio,
    # over MaxReportSize 8M.
    rnd = random.Random(8)
    words = ["%032x" % rnd.getrandbits(128) for _ in range(64)]
    r = report(n)
    r["x-noise"] = [rnd.choice(words) for _ in range(280000)]
    return simple(n, gz(js(r)))


def c_gzip_in_gzip(n):
    return simple(n, gz(gz(b"\0" * (4 << 20))))


def c_gzip_truncated(n):
    data = gz(js(report(n)))
    return simple(n, data[:len(data) // 2])


def c_gzip_bad_crc(n):
    data = bytearray(gz(js(report(n))))
    data[-8] ^= 0xFF
    return simple(n, bytes(data))


def c_gzip_header_only(n):
    return simple(n, gz(b"")[:10])


def c_gzip_flipped_bits(n):
    data = bytearray(gz(js(report(n))))
    for i in range(20, len(data) - 8, 7):
        data[i] ^= 0x55
    return simple(n, bytes(data))


def c_gzip_not_json(n):
    rnd = random.Random(3)
    return simple(n, gz(bytes(rnd.getrandbits(8) for _ in range(4096))))


def c_gzip_trailing_garbage(n):
    return simple(n, gz(js(report(n))) + b"GARBAGE AFTER THE STREAM" * 10)


def c_zip_archive(n):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("report.json", (2026, 11, 28, 0, 0, 0)),
                   js(report(n)))
    return simple(n, buf.getvalue(), ctype="application/tlsrpt+zip",
                  filename="report.zip")


def c_zlib_not_gzip(n):
    # zlib framing where gzip is announced: unambiguous, so read.
    return simple(n, zlib.compress(js(report(n))), filename="report.json.gz")


def c_json_deep_nesting(n):
    # Uncompressed, so MaxJSONDepth (not the inflate ratio) stops it.
    return simple(n, b'{"a":' * 100000 + b"1" + b"}" * 100000,
                  ctype="application/tlsrpt+json", filename="report.json")


def c_json_deep_object(n):
    r = report(n)
    inner = {}
    cur = inner
    for _ in range(40):
        cur["a"] = {}
        cur = cur["a"]
    r["policies"][0]["x-extra"] = inner
    return simple(n, gz(js(r)))


def c_json_huge_string(n):
    return simple(n, js(report(n, **{"organization-name": "A" * 200000})),
                  ctype="application/tlsrpt+json", filename="report.json")


def c_json_duplicate_keys(n):
    raw = js(report(n))
    raw = raw.replace(b'"report-id"', b'"report-id": "other", "report-id"', 1)
    return simple(n, gz(raw))


def c_json_count_out_of_range(n):
    r = report(n, policies=[policy(ok=10 ** 30)])
    return simple(n, gz(js(r)))


def c_json_count_2_63(n):
    raw = js(report(n)).replace(b'"total-successful-session-count": 10',
                                b'"total-successful-session-count": '
                                b'9223372036854775808')
    return simple(n, gz(raw))


def c_json_count_2_53(n):
    # Issue 15: counts near 2^53 in a few forged reports wrapped the
    # summary's sums; one policy may claim at most MaxSessionCount (10^9).
    return simple(n, gz(js(report(n, policies=[policy(failed=2 ** 53 - 1)]))))


def c_json_negative_count(n):
    return simple(n, gz(js(report(n, policies=[policy(ok=-5)]))))


def c_json_float_count(n):
    return simple(n, gz(js(report(n, policies=[policy(ok=1.5)]))))


def c_json_string_count(n):
    return simple(n, gz(js(report(n, policies=[policy(ok="10")]))))


def c_json_nul_in_string(n):
    return gzreport(n, **{"organization-name": "Evil\u0000Org"})


def c_json_invalid_utf8(n):
    raw = js(report(n)).replace(b"Hostile Reporter", b"Hostile \xff\xfe Rep")
    return simple(n, gz(raw))


def c_json_utf16(n):
    return simple(n, gz(json.dumps(report(n)).encode("utf-16")))


def c_json_bom(n):
    return simple(n, gz(b"\xef\xbb\xbf" + js(report(n))))


def c_json_not_object(n):
    return simple(n, gz(js([report(n)])))


def c_json_empty_object(n):
    return simple(n, gz(b"{}"))


def c_json_missing_report_id(n):
    r = report(n)
    del r["report-id"]
    return simple(n, gz(js(r)))


def c_json_bad_date(n):
    return gzreport(n, **{"date-range": {"start-datetime": "yesterday",
                                         "end-datetime": "today"}})


def c_json_date_year_zero(n):
    # Issue 15: year 0000 at +23:59 is year -1 in UTC, which the store
    # wrote but could not read back: "stored", then lost.
    return gzreport(n, **{"date-range": {
        "start-datetime": "0000-01-01T00:00:00+23:59",
        "end-datetime": "0000-01-02T00:00:00+23:59"}})


def c_json_date_future(n):
    # A date-range ending years after it was received: refused at intake.
    return gzreport(n, **{"date-range": {
        "start-datetime": "9999-12-30T00:00:00Z",
        "end-datetime": "9999-12-31T00:00:00Z"}})


def c_json_end_before_start(n):
    return gzreport(n, **{"date-range": {
        "start-datetime": DAY + "T23:59:59Z",
        "end-datetime": DAY + "T00:00:00Z"}})


def c_json_bad_policy_type(n):
    p = policy()
    p["policy"]["policy-type"] = "telepathy"
    return simple(n, gz(js(report(n, policies=[p]))))


def c_json_no_policies(n):
    return simple(n, gz(js(report(n, policies=[]))))


def c_json_truncated(n):
    raw = js(report(n))
    return simple(n, gz(raw[:len(raw) - 40]))


def c_json_10000_policies(n):
    pols = [policy("d%d.example.org" % i) for i in range(10000)]
    return simple(n, gz(js(report(n, policies=pols))))


def c_json_10000_failure_details(n):
    det = [{"result-type": "starttls-not-supported",
            "sending-mta-ip": "192.0.2.%d" % (i % 250),
            "receiving-mx-hostname": "mx1.example.org",
            "failed-session-count": 1} for i in range(10000)]
    return simple(n, gz(js(report(n, policies=[policy(details=det)]))))


def value_flood(n, size, rare):
    """A valid report with `size` bytes of empty objects under an unknown
    key, one in `rare` an empty array so that it compresses less (issue 15
    case 7: jansson spends ~224 bytes on each "{}" it builds)."""
    rng = random.Random(n)
    head_ = js(report(n))[:-1] + b', "junk": ['
    count = (size - len(head_)) // 3
    junk = b",".join(b"[]" if rng.randrange(rare) == 0 else b"{}"
                     for _ in range(count))
    return head_ + junk + b"]}"


def c_json_value_flood(n):
    # 8 MB of {} at ~150:1 (a 72 KB mail), under MaxReportSize 8M and
    # MaxInflateRatio 200: refused by MaxJSONValues before jansson builds
    # anything (it took ~1.2 GB per parse at 16 MB).
    return simple(n, gz(value_flood(n, 8000000, 100)))


def c_json_repeated_head(n):
    # 16 reports of 1,000 policies whose report-level strings are 8 KB
    # each: every store line repeats them, 390 MB from a 0.4 MB mail. The
    # store refuses lines over 8x the JSON plus 256 KiB.
    pols = [policy("d%d.example.org" % i) for i in range(1000)]
    big = lambda c, i: c * 8000 + str(i)
    return multipart(n, [part(gz(js(report(
        big("I", i), policies=pols, **{"organization-name": big("O", i),
                                        "contact-info": big("C", i)}))))
        for i in range(16)])


def c_json_10000_policy_strings(n):
    p = policy()
    p["policy"]["policy-string"] = ["mx: mx%d.example.org" % i
                                    for i in range(10000)]
    return simple(n, gz(js(report(n, policies=[p]))))


def c_unknown_result_type(n):
    # Kept, not dropped (DESIGN.md): stored.
    det = [{"result-type": "quantum-decoherence",
            "sending-mta-ip": "192.0.2.9",
            "receiving-mx-hostname": "mx1.example.org",
            "failed-session-count": 2}]
    return simple(n, gz(js(report(n, policies=[policy(failed=2,
                                                       details=det)]))))


def c_path_traversal_id(n):
    # Stored as data; must never become a file name.
    return gzreport(n, **{"report-id": "../../../../tmp/hostile-" + n})


def c_shell_words_id(n):
    return gzreport(n, **{"report-id": "$(touch /tmp/hostile-pwned);`id`|"
                          "rm -rf / #" + n})


def c_format_string_org(n):
    return gzreport(n, **{"organization-name": "%s%s%s%n%n%x%p " + n})


def c_quote_in_org(n):
    return gzreport(n, **{"organization-name": 'Evil" id="forged ' + n})


def c_control_chars_id(n):
    return gzreport(n, **{"report-id": n + "\r\nX-Injected: yes\u001b[31m"})


def c_lying_gzip_is_json(n):
    return simple(n, js(report(n)), ctype="application/tlsrpt+gzip",
                  filename="report.json.gz")


def c_lying_json_is_gzip(n):
    return simple(n, gz(js(report(n))), ctype="application/tlsrpt+json",
                  filename="report.json")


def c_lying_image_is_gzip(n):
    return simple(n, gz(js(report(n))), ctype="image/png",
                  filename="cat.png")


def c_lying_gzip_is_png(n):
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    return simple(n, png)


def c_base64_garbage(n):
    body = (b"Content-Type: application/tlsrpt+gzip\r\n"
            b"Content-Disposition: attachment; filename=\"r.json.gz\"\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\n"
            b"!!!! not base64 at all @@@@ ~~~~\r\n" * 50)
    return multipart(n, [body])


def c_base64_truncated(n):
    data = b64(gz(js(report(n))))
    body = (b"Content-Type: application/tlsrpt+gzip\r\n"
            b"Content-Disposition: attachment; filename=\"r.json.gz\"\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\n" +
            data[:len(data) // 2 + 3] + b"\r\n")
    return multipart(n, [body])


def c_missing_close_boundary(n):
    # Valid report, but the closing boundary never comes: GMime keeps
    # what it read (lenient, like the MUAs).
    return multipart(n, [part(gz(js(report(n))))], close=False)


def c_boundary_never_used(n):
    out = head(n, 'multipart/report; report-type=tlsrpt; '
               'boundary="never-seen"')
    return out + b"Just text, no parts.\r\n" * 20


def c_no_boundary_param(n):
    out = head(n, "multipart/report; report-type=tlsrpt")
    return out + b"--x\r\nContent-Type: text/plain\r\n\r\nhello\r\n--x--\r\n"


def c_empty_body(n):
    return head(n, "multipart/report; report-type=tlsrpt; boundary=x")


def c_plain_text_only(n):
    return head(n, "text/plain") + b"Hello, this is no report.\r\n"


def c_rfc822_loop(n):
    # message/rfc822 nested 60 deep: past MaxMIMEDepth 8.
    inner = gzreport(n + "-inner")
    for i in range(60):
        inner = multipart("%s-%d" % (n, i),
                          [part(inner, "message/rfc822", None, None)],
                          ctype="multipart/mixed",
                          boundary="b%d" % i)
    return inner.replace(b"Message-ID: <%s-59@" % n.encode(),
                         b"Message-ID: <%s@" % n.encode(), 1)


def c_multipart_deep(n):
    body = part(gz(js(report(n))))
    for i in range(80):
        b = "deep%d" % i
        body = (b"Content-Type: multipart/mixed; boundary=\"" + b.encode() +
                b"\"\r\n\r\n--" + b.encode() + b"\r\n" + body + b"--" +
                b.encode() + b"--\r\n")
    return multipart(n, [body])


def c_forwarded_report(n):
    # A report forwarded as message/rfc822: found and stored.
    inner = gzreport(n)
    return multipart(n + "-outer", [part(inner, "message/rfc822", None,
                                         None)],
                     ctype="multipart/mixed").replace(
        b"<" + n.encode() + b"-outer@", b"<" + n.encode() + b"@", 1)


def c_attachments_100_reports(n):
    parts = [part(gz(js(report("%s-%d" % (n, i)))),
                  filename="r%d.json.gz" % i) for i in range(100)]
    return multipart(n, parts)


def c_attachments_100_broken(n):
    parts = [part(b"\x1f\x8b broken %d" % i, filename="r%d.json.gz" % i)
             for i in range(100)]
    return multipart(n, parts)


def c_parts_300_empty(n):
    parts = [b"Content-Type: text/plain\r\n\r\n\r\n" for _ in range(300)]
    return multipart(n, parts)


def c_oversized_message(n):
    # 3 MiB: past MaxMessageSize 2M, never buffered past it.
    rnd = random.Random(5)
    filler = bytes(rnd.getrandbits(8) for _ in range(3 << 20))
    return multipart(n, [part(gz(js(report(n)))),
                         part(filler, "application/octet-stream", "blob.bin")])


def c_header_flood(n):
    extra = b"".join(b"X-Flood-%d: %s\r\n" % (i, b"y" * 40)
                     for i in range(3000))
    return multipart(n, [part(gz(js(report(n))))], extra=extra)


def c_header_long_line(n):
    extra = b"X-Long: " + b"z" * 200000 + b"\r\n"
    return multipart(n, [part(gz(js(report(n))))], extra=extra)


def c_header_folded_flood(n):
    extra = b"Subject-Extra: start\r\n" + b" fold\r\n" * 20000
    return multipart(n, [part(gz(js(report(n))))], extra=extra)


def c_forged_stored_header(n):
    # A forged "stored" header from outside must not survive.
    return (head(n, "text/plain",
                 b"X-TLSRPT-Milter: stored Forged Org forged-id\r\n") +
            b"No report here.\r\n")


def c_qp_encoded_json(n):
    import quopri
    data = quopri.encodestring(json.dumps(report(n), indent=1).encode())
    return simple(n, data, ctype="application/tlsrpt+json",
                  filename="report.json", cte="quoted-printable")


def c_nul_in_body(n):
    return (head(n, "text/plain") + b"before\0\0\0after\r\n" * 10)


def c_duplicate_of_control(n):
    # Same organization and report-id as valid-control: a duplicate.
    return simple(n, gz(js(report("valid-control"))))


def c_conflict_of_control(n):
    # Same organization and report-id as valid-control, other contents:
    # the forged-first pre-emption (issue 15). Not a duplicate: stored,
    # marked as a conflict, and said so in the header.
    return simple(n, gz(js(report("valid-control",
                                  policies=[policy(ok=5000, failed=23)]))))


CASES = {name[2:].replace("_", "-"): fn
         for name, fn in sorted(globals().items())
         if name.startswith("c_") and callable(fn)}


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "--list":
        print("\n".join(sorted(CASES)))
        return
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    names = sys.argv[2:] or sorted(CASES)
    for name in names:
        if name not in CASES:
            sys.exit("make-hostile.py: no case %s" % name)
        with open(os.path.join(out, name + ".eml"), "wb") as f:
            f.write(CASES[name](name))


if __name__ == "__main__":
    main()
