#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-hardening.sh -- the installed programs carry the build hardening the
# Makefile asks for (non-sanitizer builds): position-independent (ELF type
# DYN), RELRO and BIND_NOW (full RELRO: the GOT is read-only after
# start-up), the stack protector (__stack_chk_fail), FORTIFY_SOURCE (some
# __*_chk function) and a stack that is not executable.
. "$TLSRPT_TOP/tests/scripts/lib.inc"

command -v readelf >/dev/null 2>&1 || skip "readelf (binutils) is not installed"
case $TLSRPT_BUILD in
*-asan) skip "sanitizer builds are not hardened builds" ;;
esac

n=0
for name in tlsrpt-milter tlsrpt-ingest tlsrpt-summary tlsrpt-probe tlsrpt-ship; do
	b=$TLSRPT_BUILD/$name
	[ -x "$b" ] || fail "no $b"
	LC_ALL=C readelf -h "$b" | grep -Eq 'Type: +DYN' ||
		fail "$name is not position-independent (PIE): $(readelf -h "$b" | grep Type:)"
	LC_ALL=C readelf -lW "$b" >"${TMPDIR:-/tmp}/h11-hard.$$" ||
		fail "readelf -l $name"
	grep -q 'GNU_RELRO' "${TMPDIR:-/tmp}/h11-hard.$$" ||
		{ rm -f "${TMPDIR:-/tmp}/h11-hard.$$"; fail "$name has no GNU_RELRO segment"; }
	stack=$(grep 'GNU_STACK' "${TMPDIR:-/tmp}/h11-hard.$$")
	rm -f "${TMPDIR:-/tmp}/h11-hard.$$"
	case $stack in
	*RWE*) fail "$name has an executable stack" ;;
	'') fail "$name has no GNU_STACK header" ;;
	esac
	LC_ALL=C readelf -dW "$b" | grep -Eq 'BIND_NOW|FLAGS.*NOW' ||
		fail "$name is not linked with -z now (BIND_NOW)"
	syms=$(LC_ALL=C readelf --dyn-syms -W "$b")
	echo "$syms" | grep -q '__stack_chk_fail' ||
		fail "$name does not use the stack protector (__stack_chk_fail)"
	chk=$(echo "$syms" | grep -o '__[a-z_]*_chk' | sort -u | grep -v stack_chk | tr '\n' ' ')
	[ -n "$chk" ] || fail "$name has no FORTIFY_SOURCE __*_chk function"
	echo "ok - $name: PIE, RELRO, BIND_NOW, stack protector, NX stack, fortified ($chk)"
	n=$((n + 1))
done
[ "$n" -eq 5 ] || fail "checked $n programs, want 5"
