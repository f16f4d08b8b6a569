#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""gen-mails.py -- report mails for `make bench` (issue 9).

    gen-mails.py OUTDIR KIND COUNT [CORPUS]

writes COUNT mails OUTDIR/m<i>.eml, each with a distinct report-id, shaped
as senders send them (multipart/report; report-type=tlsrpt, the report as a
base64 application/tlsrpt+gzip attachment), and the same attachment as
OUTDIR/m<i>.json.gz (for the floor, tlsrpt-ingest --dry-run and jq).

KIND typical: the real reports of CORPUS (its *.json that parse as reports)
              when given and present, else samples/ and a generated one;
              1 KB to a few KB of JSON each
     big:     generated reports of 1 KB to 1 MB of JSON, sizes spread
              evenly on a log scale
"""
import base64
import glob
import gzip
import json
import math
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))


def corpus_reports(corpus):
    out = []
    for p in sorted(glob.glob(os.path.join(corpus, "**", "*.json"),
                              recursive=True)):
        try:
            r = json.load(open(p, encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            continue
        if isinstance(r, dict) and isinstance(r.get("policies"), list) \
                and r["policies"] and "report-id" in r:
            out.append(r)
    return out


def sample_reports():
    out = []
    for p in glob.glob(os.path.join(TOP, "samples", "*.json.gz")):
        out.append(json.loads(gzip.open(p).read()))
    return out


def detail(rnd, i):
    return {"result-type": rnd.choice(["certificate-expired",
                                       "starttls-not-supported",
                                       "validation-failure"]),
            "sending-mta-ip": "198.51.%d.%d" % (i // 250 % 250, i % 250 + 1),
            "receiving-mx-hostname": "mx%d.example.org" % (i % 3 + 1),
            "receiving-ip": "192.0.2.%d" % (i % 250 + 1),
            "failed-session-count": rnd.randint(1, 40)}


def generated(rnd, size):
    """A report of about size bytes of JSON."""
    pols, n = [], max(0, (size - 700) // 200)
    while True:
        k = min(n, 1000)
        pols.append({
            "policy": {"policy-type": "sts",
                       "policy-string": ["version: STSv1", "mode: testing",
                                         "mx: *.example.org",
                                         "max_age: 604800"],
                       "policy-domain": "example.org",
                       "mx-host": ["*.example.org"]},
            "summary": {"total-successful-session-count":
                        rnd.randint(0, 100000),
                        "total-failure-session-count": 0},
            "failure-details": [detail(rnd, len(pols) * 1000 + i)
                                for i in range(k)]})
        pols[-1]["summary"]["total-failure-session-count"] = sum(
            d["failed-session-count"] for d in pols[-1]["failure-details"])
        n -= k
        if n <= 0:
            break
    return {"organization-name": "Bench Reporter",
            "date-range": {"start-datetime": "2026-11-26T00:00:00Z",
                           "end-datetime": "2026-11-26T23:59:59Z"},
            "contact-info": "tlsrpt@reporter.example",
            "report-id": "x", "policies": pols}


def mail(raw_gz, rid):
    b64 = base64.encodebytes(raw_gz).decode()
    name = "reporter.example!example.org!1795737600!1795823999!%s" % rid
    return ("From: noreply-smtp-tls-reporting@reporter.example\n"
            "To: tlsrpt@example.org\n"
            "Subject: Report Domain: example.org Submitter: "
            "reporter.example Report-ID: <%s>\n"
            "Date: Fri, 27 Nov 2026 06:12:00 +0000\n"
            "Message-ID: <%s@reporter.example>\n"
            "TLS-Report-Domain: example.org\n"
            "TLS-Report-Submitter: reporter.example\n"
            "MIME-Version: 1.0\n"
            "Content-Type: multipart/report; report-type=\"tlsrpt\";\n"
            " boundary=\"b1\"\n\n"
            "--b1\nContent-Type: text/plain; charset=us-ascii\n\n"
            "This is an aggregate TLS report from reporter.example.\n\n"
            "--b1\nContent-Type: application/tlsrpt+gzip\n"
            "Content-Transfer-Encoding: base64\n"
            "Content-Disposition: attachment;\n filename=\"%s.json.gz\"\n\n"
            "%s\n--b1--\n" % (rid, rid, name, b64))


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    out, kind, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    corpus = sys.argv[4] if len(sys.argv) == 5 else ""
    rnd = random.Random(9)
    os.makedirs(out, exist_ok=True)
    bases = []
    if kind == "typical":
        bases = corpus_reports(corpus) if corpus and os.path.isdir(corpus) \
            else []
        bases += sample_reports() + [generated(rnd, 1500)]
    for i in range(count):
        if kind == "typical":
            r = dict(bases[i % len(bases)])
        else:
            size = int(math.exp(rnd.uniform(math.log(1024),
                                            math.log(1024 * 1024))))
            r = generated(rnd, size)
        rid = "bench-%s-%d" % (kind, i)
        r["report-id"] = rid
        raw = gzip.compress(json.dumps(r).encode(), mtime=0)
        with open(os.path.join(out, "m%d.json.gz" % i), "wb") as f:
            f.write(raw)
        with open(os.path.join(out, "m%d.eml" % i), "w") as f:
            f.write(mail(raw, rid))


if __name__ == "__main__":
    main()
