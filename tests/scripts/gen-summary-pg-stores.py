#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""gen-summary-pg-stores.py -- the three MX hosts' stores of
tests/scripts/t-summary-pg.sh, cut from one store that gen-store wrote (the
store's real encoder: every policy type, result types, reporters, days).

usage: gen-summary-pg-stores.py BASESTORE OUTDIR [OLDSTORE]

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

OLDSTORE (another gen-store store, of the weeks before) is history: older
than the window and the readiness period, what tlsrpt-summary folds in
SQL (tlsrpt-summary(1), THE DATABASE). Its reports go to the hosts the
same way, and then what strains that: reports in the same second as a
report from before digests and as a conflicting version; a reporter's receipt times in two groups (DKIM
pass and fail); reporters with
more receipt times than are kept (history alone, and history with the
window); latest policies decided by ties in one second, by a first sts
line without a mode against later ones, and kept against a later line
without a mode; a conflict with a version in history and one in the
window; digested reports with a copy without the digest received later
(in history and in the window); a conflicting report of two domains in
history whose second line OUTDIR/history-domain names; impersonating and
unverified reports (gen-store's "Google Inc." sends from reporter.example;
some DKIM verdicts fail).
"""
import datetime
import gzip
import hashlib
import json
import os
import sys

base, out = sys.argv[1], sys.argv[2]
old_base = sys.argv[3] if len(sys.argv) > 3 else None
HOSTS = ("mx1", "mx2", "mx3")


def when(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc)


def stamp(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def read_store(d):
    """A store's reports, as read: lists of lines (dicts)."""
    got = []
    for name in sorted(os.listdir(d)):
        if not name.endswith(".jsonl"):
            continue
        with open(os.path.join(d, name)) as f:
            for line in f:
                r = json.loads(line)
                if r["policy-index"] == 0:
                    got.append([])
                got[-1].append(r)
    return got


reports = read_store(base)

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


def digest_of(lines):
    return hashlib.sha256(json.dumps(lines, sort_keys=True).encode()).hexdigest()


def report(org, rid, received, policies, dkim="pass", start=None):
    """A new report of (domain, mode or None, ok, failed) sts policies
    (mode "-": an sts policy that names none), received at a stamp."""
    t = when(received)
    day = (t - datetime.timedelta(days=1)).strftime("%Y-%m-%d")
    lines = []
    for i, (dom, mode, ok, ko) in enumerate(policies):
        strings = ["version: STSv1", "mx: mx.%s" % dom, "max_age: 86400"]
        if mode != "-":
            strings.insert(1, "mode: %s" % mode)
        r = {"v": 1, "received": received, "source": "milter",
             "dkim": dkim, "organization-name": org,
             "contact-info": "tlsrpt@%s" % org.lower().replace(" ", "-"),
             "report-id": rid,
             "date-range": {"start-datetime": start or day + "T00:00:00Z",
                            "end-datetime": day + "T23:59:59Z"},
             "policy-index": i, "policy-count": len(policies),
             "policy": {"policy-type": "sts", "policy-string": strings,
                        "policy-domain": dom, "mx-host": ["mx." + dom]},
             "summary": {"total-successful-session-count": ok,
                         "total-failure-session-count": ko},
             "failure-details": [] if ko == 0 else [
                 {"result-type": "certificate-expired",
                  "receiving-mx-hostname": "mx." + dom,
                  "failed-session-count": ko}]}
        if mode != "-":
            r["sts-mode"] = mode
        lines.append(r)
    d = digest_of(lines)
    for r in lines:
        r["report-digest"] = d
    return lines


