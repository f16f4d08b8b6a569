# SPDX-License-Identifier: BSD-2-Clause
# t-summary-html.sh -- tlsrpt-summary --format html loaded in headless
# Chromium (Debian's chromium package): the golden page of check_render
# (hostile report strings, three domains) and pages of a store built from
# the committed samples (default view, --by day, --by result) each render
# to a screenshot that is not blank and shows the charts' green and red
# bars, log no console message, and parse into a DOM holding the expected
# tables and <svg> charts. A page with a console.error() proves the console
# check can fail. When Debian's python3-html5lib is installed the pages
# are also parsed strictly as HTML5 (any parse error fails).
. "$TLSRPT_TOP/tests/scripts/lib.inc"
summary=$TLSRPT_BUILD/tlsrpt-summary
ingest=$TLSRPT_BUILD/tlsrpt-ingest
chromium=/usr/bin/chromium
[ -x "$chromium" ] || skip "no $chromium: apt-get install chromium (scripts/packages.txt) to run the HTML rendering test"
[ -x "$summary" ] || skip "no $summary"
[ -x "$ingest" ] || skip "no $ingest"
t=$(tmpdir)
trap 'rm -rf "$t"' EXIT
# Root writes these temp stores: a store no user owns needs AllowRoot.
echo "AllowRoot yes" >"$t/empty.conf"

browse() { # browse PAGE MODE... -- Chromium with a private profile, offline
	page=$1
	shift
	HOME=$t timeout 120 "$chromium" --headless --no-sandbox --disable-gpu \
		--disable-quic --no-first-run --disable-background-networking \
		--disable-component-update --disable-sync \
		--user-data-dir="$t/profile" --window-size=1200,2000 \
		--enable-logging=stderr --v=0 "$@" "file://$page"
}


html5=
if /usr/bin/python3 -c 'import html5lib' 2>/dev/null; then
	html5=/usr/bin/python3
else
	echo "note: no python3-html5lib: strict HTML5 parsing skipped"
fi

# check PAGE COLOURS TEXT... -- render, screenshot, console, DOM
check() {
	page=$1
	colours=$2
	shift 2
	name=$(basename "$page" .html)
	rm -f "$t/shot.png"
	browse "$page" --screenshot="$t/shot.png" >"$t/$name.log" 2>&1 ||
		fail "$name: chromium --screenshot failed: $(tail -3 "$t/$name.log")"
	[ -s "$t/shot.png" ] || fail "$name: no screenshot"
	python3 "$TLSRPT_TOP/tests/scripts/png_check.py" "$t/shot.png" 1200 2000 "$colours" || fail "$name: screenshot"
	cp "$t/shot.png" "$t/$name.png"
	if grep ':CONSOLE' "$t/$name.log"; then
		fail "$name: console messages"
	fi
	browse "$page" --dump-dom >"$t/$name.dom" 2>"$t/$name.dom.log" ||
		fail "$name: chromium --dump-dom failed"
	if grep ':CONSOLE' "$t/$name.dom.log"; then
		fail "$name: console messages"
	fi
	grep -q '<svg' "$t/$name.dom" || fail "$name: no <svg> in the DOM"
	grep -q '<table>' "$t/$name.dom" || fail "$name: no <table> in the DOM"
	for text in "$@"; do
		grep -qF -- "$text" "$t/$name.dom" || fail "$name: \"$text\" not in the DOM"
	done
	# nothing fetched, nothing run
	grep -qiE '<script|<link|<img|<iframe|src=|href=|url\(' "$page" &&
		fail "$name: scripts or external resources"
	if [ -n "$html5" ]; then
		$html5 -c 'import html5lib, sys
html5lib.HTMLParser(strict=True).parse(open(sys.argv[1], "rb").read())' "$page" ||
			fail "$name: not valid HTML5"
	fi
}

# the console check can fail
printf '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>x</title></head><body><p>x</p><script>console.error("h12-probe")</script></body></html>\n' >"$t/probe.html"
browse "$t/probe.html" --screenshot="$t/probe.png" >"$t/probe.log" 2>&1
grep -q ':CONSOLE.*h12-probe' "$t/probe.log" ||
	fail "Chromium did not log a console message: the console check would see nothing"

cp "$TLSRPT_TOP/tests/data/summary/expected.html" "$t/golden.html"
check "$t/golden.html" gr "FAILURES: 53 of 8108" "Evil &lt;script&gt;" \
	"q\"uote&lt;i&gt;.example: TLS sessions a day" "Failed sessions by result type" \
	"renew the certificate on these MX hosts" "Quiet Org</strong> stopped reporting" \
	"&lt;b&gt;not JSON&lt;/b&gt;"
# the page's own elements: the hostile strings stayed text
grep -q '<script' "$t/golden.dom" && fail "golden: a report string became a script"
[ "$(grep -o '<svg' "$t/golden.dom" | wc -l)" -eq 5 ] || fail "golden: want 4 daily charts (all domains, 3 domains) and 1 type chart"

"$ingest" -c "$t/empty.conf" -d "$t/a" "$TLSRPT_TOP"/samples/*.eml \
	"$TLSRPT_TOP"/samples/*.json.gz >/dev/null || fail "ingest"
expect_status 1 "$summary" -d "$t/a" --format html >"$t/samples.html"
check "$t/samples.html" gr "FAILURES: " "example.org: TLS sessions a day" \
	"certificate-expired" "Microsoft Corporation" "MTA-STS readiness"
expect_status 1 "$summary" -d "$t/a" --format html --by day >"$t/day.html"
check "$t/day.html" gr "TLS reporting summary by day" "example.org: TLS sessions a day"
expect_status 1 "$summary" -d "$t/a" --format html --by result >"$t/result.html"
check "$t/result.html" r "TLS reporting summary by result" "Failed sessions by result type"
# a view without a chart: one table, parsed
expect_status 1 "$summary" -d "$t/a" --format html --by org >"$t/org.html"
grep -c '<table>' "$t/org.html" | grep -qx 1 || fail "--by org: want one table"
[ -n "$html5" ] && { $html5 -c 'import html5lib, sys
html5lib.HTMLParser(strict=True).parse(open(sys.argv[1], "rb").read())' "$t/org.html" ||
	fail "--by org: not valid HTML5"; }
# keep the screenshots for a person to look at
if [ -n "${TLSRPT_KEEP_SHOTS:-}" ]; then
	mkdir -p "$TLSRPT_KEEP_SHOTS" && cp "$t"/*.png "$TLSRPT_KEEP_SHOTS"/
fi
exit 0
