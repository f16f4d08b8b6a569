#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-digest-e2e.sh -- the daily digest through a real, throwaway Postfix
# (scripts/postfix-sandbox.inc): the sample reports are sent over SMTP,
# caught by tlsrpt-milter and stored; `tlsrpt-summary --format mail` piped
# to that Postfix's `sendmail -t -i`, and the same run by
# contrib/tlsrpt-digest.cron.daily, arrive in the test maildir and parse as
# valid MIME (python3's email module) with a text/plain and a text/html
# part; with --only-problems a clean store gives no output, exit 0, and the
# cron script then does not call sendmail at all.
. "$TLSRPT_TOP/tests/scripts/lib.inc"

need_private_postfix
summary=$TLSRPT_BUILD/tlsrpt-summary
ingest=$TLSRPT_BUILD/tlsrpt-ingest
for p in "$bin" "$summary" "$ingest"; do
	[ -x "$p" ] || fail "no $p"
done
send=$TLSRPT_TOP/tests/scripts/smtp-send.py
cron=$TLSRPT_TOP/contrib/tlsrpt-digest.cron.daily
samples=$TLSRPT_TOP/samples
# Postfix's own sendmail, not whatever sendmail(1) the PATH has.
sendmail=$(postconf -h sendmail_path 2>/dev/null)
[ -x "$sendmail" ] || sendmail=/usr/sbin/sendmail

t=$(mktemp -d /tmp/pf.XXXXXX) || fail "mktemp"
. "$TLSRPT_TOP/scripts/postfix-sandbox.inc"
trap sandbox_cleanup EXIT
trap 'exit 2' INT TERM

sandbox_setup
# Root writes the temp stores below: a store no user owns needs AllowRoot.
echo "AllowRoot yes" >"$t/root.conf"
start_milter
sandbox_start