if old_base is not None:
    old = read_store(old_base)
    for k, lines in enumerate(old):
        first = k % 3
        put(HOSTS[first], lines)
        if k % 7 == 0:  # a copy on another host, the same second
            put(HOSTS[(first + 1) % 3], lines)
    def pick(day, more=lambda lines: True):
        """The first report received on day or after, with no copy."""
        return next(k for k in range(len(old))
                    if old[k][0]["received"] >= day and k % 7 and
                    more(old[k]))

    # The same second as a report from before digests (on mx2) and as a
    # conflicting version (on mx3, of an mx1 report).
    k = pick("2026-11-03")
    a, b, c = old[k], old[k + 1], old[k + 2]
    t = a[0]["received"]
    legacy = json.loads(json.dumps(b))
    for r in legacy:
        r.pop("report-digest", None)
    put("mx2", legacy, int((when(t) - when(b[0]["received"])).total_seconds()))
    put("mx3", version(c, 5), int((when(t) - when(c[0]["received"])).total_seconds()))
    # A conflict with a version in history and one in the window.
    k = pick("2026-11-04")
    put(HOSTS[(k + 1) % 3], version(old[k], 7, dkim="fail"),
        int((when("2026-11-27T10:00:00Z") -
             when(old[k][0]["received"])).total_seconds()))
    # Digested reports and a copy without the digest received later: in
    # history, and in the window.
    for day, shift in (("2026-11-05", 86400), ("2026-11-06", 20 * 86400)):
        k = pick(day)
        copy = json.loads(json.dumps(old[k]))
        for r in copy:
            r.pop("report-digest", None)
        put(HOSTS[k % 3], copy, shift)
    # A report of two domains in history and another version of it two
    # days later: with --domain of its second, a line without its first.
    k = pick("2026-11-07", lambda lines: len(lines) > 1 and
             lines[1]["policy"]["policy-domain"] !=
             lines[0]["policy"]["policy-domain"])
    put(HOSTS[(k + 2) % 3], version(old[k], 9), 2 * 86400)
    with open(os.path.join(out, "history-domain"), "w") as f:
        f.write(old[k][1]["policy"]["policy-domain"] + "\n")
    # Reporters with many receipt times: more than kept in history
    # alone; fewer in history and in the window, more together; fewer
    # together; two reports of one second among them.
    for dom, n_old, n_new in (("busy.example", 75, 4),
                              ("mixed.example", 40, 30),
                              ("calm.example", 30, 6)):
        for i in range(n_old):
            at = when("2026-10-31T03:00:00Z") + datetime.timedelta(
                seconds=i * 18000 + 17 * (i % 5))
            put(HOSTS[i % 3], report("Busy Reporter", "%s-h%d" % (dom, i),
                                     stamp(at), [(dom, "enforce", 90, i % 2)]))
        put("mx1", report("Busy Reporter", dom + "-dup", stamp(at),
                          [(dom, "enforce", 1, 0)]))
        for i in range(n_new):
            at = when("2026-11-21T00:30:00Z") + datetime.timedelta(
                seconds=i * 14400)
            put(HOSTS[i % 3], report("Busy Reporter", "%s-w%d" % (dom, i),
                                     stamp(at), [(dom, "enforce", 80, 0)]))
    # Reports of one reporter in one second, DKIM pass and fail (two
    # groups of the history), twice: two receipt times, too few for a
    # usual interval (counted twice they would make it silent).
    for rid, at, dkim in (("q1", "2026-11-02T10:00:00Z", "pass"),
                          ("q2", "2026-11-02T10:00:00Z", "fail"),
                          ("q3", "2026-11-06T10:00:00Z", "pass"),
                          ("q4", "2026-11-06T10:00:00Z", "fail")):
        put("mx2", report("Quiet Reporter", rid, at,
                          [("quiet.example", "testing", 20, 0)], dkim=dkim))
    # Latest policies. tie.example: two reporters in one second with one
    # start, testing then enforce in read order (Org A before Org B, in
    # one day file: the order of the day files and of the database);
    # later, in the window, a line naming no mode (the domain keeps
    # enforce; its reporter saw "unknown").
    s1 = "2026-11-05T06:00:00Z"
    put("mx1", report("Org A", "tie-a", s1, [("tie.example", "testing", 50, 3)]))
    put("mx1", report("Org B", "tie-b", s1, [("tie.example", "enforce", 50, 0)]))
    put("mx3", report("Org C", "tie-c", "2026-11-26T06:00:00Z",
                      [("tie.example", "-", 40, 0)]))
    # first.example: the first sts line names no mode, one of the same
    # second with an earlier start names testing: the first stays.
    # later.example: the same, and a line naming testing a day later.
    for dom, extra in (("first.example", False), ("later.example", True)):
        put("mx1", report("Org A", dom + "-1", "2026-11-06T07:00:00Z",
                          [(dom, "-", 10, 0)], start="2026-11-05T12:00:00Z"))
        put("mx2", report("Org B", dom + "-2", "2026-11-06T07:00:00Z",
                          [(dom, "testing", 10, 0)]))
        if extra:
            put("mx3", report("Org C", dom + "-3", "2026-11-07T07:00:00Z",
                              [(dom, "testing", 10, 1)]))
    # An impersonation in history of a domain of its own, and a report
    # of its own name, DKIM-signed, unverified (--verified-only) later.
    imp = report("Google Inc.", "imp-1", "2026-11-08T08:00:00Z",
                 [("imp.example", "enforce", 5, 5)])
    for r in imp:
        r["submitter"] = "evil.example"
    put("mx2", imp)
    put("mx3", report("Mail.Ru", "unv-1", "2026-11-09T08:00:00Z",
                      [("imp.example", "testing", 7, 0)], dkim="fail"))

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
