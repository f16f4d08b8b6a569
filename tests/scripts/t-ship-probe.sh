#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-ship-probe.sh -- tlsrpt-ship and what is beside the day files (issue
# 20), on a private cluster (pg-cluster.inc):
#
#   tlsrpt-probe's findings files (a run of the real tlsrpt-probe -c, and
#   runs written as it writes them) are shipped into tlsrpt_probe_line
#   exactly once: the shipper SIGKILLed while its findings batch waits
#   on a lock, and at random points of a ship of batches of one line,
#   then run again: every line once, in order, the same bytes as the
#   files; tlsrpt-summary -d URL then gives the same "probe" objects as
#   the store directory;
#   retention (tlsrpt-ingest --prune) deletes old days: the cursors of the
#   days (and findings files) shipped to their end are dropped, those of
#   days it deleted before they were shipped whole are said once and
#   kept, marked pruned; today's stay;
#   a database of schema version 1 holding shipped reports: refused until
#   --migrate takes it to version 3, which keeps every row and cursor, so
#   the next run ships the findings and not one report line again.
. "$TLSRPT_TOP/tests/scripts/lib.inc"
. "$TLSRPT_TOP/tests/scripts/pg-cluster.inc"
ship=$TLSRPT_BUILD/tlsrpt-ship
ingest=$TLSRPT_BUILD/tlsrpt-ingest
probe=$TLSRPT_BUILD/tlsrpt-probe
summary=$TLSRPT_BUILD/tlsrpt-summary
gen=$TLSRPT_BUILD/tests/bench/gen-store
for p in "$ship" "$ingest" "$probe" "$summary"; do [ -x "$p" ] || fail "no $p"; done
[ -x "$gen" ] || fail "no $gen (make $gen)"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
t=$(tmpdir)
pid=
locker=
trap '[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null; [ -n "$locker" ] && kill "$locker" 2>/dev/null; pg_stop immediate; silent_resolver_stop "$t"; rm -rf "$t"' EXIT
pg_setup "$t"
printf 'AllowRoot yes\nFsync none\nStoreDirectory %s/s\n' "$t" >"$t/c.conf"
"$ship" --init >"$t/out" || fail "--init"
grep -q 'from version 0 to 3' "$t/out" || fail "--init: $(cat "$t/out")"
q() { pg_psql "$1" || fail "psql: $1"; }
gp() { python3 "$TLSRPT_TOP/tests/scripts/gen-probe-findings.py" "$@" || fail "gen-probe-findings.py $*"; }

