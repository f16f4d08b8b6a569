#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-licence.sh -- the project may be packaged and redistributed: LICENSE is
# the BSD 2-Clause text, debian/copyright says the same, and every source
# file, script, unit and manual page names its licence in an SPDX line
# within its first three lines (a new file without one fails here).
. "$TLSRPT_TOP/tests/scripts/lib.inc"

cd "$TLSRPT_TOP" || fail "cd $TLSRPT_TOP"
grep -q '^BSD 2-Clause License' LICENSE ||
	grep -q 'Redistribution and use in source and binary forms' LICENSE ||
	fail "LICENSE is not the BSD 2-Clause text"
grep -q 'Redistributions of source code must retain' LICENSE ||
	fail "LICENSE lacks the BSD 2-Clause conditions"
grep -q '^License: BSD-2-Clause' debian/copyright ||
	fail "debian/copyright does not say BSD-2-Clause"
echo "ok - LICENSE and debian/copyright: BSD-2-Clause"

missing=
n=0
for f in $(git ls-files '*.c' '*.h' '*.sh' '*.py' '*.mk' '*.inc' '*.lua' \
	'*.service' '*.timer' 'Makefile' 'man/*.[1-8]' 'scripts/*' \
	'contrib/tlsrpt-*' | grep -v '^tests/data/\|\.conf$\|\.snippet$\|\.txt$'); do
	n=$((n + 1))
	head -3 "$f" | grep -q 'SPDX-License-Identifier: BSD-2-Clause' ||
		missing="$missing $f"
done
[ "$n" -gt 100 ] || fail "found only $n source files: is this the tree?"
[ -z "$missing" ] || fail "no SPDX line in:$missing"
echo "ok - $n source files carry SPDX-License-Identifier: BSD-2-Clause"
