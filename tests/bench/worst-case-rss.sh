#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# worst-case-rss.sh -- the milter's memory under the costliest report mail
# (issue 15, case 7): N parallel connections (default 8) each send a 69 KB
# mail holding 16 MB of empty JSON objects (inflate ratio ~318, under every
# default limit). Prints the milter's peak (VmHWM) and resident (VmRSS)
# memory afterwards, in kB.
#
#   worst-case-rss.sh BUILD [CONNS] [CONFIG LINE...]
#
# BUILD holds tlsrpt-milter and tests/bench/milter-load (make bench-programs).
# Not part of `make check`: t-hostile-e2e.sh holds the milter to 200 MB.
set -eu
B=$(cd "$1" && pwd); shift
C=${1:-8}; [ $# -gt 0 ] && shift
top=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d /tmp/worst-rss.XXXXXX)
mpid=
cleanup() {
	[ -n "$mpid" ] && kill "$mpid" 2>/dev/null && wait "$mpid" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

python3 - "$top/tests/hostile/make-hostile.py" "$T/worst.eml" <<'PY'
import importlib.util, sys
spec = importlib.util.spec_from_file_location("mh", sys.argv[1])
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
with open(sys.argv[2], "wb") as f:
    f.write(m.simple("worst", m.gz(m.value_flood("worst", 16000000, 250))))
PY
port=$(python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
chmod 0755 "$T"
mkdir -m 0750 "$T/store"
[ "$(id -u)" -eq 0 ] && chown nobody:nogroup "$T/store"
{
	[ "$(id -u)" -eq 0 ] && echo "UserID nobody:nogroup"
	echo "Socket inet:$port@127.0.0.1"
	echo "StoreDirectory $T/store"
	echo "HostName mx.example.org"
	echo "LogLevel notice"
	for l in "$@"; do echo "$l"; done
} >"$T/milter.conf"
"$B/tlsrpt-milter" -f -c "$T/milter.conf" >"$T/milter.log" 2>&1 &
mpid=$!
sleep 1
kill -0 "$mpid" 2>/dev/null || { cat "$T/milter.log" >&2; exit 1; }
mem() { awk -v f="$1:" '$1 == f {print $2}' "/proc/$mpid/status"; }
before=$(mem VmHWM)
"$B/tests/bench/milter-load" -s "127.0.0.1:$port" -c "$C" -n "$C" \
	-r tlsrpt@example.org "$T/worst.eml" >"$T/load.out"
echo "mail $(wc -c <"$T/worst.eml") bytes x $C at once: VmHWM ${before} -> $(mem VmHWM) kB, VmRSS after $(mem VmRSS) kB; $(cat "$T/load.out")"
grep -m1 -o 'holds more than.*' "$T/milter.log" || true
