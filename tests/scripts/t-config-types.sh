#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-config-types.sh -- a key whose field in struct config has another C
# type than its key type writes does not compile (the key table,
# intake/config_keys.c, FIELD): the table as it is compiles, the same
# table with one key type changed (a bool key read as a size_t, a uint
# limit read as a size_t) does not.
. "$TLSRPT_TOP/tests/scripts/lib.inc"

conf=$TLSRPT_BUILD/config.mk
[ -r "$conf" ] || fail "no $conf (run make first)"
pkg=$(sed -n 's/^PKG_CFLAGS := //p' "$conf")
t=$(tmpdir)
trap 'rm -rf "$t"' EXIT

compile() {
	# shellcheck disable=SC2086 # pkg-config's flags are words
	${CC:-cc} -std=c11 -D_GNU_SOURCE -fsyntax-only -I"$TLSRPT_TOP" \
		$pkg "$1" >"$t/cc.out" 2>&1
}

compile "$TLSRPT_TOP/intake/config_keys.c" ||
	fail "config_keys.c does not compile as it is: $(cat "$t/cc.out")"
echo "ok - the key table compiles"

for change in 'TYPE_BOOL, allow_root/TYPE_SIZE, allow_root' \
	'TYPE_UINT, limits.max_json_depth/TYPE_COUNT, limits.max_json_depth'; do
	sed "s/FIELD(${change%/*})/FIELD(${change#*/})/" \
		"$TLSRPT_TOP/intake/config_keys.c" >"$t/config_keys.c"
	cmp -s "$t/config_keys.c" "$TLSRPT_TOP/intake/config_keys.c" &&
		fail "no row to change for $change"
	compile "$t/config_keys.c" && fail "a wrong key type compiles: $change"
	grep -q "static assertion failed" "$t/cc.out" ||
		fail "not refused by the type check: $(cat "$t/cc.out")"
	echo "ok - refused at compile time: ${change#*/}"
done
