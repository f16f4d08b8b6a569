#!/bin/sh
# t-postfix-e2e.sh -- tlsrpt-milter in a real, throwaway Postfix on
# 127.0.0.1 (private config, queue and maildir under a temp dir; see
# ../shared/TOOLCHAIN.md): report mails sent over SMTP are stored and
# delivered (or discarded), ordinary mail passes untouched without being
# buffered, 500 reports over 20 parallel sessions give exactly 500 stored
# and 500 delivered, and with the milter killed Postfix follows
# default_action=accept until the milter is back.
. "$TLSRPT_TOP/tests/scripts/lib.inc"

[ "$(id -u)" -eq 0 ] || skip "needs root to run a private Postfix"
command -v postfix >/dev/null 2>&1 || skip "postfix is not installed"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
id postfix >/dev/null 2>&1 || skip "no postfix user"
bin=$TLSRPT_BUILD/tlsrpt-milter
[ -x "$bin" ] || fail "no $bin"
gen=$TLSRPT_TOP/tests/scripts/gen-report-mail.py
send=$TLSRPT_TOP/tests/scripts/smtp-send.py

t=$(mktemp -d /tmp/pf.XXXXXX) || fail "mktemp"
milter_pid=
cleanup() {
	[ -n "$milter_pid" ] && kill -KILL "$milter_pid" 2>/dev/null
	if [ -f "$t/etc/main.cf" ]; then
		postfix -c "$t/etc" stop >/dev/null 2>&1
		i=0
		while postfix -c "$t/etc" status >/dev/null 2>&1 && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
	fi
	wait 2>/dev/null
	rm -rf "$t"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

smtp_port=$(free_port)
milter_port=$(free_port)
chmod 755 "$t"
mkdir -p "$t/etc" "$t/queue" "$t/data" "$t/mail" "$t/store" "$t/mails"
chown postfix "$t/data"
chown nobody:nogroup "$t/mail"

cat >"$t/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $t/queue
data_directory = $t/data
maillog_file = $t/maillog
maillog_file_prefixes = $t
myhostname = mx.example.org
mydomain = example.org
myorigin = example.org
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
mydestination =
relayhost =
smtpd_recipient_restrictions = permit_mynetworks, reject
virtual_mailbox_domains = example.org
virtual_mailbox_base = $t/mail
virtual_mailbox_maps = static:inbox/
virtual_uid_maps = static:65534
virtual_gid_maps = static:65534
smtpd_milters = { inet:127.0.0.1:$milter_port, default_action=accept }
milter_protocol = 6
in_flow_delay = 0
EOF
cat >"$t/etc/master.cf" <<EOF
127.0.0.1:$smtp_port inet n - n - - smtpd
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
smtp      unix  - - n - - smtp
relay     unix  - - n - - smtp
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
virtual   unix  - n n - - virtual
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
EOF

# start_milter [CONFIG LINE...] -- (re)start the milter in the foreground.
start_milter() {
	{
		echo "Socket inet:$milter_port@127.0.0.1"
		echo "StoreDirectory $t/store"
		echo "HostName mx.example.org"
		echo "LogLevel debug"
		for line in "$@"; do
			echo "$line"
		done
	} >"$t/milter.conf"
	"$bin" -f -c "$t/milter.conf" >>"$t/milter.log" 2>&1 &
	milter_pid=$!
	i=0
	until python3 -c "import socket; socket.create_connection(('127.0.0.1', $milter_port), 1)" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 100 ] || fail "milter did not start: $(cat "$t/milter.log")"
		sleep 0.05
	done
}

stop_milter() {
	kill -"${1:-TERM}" "$milter_pid"
	wait "$milter_pid"
	milter_pid=
}

delivered() {
	find "$t/mail/inbox/new" -type f 2>/dev/null | wc -l
}

stored() {
	cat "$t/store"/tlsrpt-*.jsonl 2>/dev/null |
		grep -o '"report-id":"[^"]*"' | sort -u | wc -l
}

# wait_delivered N -- until N messages are in the maildir (60 s at most).
wait_delivered() {
	i=0
	while [ "$(delivered)" -lt "$1" ] && [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ "$(delivered)" -eq "$1" ] ||
		fail "$(delivered) messages delivered, want $1; maillog: $(tail -20 "$t/maillog")"
}

# wait_queue_empty -- until Postfix has nothing left to deliver.
wait_queue_empty() {
	i=0
	while [ -n "$(find "$t/queue/incoming" "$t/queue/active" \
		"$t/queue/deferred" -type f 2>/dev/null)" ] && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

python3 "$gen" "$t/mails" gzip one 1 &&
	python3 "$gen" "$t/mails" text plain 1 &&
	python3 "$gen" "$t/mails" gzip bulk 500 &&
	python3 "$gen" "$t/mails" gzip disc 1 &&
	python3 "$gen" "$t/mails" gzip down 2 || fail "cannot write test mails"

start_milter
postfix -c "$t/etc" start >/dev/null 2>&1 ||
	fail "postfix did not start: $(script -qc "postfix -c $t/etc check" /dev/null; cat "$t/maillog" 2>/dev/null)"

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
