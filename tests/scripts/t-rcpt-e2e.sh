#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-rcpt-e2e.sh -- no recipient loses mail (issue 15, case 9), through a
# real, throwaway Postfix (scripts/postfix-sandbox.inc): with Disposition
# discard or quarantine a report mail to tlsrpt@ and ops@ is stored, ops
# gets it and tlsrpt@ does not; mail relayed for another domain
# (tlsrpt@customer.example) is not ours: delivered untouched, not stored;
# a report to tlsrpt@ alone is still discarded.
. "$TLSRPT_TOP/tests/scripts/lib.inc"

need_private_postfix
gen=$TLSRPT_TOP/tests/scripts/gen-report-mail.py
send=$TLSRPT_TOP/tests/scripts/smtp-send.py

t=$(mktemp -d /tmp/pf.XXXXXX) || fail "mktemp"
. "$TLSRPT_TOP/scripts/postfix-sandbox.inc"
trap sandbox_cleanup EXIT
trap 'exit 2' INT TERM

sandbox_setup
# customer.example is a domain this Postfix receives for but that is not
# the milter's (its Domains come from HostName mx.example.org).
postconf -c "$t/etc" -e "virtual_mailbox_domains = example.org, customer.example" ||
	fail "postconf"
python3 "$gen" "$t/mails" gzip two 1 &&
	python3 "$gen" "$t/mails" gzip relay 1 &&
	python3 "$gen" "$t/mails" gzip alone 1 &&
	python3 "$gen" "$t/mails" gzip quar 1 || fail "cannot write test mails"

start_milter "Disposition discard"
sandbox_start
grep -q 'info: domains: example.org (from HostName mx.example.org); report addresses: tlsrpt@example.org$' "$t/milter.log" ||
	fail "start-up does not say which domains: $(cat "$t/milter.log")"

# delivered_to ADDR -- how many delivered messages say Delivered-To: ADDR.
delivered_to() {
	grep -l -i -x "Delivered-To: $1" "$t/mail/inbox/new/"* 2>/dev/null | wc -l
}

# 1. tlsrpt@ and ops@, Disposition discard: stored; ops gets it.
python3 "$send" "$smtp_port" 1 tlsrpt@example.org,ops@example.org \
	"$t/mails/two-1.eml" >/dev/null || fail "report mail to two recipients not accepted"
wait_delivered 1
wait_queue_empty
[ "$(stored)" -eq 1 ] || fail "$(stored) reports stored, want 1"
[ "$(delivered_to ops@example.org)" -eq 1 ] || fail "ops@ did not get the report mail"
[ "$(delivered_to tlsrpt@example.org)" -eq 0 ] || fail "tlsrpt@ got the discarded report"
grep -q 'report recipients removed: 1 (Disposition discard); delivered to the 1 other recipient' "$t/milter.log" ||
	fail "no log line for the removed recipient: $(cat "$t/milter.log")"
echo "ok - discard with another recipient: stored, ops@ gets it, tlsrpt@ does not"

# 2. Relayed mail for another domain's tlsrpt@: not looked at.
python3 "$send" "$smtp_port" 1 tlsrpt@customer.example "$t/mails/relay-1.eml" >/dev/null ||
	fail "relayed report mail not accepted"
wait_delivered 2
[ "$(stored)" -eq 1 ] || fail "relayed report was stored"
f=$(grep -l -i -x 'Delivered-To: tlsrpt@customer.example' "$t/mail/inbox/new/"*) ||
	fail "tlsrpt@customer.example did not get its mail"
grep -q 'X-TLSRPT-Milter' "$f" && fail "relayed mail got our header"
echo "ok - tlsrpt@customer.example (not our domain) delivered untouched, not stored"

# 3. tlsrpt@ alone: the whole message is discarded, as before.
python3 "$send" "$smtp_port" 1 tlsrpt@example.org "$t/mails/alone-1.eml" >/dev/null ||
	fail "report mail not accepted (alone)"
# Nothing is delivered to wait for: wait until the queue is empty.
wait_queue_empty
[ "$(stored)" -eq 2 ] || fail "report to tlsrpt@ alone not stored"
[ "$(delivered)" -eq 2 ] || fail "report to tlsrpt@ alone was delivered"
echo "ok - discard with tlsrpt@ alone: stored, not delivered"

# 4. Quarantine with another recipient: ops gets it, nothing is held.
stop_milter TERM
start_milter "Disposition quarantine"
python3 "$send" "$smtp_port" 1 ops@example.org,tlsrpt@example.org \
	"$t/mails/quar-1.eml" >/dev/null || fail "report mail not accepted (quarantine)"
wait_delivered 3
wait_queue_empty
[ "$(stored)" -eq 3 ] || fail "$(stored) reports stored, want 3"
[ "$(delivered_to ops@example.org)" -eq 2 ] || fail "ops@ did not get the second report mail"
[ "$(delivered_to tlsrpt@example.org)" -eq 0 ] || fail "tlsrpt@ got a report mail"
[ -z "$(find "$t/queue/hold" -type f 2>/dev/null)" ] || fail "a message was held"
echo "ok - quarantine with another recipient: ops@ gets it, nothing held"
exit 0
