#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-summary-pg.sh -- tlsrpt-summary -d postgresql://... (issue 20 item 5):
# for the same data, every view in every format gives from the database
# what it gives from the merged day files.
#
# Three MX hosts' stores (gen-summary-pg-stores.py, cut from a gen-store
# store: duplicates across hosts the same second, a day later and later
# the same day, three conflicts, a report from before digests, .gz days)
# are shipped with tlsrpt-ship into a private cluster (pg-cluster.inc).
# Then `tlsrpt-summary -d URL` against `-d mx1 -d mx2 -d mx3` for every
# --by VIEW in every --format, with --now fixed, over a window that starts
# and ends inside days; every view in JSON with --domain, with
# --verified-only and over whole days: the same bytes and the same exit
# status. Masked, because they cannot be equal: the day
# files opened and the duplicate lines skipped (the database holds each
# report once, in no file) -- JSON's "files-read" and "duplicate-lines",
# Prometheus's tlsrpt_store_duplicate_lines; and the mail's Date,
# Message-ID and MIME boundary, which differ between any two runs.
# The finished days come from the rollups tlsrpt-ship uploaded: lines
# changed in the database do not change the answer (--no-rollups sees
# them); a damaged rollup, one cut short and one over the size
# tlsrpt-summary accepts (not fetched) are said once and their day read
# from the lines; a day without its rollup, and one that grew after it (a
# stale rollup; the next ship makes it again), the same answer; a
# database of version 2 whose cursors of one host's early days retention
# dropped, migrated: those days from the lines.
# Then the errors: unreachable, no schema, a newer schema, a role that
# may not read, a database and stores in one run.
. "$TLSRPT_TOP/tests/scripts/lib.inc"
. "$TLSRPT_TOP/tests/scripts/pg-cluster.inc"
ship=$TLSRPT_BUILD/tlsrpt-ship
summary=$TLSRPT_BUILD/tlsrpt-summary
gen=$TLSRPT_BUILD/tests/bench/gen-store
[ -x "$ship" ] || fail "no $ship"
[ -x "$gen" ] || fail "no $gen (make $gen)"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
t=$(tmpdir)
trap 'pg_stop immediate; rm -rf "$t"' EXIT
pg_setup "$t"

# gen-store's NOW: 2026-11-30T08:53:20Z; eight days before it.
"$gen" -D 30 -R 14 "$t/base" 2500 8 7 1796000000 >/dev/null || fail "gen-store"
# The five weeks before: the look-back's history (silence, the latest
# policy, the previous window).
"$gen" -D 30 -R 14 "$t/old" 6000 40 8 1795308800 >/dev/null || fail "gen-store"
python3 "$TLSRPT_TOP/tests/scripts/gen-summary-pg-stores.py" "$t/base" "$t" "$t/old" ||
	fail "gen-summary-pg-stores.py"
# Our probe's findings, as tlsrpt-probe -c writes them, in the stores of
# the hosts that probed: a domain probed by mx1 and later by mx2 (mx2's
# run counts); one probed by mx1 and mx2 in one second (both runs' findings,
# the same finding once); one only the probe knows; one not probed (an
# error); a clean one; damaged lines and a kind no reader knows; a run
# before the window and one on a day after a window's end.
gp() { python3 "$TLSRPT_TOP/tests/scripts/gen-probe-findings.py" "$@" || fail "gen-probe-findings.py $*"; }
gp "$t/mx1" 2026-11-20T10:00:00Z domain003.example=certificate-expired@mx1.domain003.example/192.0.2.3
gp "$t/mx1" 2026-11-25T10:00:00Z domain003.example=certificate-expired@mx1.domain003.example/192.0.2.3 busy.example
gp "$t/mx2" 2026-11-26T10:00:00Z domain003.example=certificate-host-mismatch@mx2.domain003.example/192.0.2.4 @JUNK
gp "$t/mx1" 2026-11-27T14:00:00Z domain011.example=starttls-not-supported@mx1.domain011.example/192.0.2.11
gp "$t/mx2" 2026-11-27T14:00:00Z domain011.example=starttls-not-supported@mx1.domain011.example/192.0.2.11,validation-failure@mx2.domain011.example/2001:db8::11 first.example
gp "$t/mx3" 2026-11-28T09:00:00Z onlyprobe.example=certificate-not-trusted@mx.onlyprobe.example/192.0.2.99 'down.example!no MX record' busy.example
gp "$t/mx3" 2026-11-29T09:00:00Z mixed.example=sts-policy-invalid@mx.mixed.example/192.0.2.7
printf 'AllowRoot yes\n' >"$t/c.conf"
printf 'google.com\tGoogle Inc.\nmicrosoft.com\tMicrosoft Corporation\n' >"$t/known"
"$ship" --init >/dev/null || fail "tlsrpt-ship --init"
for h in mx1 mx2 mx3; do
	"$ship" --host "$h" "$t/$h" || fail "tlsrpt-ship $h"
