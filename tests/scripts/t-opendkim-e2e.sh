#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-opendkim-e2e.sh -- the DKIM gate end to end with the verifier a
# postmaster runs: Debian's OpenDKIM in verify mode ahead of tlsrpt-milter
# in a throwaway Postfix on 127.0.0.1, the signing keys served by a private
# dnsmasq (reached through OpenDKIM's libunbound). Report mails are signed
# with a key made by opendkim-genkey (dkimsign from python3-dkim).
#   1. A genuinely signed report passes RequireDKIM yes: stored with
#      dkim=pass and dkim-domain.
#   2. Forged reports -- unsigned, or signed by another domain -- carrying
#      an Authentication-Results header with our authserv-id that says
#      dkim=pass (copied from a real one, or with an unknown property that
#      OpenDKIM cannot parse and so leaves in place, below or above the
#      sender's own Received header) are refused under RequireDKIM yes,
#      delivered with a header saying why, and stored as dkim=none/fail
#      (never pass) under RequireDKIM no, with authres-forged counted.
#   3. Each forgery attempt is logged as a NOTICE with the queue id.
#   4. tlsrpt-ingest on the delivered maildir copies gives the same
#      verdicts (OpenDKIM's header lies above Postfix's Received there).
. "$TLSRPT_TOP/tests/scripts/lib.inc"

need_private_postfix
gen=$TLSRPT_TOP/tests/scripts/gen-report-mail.py
send=$TLSRPT_TOP/tests/scripts/smtp-send.py
opendkim=$(command -v opendkim || ls /usr/sbin/opendkim 2>/dev/null)
genkey=$(command -v opendkim-genkey || ls /usr/sbin/opendkim-genkey 2>/dev/null)
dnsmasq=$(command -v dnsmasq || ls /usr/sbin/dnsmasq 2>/dev/null)
dkimsign=$(command -v dkimsign || ls /usr/bin/dkimsign 2>/dev/null)
[ -n "$opendkim" ] && [ -n "$genkey" ] ||
	skip "opendkim is not installed (packages opendkim, opendkim-tools; scripts/install-deps installs them)"
[ -n "$dnsmasq" ] ||
	skip "dnsmasq is not installed (package dnsmasq-base; scripts/install-deps installs it)"
[ -n "$dkimsign" ] ||
	skip "dkimsign is not installed (package python3-dkim; scripts/install-deps installs it)"

t=$(mktemp -d /tmp/pf.XXXXXX) || fail "mktemp"
. "$TLSRPT_TOP/scripts/postfix-sandbox.inc"
dns_pid= odkim_pid=
cleanup() {
	if [ -n "$odkim_pid" ]; then
		kill "$odkim_pid" 2>/dev/null
		wait "$odkim_pid" 2>/dev/null
	fi
	if [ -n "$dns_pid" ]; then
		kill "$dns_pid" 2>/dev/null
		wait "$dns_pid" 2>/dev/null
	fi
	sandbox_cleanup
}
trap cleanup EXIT
trap 'exit 2' INT TERM HUP

sandbox_setup
id=mx.example.org

# Keys: reporter.test is the submitter, evil.test a domain an attacker
# signs with (its key published too: a valid signature, wrong domain).
mkdir -p "$t/keys"
for d in reporter.test evil.test; do
	"$genkey" -b 1024 -D "$t/keys" -d "$d" -s "$d" ||
		fail "opendkim-genkey failed for $d"
	# "p=..." split over quoted strings in the zone-file snippet: joined.
	rec=$(sed -n 's/[^"]*"\([^"]*\)"[^"]*/\1/gp' "$t/keys/$d.txt" | tr -d '\n')
	case $rec in v=DKIM1*p=*) ;; *) fail "no key record in $t/keys/$d.txt" ;; esac
	echo "txt-record=$d._domainkey.$d,\"$rec\""
done >"$t/dnsmasq.conf"

