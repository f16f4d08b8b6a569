#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-alert-e2e.sh -- alerts end to end through a real, throwaway Postfix: a
# report with failures sent over SMTP is stored by tlsrpt-milter, which
# runs contrib/tlsrpt-alert-mail, whose mail goes through the same
# Postfix (its sendmail -C) into the test maildir; a second report with
# the same (domain, result type, MX) does not alert again; while the alert
# program hangs, ordinary and report mail are still accepted and
# delivered at once (the figure is printed), and the hung program is
# killed at AlertTimeout and reaped.
. "$TLSRPT_TOP/tests/scripts/lib.inc"

need_private_postfix
gen=$TLSRPT_TOP/tests/scripts/gen-report-mail.py
send=$TLSRPT_TOP/tests/scripts/smtp-send.py

t=$(mktemp -d /tmp/pf.XXXXXX) || fail "mktemp"
# Postfix's sendmail takes -C DIR only from root (or from a directory the
# system main.cf lists): the milter, and so the alert program, runs as
# root here.
milter_user=
. "$TLSRPT_TOP/scripts/postfix-sandbox.inc"
trap sandbox_cleanup EXIT
trap 'exit 2' INT TERM

sandbox_setup
python3 "$gen" "$t/mails" gzip first 1 &&
	python3 "$gen" "$t/mails" gzip again 1 &&
	python3 "$gen" "$t/mails" gzip during 3 &&
	python3 "$gen" "$t/mails" text plain 5 || fail "cannot write test mails"

# wait_log PATTERN -- until the milter log has a line matching it (10 s).
wait_log() {
	i=0
	until grep -q "$1" "$t/milter.log"; do
		i=$((i + 1))
		[ $i -lt 100 ] || fail "no \"$1\" in the milter log: $(cat "$t/milter.log")"
		sleep 0.1
	done
}

alerts() {
	grep -l '^Subject: TLS-RPT alert: ' "$t/mail/inbox/new/"* 2>/dev/null | wc -l
}

now_ms() {
	python3 -c 'import time; print(int(time.monotonic() * 1000))'
}

start_milter "AlertCommand $TLSRPT_TOP/contrib/tlsrpt-alert-mail -f tlsrpt-alerts@example.org -s \"/usr/sbin/sendmail -C $t/etc\" postmaster@example.org" \
	"AlertResultTypes certificate-expired" "AlertMinFailures 2"
sandbox_start

# 1. A report with failures: stored, delivered, and an alert mail arrives.
python3 "$send" "$smtp_port" 1 tlsrpt@example.org "$t/mails/first-1.eml" >/dev/null ||
	fail "report mail not accepted"
wait_delivered 2
[ "$(stored)" -eq 1 ] || fail "report not stored"
[ "$(alerts)" -eq 1 ] || fail "no alert mail: $(tail "$t/milter.log")"
a=$(grep -l '^Subject: TLS-RPT alert: ' "$t/mail/inbox/new/"*)
python3 - "$a" <<'PY' || fail "the alert mail is not what it should be"
import email, email.policy, json, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
assert m["To"] == "postmaster@example.org", m["To"]
assert m["From"] == "tlsrpt-alerts@example.org", m["From"]
assert m["Auto-Submitted"] == "auto-generated"
assert m["Subject"] == ("TLS-RPT alert: example.org certificate-expired on "
                        "mx1.example.org (3 of 123 failed)"), m["Subject"]
text = m.get_body(("plain",)).get_content()
assert ("Test Reporter could not deliver 3 of 123 messages to example.org "
        "over TLS on 2026-11-27: certificate-expired on mx1.example.org") in text, text
doc = [p for p in m.iter_attachments() if p.get_filename() == "alert.json"][0]
doc = json.loads(doc.get_content())
assert doc["report-id"] == "first-1" and doc["failed-session-count"] == 3, doc
assert doc["reporter"]["organization-name"] == "Test Reporter", doc
assert doc["failure-details"][0]["sending-mta-ip"] == "192.0.2.7", doc
PY
grep -q "info: alert sent (" "$t/milter.log" || fail "no 'alert sent' line"
echo "ok - a report with failures: stored, and the alert mail arrived through the same Postfix"

