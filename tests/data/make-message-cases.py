#!/usr/bin/env python3
"""make-message-cases.py -- write the message-level parser cases 60-99.

Each case is a directory under cases/ (format: README.md) holding input.eml
or input.json.gz, a README line, expected-error for the refused ones and a
limits file where a case needs one. The messages are modelled on what real
senders send (../shared/corpus/real/SOURCES.md): Google, Microsoft (text/html
part, no name= parameter, dates without a zone), mail.ru (no closing
boundary), forwarded reports, odd content types.

expected.jsonl of the valid cases is NOT written here: it is the parser's
normalised output (tlsrpt_report_to_json, JSON_COMPACT), dumped once and
checked by hand against the report dictionaries below. After changing an
input, regenerate that case's expected.jsonl and check it again.

Output is deterministic (gzip mtime 0, fixed boundaries): running the script
again rewrites identical files.
"""
import base64
import gzip
import io
import json
import os
import quopri
import sys
import zipfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "cases")


def gz(data):
    return gzip.compress(data, compresslevel=9, mtime=0)


def b64(data):
    return base64.encodebytes(data).decode("ascii")


def dumps(obj):
    return json.dumps(obj, separators=(",", ":")).encode()


GOOGLE = {
    "organization-name": "Google Inc.",
    "date-range": {"start-datetime": "2024-09-03T00:00:00Z",
                   "end-datetime": "2024-09-03T23:59:59Z"},
    "contact-info": "smtp-tls-reporting@google.com",
    "report-id": "2024-09-03T00:00:00Z_example.net",
    "policies": [{
        "policy": {"policy-type": "sts",
                   "policy-string": ["version: STSv1", "mode: testing",
                                     "mx: mx1.example.net",
                                     "mx: mx2.example.net",
                                     "max_age: 86400"],
                   "policy-domain": "example.net",
                   "mx-host": ["mx1.example.net", "mx2.example.net"]},
        "summary": {"total-successful-session-count": 48,
                    "total-failure-session-count": 0}}],
}

GOOGLE_FAIL = {
    "organization-name": "Google Inc.",
    "date-range": {"start-datetime": "2024-09-04T00:00:00Z",
                   "end-datetime": "2024-09-04T23:59:59Z"},
    "contact-info": "smtp-tls-reporting@google.com",
    "report-id": "2024-09-04T00:00:00Z_example.net",
    "policies": [{
        "policy": {"policy-type": "sts",
                   "policy-string": ["version: STSv1", "mode: enforce",
                                     "mx: mx1.example.net", "max_age: 604800"],
                   "policy-domain": "example.net",
                   "mx-host": ["mx1.example.net"]},
        "summary": {"total-successful-session-count": 10,
                    "total-failure-session-count": 3},
        "failure-details": [{
            "result-type": "certificate-expired",
            "sending-mta-ip": "209.85.220.41",
            "receiving-mx-hostname": "mx1.example.net",
            "receiving-ip": "192.0.2.25",
            "failed-session-count": 3}]}],
}

MICROSOFT = {
    "organization-name": "Microsoft Corporation",
    "date-range": {"start-datetime": "2024-02-16T00:00:00",
                   "end-datetime": "2024-02-16T23:59:59"},
    "contact-info": "tlsrpt-noreply@microsoft.com",
    "report-id": "133525152000000000+example.net",
    "policies": [
        {"policy": {"policy-type": "sts",
                    "policy-string": ["version: STSv1", "mode: enforce",
                                      "mx: mx1.example.net",
                                      "max_age: 604800"],
                    "policy-domain": "example.net"},
         "summary": {"total-successful-session-count": 7,
                     "total-failure-session-count": 1},
         "failure-details": [{"result-type": "sts-policy-fetch-error",
                              "failed-session-count": 1}]},
        {"policy": {"policy-type": "tlsa",
                    "policy-string": [json.dumps([
                        "3 1 1 0123456789ABCDEF0123456789ABCDEF"
                        "0123456789ABCDEF0123456789ABCDEF",
                        "3 1 1 FEDCBA9876543210FEDCBA9876543210"
                        "FEDCBA9876543210FEDCBA9876543210"])],
                    "policy-domain": "mx1.example.net"},
         "summary": {"total-successful-session-count": 7,
                     "total-failure-session-count": 0}}],
}

