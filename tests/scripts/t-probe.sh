#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-probe.sh -- tlsrpt-probe against real servers on loopback: a private
# CA made here with openssl (valid, expired, expiring in 5 days, wrong
# name, self-signed, not yet valid certificates), one private Postfix with
# an smtpd per certificate on 127.0.0.2-7 and .10 (and ::1), small Python
# servers for hosts that misbehave (fake-smtp.py), a private dnsmasq
# serving the MX, A/AAAA, TXT and TLSA records (and one on ::1 for
# --resolver over IPv6), a private unbound validating a root zone signed
# here (DNSSEC, the AD bit), and a private lighttpd serving MTA-STS
# policies over HTTPS with the private CA. Each finding class has a case; the JSON
# is checked field by field (tests/scripts/probe_check.py); -c stores the
# findings and alerts once for two runs, and remembers each domain's
# MTA-STS id and policy for the next. Runs in about a minute, mostly the
# timeouts.
. "$TLSRPT_TOP/tests/scripts/lib.inc"

prog=$TLSRPT_BUILD/tlsrpt-probe
[ -x "$prog" ] || fail "$prog not built"
[ "$(id -u)" -eq 0 ] || skip "needs root to run a private Postfix"
command -v postfix >/dev/null 2>&1 || skip "postfix is not installed"
id postfix >/dev/null 2>&1 || skip "no postfix user"
for p in openssl python3; do
	command -v $p >/dev/null || skip "$p is not installed"
done
dnsmasq=$(command -v dnsmasq || ls /usr/sbin/dnsmasq 2>/dev/null)
[ -n "$dnsmasq" ] || skip "dnsmasq is not installed (package dnsmasq-base)"
lighttpd=$(command -v lighttpd || echo /usr/sbin/lighttpd)
[ -x "$lighttpd" ] || skip "lighttpd is not installed"
[ -e /usr/lib/lighttpd/mod_openssl.so ] ||
	skip "lighttpd-mod-openssl is not installed"
check=$TLSRPT_TOP/tests/scripts/probe_check.py

t=$(mktemp -d /tmp/probe.XXXXXX) || fail "mktemp"
dpid=
lpid=
spid=
bpid=
rpid=
npid=
cpid=
d6pid=
upid=
# sandbox_cleanup stops the private Postfix and removes $t; free_port.
. "$TLSRPT_TOP/scripts/postfix-sandbox.inc"
cleanup() {
	[ -n "$dpid" ] && kill "$dpid" 2>/dev/null
	[ -n "$lpid" ] && kill "$lpid" 2>/dev/null
	[ -n "$spid" ] && kill "$spid" 2>/dev/null
	[ -n "$bpid" ] && kill "$bpid" 2>/dev/null
	[ -n "$rpid" ] && kill "$rpid" 2>/dev/null
	[ -n "$npid" ] && kill "$npid" 2>/dev/null
	[ -n "$cpid" ] && kill "$cpid" 2>/dev/null
	[ -n "$d6pid" ] && kill "$d6pid" 2>/dev/null
	[ -n "$upid" ] && kill "$upid" 2>/dev/null
	sandbox_cleanup
}
[ -n "$KEEP" ] || trap cleanup EXIT
trap 'exit 2' INT TERM
chmod 755 "$t"

# 1. The private CA and its certificates.
mkdir "$t/ca" "$t/ca/new"
: >"$t/ca/index.txt"
echo 1000 >"$t/ca/serial"
cat >"$t/ca/ca.cnf" <<EOF
[ca]
default_ca = test
[test]
dir = $t/ca
database = $t/ca/index.txt
serial = $t/ca/serial
new_certs_dir = $t/ca/new
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[any]
commonName = supplied
EOF
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-days 30 -subj "/CN=Probe Test CA" -keyout "$t/ca/ca.key" \
	-out "$t/ca.pem" 2>"$t/openssl.err" || fail "CA: $(cat "$t/openssl.err")"
stamp() {
	date -u -d "@$(($(date +%s) + $1 * 86400))" +%Y%m%d%H%M%SZ
}
# leaf NAME FROM_DAYS TO_DAYS SAN... -- a key and certificate signed by the
# CA, valid from now+FROM to now+TO days, in $t/NAME.pem (key, then cert:
# Postfix's smtpd_tls_chain_files).
leaf() {
	n=$1 from=$2 to=$3
	shift 3
	san=
	for h in "$@"; do san="$san${san:+,}DNS:$h"; done
	printf '[ext]\nsubjectAltName = %s\nextendedKeyUsage = serverAuth\n' \
		"$san" >"$t/$n.ext"
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-subj "/CN=$1" -keyout "$t/$n.key" -out "$t/$n.csr" \
		2>>"$t/openssl.err" &&
		openssl ca -batch -config "$t/ca/ca.cnf" -cert "$t/ca.pem" \
			-keyfile "$t/ca/ca.key" -in "$t/$n.csr" \
			-out "$t/$n.crt" -notext -startdate "$(stamp "$from")" \
			-enddate "$(stamp "$to")" -extfile "$t/$n.ext" \
			-extensions ext >>"$t/openssl.err" 2>&1 ||
		fail "certificate $n: $(cat "$t/openssl.err")"
	cat "$t/$n.key" "$t/$n.crt" >"$t/$n.pem"
}
leaf valid -1 90 mx-valid.test mx2-valid.test mx3.valid.test mx-v6.test \
	mx-dane.test mx-danebad.test mta-sts.sts-good.test \
	mta-sts.sts-wrongmx.test mta-sts.sts-redirect.test mta-sts.sts-404.test \
	mta-sts.sts-huge.test mta-sts.sts-badtxt.test mta-sts.sts-badpolicy.test \
	mta-sts.sts-change.test
