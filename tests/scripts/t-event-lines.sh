#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-event-lines.sh -- one "intake event -> line" formatter for every
# program (intake/event_line.h): a report whose organisation name and
# report id hold a line break, a carriage return and a terminal escape is
# stored by tlsrpt-ingest and by tlsrpt-ingest --cgi, and each says so in
# exactly one line: tlsrpt-ingest's terminal line with visible escapes
# (tlsrpt-ingest(8)), the CGI's answer as a log line with '?' (the steps
# of report/sanitize.h). tlsrpt-milter's line comes from the same function
# (check_event_line).
. "$TLSRPT_TOP/tests/scripts/lib.inc"

command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
ingest=$TLSRPT_BUILD/tlsrpt-ingest
[ -x "$ingest" ] || fail "no $ingest"
t=$(tmpdir)
trap 'rm -rf "$t"' EXIT
trap 'exit 2' INT TERM

printf '%s\n' "StoreDirectory $t/store" "HostName mx.example.org" \
	"Fsync none" "AllowRoot yes" >"$t/conf"
# Two reports from one template: the hostile strings, two report ids.
for n in 1 2; do
	python3 - "$TLSRPT_TOP/tests/data/summary/microsoft.json" "$n" \
		>"$t/r$n.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
r["organization-name"] = "Evil\nFAKE LINE\x1b[31m"
r["report-id"] = "id-%s\r\nstored Forged Inc. x" % sys.argv[2]
r["policies"][0]["failure-details"][0]["receiving-mx-hostname"] = "mx\\1\n.example.org"
json.dump(r, sys.stdout)
PY
done
# What each sink shows of the two strings (the shell's echo would read
# the backslashes: printf '%s' does not).
term='Evil\nFAKE LINE\x1b[31m id-1\r\nstored Forged Inc. x'
log='Evil?FAKE LINE?[31m id-2??stored Forged Inc. x'

# tlsrpt-ingest: one line for the input.
"$ingest" -c "$t/conf" "$t/r1.json" >"$t/out" 2>"$t/err" ||
	fail "ingest: $(cat "$t/out" "$t/err")"
[ "$(wc -l <"$t/out")" -eq 1 ] || fail "ingest wrote more than one line: $(cat "$t/out")"
[ ! -s "$t/err" ] || fail "ingest complained: $(cat "$t/err")"
grep -qF "r1.json: stored $term (example.org 500 ok 20 failed)" "$t/out" ||
	fail "ingest line: $(od -c "$t/out" | head -20)"

# tlsrpt-ingest --cgi: the status, the headers, one line of body.
len=$(wc -c <"$t/r2.json")
REQUEST_METHOD=POST CONTENT_TYPE=application/tlsrpt+json CONTENT_LENGTH=$len \
	REMOTE_ADDR=192.0.2.1 "$ingest" --cgi -c "$t/conf" <"$t/r2.json" \
	>"$t/b" 2>"$t/err" || fail "--cgi exit status $?"
head -n 1 "$t/b" | grep -q '^Status: 201 ' || fail "cgi: $(cat "$t/b")"
sed '1,/^\r*$/d' "$t/b" >"$t/body"
[ "$(wc -l <"$t/body")" -eq 1 ] || fail "cgi body is not one line: $(cat "$t/body")"
grep -qxF "stored: $log" "$t/body" ||
	fail "cgi line: $(cat "$t/body")"
[ ! -s "$t/err" ] || fail "cgi logged: $(cat "$t/err")"

# Again: a duplicate, still one line, the same name.
REQUEST_METHOD=POST CONTENT_TYPE=application/tlsrpt+json CONTENT_LENGTH=$len \
	REMOTE_ADDR=192.0.2.1 "$ingest" --cgi -c "$t/conf" <"$t/r2.json" \
	>"$t/b" 2>"$t/err" || fail "--cgi exit status $?"
sed '1,/^\r*$/d' "$t/b" >"$t/body"
grep -qxF "duplicate: $log" "$t/body" ||
	fail "cgi duplicate line: $(cat "$t/b")"
echo "ok - ingest and the CGI print one line per report, control characters neutralised"

# tlsrpt-summary's text view writes report strings escaped exactly once,
# in a column (the organisation) and in a wrapped list (the receiving MX
# hosts of a result): a second pass would write \n as \\n.
summary=$TLSRPT_BUILD/tlsrpt-summary
for by in org result; do
	"$summary" -c "$t/conf" --by $by >"$t/sum" 2>"$t/err" ||
		[ $? -eq 1 ] || fail "summary --by $by: $(cat "$t/err")"
	case $by in
	org) want='Evil\nFAKE LINE\x1b[31m' ;;
	result) want='mx\\1\n.example.org' ;;
	esac
	grep -qF "$want" "$t/sum" ||
		fail "summary --by $by lacks $want once escaped: $(cat "$t/sum")"
	grep -qF '\\n' "$t/sum" && fail "escaped twice in: $(cat "$t/sum")"
done
echo "ok - tlsrpt-summary escapes report strings once, backslashes included"
