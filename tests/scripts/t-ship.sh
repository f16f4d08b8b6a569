#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-ship.sh -- tlsrpt-ship: three MX hosts' stores into one PostgreSQL,
# exactly once (issue 20), on a private cluster (pg-cluster.inc).
#
# Three tlsrpt-ingest write three stores at once (the reports of
# gen-ship-reports.py: a third of them reach two hosts, one report id
# comes in two versions), and each host's probe its findings; meanwhile
# three tlsrpt-ship loops (one per host, batches of a few lines) ship
# them into one database, a killer SIGKILLs
# a running shipper 20 times, and the database is crashed (pg_ctl -m
# immediate) and started again half-way. Then psql must find every report
# version exactly once with all its lines and failure details, both
# versions of the conflicting id flagged, each store's cursors at the end
# of its day files, each host's findings lines once and in order, and
# the sessions of tlsrpt-summary --format json over the three store
# directories merged, in total and per domain.
. "$TLSRPT_TOP/tests/scripts/lib.inc"
. "$TLSRPT_TOP/tests/scripts/pg-cluster.inc"
ship=$TLSRPT_BUILD/tlsrpt-ship
ingest=$TLSRPT_BUILD/tlsrpt-ingest
summary=$TLSRPT_BUILD/tlsrpt-summary
[ -x "$ship" ] || fail "no $ship"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
t=$(tmpdir)
trap '[ -n "$KEEP" ] && cp "$pg_dir/server.log" /tmp/ship-server.log; pg_stop immediate; kill $(cat "$t"/bg.* 2>/dev/null) 2>/dev/null; wait; rm -rf "$t"' EXIT
pg_setup "$t"
# Fsync none: the stores' own durability is not what is tested here.
printf 'AllowRoot yes\nFsync none\n' >"$t/c.conf"

# The options; no schema yet: 78 and what to run.
"$ship" --help | grep -q '^usage: tlsrpt-ship' || fail "--help"
"$ship" --version | grep -q '^tlsrpt-ship [0-9]' || fail "--version"
expect_status 64 "$ship" --batch 0 2>/dev/null
expect_status 64 "$ship" --init "$t" 2>/dev/null
mkdir "$t/empty"
expect_status 78 "$ship" "$t/empty" 2>"$t/err"
grep -q 'tlsrpt-ship --init' "$t/err" || fail "no schema: $(cat "$t/err")"
expect_status 78 "$ship" --migrate 2>"$t/err"
grep -q 'tlsrpt-ship --init' "$t/err" || fail "--migrate without a schema: $(cat "$t/err")"
expect_status 75 "$ship" -D "host=$t/nowhere" "$t/empty" 2>/dev/null
"$ship" --init >"$t/out" || fail "--init"
grep -q 'from version 0 to 3' "$t/out" || fail "--init: $(cat "$t/out")"
"$ship" --init >"$t/out" || fail "--init again"
expect_status 66 "$ship" "$t/missing" "$t/empty" 2>"$t/err"
grep -q "$t/missing" "$t/err" || fail "a missing store: $(cat "$t/err")"
"$ship" --migrate >"$t/out" || fail "--migrate"
grep -q 'at version 3 already' "$t/out" || fail "--migrate: $(cat "$t/out")"

python3 "$TLSRPT_TOP/tests/scripts/gen-ship-reports.py" "$t/gen" 1500 ||
	fail "gen-ship-reports.py"
exp() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$t/gen/expected.json" "$1"; }

