#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""gen-probe-findings.py -- one tlsrpt-probe run's lines appended to a
store's findings file, as tlsrpt-probe -c writes them (probe/probe_store.c,
tlsrpt-store(5) "Probe findings"): probe-DAY.jsonl of the run's UTC day,
compact JSON in the probe's key order, a probe-run line per domain, then
the probe-finding lines, in one write(2) under an exclusive flock(2).

usage: gen-probe-findings.py STORE TIME SPEC...

TIME: the run's, RFC 3339 UTC (2026-11-25T10:00:00Z). SPEC, one a domain:
  DOMAIN                      probed, nothing found
  DOMAIN!ERROR                not probed: why
  DOMAIN=TYPE@MX/ADDR,...     probed, these findings
  @JUNK                       a damaged line and one of a kind no reader
                              knows (written after the run's lines)
"""
import fcntl
import hashlib
import json
import os
import sys

store, when = sys.argv[1], sys.argv[2]
runs, finds, junk = [], [], []
for spec in sys.argv[3:]:
    if spec == "@JUNK":
        junk = ["not a line", json.dumps(
            {"v": 1, "kind": "probe-later", "time": when}, separators=(",", ":"))]
        continue
    error = None
    found = []
    if "!" in spec:
        domain, error = spec.split("!", 1)
    elif "=" in spec:
        domain, rest = spec.split("=", 1)
        for f in rest.split(","):
            rtype, where = f.split("@", 1)
            mx, addr = where.split("/", 1)
            found.append((rtype, mx, addr))
    else:
        domain = spec
    sts = hashlib.sha256(domain.encode()).hexdigest()
    runs.append({"time": when, "domain": domain, "error": error,
                 "findings": len(found),
                 "sts-id": None if error else "20261101T000000",
                 "sts-policy-sha256": None if error else sts,
                 "sts-id-policy-sha256": None if error else sts})
    for rtype, mx, addr in found:
        finds.append({"domain": domain, "result-type": rtype, "mx-host": mx,
                      "address": addr,
                      "detail": "%s seen on %s (\"%s\")\ttab, é" % (rtype, mx, addr),
                      "action": "fix %s on %s" % (rtype, mx), "time": when})


def line(kind, obj):
    d = {"v": 1, "kind": kind}
    d.update(obj)
    return json.dumps(d, separators=(",", ":"), ensure_ascii=False)


lines = [line("probe-run", r) for r in runs] + \
    [line("probe-finding", f) for f in finds] + junk
data = "".join(l + "\n" for l in lines).encode()
fd = os.open(os.path.join(store, "probe-%s.jsonl" % when[:10]),
             os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o640)
fcntl.flock(fd, fcntl.LOCK_EX)
assert os.write(fd, data) == len(data)
os.close(fd)