leaf expired -60 -2 mx-expired.test
leaf expiring -1 5 mx-expiring.test mx-daneta.test
# This server sends its CA too: a DANE-TA (2 0 1) record can match it.
cat "$t/ca.pem" >>"$t/expiring.pem"
leaf wrongname -1 90 other.test
leaf future 2 90 mx-future.test
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-days 90 -subj /CN=mx-self.test -addext subjectAltName=DNS:mx-self.test \
	-keyout "$t/self.key" -out "$t/self.crt" 2>>"$t/openssl.err" ||
	fail "self-signed: $(cat "$t/openssl.err")"
cat "$t/self.key" "$t/self.crt" >"$t/self.pem"

# 2. One private Postfix: an smtpd per certificate, each on its own
# loopback address and the same port (the probe has one --smtp-port).
smtp_port=$(free_port)
mkdir -p "$t/etc" "$t/queue" "$t/data"
chown postfix "$t/data"
v6=
protocols=ipv4
if ip -6 addr show lo 2>/dev/null | grep -q 'inet6 ::1/'; then
	v6=yes
	protocols=all
fi
cat >"$t/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $t/queue
data_directory = $t/data
maillog_file = $t/maillog
maillog_file_prefixes = $t
myhostname = mx-valid.test
inet_interfaces = loopback-only
inet_protocols = $protocols
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
mydestination =
relayhost =
smtpd_recipient_restrictions = reject
smtpd_tls_security_level = may
smtpd_tls_loglevel = 1
EOF
tls() { echo "-o smtpd_tls_chain_files=$t/$1.pem"; }
cat >"$t/etc/master.cf" <<EOF
127.0.0.2:$smtp_port inet n - n - - smtpd $(tls valid)
127.0.0.3:$smtp_port inet n - n - - smtpd $(tls expired)
127.0.0.4:$smtp_port inet n - n - - smtpd $(tls expiring)
127.0.0.5:$smtp_port inet n - n - - smtpd $(tls wrongname)
127.0.0.6:$smtp_port inet n - n - - smtpd $(tls self)
127.0.0.7:$smtp_port inet n - n - - smtpd -o smtpd_tls_security_level=none
127.0.0.10:$smtp_port inet n - n - - smtpd $(tls future)
${v6:+[::1]:$smtp_port inet n - n - - smtpd $(tls valid)}
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
showq     unix  n - n - - showq
error     unix  - - n - - error
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
tlsmgr    unix  - - n 1000? 1 tlsmgr
postlog   unix-dgram n - n - 1 postlogd
EOF
postfix -c "$t/etc" start >"$t/postfix.out" 2>&1 ||
	fail "postfix did not start: $(cat "$t/postfix.out" "$t/maillog" 2>/dev/null)"
i=0
until python3 -c "import socket; socket.create_connection(('127.0.0.7', $smtp_port), 1)" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "postfix does not listen: $(cat "$t/maillog")"
	sleep 0.1
done

# The hosts that misbehave (tests/scripts/fake-smtp.py): one silent after
# connecting, one that answers STARTTLS with no TLS, one that drips its
# handshake, one whose greeting has no reply code.
fake=$TLSRPT_TOP/tests/scripts/fake-smtp.py
python3 "$fake" silent 127.0.0.9 "$smtp_port" >"$t/silent.out" 2>&1 &
spid=$!
python3 "$fake" notls 127.0.0.11 "$smtp_port" >"$t/notls.out" 2>&1 &
bpid=$!
python3 "$fake" drip 127.0.0.12 "$smtp_port" >"$t/drip.out" 2>&1 &
rpid=$!
python3 "$fake" nocode 127.0.0.13 "$smtp_port" >"$t/nocode.out" 2>&1 &
npid=$!

# 3. lighttpd: https://mta-sts.DOMAIN/.well-known/mta-sts.txt for each
# policy case, one server on 127.0.0.2 (SNI is ignored: one certificate
# names every mta-sts host).
https_port=$(free_port)
mkdir -p "$t/www/good/.well-known" "$t/www/wrongmx/.well-known" \
	"$t/www/huge/.well-known" "$t/www/badpolicy/.well-known" "$t/www/404" \
	"$t/www/redirect" "$t/www/change/.well-known"
printf 'version: STSv1\r\nmode: enforce\r\nmx: mx-valid.test\r\nmx: *.valid.test\r\nmax_age: 86400\r\n' \
	>"$t/www/good/.well-known/mta-sts.txt"
# "*.mx-valid.test" does not match mx-valid.test itself (RFC 8461 4.1).
printf 'version: STSv1\r\nmode: enforce\r\nmx: mx.elsewhere.test\r\nmx: *.mx-valid.test\r\nmax_age: 86400\r\n' \
	>"$t/www/wrongmx/.well-known/mta-sts.txt"
printf 'version: STSv1\r\nmode: enforcing\r\nmx: mx-valid.test\r\nmax_age: 86400\r\n' \
	>"$t/www/badpolicy/.well-known/mta-sts.txt"
