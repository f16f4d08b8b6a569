#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""gen-forged-counts.py DIR -- the forged-counts scenario of issue 15 as
report files: one genuine report (example.org, sts testing, 977 successful
and 23 failed sessions, certificate-expired) and three forged ones for the
same domain whose failure counts near 2^53 add up to 2^64 - 23: summed in
signed 64 bits they wrap, and the genuine 23 failures vanish.

The reports cover yesterday (UTC), so tlsrpt-summary's default window
holds them. Written as DIR/genuine.json and DIR/forged-N.json; the forged
counts, one per line, to DIR/forged-counts (for hand-made store lines).
"""
import datetime
import json
import os
import sys

F = 2**53 - 1  # the largest count I-JSON keeps exact


def report(org, rid, policies):
    day = datetime.datetime.now(datetime.timezone.utc).date() - datetime.timedelta(days=1)
    return {
        "organization-name": org,
        "date-range": {
            "start-datetime": f"{day}T00:00:00Z",
            "end-datetime": f"{day}T23:59:59Z",
        },
        "contact-info": "tlsrpt@" + org.lower().replace(" ", "") + ".example",
        "report-id": rid,
        "policies": policies,
    }


def policy(ok, failed):
    p = {
        "policy": {
            "policy-type": "sts",
            "policy-string": ["version: STSv1", "mode: testing",
                              "mx: mx1.example.org", "max_age: 86400"],
            "policy-domain": "example.org",
            "mx-host": ["mx1.example.org"],
        },
        "summary": {"total-successful-session-count": ok,
                    "total-failure-session-count": failed},
    }
    if failed:
        p["failure-details"] = [{
            "result-type": "certificate-expired",
            "sending-mta-ip": "192.0.2.10",
            "receiving-mx-hostname": "mx1.example.org",
            "failed-session-count": failed,
        }]
    return p


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "genuine.json"), "w") as f:
        json.dump(report("Genuine Reporter", "genuine-1", [policy(977, 23)]), f)
    # 2048 counts of 2^53 - 1 are 2^64 - 2048; one of 2025 more makes
    # 2^64 - 23. At most 1000 policies a report (MaxPolicies): three.
    counts = [F] * 2048 + [2025]
    assert sum(counts) % 2**64 == 2**64 - 23
    for n in range(3):
        chunk = counts[n * 1000:(n + 1) * 1000]
        with open(os.path.join(out, f"forged-{n}.json"), "w") as f:
            json.dump(report("Forger", f"forged-{n}",
                             [policy(0, c) for c in chunk]), f)
    with open(os.path.join(out, "forged-counts"), "w") as f:
        f.write("".join(f"{c}\n" for c in counts))


main()
