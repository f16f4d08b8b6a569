#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-digest-spool.sh -- tlsrpt-summary --format mail writes the digest's
# two bodies to temporary files before the first header goes out
# (summary/mail_spool.h, issue 21): in $TMPDIR, unlinked at once, and when
# they cannot be written the mail is not written either.
#
# - TMPDIR is honoured: a run leaves nothing there, a run with TMPDIR on
#   a missing directory exits 74 (EX_IOERR) naming it and TMPDIR.
# - A full disk under the temporary files (RLIMIT_FSIZE with SIGXFSZ
#   ignored: every write past the limit fails, as on a full disk) exits
#   74 with the reason and prints no mail at all, not a truncated one.
# - A full disk under the output (/dev/full) exits 74 with the reason.
# That memory does not grow with the digest is tests/unit/
# check_digest_stream.c.
. "$TLSRPT_TOP/tests/scripts/lib.inc"
summary=$TLSRPT_BUILD/tlsrpt-summary
ingest=$TLSRPT_BUILD/tlsrpt-ingest
samples=$TLSRPT_TOP/samples
[ -x "$summary" ] || skip "no $summary"
[ -x "$ingest" ] || skip "no $ingest"
t=$(tmpdir)
trap 'rm -rf "$t"' EXIT
echo "AllowRoot yes" >"$t/root.conf"
"$ingest" -c "$t/root.conf" -d "$t/store" "$samples"/*.eml >/dev/null || fail "ingest"
# A fixed --now: the Date header and the window line are written to the
# second, and two runs must give the same bytes whenever they start.
args="-c $t/root.conf -d $t/store --now 2026-12-01T00:00:00Z --since 3650d --format mail --to pm@example.org"
# A first run writes what the store keeps beside its day files (rollups),
# so that the runs below write nothing but their temporary files.
# shellcheck disable=SC2086
"$summary" $args >"$t/first.eml" || [ $? -eq 1 ] || fail "first run"
size=$(wc -c <"$t/first.eml")
[ "$size" -gt 4096 ] || fail "the digest is only $size bytes"
# The Message-Id and the MIME boundary change on every run (and GMime's
# Message-Id is not of one length): the rest must be the same bytes.
normal() {
	sed -e '/^Message-Id:/d' -e 's/=-[A-Za-z0-9+\/_.]*/=-BOUNDARY/g' "$1"
}
normal "$t/first.eml" >"$t/first.norm"

# TMPDIR honoured, nothing left in it.
mkdir "$t/spool"
# shellcheck disable=SC2086
TMPDIR=$t/spool "$summary" $args >"$t/ok.eml" || [ $? -eq 1 ] || fail "TMPDIR=$t/spool"
normal "$t/ok.eml" | cmp -s - "$t/first.norm" || fail "TMPDIR=$t/spool: a different digest"
[ -z "$(ls -A "$t/spool")" ] || fail "left in TMPDIR: $(ls -A "$t/spool")"

# TMPDIR on a directory that is not there.
rc=0
# shellcheck disable=SC2086
TMPDIR=$t/absent "$summary" $args >"$t/out" 2>"$t/err" || rc=$?
[ "$rc" -eq 74 ] || fail "TMPDIR=$t/absent: exit $rc, want 74"
grep -q "temporary file for the digest in $t/absent (set TMPDIR" "$t/err" ||
	fail "TMPDIR=$t/absent: $(cat "$t/err")"
grep -q 'No such file or directory' "$t/err" || fail "TMPDIR=$t/absent: no reason: $(cat "$t/err")"
[ -s "$t/out" ] && fail "TMPDIR=$t/absent: something was printed"

# The temporary files cannot grow past 2 KB (ulimit -f counts 512-byte
# blocks), as on a full disk; the mail goes into a pipe, which the limit
# does not touch.
rc=0
# shellcheck disable=SC2086
{
	(
		trap '' XFSZ
		ulimit -f 4 || exit 99
		"$summary" $args 2>"$t/err"
		echo $? >"$t/rc"
	) | cat >"$t/out"
} || rc=$?
[ "$rc" -eq 0 ] || fail "ulimit -f: the shell failed ($rc)"
[ "$(cat "$t/rc")" = 74 ] || fail "a full disk under TMPDIR: exit $(cat "$t/rc"), want 74"
grep -q 'part of the digest to a temporary file in .*: File too large' "$t/err" ||
	fail "a full disk under TMPDIR: $(cat "$t/err")"
[ -s "$t/out" ] && fail "a full disk under TMPDIR: $(wc -c <"$t/out") bytes of mail printed"

# The output on a full disk.
rc=0
# shellcheck disable=SC2086
"$summary" $args >/dev/full 2>"$t/err" || rc=$?
[ "$rc" -eq 74 ] || fail ">/dev/full: exit $rc, want 74"
grep -q 'writing the message: No space left on device' "$t/err" || fail ">/dev/full: $(cat "$t/err")"
echo "ok - TMPDIR honoured and left empty; no room for the temporary files or the mail: exit 74, the reason, no mail"