# 1. Reports in: the two sample report mails over SMTP, stored by the milter.
python3 "$send" "$smtp_port" 1 tlsrpt@example.org "$samples"/*.eml >/dev/null ||
	fail "sample reports not accepted"
wait_delivered 2
[ "$(stored)" -eq 2 ] || fail "$(stored) reports stored, want 2"

# 2. The digest, piped to the sandbox Postfix's sendmail -t -i. Microsoft's
# sample has failed sessions: exit 1, and the Subject names them.
"$summary" -d "$t/store" --format mail --to postmaster@example.org \
	--from tlsrpt-summary@example.org >"$t/digest.eml"
rc=$?
[ $rc -eq 1 ] || fail "--format mail exited $rc, want 1"
grep -q '^Subject: TLS-RPT: example.org [0-9.]*% failures (certificate-expired)$' "$t/digest.eml" ||
	fail "subject: $(grep '^Subject:' "$t/digest.eml")"
"$sendmail" -C "$t/etc" -t -i <"$t/digest.eml" || fail "sendmail -t -i refused the digest"
wait_delivered 3
echo "ok - the digest piped to sendmail -t -i was delivered"

# 3. --only-problems on a clean store: nothing printed, exit 0.
"$ingest" -c "$t/root.conf" -d "$t/clean" "$samples/google-example.org.eml" >/dev/null ||
	fail "ingest into the clean store"
"$summary" -d "$t/clean" --format mail --to postmaster@example.org --only-problems >"$t/quiet"
rc=$?
[ $rc -eq 0 ] || fail "--only-problems on a clean store exited $rc"
[ -s "$t/quiet" ] && fail "--only-problems on a clean store printed: $(head -5 "$t/quiet")"
echo "ok - --only-problems on a clean store prints nothing, exit 0"

# 4. The cron script, with its settings from a defaults file: it mails the
# failing store, and keeps quiet (no sendmail call) on the clean one.
cat >"$t/sendmail" <<EOF
#!/bin/sh
echo called >>"$t/sendmail.calls"
exec "$sendmail" -C "$t/etc" "\$@"
EOF
chmod 755 "$t/sendmail"
cat >"$t/default" <<EOF
TLSRPT_DIGEST_TO="Postmaster <postmaster@example.org>"
TLSRPT_DIGEST_FROM=tlsrpt-digest@example.org
TLSRPT_DIGEST_CONFIG=$t/no-such.conf
TLSRPT_DIGEST_OPTIONS="-d $t/store --since 7d"
TLSRPT_SUMMARY=$summary
SENDMAIL=$t/sendmail
EOF
TLSRPT_DIGEST_DEFAULTS=$t/default sh "$cron" >"$t/cron.out" 2>&1 ||
	fail "cron script failed: $(cat "$t/cron.out")"
[ -s "$t/cron.out" ] && fail "cron script printed: $(cat "$t/cron.out")"
wait_delivered 4
sed -i "s|-d $t/store|-d $t/clean|" "$t/default"
TLSRPT_DIGEST_DEFAULTS=$t/default sh "$cron" >"$t/cron.out" 2>&1 ||
	fail "cron script on the clean store failed: $(cat "$t/cron.out")"
[ -s "$t/cron.out" ] && fail "cron script printed: $(cat "$t/cron.out")"
[ "$(wc -l <"$t/sendmail.calls")" -eq 1 ] ||
	fail "sendmail called $(wc -l <"$t/sendmail.calls") times, want 1"
# A broken setting is an error on standard error (cron mails it to root).
echo "TLSRPT_DIGEST_OPTIONS=\"-d $t/missing\"" >>"$t/default"
TLSRPT_DIGEST_DEFAULTS=$t/default sh "$cron" >"$t/cron.out" 2>&1 &&
	fail "cron script hid a missing store"
grep -q 'no digest sent' "$t/cron.out" || fail "cron error: $(cat "$t/cron.out")"
echo "ok - the cron script mails a failing store, stays quiet on a clean one"

# 5. Both delivered digests parse as MIME with both parts.
wait_queue_empty
python3 - "$t/mail/inbox/new" <<'PY' || fail "delivered digests are not valid MIME"
import email, os, sys
from email import policy

d = sys.argv[1]
digests = []
for name in sorted(os.listdir(d)):
    with open(os.path.join(d, name), "rb") as f:
        m = email.message_from_binary_file(f, policy=policy.default)
    if m["Auto-Submitted"] == "auto-generated":
        digests.append(m)
assert len(digests) == 2, "%d digests delivered" % len(digests)
froms = set()
for m in digests:
    assert not m.defects, m.defects
    assert m["Delivered-To"] == "postmaster@example.org", m["Delivered-To"]
    assert m["MIME-Version"] == "1.0"
    assert m["Message-ID"] and m["Date"] is not None
    assert m["Subject"].startswith("TLS-RPT: example.org "), m["Subject"]
    froms.add(str(m["From"]))
    assert m.get_content_type() == "multipart/alternative"
    parts = list(m.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"], parts
    for p in parts:
        assert p.get_content_charset() == "utf-8", p.get_content_charset()
        assert not p.defects, p.defects
    text, html = parts[0].get_content(), parts[1].get_content()
    assert text.startswith("FAILURES: "), text[:200]
    assert "certificate-expired" in text and "Microsoft Corporation" in text
    assert "<html" in html.lower() and "certificate-expired" in html
assert froms == {"tlsrpt-summary@example.org", "tlsrpt-digest@example.org"}, froms
PY
echo "ok - both digests arrived as multipart/alternative, text/plain + text/html"

# 6. A report string with a line of a single dot (issue 15, case 10): the
# digest holds that line (the HTML part keeps the name's line breaks), and
# the cron script's sendmail -t -i delivers it whole; plain -t would end the
# message at the dot.
python3 - "$TLSRPT_TOP/tests/data/summary/google.json" "$t/dot.json" <<'PY' ||
import json, sys
r = json.load(open(sys.argv[1]))
r["organization-name"] = "Dot\n.\nReporter"
r["report-id"] = "lone-dot"
r["policies"][0]["summary"]["total-failure-session-count"] = 2
json.dump(r, open(sys.argv[2], "w"))
PY
	fail "cannot write the lone-dot report"
"$ingest" -c "$t/root.conf" -d "$t/dot" "$t/dot.json" >/dev/null || fail "ingest the lone-dot report"
"$summary" -d "$t/dot" --since 3650d --format mail --to postmaster@example.org >"$t/dot.eml"
grep -qx '\.' "$t/dot.eml" || fail "the composed digest has no lone-dot line: the test proves nothing"
cat >"$t/dot.default" <<EOF
TLSRPT_DIGEST_TO=postmaster@example.org
TLSRPT_DIGEST_FROM=tlsrpt-dot@example.org
TLSRPT_DIGEST_CONFIG=$t/no-such.conf
TLSRPT_DIGEST_ONLY_PROBLEMS=no
TLSRPT_DIGEST_OPTIONS="-d $t/dot --since 3650d"
TLSRPT_SUMMARY=$summary
SENDMAIL=$t/sendmail
EOF
TLSRPT_DIGEST_DEFAULTS=$t/dot.default sh "$cron" >"$t/cron.out" 2>&1 ||
	fail "cron script on the lone-dot store failed: $(cat "$t/cron.out")"
wait_delivered 5
wait_queue_empty
python3 - "$t/mail/inbox/new" <<'PY' || fail "the lone-dot digest did not arrive whole"
import email, os, sys
from email import policy

d = sys.argv[1]
found = []
for name in sorted(os.listdir(d)):
    with open(os.path.join(d, name), "rb") as f:
        m = email.message_from_binary_file(f, policy=policy.default)
    if str(m["From"]) == "tlsrpt-dot@example.org":
        found.append(m)
assert len(found) == 1, "%d lone-dot digests" % len(found)
m = found[0]
assert not m.defects, m.defects
parts = list(m.iter_parts())
assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"], parts
html = parts[1].get_content()
assert "Dot\n.\nReporter" in html, "the name's lines are not all there"
assert html.rstrip().endswith("</html>"), html[-200:]
PY
echo "ok - a digest with a lone-dot line arrives whole (sendmail -t -i)"
exit 0