python3 -c 'import sys
sys.stdout.write("version: STSv1\r\nmode: testing\r\nmx: mx-valid.test\r\nmax_age: 86400\r\n" + "# padding\r\n" * 20000)' \
	>"$t/www/huge/.well-known/mta-sts.txt"
cat >"$t/lighttpd.conf" <<EOF
server.document-root = "$t/www/good"
server.bind = "127.0.0.2"
server.port = $https_port
server.pid-file = "$t/lighttpd.pid"
server.errorlog = "$t/lighttpd.err"
# The change cases rewrite a policy within the second lighttpd caches a
# file's size for: without this it serves the new body cut to the old size.
server.stat-cache-engine = "disable"
server.modules = ("mod_openssl", "mod_redirect")
ssl.engine = "enable"
ssl.pemfile = "$t/valid.crt"
ssl.privkey = "$t/valid.key"
\$HTTP["host"] =~ "^mta-sts\.sts-wrongmx\.test" { server.document-root = "$t/www/wrongmx" }
\$HTTP["host"] =~ "^mta-sts\.sts-huge\.test" { server.document-root = "$t/www/huge" }
\$HTTP["host"] =~ "^mta-sts\.sts-404\.test" { server.document-root = "$t/www/404" }
\$HTTP["host"] =~ "^mta-sts\.sts-change\.test" { server.document-root = "$t/www/change" }
\$HTTP["host"] =~ "^mta-sts\.sts-badpolicy\.test" { server.document-root = "$t/www/badpolicy" }
\$HTTP["host"] =~ "^mta-sts\.sts-redirect\.test" {
	server.document-root = "$t/www/redirect"
	url.redirect = ("^/(.*)" => "https://mta-sts.sts-good.test:$https_port/\$1")
}
EOF
"$lighttpd" -D -f "$t/lighttpd.conf" >"$t/lighttpd.out" 2>&1 &
lpid=$!

# 4. dnsmasq: the zone.
spki() {
	openssl x509 -in "$t/$1.crt" -noout -pubkey |
		openssl pkey -pubin -outform DER | openssl dgst -sha256 -r |
		cut -d' ' -f1
}
sts() { echo "txt-record=_mta-sts.$1,\"v=STSv1; id=$2\""; }
{
	for d in valid:2 expired:3 expiring:4 wrongname:5 self:6 plain:7 down:8; do
		n=${d%%:*}
		echo "mx-host=$n.test,mx-$n.test,10"
		echo "host-record=mx-$n.test,127.0.0.${d#*:}"
	done
	echo "mx-host=valid.test,mx2-valid.test,20"
	echo "host-record=mx2-valid.test,127.0.0.2"
	echo "mx-host=noaddr.test,mx-none.test,10"
	echo "mx-host=future.test,mx-future.test,10"
	echo "host-record=mx-future.test,127.0.0.10"
	echo "mx-host=notls.test,mx-notls.test,10"
	echo "host-record=mx-notls.test,127.0.0.11"
	echo "mx-host=drip.test,mx-drip.test,10"
	echo "host-record=mx-drip.test,127.0.0.12"
	echo "mx-host=nocode.test,mx-nocode.test,10"
	echo "host-record=mx-nocode.test,127.0.0.13"
	echo "mx-host=silent.test,mx-silent.test,10"
	echo "host-record=mx-silent.test,127.0.0.9"
	echo "mx-host=silent2.test,mx-silent.test,10"
	echo "mx-host=silent2.test,mx-silent2.test,20"
	echo "host-record=mx-silent2.test,127.0.0.9"
	echo "host-record=mx-v6.test,::1"
	echo "mx-host=v6.test,mx-v6.test,10"
	# DANE: a matching 3 1 1 record, a wrong one, and a domain where only
	# one of two MX hosts has TLSA.
	echo "host-record=mx-dane.test,127.0.0.2"
	echo "host-record=mx-danebad.test,127.0.0.2"
	echo "mx-host=dane.test,mx-dane.test,10"
	echo "mx-host=danebad.test,mx-danebad.test,10"
	echo "mx-host=danemixed.test,mx-dane.test,10"
	echo "mx-host=danemixed.test,mx-valid.test,20"
	echo "dns-rr=_25._tcp.mx-dane.test,52,030101$(spki valid)"
	echo "dns-rr=_25._tcp.mx-danebad.test,52,030101$(spki expired)"
	# DANE-TA: the CA certificate, at the host whose certificate expires
	# in 5 days: matched now, not in 14 days.
	echo "host-record=mx-daneta.test,127.0.0.4"
	echo "mx-host=daneta.test,mx-daneta.test,10"
	echo "dns-rr=_25._tcp.mx-daneta.test,52,020001$(openssl x509 -in "$t/ca.pem" -outform DER |
		openssl dgst -sha256 -r | cut -d' ' -f1)"
	# MTA-STS; mta-sts.sts-badcert.test is not in lighttpd's certificate.
	for d in good wrongmx redirect 404 huge badpolicy badcert; do
		echo "mx-host=sts-$d.test,mx-valid.test,10"
		echo "host-record=mta-sts.sts-$d.test,127.0.0.2"
		sts "sts-$d.test" 20260101T000000Z
	done
	echo "mx-host=sts-good.test,mx3.valid.test,20"
	echo "host-record=mx3.valid.test,127.0.0.2"
	echo "mx-host=sts-badtxt.test,mx-valid.test,10"
	echo "host-record=mta-sts.sts-badtxt.test,127.0.0.2"
	echo "txt-record=_mta-sts.sts-badtxt.test,\"v=STSv1; id=2026-01-01\""
} >"$t/dnsmasq.conf"
# dns_answers ADDR PORT -- whether a DNS server answers there (a query
# for test. SOA gets a reply).
dns_answers() {
	python3 - "$1" "$2" <<'EOF' 2>/dev/null
import socket, sys
s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET,
                  socket.SOCK_DGRAM)
