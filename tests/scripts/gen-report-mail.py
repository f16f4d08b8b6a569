#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""gen-report-mail.py -- write TLS report mails for the milter tests.

    gen-report-mail.py DIR KIND PREFIX [N]

writes N (default 1) messages DIR/PREFIX-<i>.eml, each with a distinct
report-id "PREFIX-<i>", shaped like the bundled samples (samples/): a
multipart/report; report-type=tlsrpt mail with the report attached.

KIND: gzip (application/tlsrpt+gzip), json (application/tlsrpt+json),
      text (an ordinary mail, no report), broken (a gzip attachment that is
      not gzip), big (a gzip report plus 200 KiB of filler text).
Not a test itself (the runner only runs t-*.sh).
"""
import email.policy
import gzip
import json
import os
import sys
from email.message import EmailMessage

DAY = "2026-11-27"


def report(rid):
    return {
        "organization-name": "Test Reporter",
        "date-range": {"start-datetime": DAY + "T00:00:00Z",
                       "end-datetime": DAY + "T23:59:59Z"},
        "contact-info": "tlsrpt-noreply@reporter.test",
        "report-id": rid,
        "policies": [{
            "policy": {"policy-type": "sts",
                       "policy-string": ["version: STSv1", "mode: testing",
                                         "mx: mx1.example.org",
                                         "max_age: 604800"],
                       "policy-domain": "example.org",
                       "mx-host": ["mx1.example.org"]},
            "summary": {"total-successful-session-count": 120,
                        "total-failure-session-count": 3},
            "failure-details": [{
                "result-type": "certificate-expired",
                "sending-mta-ip": "192.0.2.7",
                "receiving-mx-hostname": "mx1.example.org",
                "failed-session-count": 3}]}]}


def message(kind, rid):
    m = EmailMessage(policy=email.policy.SMTP)
    m["From"] = "noreply-smtp-tls-reporting@reporter.test"
    m["To"] = "tlsrpt@example.org"
    m["Subject"] = ("Report Domain: example.org Submitter: reporter.test "
                    "Report-ID: <%s>" % rid)
    m["Date"] = "Sat, 28 Nov 2026 06:12:00 +0000"
    m["Message-ID"] = "<%s@reporter.test>" % rid
    if kind == "text":
        del m["To"]
        m["To"] = "someone@example.org"
        m.set_content("Hello,\nthis is an ordinary message (%s).\n" % rid)
        return m.as_bytes()
    m["TLS-Report-Domain"] = "example.org"
    m["TLS-Report-Submitter"] = "reporter.test"
    m.set_content("This is an aggregate TLS report from reporter.test.\n")
    raw = json.dumps(report(rid)).encode()
    name = "reporter.test!example.org!1795737600!1795823999!%s" % rid
    if kind == "json":
        m.add_attachment(raw, maintype="application", subtype="tlsrpt+json",
                         filename=name + ".json")
    elif kind == "broken":
        m.add_attachment(b"\x1f\x8bthis is not gzip at all",
                         maintype="application", subtype="tlsrpt+gzip",
                         filename=name + ".json.gz")
    else:
        m.add_attachment(gzip.compress(raw, mtime=0), maintype="application",
                         subtype="tlsrpt+gzip", filename=name + ".json.gz")
    if kind == "big":
        line = "filler text to pass the size cap " * 2 + "\n"
        m.add_attachment((line * (200 * 1024 // len(line))).encode(),
                         maintype="text", subtype="plain",
                         filename="filler.txt")
    m.set_type("multipart/report")
    m.set_param("report-type", "tlsrpt")
    return m.as_bytes()


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    out, kind, prefix = sys.argv[1:4]
    n = int(sys.argv[4]) if len(sys.argv) == 5 else 1
    for i in range(1, n + 1):
        rid = "%s-%d" % (prefix, i)
        with open(os.path.join(out, rid + ".eml"), "wb") as f:
            f.write(message(kind, rid))


if __name__ == "__main__":
    main()
