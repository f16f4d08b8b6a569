#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-summary-fleet-text.sh -- at 1,000 domains the text view, the verdict,
# the exit status and the digest's Subject lead with what is wrong (issue
# 18): with the gen-fleet store (7 failing, 3 silent, 2 not ready, 1 with a
# stray failure under the noise threshold), the first 25 lines name those
# 13 domains in order of impact and no healthy one; the healthy ones are
# one line and a cut list (--all lists them); the text is 72 columns; the
# Subject stays under 100 characters and names the worst domain, at 1,000
# and at 200 domains; the threshold options move the stray failure. The
# expectations come from what the generator says it wrote.
. "$TLSRPT_TOP/tests/scripts/lib.inc"

summary=$TLSRPT_BUILD/tlsrpt-summary
fleet=$TLSRPT_BUILD/tests/bench/gen-fleet
gen=$TLSRPT_BUILD/tests/bench/gen-store
[ -x "$summary" ] || fail "no $summary"
[ -x "$fleet" ] || fail "no $fleet (make $fleet)"
t=$(tmpdir)
trap 'rm -rf "$t"' EXIT

now=$(date -u -d 2026-12-06T00:00:00Z +%s)
"$fleet" "$t/store" "$now" >"$t/wrote" || fail "gen-fleet"
# "<kind> <domain> <failed a day>" in order of impact, then a total line.
awk '$1 != "total" { print $2 }' "$t/wrote" >"$t/problems"
awk '$1 == "below" { print $2 }' "$t/wrote" >"$t/below"
n_domains=$(sed -n 's/^total .* of \([0-9]*\) domains .*/\1/p' "$t/wrote")
n_problems=$(wc -l <"$t/problems")
n_healthy=$((n_domains - n_problems))
[ "$n_problems" -eq 13 ] && [ -s "$t/below" ] ||
	fail "gen-fleet wrote another fleet: $(cat "$t/wrote")"

run() {
	"$summary" -d "$t/store" --now 2026-12-06 --since 7d "$@"
}

start=$(date +%s%N)
expect_status 1 run >"$t/text"
ms=$((($(date +%s%N) - start) / 1000000))
echo "ok - text view of $n_domains domains in $ms ms"

# The first 25 lines: every problem domain, in order of impact (the order
# of first mention), and nothing else.
head -25 "$t/text" | grep -o 'domain[0-9]*\.example' | awk '!seen[$0]++' >"$t/first"
diff -u "$t/problems" "$t/first" || fail "the first 25 lines are not the problem domains, worst first"
echo "ok - the first 25 lines name the $n_problems problem domains worst first, no healthy one"

b=$(cat "$t/below")
sed -n '/^BELOW THRESHOLD/,/^$/p' "$t/text" | grep -q "^$b: 1 failed (<0.1%)" ||
	fail "$b not shown below threshold: $(sed -n '/^BELOW/,/^$/p' "$t/text")"
sed -n '/^NEEDS ACTION/,/^$/p' "$t/text" | grep -q "^$b" && fail "$b needs action"
grep -q "(0\.0%)\|[^>]100\.0%\| 0\.0%" "$t/text" && fail "a 0.0% or 100.0% beside a failure: $(grep -m3 '0\.0%' "$t/text")"
echo "ok - the stray failure is below threshold, said as <0.1%"

# Healthy: one line, then a cut list; --all names every one.
grep -q "^$n_healthy domains: 100% over [0-9.]* [kMG] sessions$" "$t/text" ||
	fail "no healthy summary line for $n_healthy domains"
grep -q "^\.\.\. $((n_healthy - 10)) more: --all$" "$t/text" || fail "healthy list not cut"
[ "$(wc -l <"$t/text")" -lt 300 ] || fail "text view of $(wc -l <"$t/text") lines"
expect_status 1 run --all >"$t/all"
sed -n '/^HEALTHY/,/^$/p' "$t/all" | grep -o 'domain[0-9]*\.example' | sort -u | wc -l >"$t/n"
[ "$(cat "$t/n")" -eq "$n_healthy" ] || fail "--all names $(cat "$t/n") healthy domains, not $n_healthy"
grep -q 'more: --all' "$t/all" && fail "--all still cuts a list"
echo "ok - $n_healthy healthy domains in one line and a cut list; --all lists them"