# 2. Another report, same (domain, result type, MX): no second alert.
python3 "$send" "$smtp_port" 1 tlsrpt@example.org "$t/mails/again-1.eml" >/dev/null ||
	fail "second report not accepted"
wait_delivered 3
[ "$(stored)" -eq 2 ] || fail "second report not stored"
wait_log "alert example.org/certificate-expired/mx1.example.org not sent: already sent"
sleep 0.5
wait_queue_empty
[ "$(alerts)" -eq 1 ] || fail "$(alerts) alert mails, want 1"
# "EPOCH KEY SENDER": the sender ("-" when not authenticated) for the
# hourly bounds (AlertMaxPerSenderPerHour).
grep -q "^[0-9]* example.org%20certificate-expired%20mx1.example.org -\$" "$t/store/tlsrpt.alerts" ||
	fail "state file: $(cat "$t/store/tlsrpt.alerts")"
echo "ok - a second report with the same key: stored, no second alert"

# 3. An alert program that hangs: mail keeps flowing, the program is
# killed at AlertTimeout (8 s: long enough that a loaded
# machine still delivers the seven mails inside it) and reaped.
stop_milter KILL # TERM takes libmilter 5 s; the store is crash-safe
start_milter "AlertCommand /bin/sh -c \"echo hanging; : >$t/hanging; exec sleep 59\"" \
	"AlertTimeout 8" "AlertInterval 0"
python3 "$send" "$smtp_port" 1 tlsrpt@example.org "$t/mails/during-1.eml" >/dev/null ||
	fail "report not accepted before the hang"
wait_delivered 4
i=0
until [ -e "$t/hanging" ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "the alert program did not start: $(cat "$t/milter.log")"
	sleep 0.05
done
start=$(now_ms)
python3 "$send" "$smtp_port" 2 tlsrpt@example.org "$t/mails/during-2.eml" \
	"$t/mails/during-3.eml" >/dev/null || fail "report mail refused during the hang"
python3 "$send" "$smtp_port" 2 someone@example.org "$t/mails"/plain-*.eml >/dev/null ||
	fail "ordinary mail refused during the hang"
wait_delivered 11
took=$(($(now_ms) - start))
[ "$(stored)" -eq 5 ] || fail "$(stored) reports stored, want 5"
grep -q "did not finish within" "$t/milter.log" &&
	fail "the alert program was killed before the mail got through (took $took ms)"
[ "$took" -lt 8000 ] || fail "7 mails took $took ms while the alert program hung"
echo "ok - while the alert program hangs, 2 reports + 5 ordinary mails delivered in $took ms"
wait_log "alert example.org/certificate-expired/mx1.example.org not sent: /bin/sh: did not finish within 8.000 s (AlertTimeout) and was killed: hanging"
sleep 0.2
zombies=$(ps -o stat= --ppid "$milter_pid" 2>/dev/null | grep -c Z)
[ "$zombies" -eq 0 ] || fail "$zombies zombie children of the milter"
# The next report's alert may be hanging already; the killed one is gone.
[ "$(pgrep -c -f '^sleep 59$')" -le 1 ] || fail "the hung program's sleep is still running"
echo "ok - the hung alert program was killed at AlertTimeout and reaped"

# Stopping waits for the alert running (bounded by AlertTimeout), drops
# the rest, and leaves nothing behind.
kill -TERM "$milter_pid"
wait "$milter_pid"
rc=$?
milter_pid=
[ "$rc" -eq 0 ] || fail "the milter exited with $rc: $(tail -20 "$t/milter.log")"
pgrep -f '^sleep 59$' >/dev/null && fail "an alert program outlived the milter"
grep -q "info: tlsrpt-milter stopping\$" "$t/milter.log" || fail "the milter did not stop cleanly"
echo "ok - stopped cleanly"
exit 0
