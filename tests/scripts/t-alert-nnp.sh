#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-alert-nnp.sh -- alerts and the digest reach the mailbox under the
# shipped units' hardening (issue 17, item 6). The milter's unit sets
# NoNewPrivileges=yes (and systemd implies it for a service run as a user
# with any seccomp-based setting, which the digest unit has): a set-gid bit
# then gives nothing, so the MTA's sendmail (Postfix's setgid postdrop)
# cannot queue. This test
#  1. shows that: a set-gid postdrop copy of id(1) gets group postdrop
#     without no_new_privs and not with it;
#  2. runs tlsrpt-milter as nobody under setpriv --no-new-privs with no
#     capability left (systemd is not running here: setpriv is the unit's
#     equivalent), its AlertCommand contrib/tlsrpt-alert-mail as shipped
#     (default: tlsrpt-submit, SMTP to the local MTA), and a report with
#     failures sent to a throwaway Postfix: the alert mail arrives, sent by
#     a program that ran with NoNewPrivs 1;
#  3. runs contrib/tlsrpt-digest.cron.daily the same way: the digest
#     arrives.
. "$TLSRPT_TOP/tests/scripts/lib.inc"

need_private_postfix
command -v setpriv >/dev/null 2>&1 || skip "setpriv (util-linux) is not installed"
real_bin=$bin
gen=$TLSRPT_TOP/tests/scripts/gen-report-mail.py
send=$TLSRPT_TOP/tests/scripts/smtp-send.py
summary=$TLSRPT_BUILD/tlsrpt-summary

t=$(mktemp -d /tmp/pf.XXXXXX) || fail "mktemp"
. "$TLSRPT_TOP/scripts/postfix-sandbox.inc"
trap sandbox_cleanup EXIT
trap 'exit 2' INT TERM
sandbox_setup

# As the units run it: an unprivileged user, no_new_privs, no capability.
nnp="setpriv --no-new-privs --reuid=nobody --regid=nogroup --clear-groups \
--inh-caps=-all --bounding-set=-all"

# 1. The mechanism.
cp /usr/bin/id "$t/id-sgid" && chgrp postdrop "$t/id-sgid" &&
	chmod 2755 "$t/id-sgid" || fail "cannot make a set-gid copy of id"
plain=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$t/id-sgid" -gn)
under=$($nnp "$t/id-sgid" -gn)
[ "$plain" = postdrop ] ||
	skip "a set-gid program gets no group here even without no_new_privs ($plain)"
[ "$under" = nogroup ] ||
	fail "under no_new_privs the set-gid program got group $under"
echo "ok - set-gid postdrop: group $plain without no_new_privs, $under with it: sendmail cannot queue"

# 2. The milter and its alerts. The alert program notes its NoNewPrivs
# where nobody may write.
mkdir "$t/notes" && chown nobody:nogroup "$t/notes" || fail "mkdir notes"
cat >"$t/alert-wrap" <<EOF
#!/bin/sh
grep NoNewPrivs /proc/\$\$/status >"$t/notes/alert-nnp"
exec "$TLSRPT_TOP/contrib/tlsrpt-alert-mail" "\$@"
EOF
cat >"$t/nnp-milter" <<EOF
#!/bin/sh
exec $nnp env TLSRPT_SMTP=127.0.0.1:$smtp_port "$real_bin" "\$@"
EOF
chmod 755 "$t/alert-wrap" "$t/nnp-milter"
bin=$t/nnp-milter
python3 "$gen" "$t/mails" gzip first 1 || fail "cannot write test mails"
start_milter "AlertCommand $t/alert-wrap -f tlsrpt-alerts@example.org postmaster@example.org" \
	"AlertResultTypes certificate-expired" "AlertMinFailures 2"
sandbox_start
grep -q "^NoNewPrivs:[[:space:]]*1" "/proc/$milter_pid/status" ||
	fail "the milter does not run with no_new_privs"

python3 "$send" "$smtp_port" 1 tlsrpt@example.org "$t/mails/first-1.eml" >/dev/null ||
	fail "report mail not accepted"
wait_delivered 2
[ "$(stored)" -eq 1 ] || fail "report not stored"
grep -q "^NoNewPrivs:[[:space:]]*1" "$t/notes/alert-nnp" 2>/dev/null ||
	fail "the alert program did not run under no_new_privs: $(cat "$t/notes/alert-nnp" 2>&1)"
a=$(grep -l '^Subject: TLS-RPT alert: example.org certificate-expired' \
	"$t/mail/inbox/new/"* 2>/dev/null)
[ -n "$a" ] || fail "no alert mail: $(tail -5 "$t/milter.log")"
grep -q '^From: tlsrpt-alerts@example.org' "$a" || fail "alert From: $(grep '^From:' "$a")"
echo "ok - under no_new_privs the milter's alert reached the mailbox (tlsrpt-submit over SMTP)"

# 3. The digest, as the timer's unit runs it.
cat >"$t/default" <<EOF
TLSRPT_DIGEST_TO=postmaster@example.org
TLSRPT_DIGEST_FROM=tlsrpt-digest@example.org
TLSRPT_DIGEST_CONFIG=$t/no-such.conf
TLSRPT_DIGEST_OPTIONS="-d $t/store --since 3650d"
TLSRPT_SUMMARY=$summary
EOF
chmod 644 "$t/default"
$nnp env TLSRPT_SMTP="127.0.0.1:$smtp_port" TLSRPT_DIGEST_DEFAULTS="$t/default" \
	sh "$TLSRPT_TOP/contrib/tlsrpt-digest.cron.daily" >"$t/digest.out" 2>&1 ||
	fail "the digest failed under no_new_privs: $(cat "$t/digest.out")"
wait_delivered 3
grep -l '^From: tlsrpt-digest@example.org' "$t/mail/inbox/new/"* >/dev/null 2>&1 ||
	fail "no digest mail arrived"
echo "ok - under no_new_privs the digest reached the mailbox"
echo "PASS"
