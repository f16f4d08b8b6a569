#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""gen-ship-reports.py -- the reports of tests/scripts/t-ship.sh: three MX
hosts' shares of one set of reports, overlapping as senders retrying on
another MX make them, and one conflict (the same organisation and report id
with other counts on the third host).

usage: gen-ship-reports.py OUTDIR N

Writes OUTDIR/mx1, mx2, mx3 (bare .json reports, what tlsrpt-ingest reads)
and OUTDIR/expected.json: the distinct report versions, their policy lines,
and the sessions of the reports that count (the conflict's versions count
for none: neither is DKIM-signed, tlsrpt-summary(1)).
"""
import json
import os
import random
import sys

out, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(20)
results = ["certificate-expired", "starttls-not-supported",
           "certificate-host-mismatch", "sts-policy-fetch-error"]


def report(i, bump=0):
    policies = []
    for p in range(1 + i % 3):
        ok = 100 + (i * 7 + p * 13) % 900 + bump
        bad = (i + p) % 5
        pol = {"policy": {"policy-type": "sts",
                          "policy-string": ["version: STSv1", "mode: testing",
                                            "mx: mx%d.d%d.example" % (p, i % 40),
                                            "max_age: 86400"],
                          "policy-domain": "d%d.example" % ((i + p) % 40),
                          "mx-host": ["mx%d.d%d.example" % (p, i % 40)]},
               "summary": {"total-successful-session-count": ok,
                           "total-failure-session-count": bad}}
        if bad:
            pol["failure-details"] = [{"result-type": results[i % 4],
                                       "sending-mta-ip": "198.51.100.%d" % (i % 250 + 1),
                                       "receiving-mx-hostname": "mx%d.d%d.example" % (p, i % 40),
                                       "failed-session-count": bad}]
        policies.append(pol)
    return {"organization-name": "Reporter %d" % (i % 7),
            "date-range": {"start-datetime": "2026-12-0%dT00:00:00Z" % (1 + i % 4),
                           "end-datetime": "2026-12-0%dT23:59:59Z" % (1 + i % 4)},
            "contact-info": "tlsrpt@reporter%d.example" % (i % 7),
            "report-id": "r%05d" % i,
            "policies": policies}


hosts = {h: [] for h in ("mx1", "mx2", "mx3")}
for i in range(n):
    # every report reaches one host; a third also a second one
    first = ("mx1", "mx2", "mx3")[i % 3]
    hosts[first].append(i)
    if i % 3 == 0:
        hosts[rng.choice([h for h in hosts if h != first])].append(i)
conflict = 1  # its original is mx2's; mx3 gets another version
for h, ids in hosts.items():
    os.makedirs(os.path.join(out, h))
    for i in ids:
        with open(os.path.join(out, h, "r%05d.json" % i), "w") as f:
            json.dump(report(i), f)
with open(os.path.join(out, "mx3", "r%05d-conflict.json" % conflict), "w") as f:
    json.dump(report(conflict, bump=1), f)

counted = [report(i) for i in range(n) if i != conflict]
sessions = sum(p["summary"]["total-successful-session-count"] +
               p["summary"]["total-failure-session-count"]
               for r in counted for p in r["policies"])
failures = sum(p["summary"]["total-failure-session-count"]
               for r in counted for p in r["policies"])
lines = sum(len(report(i)["policies"]) for i in range(n)) + \
    len(report(conflict)["policies"])
with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump({"versions": n + 1, "lines": lines, "sessions": sessions,
               "failures": failures, "counted_reports": n - 1,
               "conflict": "r%05d" % conflict,
               "copies": sum(len(v) for v in hosts.values()) + 1}, f)
