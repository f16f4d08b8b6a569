#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-reload.sh -- tlsrpt-milter behaves like a daemon (issue 17, item 4):
# SIGHUP re-reads the configuration and new messages use it, the process
# staying the same; a bad file on SIGHUP keeps the running configuration
# and says why with the file's line; a key that needs a restart is said
# and kept; SIGTERM lets a message in flight finish; -n fails on a UserID
# that does not exist and on a store the user cannot write.
# The real daemon, driven by miltertest (milter-protocol.lua).
. "$TLSRPT_TOP/tests/scripts/lib.inc"

command -v miltertest >/dev/null 2>&1 || skip "miltertest is not installed"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"

bin=$TLSRPT_BUILD/tlsrpt-milter
[ -x "$bin" ] || fail "no $bin"
lua=$TLSRPT_TOP/tests/scripts/milter-protocol.lua
gen=$TLSRPT_TOP/tests/scripts/gen-report-mail.py
t=$(tmpdir)
[ "$(id -u)" -eq 0 ] && chmod 755 "$t"
pid=
failures=0

cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	wait
	rm -rf "$t"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

ok() { echo "ok - $1"; }
not_ok() {
	echo "not ok - $1"
	failures=$((failures + 1))
}

port=$(python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])') || fail "no free port"
mkdir -p "$t/store" "$t/mail"
user=
if [ "$(id -u)" -eq 0 ]; then
	chown nobody:nogroup "$t/store"
	user="UserID nobody:nogroup"
fi
python3 "$gen" "$t/mail" gzip gz 6 || fail "cannot write test mails"

# conf [LINE...] -- the configuration file, rewritten in place (same name,
# as an administrator edits it).
conf() {
	{
		[ -n "$user" ] && echo "$user"
		echo "Socket inet:$port@127.0.0.1"
		echo "StoreDirectory $t/store"
		echo "HostName mx.example.org"
		echo "Fsync none"
		for line in "$@"; do
			echo "$line"
		done
	} >"$t/conf"
}

# send DESCRIPTION MAIL RCPT EXPECT [HEADER] [-D ...] -- one message.
send() {
	desc=$1 mail=$2 rcpt=$3 expect=$4 header=$5
	shift 5
	out=$(miltertest -D "sock=inet:$port@127.0.0.1" -D "msgs=$mail" \
		-D "rcpt=$rcpt" -D "expect=$expect" -D "header=$header" \
		"$@" -s "$lua" 2>&1)
	if [ "$out" = OK ]; then ok "$desc"; else not_ok "$desc: $out"; fi
}

# log_has PATTERN DESCRIPTION -- wait up to 5 s for a line in the log.
log_has() {
	i=0
	while [ $i -lt 50 ]; do
		grep -Eq "$1" "$t/log" && {
			ok "$2"
			return
		}
		sleep 0.1
		i=$((i + 1))
	done
	not_ok "$2: no /$1/ in the log"
}

alive() {
	if kill -0 "$pid" 2>/dev/null; then ok "$1"; else not_ok "$1"; fi
}

conf "ReportAddresses tlsrpt@example.org"
"$bin" -f -c "$t/conf" >"$t/log" 2>&1 &
pid=$!
log_has "starting: socket" "the daemon started"

send "before SIGHUP, new@example.org is not a report address" \
	"$t/mail/gz-1.eml" new@example.org data-accept ""

# SIGHUP: the new ReportAddresses is used; Socket needs a restart.
conf "ReportAddresses new@example.org" "LogLevel debug"
sed -i "s/^Socket .*/Socket inet:1@127.0.0.1/" "$t/conf"
kill -HUP "$pid"
log_has "configuration reloaded" "SIGHUP reloads the configuration"
log_has 'Socket changed to "inet:1@127.0.0.1": needs a restart' \
	"a changed Socket is said to need a restart"
