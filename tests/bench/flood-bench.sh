#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# flood-bench.sh BUILD DIR SCALE RUNS -- row 8 of `make bench`
# (run-bench.sh; runs alone too: sh tests/bench/flood-bench.sh build /tmp/x
# 1 3). Prints the rows; never fails on a number.
#
# Hash flooding: one day file of 2^K policy lines, each naming its own
# domain, the names made of K blocks "ar" or "c0" -- one and the same
# value of GLib's g_str_hash (djb2: 97 * 33 + 114 == 99 * 33 + 48), so a
# table hashed with it costs a walk of every name per look-up -- against
# the same lines with random names of the same length. tlsrpt-summary
# --format json over each, CPU seconds; the summary's tables are keyed
# (base/siphash.h), so the two should cost alike. K = 15 at scale 1.
#
# Row 8b: 2^(K+2) organisation names (one per report) reporting one
# domain, against the same names each reporting its own domain; row 8c:
# 2^(K+2) start dates (one per report) for one domain, against the same
# baseline. A domain's reporters and days were sorted lists whose insert
# moved every later one (quadratic in names or dates); past a few dozen
# a table finds them now (summary/slab.h). Row 8d: 2^K versions (other
# content digests, each signed: the store keeps those past its cap) of one
# organisation's report id, against the same versions two to an id (as
# many versions listed): each line looked for its version among all the
# key's versions.
set -eu
B=$1
T=$2
S=$3
RUNS=$4
. "$(dirname "$0")/bench.inc"
K=$(awk -v s="$S" 'BEGIN { k = 15 + int(log(s) / log(2)); print (k < 8 ? 8 : (k > 18 ? 18 : k)) }')
mkdir -p "$T/flood/coll" "$T/flood/rand" "$T/flood/orgs" "$T/flood/doms" \
	"$T/flood/days" "$T/flood/vers" "$T/flood/ids"
python3 - "$K" "$T/flood" <<'EOP'
import datetime, itertools, random, sys
k, top = int(sys.argv[1]), sys.argv[2]
line = ('{"v":1,"received":"2026-11-26T10:00:00Z","source":"milter",'
        '"organization-name":"Flood","report-id":"r-%d","date-range":'
        '{"start-datetime":"2026-11-25T00:00:00Z","end-datetime":'
        '"2026-11-25T23:59:59Z"},"policy-index":0,"policy-count":1,'
        '"policy":{"policy-type":"sts","policy-string":["version: STSv1",'
        '"mode: testing"],"policy-domain":"%s","mx-host":["mx.example"]},'
        '"summary":{"total-successful-session-count":1,'
        '"total-failure-session-count":0},"failure-details":[]}\n')
rnd = random.Random(1)
with open(top + "/coll/tlsrpt-2026-11-26.jsonl", "w") as c, \
     open(top + "/rand/tlsrpt-2026-11-26.jsonl", "w") as r:
    for i, blocks in enumerate(itertools.product(("ar", "c0"), repeat=k)):
        c.write(line % (i, "".join(blocks) + ".example"))
        name = "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz0123456789")
                       for _ in range(2 * k))
        r.write(line % (i, name + ".example"))
org = line.replace('"Flood"', '"Org %d"')
n = 1 << (k + 2)
day0 = datetime.date(1, 1, 1)
with open(top + "/orgs/tlsrpt-2026-11-26.jsonl", "w") as o, \
     open(top + "/doms/tlsrpt-2026-11-26.jsonl", "w") as d, \
     open(top + "/days/tlsrpt-2026-11-26.jsonl", "w") as y:
    for i in range(n):
        j = (i * 7919) % n
        o.write(org % (j, i, "victim.example"))
        d.write(org % (j, i, "d%d.example" % j))
        date = (day0 + datetime.timedelta(days=j)).isoformat()
        y.write((org % (0, i, "victim.example")).replace("2026-11-25", date))
signed = line.replace('"source":"milter",',
                      '"source":"milter","dkim":"pass","report-digest":"%064x",%s')
with open(top + "/vers/tlsrpt-2026-11-26.jsonl", "w") as v, \
     open(top + "/ids/tlsrpt-2026-11-26.jsonl", "w") as d:
    for i in range(1 << k):
        mark = '"conflict":true,' if i else ''
        v.write(signed % (i + 1, mark, 0, "victim.example"))
        pair = '"conflict":true,' if i % 2 else ''
        d.write(signed % (i + 1, pair, i // 2, "victim.example"))
EOP
for s in coll rand orgs doms days vers ids; do
	: >"$T/flood.$s.c"
	for _ in $(seq "$RUNS"); do
		# Exit 1: a conflict in the window (row 8d), as it should.
		rc=0
		"$B/tests/bench/peak-rss" "$B/tlsrpt-summary" -d "$T/flood/$s" \
			--now 2026-11-27T00:00:00Z --since 2d --no-rollups \
			--format json >/dev/null 2>"$T/flood.err" || rc=$?
		if [ "$rc" -gt 1 ]; then
			echo "bench: tlsrpt-summary on $s: $(cat "$T/flood.err")" >&2
			exit 1
		fi
		field cpu_seconds "$(tail -1 "$T/flood.err")" >>"$T/flood.$s.c"
	done
done
cc=$(median <"$T/flood.coll.c"); rc=$(median <"$T/flood.rand.c")
row "8 $((1 << K)) domains colliding in djb2, CPU s" "$cc" "$rc (random)" "$(ratio "$cc" "$rc")" "<= 2 (was ~60)"
oc=$(median <"$T/flood.orgs.c"); dc=$(median <"$T/flood.doms.c")
row "8b $((1 << (K + 2))) organisations reporting one domain, CPU s" "$oc" "$dc (one domain each)" "$(ratio "$oc" "$dc")" "<= 2"
yc=$(median <"$T/flood.days.c")
row "8c $((1 << (K + 2))) start dates for one domain, CPU s" "$yc" "$dc (one domain each)" "$(ratio "$yc" "$dc")" "<= 2"
vc=$(median <"$T/flood.vers.c"); ic=$(median <"$T/flood.ids.c")
row "8d $((1 << K)) versions of one report id, CPU s" "$vc" "$ic (two an id)" "$(ratio "$vc" "$ic")" "<= 2"
rm -rf "$T/flood"
