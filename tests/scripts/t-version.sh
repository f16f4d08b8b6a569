#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-version.sh -- one version: VERSION in the Makefile. --version of the
# five programs, the .Os line of every manual page, the newest entry of
# NEWS and the upstream part of debian/changelog's newest entry must all
# say it; the one that differs is named.
. "$TLSRPT_TOP/tests/scripts/lib.inc"

top=$TLSRPT_TOP
want=$(sed -n 's/^VERSION := *//p' "$top/Makefile")
[ -n "$want" ] || fail "no VERSION := line in the Makefile"

for p in tlsrpt-milter tlsrpt-ingest tlsrpt-summary tlsrpt-probe tlsrpt-ship; do
	[ -x "$TLSRPT_BUILD/$p" ] || fail "no $TLSRPT_BUILD/$p"
	got=$("$TLSRPT_BUILD/$p" --version) || fail "$p --version failed"
	[ "$got" = "$p $want" ] || fail "$p --version says \"$got\", the Makefile $want"
done
echo "ok - --version of the five programs says $want"

n=0
for m in "$top"/man/*.[1-8]; do
	got=$(sed -n 's/^\.Os *//p' "$m")
	[ "$got" = "tlsrpt-milter $want" ] ||
		fail "${m#"$top"/}: .Os \"$got\", want \"tlsrpt-milter $want\""
	n=$((n + 1))
done
[ $n -gt 0 ] || fail "no manual pages in man/"
echo "ok - the .Os line of $n manual pages says $want"

got=$(sed -n 's/^\([0-9][0-9.]*\) (.*/\1/p' "$top/NEWS" | head -1)
[ "$got" = "$want" ] || fail "NEWS: the newest entry is \"$got\", the Makefile $want"
echo "ok - NEWS starts with $want"

got=$(sed -n '1s/^tlsrpt-milter (\([^)]*\)).*/\1/p' "$top/debian/changelog")
[ "${got%-*}" = "$want" ] ||
	fail "debian/changelog: the newest entry is \"$got\", want $want-N"
echo "ok - debian/changelog's newest entry is $got"
