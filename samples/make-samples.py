#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""make-samples.py -- write the demo's sample TLS reports into samples/.

Synthetic reports for the domain example.org, modelled on the shapes real
senders use (../shared/TLSRPT.md): a Google-style mail with a text/plain part
and a gzip attachment named sender!domain!begin!end!001.json.gz; a
Microsoft-style mail with a text/html part, an unquoted report-type and the
file name only in Content-Disposition; and a bare .json.gz as an HTTPS
sender would POST it. Deterministic: gzip mtime 0, fixed Message-IDs.
Run it from the top of the tree; commit what it writes.
"""
import email.policy
import gzip
import json
import os
from email.message import EmailMessage

HERE = os.path.dirname(os.path.abspath(__file__))
DAY = "2026-11-27"
BEGIN, END = 1795737600, 1795823999  # 2026-11-27T00:00:00Z .. 23:59:59Z

STS = ["version: STSv1", "mode: testing", "mx: mx1.example.org",
       "mx: mx2.example.org", "max_age: 604800"]


def gz(obj):
    raw = json.dumps(obj, separators=(",", ":")).encode()
    return gzip.compress(raw, mtime=0)


def google_report():
    return {
        "organization-name": "Google Inc.",
        "date-range": {"start-datetime": DAY + "T00:00:00Z",
                       "end-datetime": DAY + "T23:59:59Z"},
        "contact-info": "smtp-tls-reporting@google.com",
        "report-id": DAY + "T00:00:00Z_example.org",
        "policies": [{
            "policy": {"policy-type": "sts", "policy-string": STS,
                       "policy-domain": "example.org",
                       "mx-host": ["mx1.example.org", "mx2.example.org"]},
            "summary": {"total-successful-session-count": 1204,
                        "total-failure-session-count": 0}}]}


def microsoft_report():
    return {
        "organization-name": "Microsoft Corporation",
        "date-range": {"start-datetime": DAY + "T00:00:00Z",
                       "end-datetime": DAY + "T23:59:59Z"},
        "contact-info": "tlsrpt-noreply@microsoft.com",
        "report-id": "134087040000000000+example.org",
        "policies": [{
            "policy": {"policy-type": "sts", "policy-string": STS,
                       "policy-domain": "example.org"},
            "summary": {"total-successful-session-count": 377,
                        "total-failure-session-count": 23},
            "failure-details": [{
                "result-type": "certificate-expired",
                "sending-mta-ip": "2001:db8:1::25",
                "receiving-mx-hostname": "mx2.example.org",
                "receiving-ip": "192.0.2.25",
                "failed-session-count": 23}]}]}


def fetch_error_report():
    return {
        "organization-name": "Mail.Example",
        "date-range": {"start-datetime": DAY + "T00:00:00Z",
                       "end-datetime": "2026-11-28T00:00:00Z"},
        "contact-info": None,
        "report-id": "1795737600_example.org",
        "policies": [{
            "policy": {"policy-type": "sts", "policy-domain": "example.org"},
            "summary": {"total-successful-session-count": 41,
                        "total-failure-session-count": 2},
            "failure-details": [{
                "result-type": "sts-policy-fetch-error",
                "failed-session-count": 2,
                "failure-reason-code": "bad https response code: 503"}]}]}


def mail(sender, submitter, report, html, msgid):
    fname = "%s!example.org!%d!%d!001.json.gz" % (submitter, BEGIN, END)
    m = EmailMessage(policy=email.policy.SMTP)
    m["From"] = "noreply-smtp-tls-reporting@%s" % submitter
    m["To"] = "tlsrpt@example.org"
    m["Subject"] = "Report Domain: example.org Submitter: %s Report-ID: <%s>" % (
        submitter, report["report-id"])
    m["Date"] = "Sat, 28 Nov 2026 06:12:00 +0000"
    m["Message-ID"] = "<%s>" % msgid
    m["TLS-Report-Domain"] = "example.org"
    m["TLS-Report-Submitter"] = submitter
    m["Authentication-Results"] = (
        "mx1.example.org; dkim=pass header.d=%s header.s=s1" % submitter)
    text = ("This is an aggregate TLS report from %s for example.org.\n" % submitter)
    if html:
        m.set_content("<html><body><p>%s</p></body></html>\n" % text, subtype="html")
    else:
        m.set_content(text)
    m.add_attachment(gz(report), maintype="application", subtype="tlsrpt+gzip",
                     filename=fname)
    m.set_type("multipart/report")
    m.set_param("report-type", "tlsrpt")
    m.set_boundary("=_tlsrpt_sample_" + msgid.split("@")[0])
    return m.as_bytes()


def main():
    out = {
        "google-example.org.eml": mail("Google", "google.com", google_report(),
                                       False, "tlsrpt-1@google.example"),
        "microsoft-example.org.eml": mail("Microsoft", "microsoft.com",
                                          microsoft_report(), True,
                                          "tlsrpt-2@microsoft.example"),
    }
    for name, data in out.items():
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(data)
    with open(os.path.join(HERE, "mail.example!example.org!%d!%d.json.gz"
                           % (BEGIN, 1795824000)), "wb") as f:
        f.write(gz(fetch_error_report()))


if __name__ == "__main__":
    main()