MAILRU = {
    "contact-info": "tlsrpt-noreply@corp.mail.ru",
    "date-range": {"end-datetime": "2024-02-23T00:00:00Z",
                   "start-datetime": "2024-02-22T00:00:00Z"},
    "organization-name": "Mail.Ru",
    "policies": [{
        "failure-details": [
            {"failed-session-count": 1,
             "failure-reason-code": "bad https response code: 404",
             "result-type": "sts-policy-fetch-error"},
            {"failed-session-count": 1,
             "failure-reason-code": "bad https response code: 500",
             "result-type": "sts-policy-fetch-error"}],
        "policy": {"policy-domain": "example.net", "policy-type": "sts"},
        "summary": {"total-failure-session-count": 1,
                    "total-successful-session-count": 12}}],
    "report-id": "2024-02-22T00:00:00Z_example.net",
}

SELFHOSTED = {
    "organization-name": "mx.reporter.example",
    "date-range": {"start-datetime": "2024-10-31T00:00:00Z",
                   "end-datetime": "2024-11-01T00:00:00Z"},
    "contact-info": None,
    "report-id": "1730332800_11732957880687192466",
    "policies": [{
        "policy": {"policy-type": "no-policy-found",
                   "policy-domain": "example.net",
                   "policy-string": [], "mx-host": []},
        "summary": {"total-successful-session-count": 2,
                    "total-failure-session-count": 0},
        "failure-details": []}],
}

GOOGLE_NAME = "google.com!example.net!1725321600!1725407999!001.json.gz"
MS_NAME = ("microsoft.com!example.net!1708041600!1708127999!"
           "133525152000000000.json.gz")

GOOGLE_HEAD = """\
Return-Path: <3AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA@scoutcamp.bounces.google.com>
Delivered-To: tlsrpt@example.net
Authentication-Results: mx1.example.net;
\tdkim=pass (2048-bit key; unprotected) header.d=google.com
\theader.i=@google.com header.b="AbCdEfGh"; dkim-atps=neutral
Received: from mail-yb1-f201.google.com (mail-yb1-f201.google.com [209.85.219.201])
\tby mx1.example.net (Postfix) with ESMTPS id 4WyZ3x0QJzz9sRk
\tfor <tlsrpt@example.net>; Wed, 04 Sep 2024 09:14:27 +0000 (UTC)
DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=google.com; s=20230601;
\th=to:from:subject:message-id:tls-report-submitter:tls-report-domain:date
\t:mime-version:from:to:cc:subject:date:message-id:reply-to;
\tbh=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=;
\tb=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
MIME-Version: 1.0
Date: Wed, 04 Sep 2024 02:14:26 -0700
TLS-Report-Domain: example.net
TLS-Report-Submitter: google.com
Message-ID: <000000000000d1c9a706214881c4@google.com>
Subject: Report Domain: example.net Submitter: google.com
 Report-ID: <2024.09.03T00.00.00Z+example.net@google.com>
From: noreply-smtp-tls-reporting@google.com
To: tlsrpt@example.net
"""


def google_message(report, boundary="000000000000cd0e1a06214881c1",
                   name=GOOGLE_NAME, ctype="application/tlsrpt+gzip",
                   payload=None):
    if payload is None:
        payload = gz(dumps(report))
    return (GOOGLE_HEAD +
            'Content-Type: multipart/report; boundary="%s"; '
            'report-type=tlsrpt\n' % boundary +
            "\n"
            "--%s\n" % boundary +
            'Content-Type: text/plain; charset="UTF-8"; format=flowed; '
            "delsp=yes\n"
            "\n"
            "This is an aggregate TLS report from google.com\n"
            "\n"
            "--%s\n" % boundary +
            "Content-Type: %s; \n\tname=\"%s\"\n" % (ctype, name) +
            "Content-Disposition: attachment; \n\tfilename=\"%s\"\n" % name +
            "Content-Transfer-Encoding: base64\n"
            "\n" + b64(payload) +
            "--%s--\n" % boundary)


