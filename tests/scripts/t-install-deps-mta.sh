#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-install-deps-mta.sh -- scripts/install-deps (make demo, make check)
# never replaces this host's MTA: with postfix missing and another MTA
# installed (exim4, sendmail, opensmtpd: any package that provides
# mail-transport-agent), or something listening on port 25, it says why
# and stops before apt-get; with postfix installed, or no other MTA and
# port 25 free, it goes on. Runs against a fake dpkg-query, apt-get and
# /proc/net on PATH: nothing is installed. Also once against a real
# listener on 127.0.0.1:25 when that port is free and we are root.
. "$TLSRPT_TOP/tests/scripts/lib.inc"

t=$(tmpdir)
listener=
trap '[ -n "$listener" ] && kill "$listener" 2>/dev/null; rm -rf "$t"' EXIT
deps=$TLSRPT_TOP/scripts/install-deps

# fake/dpkg-query: a package is installed when named in $FAKE_INSTALLED;
# the Provides listing shows those plus postfix's and the MTAs' Provides.
mkdir "$t/fake" "$t/proc"
cat >"$t/fake/dpkg-query" <<'EOF2'
#!/bin/sh
case "$*" in
*Provides*)
	for p in postfix exim4-daemon-light sendmail-bin opensmtpd python3; do
		case " $FAKE_INSTALLED " in *" $p "*) s=installed ;; *) s=not-installed ;; esac
		case $p in python3) pr= ;; exim4-daemon-light) pr="exim4-localscanapi-6.0, mail-transport-agent" ;;
		*) pr=mail-transport-agent ;; esac
		echo "$p $s $pr"
	done
	;;
*)
	for p; do :; done
	case " $FAKE_INSTALLED " in *" $p "*) printf installed ;; *) exit 1 ;; esac
	;;
esac
EOF2
printf '#!/bin/sh\necho "apt-get $*" >>%s/apt.log\n' "$t" >"$t/fake/apt-get"
printf '#!/bin/sh\ncat >/dev/null\n' >"$t/fake/debconf-set-selections"
chmod +x "$t/fake/"*
# run NAME INSTALLED PROC: install-deps demo, output in $t/NAME.out.
run() {
	rm -f "$t/apt.log"
	FAKE_INSTALLED=$2 INSTALL_DEPS_PROC_NET=$3 PATH="$t/fake:$PATH" \
		sh "$deps" demo >"$t/$1.out" 2>&1
}
# went_on NAME: install-deps got as far as installing (or, not root,
# naming the apt-get command), and asked for postfix.
went_on() {
	grep -q 'postfix' "$t/apt.log" 2>/dev/null ||
		grep -q 'run as root: apt-get install.* postfix' "$t/$1.out"
}

# /proc/net/tcp with a listener on 0.0.0.0:25, and one without.
hdr='  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode'
mkdir "$t/proc25" "$t/proc-free"
printf '%s\n   0: 00000000:0019 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1\n' "$hdr" >"$t/proc25/tcp"
printf '%s\n   0: 0100007F:0019 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 2 1\n' "$hdr" >"$t/proc-free/tcp"

for mta in exim4-daemon-light sendmail-bin opensmtpd; do
	run "$mta" "$mta" "$t/proc-free" && fail "install-deps went on with $mta installed"
	went_on "$mta" && fail "install-deps would install postfix over $mta"
	grep -q "this host's MTA ($mta )" "$t/$mta.out" ||
		fail "no reason naming $mta: $(cat "$t/$mta.out")"
done
echo "ok - with exim4, sendmail or opensmtpd installed it stops before apt-get and says why"

run port25 "" "$t/proc25" && fail "install-deps went on with port 25 in use"
went_on port25 && fail "install-deps would install postfix with port 25 in use"
grep -q 'something listens on port 25' "$t/port25.out" ||
	fail "no reason naming port 25: $(cat "$t/port25.out")"
echo "ok - with port 25 in use and no postfix it stops before apt-get and says why"

run free "" "$t/proc-free"
went_on free || fail "no other MTA, port 25 free: install-deps did not go on: $(cat "$t/free.out")"
run ours "postfix" "$t/proc25"
grep -q 'postfix' "$t/apt.log" 2>/dev/null && fail "asked for postfix although it is installed"
grep -q 'listens on port 25' "$t/ours.out" &&
	fail "stopped for port 25 with postfix installed (the system's own Postfix)"
echo "ok - no other MTA and port 25 free, or postfix installed: it goes on"

# The same against the real /proc/net: a listener on 127.0.0.1:25.
if [ "$(id -u)" -eq 0 ] && command -v python3 >/dev/null 2>&1; then
	python3 -c 'import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", 25))
except OSError:
    sys.exit(3)
s.listen(1)
open(sys.argv[1], "w").close()
time.sleep(60)' "$t/listening" &
	listener=$!
	i=0
	while [ ! -e "$t/listening" ] && kill -0 $listener 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	if [ -e "$t/listening" ]; then
		run real "" /proc/net && fail "install-deps went on with a real listener on port 25"
		grep -q 'something listens on port 25' "$t/real.out" ||
			fail "real port 25 listener not seen: $(cat "$t/real.out")"
		echo "ok - a real listener on 127.0.0.1:25 is seen in /proc/net/tcp"
	else
		echo "ok - # SKIP port 25 is taken here; the real-listener case is not run"
	fi
	kill $listener 2>/dev/null
	wait $listener 2>/dev/null
	listener=
fi
