#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# fsync-ab.sh OLD NEW [ROUNDS] -- report mail through two builds of
# tlsrpt-milter (build directories OLD and NEW; NEW also gives milter-load),
# each with Fsync report and Fsync none, alternating in one loop, so that
# the ratio report/none of each is measured under the same machine load
# (BENCHMARKS.md, "Durable appends"). 2,000 typical report mails, 8
# connections, a fresh store each run; one line per run, with the median
# fdatasync time of an 800-byte append measured before each round.
set -eu
OLD=$1 NEW=$2 ROUNDS=${3:-5}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
CORPUS=${TLSRPT_CORPUS:-$TOP/../shared/corpus}/real
T=$(mktemp -d /tmp/fsync-ab.XXXXXX)
chmod 755 "$T"
mp=
trap '[ -n "$mp" ] && kill "$mp" 2>/dev/null; rm -rf "$T"' EXIT
python3 tests/bench/gen-mails.py "$T/typ" typical 2000 "$CORPUS" >/dev/null
port() { python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
. "$(dirname "$0")/bench.inc"
synctime() { python3 -c 'import os, time
fd = os.open(os.sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
v = []
for i in range(200):
    t = time.monotonic(); os.write(fd, b"x" * 800); os.fdatasync(fd)
    v.append(time.monotonic() - t)
print("%.2f" % (sorted(v)[100] * 1000))' "$T/sync.dat"; }
run() { # BUILD NAME FSYNC
	mkdir -p "$T/$2.store"
	[ "$(id -u)" -eq 0 ] && chown nobody:nogroup "$T/$2.store"
	p=$(port)
	{
		[ "$(id -u)" -eq 0 ] && echo "UserID nobody:nogroup"
		echo "Socket inet:$p@127.0.0.1"
		echo "StoreDirectory $T/$2.store"
		echo "HostName mx.example.org"
		echo "LogLevel err"
		echo "Fsync $3"
	} >"$T/$2.conf"
	"$1/tlsrpt-milter" -f -c "$T/$2.conf" >"$T/$2.log" 2>&1 &
	mp=$!
	sleep 1
	l=$("$NEW/tests/bench/milter-load" -s "127.0.0.1:$p" -c 8 -n 2000 \
		-r tlsrpt@example.org "$T/typ"/*.eml)
	kill "$mp"; wait "$mp" 2>/dev/null || true; mp=
	echo "$2 msgs_per_s=$(field msgs_per_s "$l") load=$(cut -d' ' -f1 /proc/loadavg)"
	rm -rf "$T/$2.store"
}
for r in $(seq "$ROUNDS"); do
	echo "round $r: fdatasync median $(synctime) ms"
	run "$OLD" old-report report
	run "$OLD" old-none none
	run "$NEW" new-report report
	run "$NEW" new-none none
done