def microsoft_message(report):
    boundary = "_001_BY5PR11MB4161B2C1F0F1E9A6F6F8D3C2A2"
    html = ("<div style=3D\"font-family: Segoe UI\">This is an aggregate "
            "TLS report from Microsoft Corporation for example.net. "
            "<a href=3D\"https://docs.microsoft.com/\">More</a></div>")
    return (
        "Received: from NAM11-BN8-obe.outbound.protection.outlook.com "
        "(mail-bn8nam11on2041.outbound.protection.outlook.com "
        "[40.107.236.41])\n"
        "\tby mx1.example.net (Postfix) with ESMTPS id 4TbQ2c3xXfz4wc5\n"
        "\tfor <tlsrpt@example.net>; Sat, 17 Feb 2024 08:03:19 +0000 (UTC)\n"
        "Authentication-Results: mx1.example.net; dkim=pass (2048-bit key)"
        " header.d=microsoft.com header.i=@microsoft.com\n"
        "From: <tlsrpt-noreply@microsoft.com>\n"
        "To: <tlsrpt@example.net>\n"
        "Subject: [Preview] Report Domain: example.net Submitter: "
        "microsoft.com\n Report-ID: 133525152000000000+example.net\n"
        "Date: Sat, 17 Feb 2024 08:03:17 +0000\n"
        "Message-ID: <f1d5c3a2-7b6e-4a9c-8d21-3e0f5b7c9a11@example.net>\n"
        "TLS-Report-Domain: example.net\n"
        "TLS-Report-Submitter: microsoft.com\n"
        "Content-Type: multipart/report;\n"
        "\tboundary=\"%s\";\n\treport-type=tlsrpt\n" % boundary +
        "MIME-Version: 1.0\n"
        "X-MS-TrafficTypeDiagnostic: BY5PR11MB4161:EE_FirstParty-TlsRpt-V3-System\n"
        "\n"
        "--%s\n" % boundary +
        "Content-Type: text/html; charset=\"us-ascii\"\n"
        "Content-Transfer-Encoding: quoted-printable\n"
        "\n" + html + "\n"
        "\n"
        "--%s\n" % boundary +
        "Content-Type: application/tlsrpt+gzip\n"
        "Content-Transfer-Encoding: base64\n"
        "Content-Disposition: attachment;\n\tfilename=\"%s\"\n" % MS_NAME +
        "\n" + b64(gz(dumps(report))) +
        "\n"
        "--%s--\n" % boundary)


def mailru_message(report):
    boundary = "----==--bound.180237.rmmlp45.i.mail.ru"
    return (
        "Authentication-Results: mx1.example.net; dkim=pass "
        "header.d=mail.ru header.i=@mail.ru\n"
        "From: tlsrpt-noreply@mail.ru\n"
        "To: tlsrpt@example.net\n"
        "Subject: Report Domain: example.net Submitter: mail.ru Report-ID:\n"
        " <2024-02-22T00:00:00Z_example.net@mail.ru>\n"
        "MIME-Version: 1.0\n"
        "Date: Fri, 23 Feb 2024 03:12:45 +0300\n"
        "Message-ID: <170864716512.180237@rmmlp45.i.mail.ru>\n"
        "TLS-Report-Domain: example.net\n"
        "TLS-Report-Submitter: mail.ru\n"
        "Content-Type: multipart/report; report-type=\"tlsrpt\";\n"
        "\tboundary=\"%s\"\n" % boundary +
        "\n"
        "--%s\n" % boundary +
        "Content-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: 8bit\n"
        "\n"
        "This is an aggregate TLS report from mail.ru\n"
        "--%s\n" % boundary +
        "Content-Type: application/tlsrpt+gzip\n"
        "Content-Disposition: attachment;\n"
        "\tfilename=\"mail.ru!example.net!1708560000!1708646400!001.json.gz\"\n"
        "Content-Transfer-Encoding: base64\n"
        "\n" + b64(gz(json.dumps(report, indent=2, sort_keys=True).encode())))