# dnsmasq on a free loopback port (retried: the port may be taken between
# the pick and the bind).
user=
[ "$(id -u)" -eq 0 ] && user=--user=root
for _ in 1 2 3 4 5; do
	dns_port=$(free_port)
	# shellcheck disable=SC2086
	"$dnsmasq" -k --port="$dns_port" --listen-address=127.0.0.1 \
		--bind-interfaces --no-resolv --no-hosts $user --local=/test/ \
		--conf-file="$t/dnsmasq.conf" --log-queries \
		--log-facility="$t/dnsmasq.log" 2>>"$t/dnsmasq.err" &
	dns_pid=$!
	sleep 0.3
	kill -0 "$dns_pid" 2>/dev/null && break
	wait "$dns_pid" 2>/dev/null
	dns_pid=
done
[ -n "$dns_pid" ] ||
	skip "dnsmasq could not start on 127.0.0.1: $(cat "$t/dnsmasq.err")"

# OpenDKIM resolves with libunbound: forward everything to dnsmasq, allow
# a loopback server, and un-block "test." (an unbound default local zone).
cat >"$t/unbound.conf" <<EOF
server:
	do-not-query-localhost: no
	local-zone: "test." nodefault
	domain-insecure: "test."
forward-zone:
	name: "."
	forward-addr: 127.0.0.1@$dns_port
EOF
odkim_port=$(free_port)
# AlwaysAddARHeader: a verdict header even on unsigned mail, so that a
# sender's header can never be the topmost one (see tlsrpt-milter.conf(5)).
cat >"$t/opendkim.conf" <<EOF
Mode v
Socket inet:$odkim_port@127.0.0.1
AuthservID $id
ResolverConfiguration $t/unbound.conf
AlwaysAddARHeader yes
Background no
PidFile $t/opendkim.pid
EOF
"$opendkim" -n -x "$t/opendkim.conf" >"$t/opendkim.log" 2>&1 ||
	fail "OpenDKIM refuses its configuration: $(cat "$t/opendkim.log")"
"$opendkim" -f -x "$t/opendkim.conf" >>"$t/opendkim.log" 2>&1 &
odkim_pid=$!
i=0
until python3 -c "import socket; socket.create_connection(('127.0.0.1', $odkim_port), 1)" 2>/dev/null; do
	i=$((i + 1))
	kill -0 "$odkim_pid" 2>/dev/null ||
		fail "OpenDKIM exited: $(cat "$t/opendkim.log")"
	[ $i -lt 100 ] || fail "OpenDKIM did not listen: $(cat "$t/opendkim.log")"
	sleep 0.05
done
# The published key matches the private one, through the same resolver.
# Retried: dnsmasq may still be starting on a loaded machine.
i=0
until "$(dirname "$genkey")/opendkim-testkey" -x "$t/opendkim.conf" \
	-d reporter.test -s reporter.test -k "$t/keys/reporter.test.private" \
	>"$t/testkey.log" 2>&1; do
	i=$((i + 1))
	[ $i -lt 10 ] ||
		fail "opendkim-testkey: the key in dnsmasq does not verify: $(cat "$t/testkey.log" "$t/dnsmasq.log")"
	sleep 0.3
done

# OpenDKIM first, then tlsrpt-milter: Postfix applies each milter's edits
# before the next one sees the message.
postconf -c "$t/etc" -e "smtpd_milters = { inet:127.0.0.1:$odkim_port, default_action=tempfail }, { inet:127.0.0.1:$milter_port, default_action=accept }" ||
	fail "postconf"

