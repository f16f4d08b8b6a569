#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-digest-cli.sh -- tlsrpt-summary --format mail as cron runs it, without
# an MTA: the mail options and their usage errors (64), exit statuses (0,
# 1, and 0 with nothing printed for --only-problems on a clean store), a
# message python3's email module reads back, and the cron script's
# settings file. The message structure itself is checked by
# tests/unit/check_digest.c, delivery by t-digest-e2e.sh.
. "$TLSRPT_TOP/tests/scripts/lib.inc"
summary=$TLSRPT_BUILD/tlsrpt-summary
ingest=$TLSRPT_BUILD/tlsrpt-ingest
samples=$TLSRPT_TOP/samples
cron=$TLSRPT_TOP/contrib/tlsrpt-digest.cron.daily
[ -x "$summary" ] || skip "no $summary"
[ -x "$ingest" ] || skip "no $ingest"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
t=$(tmpdir)
trap 'rm -rf "$t"' EXIT
mkdir "$t/empty"
# Root writes these temp stores: a store no user owns needs AllowRoot.
echo "AllowRoot yes" >"$t/root.conf"

"$summary" --help | grep -q -- '--only-problems' || fail "--help lacks the mail options"
"$ingest" -c "$t/root.conf" -d "$t/fail" "$samples"/*.eml >/dev/null || fail "ingest fail"
"$ingest" -c "$t/root.conf" -d "$t/clean" "$samples/google-example.org.eml" >/dev/null ||
	fail "ingest clean"

# Usage errors: mail options without --format mail, --format mail without
# --to or with --by, addresses and header text that cannot be used.
expect_status 64 "$summary" -d "$t/clean" --to pm@example.org 2>/dev/null
expect_status 64 "$summary" -d "$t/clean" --only-problems 2>/dev/null
expect_status 64 "$summary" -d "$t/clean" --format mail 2>"$t/err"
grep -q -- '--to' "$t/err" || fail "missing --to not explained: $(cat "$t/err")"
expect_status 64 "$summary" -d "$t/clean" --format mail --to pm@example.org --by day 2>/dev/null
expect_status 64 "$summary" -d "$t/clean" --format mail --to 'a b c' 2>"$t/err"
grep -q 'not an e-mail address' "$t/err" || fail "bad --to: $(cat "$t/err")"
expect_status 64 "$summary" -d "$t/clean" --format mail --to pm@example.org \
	--subject "$(printf 'x\nBcc: victim@example.net')" 2>"$t/err"
grep -q 'control character' "$t/err" || fail "header injection: $(cat "$t/err")"
[ "$(wc -c <"$t/err")" -gt 0 ] || fail "no error text"

# Exit statuses: 1 with failures, 0 without; nothing at all for
# --only-problems on a clean store; "no data" is a problem worth a mail.
expect_status 1 "$summary" -d "$t/fail" --format mail --to pm@example.org >"$t/fail.eml"
expect_status 0 "$summary" -d "$t/clean" --format mail --to pm@example.org >"$t/clean.eml"
expect_status 0 "$summary" -d "$t/clean" --format mail --to pm@example.org --only-problems >"$t/out"
[ -s "$t/out" ] && fail "--only-problems on a clean store printed something"
expect_status 1 "$summary" -d "$t/fail" --format mail --to pm@example.org --only-problems >"$t/out"
[ -s "$t/out" ] || fail "--only-problems on a failing store printed nothing"
expect_status 0 "$summary" -d "$t/empty" --format mail --to pm@example.org --only-problems >"$t/out"
grep -q '^Subject: TLS-RPT: no data' "$t/out" || fail "no-data digest: $(grep '^Subject' "$t/out")"

python3 - "$t/fail.eml" "$t/clean.eml" <<'PY' || fail "the digests do not parse"
import email, sys
from email import policy
for path, subject in zip(sys.argv[1:], ["TLS-RPT: example.org ", "TLS-RPT: 1 domain OK"]):
    raw = open(path, "rb").read()
    assert b"\r" not in raw and max(map(len, raw.split(b"\n"))) <= 998
    m = email.message_from_bytes(raw, policy=policy.default)
    assert not m.defects and m["Subject"].startswith(subject), (path, m["Subject"])
    assert m["From"].addresses[0].username == "tlsrpt-summary"
    assert m["To"].addresses[0].addr_spec == "pm@example.org"
    assert [p.get_content_type() for p in m.iter_parts()] == ["text/plain", "text/html"]
PY

# The cron script: disabled in its settings file, it does nothing at all.
printf 'TLSRPT_DIGEST_ENABLE=no\nSENDMAIL=/bin/false\nTLSRPT_SUMMARY=/bin/false\n' >"$t/default"
TLSRPT_DIGEST_DEFAULTS=$t/default sh "$cron" || fail "disabled cron script failed"
echo "ok - mail options, exit statuses, --only-problems"
exit 0
