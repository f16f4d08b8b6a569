# SPDX-License-Identifier: BSD-2-Clause
# t-summary-cli.sh -- tlsrpt-summary as cron and a postmaster run it:
# options, exit statuses (0 no failures, 1 failures, 64 usage, 66 no
# store), two stores read as one, --verified-only, --by every view in every
# format, -c reading StoreDirectory. The stores come from gen-store-like
# data written by the ingest of the committed samples when tlsrpt-ingest
# works, else are skipped; the numbers themselves are checked by
# tests/unit/check_aggregate.c.
. "$TLSRPT_TOP/tests/scripts/lib.inc"
summary=$TLSRPT_BUILD/tlsrpt-summary
ingest=$TLSRPT_BUILD/tlsrpt-ingest
samples=$TLSRPT_TOP/samples
[ -x "$summary" ] || skip "no $summary"
[ -x "$ingest" ] || skip "no $ingest"
t=$(tmpdir)
trap 'rm -rf "$t"' EXIT
# Root writes these temp stores: a store no user owns needs AllowRoot.
echo "AllowRoot yes" >"$t/empty.conf"

# --help, --version, usage errors
"$summary" --help | grep -q '^usage: tlsrpt-summary' || fail "--help"
"$summary" -V | grep -q '^tlsrpt-summary [0-9]' || fail "-V"
expect_status 64 "$summary" --no-such-option 2>/dev/null
expect_status 64 "$summary" -d "$t" --format xml 2>/dev/null
expect_status 64 "$summary" -d "$t" --by nothing 2>/dev/null
expect_status 64 "$summary" -d "$t" --since yesterday 2>"$t/err"
grep -q '7d' "$t/err" || fail "bad WHEN not explained"
expect_status 64 "$summary" -d "$t" --since 2026-11-20 --until 2026-11-20 2>/dev/null
expect_status 64 "$summary" -d "$t" extra 2>/dev/null

# a missing store directory
expect_status 66 "$summary" -d "$t/missing" 2>"$t/err"
grep -q "$t/missing" "$t/err" || fail "missing store not named"

# an empty store: no failures, so 0, and the verdict says no data
mkdir "$t/empty"
expect_status 0 "$summary" -d "$t/empty" >"$t/out"
head -1 "$t/out" | grep -q '^NO DATA' || fail "no-data verdict: $(head -1 "$t/out")"