# The mails. forged-* carry our authserv-id and dkim=pass for the
# submitter; x-forged.note=1 is valid RFC 8601 that OpenDKIM cannot parse,
# so it does not remove the header.
m=$t/mails
hostile="Authentication-Results: $id; dkim=pass header.d=reporter.test x-forged.note=1"
evil_rcvd="Received: from evil.test (evil.test [192.0.2.66]) by relay.evil.test; Sat, 28 Nov 2026 06:12:00 +0000"
for phase in yes no; do
	python3 "$gen" "$m" gzip "good-$phase" 1 &&
		python3 "$gen" "$m" gzip "two-$phase" 1 &&
		python3 "$gen" "$m" gzip "below-$phase" 1 &&
		python3 "$gen" "$m" gzip "above-$phase" 1 &&
		python3 "$gen" "$m" gzip "copied-$phase" 1 &&
		python3 "$gen" "$m" gzip "other-$phase" 1 ||
		fail "cannot write test mails"
	"$dkimsign" reporter.test reporter.test "$t/keys/reporter.test.private" \
		<"$m/good-$phase-1.eml" >"$m/good-$phase.eml" ||
		fail "dkimsign failed"
	# Signed by the submitter and by a second signer (as an ESP adds
	# its own): the second signature must not hide the first.
	"$dkimsign" reporter.test reporter.test "$t/keys/reporter.test.private" \
		<"$m/two-$phase-1.eml" |
		"$dkimsign" evil.test evil.test "$t/keys/evil.test.private" \
			>"$m/two-$phase.eml" || fail "dkimsign failed"
	# Below the sender's own Received header.
	printf '%s\r\n%s\r\n' "$evil_rcvd" "$hostile" |
		cat - "$m/below-$phase-1.eml" >"$m/below-$phase.eml"
	# Above it: only its place under OpenDKIM's header tells.
	printf '%s\r\n%s\r\n' "$hostile" "$evil_rcvd" |
		cat - "$m/above-$phase-1.eml" >"$m/above-$phase.eml"
	# A copy of the header OpenDKIM wrote for a genuine report (which it
	# removes) and the same with an unknown property (which it keeps).
	printf '%s\r\n\t%s\r\n%s\r\n\t%s\r\n' "Authentication-Results: $id;" \
		"dkim=pass (1024-bit key; unprotected) header.d=reporter.test header.i=@reporter.test header.a=rsa-sha256 header.s=reporter.test header.b=AbCdEf12;" \
		"Authentication-Results: $id;" \
		"dkim=pass (1024-bit key; unprotected) header.d=reporter.test header.i=@reporter.test header.a=rsa-sha256 header.s=reporter.test x-forged.note=1" |
		cat - "$m/copied-$phase-1.eml" >"$m/copied-$phase.eml"
	# Validly signed, by another domain, with the hostile header.
	printf '%s\r\n' "$hostile" | cat - "$m/other-$phase-1.eml" |
		"$dkimsign" evil.test evil.test "$t/keys/evil.test.private" \
			>"$m/other-$phase.eml" || fail "dkimsign failed"
done

# qid MESSAGE -- Postfix's queue id of a mail by its file name stem.
qid() {
	grep -o "[0-9A-F]*: message-id=<$1-1@reporter.test>" "$t/maillog" |
		head -1 | cut -d: -f1
}

# store_line ID -- the stored line of report ID ("" when not stored).
store_line() {
	cat "$t/store"/tlsrpt-*.jsonl 2>/dev/null | grep "\"report-id\":\"$1-1\""
}

