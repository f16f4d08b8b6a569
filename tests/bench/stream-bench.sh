#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# stream-bench.sh BUILD DIR RUNS -- row 4e of `make bench` (run-bench.sh;
# runs alone too: sh tests/bench/stream-bench.sh build /tmp/x 3). Prints
# the rows; never fails on a number.
#
# 4e: the memory of the output (issue 21). On the 1,000-domain fleet
# store (gen-fleet, a fixed NOW) the default view (~4 MB of JSON) and
# --by report (~21 MB), in every format that writes a document (the
# digest mail in the default view only): peak RSS
# against that of --format csv of the same view, which has always been
# written a row at a time. Both hold the same aggregation, so the excess
# is what the renderer keeps. The target is a quarter of the document's
# size plus 1 MB of noise; building the JSON whole as one jansson tree
# cost 4-5 times its size (+21 MB for the default view). Moved here from
# tests/scripts/t-summary-stream.sh, which keeps the output's checks.
set -eu
B=$1
T=$2
RUNS=$3
. "$(dirname "$0")/bench.inc"

"$B/tests/bench/gen-fleet" "$T/fleet" 1796536800 >/dev/null
echo "AllowRoot yes" >"$T/fleet.conf"
ARGS="-c $T/fleet.conf -d $T/fleet --since 2026-11-16 --until 2026-12-06 --now 2026-12-06T06:00:00Z"

# peak FORMAT VIEW...: the median peak RSS (KB) in $kb, the document's
# size (KB) in $size
peak() {
	: >"$T/fleet.m"
	for _ in $(seq "$RUNS"); do
		rc=0
		# shellcheck disable=SC2086
		"$B/tests/bench/peak-rss" "$B/tlsrpt-summary" $ARGS --format "$@" \
			>"$T/fleet.out" 2>"$T/fleet.err" || rc=$?
		[ "$rc" -le 1 ] || { echo "bench: tlsrpt-summary --format $* exited $rc: $(cat "$T/fleet.err")" >&2; exit 1; }
		field peak_rss_kb "$(tail -1 "$T/fleet.err")" >>"$T/fleet.m"
	done
	kb=$(median <"$T/fleet.m")
	size=$(($(wc -c <"$T/fleet.out") / 1024))
}

for view in "" "--by report"; do
	# shellcheck disable=SC2086
	peak csv $view
	csv=$kb
	for f in json text html prometheus; do
		# shellcheck disable=SC2086
		peak $f $view
		row "4e fleet ${view:-(all)}, $f, $size KB written" "$kb KB" "$csv KB (csv)" \
			"$(printf %+d $((kb - csv)))" "<= +$((size / 4 + 1024)) KB"
	done
	# The digest mail is the whole summary: no --by.
	[ -z "$view" ] || continue
	peak mail --to pm@example.org
	row "4e fleet (all), mail, $size KB written" "$kb KB" "$csv KB (csv)" \
		"$(printf %+d $((kb - csv)))" "<= +$((size / 4 + 1024)) KB"
done
rm -rf "$T/fleet" "$T/fleet.out"
