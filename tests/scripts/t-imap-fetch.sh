#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-imap-fetch.sh -- the README's recipe for reports in a hosted mailbox:
# fetchmail, configured by contrib/fetchmailrc.sample, pulls a report mail
# over IMAP from a private Dovecot on 127.0.0.1 and hands it to
# tlsrpt-ingest as the store's owner; tlsrpt-summary shows the report; a
# second poll stores nothing twice (the mail is kept on the server, marked
# seen); a mail that holds no report stays unseen on the server.
. "$TLSRPT_TOP/tests/scripts/lib.inc"

need_nobody "run a private Dovecot"
command -v fetchmail >/dev/null 2>&1 || skip "fetchmail is not installed"
command -v setpriv >/dev/null 2>&1 || skip "setpriv is not installed"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
dovecot=$(command -v dovecot || echo /usr/sbin/dovecot)
[ -x "$dovecot" ] || skip "dovecot is not installed (dovecot-imapd)"
[ -x /usr/lib/dovecot/imap ] || skip "dovecot-imapd is not installed"
id dovecot >/dev/null 2>&1 && id dovenull >/dev/null 2>&1 ||
	skip "no dovecot or dovenull user"
ingest=$TLSRPT_BUILD/tlsrpt-ingest
summary=$TLSRPT_BUILD/tlsrpt-summary
for p in "$ingest" "$summary"; do
	[ -x "$p" ] || fail "no $p"
done
samples=$TLSRPT_TOP/samples

server_tmpdir TERM
chmod 755 "$t" # the mail user and the store's owner work below it

port=$(python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') ||
	fail "no free port"

# The hosted mailbox: user "reports", password in a passwd-file, a Maildir
# owned by the mail user (nobody) with one report and one other mail.
mkdir -p "$t/dovecot" "$t/home/reports/Maildir/new" \
	"$t/home/reports/Maildir/cur" "$t/home/reports/Maildir/tmp"
cp "$samples/google-example.org.eml" "$t/home/reports/Maildir/new/1.report"
printf 'From: someone@example.net\nTo: tlsrpt@example.org\nSubject: hello\n\nnot a report\n' \
	>"$t/home/reports/Maildir/new/2.other"
chown -R nobody:nogroup "$t/home"
printf 'reports:{PLAIN}imap-test-secret::::::\n' >"$t/dovecot/passwd"
cat >"$t/dovecot/dovecot.conf" <<EOF
protocols = imap
listen = 127.0.0.1
base_dir = $t/dovecot/run
state_dir = $t/dovecot/state
log_path = $t/dovecot/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN $t/dovecot/passwd
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$t/home/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $port
  }
  inet_listener imaps {
    port = 0
  }
}
EOF
"$dovecot" -F -c "$t/dovecot/dovecot.conf" >"$t/dovecot/out" 2>&1 &
pid=$!
i=0
until python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "dovecot did not start: $(cat "$t/dovecot/out" "$t/dovecot/dovecot.log" 2>/dev/null)"
	kill -0 "$pid" 2>/dev/null ||
		fail "dovecot exited: $(cat "$t/dovecot/out" "$t/dovecot/dovecot.log" 2>/dev/null)"
	sleep 0.1
done

# The receiving side: a store owned by the user who runs fetchmail, and the
# sample configuration with the test's server, login and paths. TLS is the
# only part of the sample not tested here: the private Dovecot has none, so
# "ssl sslcertck" becomes "sslproto ''" (no STARTTLS either).
install -d -o nobody -g nogroup -m 0750 "$t/store" "$t/fetchmail"
printf 'StoreDirectory %s\nHostName mx.example.org\n' "$t/store" >"$t/tlsrpt.conf"
sed -e "s|imap.example.net|127.0.0.1|; s|port 993|port $port|" \
	-e 's|"tlsrpt@example.org" password "secret"|"reports" password "imap-test-secret"|' \
	-e "s|^\([[:space:]]*\)ssl sslcertck\$|\1sslproto ''|" \
	-e "s|/usr/sbin/tlsrpt-ingest|$ingest -c $t/tlsrpt.conf|" \
	"$TLSRPT_TOP/contrib/fetchmailrc.sample" >"$t/fetchmailrc"