done
[ "$(pg_psql 'SELECT count(*) FROM tlsrpt_conflict')" -ge 6 ] ||
	fail "the stores hold fewer conflicting versions than made"

# The database as a URI (the socket directory as its host), and as a
# service of a service file, the libpq way.
url="postgresql:///$PGDATABASE?host=$PGHOST&port=$PGPORT&user=$PGUSER"
printf '[tlsrpt]\nhost=%s\nport=%s\nuser=%s\ndbname=%s\n' \
	"$PGHOST" "$PGPORT" "$PGUSER" "$PGDATABASE" >"$t/pg_service.conf"

mask() {
	sed -e 's/"files-read": [0-9]*/"files-read": N/' \
		-e 's/"duplicate-lines": [0-9]*/"duplicate-lines": N/' \
		-e 's/^tlsrpt_store_duplicate_lines [0-9]*/tlsrpt_store_duplicate_lines N/' \
		-e 's/^Date: .*/Date: D/' -e 's/^Message-I[Dd]: .*/Message-Id: M/' \
		-e 's|=-[A-Za-z0-9+/]*|=-B|g' "$1"
}

# compare NAME ARGS...: the files' and the database's output and status.
n=0
compare() {
	name=$1
	shift
	"$summary" -c "$t/c.conf" --known-reporters "$t/known" \
		--now 2026-11-30T12:00:00Z -d "$t/mx1" -d "$t/mx2" -d "$t/mx3" \
		"$@" >"$t/f.out" 2>"$t/f.err"
	fs=$?
	"$summary" -c "$t/c.conf" --known-reporters "$t/known" \
		--now 2026-11-30T12:00:00Z -d "$url" "$@" >"$t/d.out" 2>"$t/d.err"
	ds=$?
	[ "$fs" -le 1 ] || fail "$name: from files: exit $fs: $(cat "$t/f.err")"
	[ "$fs" -eq "$ds" ] || fail "$name: exit $fs from files, $ds from the database: $(cat "$t/d.err")"
	[ -s "$t/f.out" ] || fail "$name: no output"
	mask "$t/f.out" >"$t/f.m"
	mask "$t/d.out" >"$t/d.m"
	diff "$t/f.m" "$t/d.m" >"$t/diff" ||
		fail "$name: files and database differ: $(head -20 "$t/diff")"
	cmp -s "$t/f.err" "$t/d.err" || fail "$name: standard error differs: $(cat "$t/f.err" "$t/d.err")"
	n=$((n + 1))
}

# Every view in every format over a window that starts and ends inside
# days; the other windows (a whole number of days back from --now, two
# domains asked for in other case, --verified-only) every view in JSON,
# which holds every figure, and the default text.
every() {
	win=$1
	shift
	for by in "" domain org result mx sending-ip day report sender; do
		for fmt in "$@"; do
			# shellcheck disable=SC2086 # $win: several options
			compare "$win --by ${by:-(all)} --format $fmt" $win \
				${by:+--by "$by"} --format "$fmt"
		done
	done
}
inday="--since 2026-11-24T07:30:00Z --until 2026-11-28T15:45:00Z"
every "$inday" text json csv html prometheus
# shellcheck disable=SC2086
compare "$inday --format mail" $inday --format mail \
	--to postmaster@example.org --from tlsrpt@example.org
