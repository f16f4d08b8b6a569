#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""gen-summary-pg-stores.py -- the three MX hosts' stores of
tests/scripts/t-summary-pg.sh, cut from one store that gen-store wrote (the
store's real encoder: every policy type, result types, reporters, days).

usage: gen-summary-pg-stores.py BASESTORE OUTDIR

Each report of BASESTORE goes to one of OUTDIR/mx1, mx2, mx3 (its lines
say which "host" received it); one in five reaches a second host too:
the same second (a copy of the line), a day later, or two hours later on
a host named after the first. Then three conflicts: another version of an
mx2 report of two policies on mx3 (OUTDIR/conflict-domain: the domain of
its second); an in-store one on mx1 (marked "conflict", as the
store's writer marks it); a version of a report of a known reporter
DKIM-signed by its domain (it counts; the other is an impersonation). A
report from before digests (no "report-digest") on two hosts; another
report's copy without its digest on mx1. Each store's
day files hold its lines in order of receipt; mx2's two oldest are
gzipped, as --prune leaves them.
"""
import datetime
import gzip
import hashlib
import json
import os
import sys

base, out = sys.argv[1], sys.argv[2]
HOSTS = ("mx1", "mx2", "mx3")


def when(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc)


def stamp(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


# The base store's reports, as read: lists of lines (dicts).
reports = []
for name in sorted(os.listdir(base)):
    if not name.endswith(".jsonl"):
        continue
    with open(os.path.join(base, name)) as f:
        for line in f:
            r = json.loads(line)
            if r["policy-index"] == 0:
                reports.append([])
            reports[-1].append(r)

stores = {h: [] for h in HOSTS}


def put(host, lines, shift=0, **changes):
    for r in lines:
        r = json.loads(json.dumps(r))
        r["received"] = stamp(when(r["received"]) +
                              datetime.timedelta(seconds=shift))
        r["host"] = host + ".example.net"
        r.update(changes)
        stores[host].append(r)


def version(lines, bump, **changes):
    """Another version of a report: other counts, so another digest."""
    v = json.loads(json.dumps(lines))
    v[0]["summary"]["total-successful-session-count"] += bump
    digest = hashlib.sha256(json.dumps(v, sort_keys=True).encode()).hexdigest()
    for r in v:
        r["report-digest"] = digest
        r.update(changes)
    return v


# A report from before digests on two hosts at the same second.
for r in reports[15]:
    r.pop("report-digest", None)
for k, lines in enumerate(reports):
    first = k % 3
    put(HOSTS[first], lines)
    if k % 5:
        continue
    second = (first + 1 + (k // 5) % 2) % 3
    mode = (k // 5) % 3
    if mode == 1:
        put(HOSTS[second], lines, 86400 + 420)  # a day later
    elif mode == 2 and second > first:
        put(HOSTS[second], lines, 7200)  # later, on a host named after
    else:
        put(HOSTS[second], lines)  # the same second

# Another version of an mx2 report of two policies on mx3, three hours
# later; the domain of its second policy in OUTDIR/conflict-domain (a
# --domain that keeps its second line and not its first).
k = next(k for k in range(len(reports) // 2, len(reports))
         if k % 3 == 1 and k % 5 and len(reports[k]) > 1 and
         reports[k][1]["policy"]["policy-domain"] !=
         reports[k][0]["policy"]["policy-domain"])
put("mx3", version(reports[k], 1), 3 * 3600)
with open(os.path.join(out, "conflict-domain"), "w") as f:
    f.write(reports[k][1]["policy"]["policy-domain"] + "\n")
# An in-store conflict on mx1, marked as the store's writer marks it.
k = next(k for k in range(len(reports)) if k % 3 == 0 and k % 5)
put("mx1", version(reports[k], 2, conflict=True), 3600)
# A known reporter's report and a version of it DKIM-signed by its domain
# a day later on another host: that one counts.
k = next(k for k in range(len(reports))
         if reports[k][0]["organization-name"] == "Google Inc." and k % 5)
put(HOSTS[(k + 1) % 3],
    version(reports[k], 3, dkim="pass",
            submitter="noreply-smtp-tls-reporting@google.com"), 86400 + 60)
# The same, without its digest, on mx1 too: an old copy of it.
k = next(k for k in range(len(reports)) if k % 3 == 2 and k % 5)
for r in reports[k]:
    r.pop("report-digest", None)
put("mx1", reports[k])

for h, lines in stores.items():
    d = os.path.join(out, h)
    os.makedirs(d)
    lines.sort(key=lambda r: r["received"])  # stable: a report's lines
    days = {}
    for r in lines:
        days.setdefault(r["received"][:10], []).append(
            json.dumps(r, separators=(",", ":")) + "\n")
    for i, (day, text) in enumerate(sorted(days.items())):
        path = os.path.join(d, "tlsrpt-%s.jsonl" % day)
        if h == "mx2" and i < 2:
            with gzip.open(path + ".gz", "wt") as f:
                f.writelines(text)
        else:
            with open(path, "w") as f:
                f.writelines(text)