grep -q "port $port" "$t/fetchmailrc" && grep -q '"reports"' "$t/fetchmailrc" &&
	grep -q "mda \"$ingest" "$t/fetchmailrc" ||
	fail "the sample no longer has the lines this test fills in: $(cat "$t/fetchmailrc")"
grep -q "sslproto ''" "$t/fetchmailrc" ||
	fail "no \"ssl sslcertck\" line in the sample: $(cat "$t/fetchmailrc")"
chown nobody:nogroup "$t/fetchmailrc"
chmod 0600 "$t/fetchmailrc"

poll() {
	setpriv --reuid nobody --regid nogroup --clear-groups -- env \
		HOME="$t/fetchmail" FETCHMAILHOME="$t/fetchmail" \
		fetchmail -f "$t/fetchmailrc" >"$t/poll.out" 2>&1
}

# 1. The first poll stores the report.
poll
rc=$?
# 0: messages retrieved; the other mail's status 65 is a delivery failure
# to fetchmail, which leaves that mail on the server.
[ "$rc" -eq 0 ] || fail "first poll: fetchmail exit $rc: $(cat "$t/poll.out")"
bad=$(find "$t/store" ! -user nobody)
[ -z "$bad" ] || fail "store files not owned by the fetching user: $bad"
"$summary" -d "$t/store" --since 2026-11-01 --format json >"$t/sum.json" 2>"$t/sum.err"
rc=$?
[ "$rc" -eq 0 ] || fail "tlsrpt-summary exit $rc: $(cat "$t/sum.err")"
python3 - "$t/sum.json" <<'PY' || fail "the fetched report is not in the summary"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["totals"]["reports"] == 1, d["totals"]
(dom,) = [x for x in d["domains"] if x["domain"] == "example.org"]
assert dom["successes"] == 1204, dom
PY
lines=$(cat "$t/store"/tlsrpt-*.jsonl | wc -l)
[ "$lines" -eq 1 ] || fail "$lines store lines after the first poll, want 1"
echo "ok - fetchmail pulled the report over IMAP; tlsrpt-ingest stored it; tlsrpt-summary shows it"

# The report is kept on the server and marked seen; the other mail is
# still unseen there, for the postmaster to move away.
cur=$(ls "$t/home/reports/Maildir/cur")
echo "$cur" | grep -q '^1\.report.*:2,.*S' || fail "the report is not kept as seen: cur: $cur new: $(ls "$t/home/reports/Maildir/new")"
ls "$t/home/reports/Maildir/cur" "$t/home/reports/Maildir/new" | grep '^2\.other' | grep -q ':2,.*S' &&
	fail "the mail that holds no report was marked seen"
echo "ok - the report stays in the mailbox, seen; the other mail stays unseen"

# 2. A second poll stores nothing twice.
poll
rc=$?
[ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] ||
	fail "second poll: fetchmail exit $rc: $(cat "$t/poll.out")"
# Only the unseen mail (the one that is no report) is read again.
n=$(grep -c '^reading message' "$t/poll.out")
[ "$n" -eq 1 ] || fail "second poll read $n messages, want 1: $(cat "$t/poll.out")"
lines=$(cat "$t/store"/tlsrpt-*.jsonl | wc -l)
[ "$lines" -eq 1 ] || fail "$lines store lines after the second poll, want 1"
# Even fetched again (fetchall), the report is a duplicate.
sed 's/^\([[:space:]]*keep\)$/\1 fetchall/' "$t/fetchmailrc" >"$t/fetchall"
cat "$t/fetchall" >"$t/fetchmailrc"
grep -q 'keep fetchall' "$t/fetchmailrc" || fail "no keep line in the sample"
poll
grep -q 'reading message reports@127.0.0.1:1 of 2' "$t/poll.out" ||
	fail "fetchall did not fetch the report again: $(cat "$t/poll.out")"
lines=$(cat "$t/store"/tlsrpt-*.jsonl | wc -l)
[ "$lines" -eq 1 ] || fail "$lines store lines after fetchall, want 1"
echo "ok - a second poll stores nothing twice; fetching it again is a duplicate"

kill -TERM "$pid"
wait "$pid" 2>/dev/null
pid=