s.settimeout(0.5)
q = bytes.fromhex("1234010000010000000000000474657374000006" "0001")
s.sendto(q, (sys.argv[1], int(sys.argv[2])))
s.recv(512)
EOF
}
# dnsmasq_start CONF ADDR -- a private dnsmasq serving $t/CONF.conf on
# ADDR (127.0.0.1 or ::1) and a free port, answering: sets ds_pid and
# ds_port, or fails.
dnsmasq_start() {
	ds_port=
	for try in 1 2 3 4 5; do
		p=$(free_port)
		"$dnsmasq" -k --port="$p" --listen-address="$2" \
			--bind-interfaces --no-resolv --no-hosts --user=root \
			--local=/test/ --pid-file="$t/$1.pid" \
			--conf-file="$t/$1.conf" \
			--log-facility="$t/$1.log" 2>>"$t/$1.err" &
		ds_pid=$!
		for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
			kill -0 "$ds_pid" 2>/dev/null || break
			if dns_answers "$2" "$p"; then
				ds_port=$p
				return 0
			fi
			sleep 0.1
		done
		kill "$ds_pid" 2>/dev/null
		wait "$ds_pid" 2>/dev/null
	done
	ds_pid=
	fail "dnsmasq ($1 on $2) did not start: $(cat "$t/$1.err")"
}
dnsmasq_start dnsmasq 127.0.0.1
dpid=$ds_pid
dns_port=$ds_port

i=0
until [ -s "$t/lighttpd.pid" ] &&
	python3 -c "import socket; socket.create_connection(('127.0.0.2', $https_port), 1)" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 50 ] || fail "lighttpd did not start: $(cat "$t/lighttpd.out" "$t/lighttpd.err" 2>/dev/null)"
	sleep 0.1
done

# probe WANT_EXIT CASE [OPTIONS] DOMAIN... -- run the probe, JSON out, and
# check it with probe_check.py CASE.
probe() {
	want=$1 case=$2
	shift 2
	"$prog" --format json --resolver "127.0.0.1:$dns_port" \
		--ca-file "$t/ca.pem" --smtp-port "$smtp_port" \
		--https-port "$https_port" --timeout 3 --ehlo probe.test \
		"$@" >"$t/out.json" 2>"$t/err"
	got=$?
	[ "$got" -eq "$want" ] ||
		fail "$case: exit $got, want $want: $(cat "$t/err" "$t/out.json")"
	python3 "$check" "$case" "$t/out.json" ||
		fail "$case: JSON: $(cat "$t/out.json")"
	echo "   ok: $case"
}

# Item 1 and 4: the certificate cases.
probe 0 valid valid.test
probe 1 expired expired.test
probe 1 expiring expiring.test
probe 0 expiring-3-days --days 3 expiring.test
probe 1 wrongname wrongname.test
probe 1 self self.test
probe 1 future future.test
grep -q ready "$t/notls.out" || fail "no-TLS host: $(cat "$t/notls.out")"
# It closes at once, so the handshake's alert is often written after the
# host's reset: EPIPE, not a SIGPIPE that kills the run (five tries).
for _ in 1 2 3 4 5; do probe 1 notls notls.test; done
probe 1 plain plain.test
probe 1 down down.test
probe 1 noaddr noaddr.test
# Bounded time: --timeout 3 per read, whatever the host does.
grep -q ready "$t/silent.out" || fail "silent host: $(cat "$t/silent.out")"
probe 1 silent silent.test
# A handshake dripped a byte at a time ends at the deadline (4 x
# --timeout 1), not when the host stops (about 13 s).
grep -q ready "$t/drip.out" || fail "dripping host: $(cat "$t/drip.out")"
start=$(date +%s%N)
"$prog" --resolver "127.0.0.1:$dns_port" --smtp-port "$smtp_port" \
	--timeout 1 drip.test >"$t/drip.txt" 2>&1
[ $? -eq 1 ] || fail "drip.test: $(cat "$t/drip.txt")"
ms=$((($(date +%s%N) - start) / 1000000))
[ "$ms" -le 8000 ] || fail "drip.test: the handshake took $ms ms, want at most 4 s"
grep -q 'TLS handshake failed: not done in time' "$t/drip.txt" ||
	fail "drip.test ($ms ms): $(cat "$t/drip.txt")"
echo "   ok: a dripping handshake ends after $ms ms"
# A greeting without a reply code is an unreachable host, said so; not
# a host without STARTTLS.
grep -q ready "$t/nocode.out" || fail "no-code host: $(cat "$t/nocode.out")"
"$prog" --resolver "127.0.0.1:$dns_port" --smtp-port "$smtp_port" \
	--timeout 3 nocode.test >"$t/nocode.txt" 2>&1
