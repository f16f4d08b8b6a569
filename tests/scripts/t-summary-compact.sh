#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-summary-compact.sh -- tlsrpt-summary's state per domain group stays
# compact (issue 21): a provider's store, where nearly every line is its
# own group, must not cost kilobytes per group.
#
# A provider-shaped store (tests/bench/gen-store: 20,000 lines over 30
# days, 10^5 domains, 20 reporters; ~18,000 domain groups). The memory
# of the groups is the peak RSS of the whole summary less that of the
# same run limited to one --domain (reading, de-duplication, the
# program itself), divided by the groups the JSON lists. With a hash
# table per domain for its reporters and another for its days, and a
# copy of every name in every group, it was ~2.2 KB per group; now ~1.5
# KB. The bound, 1.75 KB, is between, for the JSON and the text view.
. "$TLSRPT_TOP/tests/scripts/lib.inc"
summary=$TLSRPT_BUILD/tlsrpt-summary
gen=$TLSRPT_BUILD/tests/bench/gen-store
rss=$TLSRPT_BUILD/tests/bench/peak-rss
[ -x "$summary" ] || skip "no $summary"
[ -x "$gen" ] || skip "no $gen: make $gen"
[ -x "$rss" ] || skip "no $rss: make $rss"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
t=$(tmpdir)
trap 'rm -rf "$t"' EXIT
echo "AllowRoot yes" >"$t/root.conf"

# NOW 2026-11-27T00:00:00Z; 30 days of reports before it, seed 1.
"$gen" -D 100000 -R 20 "$t/store" 20000 30 1 1795737600 >/dev/null ||
	fail "gen-store"
args="-c $t/root.conf -d $t/store --now 2026-11-27T00:00:00Z --since 30d"

# The first run writes the day rollups; every measured run reads them.
summary_peak --format json
groups=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["domains"]))' "$t/out") ||
	fail "--format json: not valid JSON"
[ "$groups" -gt 10000 ] || fail "only $groups domain groups, too few to measure"
summary_peak --format json --domain d1.example
fixed=$kb
for f in json text; do
	summary_peak --format $f
	per=$(((kb - fixed) * 1024 / groups))
	[ "$per" -le 1792 ] ||
		fail "--format $f: $per bytes per domain group ($kb KB peak, $fixed KB for one domain, $groups groups), more than 1792"
	echo "ok - --format $f: $per bytes per domain group ($kb KB peak, $fixed KB for one domain, $groups groups)"
done