for win in "--since 3d" \
	"--since 6d --domain DOMAIN003.example --domain domain011.EXAMPLE" \
	"--since 8d --verified-only --all"; do
	every "$win" json
	# shellcheck disable=SC2086
	compare "$win --format text" $win --format text
done
# Something to compare: the windows hold reports, a conflict, an
# impersonation; the domain filter keeps two domains.
compare "json" --since 8d --format json
python3 - "$t/d.out" <<'PY' || fail "the database's summary is not what was shipped"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["totals"]["reports"] > 1000, s["totals"]
assert s["problems"]["conflicting-report-ids"] == 4, s["problems"]
assert s["problems"]["impersonated-reports"] > 0, s["problems"]
assert s["stores"] == 3, s["stores"]
probed = {d["domain"]: d["probe"] for d in s["domains"] if "probe" in d}
assert len(probed) >= 5, probed
PY
[ "$(pg_psql "SELECT count(*) FROM tlsrpt_probe_line")" -eq "$(cat "$t"/mx*/probe-*.jsonl | wc -l)" ] ||
	fail "findings lines: $(pg_psql "SELECT count(*) FROM tlsrpt_probe_line") in the database"
# --domain of a conflicting report's second line only, in the window and
# in history: the first, of another domain, still decides the conflict.
hd=$(cat "$t/history-domain")
every "--since 8d --domain $hd" json
compare "history conflict domain" $inday --domain "$hd" --domain tie.example --format text
every "--since 8d --domain busy.example --domain mixed.example --domain first.example" json
# --domain of a conflicting report's second line only: the first, of
# another domain, still decides the conflict.
cd=$(cat "$t/conflict-domain")
every "--since 8d --domain $cd" json
compare "conflict domain" --since 8d --domain "$cd" --format text
grep -q "conflict" "$t/d.out" || fail "--domain $cd: no conflict listed: $(cat "$t/d.out")"
compare "domains" --since 6d --domain DOMAIN003.example --domain domain011.EXAMPLE --format csv --by domain
[ "$(grep -c '^domain0\(03\|11\)\.example,' "$t/d.out")" -eq 2 ] || fail "--domain: $(cat "$t/d.out")"
PGSERVICEFILE=$t/pg_service.conf "$summary" -c "$t/c.conf" \
	--known-reporters "$t/known" --now 2026-11-30T12:00:00Z \
	-d service=tlsrpt --since 3d >"$t/svc.out"
[ $? -le 1 ] || fail "-d service=tlsrpt"
compare "service" --since 3d
cmp -s "$t/svc.out" "$t/d.out" || fail "-d service=tlsrpt is not -d URL"

# The finished days come from the rollups tlsrpt-ship uploaded (one per
# host and day shipped; every day here is before today), not from the
# lines: lines changed in the database leave the summary as it was, and
# --no-rollups (the lines) sees them.
[ "$(pg_psql "SELECT count(*) FROM tlsrpt_rollup")" -eq "$(pg_psql "SELECT count(*) FROM tlsrpt_ship_cursor WHERE stream = 'tlsrpt'")" ] ||
	fail "rollups: $(pg_psql "SELECT count(*) FROM tlsrpt_rollup") for $(pg_psql "SELECT count(*) FROM tlsrpt_ship_cursor WHERE stream = 'tlsrpt'") days shipped"
day1="received >= '2026-11-25' AND received < '2026-11-26'"
bump() { pg_psql "UPDATE tlsrpt_policy_line SET line = jsonb_set(line, '{summary,total-successful-session-count}', to_jsonb((line->'summary'->>'total-successful-session-count')::bigint $1)) WHERE $day1" || fail "bump"; }
bump "+ 1000"
compare "rollups, not lines" $inday --format json
"$summary" -c "$t/c.conf" --known-reporters "$t/known" --now 2026-11-30T12:00:00Z \
	-d "$url" --no-rollups $inday --format json >"$t/l.out" 2>/dev/null
