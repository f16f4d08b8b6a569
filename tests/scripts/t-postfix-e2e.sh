#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-postfix-e2e.sh -- tlsrpt-milter in a real, throwaway Postfix on
# 127.0.0.1 (private config, queue and maildir under a temp dir; see
# ../shared/TOOLCHAIN.md): report mails sent over SMTP are stored and
# delivered (or discarded), ordinary mail passes untouched without being
# buffered, 500 reports over 20 parallel sessions give exactly 500 stored
# and 500 delivered, and with the milter killed Postfix follows
# default_action=accept until the milter is back.
. "$TLSRPT_TOP/tests/scripts/lib.inc"

need_private_postfix
gen=$TLSRPT_TOP/tests/scripts/gen-report-mail.py
send=$TLSRPT_TOP/tests/scripts/smtp-send.py

t=$(mktemp -d /tmp/pf.XXXXXX) || fail "mktemp"
. "$TLSRPT_TOP/scripts/postfix-sandbox.inc"
trap sandbox_cleanup EXIT
trap 'exit 2' INT TERM

sandbox_setup
mkdir -p "$t/mails"

python3 "$gen" "$t/mails" gzip one 1 &&
	python3 "$gen" "$t/mails" text plain 1 &&
	python3 "$gen" "$t/mails" gzip bulk 500 &&
	python3 "$gen" "$t/mails" gzip disc 1 &&
	python3 "$gen" "$t/mails" gzip down 2 || fail "cannot write test mails"

start_milter
sandbox_start

# 1. One report: stored with Postfix's queue id, delivered with a header.
python3 "$send" "$smtp_port" 1 tlsrpt@example.org "$t/mails/one-1.eml" >/dev/null ||
	fail "report mail not accepted"
wait_delivered 1
[ "$(stored)" -eq 1 ] || fail "report not stored"
grep -l 'X-TLSRPT-Milter: stored Test Reporter one-1' "$t/mail/inbox/new/"* >/dev/null ||
	fail "delivered report lacks the X-TLSRPT-Milter header"
qid=$(grep -o '"queue-id":"[^"]*"' "$t/store"/tlsrpt-*.jsonl | head -1 |
	sed 's/.*:"\(.*\)"/\1/')
grep -q "postfix/cleanup.*$qid: " "$t/maillog" ||
	fail "stored queue id \"$qid\" is not Postfix's"
grep -q "info: $qid: stored report: org=\"Test Reporter\" id=\"one-1\"" "$t/milter.log" ||
	fail "no INFO line with the queue id: $(cat "$t/milter.log")"
echo "ok - report stored (queue id $qid) and delivered with a header"

# 2. Ordinary mail: untouched, accepted at DATA, never buffered.
python3 "$send" "$smtp_port" 1 someone@example.org "$t/mails/plain-1.eml" >/dev/null ||
	fail "ordinary mail not accepted"
wait_delivered 2
[ "$(stored)" -eq 1 ] || fail "ordinary mail changed the store"
f=$(grep -L 'one-1' "$t/mail/inbox/new/"*)
grep -q 'X-TLSRPT-Milter' "$f" && fail "ordinary mail got our header"
tail -n +2 "$t/mails/plain-1.eml" | tr -d '\r' | grep -v '^To:' |
	grep -v '^$' >"$t/sent.txt"
grep -F -x -f "$t/sent.txt" "$f" | wc -l | grep -q "^$(wc -l <"$t/sent.txt")\$" ||
	fail "ordinary mail was changed"
grep -Eq 'debug: [0-9A-F]+: not a report candidate: accepted at DATA' "$t/milter.log" ||
	fail "ordinary mail was not accepted at DATA: $(cat "$t/milter.log")"
echo "ok - ordinary mail passes untouched, accepted at DATA"

# 3. 500 reports over 20 parallel sessions: 500 stored, 500 delivered.
start=$(date +%s)
python3 "$send" "$smtp_port" 20 tlsrpt@example.org "$t/mails"/bulk-*.eml >"$t/send.out" ||
	fail "bulk send failed: $(cat "$t/send.out")"
wait_delivered 502
[ "$(stored)" -eq 501 ] || fail "$(stored) reports stored, want 501"
n=$(cat "$t/store"/tlsrpt-*.jsonl | grep -c '"report-id":"bulk-')
[ "$n" -eq 500 ] || fail "$n bulk lines stored, want 500"
echo "ok - 500 reports over 20 sessions: 500 stored, 500 delivered ($(($(date +%s) - start)) s)"

# 4. Disposition discard: stored, not delivered.
stop_milter TERM
start_milter "Disposition discard"
python3 "$send" "$smtp_port" 1 tlsrpt@example.org "$t/mails/disc-1.eml" >/dev/null ||
	fail "report mail not accepted (discard)"
i=0
while [ "$(stored)" -lt 502 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
wait_queue_empty
[ "$(stored)" -eq 502 ] || fail "discarded report not stored"
[ "$(delivered)" -eq 502 ] || fail "discarded report was delivered"
grep -q 'milter triggers DISCARD action' "$t/maillog" ||
	fail "Postfix did not log the discard"
echo "ok - Disposition discard: stored, not delivered"

# 5. Milter down: default_action=accept delivers; after a restart it
# stores again.
stop_milter KILL
python3 "$send" "$smtp_port" 1 tlsrpt@example.org "$t/mails/down-1.eml" >/dev/null ||
	fail "report mail refused while the milter is down"
wait_delivered 503
[ "$(stored)" -eq 502 ] || fail "stored while the milter was down?"
start_milter
python3 "$send" "$smtp_port" 1 tlsrpt@example.org "$t/mails/down-2.eml" >/dev/null ||
	fail "report mail not accepted after the restart"
wait_delivered 504
[ "$(stored)" -eq 503 ] || fail "not stored after the milter restart"
echo "ok - milter down: delivered (default_action=accept); restarted: stored"

stop_milter TERM
grep -Eq 'error:' "$t/milter.log" && fail "errors in the milter log: $(grep error: "$t/milter.log")"
exit 0
