#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# oneday-bench.sh BUILD DIR SCALE RUNS -- rows 4c and 4d of `make bench`
# (run-bench.sh; runs alone too: sh tests/bench/oneday-bench.sh build
# /tmp/x 1 3). Prints the rows; never fails on a number.
#
# 4c: issue 21's shape where rollups cannot help, one day of a hosting
# provider: 50,000 domains x 4 reporters, 200,000 lines (times SCALE),
# nearly every 4 lines a domain group of their own. tlsrpt-summary
# --format json (from the lines, --no-rollups) against the least a script
# does with the same day files: jq prints each line's policy domain and
# session counts, awk sums them per domain. CPU seconds (user + system of
# every process of the pipeline) are the figure; wall seconds depend on
# the machine's load and on jq and awk sharing the 2 cores.
#
# 4d: the memory of the per-domain state (issue 21 item 3) on the 30-day
# provider store (gen-store -D 100000 -R 20, 200,000 lines times SCALE):
# peak RSS of the whole summary less that of the same run limited to one
# --domain (reading, de-duplication, the program), per domain group.
set -eu
B=$1
T=$2
S=$3
RUNS=$4
NOW=1795737600
PNOW=2026-11-27T00:00:00Z
. "$(dirname "$0")/bench.inc"
# measure FILE-PREFIX COMMAND... -- appends seconds, CPU seconds and peak
# RSS of one run to PREFIX.t, PREFIX.c, PREFIX.m; exit 1 (the summary
# listed failures) is no error
measure() {
	p=$1
	shift
	rc=0
	"$B/tests/bench/peak-rss" "$@" >/dev/null 2>"$p.err" || rc=$?
	[ "$rc" -le 1 ] || { echo "bench: $* exited $rc: $(cat "$p.err")" >&2; exit 1; }
	l=$(tail -1 "$p.err")
	field seconds "$l" >>"$p.t"
	field cpu_seconds "$l" >>"$p.c"
	field peak_rss_kb "$l" >>"$p.m"
}

# (4c) one provider day
N=$(n 200000)
D=$((N / 4))
[ "$D" -ge 1 ] || D=1
"$B/tests/bench/gen-store" -D "$D" -R 4 "$T/oneday" "$N" 1 1 "$NOW" >/dev/null
SUM="$B/tlsrpt-summary -d $T/oneday --now $PNOW --since 1d --no-rollups --format json"
JQ="jq -r '[.policy.\"policy-domain\" // \"(none)\", .summary.\"total-successful-session-count\", (.summary.\"total-failure-session-count\" // 0)] | @tsv' $T/oneday/tlsrpt-*.jsonl | awk -F '\t' '{ s[\$1] += \$2; f[\$1] += \$3 } END { for (d in s) print d, s[d], f[d] }'"
groups=$(sh -c "$JQ" | wc -l)
for f in od od.jq; do : >"$T/$f.t"; : >"$T/$f.c"; : >"$T/$f.m"; done
for _ in $(seq "$RUNS"); do
	# shellcheck disable=SC2086
	measure "$T/od" $SUM
	measure "$T/od.jq" sh -c "$JQ"
done
oc=$(median <"$T/od.c"); jc=$(median <"$T/od.jq.c")
row "4c one day, $N lines, $groups domains, json" "" "" "" ""
row "4c   CPU s, ours vs jq+awk (x faster)" "$oc" "$jc (jq+awk)" "$(ratio "$jc" "$oc")" ">= 10x"
row "4c   wall s" "$(median <"$T/od.t")" "$(median <"$T/od.jq.t")" "$(ratio "$(median <"$T/od.jq.t")" "$(median <"$T/od.t")")" ""
row "4c   peak RSS KB" "$(median <"$T/od.m")" "$(median <"$T/od.jq.m")" "" "<= 131072"
rm -rf "$T/oneday"

# (4d) bytes per domain group, 30-day provider store; the first run
# writes the rollups, every measured run reads them
PN=$(n 200000)
"$B/tests/bench/gen-store" -D 100000 -R 20 "$T/p30" "$PN" 30 1 "$NOW" >/dev/null
ARGS="-d $T/p30 --now $PNOW --since 30d"
rc=0
# shellcheck disable=SC2086
"$B/tlsrpt-summary" $ARGS --format json >"$T/p30.json" || rc=$?
[ "$rc" -le 1 ] || { echo "bench: tlsrpt-summary exited $rc on the 30-day provider store" >&2; exit 1; }
groups=$(jq '.domains | length' "$T/p30.json")
for f in one json text; do : >"$T/p30.$f.t"; : >"$T/p30.$f.c"; : >"$T/p30.$f.m"; done
for _ in $(seq "$RUNS"); do
	# shellcheck disable=SC2086
	measure "$T/p30.one" "$B/tlsrpt-summary" $ARGS --format json --domain d1.example
	for f in json text; do
		# shellcheck disable=SC2086
		measure "$T/p30.$f" "$B/tlsrpt-summary" $ARGS --format $f
	done
done
fixed=$(median <"$T/p30.one.m")
for f in json text; do
	kb=$(median <"$T/p30.$f.m")
	row "4d 30-day provider $PN lines, $f" "$kb KB" "$fixed KB (1 dom)" "" ""
	row "4d   bytes per domain group ($groups)" "$(((kb - fixed) * 1024 / groups))" "" "" "(see BENCHMARKS.md)"
done
rm -rf "$T/p30" "$T/p30.json"