def single_part_message(ctype, body, cte="base64", name=None,
                        report_type='report-type="tlsrpt"; '):
    disp = ""
    if name is not None:
        disp = "Content-Disposition: attachment; filename=\"%s\"\n" % name
    return (
        "From: TLS Reporting <tlsrpt@reporter.example>\n"
        "To: tlsrpt@example.net\n"
        "Subject: Report Domain: example.net Submitter: reporter.example\n"
        "Date: Fri, 01 Nov 2024 01:02:03 +0000\n"
        "Message-ID: <case@reporter.example>\n"
        "TLS-Report-Domain: example.net\n"
        "TLS-Report-Submitter: reporter.example\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/report; %sboundary=\"=_b1\"\n" % report_type +
        "\n"
        "This is a multipart message in MIME format.\n"
        "\n"
        "--=_b1\n"
        "Content-Type: text/plain; charset=\"us-ascii\"\n"
        "\n"
        "This is an aggregate TLS report from reporter.example\n"
        "\n"
        "--=_b1\n"
        "Content-Type: %s\n" % ctype + disp +
        ("Content-Transfer-Encoding: %s\n" % cte if cte else "") +
        "\n" + body + ("" if body.endswith("\n") else "\n") +
        "--=_b1--\n")


def crlf(s):
    return s.replace("\n", "\r\n")


def forwarded(inner):
    return (
        "From: Postmaster <postmaster@example.net>\n"
        "To: tlsrpt-archive@example.net\n"
        "Subject: Fwd: Report Domain: example.net Submitter: google.com\n"
        "Date: Thu, 05 Sep 2024 10:00:00 +0200\n"
        "Message-ID: <fwd-1@example.net>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/mixed; boundary=\"fwd-outer\"\n"
        "\n"
        "--fwd-outer\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "\n"
        "Forwarding yesterday's report.\n"
        "\n"
        "--fwd-outer\n"
        "Content-Type: message/rfc822\n"
        "Content-Disposition: attachment; filename=\"report.eml\"\n"
        "\n" + inner +
        "\n--fwd-outer--\n")


