#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-milter-valgrind.sh -- 1,000 messages (200 reports, 800 ordinary mails,
# on four connections) through tlsrpt-milter running under valgrind:
# no invalid access, no leak (GLib's and libmilter's thread-local blocks
# suppressed, see valgrind-milter.supp).
. "$TLSRPT_TOP/tests/scripts/lib.inc"

command -v valgrind >/dev/null 2>&1 || skip "valgrind is not installed"
command -v miltertest >/dev/null 2>&1 || skip "miltertest is not installed"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
case $TLSRPT_BUILD in
*-asan) skip "valgrind does not run sanitizer builds" ;;
esac
bin=$TLSRPT_BUILD/tlsrpt-milter
[ -x "$bin" ] || fail "no $bin"
lua=$TLSRPT_TOP/tests/scripts/milter-protocol.lua
gen=$TLSRPT_TOP/tests/scripts/gen-report-mail.py
glibsupp=/usr/share/glib-2.0/valgrind/glib.supp

server_tmpdir KILL

port=$(python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
mkdir -p "$t/store" "$t/mail"
python3 "$gen" "$t/mail" gzip vg 200 && python3 "$gen" "$t/mail" text tx 1 ||
	fail "cannot write test mails"
printf 'Socket inet:%s@127.0.0.1\nStoreDirectory %s\nHostName mx.example.org\nFsync none\n' \
	"$port" "$t/store" >"$t/milter.conf"
# As root it runs as nobody: tlsrpt-milter refuses to parse mail as root.
if [ "$(id -u)" -eq 0 ]; then
	chmod 755 "$t"
	chown nobody:nogroup "$t/store"
	echo "UserID nobody:nogroup" >>"$t/milter.conf"
fi
supp="--suppressions=$TLSRPT_TOP/tests/scripts/valgrind-milter.supp"
[ -f "$glibsupp" ] && supp="$supp --suppressions=$glibsupp"
# shellcheck disable=SC2086
valgrind -q --vgdb=no --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
	--show-leak-kinds=definite,indirect,possible --error-exitcode=99 \
	--log-file="$t/valgrind.log" $supp "$bin" -f -c "$t/milter.conf" \
	>"$t/milter.log" 2>&1 &
pid=$!

list() { # list FROM TO -- vg-FROM.eml,...,vg-TO.eml
	i=$1 out=
	while [ "$i" -le "$2" ]; do
		out="$out${out:+,}$t/mail/vg-$i.eml"
		i=$((i + 1))
	done
	echo "$out"
}
plain() { # plain N -- the ordinary mail N times
	i=0 out=
	while [ "$i" -lt "$1" ]; do
		out="$out${out:+,}$t/mail/tx-1.eml"
		i=$((i + 1))
	done
	echo "$out"
}

run() {
	out=$(miltertest -D "sock=inet:$port@127.0.0.1" "$@" -s "$lua" 2>&1)
	[ "$out" = OK ] || fail "miltertest: $out"
}
run -D "msgs=$(list 1 100)" -D expect=continue -D "header=stored Test Reporter"
run -D "msgs=$(plain 400)" -D rcpt=someone@example.org -D expect=data-accept
run -D "msgs=$(list 101 200)" -D expect=continue -D chunks=997
run -D "msgs=$(plain 400)" -D rcpt=someone@example.org -D expect=data-accept
n=$(cat "$t/store"/tlsrpt-*.jsonl | grep -c '"report-id":"vg-')
[ "$n" -eq 200 ] || fail "$n reports stored, want 200"
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
if [ "$rc" -ne 0 ] || [ -s "$t/valgrind.log" ]; then
	cat "$t/valgrind.log"
	fail "valgrind: exit $rc"
fi
echo "ok - 1000 messages under valgrind: clean"
