#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-config-keys.sh -- the configuration table (tlsrpt-milter
# --dump-config-keys), tlsrpt-milter.conf(5) and the sample
# contrib/tlsrpt-milter.conf list exactly the same keys; the sample,
# uncommented, is a valid configuration; -n accepts the built-in defaults
# and rejects a bad file naming file, line and key.
. "$TLSRPT_TOP/tests/scripts/lib.inc"

bin=$TLSRPT_BUILD/tlsrpt-milter
[ -x "$bin" ] || fail "no $bin"
t=$(tmpdir)
trap 'rm -rf "$t"' EXIT

"$bin" --dump-config-keys | sort >"$t/table" || fail "--dump-config-keys"
[ -s "$t/table" ] || fail "no keys from the table"
# The man page: every ".It Cm Key" of the KEYS section.
sed -n '/^\.Sh KEYS/,/^\.Sh /p' "$TLSRPT_TOP/man/tlsrpt-milter.conf.5" |
	sed -n 's/^\.It Cm \([A-Za-z]*\).*/\1/p' | sort >"$t/man"
# The sample: every commented-out "#Key value" line.
sed -n 's/^#\([A-Z][A-Za-z]*\) .*/\1/p' \
	"$TLSRPT_TOP/contrib/tlsrpt-milter.conf" | sort >"$t/sample"
diff -u "$t/table" "$t/man" || fail "tlsrpt-milter.conf(5) and the table differ"
diff -u "$t/table" "$t/sample" || fail "contrib/tlsrpt-milter.conf and the table differ"
echo "ok - table, man page and sample list the same $(wc -l <"$t/table") keys"

sed 's/^#\([A-Z]\)/\1/' "$TLSRPT_TOP/contrib/tlsrpt-milter.conf" >"$t/sample.conf"
# -n also checks the system the file names (UserID exists: 67 when not,
# the store is writable by it: 73); a file it cannot read is 78.
"$bin" -n -c "$t/sample.conf" >/dev/null 2>"$t/err"
rc=$?
[ $rc -eq 0 ] || [ $rc -eq 67 ] || [ $rc -eq 73 ] ||
	fail "the sample, uncommented, is not valid: $(cat "$t/err")"
echo "ok - the sample is a valid configuration"

"$bin" -n -c /dev/null >/dev/null || fail "-n rejects the built-in defaults"
printf 'Socket inet:1@127.0.0.1\nDisposition bounce\n' >"$t/bad.conf"
"$bin" -n -c "$t/bad.conf" 2>"$t/err" && fail "-n accepted a bad file"
[ $? -eq 78 ] || fail "-n: exit status for a bad file is not 78"
grep -q "^tlsrpt-milter: $t/bad.conf:2: Disposition: \"bounce\" is not one of" "$t/err" ||
	fail "error does not name file:line and key: $(cat "$t/err")"
expect_status 78 "$bin" -n -c "$t/missing.conf" 2>/dev/null
expect_status 64 "$bin" -x 2>/dev/null
echo "ok - -n checks a configuration"
