#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-summary-stream.sh -- tlsrpt-summary writes its output as it produces
# it (issue 21): the memory of a run does not grow with the document.
#
# On the 1,000-domain fleet store (tests/bench/gen-fleet) the JSON of
# the default view (~4 MB) and of --by report (~21 MB), and the text,
# HTML and Prometheus output, must cost no more memory than the CSV of
# the same view, which has always been written a row at a time: both
# hold the same aggregation, so the difference is what the renderer
# keeps. The bound is a quarter of the document's size plus 1 MB of
# noise; building the JSON whole as one jansson tree cost 4-5 times its
# size (+21 MB for the default view here). Peak RSS by
# tests/bench/peak-rss.
#
# A write error is still an error: every format to /dev/full (ENOSPC)
# and into a closed pipe with SIGPIPE ignored (EPIPE) exits 74
# (EX_IOERR) and says why, for the default view and --by report.
. "$TLSRPT_TOP/tests/scripts/lib.inc"
summary=$TLSRPT_BUILD/tlsrpt-summary
gen=$TLSRPT_BUILD/tests/bench/gen-fleet
rss=$TLSRPT_BUILD/tests/bench/peak-rss
[ -x "$summary" ] || skip "no $summary"
[ -x "$gen" ] || skip "no $gen: make $gen"
[ -x "$rss" ] || skip "no $rss: make $rss"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
t=$(tmpdir)
trap 'rm -rf "$t"' EXIT
echo "AllowRoot yes" >"$t/root.conf"

# A fixed NOW: 2026-12-06T06:00:00Z; the reports cover the 20 days before.
"$gen" "$t/store" 1796536800 >"$t/expected" || fail "gen-fleet"
args="-c $t/root.conf -d $t/store --since 2026-11-16 --until 2026-12-06 --now 2026-12-06T06:00:00Z"

# summary_peak (lib.inc), and size: the size of its output in KB.
peak() {
	summary_peak "$@"
	size=$(($(wc -c <"$t/out") / 1024))
}

for view in "" "--by report"; do
	# shellcheck disable=SC2086
	peak --format csv $view
	csv=$kb
	# shellcheck disable=SC2086
	peak --format json $view
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$t/out" ||
		fail "--format json ${view:-(all)}: not valid JSON"
	[ "$size" -gt 1024 ] || fail "--format json ${view:-(all)}: only $size KB, too small to measure"
	for f in json text html prometheus; do
		# shellcheck disable=SC2086
		[ "$f" = json ] || peak --format $f $view
		# 1 MB for the noise of small documents
		[ $((kb - csv)) -lt $((size / 4 + 1024)) ] ||
			fail "--format $f ${view:-(all)}: peak $kb KB against $csv KB for CSV, for a $size KB document: the document is held in memory"
		echo "ok - --format $f ${view:-(all)}: $size KB written, peak $kb KB (CSV $csv KB)"
	done
done

# Runs the command with its output into a pipe whose reading end is
# closed before it starts, SIGPIPE ignored: each write fails with EPIPE.
closed_pipe() {
	python3 -c 'import os, subprocess, sys
r, w = os.pipe()
os.close(r)
# Python ignores SIGPIPE; restore_signals=False keeps it so in the child.
sys.exit(subprocess.run(sys.argv[1:], stdout=w, restore_signals=False).returncode)' "$@"
}

# ENOSPC and EPIPE: exit 74 and the reason, in every format.
for f in text json csv html prometheus; do
	for view in "" "--by report"; do
		# shellcheck disable=SC2086
		"$summary" $args --format $f $view >/dev/full 2>"$t/err"
		rc=$?
		[ "$rc" -eq 74 ] || fail "--format $f ${view:-(all)} >/dev/full: exit $rc, want 74"
		grep -q 'writing the summary: No space left on device' "$t/err" ||
			fail "--format $f ${view:-(all)} >/dev/full: $(cat "$t/err")"
		# shellcheck disable=SC2086
		closed_pipe "$summary" $args --format $f $view 2>"$t/err"
		rc=$?
		[ "$rc" -eq 74 ] || fail "--format $f ${view:-(all)} into a closed pipe: exit $rc, want 74"
		grep -q 'writing the summary: Broken pipe' "$t/err" ||
			fail "--format $f ${view:-(all)} into a closed pipe: $(cat "$t/err")"
	done
done
echo "ok - a full disk and a closed pipe: exit 74 with the reason, every format"
