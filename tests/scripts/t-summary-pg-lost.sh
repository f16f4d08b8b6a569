#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-summary-pg-lost.sh -- tlsrpt-summary -d postgresql://... when the
# database goes away in the middle of the read, and when a stored line is
# valid JSON but no record.
#
# A gen-store store of ~20,000 lines is shipped into a private cluster
# (pg-cluster.inc), so the COPY of the lines outlasts the socket's
# buffers. The lines' table is locked, the summary started, and stopped
# (SIGSTOP) once pg_stat_activity shows its COPY waiting on the lock; the
# lock is let go, the COPY writes rows until the socket is full
# (ClientWrite: rows are on their way), its backend is ended -- by
# pg_terminate_backend(), then by `pg_ctl stop -m immediate` -- and the
# summary let go on; and once terminated before any row, while the COPY
# waits on the lock. It must exit 75 (EX_TEMPFAIL: try again later), say
# the connection was lost, and write nothing on standard output: a
# summary of the rows read before would be a lie about the window.
#
# Before that, lines whose jsonb is valid JSON but not a store record,
# inserted as the table owner, are skipped and counted as damaged store
# lines (problems.damaged-lines, with the place), every other figure as
# without them; never a crash, never an abort of the summary.
#
# Both are about the lines: the summary runs with --no-rollups, as every
# day here is finished and would otherwise be replayed from the rollups
# tlsrpt-ship uploaded (t-summary-pg.sh has the damaged rollups). Once
# more with the rollups: the backend ended while the summary waits to
# read which days have one (tlsrpt_rollup locked) -- exit 75 too.
. "$TLSRPT_TOP/tests/scripts/lib.inc"
. "$TLSRPT_TOP/tests/scripts/pg-cluster.inc"
ship=$TLSRPT_BUILD/tlsrpt-ship
summary=$TLSRPT_BUILD/tlsrpt-summary
gen=$TLSRPT_BUILD/tests/bench/gen-store
[ -x "$ship" ] || fail "no $ship"
[ -x "$gen" ] || fail "no $gen (make $gen)"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
t=$(tmpdir)
pid=
trap '[ -z "$pid" ] || kill -CONT "$pid" 2>/dev/null; pg_stop immediate; rm -rf "$t"' EXIT
pg_setup "$t"

# gen-store's NOW: 2026-11-30T08:53:20Z; eight days before it.
"$gen" -D 200 -R 14 "$t/mx1" 20000 8 7 1796000000 >/dev/null || fail "gen-store"
printf 'AllowRoot yes\n' >"$t/c.conf"
"$ship" --init >/dev/null || fail "tlsrpt-ship --init"
"$ship" --host mx1 "$t/mx1" || fail "tlsrpt-ship"
url="postgresql:///$PGDATABASE?host=$PGHOST&port=$PGPORT&user=$PGUSER"
args="-c $t/c.conf --now 2026-11-30T12:00:00Z --since 8d --no-rollups -d $url"

# --- hostile rows: valid JSON, no record ---------------------------------
# shellcheck disable=SC2086
"$summary" $args --format json >"$t/before.json" 2>"$t/before.err"
[ $? -le 1 ] || fail "before the hostile rows: $(cat "$t/before.err")"
n=0
for j in 'null' '[]' '"a line"' '42' '{}' '{"organization-name": 5}' \
	'{"policy-domain": {"a": [[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]}}' \
	'{"version": 1, "organization-name": "x", "report-id": "y"}'; do
	n=$((n + 1))
	pg_psql "INSERT INTO tlsrpt_policy_line SELECT received, organization,
		report_id || '-hostile-$n', digest, 0, 1, start_time, end_time,
		policy_type, policy_domain, sts_mode, mx_host, successful, failed,
		dkim, dkim_domain, source, host, ship_host, \$j\$$j\$j\$::jsonb
		FROM tlsrpt_policy_line ORDER BY received DESC LIMIT 1" ||
		fail "inserting $j"