# The three hosts' stores, written at once while they are shipped, 50
# reports an ingest run.
for h in mx1 mx2 mx3; do
	(
		ls "$t/gen/$h"/*.json | xargs -n 50 sh -c 'i=$0 c=$1 d=$2 && shift 2 && "$i" -q -c "$c" -d "$d" "$@" && sleep 0.2' \
			"$ingest" "$t/c.conf" "$t/$h" ||
			echo "$h" >>"$t/ingest-failed"
	) &
	echo $! >"$t/bg.ingest-$h"
	# and its probe's runs, as tlsrpt-probe -c writes them
	(
		i=0
		while [ "$i" -lt 40 ]; do
			i=$((i + 1))
			python3 "$TLSRPT_TOP/tests/scripts/gen-probe-findings.py" "$t/$h" \
				"$(date -u -d "@$(($(date -u +%s) - 7200 + i * 60))" +%Y-%m-%dT%H:%M:%SZ)" \
				"d$i.example=certificate-expired@$h.d$i.example/192.0.2.$i" "c$i.example" ||
				echo "$h: probe run $i" >>"$t/ingest-failed"
			sleep 0.1
		done
	) &
	echo $! >"$t/bg.probe-$h"
done

# A shipper loop per host: run until the ingests are over and the killer
# done, then once more; a killed or failed run (the database away) is
# run again. Each run's pid is in $t/pid.HOST for the killer.
ship_loop() {
	n=0
	while :; do
		[ -e "$t/stop" ] && last=1 || last=0
		"$ship" -D "application_name=ship-$1" --batch 2 --host "$1" "$t/$1" >/dev/null 2>>"$t/ship-$1.err" &
		echo $! >"$t/pid.$1"
		wait $!
		rc=$?
		echo "$rc" >>"$t/rc.$1"
		[ "$rc" -eq 0 ] && [ "$last" -eq 1 ] && break
		n=$((n + 1))
		[ "$n" -lt 2000 ] || { echo "$1: gave up" >>"$t/ingest-failed"; break; }
		[ "$rc" -eq 0 ] || sleep 0.1
	done
}
for h in mx1 mx2 mx3; do
	ship_loop "$h" 2>/dev/null & # not the shell's "Killed"s
	echo $! >"$t/bg.ship-$h"
done

# 20 SIGKILLs of a shipper in the middle of a batch (the database says
# its session is in a transaction), preferring each host in turn; the
# database crashed and started again after the tenth.
killed() { cat "$t"/rc.mx* 2>/dev/null | grep -c '^137$'; }
kills=0
crashed=0
give_up=$(($(date +%s) + 60))
while [ "$kills" -lt 20 ] && [ "$(date +%s)" -lt "$give_up" ]; do
	kills=$(killed)
	if [ "$kills" -ge 10 ] && [ "$crashed" -eq 0 ]; then
		pg_stop immediate || fail "pg_ctl stop -m immediate"
		sleep 0.5
		pg_start
		crashed=1
	fi
	busy=$(pg_psql "SELECT string_agg(application_name, ' ' ORDER BY application_name) FROM pg_stat_activity WHERE application_name LIKE 'ship-mx_' AND xact_start IS NOT NULL" 2>/dev/null)
	[ -n "$busy" ] || continue
	h=mx$((kills % 3 + 1))
	case " $busy " in
	*" ship-$h "*) ;;
	*) h=${busy%% *} && h=${h#ship-} ;;
	esac
	p=$(cat "$t/pid.$h" 2>/dev/null) || continue
	[ -n "$p" ] && kill -KILL "$p" 2>/dev/null
done
sleep 0.2
kills=$(killed)
[ "$kills" -ge 20 ] || fail "only $kills shipper runs killed mid-batch"
for h in mx1 mx2 mx3; do
	wait "$(cat "$t/bg.ingest-$h")"
	wait "$(cat "$t/bg.probe-$h")"
done
[ -e "$t/ingest-failed" ] && fail "ingest: $(cat "$t/ingest-failed")"
touch "$t/stop"
for h in mx1 mx2 mx3; do
	wait "$(cat "$t/bg.ship-$h")"
done
rm -f "$t"/bg.*
[ -e "$t/ingest-failed" ] && fail "$(cat "$t/ingest-failed")"
grep -q '^75$' "$t"/rc.mx* || fail "no shipper run saw the database go away"

# Every version once, with its lines and failure details; the conflict's
# two versions kept and flagged, nothing else; each host's cursor at the
# end of its day file. One psql run: each costs.
q() { pg_psql "$1" || fail "psql: $1"; }
sizes=
for h in mx1 mx2 mx3; do
	sizes="$sizes $h=$(stat -c %s "$t/$h"/tlsrpt-*.jsonl)" || fail "no day file in $h"
done
got=$(q "SELECT (SELECT count(*) FROM tlsrpt_report_version) || ' ' ||
	(SELECT count(*) FROM tlsrpt_policy_line) || ' ' ||
	(SELECT count(*) FROM (SELECT 1 FROM tlsrpt_policy_line GROUP BY organization, report_id, digest, policy_index HAVING count(*) > 1) d) || ' ' ||
	(SELECT count(*) FROM tlsrpt_failure_detail) || ' ' ||
	(SELECT count(*) FROM tlsrpt_policy_line WHERE failed > 0) || ' ' ||
	(SELECT sum(failed_session_count) FROM tlsrpt_failure_detail) || ' ' ||
	(SELECT sum(failed) FROM tlsrpt_policy_line) || ' ' ||
	(SELECT string_agg(report_id, ',') FROM tlsrpt_conflict) || ' ' ||
	(SELECT string_agg(ship_host || '=' || bytes, ' ' ORDER BY ship_host) FROM tlsrpt_ship_cursor WHERE stream = 'tlsrpt')")
set -- $got
[ "$1" -eq "$(exp versions)" ] || fail "versions: $1, want $(exp versions)"
[ "$2" -eq "$(exp lines)" ] || fail "lines: $2, want $(exp lines)"
[ "$3" -eq 0 ] || fail "$3 lines are there more than once"
[ "$4" -eq "$5" ] || fail "$4 failure details for $5 lines with failures"
[ "$6" -eq "$7" ] || fail "failure details count $6 failed sessions, the lines $7"
[ "$8" = "$(exp conflict),$(exp conflict)" ] || fail "conflicts: $8"
shift 8
[ " $*" = "$sizes" ] || fail "cursors:$*; day files:$sizes"

# Each host's findings lines once, in order, as its files have them.
for h in mx1 mx2 mx3; do
	cat "$t/$h"/probe-*.jsonl >"$t/probe-files"
	q "SELECT line FROM tlsrpt_probe_line WHERE ship_host = '$h' ORDER BY day, line_number" >"$t/probe-db"
	[ "$(wc -l <"$t/probe-files")" -eq 120 ] || fail "$h: $(wc -l <"$t/probe-files") findings lines written"
	diff "$t/probe-files" "$t/probe-db" >"$t/diff" || fail "$h: findings, files against database: $(head -5 "$t/diff")"
done

# Each version on the day it first arrived, whichever host shipped it
# first: its receipt is the earliest of its copies, its lines' too.
cat "$t"/mx*/tlsrpt-*.jsonl | python3 -c '
import json, sys
first = {}
for l in sys.stdin:
    r = json.loads(l)
    k = "|".join((r["organization-name"], r["report-id"], r.get("report-digest", "")))
    first[k] = min(first.get(k, r["received"]), r["received"])
for k in sorted(first):
    print(k + "|" + first[k])' >"$t/first-files"
q "SELECT k FROM (SELECT organization || '|' || report_id || '|' || digest || '|' || to_char(first_received AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS k FROM tlsrpt_report_version) v ORDER BY k COLLATE \"C\"" >"$t/first-db"
diff "$t/first-files" "$t/first-db" >"$t/diff" || fail "first receipts, files against database: $(head -5 "$t/diff")"
[ "$(q 'SELECT count(*) FROM tlsrpt_policy_line l JOIN tlsrpt_report_version v USING (organization, report_id, digest) WHERE l.received <> v.first_received')" -eq 0 ] ||
	fail "lines not at their version's first receipt"

# The same sessions as tlsrpt-summary over the three stores merged.
"$summary" -c "$t/c.conf" -d "$t/mx1" -d "$t/mx2" -d "$t/mx3" --since 30d \
	--all --format json >"$t/summary.json"
[ $? -le 1 ] || fail "tlsrpt-summary"
q "SELECT coalesce(policy_domain, '-') || ' ' || sum(successful + failed) || ' ' || sum(failed) FROM tlsrpt_line GROUP BY policy_domain ORDER BY policy_domain COLLATE \"C\"" >"$t/db-domains"
python3 - "$t/summary.json" >"$t/files-domains" <<'PY' || fail "reading the summary"
import json, sys
s = json.load(open(sys.argv[1]))
for d in sorted(s["domains"], key=lambda d: d["domain"]):
    if "probe" in d and d["sessions"] == 0:
        continue  # a domain only our probe names (d40): no policy line
    print(d["domain"], d["sessions"], d["failures"])
print("total", s["totals"]["sessions"], s["totals"]["failures"], s["totals"]["reports"])
PY
grep -v '^total' "$t/files-domains" >"$t/files-only"
diff "$t/files-only" "$t/db-domains" >"$t/diff" || fail "per domain, files against database: $(cat "$t/diff")"
total=$(q "SELECT sum(successful + failed) || ' ' || sum(failed) || ' ' || count(DISTINCT (organization, report_id)) FROM tlsrpt_line")
[ "total $total" = "$(grep '^total' "$t/files-domains")" ] ||
	fail "totals: database $total, files $(grep '^total' "$t/files-domains")"
[ "$total" = "$(exp sessions) $(exp failures) $(exp counted_reports)" ] ||
	fail "totals: $total, generated $(exp sessions) $(exp failures) $(exp counted_reports)"

# Every query of the Grafana dashboard (contrib/) runs on this schema,
# Grafana's macros expanded as its PostgreSQL data source does; the
# sessions it shows are the summary's.
python3 - "$TLSRPT_TOP/contrib/grafana-tlsrpt.json" >"$t/grafana.sql" <<'PY' || fail "reading the dashboard"
import json, re, sys
d = json.load(open(sys.argv[1]))
queries = [p["targets"][0]["rawSql"] for p in d["panels"]]
queries.append(d["templating"]["list"][0]["query"])
for q in queries:
    q = re.sub(r"\$__timeFilter\((\w+(?:\.\w+)?)\)", r"\1 >= now() - interval '30 days'", q)
    q = re.sub(r"\$__timeGroupAlias\((\w+), 1d\)", "date_trunc('day', \\1) AS time", q)
    q = q.replace("$domain", "SELECT policy_domain FROM tlsrpt_policy_line")
    assert "$" not in q, q
    print(q.replace("\n", " ") + ";")
PY
psql -XAtq -v ON_ERROR_STOP=1 -f "$t/grafana.sql" >"$t/grafana.out" 2>&1 ||
	fail "a dashboard query fails: $(cat "$t/grafana.out")"
[ "$(head -1 "$t/grafana.out" | cut -d'|' -f1-2)" = "$(exp sessions)|$(exp failures)" ] ||
	fail "the dashboard's sessions: $(head -1 "$t/grafana.out")"

# Nothing new: a run ships nothing.
"$ship" -v --host mx1 "$t/mx1" >"$t/out" || fail "a run with nothing new"
grep -q ': 0 lines in 0 transactions' "$t/out" || fail "nothing new: $(cat "$t/out")"
# One batch of more reports than the server's lock table holds (64 locks
# a transaction x 100 connections by default): the report keys' locks are
# taken in 256 buckets, so it ships (a lock per key failed with "out of
# shared memory").
"$TLSRPT_BUILD/tests/bench/gen-store" "$t/big" 20000 1 1 1795737600 >/dev/null ||
	fail "gen-store"
"$ship" --batch 20000 --host big "$t/big" >"$t/out" 2>&1 ||
	fail "a batch of 20,000 lines: $(cat "$t/out")"
big=$(psql -XAtq -c "SELECT count(*) FROM tlsrpt_policy_line WHERE ship_host = 'big'")
[ "$big" = "$(cat "$t"/big/tlsrpt-*.jsonl | wc -l)" ] ||
	fail "a batch of 20,000 lines: $big lines in the database"
echo "ok: $(exp versions) versions, $(exp lines) lines from $(exp copies) copies; 20 kills, one database crash"
