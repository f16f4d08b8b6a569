#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-dns-check.sh -- `tlsrpt-summary dns --check` against a real DNS server:
# a private dnsmasq on 127.0.0.1 serving good and broken TLSRPT and MTA-STS
# records for test domains; each verdict and exit status is checked. Also
# builds a record with `tlsrpt-summary dns DOMAIN --rua ...`, publishes it
# and checks it (round trip), and checks a policy file with --check-policy.
. "$TLSRPT_TOP/tests/scripts/lib.inc"

prog=$TLSRPT_BUILD/tlsrpt-summary
[ -x "$prog" ] || fail "$prog not built"
dnsmasq=$(command -v dnsmasq || ls /usr/sbin/dnsmasq 2>/dev/null)
[ -n "$dnsmasq" ] ||
	skip "dnsmasq is not installed (package dnsmasq-base; scripts/install-deps installs it)"

tmp=$(tmpdir)
pid=
cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 2' INT TERM HUP

# Round trip: the record the tool prints is the record we publish.
"$prog" dns good.example --rua mailto:tlsrpt@good.example \
	--rua 'https://reports.good.example/tls;rpt' >"$tmp/build.out" ||
	fail "dns good.example --rua ... failed"
good=$(sed -n '/TXT value/{n;s/^ *//;p;q;}' "$tmp/build.out")
[ "$good" = "v=TLSRPTv1; rua=mailto:tlsrpt@good.example,https://reports.good.example/tls%3Brpt" ] ||
	fail "unexpected record built: '$good'"
grep -q '^    _smtp._tls.good.example. IN TXT "v=TLSRPTv1; rua=' "$tmp/build.out" ||
	fail "no zone line in: $(cat "$tmp/build.out")"

# dnsmasq splits --txt-record at commas (each piece one character-string)
# except inside double quotes in a configuration file.
cat >"$tmp/dnsmasq.conf" <<CONF
host-record=good.example,192.0.2.1
txt-record=_smtp._tls.good.example,"$good"
txt-record=_smtp._tls.good.example,"v=spf1 -all"
txt-record=_mta-sts.good.example,"v=STSv1; id=20240101T000000Z"
host-record=two-records.example,192.0.2.2
txt-record=_smtp._tls.two-records.example,"v=TLSRPTv1; rua=mailto:a@two-records.example"
txt-record=_smtp._tls.two-records.example,"v=TLSRPTv1; rua=mailto:b@two-records.example"
host-record=bad-version.example,192.0.2.3
txt-record=_smtp._tls.bad-version.example,"v=tlsrptv1; rua=mailto:a@bad-version.example"
host-record=no-rua.example,192.0.2.4
txt-record=_smtp._tls.no-rua.example,"v=TLSRPTv1; ruf=mailto:a@no-rua.example"
host-record=split-string.example,192.0.2.5
txt-record=_smtp._tls.split-string.example,"v=TLSRPTv1;","rua=mailto:tlsrpt@split-string.example"
host-record=split-broken.example,192.0.2.6
txt-record=_smtp._tls.split-broken.example,"v=TLSRPTv1; rua=mailto:a@split-broken.example","mailto:b@split-broken.example"
host-record=bad-uri.example,192.0.2.7
txt-record=_smtp._tls.bad-uri.example,"v=TLSRPTv1; rua=http://reports.bad-uri.example/x"
host-record=no-record.example,192.0.2.8
host-record=other-txt.example,192.0.2.9
txt-record=_smtp._tls.other-txt.example,"v=spf1 -all"
host-record=bad-sts.example,192.0.2.10
txt-record=_smtp._tls.bad-sts.example,"v=TLSRPTv1; rua=mailto:a@bad-sts.example"
txt-record=_mta-sts.bad-sts.example,"v=STSv1; id=2024-01-01"
CONF

user=
[ "$(id -u)" -eq 0 ] && user=--user=root
port=
for try in 1 2 3 4 5 6 7 8; do
	p=$(( ($$ * 7 + try * 1031) % 20000 + 30000 ))
	# --local answers NXDOMAIN for unknown names under example.
	"$dnsmasq" -k --port="$p" --listen-address=127.0.0.1 \
		--bind-interfaces --no-resolv --no-hosts $user \
		--local=/example/ --pid-file="$tmp/dnsmasq.pid" \
		--conf-file="$tmp/dnsmasq.conf" \
		--log-facility="$tmp/dnsmasq.log" 2>>"$tmp/dnsmasq.err" &
	pid=$!
	# Ready when a query gets an answer (not "cannot reach": 75).
	for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		kill -0 "$pid" 2>/dev/null || break
		"$prog" dns --check good.example --resolver "127.0.0.1:$p" \
			>/dev/null 2>&1
		[ $? -ne 75 ] && { port=$p; break; }
		sleep 0.2
	done
	[ -n "$port" ] && break
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	pid=
done
[ -n "$port" ] ||
	skip "dnsmasq could not start on 127.0.0.1: $(cat "$tmp/dnsmasq.err")"