[ $? -eq 1 ] || fail "nocode.test: $(cat "$t/nocode.txt")"
grep -q '^mx-unreachable: nocode.test mx-nocode.test 127.0.0.13: .*: the reply after connecting is not SMTP (no three-digit code)$' \
	"$t/nocode.txt" || fail "nocode.test: $(cat "$t/nocode.txt")"
echo "   ok: a greeting without a code"
# Bounded parallelism: two silent hosts take two timeouts one at a time
# (--jobs 1), one timeout side by side (--jobs 2).
wall() {
	start=$(date +%s%N)
	"$prog" --resolver "127.0.0.1:$dns_port" --smtp-port "$smtp_port" \
		--timeout 3 "$@" silent2.test >"$t/wall.out" 2>&1
	[ $? -eq 1 ] || fail "silent2.test $*: $(cat "$t/wall.out")"
	[ "$(grep -c '^mx-unreachable: silent2.test mx-silent2\{0,1\}.test 127.0.0.9: 127.0.0.9 port [0-9]*: no reply in time after connecting$' "$t/wall.out")" -eq 2 ] ||
		fail "silent2.test $*: $(cat "$t/wall.out")"
	echo $((($(date +%s%N) - start) / 1000000))
}
ms1=$(wall --jobs 1) || exit 1
[ "$ms1" -ge 6000 ] || fail "--jobs 1: two silent hosts in $ms1 ms, want 2 x 3 s"
ms2=$(wall --jobs 2) || exit 1
# One timeout less, whatever the load of the machine adds to both.
[ "$ms2" -ge 3000 ] && [ "$ms2" -le $((ms1 - 2000)) ] ||
	fail "--jobs 2: two silent hosts in $ms2 ms (--jobs 1: $ms1 ms), want one 3 s timeout less"
echo "   ok: --jobs 1: $ms1 ms, --jobs 2: $ms2 ms"
if [ -n "$v6" ]; then
	probe 0 v6 v6.test
	# --resolver over IPv6: the same zone from a dnsmasq on ::1, with and
	# without the brackets (the address alone means port 53, refused
	# here: nobody listens there, said with the address).
	cp "$t/dnsmasq.conf" "$t/dns6.conf"
	dnsmasq_start dns6 ::1
	d6pid=$ds_pid
	"$prog" --format json --resolver "[::1]:$ds_port" --ca-file "$t/ca.pem" \
		--smtp-port "$smtp_port" --timeout 3 valid.test >"$t/v6r.json" 2>&1
	[ $? -eq 0 ] || fail "--resolver [::1]: $(cat "$t/v6r.json")"
	python3 - "$t/v6r.json" "[::1]:$ds_port" <<'EOP' || fail "--resolver [::1]: $(cat "$t/v6r.json")"
import json, sys
out = json.load(open(sys.argv[1]))
assert out["resolver"]["server"] == sys.argv[2], out["resolver"]
d = out["domains"][0]
assert d["error"] is None, d
assert [m["host"] for m in d["mx"]] == ["mx-valid.test", "mx2-valid.test"], d
assert [h["address"] for h in d["hosts"]] == ["127.0.0.2", "127.0.0.2"], d
assert out["findings"] == [], out["findings"]
EOP
	kill "$d6pid"
	wait "$d6pid" 2>/dev/null
	d6pid=
	"$prog" --resolver "[::1]:$ds_port" --timeout 1 valid.test >"$t/v6r.txt" 2>&1
	[ $? -eq 75 ] && grep -q "::1 port $ds_port" "$t/v6r.txt" ||
		fail "dead IPv6 resolver: $(cat "$t/v6r.txt")"
	# Whatever may answer at [::1]:53, "::1" is an address, not a usage
	# error, and a failure names it with port 53.
	"$prog" --resolver "::1" --timeout 1 valid.test >"$t/v6r.txt" 2>&1
	rc=$?
	[ $rc -ne 64 ] && { [ $rc -ne 75 ] || grep -q "::1 port 53 " "$t/v6r.txt"; } ||
		fail "--resolver ::1: exit $rc: $(cat "$t/v6r.txt")"
	"$prog" --resolver "[::1" valid.test >"$t/v6r.txt" 2>&1
	[ $? -eq 64 ] && grep -q 'brackets' "$t/v6r.txt" ||
		fail "--resolver [::1: $(cat "$t/v6r.txt")"
	echo "   ok: --resolver over IPv6"
else
	echo "   skip: no ::1 on lo, no IPv6 cases"
fi

# Item 3: DANE, with OpenSSL's DANE code against the TLSA records.
probe 0 dane dane.test
probe 1 danebad danebad.test
probe 1 danemixed danemixed.test
probe 1 daneta daneta.test

# Item 3, DNSSEC: the AD bit from a validating resolver. A root zone of
# our own, signed with ldns-signzone (its key is unbound's trust anchor),
# holds dane-signed.test with mx-dane.test and its TLSA record, and
# delegates valid.test without a DS record to an unsigned zone holding
# mx3.valid.test and its TLSA record (dane-unsigned.test's MX). unbound
# serves both zones from auth-zones to its own iterator and validates.
unbound=$(command -v unbound || ls /usr/sbin/unbound 2>/dev/null)
if [ -z "$unbound" ] || ! command -v ldns-signzone >/dev/null 2>&1; then
	echo "   skip: DNSSEC (unbound or ldnsutils is not installed)"
else
	mkdir "$t/dnssec"
	valid_tlsa="3 1 1 $(spki valid)"
	cat >"$t/dnssec/root.zone" <<EOF
