#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-quirks-cli.sh -- issue 15, real senders: a report with misspelt member
# names (receiving-mx-host-name, policy_domain; the committed fixture
# tests/data/cases/97-valid-misspelt-keys) is stored with the members
# under their RFC names, and tlsrpt-ingest says how many were renamed,
# in its "stored" line and in --dry-run's source object.
. "$TLSRPT_TOP/tests/scripts/lib.inc"
ingest=$TLSRPT_BUILD/tlsrpt-ingest
[ -x "$ingest" ] || skip "no $ingest"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
t=$(tmpdir)
trap 'rm -rf "$t"' EXIT
# Root writes these temp stores: a store no user owns needs AllowRoot.
echo "AllowRoot yes" >"$t/empty.conf"
in=$TLSRPT_TOP/tests/data/cases/97-valid-misspelt-keys/input.json

"$ingest" -c "$t/empty.conf" -d "$t/store" "$in" >"$t/out" || fail "not stored: $(cat "$t/out")"
grep -q 'stored Example Reporter .* quirks=2 (policy_domain)$' "$t/out" ||
	fail "the stored line does not count the quirks: $(cat "$t/out")"
python3 - "$t/store" <<'PY' || fail "the store line lacks the RFC members"
import glob, json, sys
line = json.loads(open(glob.glob(sys.argv[1] + "/*.jsonl")[0]).readline())
assert line["policy"]["policy-domain"] == "example.com", line["policy"]
assert line["failure-details"][0]["receiving-mx-hostname"] == "mx1.example.com"
PY
echo "ok - misspelt members stored under their RFC names, counted as quirks"

"$ingest" -n -c "$t/empty.conf" "$in" >"$t/dry" || fail "--dry-run"
python3 - "$t/dry" <<'PY' || fail "--dry-run has no quirks: $(cat "$t/dry")"
import json, sys
q = json.load(open(sys.argv[1]))["source"]["quirks"]
assert q == {"count": 2, "first": "policy_domain"}, q
PY
echo "ok - --dry-run names the quirks in its source object"