done
# A valid record, but longer than any line a store holds (a report of
# MaxReportBytes, twice over): skipped before it is decoded, as in a day
# file, whatever the database handed over.
n=$((n + 1))
pg_psql "INSERT INTO tlsrpt_policy_line SELECT received, organization,
	report_id || '-long', digest, 0, 1, start_time, end_time,
	policy_type, policy_domain, sts_mode, mx_host, successful, failed,
	dkim, dkim_domain, source, host, ship_host,
	jsonb_set(line, '{report-id}', to_jsonb(report_id || '-long')) ||
	jsonb_build_object('x-pad', repeat('a', 34 * 1024 * 1024))
	FROM tlsrpt_policy_line ORDER BY received DESC LIMIT 1" ||
	fail "inserting a long line"
# shellcheck disable=SC2086
"$summary" $args --format json >"$t/after.json" 2>"$t/after.err"
rc=$?
[ "$rc" -le 1 ] || fail "the hostile rows: exit $rc: $(cat "$t/after.err")"
python3 - "$t/before.json" "$t/after.json" "$n" <<'PY' || fail "the hostile rows are not counted as damaged lines"
import json, sys
b = json.load(open(sys.argv[1]))
a = json.load(open(sys.argv[2]))
n = int(sys.argv[3])
assert b["problems"]["damaged-lines"] == 0, b["problems"]
assert a["problems"]["damaged-lines"] == n, a["problems"]
ex = a["problems"]["damaged-examples"]
assert ex and all(e.startswith("the database, row ") for e in ex), ex
assert b["totals"]["reports"] > 1000, b["totals"]
assert a["totals"] == b["totals"], (a["totals"], b["totals"])
assert a["domains"] == b["domains"]
PY
# shellcheck disable=SC2086
"$summary" $args >"$t/after.txt" 2>"$t/after.err"
[ $? -le 1 ] || fail "the hostile rows, text: $(cat "$t/after.err")"
grep -q "$n damaged store lines" "$t/after.txt" ||
	fail "the text does not count the hostile rows: $(cat "$t/after.txt")"
echo "ok - $n rows of valid JSON but no record: skipped and counted"

# --- another host's name, with control characters ------------------------
# A host's shipper names itself (--host): a damaged rollup of such a host
# is said on the summary's standard error, escaped, not raw.
"$gen" -D 5 -R 2 "$t/evil" 200 2 1 1796000000 >/dev/null || fail "gen-store evil"
"$ship" --host "$(printf 'evil\033]0;owned\007')" "$t/evil" ||
	fail "tlsrpt-ship evil"
pg_psql "UPDATE tlsrpt_rollup SET rollup = set_byte(rollup, 100,
	get_byte(rollup, 100) # 1) WHERE ship_host LIKE 'evil%'" ||
	fail "damaging the rollup"
# shellcheck disable=SC2086
"$summary" $(echo "$args" | sed 's/ --no-rollups//') >/dev/null 2>"$t/evil.err"
[ $? -le 1 ] || fail "evil: $(cat "$t/evil.err")"
grep -q 'rollup of evil\\x1b\]0;owned\\x07:' "$t/evil.err" ||
	fail "the host is not named, escaped: $(cat -v "$t/evil.err")"
! grep -q "$(printf '\033')" "$t/evil.err" ||
	fail "a control character reached standard error: $(cat -v "$t/evil.err")"
pg_psql "DELETE FROM tlsrpt_rollup WHERE ship_host LIKE 'evil%'" ||
	fail "deleting the rollup"
echo "ok - another host's name with control characters: said escaped"

# --- the database lost in the middle of the read -------------------------
# One value from pg_stat_activity: WHERE.
activity() {
	pg_psql "SELECT $1 FROM pg_stat_activity WHERE pid <> pg_backend_pid()
		AND $2"
}