mask "$t/l.out" >"$t/l.m"
cmp -s "$t/l.m" "$t/d.m" && fail "--no-rollups: the lines changed in the database, not seen"
bump "- 1000"
compare "lines restored, --no-rollups" $inday --no-rollups --format json
# compare_said NAME WHAT ARGS...: compare, but the database's standard
# error says WHAT once (the files' says nothing).
compare_said() {
	name=$1
	what=$2
	shift 2
	"$summary" -c "$t/c.conf" --known-reporters "$t/known" \
		--now 2026-11-30T12:00:00Z -d "$t/mx1" -d "$t/mx2" -d "$t/mx3" \
		"$@" >"$t/f.out" 2>/dev/null
	"$summary" -c "$t/c.conf" --known-reporters "$t/known" \
		--now 2026-11-30T12:00:00Z -d "$url" "$@" >"$t/d.out" 2>"$t/d.err"
	mask "$t/f.out" >"$t/f.m"
	mask "$t/d.out" >"$t/d.m"
	diff "$t/f.m" "$t/d.m" >"$t/diff" || fail "$name: files and database differ: $(head -20 "$t/diff")"
	[ "$(grep -c "$what" "$t/d.err")" -eq 1 ] && [ "$(wc -l <"$t/d.err")" -eq 1 ] ||
		fail "$name: not said once: $(cat "$t/d.err")"
	n=$((n + 1))
}
# A damaged rollup (a byte flipped; then one cut short): that host's day
# from the lines, said once (the summary reads twice: conflicts).
pg_psql "CREATE TABLE saved AS SELECT * FROM tlsrpt_rollup" || fail "save"
pg_psql "UPDATE tlsrpt_rollup SET rollup = set_byte(rollup, 200, get_byte(rollup, 200) # 4) WHERE ship_host = 'mx2' AND day = '2026-11-25'" || fail "damage"
compare_said "a damaged rollup" "mx2:.* day 2026-11-25 is damaged" $inday --format json
compare_said "a damaged rollup, text" "mx2:.* day 2026-11-25 is damaged" --since 8d --format text
pg_psql "DELETE FROM tlsrpt_rollup; INSERT INTO tlsrpt_rollup SELECT * FROM saved" || fail "restore"
pg_psql "UPDATE tlsrpt_rollup SET rollup = substring(rollup from 1 for octet_length(rollup) - 3) WHERE ship_host = 'mx1' AND day = '2026-11-26'" || fail "cut"
compare_said "a rollup cut short" "mx1:.* day 2026-11-26 is damaged" $inday --by domain --format json
pg_psql "DELETE FROM tlsrpt_rollup; INSERT INTO tlsrpt_rollup SELECT * FROM saved" || fail "restore"
# A rollup over what tlsrpt-summary accepts (PG_ROLLUP_MAX, 256 MiB:
# another host's shipper writes them): its size is read, not its bytes;
# that day from the lines, said once. (A run of one byte: the server
# stores it compressed.)
pg_psql "UPDATE tlsrpt_rollup SET rollup = rollup || convert_to(repeat('x', 268435456), 'UTF8') WHERE ship_host = 'mx3' AND day = '2026-11-26'" || fail "grow"
[ "$(pg_psql "SELECT octet_length(rollup) > 268435456 FROM tlsrpt_rollup WHERE ship_host = 'mx3' AND day = '2026-11-26'")" = t ] ||
	fail "the grown rollup is not over the limit"
