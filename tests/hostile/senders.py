#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""senders.py -- a mixed stream of genuine and forged TLS report mails for
tests/scripts/t-hostile-senders.sh.

    senders.py --now EPOCH genuine DIR   the genuine reports alone
    senders.py --now EPOCH mixed DIR     the same reports with forgeries
                                         interleaved, forgeries first where
                                         going first is the attack

Each file is NN-<name>.eml; tlsrpt-ingest takes them in name order. Every
mail carries the Authentication-Results header our verifier
(authserv-id mx.example.org) would have prepended, above the Received
header our MTA adds; what the sender wrote comes below it. The reports
cover the two UTC days before --now, so a summary of the last 7 days sees
them all.

What a forgery may do to the summary: nothing. The summary of the mixed
stream must equal the summary of the genuine stream, apart from the parts
that list the forgeries.
"""
import gzip
import json
import sys
import time

AUTHSERV = "mx.example.org"
BOUNDARY = "senders-b0undary"


def day_range(now, days_back):
    day = (now // 86400 - days_back) * 86400
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    return (time.strftime(fmt, time.gmtime(day)),
            time.strftime(fmt, time.gmtime(day + 86399)), day)


def sts_policy(mode, ok, failed, mx="mx1.example.org", extra_details=()):
    details = []
    if failed:
        details.append({"result-type": "certificate-expired",
                        "sending-mta-ip": "198.51.100.7",
                        "receiving-mx-hostname": mx,
                        "failed-session-count": failed})
    details.extend(extra_details)
    p = {"policy": {"policy-type": "sts",
                    "policy-string": ["version: STSv1", "mode: " + mode,
                                      "mx: " + mx, "max_age: 604800"],
                    "policy-domain": "example.org",
                    "mx-host": [mx]},
         "summary": {"total-successful-session-count": ok,
                     "total-failure-session-count": failed}}
    if details:
        p["failure-details"] = details
    return p


def report(org, rid, start, end, policies, contact):
    return {"organization-name": org,
            "date-range": {"start-datetime": start, "end-datetime": end},
            "contact-info": contact,
            "report-id": rid,
            "policies": policies}


def mail(name, sender, submitter, top_dkim, payload, below=b""):
    """A report mail as it sits in the mailbox: our verifier's header on
    top, our Received, then what the sender wrote (below)."""
    dom = submitter
    b64 = __import__("base64").encodebytes(payload)
    return (b"Authentication-Results: " + AUTHSERV.encode() + b"; " +
            top_dkim.encode() + b"\r\n"
            b"Received: from mail." + dom.encode() + b" (mail." +
            dom.encode() + b" [203.0.113.9])\r\n"
            b"\tby " + AUTHSERV.encode() + b" (Postfix) with ESMTPS id 4Q"
            + name.encode()[:8].upper() + b"\r\n"
            b"\tfor <tlsrpt@example.org>; Sat, 5 Dec 2026 06:00:00 +0000\r\n"
            + below +
            b"From: " + sender.encode() + b"\r\n"
            b"To: tlsrpt@example.org\r\n"
            b"Subject: Report Domain: example.org Submitter: " +
            dom.encode() + b" Report-ID: <" + name.encode() + b">\r\n"
            b"Date: Sat, 05 Dec 2026 06:00:00 +0000\r\n"
            b"Message-ID: <" + name.encode() + b"@senders.test>\r\n"
            b"MIME-Version: 1.0\r\n"
            b"TLS-Report-Domain: example.org\r\n"
            b"TLS-Report-Submitter: " + dom.encode() + b"\r\n"
            b"Content-Type: multipart/report; report-type=tlsrpt; "
            b"boundary=\"" + BOUNDARY.encode() + b"\"\r\n\r\n"
            b"--" + BOUNDARY.encode() + b"\r\n"
            b"Content-Type: text/plain\r\n\r\n"
            b"This is an aggregate TLS report.\r\n"
            b"--" + BOUNDARY.encode() + b"\r\n"
            b"Content-Type: application/tlsrpt+gzip\r\n"
            b"Content-Disposition: attachment; filename=\"" + name.encode() +
            b".json.gz\"\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\n" +
            b64.replace(b"\n", b"\r\n") +
            b"--" + BOUNDARY.encode() + b"--\r\n")


def gz_json(obj):
    return gzip.compress(json.dumps(obj).encode(), mtime=0)


def genuine(now):
    s1, e1, d1 = day_range(now, 1)
    s2, e2, _ = day_range(now, 2)
    google = "noreply-smtp-tls-reporting@google.com"
    ms = "tlsrpt-noreply@microsoft.com"
    return [
        ("google-day2", google, "google.com",
         "dkim=pass header.d=google.com header.s=20230601",
         report("Google Inc.", "%s_example.org" % s2, s2, e2,
                [sts_policy("enforce", 900, 0)],
                "smtp-tls-reporting@google.com")),
        ("google-day1", google, "google.com",
         "dkim=pass header.d=google.com header.s=20230601",
         report("Google Inc.", "%s_example.org" % s1, s1, e1,
                [sts_policy("enforce", 1000, 23)],
                "smtp-tls-reporting@google.com")),
        ("microsoft-day1", ms, "microsoft.com",
         "dkim=pass header.d=microsoft.com header.s=selector1",
         report("Microsoft Corporation",
                "133780000000000000+example.org", s1, e1,
                [sts_policy("enforce", 500, 0)],
                "tlsrpt-noreply@microsoft.com")),
    ]


def forged(now):
    s1, e1, d1 = day_range(now, 1)
    evil = "reports@attacker.example"
    future_s = "9999-12-30T00:00:00Z"
    future_e = "9999-12-30T23:59:59Z"
    big = 2 ** 53 - 1
    out = {}
    # 1. Counts near 2^53 to wrap the sums.
    out["wrap"] = ("forged-wrap", evil, "attacker.example",
                   "dkim=pass header.d=attacker.example",
                   report("Attacker Reports", "wrap-1", s1, e1,
                          [sts_policy("enforce", big, big - 1)] * 3,
                          "reports@attacker.example"))
    # 2. Google's name and Google's predictable id, sent before Google.
    out["preempt"] = ("forged-preempt", "noreply-smtp-tls-reporting@google.com",
                      "google.com", "dkim=fail header.d=google.com",
                      report("Google Inc.", "%s_example.org" % s1, s1, e1,
                             [sts_policy("enforce", 1000000, 0)],
                             "smtp-tls-reporting@google.com"))
    # 3. A dkim=pass with our authserv-id, written by the sender below the
    # Received header (OpenDKIM leaves it when it cannot parse it), and a
    # DKIM-Signature copied from a genuine Google report, which our
    # verifier finds broken.
    forged_ar = (b"Authentication-Results: " + AUTHSERV.encode() +
                 b"; dkim=pass header.d=google.com x-forged.note=1\r\n"
                 b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;"
                 b" d=google.com; s=20230601; h=from:to:subject;"
                 b" bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;"
                 b" b=copiedcopiedcopied\r\n")
    out["forged-ar"] = ("forged-ar", "noreply-smtp-tls-reporting@google.com",
                        "google.com",
                        "dkim=fail reason=\"signature verification failed\""
                        " header.d=google.com header.s=20230601",
                        report("Google Inc.", "forged-ar-1", s1, e1,
                               [sts_policy("testing", 100000, 0)],
                               "smtp-tls-reporting@google.com"), forged_ar)
    # 4. Dated 9999 in testing mode, to become the "latest" policy.
    out["future"] = ("forged-future", evil, "attacker.example",
                     "dkim=pass header.d=attacker.example",
                     report("Attacker Reports", "future-1", future_s,
                            future_e, [sts_policy("testing", 10, 0)],
                            "reports@attacker.example"))
    # 5. Instants outside the years the store can write.
    out["year0"] = ("forged-year0", evil, "attacker.example",
                    "dkim=pass header.d=attacker.example",
                    report("Attacker Reports", "year0-1",
                           "0000-01-01T00:00:00+23:59",
                           "0000-01-02T00:00:00+23:59",
                           [sts_policy("testing", 10, 0)],
                           "reports@attacker.example"))
    # 6. Google's name, a valid signature -- but of another domain.
    out["impersonate"] = ("forged-impersonate", evil, "attacker.example",
                          "dkim=pass header.d=attacker.example",
                          report("Google Inc.", "impersonate-1", s1, e1,
                                 [sts_policy("testing", 50000, 0)],
                                 "smtp-tls-reporting@google.com"))
    return out


def main(argv):
    if len(argv) != 5 or argv[1] != "--now" or argv[3] not in (
            "genuine", "mixed"):
        sys.stderr.write("usage: senders.py --now EPOCH genuine|mixed DIR\n")
        return 64
    now = int(argv[2])
    kind, outdir = argv[3], argv[4]
    g = genuine(now)
    if kind == "genuine":
        stream = g
    else:
        f = forged(now)
        # forgeries first where going first is the attack, and one last,
        # where being the latest report is the attack
        stream = [f["preempt"], f["future"], g[0], f["wrap"], g[1],
                  f["forged-ar"], f["year0"], g[2], f["impersonate"]]
    for i, item in enumerate(stream):
        name, sender, submitter, top, rep = item[:5]
        below = item[5] if len(item) > 5 else b""
        with open("%s/%02d-%s.eml" % (outdir, i, name), "wb") as fh:
            fh.write(mail(name, sender, submitter, top, gz_json(rep), below))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