\$TTL 300
. IN SOA ns.test. hostmaster.test. 1 3600 600 86400 300
. IN NS ns.test.
ns.test. IN A 127.0.0.1
dane-signed.test. IN MX 10 mx-dane.test.
mx-dane.test. IN A 127.0.0.2
_25._tcp.mx-dane.test. IN TLSA $valid_tlsa
dane-unsigned.test. IN MX 10 mx3.valid.test.
valid.test. IN NS ns.valid.test.
ns.valid.test. IN A 127.0.0.1
EOF
	cat >"$t/dnssec/valid.zone" <<EOF
\$TTL 300
valid.test. IN SOA ns.valid.test. hostmaster.test. 1 3600 600 86400 300
valid.test. IN NS ns.valid.test.
ns.valid.test. IN A 127.0.0.1
mx3.valid.test. IN A 127.0.0.2
_25._tcp.mx3.valid.test. IN TLSA $valid_tlsa
EOF
	(cd "$t/dnssec" && ldns-keygen -a ECDSAP256SHA256 -k . >key.name &&
		ldns-signzone -o . root.zone "$(cat key.name)" &&
		cp "$(cat key.name).ds" root.ds) >"$t/dnssec/sign.out" 2>&1 ||
		fail "signing the root zone: $(cat "$t/dnssec/sign.out")"
	upid=
	for try in 1 2 3 4 5; do
		uport=$(free_port)
		cat >"$t/dnssec/unbound.conf" <<EOF
server:
	interface: 127.0.0.1
	port: $uport
	do-ip6: no
	do-daemonize: no
	username: ""
	chroot: ""
	directory: "$t/dnssec"
	pidfile: "$t/dnssec/unbound.pid"
	use-syslog: no
	logfile: "$t/dnssec/unbound.log"
	module-config: "validator iterator"
	trust-anchor-file: "$t/dnssec/root.ds"
	# test. is one of unbound's default local zones (RFC 6761).
	local-zone: "test." nodefault
auth-zone:
	name: "."
	zonefile: "$t/dnssec/root.zone.signed"
	for-downstream: no
	for-upstream: yes
	fallback-enabled: no
auth-zone:
	name: "valid.test."
	zonefile: "$t/dnssec/valid.zone"
	for-downstream: no
	for-upstream: yes
	fallback-enabled: no
remote-control:
	control-enable: no
EOF
		"$unbound" -d -c "$t/dnssec/unbound.conf" >>"$t/dnssec/unbound.err" 2>&1 &
		upid=$!
		for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
			kill -0 "$upid" 2>/dev/null || break
			dns_answers 127.0.0.1 "$uport" && break 2
			sleep 0.2
		done
		kill "$upid" 2>/dev/null
		wait "$upid" 2>/dev/null
		upid=
	done
	[ -n "$upid" ] || fail "unbound did not start: $(cat "$t/dnssec/unbound.err" "$t/dnssec/unbound.log" 2>/dev/null)"
	probe 0 dnssec-signed --resolver "127.0.0.1:$uport" dane-signed.test
	probe 0 dnssec-unsigned --resolver "127.0.0.1:$uport" dane-unsigned.test
	# The text form does not say the resolver fails to validate.
	"$prog" --resolver "127.0.0.1:$uport" --ca-file "$t/ca.pem" \
		--smtp-port "$smtp_port" --timeout 3 dane-signed.test >"$t/dnssec.txt" 2>&1
	[ $? -eq 0 ] && ! grep -q 'does not validate' "$t/dnssec.txt" &&
		grep -q 'DANE matched' "$t/dnssec.txt" ||
		fail "DNSSEC text form: $(cat "$t/dnssec.txt")"
	kill "$upid"
	wait "$upid" 2>/dev/null
	upid=
	echo "   ok: DNSSEC from a validating unbound"
fi

# Item 2: MTA-STS, the policy from the private lighttpd.
probe 0 sts-good sts-good.test
probe 1 sts-wrongmx sts-wrongmx.test
probe 1 sts-redirect sts-redirect.test
probe 1 sts-404 sts-404.test
probe 1 sts-huge sts-huge.test
probe 1 sts-badpolicy sts-badpolicy.test
probe 1 sts-badtxt sts-badtxt.test
probe 1 sts-badcert sts-badcert.test

# Item 2, the policy changed without a new id (or the reverse): the probe
# remembers each domain's _mta-sts id and the policy first seen under it
# in the probe-run lines of the store. sts-change.test has a dnsmasq of
# its own, restarted with a new TXT id.
change_dns() {
	if [ -n "$cpid" ]; then
		kill "$cpid"
		wait "$cpid" 2>/dev/null
	fi
	{
		echo "mx-host=sts-change.test,mx-valid.test,10"
		echo "host-record=mx-valid.test,127.0.0.2"
		echo "host-record=mta-sts.sts-change.test,127.0.0.2"
		sts sts-change.test "$1"
	} >"$t/change.conf"
	dnsmasq_start change 127.0.0.1
	cpid=$ds_pid
	cport=$ds_port
}
policy() {
	printf 'version: STSv1\r\nmode: testing\r\nmx: mx-valid.test\r\nmax_age: %s\r\n' \
		"$1" >"$t/www/change/.well-known/mta-sts.txt"
}
mkdir "$t/chstore"
printf 'StoreDirectory %s/chstore\nAllowRoot yes\n' "$t" >"$t/change-milter.conf"
# change WANT_EXIT CASE -- probe sts-change.test, storing, and check.
change() {
	probe "$1" "$2" --resolver "127.0.0.1:$cport" \
		-c "$t/change-milter.conf" sts-change.test
}
policy 86400
change_dns 1A
change 0 change-first
policy 604800
change 1 change-body
change 1 change-again
change_dns 2B
change 0 change-newid
change_dns 3C
change 0 change-idonly
python3 - "$t/chstore/probe-$(date -u +%F).jsonl" <<'EOP' ||
import hashlib, json, sys
p = [hashlib.sha256(b"version: STSv1\r\nmode: testing\r\nmx: mx-valid.test"
                    b"\r\nmax_age: %d\r\n" % a).hexdigest()
     for a in (86400, 604800)]
