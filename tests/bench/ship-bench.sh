#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# ship-bench.sh BUILD DIR N RUNS -- row 6 of `make bench` (run-bench.sh):
# tlsrpt-ship's lines/s from a generated store of N lines into a private
# PostgreSQL cluster (tests/scripts/pg-cluster.inc; a fresh database per
# run), against a plain COPY of the same lines into one jsonb column: what
# the typed columns, failure details, the exactly-once key and the cursor
# cost over moving the bytes. Medians of RUNS. Prints the rows; exit 77
# when PostgreSQL is not installed.
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
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f\n", n / (b - a) }'; }

pg_setup "$T/shipbench"
"$B/tests/bench/gen-store" "$T/shipstore" "$N" 30 1 1795737600 >/dev/null ||
	fail "gen-store"
lines=$(cat "$T/shipstore"/tlsrpt-*.jsonl | wc -l)
: >"$T/ship.r"
: >"$T/copy.r"
for r in $(seq "$RUNS"); do
	PGOPTIONS="-c client_min_messages=warning" pg_psql "DROP DATABASE IF EXISTS b" && pg_psql "CREATE DATABASE b" || fail "createdb"
	PGDATABASE=b "$B/tlsrpt-ship" --init >/dev/null || fail "--init"
	a=$(now)
	PGDATABASE=b "$B/tlsrpt-ship" --host bench "$T/shipstore" || fail "tlsrpt-ship"
	rate "$lines" "$a" "$(now)" >>"$T/ship.r"
	PGDATABASE=b pg_psql "CREATE TABLE raw (line jsonb)" || fail "create raw"
	a=$(now)
	cat "$T/shipstore"/tlsrpt-*.jsonl | PGDATABASE=b psql -XAtq -v ON_ERROR_STOP=1 \
		-c "COPY raw FROM STDIN WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')" ||
		fail "COPY"
	rate "$lines" "$a" "$(now)" >>"$T/copy.r"
done
o=$(median <"$T/ship.r")
c=$(median <"$T/copy.r")
row "6 ship $lines lines to PostgreSQL, lines/s" "$o" "$c (COPY)" "$(awk -v a="$o" -v b="$c" 'BEGIN { printf "%.2f", a / b }')" "(no floor yet)"