compare_said "a rollup over the limit" "mx3:.* day 2026-11-26 is larger than tlsrpt-summary accepts" $inday --format json
pg_psql "DELETE FROM tlsrpt_rollup; INSERT INTO tlsrpt_rollup SELECT * FROM saved" || fail "restore"
# A day without its rollup (its cursor says lines were shipped): the
# lines; nothing to say.
pg_psql "DELETE FROM tlsrpt_rollup WHERE ship_host = 'mx3' AND day = '2026-11-27'" || fail "delete"
every "$inday" json
# A day that grew after its rollup: a report only mx2 received appended
# to mx1's day, shipped; its rollup as it was (made before it grew): the
# stale rollup is not used, that day of mx1 comes from the lines.
grow=2026-11-26
python3 - "$t/mx1/tlsrpt-$grow.jsonl" "$t/mx2/tlsrpt-$grow.jsonl" <<'PY' || fail "growing a day"
import json, sys
mine = {(json.loads(l)["organization-name"], json.loads(l)["report-id"]) for l in open(sys.argv[1])}
for l in open(sys.argv[2]):
    r = json.loads(l)
    if (r["organization-name"], r["report-id"]) not in mine and r["policy-count"] == 1:
        open(sys.argv[1], "a").write(l)
        break
else:
    sys.exit("no report of mx2 alone")
PY
pg_psql "DELETE FROM saved WHERE NOT (ship_host = 'mx1' AND day = '$grow')" || fail "keep one"
"$ship" -v --host mx1 "$t/mx1" >"$t/out" || fail "ship the grown day"
grep -q ' 1 rollups of finished days' "$t/out" || fail "the grown day's rollup not made again: $(cat "$t/out")"
pg_psql "UPDATE tlsrpt_rollup r SET bytes = s.bytes, lines = s.lines, rollup = s.rollup FROM saved s WHERE (r.ship_host, r.store, r.day) = (s.ship_host, s.store, s.day)" || fail "stale"
[ "$(pg_psql "SELECT count(*) FROM tlsrpt_rollup r JOIN tlsrpt_ship_cursor c USING (ship_host, store, day) WHERE c.stream = 'tlsrpt' AND c.lines <> r.lines")" -eq 1 ] ||
	fail "no stale rollup"
every "$inday" json
"$ship" -v --host mx1 "$t/mx1" >"$t/out" || fail "ship again"
grep -q ' 1 rollups of finished days' "$t/out" || fail "the stale rollup not made again: $(cat "$t/out")"
[ "$(pg_psql "SELECT count(*) FROM tlsrpt_rollup r JOIN tlsrpt_ship_cursor c USING (ship_host, store, day) WHERE c.stream = 'tlsrpt' AND c.lines <> r.lines")" -eq 0 ] ||
	fail "still a stale rollup"
compare "the grown day's rollup" $inday --format json
compare "the grown day's rollup, by day" $inday --by day --format csv

# A database of version 2 (before rollups) holding the same rows, where
# retention had dropped mx3's cursors of its days up to 2026-11-26:
# --migrate keeps every row and notes those days of mx3 (no rollup will
# ever cover them), the next runs upload the rollups of the days that have
# cursors, and the summary reads the noted days' lines -- without the
# note (deleted at the end), mx3's reports of those days are missing.
pg_psql "CREATE DATABASE v2" || fail "createdb v2"
v2() { psql -XAtq -v ON_ERROR_STOP=1 -d v2 "$@" >/dev/null || fail "psql v2 $*"; }
v2 -1 -f "$TLSRPT_TOP/pg/schema_v1.sql" -f "$TLSRPT_TOP/pg/schema_v2.sql" \
	-c "INSERT INTO tlsrpt_schema_version (version) VALUES (1), (2)"