alive "the same process runs after SIGHUP (pid $pid)"
send "after SIGHUP, a report to new@example.org is stored" \
	"$t/mail/gz-1.eml" new@example.org continue "stored Test Reporter gz-1"
log_has "report addresses: new@example.org" "the new addresses are logged"

# A bad file on SIGHUP: the running configuration stays.
conf "ReportAddresses other@example.org" "NoSuchKey 1"
kill -HUP "$pid"
log_has "configuration not reloaded, the running one stays: $t/conf:7: NoSuchKey: unknown key" \
	"a bad configuration is refused with its line"
alive "the same process runs after a bad SIGHUP"
send "after a bad SIGHUP, new@example.org is still a report address" \
	"$t/mail/gz-2.eml" new@example.org continue "stored Test Reporter gz-2"
send "after a bad SIGHUP, other@example.org is not" \
	"$t/mail/gz-3.eml" other@example.org data-accept ""

# SIGHUP while a message is in flight: it ends under the configuration it
# started with (AddHeader yes), the next message under the new one.
cp "$t/conf" "$t/conf.old"
conf "ReportAddresses new@example.org" "AddHeader no"
mv "$t/conf" "$t/conf.next"
mv "$t/conf.old" "$t/conf"
send "SIGHUP before end of message: it ends under its old configuration" \
	"$t/mail/gz-5.eml" new@example.org continue "stored Test Reporter gz-5" \
	-D "before_eom=cp $t/conf.next $t/conf; kill -HUP $pid; sleep 1.5"
log_has "1 in flight finish under the old one" \
	"the reload counts the message in flight"
send "the next message uses the new configuration (no header)" \
	"$t/mail/gz-6.eml" new@example.org continue ""

# SIGTERM while a message is in flight: it finishes, then the daemon goes.
send "SIGTERM before end of message: the message is still handled" \
	"$t/mail/gz-4.eml" new@example.org continue "" \
	-D "before_eom=kill -TERM $pid; sleep 1"
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
if kill -0 "$pid" 2>/dev/null; then
	not_ok "the daemon stops after SIGTERM"
else
	wait "$pid"
	rc=$?
	pid=
	[ "$rc" -eq 0 ] && ok "the daemon stops after SIGTERM, exit 0" ||
		not_ok "exit $rc after SIGTERM"
fi
log_has "SIGTERM: stopping after 1 message in flight" \
	"SIGTERM waits for the message in flight"
n=$(cat "$t/store"/tlsrpt-*.jsonl 2>/dev/null | grep -c '"report-id"')
[ "$n" -eq 5 ] && ok "the store holds the 5 reports" ||
	not_ok "the store holds $n reports, want 5"

# check_n WANT PATTERN DESCRIPTION CONFIG -- -n exits WANT and says PATTERN.
check_n() {
	out=$("$bin" -n -c "$4" 2>&1)
	rc=$?
	if [ "$rc" -eq "$1" ] && echo "$out" | grep -q "$2"; then
		ok "$3 (exit $1)"
	else
		not_ok "$3: exit $rc: $out"
	fi
}

# -n: UserID must exist, the store must be writable by it.
printf 'UserID no-such-user-17\nStoreDirectory %s/store\n' "$t" >"$t/nouser"
check_n 67 'no user "no-such-user-17"' "-n: a missing UserID fails" "$t/nouser"
if [ "$(id -u)" -eq 0 ]; then
	mkdir "$t/rootonly"
	chmod 700 "$t/rootonly"
	printf 'UserID nobody\nStoreDirectory %s/rootonly\n' "$t" >"$t/ro"
	check_n 73 "nobody cannot write" \
		"-n: a store UserID cannot write fails" "$t/ro"
	printf 'UserID nobody:nogroup\nStoreDirectory %s/store\n' "$t" >"$t/good"
	check_n 0 "OK" "-n: a store the user can write passes" "$t/good"
fi

[ "$failures" -eq 0 ] || {
	sed 's/^/# /' "$t/log"
	fail "$failures failures"
}
echo "PASS"