# lost HOW: the lines' table locked, so that the summary's COPY waits at
# its start; the summary stopped; the lock let go, so that the COPY
# writes rows until the socket is full (ClientWrite); the backend ended
# HOW ("terminate" or "immediate"); the summary let go on. The same
# every run, whatever the speed of the machine. "waiting": the backend
# terminated while its COPY waits on the lock.
lost() {
	lock_table tlsrpt_policy_line "$1"
	# shellcheck disable=SC2086
	"$summary" $args --format json >"$t/lost.out" 2>"$t/lost.err" &
	pid=$!
	copy="query LIKE 'COPY (SELECT line::text FROM tlsrpt_policy_line%'"
	backend=$(wait_for "$1: the COPY waiting on the lock" "$copy AND wait_event_type = 'Lock'")
	if [ "$1" = waiting ]; then
		# ended before its first row: the COPY's start fails
		[ "$(pg_psql "SELECT pg_terminate_backend($backend, 10000)")" = t ] ||
			fail "pg_terminate_backend($backend)"
		wait "$pid"
		rc=$?
		pg_psql "SELECT pg_cancel_backend($(cat "$t/locker"))" >/dev/null
		wait "$locker"
	else
		kill -STOP "$pid" || fail "SIGSTOP"
		pg_psql "SELECT pg_cancel_backend($(cat "$t/locker"))" >/dev/null
		wait "$locker"
		wait_for "$1: the COPY waiting on the summary" \
			"pid = $backend AND wait_event = 'ClientWrite'" >/dev/null
		case $1 in
		terminate)
			[ "$(pg_psql "SELECT pg_terminate_backend($backend, 10000)")" = t ] ||
				fail "pg_terminate_backend($backend)"
			;;
		immediate) pg_stop immediate || fail "pg_ctl stop -m immediate" ;;
		esac
		kill -CONT "$pid" || fail "SIGCONT"
		wait "$pid"
		rc=$?
	fi
	pid=
	lost_said "$1" "$rc"
}

# lock_table TABLE WHAT: a session (pid in $locker, its backend's in
# $t/locker) holding TABLE locked until its backend is cancelled.
lock_table() {
	PGAPPNAME=locker psql -XAtq -c "BEGIN; LOCK TABLE $1
		IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(600)" \
		>/dev/null 2>&1 &
	locker=$!
	wait_for "$2: the lock" "application_name = 'locker' AND wait_event = 'PgSleep'" >"$t/locker"
}

# lost_said WHAT RC: exit 75, nothing on standard output, one clear line.
lost_said() {
	[ "$2" -eq 75 ] ||
		fail "$1: exit $2, want 75 (EX_TEMPFAIL): $(cat "$t/lost.err")"
	[ ! -s "$t/lost.out" ] ||
		fail "$1: a summary of half the rows was written: $(head -c 300 "$t/lost.out")"
	grep -q '^tlsrpt-summary: reading the [a-z ]*: lost the connection to the database, nothing summarised (try again later): ' "$t/lost.err" ||
		fail "$1: no clear message: $(cat "$t/lost.err")"
	[ "$(wc -l <"$t/lost.err")" -le 3 ] || fail "$1: $(cat "$t/lost.err")"
	grep -qi 'sanitizer\|runtime error' "$t/lost.err" && fail "$1: $(cat "$t/lost.err")"
	echo "ok - the backend gone ($1): exit 75, $(head -1 "$t/lost.err")"
}

# The same while the summary, with its rollups this time, waits to read
# which days have one: tlsrpt_rollup locked, the waiting backend ended.
lost_rollups() {
	lock_table tlsrpt_rollup rollups
	# shellcheck disable=SC2086
	"$summary" $(echo "$args" | sed 's/ --no-rollups//') --format json \
		>"$t/lost.out" 2>"$t/lost.err" &
	pid=$!
	backend=$(wait_for "rollups: the query waiting on the lock" \
		"application_name <> 'locker' AND query LIKE '%tlsrpt_rollup%' AND wait_event_type = 'Lock'")
	[ "$(pg_psql "SELECT pg_terminate_backend($backend, 10000)")" = t ] ||
		fail "pg_terminate_backend($backend)"
	wait "$pid"
	rc=$?
	pid=
	pg_psql "SELECT pg_cancel_backend($(cat "$t/locker"))" >/dev/null
	wait "$locker"
	lost_said "rollups, waiting" "$rc"
}

# wait_for WHAT WHERE: the pid of the backend WHERE, within 60 s.
wait_for() {
	i=0
	while :; do
		w=$(activity pid "$2")
		[ -z "$w" ] || break
		i=$((i + 1))
		[ "$i" -le 600 ] || fail "$1: not seen in 60 s"
		[ -z "$pid" ] || kill -0 "$pid" 2>/dev/null ||
			fail "$1: the summary ended first: $(cat "$t/lost.err")"
		sleep 0.1
	done
	echo "$w"
}
lost waiting
lost terminate
lost_rollups
lost immediate
