#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-ship-rotate.sh -- tlsrpt-ship follows a day across what happens to
# its files (pg/daystream.h), on a private cluster (pg-cluster.inc):
#
#   compressed as prune does (.jsonl into .gz): nothing shipped again;
#   a new .jsonl for the compressed day: only its lines shipped;
#   prune caught between renaming the .gz and unlinking the .jsonl (the
#   .jsonl's lines twice in the day), then the unlink (the day shorter
#   than the cursor): read again, nothing added, nothing lost;
#   a torn last line and a report cut short at the end of the file:
#   neither shipped until whole, then shipped;
#   a damaged line: skipped and counted, the lines behind it shipped;
#   --follow: ships what is appended, and ends on SIGTERM with 0;
#   two runs for one host and store at once: both end well;
#   a report's later copy shipped first: replaced by the first arrival.
. "$TLSRPT_TOP/tests/scripts/lib.inc"
. "$TLSRPT_TOP/tests/scripts/pg-cluster.inc"
ship=$TLSRPT_BUILD/tlsrpt-ship
ingest=$TLSRPT_BUILD/tlsrpt-ingest
[ -x "$ship" ] || fail "no $ship"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
t=$(tmpdir)
fpid=
trap '[ -n "$fpid" ] && kill "$fpid" 2>/dev/null; pg_stop immediate; rm -rf "$t"' EXIT
pg_setup "$t"
printf 'AllowRoot yes\nFsync none\n' >"$t/c.conf"
"$ship" --init >/dev/null || fail "--init"

# Reports: A's three samples; B, C, D: generated ones, each in a store of
# its own, whose lines are then put into A's day by hand.
"$ingest" -q -c "$t/c.conf" -d "$t/a" "$TLSRPT_TOP"/samples/*.eml \
	"$TLSRPT_TOP"/samples/*.json.gz || fail "ingest a"
python3 "$TLSRPT_TOP/tests/scripts/gen-ship-reports.py" "$t/gen" 30 ||
	fail "gen-ship-reports.py"
for s in mx1 mx2 mx3; do
	"$ingest" -q -c "$t/c.conf" -d "$t/$s" "$t/gen/$s"/*.json || fail "ingest $s"
done
# E: one more report, for --follow.
python3 "$TLSRPT_TOP/tests/scripts/gen-ship-reports.py" "$t/gen2" 31 ||
	fail "gen-ship-reports.py"
"$ingest" -q -c "$t/c.conf" -d "$t/e" "$t/gen2/mx1/r00030.json" || fail "ingest e"
day=$(cd "$t/a" && ls tlsrpt-*.jsonl) || fail "no day file"
other() { cat "$t/$1"/tlsrpt-*.jsonl; }

q() { pg_psql "$1" || fail "psql: $1"; }
lines() { q "SELECT count(*) FROM tlsrpt_policy_line"; }
# ship [ARGS] -- one run on store a; its report in $t/out
ship() {
	"$ship" -v --host a "$@" "$t/a" >"$t/out" 2>"$t/err" ||
		fail "tlsrpt-ship: $(cat "$t/err")"
}
# distinct -- the policy lines of different reports in A's day files (the
# same report from two hosts is one): what the database must hold.
distinct() {
	{ zcat "$t/a/$day.gz" 2>/dev/null; cat "$t/a/$day" 2>/dev/null; } | python3 -c '
import json, sys
keys = set()
for l in sys.stdin:
    if not l.endswith("\n"):
        continue
    r = json.loads(l)
    if "report-id" in r:
        keys.add((r["organization-name"], r["report-id"], r.get("report-digest"), r["policy-index"]))
print(len(keys))'
}
shipped() { sed -n 's/.*: \([0-9]*\) lines in.*/\1/p' "$t/out"; }

ship
[ "$(shipped)" -eq 3 ] && [ "$(lines)" -eq 3 ] || fail "first run: $(cat "$t/out")"

# Compressed as prune does it.
gzip -c "$t/a/$day" >"$t/a/$day.gz" && rm "$t/a/$day"
ship
[ "$(shipped)" -eq 0 ] || fail "after compression: $(cat "$t/out")"
[ "$(lines)" -eq 3 ] || fail "after compression: $(lines) lines"

# A report received later for the compressed day: a new .jsonl.
other mx1 >"$t/a/$day"
n1=$(other mx1 | wc -l)
ship
[ "$(shipped)" -eq "$n1" ] || fail "a new .jsonl: $(cat "$t/out"), want $n1"
[ "$(lines)" -eq "$(distinct)" ] || fail "a new .jsonl: $(lines) lines"

# Prune caught between rename and unlink: the .jsonl is in the .gz too.
gzip -c "$t/a/$day" >>"$t/a/$day.gz"
ship
grep -q ', 0 new report versions' "$t/out" || fail "the .jsonl twice: $(cat "$t/out")"
[ "$(lines)" -eq "$(distinct)" ] || fail "the .jsonl twice: $(lines) lines"
rm "$t/a/$day"
ship
grep -q 'shorter than shipped' "$t/err" || fail "no word of a shorter day: $(cat "$t/err")"
grep -q ', 0 new report versions' "$t/out" || fail "after the unlink: $(cat "$t/out")"
[ "$(lines)" -eq "$(distinct)" ] || fail "after the unlink: $(lines) lines"