awk 'length > 72 { print; bad = 1 } END { exit bad }' "$t/text" "$t/all" ||
	fail "text wider than 72 columns"
echo "ok - 72 columns"

# The threshold: every failure counts with --min-share 0 (the stray one
# then needs action); none with a count no domain reaches.
expect_status 1 run --min-share 0 >"$t/all-count"
sed -n '/^NEEDS ACTION/,/^$/p' "$t/all-count" | grep -q "^$b: 1 failed" ||
	fail "--min-share 0: $b does not need action"
expect_status 0 run --min-failures 100000000 >"$t/none"
head -1 "$t/none" | grep -q '^OK: [0-9]* of [0-9]* TLS sessions (0\.1%) failed, none over' ||
	fail "verdict under the threshold: $(head -1 "$t/none")"
# --only-problems: a stray failure alone sends no digest; counted, it does.
healthy1=$(sed -n '/^HEALTHY/{n;n;p;}' "$t/text" | awk '{ print $1 }')
expect_status 0 run --domain "$b" --domain "$healthy1" --format mail \
	--to pm@example.org --only-problems >"$t/quiet.eml"
[ -s "$t/quiet.eml" ] && fail "--only-problems mailed a stray failure under the threshold"
expect_status 1 run --domain "$b" --domain "$healthy1" --format mail \
	--to pm@example.org --only-problems --min-share 0 >"$t/loud.eml"
grep -q "^Subject: TLS-RPT: $b <0.1% failures" "$t/loud.eml" ||
	fail "counted stray failure: $(grep '^Subject' "$t/loud.eml")"
echo "ok - the threshold options decide the verdict and the exit status"

# Plurals: "1 day", "only 1 reporting organisation", never "1 sessions".
expect_status 1 run --since 1d >"$t/day"
sed -n 3p "$t/day" | grep -q ' (1 day), ' || fail "header: $(sed -n 3p "$t/day")"
grep -q 'only 1 reporting organisation in' "$t/text" || fail "no singular readiness reason"
grep -q '1 session failed in the last 14 days: find out why and fix it first' "$t/text" ||
	fail "no singular failure reason"
if grep -E '(^|[^0-9.,])1 (sessions|reports|domains|organisations|reporters|failures|lines|policies|days|stores)\b' \
	"$t/text" "$t/day" "$t/all-count" "$t/none" 2>/dev/null; then
	fail "a plural after 1"
fi
echo "ok - plurals"

# The digest's Subject: under 100 characters, the worst domain first.
worst=$(head -1 "$t/problems")
check_subject() {
	python3 - "$1" "$2" <<'PY' || fail "subject of $1"
import email, re, sys
from email import policy
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=policy.default)
s = str(m["Subject"])
print("   ", len(s), s)
assert len(s) <= 100, len(s)
# The worst domain comes first, after the count of failing domains.
assert s.startswith("TLS-RPT: " + sys.argv[2] + " ") or \
    re.match(r"TLS-RPT: \d+ failing, worst " + re.escape(sys.argv[2]) + " ", s), s
text = m.get_body(("plain",)).get_content()
assert max(map(len, text.splitlines())) <= 72
PY
}
expect_status 1 run --format mail --to pm@example.org >"$t/fleet.eml"
check_subject "$t/fleet.eml" "$worst"
if [ -x "$gen" ]; then
	"$gen" "$t/200" 20000 20 1 "$now" >/dev/null || fail "gen-store"
	"$summary" -d "$t/200" --now 2026-12-06 --since 7d --format json >"$t/200.json"
	worst200=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["verdict"]["text"].split("worst: ")[1].split(" ")[0])' "$t/200.json") ||
		fail "no worst domain in the 200-domain verdict"
	"$summary" -d "$t/200" --now 2026-12-06 --since 7d --format mail --to pm@example.org >"$t/200.eml"
	check_subject "$t/200.eml" "$worst200"
fi
echo "ok - the Subject names the worst domain in under 100 characters"
exit 0
