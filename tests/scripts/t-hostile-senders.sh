#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-hostile-senders.sh -- forged reports change nothing the genuine ones say.
#
# tests/hostile/senders.py writes three genuine report mails (Google twice,
# Microsoft once, one of Google's with 23 failed sessions) and the same
# three mixed with six forgeries, each written as the attacker would: sums
# wrapped with counts near 2^53, Google's name and predictable report id
# sent before Google, a dkim=pass Authentication-Results with our
# authserv-id below the Received header (with a copied, broken
# signature), a report dated 9999 in testing mode, dates in year 0000, and
# Google's name signed by another domain. Both streams go through
# tlsrpt-ingest into stores of their own; the summaries (JSON, text, exit
# status) of the two must be the same, apart from the sections that list
# the forgeries -- and those must name every forgery that was stored.
. "$TLSRPT_TOP/tests/scripts/lib.inc"
ingest=$TLSRPT_BUILD/tlsrpt-ingest
summary=$TLSRPT_BUILD/tlsrpt-summary
gen=$TLSRPT_TOP/tests/hostile/senders.py
known=$TLSRPT_TOP/contrib/known-reporters
[ -x "$ingest" ] || fail "no $ingest"
[ -x "$summary" ] || fail "no $summary"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
t=$(tmpdir)
trap 'rm -rf "$t"' EXIT

now=$(date +%s)
printf 'TrustedAuthservIDs mx.example.org\nAllowRoot yes\n' >"$t/conf"
for kind in genuine mixed; do
	mkdir -p "$t/$kind"
	python3 "$gen" --now "$now" "$kind" "$t/$kind" || fail "senders.py $kind"
	# exit 65: some inputs were refused (the mixed stream), 0 otherwise
	"$ingest" -c "$t/conf" -d "$t/store-$kind" "$t/$kind"/*.eml \
		>"$t/$kind.out" 2>"$t/$kind.err"
	echo $? >"$t/$kind.rc"
done
[ "$(cat "$t/genuine.rc")" -eq 0 ] || fail "genuine stream: $(cat "$t/genuine.err")"
grep -c '^.*: stored ' "$t/genuine.out" | grep -qx 3 ||
	fail "genuine stream: $(cat "$t/genuine.out")"

# What tlsrpt-ingest refuses outright, with the reason.
refused() { # NAME REASON
	grep -q "$1.eml: invalid report.*$2" "$t/mixed.err" ||
		fail "$1 not refused for \"$2\": $(grep "$1" "$t/mixed.out" "$t/mixed.err")"
}
refused forged-wrap 'MaxSessionCount'
refused forged-future 'more than a day after the report was received'
refused forged-year0 'outside the years 0001-9999'
# Stored, to be listed: Google's id with other contents is a conflict, and
# Google itself (sent after it) is stored, not called a duplicate.
grep -q 'google-day1.eml: stored (conflicts with an earlier report' "$t/mixed.out" ||
	fail "Google's report after the forged one: $(grep google-day1 "$t/mixed.out" "$t/mixed.err")"
grep -q 'forged-ar.eml: stored .* dkim=fail' "$t/mixed.out" ||
	fail "a forged Authentication-Results below Received was believed: $(grep forged-ar "$t/mixed.out")"
echo "ok - refused: wrapped counts, a future range, year 0000; stored: the forged id as a conflict"

window="--since $(date -u -d @$((now - 7 * 86400)) +%Y-%m-%dT%H:%M:%SZ) --until $(date -u -d @$((now + 60)) +%Y-%m-%dT%H:%M:%SZ)"
for kind in genuine mixed; do
	# shellcheck disable=SC2086
	"$summary" -d "$t/store-$kind" $window --known-reporters "$known" \
		--format json >"$t/$kind.json"
	echo $? >"$t/$kind.json.rc"
	# shellcheck disable=SC2086
	"$summary" -d "$t/store-$kind" $window --known-reporters "$known" \
		>"$t/$kind.txt"
	echo $? >"$t/$kind.txt.rc"
done
[ "$(cat "$t/genuine.txt.rc")" -eq 1 ] || fail "genuine: want exit 1 (23 failures), got $(cat "$t/genuine.txt.rc")"
cmp -s "$t/genuine.txt.rc" "$t/mixed.txt.rc" ||
	fail "exit status: genuine $(cat "$t/genuine.txt.rc"), mixed $(cat "$t/mixed.txt.rc")"
[ "$(head -1 "$t/genuine.txt")" = "$(head -1 "$t/mixed.txt")" ] ||
	fail "verdict: genuine \"$(head -1 "$t/genuine.txt")\", mixed \"$(head -1 "$t/mixed.txt")\""
head -1 "$t/mixed.txt" | grep -q '^FAILURES: 23 of 2423 ' || fail "verdict: $(head -1 "$t/mixed.txt")"

python3 - "$t/genuine.json" "$t/mixed.json" <<'EOF' || fail "the forgeries changed the summary"
import json, sys

g = json.load(open(sys.argv[1]))
m = json.load(open(sys.argv[2]))
# The parts that list forgeries, and when things happened.
LISTS = ("impersonations", "conflicts")
TRUST = ("impersonated-reports", "conflicting-report-ids")


def strip(o):
    if isinstance(o, dict):
        return {k: strip(v) for k, v in o.items()
                if k not in ("generated", "last-report") + LISTS + TRUST}
    if isinstance(o, list):
        return [strip(v) for v in o]
    return o


a, b = strip(g), strip(m)
for k in sorted(set(a) | set(b)):
    if a.get(k) != b.get(k):
        print("differs in %s:\n  genuine %s\n  mixed   %s" %
              (k, json.dumps(a.get(k))[:600], json.dumps(b.get(k))[:600]))
        sys.exit(1)
assert g["impersonations"] == [] and g["conflicts"] == [], "genuine lists"
listed = {i["report-id"] for i in m["impersonations"]}
want = {"forged-ar-1", "impersonate-1"}
assert want <= listed, "impersonations listed: %s" % sorted(listed)
(c,) = m["conflicts"]
assert c["organization"] == "Google Inc." and c["counted"], c
counted = [v for v in c["versions"] if v["counted"]]
assert len(counted) == 1 and counted[0]["dkim"] == "pass" and \
    counted[0]["failures"] == 23, c
assert m["problems"]["impersonated-reports"] >= 2, m["problems"]
assert m["problems"]["conflicting-report-ids"] == 1, m["problems"]
EOF
echo "ok - the summary of genuine + forged reports equals the genuine one: $(head -1 "$t/mixed.txt")"
grep -q '^IMPERSONATION: claims Google Inc. but sent from attacker.example' "$t/mixed.txt" ||
	fail "text view does not list the impersonation"
echo "ok - the forgeries are listed: $(grep -c '^IMPERSONATION: ' "$t/mixed.txt") impersonations, 1 conflict"
exit 0