# A torn last line (a report of one policy), then made whole; and a
# damaged line before it.
echo '{"v":1,"this is":"not a record"}' >"$t/a/$day"
other mx2 >>"$t/a/$day"
one=$TLSRPT_TOP/tests/data/store/record-v1.jsonl
head -c 40 "$one" >>"$t/a/$day"
ship
grep -q '1 damaged lines skipped' "$t/out" || fail "damaged line: $(cat "$t/out")"
[ "$(lines)" -eq "$(distinct)" ] || fail "a torn line shipped: $(lines) lines, want $(distinct)"
before=$(lines)
tail -c +41 "$one" >>"$t/a/$day"
ship
[ "$(lines)" -eq $((before + 1)) ] && [ "$(lines)" -eq "$(distinct)" ] ||
	fail "the torn line made whole: $(lines) lines"

# A report of three policies cut short after two lines (a writer killed
# inside its write), then whole.
other mx3 >"$t/mx3.lines"
at=$(grep -n '"policy-index":0,"policy-count":3' "$t/mx3.lines" | tail -1 | cut -d: -f1)
[ -n "$at" ] || fail "no report of three policies in mx3"
head -n $((at + 1)) "$t/mx3.lines" >>"$t/a/$day"
ship
[ "$(lines)" -eq $(($(distinct) - 2)) ] ||
	fail "a report cut short: $(lines) lines, want $(($(distinct) - 2))"
tail -n +$((at + 2)) "$t/mx3.lines" >>"$t/a/$day"
ship
[ "$(lines)" -eq "$(distinct)" ] || fail "the report made whole: $(lines) lines, want $(distinct)"
# Read to the end, same sizes: the next run does not read the day.
ship
[ "$(shipped)" -eq 0 ] || fail "nothing new: $(cat "$t/out")"

# --follow: what is appended gets shipped; SIGTERM ends it with 0.
"$ship" --follow --interval 1 --host a "$t/a" 2>"$t/follow.err" &
fpid=$!
other e >>"$t/a/$day"
want=$(distinct)
i=0
while [ "$(lines)" -ne "$want" ]; do
	i=$((i + 1))
	[ "$i" -lt 100 ] || fail "--follow: $(lines) lines after 10 s, want $want"
	sleep 0.1
done
kill -TERM "$fpid"
wait "$fpid" || fail "--follow: exit $? on SIGTERM: $(cat "$t/follow.err")"
fpid=

# Two runs for one host and store at once (a timer's run and one by
# hand): the cursor moves by compare-and-set, so one waits or starts again
# from where the other got; both end well, the cursor at the file's end.
"$ship" --batch 1 --host twin "$t/mx3" 2>"$t/twin1.err" &
twin=$!
"$ship" --batch 1 --host twin "$t/mx3" 2>"$t/twin2.err" || fail "twin run: $(cat "$t/twin2.err")"
wait "$twin" || fail "twin run: $(cat "$t/twin1.err")"
[ "$(q "SELECT sum(bytes) FROM tlsrpt_ship_cursor WHERE ship_host = 'twin'")" -eq "$(cat "$t/mx3"/tlsrpt-*.jsonl | wc -c)" ] ||
	fail "twin runs: cursor $(q "SELECT bytes FROM tlsrpt_ship_cursor WHERE ship_host = 'twin'")"

# One report received by two hosts a second apart, the later copy shipped
# first: the database keeps the first arrival (receipt, host, lines), as
# the merged day files count it.
python3 "$TLSRPT_TOP/tests/scripts/gen-ship-reports.py" "$t/gen3" 32 ||
	fail "gen-ship-reports.py"
"$ingest" -q -c "$t/c.conf" -d "$t/early" "$t/gen3/mx2/r00031.json" || fail "ingest early"
sleep 1.1
"$ingest" -q -c "$t/c.conf" -d "$t/late" "$t/gen3/mx2/r00031.json" || fail "ingest late"
"$ship" --host late "$t/late" || fail "ship late"
[ "$(q "SELECT string_agg(DISTINCT ship_host, ',') FROM tlsrpt_policy_line WHERE report_id = 'r00031'")" = late ] ||
	fail "the late copy was not shipped first"
"$ship" --host early "$t/early" || fail "ship early"
first=$(sed -n 's/.*"received":"\([^"]*\)".*/\1/p' "$t/early"/tlsrpt-*.jsonl | head -1)
[ "$(q "SELECT to_char(first_received AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') || ' ' || first_ship_host FROM tlsrpt_report_version WHERE report_id = 'r00031'")" = "$first early" ] ||
	fail "the version's first receipt: $(q "SELECT first_received, first_ship_host FROM tlsrpt_report_version WHERE report_id = 'r00031'"), want $first early"
[ "$(q "SELECT string_agg(DISTINCT ship_host || ' ' || to_char(received AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ',') FROM tlsrpt_policy_line WHERE report_id = 'r00031'")" = "early $first" ] ||
	fail "the lines of the first arrival: $(q "SELECT ship_host, received FROM tlsrpt_policy_line WHERE report_id = 'r00031'")"
[ "$(q "SELECT count(*) FROM tlsrpt_policy_line WHERE report_id = 'r00031'")" -eq "$(cat "$t/early"/tlsrpt-*.jsonl | wc -l)" ] ||
	fail "r00031: $(q "SELECT count(*) FROM tlsrpt_policy_line WHERE report_id = 'r00031'") lines"
[ "$(q "SELECT count(*) FROM tlsrpt_failure_detail WHERE report_id = 'r00031'")" -eq "$(cat "$t/early"/tlsrpt-*.jsonl | grep -o '"result-type"' | wc -l)" ] ||
	fail "r00031: failure details"
echo "ok"
