#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-config-parity.sh -- one tlsrpt-milter.conf, read by all three programs,
# names one store: tlsrpt-milter (--print-store), tlsrpt-ingest (--prune
# says which store it pruned) and tlsrpt-summary (its error for a store
# that is not there yet names the directory it looked for). Cases: a
# trailing comment, Chroot (the store the milter fills is Chroot +
# StoreDirectory, so tlsrpt-ingest --prune from cron prunes it), a quoted
# value and an unknown key (refused by all three alike).
. "$TLSRPT_TOP/tests/scripts/lib.inc"

milter=$TLSRPT_BUILD/tlsrpt-milter
ingest=$TLSRPT_BUILD/tlsrpt-ingest
summary=$TLSRPT_BUILD/tlsrpt-summary
for b in "$milter" "$ingest" "$summary"; do
	[ -x "$b" ] || fail "no $b"
done
t=$(tmpdir)
trap 'rm -rf "$t"' EXIT

# The store each program names for the configuration $1; the directory
# must not exist yet (the summary names it in its error; tlsrpt-ingest
# then creates it, one level deep, and names it as it prunes).
stores() {
	"$summary" -c "$1" >/dev/null 2>"$t/summary.err"
	sed -n 's/^tlsrpt-summary: store directory \(.*\): No such file or directory$/\1/p' \
		"$t/summary.err" >"$t/summary.store"
	[ -s "$t/summary.store" ] ||
		fail "tlsrpt-summary named no missing store: $(cat "$t/summary.err")"
	"$milter" -c "$1" --print-store >"$t/milter.store" ||
		fail "tlsrpt-milter --print-store failed"
	"$ingest" -c "$1" --prune >"$t/ingest.out" 2>&1 ||
		fail "tlsrpt-ingest --prune failed: $(cat "$t/ingest.out")"
	sed -n 's/^\(.*\): [0-9]* day files compressed.*/\1/p' \
		"$t/ingest.out" >"$t/ingest.store"
}

# same WANT CASE -- every program named WANT.
same() {
	for p in milter ingest summary; do
		got=$(cat "$t/$p.store")
		[ "$got" = "$1" ] ||
			fail "$2: tlsrpt-$p uses \"$got\", want \"$1\""
	done
	echo "ok - $2: all three use $1"
}

mkdir "$t/a"
# AllowRoot: root-run tlsrpt-ingest refuses a store no user owns.
printf '%s\n' "HostName mx.example.org" "AllowRoot yes" \
	"StoreDirectory $t/a/store # where reports go" >"$t/comment.conf"
stores "$t/comment.conf"
same "$t/a/store" "trailing comment"

mkdir -p "$t/chr"
printf '%s\n' "HostName mx.example.org" "Chroot $t/chr" "AllowRoot yes" \
	"StoreDirectory /store" >"$t/chroot.conf"
stores "$t/chroot.conf"
same "$t/chr/store" "Chroot + StoreDirectory"
[ -d "$t/chr/store" ] ||
	fail "tlsrpt-ingest --prune did not open the store inside Chroot"

# A value is taken as written: quotes are not syntax, so a quoted path is
# not absolute, and every program refuses the file (exit 78) the same way.
printf '%s\n' "HostName mx.example.org" \
	"StoreDirectory \"$t/q/store\"" >"$t/quoted.conf"
# An unknown key is a mistake to every program, used by it or not.
printf '%s\n' "HostName mx.example.org" "StoreDirectory $t/u" \
	"StorDirectory $t/u2" >"$t/unknown.conf"
for c in quoted unknown; do
	for cmd in "$milter -n" "$milter --print-store" "$ingest --prune" \
		"$summary"; do
		$cmd -c "$t/$c.conf" >"$t/out" 2>&1
		rc=$?
		[ "$rc" -eq 78 ] ||
			fail "$c: $cmd exits $rc, want 78: $(cat "$t/out")"
		grep -q "$t/$c.conf:2\|$t/$c.conf:3" "$t/out" ||
			fail "$c: $cmd does not name file and line: $(cat "$t/out")"
	done
	echo "ok - $c value: all three refuse the file, naming file and line"
done
for d in q u; do
	[ ! -e "$t/$d" ] || fail "a refused file made the store $t/$d"
done