runs = [json.loads(l) for l in open(sys.argv[1])]
runs = [r for r in runs if r["kind"] == "probe-run"]
got = [(r["sts-id"], r["sts-policy-sha256"], r["sts-id-policy-sha256"])
       for r in runs]
assert got == [("1A", p[0], p[0]), ("1A", p[1], p[0]), ("1A", p[1], p[0]),
               ("2B", p[1], p[1]), ("3C", p[1], p[1])], got
EOP
	fail "stored MTA-STS memory: $(cat "$t/chstore/"probe-*)"
# The text form says the note; the run after it has none to say.
change_dns 4D
"$prog" -c "$t/change-milter.conf" --resolver "127.0.0.1:$cport" \
	--ca-file "$t/ca.pem" --smtp-port "$smtp_port" \
	--https-port "$https_port" --timeout 3 sts-change.test >"$t/note.txt" 2>&1
[ $? -eq 0 ] && grep -q '^  note: the _mta-sts id changed from 3C to 4D (since the run of 20[0-9T:-]*Z) with the same policy: senders fetch it again for nothing$' "$t/note.txt" ||
	fail "text note: $(cat "$t/note.txt")"
echo "   ok: a policy changed without a new id, remembered in the store"

# The text form: one line per host, the findings with what to do.
"$prog" --resolver "127.0.0.1:$dns_port" --ca-file "$t/ca.pem" \
	--smtp-port "$smtp_port" --https-port "$https_port" --timeout 3 \
	expired.test >"$t/out.txt" 2>&1
[ $? -eq 1 ] || fail "text form: exit not 1: $(cat "$t/out.txt")"
grep -q '^  mx-expired.test 127.0.0.3: TLSv1.3 .*certificate NOT valid' "$t/out.txt" &&
	grep -q '^certificate-expired: expired.test mx-expired.test 127.0.0.3: ' "$t/out.txt" &&
	grep -q '^    what to do: Renew the certificate' "$t/out.txt" ||
	fail "text form: $(cat "$t/out.txt")"
echo "   ok: text form"

# --file: comments and blank lines skipped, the domains in order, each
# finding names its domain.
printf '# our domains\n\nexpired.test\n  plain.test \r\n' >"$t/domains"
"$prog" --format json --resolver "127.0.0.1:$dns_port" --ca-file "$t/ca.pem" \
	--smtp-port "$smtp_port" --timeout 3 --file "$t/domains" >"$t/file.json"
[ $? -eq 1 ] || fail "--file: exit not 1: $(cat "$t/file.json")"
python3 -c 'import json, sys
out = json.load(open(sys.argv[1]))
assert [d["domain"] for d in out["domains"]] == ["expired.test", "plain.test"], out["domains"]
assert [(f["domain"], f["result-type"]) for f in out["findings"]] == [
    ("expired.test", "certificate-expired"),
    ("plain.test", "starttls-not-supported")], out["findings"]' "$t/file.json" ||
	fail "--file: $(cat "$t/file.json")"
echo "   ok: --file"

# Usage errors.
"$prog" >/dev/null 2>&1
[ $? -eq 64 ] || fail "no domain: not exit 64"
"$prog" --ehlo 'x
MAIL' valid.test >/dev/null 2>&1
[ $? -eq 64 ] || fail "--ehlo with a line break: not exit 64"
"$prog" --file "$t/missing" >/dev/null 2>&1
[ $? -eq 66 ] || fail "missing --file: not exit 66"
"$prog" --ca-file "$t/missing" valid.test >/dev/null 2>&1
[ $? -eq 66 ] || fail "missing --ca-file: not exit 66"
"$prog" --days 3651 valid.test >/dev/null 2>&1
[ $? -eq 64 ] || fail "--days 3651: not exit 64"
"$prog" --help | grep -q '^Exit status: 0 no findings, 1 findings, 64 usage' ||
	fail "--help does not say the exit statuses"
# A resolver that does not answer: the domain fails, exit 75.
"$prog" --resolver "127.0.0.1:$(free_port)" --timeout 1 valid.test \
	>/dev/null 2>&1
[ $? -eq 75 ] || fail "dead resolver: not exit 75"
echo "   ok: exit statuses"

