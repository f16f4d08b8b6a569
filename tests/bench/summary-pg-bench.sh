#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# summary-pg-bench.sh BUILD DIR N RUNS -- row 7 of `make bench`
# (run-bench.sh): tlsrpt-summary over a generated store of N lines read
# from PostgreSQL (-d postgresql://, after tlsrpt-ship loaded it into a
# private cluster: tests/scripts/pg-cluster.inc) against the same from the
# store directory, with its rollups (the default, after one run wrote
# them) and without (--no-rollups); from the database both ways too: the
# rollups tlsrpt-ship uploaded (the default) and every line
# (--no-rollups). The lines are received over 120
# days, the look-back of a 30-day view; the last 30 days, JSON; wall
# seconds, medians of RUNS after one warm-up run each. BENCH_PG_N in
# run-bench.sh sets N (10^6, 10^7). Prints the rows; exit 77 when
# PostgreSQL is not installed.
set -u
B=$1
T=$2
N=$3
RUNS=$4
TLSRPT_TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TLSRPT_TOP/tests/scripts/lib.inc"
. "$TLSRPT_TOP/tests/scripts/pg-cluster.inc"
trap 'pg_stop immediate' EXIT
. "$(dirname "$0")/bench.inc"
NOW=1795737600 # gen-store's; --now the same as a date
WHEN=$(date -u -d "@$NOW" +%Y-%m-%dT%H:%M:%SZ)

pg_setup "$T/sumpgbench"
"$B/tests/bench/gen-store" "$T/sumpgstore" "$N" 120 1 "$NOW" >/dev/null ||
	fail "gen-store"
"$B/tlsrpt-ship" --init >/dev/null || fail "--init"
"$B/tlsrpt-ship" --host bench "$T/sumpgstore" || fail "tlsrpt-ship"
pg_psql "VACUUM ANALYZE" || fail "vacuum"
url="postgresql:///$PGDATABASE?host=$PGHOST&port=$PGPORT&user=$PGUSER"
printf 'AllowRoot yes\n' >"$T/sumpg.conf"
# time NAME ARGS...: seconds of RUNS runs after a warm-up, in $T/NAME.r
time_runs() {
	name=$1
	shift
	: >"$T/$name.r"
	for r in $(seq 0 "$RUNS"); do
		a=$(now)
		"$B/tlsrpt-summary" -c "$T/sumpg.conf" --now "$WHEN" --since 30d \
			--format json "$@" >"$T/$name.out"
		[ $? -le 1 ] || fail "tlsrpt-summary $*"
		[ "$r" -eq 0 ] ||
			awk -v a="$a" -v b="$(now)" 'BEGIN { printf "%.3f\n", b - a }' >>"$T/$name.r"
	done
}
time_runs db -d "$url"
time_runs dblines -d "$url" --no-rollups
time_runs files -d "$T/sumpgstore"
time_runs lines -d "$T/sumpgstore" --no-rollups
# The same answer (but what t-summary-pg.sh masks too).
mask() { sed -e 's/"files-read": [0-9]*//' -e 's/"duplicate-lines": [0-9]*//' "$1"; }
mask "$T/db.out" >"$T/db.m"
mask "$T/files.out" >"$T/files.m"
cmp -s "$T/db.m" "$T/files.m" || fail "the database's summary is not the files'"
mask "$T/dblines.out" >"$T/dblines.m"
cmp -s "$T/dblines.m" "$T/files.m" || fail "the database's lines' summary is not the files'"
d=$(median <"$T/db.r")
dl=$(median <"$T/dblines.r")
f=$(median <"$T/files.r")
l=$(median <"$T/lines.r")
row "7 summary $N lines 30d: PostgreSQL / files, s" "$d" "$f (rollups)" "$(ratio "$d" "$f")" "(no floor yet)"
row "7   the same / files without rollups, s" "$d" "$l (lines)" "$(ratio "$d" "$l")" ""
row "7   the database's lines (--no-rollups) / its rollups, s" "$dl" "$d" "$(ratio "$dl" "$d")" ""