sandbox_start
genuine="good two"
forged="below above copied other"
n=0
for phase in yes no; do
	[ -n "$milter_pid" ] && stop_milter TERM
	if [ "$phase" = yes ]; then
		start_milter "TrustedAuthservIDs $id" "RequireDKIM yes"
	else
		start_milter "TrustedAuthservIDs $id" "RequireDKIM no"
	fi
	for f in $genuine $forged; do
		python3 "$send" "$smtp_port" 1 tlsrpt@example.org "$m/$f-$phase.eml" >/dev/null ||
			fail "$f-$phase not accepted: $(tail -5 "$t/maillog")"
		n=$((n + 1))
	done
	wait_delivered "$n"

	# 1. The genuine reports pass, whatever RequireDKIM says.
	for f in $genuine; do
		line=$(store_line "$f-$phase")
		echo "$line" | grep -q '"dkim":"pass","dkim-domain":"reporter.test"' ||
			fail "signed report $f-$phase not stored with dkim=pass by reporter.test: ${line:-not stored}; $(grep -v debug "$t/milter.log" | tail -5)"
		echo "$line" | grep -q 'authres-forged' &&
			fail "signed report $f-$phase counted as a forgery: $line"
	done
	echo "ok - RequireDKIM $phase: signed reports ($genuine) stored with dkim=pass, dkim-domain reporter.test"

	for f in $forged; do
		q=$(qid "$f-$phase")
		[ -n "$q" ] || fail "no queue id for $f-$phase in the maillog"
		msg=$(grep -l "Message-ID: <$f-$phase-1@reporter.test>" "$t/mail/inbox/new/"*)
		[ -n "$msg" ] || fail "$f-$phase not delivered"
		line=$(store_line "$f-$phase")
		if [ "$phase" = yes ]; then
			# 2. Refused, delivered with the reason.
			[ -z "$line" ] || fail "forged $f stored under RequireDKIM yes: $line"
			grep -q '^X-TLSRPT-Milter: not stored: refused: no DKIM pass' "$msg" ||
				fail "forged $f delivered without the reason: $(grep X-TLSRPT "$msg")"
		else
			[ -n "$line" ] || fail "forged $f not stored under RequireDKIM no"
			echo "$line" | grep -Eq '"dkim":"(none|fail)"' ||
				fail "forged $f stored as: $line"
			echo "$line" | grep -q '"dkim-domain"' &&
				fail "forged $f stored with a dkim-domain: $line"
			echo "$line" | grep -Eq '"authres-forged":[1-9]' ||
				fail "forged $f: no authres-forged count: $line"
		fi
		# 3. The forgery attempt logged with the queue id.
		grep -Eq "notice: $q: ignored [0-9]+ Authentication-Results header\(s\) with a trusted authserv-id" "$t/milter.log" ||
			fail "no NOTICE for forged $f ($q): $(grep "$q" "$t/milter.log")"
	done
	echo "ok - RequireDKIM $phase: forged reports ($forged) $([ $phase = yes ] && echo refused and delivered with the reason || echo stored as dkim=none/fail), each forgery logged"
done

# 4. tlsrpt-ingest reading the delivered copies: OpenDKIM's header lies
# above Postfix's Received header there too, so the verdicts are the same.
printf 'TrustedAuthservIDs %s\nHostName %s\nAllowRoot yes\n' "$id" "$id" >"$t/ingest.conf"
"$TLSRPT_BUILD/tlsrpt-ingest" -q -c "$t/ingest.conf" -d "$t/store2" \
	"$t/mail/inbox" >"$t/ingest.out" 2>&1 ||
	fail "tlsrpt-ingest on the maildir: $(cat "$t/ingest.out")"
for phase in yes no; do
	for f in $genuine; do
		cat "$t/store2"/tlsrpt-*.jsonl | grep "\"report-id\":\"$f-$phase-1\"" |
			grep -q '"dkim":"pass","dkim-domain":"reporter.test"' ||
			fail "tlsrpt-ingest: $f-$phase not dkim=pass: $(cat "$t/store2"/tlsrpt-*.jsonl | grep "$f-$phase")"
	done
	for f in $forged; do
		line=$(cat "$t/store2"/tlsrpt-*.jsonl | grep "\"report-id\":\"$f-$phase-1\"")
		echo "$line" | grep -Eq '"dkim":"(none|fail)".*"authres-forged":[1-9]' ||
			fail "tlsrpt-ingest: forged $f-$phase stored as: ${line:-nothing}"
	done
done
echo "ok - tlsrpt-ingest on the delivered maildir: the same verdicts"

# OpenDKIM kept the unparseable header (the attack this test is about),
# so the milter, not OpenDKIM, stopped it.
grep -q 'x-forged.note=1' "$(grep -l 'Message-ID: <below-yes-1@' "$t/mail/inbox/new/"*)" ||
	fail "OpenDKIM removed the forged header: the test no longer shows the attack"
grep -Eq 'error:' "$t/milter.log" && fail "errors in the milter log: $(grep error: "$t/milter.log")"
exit 0
