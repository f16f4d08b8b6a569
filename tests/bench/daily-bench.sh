#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# daily-bench.sh BUILD DIR SCALE RUNS -- row 4g of `make bench`
# (run-bench.sh; runs alone too: sh tests/bench/daily-bench.sh build
# /tmp/x 1 3). Prints the row; never fails on a number.
#
# 4g: the memory a summary keeps per report when reporters report daily,
# as the big senders do (gen-store's provider shape has a few reports a
# pair in 120 days; a real provider's pairs have ~90): 10^3 domains x 10
# reporters, 240,000 lines (times SCALE) received over 120 days, the
# 30-day text view, which reads all 120. What grows with the reports of
# the look-back -- the de-duplication runs of every report read and each
# reporter's report times -- is the peak RSS of that store less that of
# one with a quarter of its lines, per line of the difference.
set -eu
B=$1
T=$2
S=$3
RUNS=$4
NOW=1796000000
PNOW=2026-11-30T07:33:20Z
. "$(dirname "$0")/bench.inc"
N=$(n 240000)
Q=$((N / 4))
for lines in "$N" "$Q"; do
	"$B/tests/bench/gen-store" -D 1000 -R 10 "$T/d$lines" "$lines" 120 1 "$NOW" >/dev/null
	# the first run writes the rollups, the runs measured read them
	rc=0
	"$B/tlsrpt-summary" -d "$T/d$lines" --now "$PNOW" --since 30d >/dev/null || rc=$?
	[ "$rc" -le 1 ] || { echo "bench: tlsrpt-summary exited $rc on the daily store" >&2; exit 1; }
	: >"$T/d$lines.m"
	for r in $(seq "$RUNS"); do
		l=$("$B/tests/bench/peak-rss" "$B/tlsrpt-summary" -d "$T/d$lines" --now "$PNOW" --since 30d 2>&1 >/dev/null | tail -1)
		field peak_rss_kb "$l" >>"$T/d$lines.m"
	done
	rm -rf "$T/d$lines"
done
mn=$(median <"$T/d$N.m")
mq=$(median <"$T/d$Q.m")
per=$(awk -v a="$mn" -v b="$mq" -v n="$((N - Q))" 'BEGIN { printf "%.1f", (a - b) * 1024 / n }')
row "4g daily reporters $N lines, peak RSS KB" "$mn" "$mq ($Q)" "$(ratio "$mn" "$mq")" "-"
row "4g   bytes per line of the look-back" "$per" "" "" "(see BENCHMARKS.md)"