# A store of reports, and tlsrpt-probe's own run: a resolver that does
# not answer, so a probe-run line with its error (t-probe-store.sh).
"$ingest" -q -c "$t/c.conf" "$TLSRPT_TOP"/samples/*.eml || fail "ingest"
port=$(silent_resolver "$t")
"$probe" -c "$t/c.conf" --resolver "127.0.0.1:$port" --timeout 1 \
	example.org >"$t/probe.out" 2>&1
[ $? -eq 75 ] || fail "tlsrpt-probe: $(cat "$t/probe.out")"
today=$(date -u +%F)
[ -s "$t/s/probe-$today.jsonl" ] || fail "tlsrpt-probe wrote no findings"
# A line that is not UTF-8 (no writer's), on a day before the summary's
# window: skipped and counted by the shipper, as the summary counts it.
printf '\377 not UTF-8\n' >"$t/s/probe-2026-01-01.jsonl"
# the files' lines, one day after another, as the database must hold them
filelines() { cat "$t/s"/probe-*.jsonl | grep -av "not UTF-8"; }
dblines() { q "SELECT line FROM tlsrpt_probe_line WHERE ship_host = 'mx1' ORDER BY day, line_number"; }
n=$(($(date -u +%s) - 3600))
hour() { date -u -d "@$((n + $1 * 60))" +%Y-%m-%dT%H:%M:%SZ; }

# --- killed while the findings batch waits on the table's lock ----------
# Each time a run more: the killed batch leaves nothing, the cursor
# before it; the next run ships it.
for i in 1 2 3; do
	before=$(dblines | wc -l)
	gp "$t/s" "$(hour "$i")" "d$i.example=certificate-expired@mx.d$i.example/192.0.2.$i" "c$i.example" @JUNK
	PGAPPNAME=locker psql -XAtq -c "BEGIN; LOCK TABLE tlsrpt_probe_line
		IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(600)" >/dev/null 2>&1 &
	locker=$!
	w=0
	until [ "$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'locker' AND wait_event = 'PgSleep'")" -eq 1 ]; do
		w=$((w + 1)) && [ "$w" -lt 600 ] || fail "the lock not taken"
		sleep 0.1
	done
	"$ship" -D application_name=shipper --batch 1 --host mx1 "$t/s" >/dev/null 2>&1 &
	pid=$!
	w=0
	until [ "$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'shipper' AND wait_event_type = 'Lock' AND xact_start IS NOT NULL")" -eq 1 ]; do
		w=$((w + 1)) && [ "$w" -lt 600 ] || fail "run $i: the shipper never waited on the lock"
		kill -0 "$pid" 2>/dev/null || fail "run $i: the shipper ended first"
		sleep 0.1
	done
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	pid=
	q "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'locker'" >/dev/null
	wait "$locker"
	locker=
	# the backend sees its client gone once it has the lock
	w=0
	while [ "$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'shipper'")" -ne 0 ]; do
		w=$((w + 1)) && [ "$w" -lt 600 ] || fail "the killed shipper's session stays"
		sleep 0.1
	done
	[ "$(dblines | wc -l)" -eq "$before" ] || fail "run $i: a killed batch left $(($(dblines | wc -l) - before)) lines"
	"$ship" --host mx1 "$t/s" 2>"$t/err" || fail "run $i: ship: $(cat "$t/err")"
	[ "$i" -gt 1 ] || grep -q ': 1 damaged lines skipped' "$t/err" ||
		fail "the line that is not UTF-8 not said: $(cat "$t/err")"
	[ "$(dblines | wc -l)" -eq "$(filelines | wc -l)" ] ||
		fail "run $i: $(dblines | wc -l) lines shipped"
done

# --- killed anywhere: 30 runs in batches of one line, SIGKILLed ----------
for i in $(seq 10 39); do
	gp "$t/s" "$(hour "$i")" "d$i.example=starttls-not-supported@mx.d$i.example/192.0.2.$i,validation-failure@mx2.d$i.example/2001:db8::$i" "c$i.example" "e$i.example!no MX record"
done
# A run that shipped everything before its kill came (a fast machine) is
# followed by three more runs' findings, so that the next has work to be
# killed in: they are seconds apart, still in the past hour.
more=0
refill() {
	for k in 0 1 2; do
		sec=$((2400 + more * 3 + k))
		spec=
		for d in 0 1 2 3 4 5 6 7 8 9; do
			spec="$spec r$sec-$d.example=starttls-not-supported@mx.r$sec-$d.example/192.0.2.$d"
		done
		# shellcheck disable=SC2086
		gp "$t/s" "$(date -u -d "@$((n + sec))" +%Y-%m-%dT%H:%M:%SZ)" $spec
	done
	more=$((more + 1))
}
kills=0
tries=0
while [ "$kills" -lt 8 ] && [ "$tries" -lt 200 ]; do
	tries=$((tries + 1))
	"$ship" -D application_name=shipper --batch 1 --host mx1 "$t/s" >/dev/null 2>&1 &
	pid=$!
	sleep "0.0$((tries % 7 + 2))"
	if kill -KILL "$pid" 2>/dev/null; then
		wait "$pid" 2>/dev/null
		[ $? -eq 137 ] && kills=$((kills + 1))
	else
		wait "$pid" 2>/dev/null
		refill
	fi
	pid=
done
[ "$kills" -ge 8 ] || fail "only $kills runs killed"
"$ship" -v --host mx1 "$t/s" >"$t/out" 2>"$t/err" || fail "ship: $(cat "$t/err")"
filelines >"$t/files"
dblines >"$t/db"
diff "$t/files" "$t/db" >"$t/diff" || fail "the findings lines, files against database: $(head "$t/diff")"
grep -q ', 0 new report versions' "$t/out" || fail "$(cat "$t/out")"
[ "$(q "SELECT count(*) FROM tlsrpt_probe_line WHERE kind = 'probe-finding' AND result_type = 'validation-failure' AND mx_host LIKE 'mx2.d%' AND address LIKE '2001:db8::%' AND detail LIKE '%	tab, é'")" -eq 30 ] ||
	fail "the typed columns: $(q "SELECT kind, result_type, mx_host, address, detail FROM tlsrpt_probe_line LIMIT 3")"
[ "$(q "SELECT count(*) FROM tlsrpt_probe_line WHERE kind IS NULL")" -eq 6 ] ||
	fail "lines no reader knows: $(q "SELECT line FROM tlsrpt_probe_line WHERE kind IS NULL")"
# Nothing new: nothing shipped, findings or not.
"$ship" -v --host mx1 "$t/s" >"$t/out" || fail "ship"
grep -q ': 0 lines in 0 transactions from 0 days.*, 0 findings lines' "$t/out" || fail "nothing new: $(cat "$t/out")"
echo "ok - findings shipped once across $kills kills ($tries runs, $more refills) and 3 kills mid-batch: $(wc -l <"$t/db") lines"

# The summary's "probe" objects and damaged findings lines from the
# database are those of the store directory.
url="postgresql:///$PGDATABASE?host=$PGHOST&port=$PGPORT&user=$PGUSER"
for src in "$t/s" "$url"; do
	"$summary" -c "$t/c.conf" -d "$src" --since 1d --format json |
		python3 -c 'import json, sys; s = json.load(sys.stdin); print(json.dumps([[d["domain"], d.get("probe")] for d in s["domains"]], sort_keys=True)); s["problems"].pop("files-read"); print(s["problems"])'
done >"$t/both" || fail "summary"
[ "$(sed -n 1p "$t/both")" = "$(sed -n 3p "$t/both")" ] && [ "$(sed -n 2p "$t/both")" = "$(sed -n 4p "$t/both")" ] ||
	fail "probe findings, files against database: $(cut -c1-300 "$t/both")"
grep -q '"d39.example", {' "$t/both" || fail "no probe objects: $(cut -c1-300 "$t/both")"
echo "ok - the summary's probe findings from the database are the store's"

# --- retention: the cursors of deleted days ------------------------------
# Nine days of gen-store (2026-11-22 to 30) and today in a store of their
# own, findings on two of those days. One day's file ends inside a report
# of several policies, one findings file in a torn line (writers killed
# in their writes): shipped, those two are not read to their end.
"$gen" "$t/p" 400 8 4 1796000000 >/dev/null || fail "gen-store"
"$ingest" -q -c "$t/c.conf" -d "$t/p" "$TLSRPT_TOP"/samples/google-example.org.eml || fail "ingest today"
gp "$t/p" 2026-11-24T10:00:00Z a.example
gp "$t/p" 2026-11-25T10:00:00Z b.example
awk '{ print } /"policy-index":0,"policy-count":[2-9]/ && ++n == 2 { exit }' "$t/p/tlsrpt-2026-11-26.jsonl" >"$t/cut" &&
	cat "$t/cut" >"$t/p/tlsrpt-2026-11-26.jsonl" || fail "cutting a report short"
printf '{"v":1,"kind":"probe-run"' >>"$t/p/probe-2026-11-25.jsonl"
"$ship" --host pr "$t/p" || fail "ship p"
cursors() { q "SELECT stream || ' ' || day || ' ' || (gz_size IS NOT NULL) || ' ' || (pruned IS NOT NULL) FROM tlsrpt_ship_cursor WHERE ship_host = 'pr' ORDER BY stream, day"; }
cursors >"$t/cursors.before"
[ "$(grep -c ' true false$' "$t/cursors.before")" -eq 10 ] && grep -q '^tlsrpt 2026-11-26 false false$' "$t/cursors.before" &&
	grep -q '^probe 2026-11-25 false false$' "$t/cursors.before" ||
	fail "the cursors before retention: $(cat "$t/cursors.before")"
printf 'AllowRoot yes\nFsync none\nRetentionDays 3\n' >"$t/prune.conf"
"$ingest" -c "$t/prune.conf" -d "$t/p" --prune >/dev/null 2>&1 || fail "prune"
[ -e "$t/p/tlsrpt-2026-11-26.jsonl" ] || [ -e "$t/p/tlsrpt-2026-11-26.jsonl.gz" ] || [ -e "$t/p/probe-2026-11-25.jsonl" ] &&
	fail "retention left old days: $(ls "$t/p")"
"$ship" -v --host pr "$t/p" >"$t/out" 2>"$t/err" || fail "ship after prune: $(cat "$t/err")"
grep -q 'cursors of deleted days dropped' "$t/out" || fail "$(cat "$t/out")"
grep -q "day 2026-11-26 was deleted before it was all shipped" "$t/err" &&
	grep -q "the findings file of 2026-11-25 was deleted before it was all shipped" "$t/err" &&
	[ "$(wc -l <"$t/err")" -eq 2 ] || fail "the days deleted before shipped, not said: $(cat "$t/err")"
cursors >"$t/cursors.after"
printf '%s\n' "probe 2026-11-25 false true" "tlsrpt 2026-11-26 false true" "tlsrpt $today true false" >"$t/cursors.want"
diff "$t/cursors.want" "$t/cursors.after" >"$t/diff" || fail "the cursors after retention: $(cat "$t/diff")"
# Said once: the next run is quiet, and the rows stay.
"$ship" --host pr "$t/p" >"$t/out" 2>"$t/err" || fail "ship again: $(cat "$t/err")"
[ ! -s "$t/err" ] || fail "said again: $(cat "$t/err")"
cursors | diff "$t/cursors.want" - >/dev/null || fail "the cursors changed: $(cursors)"
echo "ok - retention: finished days' cursors dropped, two unfinished said once and kept"

# --- a database of schema version 1 with data, migrated ------------------
# Version 1 as pg/schema_v1.sql makes it (what tlsrpt-ship compiles in),
# holding what this run of tlsrpt-ship shipped of the store s: its
# report versions, lines, failure details and day cursors.
q "CREATE DATABASE old" >/dev/null
psql -XAtq -v ON_ERROR_STOP=1 -d old -1 -f "$TLSRPT_TOP/pg/schema_v1.sql" \
	-c "INSERT INTO tlsrpt_schema_version (version) VALUES (1)" >/dev/null ||
	fail "schema version 1"
psql -XAtq -d old -c "SELECT tlsrpt_ensure_month(day) FROM (VALUES $(q "SELECT string_agg(DISTINCT '(date ''' || date_trunc('month', received)::date || ''')', ',') FROM tlsrpt_policy_line")) m(day)" >/dev/null ||
	fail "partitions"
for tb in tlsrpt_report_version tlsrpt_policy_line tlsrpt_failure_detail; do
	psql -XAtq -v ON_ERROR_STOP=1 -c "COPY (SELECT * FROM $tb) TO STDOUT" >"$t/rows" || fail "copy $tb out"
	psql -XAtq -v ON_ERROR_STOP=1 -d old -c "COPY $tb FROM STDIN" <"$t/rows" || fail "copy $tb in"
done
psql -XAtq -c "COPY (SELECT ship_host, store, day, bytes, lines, gz_size, plain_size, updated FROM tlsrpt_ship_cursor WHERE ship_host = 'mx1' AND stream = 'tlsrpt') TO STDOUT" |
	psql -XAtq -d old -c "COPY tlsrpt_ship_cursor FROM STDIN" || fail "copy the cursors"
old() { psql -XAtq -v ON_ERROR_STOP=1 -d old -c "$1" || fail "psql old: $1"; }
counts="SELECT (SELECT count(*) FROM tlsrpt_report_version) || ' ' || (SELECT count(*) FROM tlsrpt_policy_line) || ' ' || (SELECT count(*) FROM tlsrpt_failure_detail) || ' ' || (SELECT count(*) FROM tlsrpt_ship_cursor)"
v1=$(old "$counts")
for c in $v1; do [ "$c" -gt 0 ] || fail "no data in version 1: $v1"; done
expect_status 78 "$ship" -D dbname=old --host mx1 "$t/s" 2>"$t/err"
grep -q 'version 1, this tlsrpt-ship needs 3: run tlsrpt-ship --migrate' "$t/err" || fail "version 1: $(cat "$t/err")"
"$ship" -D dbname=old --migrate >"$t/out" || fail "--migrate"
grep -q 'from version 1 to 3' "$t/out" || fail "--migrate: $(cat "$t/out")"
[ "$(old "$counts")" = "$v1" ] || fail "the migration changed the rows: $(old "$counts"), was $v1"
[ "$(old "SELECT string_agg(DISTINCT stream || ' ' || (pruned IS NULL), ',') FROM tlsrpt_ship_cursor")" = "tlsrpt true" ] ||
	fail "the old cursors: $(old "SELECT stream, pruned FROM tlsrpt_ship_cursor")"
"$ship" -D dbname=old --migrate >"$t/out" || fail "--migrate again"
grep -q 'at version 3 already' "$t/out" || fail "--migrate again: $(cat "$t/out")"
"$ship" -v -D dbname=old --host mx1 "$t/s" >"$t/out" 2>/dev/null || fail "ship into the migrated database"
grep -q ": 0 lines in .* $(filelines | wc -l) findings lines" "$t/out" ||
	fail "after the migration: $(cat "$t/out")"
[ "$(psql -XAtq -d old -c "SELECT line FROM tlsrpt_probe_line ORDER BY day, line_number" | md5sum)" = "$(md5sum <"$t/files")" ] ||
	fail "the findings in the migrated database"
echo "ok - version 1 with $v1 rows migrated to 3, then the findings shipped and no report again"
