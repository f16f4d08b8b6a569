#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-summary-stream.sh -- tlsrpt-summary writes its output as it produces
# it (issue 21), and what it writes is whole.
#
# On the 1,000-domain fleet store (tests/bench/gen-fleet) the JSON of
# the default view (~4 MB) and of --by report (~21 MB), dumped a row at a
# time, are valid JSON and hold every row: the JSON's domains and report
# rows are the CSV's rows (CSV has always been written a row at a time),
# and --by report has a row for every report the default view counts; the
# text, HTML and Prometheus output are written. What they cost in memory
# against the CSV is a figure of `make bench` (row 4e,
# tests/bench/stream-bench.sh), not a test.
#
# A write error is still an error: every format to /dev/full (ENOSPC)
# and into a closed pipe with SIGPIPE ignored (EPIPE) exits 74
# (EX_IOERR) and says why, for the default view and --by report.
. "$TLSRPT_TOP/tests/scripts/lib.inc"
summary=$TLSRPT_BUILD/tlsrpt-summary
gen=$TLSRPT_BUILD/tests/bench/gen-fleet
[ -x "$summary" ] || skip "no $summary"
[ -x "$gen" ] || skip "no $gen: make $gen"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
t=$(tmpdir)
trap 'rm -rf "$t"' EXIT
echo "AllowRoot yes" >"$t/root.conf"

# A fixed NOW: 2026-12-06T06:00:00Z; the reports cover the 20 days before.
"$gen" "$t/store" 1796536800 >"$t/expected" || fail "gen-fleet"
args="-c $t/root.conf -d $t/store --since 2026-11-16 --until 2026-12-06 --now 2026-12-06T06:00:00Z"

# run NAME ARGS...: the summary into $t/NAME (exit 1, failures listed, is
# no error).
run() {
	name=$1
	shift
	# shellcheck disable=SC2086
	"$summary" $args "$@" >"$t/$name" 2>"$t/err" || [ $? -eq 1 ] ||
		fail "$*: $(cat "$t/err")"
	[ -s "$t/$name" ] || fail "$*: nothing written"
}

for view in "" "--by report"; do
	for f in json csv text html prometheus; do
		# shellcheck disable=SC2086
		run "${view:+r}$f" --format $f $view
	done
done
python3 - "$t" <<'PY' || fail "the JSON documents are not whole"
import csv, json, os, sys
t = sys.argv[1]
d = json.load(open(os.path.join(t, "json")))
r = json.load(open(os.path.join(t, "rjson")))
dc = list(csv.DictReader(open(os.path.join(t, "csv"), newline="")))
rc = list(csv.DictReader(open(os.path.join(t, "rcsv"), newline="")))
assert len(d["domains"]) == 1000, len(d["domains"])
assert [x["domain"] for x in d["domains"]] == [x["domain"] for x in dc]
assert [x["sessions"] for x in d["domains"]] == [int(x["sessions"]) for x in dc]
assert r["view"] == "report", r["view"]
assert len(r["rows"]) == d["totals"]["reports"] == len(rc) > 50000, \
    (len(r["rows"]), d["totals"]["reports"], len(rc))
print("ok - JSON: %d domains, %d report rows, the CSV's" % (len(dc), len(rc)))
PY

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