# check DOMAIN STATUS PATTERN... -- run --check, want STATUS and every
# PATTERN (grep -E) in its output.
check() {
	d=$1 want=$2
	shift 2
	"$prog" dns --check "$d" --resolver "127.0.0.1:$port" \
		>"$tmp/out" 2>"$tmp/err"
	got=$?
	[ "$got" -eq "$want" ] ||
		fail "$d: exit $got, want $want: $(cat "$tmp/out" "$tmp/err")"
	for pat in "$@"; do
		grep -Eq -- "$pat" "$tmp/out" ||
			fail "$d: no '$pat' in: $(cat "$tmp/out" "$tmp/err")"
	done
	# Every line is a finding.
	if grep -Ev '^(OK|WARNING|ERROR): ' "$tmp/out" >/dev/null; then
		fail "$d: a line without OK/WARNING/ERROR: $(cat "$tmp/out")"
	fi
	echo "   ok: $d -> $got"
}

check good.example 0 \
	'^OK: _smtp._tls.good.example: valid TLSRPT record' \
	'^OK: reports go to https://reports.good.example/tls%3Brpt' \
	'^OK: _smtp._tls.good.example: other TXT record ignored: "v=spf1' \
	'^OK: _mta-sts.good.example: valid MTA-STS record' \
	'curl -sS https://mta-sts.good.example/.well-known/mta-sts.txt'
grep -q '^ERROR' "$tmp/out" && fail "good.example: $(cat "$tmp/out")"
check two-records.example 1 \
	'^ERROR: .*2 records start with v=TLSRPTv1.*none of them is used'
check bad-version.example 1 \
	'^ERROR: .*"v=tlsrptv1; .*must start with exactly v=TLSRPTv1' \
	'^ERROR: _smtp._tls.bad-version.example: no TLSRPT record'
check no-rua.example 1 '^ERROR: no rua= field' \
	'^OK: extension ruf=mailto:a@no-rua.example'
check split-string.example 0 \
	'^OK: the record is split into 2 character-strings; senders join them with no separator' \
	'valid TLSRPT record: "v=TLSRPTv1;rua=mailto:tlsrpt@split-string.example"'
check split-broken.example 1 \
	'^WARNING: the record is split into 2 .*check the split points' \
	'^ERROR: rua URI: "mailto:a@split-broken.examplemailto:b@split-broken.example"'
check bad-uri.example 1 '^ERROR: rua URI: .*never plain http'
check no-record.example 1 \
	'^ERROR: _smtp._tls.no-record.example: no TLSRPT record' \
	'^OK: _mta-sts.no-record.example: no MTA-STS record'
check other-txt.example 1 '^OK: .*other TXT record ignored' \
	'^ERROR: _smtp._tls.other-txt.example: no TLSRPT record'
check bad-sts.example 1 '^OK: _smtp._tls.bad-sts.example: valid TLSRPT' \
	'^ERROR: id=2024-01-01: the id is 1 to 32 letters and digits'
check nxdomain.example 68 '^ERROR: nxdomain.example: the domain does not exist'

expect_status 64 "$prog" dns --check 'b\303\274cher.example' \
	--resolver "127.0.0.1:$port" 2>/dev/null
expect_status 64 "$prog" dns --check good.example --resolver 127.0.0.1:0 \
	2>/dev/null

# A policy file, as curl would fetch it.
printf 'version: STSv1\r\nmode: enforce\r\nmx: mx.good.example\r\nmax_age: 31557600\r\n' |
	"$prog" dns --check-policy - >"$tmp/out" || fail "good policy: $(cat "$tmp/out")"
grep -q '^OK: policy: valid, mode enforce, 1 mx' "$tmp/out" || fail "$(cat "$tmp/out")"
printf 'version: STSv1\nmode: enforce\nmx: mx.*.example\nmax_age: 86400\n' |
	"$prog" dns --check-policy - >"$tmp/out"
[ $? -eq 1 ] || fail "bad policy accepted: $(cat "$tmp/out")"
grep -q 'left-most' "$tmp/out" || fail "$(cat "$tmp/out")"

# The server gone: nothing answers, a temporary failure (EX_TEMPFAIL).
kill "$pid"
wait "$pid" 2>/dev/null
pid=
check good.example 75 '^ERROR: .*nothing answers DNS at 127.0.0.1 port'
echo "dns --check: all verdicts as expected"
exit 0
