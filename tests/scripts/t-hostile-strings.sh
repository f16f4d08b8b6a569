#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-hostile-strings.sh -- the shared hostile-strings fixture
# (tests/data/hostile-strings.json) in every field of a store's reports,
# through every output (issue 15, cases 11 and 12; "one sanitising step
# per sink"): tlsrpt-ingest's lines and --dry-run, every tlsrpt-summary
# format and view, the digest mail, the alert program's argv, environment
# and standard input, and the mail contrib/tlsrpt-alert-mail makes of it.
# No raw control character reaches a terminal view, no CSV cell starts a
# formula, the HTML parses as strict HTML5, the metrics pass prom_check
# (and promtool when installed), the JSON holds the strings unchanged, the
# mails parse with one-line inert headers.
. "$TLSRPT_TOP/tests/scripts/lib.inc"

command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
ingest=$TLSRPT_BUILD/tlsrpt-ingest
summary=$TLSRPT_BUILD/tlsrpt-summary
for p in "$ingest" "$summary"; do
	[ -x "$p" ] || fail "no $p"
done
hs=$TLSRPT_TOP/tests/scripts/hostile_strings.py
export TLSRPT_TOP
t=$(tmpdir)
trap 'rm -rf "$t"' EXIT
trap 'exit 2' INT TERM
mkdir -p "$t/reports" "$t/out" "$t/alerts"

check() { # check KIND FILE... -- fail with the checker's reasons
	kind=$1
	shift
	python3 "$hs" check "$kind" "$@" || fail "$kind check failed"
}

python3 "$hs" make "$TLSRPT_TOP/tests/data/hostile-strings.json" \
	"$TLSRPT_TOP/tests/data/summary/microsoft.json" "$t/reports" ||
	fail "cannot make the hostile reports"

# The alert program records what it was given.
printf '%s\n' '#!/bin/sh' \
	'n=$(ls "$ALERTS" | wc -l)' \
	'printf "%s\n" "$0" "$@" >"$ALERTS/argv-$n"' \
	'env >>"$ALERTS/argv-$n"' \
	'cat >"$ALERTS/stdin-$n"' >"$t/capture"
chmod 755 "$t/capture"
export ALERTS="$t/alerts"
printf '%s\n' "HostName mx.example.org" "StoreDirectory $t/store" \
	"AlertCommand $t/capture --fixed-word" "AlertDomains *" \
	"Fsync none" "AllowRoot yes" >"$t/conf"

# 1. tlsrpt-ingest: its lines (stored, alerts) and --dry-run.
"$ingest" -c "$t/conf" "$t/reports"/*.json >"$t/out/ingest.out" 2>"$t/out/ingest.err" ||
	fail "ingest failed: $(head -5 "$t/out/ingest.err")"
n=$(grep -c ': stored ' "$t/out/ingest.out")
[ "$n" -eq "$(ls "$t/reports" | wc -l)" ] || fail "$n reports stored"
"$ingest" -c /dev/null --dry-run "$t/reports"/*.json >"$t/out/dry.jsonl" ||
	fail "dry run failed"
# A file that is not a report: the error line quotes its name.
bad=$t/$(printf 'bad\033[31mname')
printf 'garbage' >"$bad"
"$ingest" -c /dev/null --dry-run "$bad" >/dev/null 2>"$t/out/dry.err"
[ -s "$t/out/dry.err" ] || fail "no error line for a broken file"
check terminal "$t/out/ingest.out" "$t/out/ingest.err" "$t/out/dry.err"
check jsonl "$t/out/dry.jsonl"
echo "ok - tlsrpt-ingest: no raw control character in its lines, --dry-run is JSON"

# 2. Every format and view of tlsrpt-summary.
for view in "" domain org result mx sending-ip day report; do
	for fmt in text csv html json; do
		f=$t/out/summary-${view:-all}.$fmt
		"$summary" -d "$t/store" --since 3650d --format $fmt \
			${view:+--by $view} >"$f"
		[ $? -le 1 ] || fail "tlsrpt-summary --format $fmt ${view:+--by $view} failed"
	done
done
check terminal "$t/out"/summary-*.text
check csv "$t/out"/summary-*.csv
check json "$t/out"/summary-*.json
if python3 -c 'import html5lib' 2>/dev/null; then
	check html "$t/out"/summary-*.html
elif /usr/bin/python3 -c 'import html5lib' 2>/dev/null; then
	/usr/bin/python3 "$hs" check html "$t/out"/summary-*.html || fail "html check failed"
else
	echo "note: no python3-html5lib: strict HTML5 parsing skipped"
fi
grep -q "'=HYPERLINK" "$t/out"/summary-org.csv || fail "the formula is not in the org CSV"
grep -q "&lt;script&gt;" "$t/out"/summary-all.html || fail "the markup is not in the page"
grep -q '\\x1b\[31mred' "$t/out"/summary-all.text || fail "the escape is not shown in the text view"
echo "ok - tlsrpt-summary text, csv, html and json, every view"

"$summary" -d "$t/store" --since 3650d --format prometheus >"$t/out/metrics.prom"
[ $? -le 1 ] || fail "--format prometheus failed"
python3 "$TLSRPT_TOP/tests/scripts/prom_check.py" "$t/out/metrics.prom" ||
	fail "prom_check refuses the metrics"
if command -v promtool >/dev/null 2>&1; then
	promtool check metrics <"$t/out/metrics.prom" >"$t/out/promtool.out" 2>&1 ||
		fail "promtool refuses the metrics: $(head -5 "$t/out/promtool.out")"
	echo "ok - the Prometheus metrics pass prom_check and promtool"
else
	echo "ok - the Prometheus metrics pass prom_check (no promtool)"
fi

"$summary" -d "$t/store" --since 3650d --format mail --to postmaster@example.org \
	>"$t/out/digest.eml"
[ $? -le 1 ] || fail "--format mail failed"
check mail "$t/out/digest.eml"
check lonedot "$t/out/digest.eml"
grep -q '^Subject: TLS-RPT: ' "$t/out/digest.eml" || fail "no Subject"
echo "ok - the digest mail: one-line inert headers"

# 3. The alert program: the fixture only on standard input, as JSON.
ls "$t/alerts"/stdin-* >/dev/null 2>&1 || fail "no alert was run"
check json "$t/alerts"/stdin-*
check argv "$t/alerts"/argv-*
grep -qx -- --fixed-word "$t/alerts/argv-0" || fail "argv is not AlertCommand's words"
echo "ok - alert program: report strings only in its JSON input, argv and env clean"

# 4. The mail contrib/tlsrpt-alert-mail makes of each alert.
printf '%s\n' '#!/bin/sh' \
	'n=$(ls "$OUT" | grep -c "^alert-mail")' \
	'printf "%s\n" "$@" >"$OUT/alert-args-$n"' \
	'cat >"$OUT/alert-mail-$n.eml"' >"$t/sendmail"
chmod 755 "$t/sendmail"
export OUT="$t/out"
for f in "$t/alerts"/stdin-*; do
	"$TLSRPT_TOP/contrib/tlsrpt-alert-mail" -s "$t/sendmail" postmaster@example.org <"$f" ||
		fail "tlsrpt-alert-mail refused $f"
done
check mail "$t/out"/alert-mail-*.eml
for f in "$t/out"/alert-args-*; do
	grep -qx -- -i "$f" || fail "tlsrpt-alert-mail calls sendmail without -i"
done
echo "ok - tlsrpt-alert-mail: one-line inert headers, sendmail -t -i"
exit 0