v2 -c "SELECT tlsrpt_ensure_month(m) FROM (VALUES $(pg_psql "SELECT string_agg(DISTINCT '(date ''' || date_trunc('month', received)::date || ''')', ',') FROM tlsrpt_policy_line")) s(m)"
for tb in tlsrpt_report_version tlsrpt_policy_line tlsrpt_failure_detail tlsrpt_probe_line \
	"tlsrpt_ship_cursor WHERE NOT (ship_host = 'mx3' AND stream = 'tlsrpt' AND day <= '2026-11-26')"; do
	psql -XAtq -v ON_ERROR_STOP=1 -c "COPY (SELECT * FROM $tb) TO STDOUT" >"$t/rows" || fail "copy $tb out"
	v2 -c "COPY ${tb%% *} FROM STDIN" <"$t/rows"
done
"$ship" -D dbname=v2 --migrate >"$t/out" || fail "--migrate v2"
grep -q 'from version 2 to 3' "$t/out" || fail "--migrate v2: $(cat "$t/out")"
[ "$(psql -XAtq -d v2 -c "SELECT count(*) FROM tlsrpt_rollup_gap WHERE ship_host = 'mx3'")" -gt 0 ] ||
	fail "no gap noted for mx3's days"
# mx3's early days are gone from its disk: only mx1 and mx2 ship again.
for h in mx1 mx2; do
	"$ship" -D dbname=v2 --host "$h" "$t/$h" || fail "ship $h into v2"
done
saved_url=$url
url="postgresql:///v2?host=$PGHOST&port=$PGPORT&user=$PGUSER"
every "$inday" json
compare "version 2 migrated, text" --since 8d --format text
v2 -c "DELETE FROM tlsrpt_rollup_gap"
"$summary" -c "$t/c.conf" --known-reporters "$t/known" --now 2026-11-30T12:00:00Z \
	-d "$url" --since 8d --format text >"$t/nogap.out" 2>/dev/null
cmp -s "$t/nogap.out" "$t/d.out" && fail "the days without cursors read from the rollups alone, and nothing missed"
url=$saved_url

# Errors: each said, each its exit status, never a crash.
expect_status 64 "$summary" -c "$t/c.conf" -d "$url" -d "$t/mx1" 2>"$t/err"
grep -q 'a database and store directories' "$t/err" || fail "mixed: $(cat "$t/err")"
grep -q "$PGHOST" "$t/err" && fail "the connection string in a message: $(cat "$t/err")"
expect_status 64 "$summary" -c "$t/c.conf" -d "$url" -d "service=x" 2>/dev/null
expect_status 75 "$summary" -c "$t/c.conf" -d "host=$t/nowhere" 2>"$t/err"
grep -q 'cannot connect to the database' "$t/err" || fail "unreachable: $(cat "$t/err")"
pg_psql "CREATE DATABASE empty" || fail "createdb"
expect_status 78 "$summary" -c "$t/c.conf" -d "dbname=empty" 2>"$t/err"
grep -q 'tlsrpt-ship --init' "$t/err" || fail "no schema: $(cat "$t/err")"
pg_psql "CREATE ROLE reader LOGIN" || fail "create role"
expect_status 77 "$summary" -c "$t/c.conf" -d "user=reader" 2>"$t/err"
grep -q 'permission denied' "$t/err" || fail "not allowed: $(cat "$t/err")"
pg_psql "GRANT SELECT ON tlsrpt_schema_version, tlsrpt_ship_cursor TO reader" || fail "grant"
expect_status 77 "$summary" -c "$t/c.conf" -d "user=reader" 2>"$t/err"
grep -q 'permission denied.*tlsrpt_rollup' "$t/err" || fail "not allowed to read the rollups: $(cat "$t/err")"
pg_psql "GRANT SELECT ON tlsrpt_rollup, tlsrpt_rollup_gap TO reader" || fail "grant"
expect_status 77 "$summary" -c "$t/c.conf" -d "user=reader" 2>"$t/err"
grep -q 'permission denied.*tlsrpt_policy_line' "$t/err" || fail "not allowed to read the lines: $(cat "$t/err")"
pg_psql "GRANT SELECT ON tlsrpt_report_version, tlsrpt_policy_line TO reader" || fail "grant"
expect_status 77 "$summary" -c "$t/c.conf" -d "user=reader" 2>"$t/err"
grep -q 'reading the probe findings: .*permission denied.*tlsrpt_probe_line' "$t/err" || fail "not allowed to read the findings: $(cat "$t/err")"
[ "$(wc -l <"$t/err")" -le 2 ] || fail "not allowed to read the findings: $(cat "$t/err")"
pg_psql "INSERT INTO tlsrpt_schema_version (version) VALUES (99)" || fail "psql"
expect_status 78 "$summary" -c "$t/c.conf" -d "$url" 2>"$t/err"
grep -q 'version 99' "$t/err" || fail "a newer schema: $(cat "$t/err")"
echo "ok: $n runs, files and database the same"
