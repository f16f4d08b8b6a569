#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-privileges.sh -- tlsrpt-milter started as root: refuses to go on as
# root without UserID (unless AllowRoot yes), drops to UserID before it
# listens (every uid and gid of the running process is the user's), creates
# a missing store directory 0750 owned by user:group, creates its unix
# socket as the user with Umask applied (srwxrwx---), writes day files
# 0640 owned by the user, and warns about a store others can read.
. "$TLSRPT_TOP/tests/scripts/lib.inc"

need_nobody "test dropping privileges"
command -v miltertest >/dev/null 2>&1 || skip "miltertest is not installed"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
bin=$TLSRPT_BUILD/tlsrpt-milter
[ -x "$bin" ] || fail "no $bin"
lua=$TLSRPT_TOP/tests/scripts/milter-protocol.lua
gen=$TLSRPT_TOP/tests/scripts/gen-report-mail.py
uid=$(id -u nobody)
gid=$(getent group nogroup | cut -d: -f3)

server_tmpdir KILL
chmod 755 "$t"

python3 "$gen" "$t" gzip priv 1 || fail "cannot write the test mail"

# 1. Root without UserID: refused, with a message saying what to do.
printf 'Socket unix:%s/root.sock\nStoreDirectory %s/rootstore\n' "$t" "$t" >"$t/root.conf"
"$bin" -f -c "$t/root.conf" >"$t/root.log" 2>&1
rc=$?
[ "$rc" -eq 77 ] || fail "as root without UserID: exit $rc, want 77: $(cat "$t/root.log")"
grep -q 'refusing to run as root: set UserID' "$t/root.log" ||
	fail "no clear refusal: $(cat "$t/root.log")"
[ -e "$t/root.sock" ] && fail "the refused daemon created its socket"
[ -e "$t/rootstore" ] && fail "the refused daemon created its store"
echo "ok - refuses to run as root without UserID (exit 77, clear message)"

# 2. UserID root is root too.
"$bin" -f -c "$t/root.conf" -u root >"$t/root2.log" 2>&1
rc=$?
[ "$rc" -eq 77 ] || fail "-u root: exit $rc, want 77: $(cat "$t/root2.log")"
echo "ok - refuses UserID root as well"

# 3. AllowRoot yes: runs as root, because it was told to.
port=$(python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf 'Socket inet:%s@127.0.0.1\nStoreDirectory %s/rootstore\nAllowRoot yes\n' \
	"$port" "$t" >"$t/allow.conf"
"$bin" -f -c "$t/allow.conf" >"$t/allow.log" 2>&1 &
pid=$!
i=0
until python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "AllowRoot yes: the daemon did not start: $(cat "$t/allow.log")"
	kill -0 "$pid" 2>/dev/null || fail "AllowRoot yes: exited: $(cat "$t/allow.log")"
	sleep 0.05
done
kill -KILL "$pid"
wait "$pid" 2>/dev/null
pid=
echo "ok - AllowRoot yes lets it run as root"

# 4. -u nobody:nogroup with a unix socket and a missing store directory.
mkdir "$t/run"
chown nobody:nogroup "$t/run"
printf 'Socket unix:%s/run/milter.sock\nStoreDirectory %s/store\nUmask 0007\nHostName mx.example.org\n' \
	"$t" "$t" >"$t/milter.conf"
"$bin" -f -c "$t/milter.conf" -u nobody:nogroup >"$t/milter.log" 2>&1 &
pid=$!
i=0
until [ -S "$t/run/milter.sock" ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "the daemon did not start: $(cat "$t/milter.log")"
	kill -0 "$pid" 2>/dev/null || fail "the daemon exited: $(cat "$t/milter.log")"
	sleep 0.05
done
ids=$(awk '/^Uid:/ {print $2, $3, $4, $5} /^Gid:/ {print $2, $3, $4, $5} /^Groups:/ {$1 = ""; print}' "/proc/$pid/status" | tr '\n' ' ')
want="$uid $uid $uid $uid $gid $gid $gid $gid"
case $ids in
"$want "*) ;;
*) fail "process ids are \"$ids\", want \"$want\" (real, effective, saved, fs)" ;;
esac
for g in $(awk '/^Groups:/ {$1 = ""; print}' "/proc/$pid/status"); do
	[ "$g" -eq 0 ] && fail "still in group 0 (supplementary groups: $ids)"
done
echo "ok - running process: uid $uid and gid $gid everywhere, no root group"

st=$(stat -c '%U:%G %a' "$t/store")
[ "$st" = "nobody:nogroup 750" ] || fail "store directory is \"$st\", want nobody:nogroup 750"
echo "ok - missing store directory created nobody:nogroup 0750"
st=$(stat -c '%U:%G %A' "$t/run/milter.sock")
[ "$st" = "nobody:nogroup srwxrwx---" ] || fail "socket is \"$st\", want nobody:nogroup srwxrwx---"
echo "ok - socket created nobody:nogroup srwxrwx--- (Umask 0007)"

out=$(miltertest -D "sock=unix:$t/run/milter.sock" -D "msgs=$t/priv-1.eml" \
	-D qid=PRIV1 -D expect=continue -D "header=stored Test Reporter priv-1" \
	-s "$lua" 2>&1)
[ "$out" = OK ] || fail "miltertest over the unix socket: $out"
f=$(ls "$t/store"/tlsrpt-*.jsonl 2>/dev/null | head -1)
[ -n "$f" ] || fail "nothing stored: $(cat "$t/milter.log")"
st=$(stat -c '%U:%G %a' "$f")
[ "$st" = "nobody:nogroup 640" ] || fail "day file is \"$st\", want nobody:nogroup 640"
echo "ok - a report stored through the socket: day file nobody:nogroup 0640"
kill -KILL "$pid"
wait "$pid" 2>/dev/null
pid=

# 5. A store directory others can read: started anyway, with a warning.
chmod 0755 "$t/store"
"$bin" -f -c "$t/milter.conf" -u nobody:nogroup >"$t/warn.log" 2>&1 &
pid=$!
i=0
until grep -q 'starting' "$t/warn.log"; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "the daemon did not start: $(cat "$t/warn.log")"
	sleep 0.05
done
grep -q "warning: StoreDirectory $t/store: mode 0755 lets every user read" "$t/warn.log" ||
	fail "no warning about a world-readable store: $(cat "$t/warn.log")"
echo "ok - a store others can read is warned about"