def fake_zip(entry, data):
    """A one-entry zip archive with a fixed date (deterministic)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo(entry, date_time=(2024, 9, 4, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, data)
    return buf.getvalue()


def write_case(name, readme, files):
    d = os.path.join(CASES, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "README"), "w") as f:
        f.write(readme + "\n")
    for fname, content in files.items():
        mode = "wb" if isinstance(content, bytes) else "w"
        with open(os.path.join(d, fname), mode,
                  **({} if mode == "wb" else {"newline": ""})) as f:
            f.write(content)


def nested(levels, inner):
    msg = inner
    for i in range(levels):
        msg = ("From: relay%d@example.net\n"
               "Subject: Fwd: report\n"
               "MIME-Version: 1.0\n"
               "Content-Type: message/rfc822\n"
               "\n" % i) + msg
    return msg


def main():
    g = google_message(GOOGLE)
    write_case("60-valid-google-gzip-lf",
               "Google's layout (text/plain flowed + application/tlsrpt+gzip "
               "with name= and filename=, folded with '; '), LF line ends "
               "(mox example.eml, kravietz google1.eml)",
               {"input.eml": g})
    write_case("61-valid-google-gzip-crlf",
               "the same Google message stored with CRLF line ends "
               "(kravietz google2.eml)",
               {"input.eml": crlf(google_message(GOOGLE_FAIL))})
    write_case("62-valid-microsoft-html-no-name",
               "Microsoft 2024: report-type=tlsrpt bare, text/html QP part, "
               "+gzip with no name= (filename only in Content-Disposition), "
               "dates without a zone, TLSA strings as one JSON array",
               {"input.eml": crlf(microsoft_message(MICROSOFT))})
    write_case("63-valid-mailru-no-closing-boundary",
               "mail.ru: no closing boundary, pretty JSON with sorted keys, "
               "next-midnight end, detail counts above the failure total",
               {"input.eml": mailru_message(MAILRU)})
    write_case("64-valid-forwarded-rfc822",
               "a Google report forwarded as a message/rfc822 attachment",
               {"input.eml": forwarded(g)})
    write_case("65-valid-octet-stream",
               "application/octet-stream with a .json.gz file name (seen "
               "from small senders)",
               {"input.eml": single_part_message(
                   "application/octet-stream; name=\"reporter.example!"
                   "example.net!1730332800!1730419200.json.gz\"",
                   b64(gz(dumps(SELFHOSTED))),
                   name="reporter.example!example.net!1730332800!"
                        "1730419200.json.gz")})
    write_case("66-valid-gzip-type-plain-json",
               "application/tlsrpt+gzip whose payload is plain JSON: the "
               "bytes decide, not the label",
               {"input.eml": single_part_message(
                   "application/tlsrpt+gzip",
                   b64(json.dumps(GOOGLE_FAIL, indent=1).encode()),
                   name="google.com!example.net!1725408000!1725494399!"
                        "001.json.gz")})
    write_case("67-valid-json-quoted-printable",
               "application/tlsrpt+json in quoted-printable, report-type "
               "bare and after boundary",
               {"input.eml": single_part_message(
                   "application/tlsrpt+json",
                   quopri.encodestring(
                       json.dumps(MAILRU, indent=4).encode()).decode(),
                   cte="quoted-printable", name="report.json",
                   report_type="report-type=tlsrpt; ")})
    write_case("68-valid-application-tlsrpt-raw",
               "Content-Type application/tlsrpt, no transfer encoding, raw "
               "pretty JSON (mail-auth rpt02.eml)",
               {"input.eml": single_part_message(
                   "application/tlsrpt",
                   json.dumps(SELFHOSTED, indent=2) + "\n", cte=None,
                   name="reporter.example!example.net!1730332800!"
                        "1730419200.json")})
    two = single_part_message(
        "application/tlsrpt+gzip", b64(gz(dumps(GOOGLE))),
        name="a.json.gz").replace(
        "--=_b1--\n",
        "--=_b1\nContent-Type: application/tlsrpt+gzip\n"
        "Content-Disposition: attachment; filename=\"b.json.gz\"\n"
        "Content-Transfer-Encoding: base64\n\n" +
        b64(gz(dumps(GOOGLE_FAIL))) + "--=_b1--\n")
    write_case("69-valid-two-report-parts",
               "two report parts in one message: two reports, in order",
               {"input.eml": two})
    write_case("70-valid-bare-json-gz",
               "a bare .json.gz as Microsoft gzips it, handed to "
               "tlsrpt-ingest or POSTed over HTTPS",
               {"input.json.gz": gz(dumps(MICROSOFT))})
    write_case("71-valid-zlib-payload",
               "+gzip part holding a zlib (RFC 1950) stream, not gzip",
               {"input.eml": single_part_message(
                   "application/tlsrpt+gzip",
                   b64(zlib.compress(dumps(GOOGLE), 9)),
                   name="google.com!example.net!1!2.json.gz")})
    two_members = gz(dumps(SELFHOSTED)[:40]) + gz(dumps(SELFHOSTED)[40:])
    write_case("72-valid-x-gzip-two-members",
               "application/x-gzip holding two concatenated gzip members",
               {"input.eml": single_part_message(
                   "application/x-gzip", b64(two_members),
                   name="report.gz")})
    write_case("73-valid-gzip-found-by-magic",
               "an unknown non-text type and no file name: found by the "
               "gzip magic bytes",
               {"input.eml": single_part_message(
                   "application/x-tlsrpt-report", b64(gz(dumps(GOOGLE))))})
    write_case("74-valid-mbox-from-line",
               "a message saved from an mbox, still starting with the "
               "'From ' separator line",
               {"input.eml": "From noreply-smtp-tls-reporting@google.com "
                             "Wed Sep  4 09:14:27 2024\n" + g})

    write_case("80-unsupported-zip",
               "application/tlsrpt+zip: refused with a clear message",
               {"input.eml": single_part_message(
                   "application/tlsrpt+zip",
                   b64(fake_zip("google.com!example.net!1!2.json",
                                dumps(GOOGLE))),
                   name="google.com!example.net!1!2.zip"),
                "expected-error": "unsupported\n"
                                  "zip-compressed reports are not "
                                  "supported\n"})
    write_case("81-not-report-text-only",
               "an ordinary text message (kravietz empty.eml)",
               {"input.eml": crlf(
                   "From: root@example.net (Cron Daemon)\n"
                   "To: root@example.net\n"
                   "Subject: Cron <root@host> run-parts /etc/cron.daily\n"
                   "Content-Type: text/plain; charset=UTF-8\n"
                   "\n"
                   "/etc/cron.daily/logrotate: done\n"),
                "expected-error": "not a report\n"
                                  "no TLS report in this message\n"})
    write_case("82-invalid-base64-garbage",
               "a +gzip part whose base64 decodes to garbage",
               {"input.eml": single_part_message(
                   "application/tlsrpt+gzip",
                   "!!!! not base64 at all ????\n%%%% garbage\n",
                   name="r.json.gz"),
                "expected-error": "invalid\n"
                                  "part 2 (application/tlsrpt+gzip, "
                                  "r.json.gz): payload is neither gzip "
                                  "nor JSON\n"})
    full = gz(dumps(GOOGLE))
    write_case("83-invalid-truncated-gzip",
               "a gzip attachment cut short (a broken relay)",
               {"input.eml": single_part_message(
                   "application/tlsrpt+gzip", b64(full[:len(full) // 2]),
                   name="r.json.gz"),
                "expected-error": "invalid\ntruncated\n"})
    write_case("84-limit-gzip-bomb",
               "10 MiB of zeros in 10 KiB of gzip: over MaxInflateRatio",
               {"input.eml": single_part_message(
                   "application/tlsrpt+gzip", b64(gz(bytes(10 << 20))),
                   name="bomb.json.gz"),
                "expected-error": "limit exceeded\nMaxInflateRatio\n"})
    write_case("85-limit-mime-depth",
               "a report forwarded inside forwards, deeper than MaxMIMEDepth",
               {"input.eml": nested(6, g),
                "limits": "max_mime_depth 4\n",
                "expected-error": "limit exceeded\nMaxMIMEDepth\n"})
    write_case("86-not-report-dmarc-gzip",
               "a DMARC aggregate report (gzipped XML) is not a TLS report",
               {"input.eml": single_part_message(
                   "application/gzip",
                   b64(gz(b'<?xml version="1.0" encoding="UTF-8" ?>\n'
                          b"<feedback><report_metadata/></feedback>\n")),
                   name="google.com!example.net!1725321600!1725407999"
                        ".xml.gz"),
                "expected-error": "not a report\n<?xml\n"})
    write_case("87-limit-reports-per-message",
               "two report parts where MaxReportsPerMessage is 1",
               {"input.eml": two, "limits": "max_reports 1\n",
                "expected-error": "limit exceeded\nMaxReportsPerMessage\n"})
    bad = json.dumps(GOOGLE).replace('"total-successful-session-count": 48',
                                     '"total-successful-session-count": -1')
    write_case("88-invalid-json-in-part",
               "a +json part with a negative count: the part, then the "
               "JSON path",
               {"input.eml": single_part_message(
                   "application/tlsrpt+json", bad + "\n", cte="7bit",
                   name="r.json"),
                "expected-error": "invalid\n"
                                  "part 2 (application/tlsrpt+json, "
                                  "r.json) policies[0]\n"})
    write_case("89-limit-message-size",
               "a message larger than MaxMessageSize",
               {"input.eml": g, "limits": "max_message_bytes 1024\n",
                "expected-error": "limit exceeded\nMaxMessageSize\n"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
