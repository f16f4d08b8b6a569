#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-postfix-examples.sh -- no Postfix example we ship can block mail: every
# smtpd_milters line in README.md, contrib/, the manual pages and
# debian/README.Debian names our milter alone (the default inet socket or
# the Debian package's unix socket), with default_action=accept. A copied
# line naming a milter that is not running (say an OpenDKIM on 8891) makes
# Postfix answer every message with 451 4.7.1. Lines in comments (advice
# such as "<what postconf printed>, {...}") are not examples to copy.
. "$TLSRPT_TOP/tests/scripts/lib.inc"

t=$(tmpdir)
trap 'rm -rf "$t"' EXIT
cd "$TLSRPT_TOP" || fail "cd $TLSRPT_TOP"
ours='\{ (inet:127\.0\.0\.1:8895|unix:tlsrpt/tlsrpt-milter\.sock), default_action=accept \}'
n=0 bad=0
# FILE:LINE:TEXT of each smtpd_milters assignment that is not a comment.
grep -nE '(^|[^_])smtpd_milters *=' README.md contrib/* man/*.[1-8] debian/README.Debian |
	grep -vE '^[^:]*:[0-9]+:[[:space:]]*(#|dnl|\.\\")' >"$t/examples"
while IFS= read -r line; do
	n=$((n + 1))
	# The value: after "=", without a closing quote or line continuation.
	value=$(printf '%s\n' "$line" | sed -E "s/^[^:]*:[0-9]+:.*smtpd_milters *= *//; s/[' \\\\]*\$//")
	printf '%s\n' "$value" | grep -qE "^$ours\$" || {
		echo "${line%%:*}: $value: not our milter alone with default_action=accept" >&2
		bad=$((bad + 1))
	}
done <"$t/examples"
[ $n -gt 0 ] || fail "no smtpd_milters examples found"
[ $bad -eq 0 ] || fail "$bad of $n smtpd_milters examples could block mail"
echo "ok - all $n smtpd_milters examples name only tlsrpt-milter, with default_action=accept"