# two stores: the samples (received now) in A, the Google one again in B
"$ingest" -c "$t/empty.conf" -d "$t/a" "$samples"/*.eml "$samples"/*.json.gz >/dev/null ||
	fail "ingest into store a"
"$ingest" -c "$t/empty.conf" -d "$t/b" "$samples/google-example.org.eml" >/dev/null ||
	fail "ingest into store b"
# Microsoft's sample has failed sessions: exit 1
expect_status 1 "$summary" -d "$t/a" >"$t/one"
expect_status 1 "$summary" -d "$t/a" -d "$t/b" >"$t/two"
head -1 "$t/two" | grep -q '^FAILURES: ' || fail "verdict first: $(head -1 "$t/two")"
# the duplicate in b is counted once: the same domain table
sed -n '/^DOMAINS/,/^$/p' "$t/one" >"$t/one.dom"
sed -n '/^DOMAINS/,/^$/p' "$t/two" >"$t/two.dom"
cmp -s "$t/one.dom" "$t/two.dom" || fail "duplicate across stores counted twice"
grep -q '^example.org ' "$t/two" || fail "no example.org row"
awk 'length > 80 { bad = 1 } END { exit bad }' "$t/two" || fail "text wider than 80 columns"

# a window before the reports: nothing, exit 0
expect_status 0 "$summary" -d "$t/a" --since 2000-01-01 --until 2000-01-08 >/dev/null

# --verified-only: the ingested files carry no DKIM verdict, so nothing
# counts, and the data problems say why
expect_status 0 "$summary" -d "$t/a" --verified-only >"$t/out"
grep -q 'reports left out: no DKIM pass' "$t/out" || fail "--verified-only problem line"

# --domain: only that one; an unknown one is reported silent
expect_status 0 "$summary" -d "$t/a" --domain nothere.example >"$t/out"
grep -q '^nothere.example: no report in the window' "$t/out" || fail "silent domain"

# A report claiming Google's name from another domain (its contact-info:
# a file has no submitter) is an impersonation: listed, counted nowhere.
known=$TLSRPT_TOP/contrib/known-reporters
"$summary" -d "$t/a" --known-reporters "$known" --format json >"$t/before"
python3 - "$t/forged.json" <<'PY'
import json, sys
json.dump({"organization-name": "Google Inc.",
           "date-range": {"start-datetime": "2026-01-01T00:00:00Z",
                          "end-datetime": "2026-01-01T23:59:59Z"},
           "contact-info": "mailto:smtp-tls-reporting@evil.example",
           "report-id": "forged-1",
           "policies": [{"policy": {"policy-type": "no-policy-found",
                                    "policy-domain": "example.org"},
                         "summary": {"total-successful-session-count": 999999,
                                     "total-failure-session-count": 0}}]},
          open(sys.argv[1], "w"))
PY
"$ingest" -c "$t/empty.conf" -d "$t/a" "$t/forged.json" >/dev/null || fail "ingest forged"
"$summary" -d "$t/a" --known-reporters "$known" --format json >"$t/after"
python3 - "$t/before" "$t/after" <<'PY' || fail "impersonation counted or not listed"
import json, sys
b, a = (json.load(open(f)) for f in sys.argv[1:3])
assert a["totals"] == b["totals"], (a["totals"], b["totals"])
assert a["domains"] == b["domains"]
assert [x["sent-from"] for x in a["impersonations"]] == ["evil.example"]
assert a["problems"]["impersonated-reports"] == 1
PY
"$summary" -d "$t/a" --known-reporters "$known" --by sender >"$t/out"
grep -q 'IMPERSONATION: claims Google Inc. but sent from evil.example' "$t/out" ||
	fail "impersonation line: $(cat "$t/out")"
expect_status 1 "$summary" -d "$t/a" --known-reporters "$known" >"$t/out"
awk 'length > 80 { bad = 1 } END { exit bad }' "$t/out" || fail "impersonation text wider than 80 columns"
grep -q '^1 reports claim a known reporter' "$t/out" || fail "impersonation not a data problem"
# without the known reporters nothing is an impersonation
: >"$t/none"
"$summary" -d "$t/a" --known-reporters "$t/none" --by sender >"$t/out"
grep -q "IMPERSONATION:" "$t/out" && fail "impersonation without known reporters"
expect_status 66 "$summary" -d "$t/a" --known-reporters "$t/missing" 2>"$t/err"
grep -q "$t/missing" "$t/err" || fail "missing known reporters not named"
printf 'not-a-domain/ Name\n' >"$t/bad"
expect_status 65 "$summary" -d "$t/a" --known-reporters "$t/bad" 2>/dev/null

# every view in every format
for view in domain org result mx sending-ip day report sender; do
	for fmt in text json csv; do
		"$summary" -d "$t/a" --known-reporters "$known" --by $view --format $fmt >"$t/out"
		rc=$?
		[ $rc -eq 1 ] || fail "--by $view --format $fmt exited $rc"
		[ -s "$t/out" ] || fail "--by $view --format $fmt printed nothing"
	done
	python3 - "$t/out" "$view" <<'PY' || fail "csv --by $view"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
assert len(rows) >= 2, rows
assert all(len(r) == len(rows[0]) for r in rows), rows
PY
	"$summary" -d "$t/a" --known-reporters "$known" --by $view --format json >"$t/out"
	python3 - "$t/out" "$view" <<'PY' || fail "json --by $view"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "tlsrpt-summary/2" and d["view"] == sys.argv[2]
assert len(d["rows"]) >= 1
PY
done
"$summary" -d "$t/a" --format json >"$t/out"
python3 - "$t/out" <<'PY' || fail "json document"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["verdict"]["status"] == "failures"
dom = {x["domain"]: x for x in d["domains"]}
assert dom["example.org"]["failures"] > 0
assert any(r["result-type"] == "certificate-expired" for r in d["results"])
PY

# -c: StoreDirectory from the milter's configuration (-d wins)
printf '# a milter config\nSocket inet:8895@127.0.0.1\nstoredirectory   %s  \n' "$t/a" >"$t/milter.conf"
expect_status 1 "$summary" -c "$t/milter.conf" >/dev/null
expect_status 0 "$summary" -c "$t/milter.conf" -d "$t/empty" >/dev/null
expect_status 66 "$summary" -c "$t/nope.conf" 2>/dev/null
exit 0
