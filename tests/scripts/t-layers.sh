#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-layers.sh -- scripts/check-layers passes on the tree as it is and
# refuses each kind of offence in a copy: an include pointing up (store/
# including the summary), one pointing sideways (dns/ including report/),
# the old bare style ("alloc.h"), and libmilter outside milter/.
. "$TLSRPT_TOP/tests/scripts/lib.inc"

t=$(tmpdir)
trap 'rm -rf "$t"' EXIT
check=$TLSRPT_TOP/scripts/check-layers

"$check" "$TLSRPT_TOP" >"$t/out" 2>&1 || fail "the tree has offences: $(cat "$t/out")"
echo "ok - the tree passes"

copy() {
	rm -rf "$t/tree" && mkdir "$t/tree"
	(cd "$TLSRPT_TOP" && git ls-files -z '*.c' '*.h' | tar --null -T - -cf -) |
		tar -C "$t/tree" -xf - ||
		fail "cannot copy the tree"
}
refused() { # FILE LINE WHAT
	copy
	printf '%s\n' "$2" >>"$t/tree/$1"
	if "$check" "$t/tree" >"$t/out" 2>&1; then
		fail "not refused: $3"
	fi
	grep -q "^check-layers: $1: " "$t/out" || fail "refusal does not name $1: $(cat "$t/out")"
	echo "ok - refused: $3"
}
refused store/store.c '#include "summary/aggregate.h"' "an include pointing up"
refused dns/dns.c '#include "report/report.h"' "an include pointing sideways"
refused base/alloc.c '#include "error.h"' "a bare include"
refused intake/rcpt.c '#include <libmilter/mfapi.h>' "libmilter outside milter/"
