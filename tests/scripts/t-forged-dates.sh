#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-forged-dates.sh -- issue 15, case 5, through tlsrpt-ingest: a date-time
# outside the years 0001-9999 once in UTC ("0000-01-01T00:00:00+23:59") is
# refused, where it used to be "stored" as a line the store's own reader
# then called damaged; a report ending more than a day after its receipt
# is refused; an old report (an archive) and one ending within the day of
# clock skew are stored; the store reads back without a damaged line.
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

# name start end: a small valid report with that date-range
python3 - "$t" <<'PY' || fail "writing the reports"
import datetime, json, sys
now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
iso = lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")
cases = {
    "year-zero": ("0000-01-01T00:00:00+23:59", "0000-01-02T00:00:00+23:59"),
    "year-10000": ("9999-12-31T00:00:00Z", "9999-12-31T23:30:00-01:00"),
    "future": (iso(now + datetime.timedelta(days=1)), iso(now + datetime.timedelta(days=2))),
    "skewed": (iso(now - datetime.timedelta(hours=12)), iso(now + datetime.timedelta(hours=12))),
    "archive": ("2020-02-29T00:00:00Z", "2020-02-29T23:59:59Z"),
}
for name, (start, end) in cases.items():
    r = {"organization-name": "Dates", "report-id": name,
         "date-range": {"start-datetime": start, "end-datetime": end},
         "policies": [{"policy": {"policy-type": "sts", "policy-domain": "example.org",
                                  "policy-string": ["version: STSv1", "mode: enforce",
                                                    "mx: mx1.example.org", "max_age: 86400"]},
                       "summary": {"total-successful-session-count": 5}}]}
    json.dump(r, open(f"{sys.argv[1]}/{name}.json", "w"))
PY

for name in year-zero year-10000 future; do
	expect_status 65 "$ingest" -c "$t/empty.conf" -d "$t/store" "$t/$name.json" >"$t/out" 2>"$t/err"
	cat "$t/out" "$t/err" >"$t/all"
	grep -q "stored" "$t/out" && fail "$name: stored: $(cat "$t/all")"
	case $name in
	future) grep -q 'date-range.end-datetime: .* is more than a day after the report was received' "$t/err" ;;
	*) grep -q 'date-range\.\(start\|end\)-datetime: ".*" is outside the years 0001-9999 (UTC)' "$t/err" ;;
	esac || fail "$name: no reason given: $(cat "$t/all")"
done
echo "ok - dates outside 0001-9999 (UTC) and a range ending in the future are refused"

for name in skewed archive; do
	expect_status 0 "$ingest" -c "$t/empty.conf" -d "$t/store" "$t/$name.json" >"$t/out" 2>&1
	grep -q "stored Dates $name" "$t/out" || fail "$name not stored: $(cat "$t/out")"
done
echo "ok - an archived report and one within a day of clock skew are stored"

# Every line the store holds reads back: no damaged line in any window.
"$summary" -d "$t/store" --since 2020-01-01 --format json >"$t/json"
python3 - "$t/json" <<'PY' || fail "the store reads back damaged: $(cat "$t/json")"
import json, sys
d = json.load(open(sys.argv[1]))
p = d["problems"]
assert p["damaged-lines"] == 0, p
assert d["totals"]["reports"] == 2, d["totals"]
PY
echo "ok - the store reads back every line it wrote"
