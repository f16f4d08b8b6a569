#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-forged-counts.sh -- issue 15, case 1: counts near 2^53 in three forged
# reports, summed with a genuine report's 23 failed sessions, must not make
# those failures vanish. The forged reports are refused at intake
# (MaxSessionCount); the same counts as lines of an old store (written
# before the bound) are skipped as damaged; tlsrpt-summary still says
# FAILURES, exits 1, exports the 23 to Prometheus and the domain is not
# ready to enforce. Before the bound the forged counts wrapped the signed
# 64-bit sums to exactly the genuine report's: verdict OK, exit 0.
. "$TLSRPT_TOP/tests/scripts/lib.inc"
summary=$TLSRPT_BUILD/tlsrpt-summary
ingest=$TLSRPT_BUILD/tlsrpt-ingest
[ -x "$summary" ] || skip "no $summary"
[ -x "$ingest" ] || skip "no $ingest"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
t=$(tmpdir)
trap 'rm -rf "$t"' EXIT
# Root writes these temp stores: a store no user owns needs AllowRoot.
echo "AllowRoot yes" >"$t/empty.conf"

python3 "$TLSRPT_TOP/tests/scripts/gen-forged-counts.py" "$t/in" || fail "gen-forged-counts.py"

# intake: the genuine report stored, the forged ones refused with the path
# and the limit; exit 65 (some input held no valid report)
expect_status 65 "$ingest" -c "$t/empty.conf" -d "$t/store" \
	"$t/in/genuine.json" "$t/in"/forged-*.json >"$t/out" 2>"$t/err"
grep -q "genuine.json: stored Genuine Reporter" "$t/out" || fail "genuine report not stored: $(cat "$t/out")"
[ "$(grep -c 'policies\[0\]\.summary\.total-failure-session-count: .*(MaxSessionCount)' "$t/err")" -eq 3 ] ||
	fail "forged reports not refused by MaxSessionCount: $(cat "$t/err")"
[ "$(cat "$t/store"/*.jsonl | wc -l)" -eq 1 ] || fail "a forged report reached the store"
echo "ok - forged counts refused at intake, the genuine report stored"

check_summary() { # $1: what the store holds
	expect_status 1 "$summary" -d "$t/store" >"$t/text"
	head -1 "$t/text" | grep -q '^FAILURES: 23 of 1000 TLS sessions' ||
		fail "$1: verdict $(head -1 "$t/text")"
	expect_status 1 "$summary" -d "$t/store" --format prometheus >"$t/prom"
	grep -q '^tlsrpt_sessions{domain="example.org",result="failure"} 23$' "$t/prom" ||
		fail "$1: Prometheus does not export the 23 failures: $(grep '^tlsrpt_sessions' "$t/prom")"
	expect_status 1 "$summary" -d "$t/store" --format json >"$t/json"
	python3 - "$t/json" <<'PY' || fail "$1: JSON totals or readiness wrong"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["totals"]["failures"] == 23, d["totals"]
dom = [x for x in d["domains"] if x["domain"] == "example.org"][0]
assert dom["readiness"]["verdict"] != "ready", dom["readiness"]
PY
}
check_summary "the genuine report alone"
echo "ok - the summary counts the genuine 23 failures, exit 1"

# an old store: the forged counts as lines written before the bound (2048
# counts of 2^53 - 1 wrap the sum to -2048)
python3 - "$t/store" "$t/in/forged-counts" <<'PY' || fail "writing forged store lines"
import glob, json, sys
path = glob.glob(sys.argv[1] + "/*.jsonl")[0]
line = json.loads(open(path).readline())
# Only the huge ones: a line within the bound is a valid line on its own.
counts = [int(c) for c in open(sys.argv[2]) if int(c) > 10**9]
with open(path, "a") as f:
    for i, c in enumerate(counts):
        line.update({"organization-name": "Forger", "report-id": "old-forged",
                     "policy-index": i, "policy-count": len(counts)})
        line["summary"] = {"total-successful-session-count": 0,
                           "total-failure-session-count": c}
        line["failure-details"][0]["failed-session-count"] = c
        f.write(json.dumps(line, separators=(",", ":")) + "\n")
PY
check_summary "an old store holding forged lines"
grep -q 'damaged' "$t/text" || fail "the forged store lines are not reported as damaged"
grep -q 'MaxSessionCount' "$t/text" || fail "the damage does not name MaxSessionCount"
echo "ok - forged lines of an old store are skipped as damaged"