# Time for one domain with 2 MX hosts (both answering), without and with
# an MTA-STS policy to fetch: printed, with each host's own seconds.
timed() {
	start=$(date +%s%N)
	"$prog" --format json --resolver "127.0.0.1:$dns_port" \
		--ca-file "$t/ca.pem" --smtp-port "$smtp_port" \
		--https-port "$https_port" --timeout 3 "$1" >"$t/time.json" ||
		fail "$1: findings: $(cat "$t/time.json")"
	end=$(date +%s%N)
	echo "   time: one probe of $1 (2 MX hosts$2): $(((end - start) / 1000000)) ms;" \
		"per host (s): $(python3 -c 'import json, sys
print(" ".join("%.3f" % h["seconds"] for h in json.load(open(sys.argv[1]))["domains"][0]["hosts"]))' "$t/time.json")"
}
timed valid.test ""
timed sts-good.test ", MTA-STS policy fetched"

# Item 6: -c stores the findings beside the reports and raises them
# through AlertCommand with the reports' de-duplication: two runs that
# both see the certificate expiring in 5 days make exactly one alert.
mkdir "$t/store"
printf '#!/bin/sh\ncat >>"%s/alerts.out"\n' "$t" >"$t/alert.sh"
chmod 755 "$t/alert.sh"
printf 'StoreDirectory %s/store\nAllowRoot yes\nAlertCommand %s/alert.sh\nDomains expiring.test\n' \
	"$t" "$t" >"$t/probe.conf"
# The second run names no domain: the configuration's Domains.
for run in expiring.test ""; do
	"$prog" -c "$t/probe.conf" --resolver "127.0.0.1:$dns_port" \
		--ca-file "$t/ca.pem" --smtp-port "$smtp_port" --timeout 3 \
		$run >"$t/store.out" 2>&1
	[ $? -eq 1 ] || fail "store run ${run:-Domains}: $(cat "$t/store.out")"
done
[ "$(wc -l <"$t/alerts.out")" -eq 1 ] ||
	fail "two runs, not one alert: $(cat "$t/alerts.out" "$t/store.out")"
python3 - "$t/alerts.out" "$t/store/probe-$(date -u +%F).jsonl" <<'EOP' ||
import json, sys
alert = json.loads(open(sys.argv[1]).read())
assert alert["source"] == "tlsrpt-probe", alert
assert alert["domain"] == "expiring.test", alert
assert alert["result-type"] == "certificate-expiring", alert
assert alert["receiving-mx-hostname"] == "mx-expiring.test", alert
assert alert["finding"]["address"] == "127.0.0.4", alert
assert "certificate-expiring" in alert["summary"], alert
lines = [json.loads(l) for l in open(sys.argv[2])]
runs = [l for l in lines if l["kind"] == "probe-run"]
found = [l for l in lines if l["kind"] == "probe-finding"]
assert [(r["domain"], r["findings"], r["error"]) for r in runs] == [
    ("expiring.test", 1, None)] * 2, runs
assert [(f["v"], f["result-type"], f["mx-host"]) for f in found] == [
    (1, "certificate-expiring", "mx-expiring.test")] * 2, found
assert found[0]["time"] == runs[0]["time"], lines
EOP
	fail "stored findings or alert: $(cat "$t/alerts.out" "$t/store/"probe-*)"
echo "   ok: findings stored, one alert for two runs"

# ... and the summary of that store (no report yet) puts the domain
# first under NEEDS ACTION with the probe's finding, and in the JSON.
"$TLSRPT_BUILD/tlsrpt-summary" -c "$t/probe.conf" >"$t/sum.txt" 2>&1
[ $? -le 1 ] || fail "summary of the probed store: $(cat "$t/sum.txt")"
sed -n '/^NEEDS ACTION/,/^$/p' "$t/sum.txt" | sed -n 2p |
	grep -q '^expiring.test: our probe: 1 finding' ||
	fail "the probed domain is not first in NEEDS ACTION: $(cat "$t/sum.txt")"
"$TLSRPT_BUILD/tlsrpt-summary" -c "$t/probe.conf" --format json >"$t/sum.json" 2>"$t/sum.err"
[ $? -le 1 ] || fail "summary json of the probed store: $(cat "$t/sum.json")"
[ "$(jq -r '[.domains[] | select(.domain == "expiring.test") | .probe.findings[] |
	"\(.["result-type"]) \(.["mx-host"]) \(.address)"] | join(",")' "$t/sum.json")" = \
	"certificate-expiring mx-expiring.test 127.0.0.4" ] ||
	fail "the probe's finding in the summary JSON: $(cat "$t/sum.json")"
echo "   ok: the expiring certificate leads the summary of the store"

# The mail contrib/tlsrpt-alert-mail makes of a probe's alert says what
# the probe found, not "(None of None failed)" as for a report.
printf '#!/bin/sh\ncat >"%s/alert.eml"\n' "$t" >"$t/sendmail"
chmod 755 "$t/sendmail"
"$TLSRPT_TOP/contrib/tlsrpt-alert-mail" -s "$t/sendmail" postmaster@example.org \
	<"$t/alerts.out" || fail "tlsrpt-alert-mail refused the probe's alert"
grep -qx 'Subject: TLS-RPT probe: expiring.test certificate-expiring on mx-expiring.test' \
	"$t/alert.eml" || fail "probe alert mail subject: $(grep '^Subject' "$t/alert.eml")"
grep -q '^Address: *127.0.0.4$' "$t/alert.eml" &&
	grep -q '^What to do: *[A-Za-z]' "$t/alert.eml" &&
	! grep -q 'None' "$t/alert.eml" ||
	fail "probe alert mail body: $(sed -n '1,40p' "$t/alert.eml")"
echo "   ok: the alert mail of a probe finding"
exit 0
