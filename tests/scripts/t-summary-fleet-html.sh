# SPDX-License-Identifier: BSD-2-Clause
# t-summary-fleet-html.sh -- the HTML page and the digest's HTML part of a
# 1,000-domain fleet (tests/bench/gen-fleet: 7 failing, 3 silent, 2 not
# ready, 1 with a stray failure), laid out by headless Chromium (Debian's
# chromium) at 1280x800 and 600x800 with tests/scripts/layout_probe.js
# appended, checked by tests/scripts/layout_check.py:
#   - at 1280x800 the first screen names the 12 problem domains, in order
#     of impact, in the rows of "Needs action", and no healthy domain;
#   - at 600 pixels (a mail reading pane) nothing runs off the right edge
#     and the page still opens with the first action row;
# for the page and for the digest alike (also without its <style>, as
# many mail clients show it). The healthy domains are one line
# ("987 healthy domains: 100% over ...") and, on the page, a collapsed
# <details>; the digest leaves the list out and stays under Gmail's
# 102 KB clip. Screenshots at both widths are checked for content and
# kept with TLSRPT_KEEP_SHOTS=DIR for a person to look at. Prints how
# long the 1,000-domain page took to render.
. "$TLSRPT_TOP/tests/scripts/lib.inc"
summary=$TLSRPT_BUILD/tlsrpt-summary
gen=$TLSRPT_BUILD/tests/bench/gen-fleet
chromium=/usr/bin/chromium
top=$TLSRPT_TOP/tests/scripts
[ -x "$chromium" ] || skip "no $chromium: apt-get install chromium (scripts/packages.txt)"
[ -x "$summary" ] || skip "no $summary"
[ -x "$gen" ] || skip "no $gen: make $gen"
t=$(tmpdir)
trap '[ -n "${TLSRPT_KEEP_TMP:-}" ] || rm -rf "$t"' EXIT
echo "AllowRoot yes" >"$t/root.conf"

# A fixed NOW: 2026-12-06T06:00:00Z; the window is the 7 days before.
"$gen" "$t/store" 1796536800 >"$t/expected" || fail "gen-fleet"
grep -q '^total .* of 1000 domains' "$t/expected" || fail "gen-fleet: $(tail -1 "$t/expected")"
args="-c $t/root.conf -d $t/store --since 2026-11-29 --until 2026-12-06 --now 2026-12-06T06:00:00Z"

start=$(date +%s%N)
# shellcheck disable=SC2086
"$summary" $args --format html >"$t/page.html"
rc=$?
end=$(date +%s%N)
[ "$rc" -eq 1 ] || fail "--format html: want exit 1 (failures), got $rc"
ms=$(((end - start) / 1000000))
echo "1,000-domain HTML page: $ms ms, $(wc -c <"$t/page.html") bytes"
# shellcheck disable=SC2086
"$summary" $args --format mail --to pm@example.org >"$t/digest.eml"
/usr/bin/python3 - "$t/digest.eml" "$t/digest.html" <<'PY' || fail "no text/html part in the digest"
import email, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
part = [p for p in m.walk() if p.get_content_type() == "text/html"][0]
open(sys.argv[2], "wb").write(part.get_payload(decode=True))
PY
size=$(wc -c <"$t/digest.html")
echo "digest HTML part: $size bytes"
[ "$size" -lt 102400 ] || fail "the digest's HTML is $size bytes: Gmail clips a message past 102 KB"

# Strictly HTML5 (a raw "<0.1%" is a parse error), when html5lib is here.
if /usr/bin/python3 -c 'import html5lib' 2>/dev/null; then
	for f in page digest; do
		/usr/bin/python3 -c 'import html5lib, sys
html5lib.HTMLParser(strict=True).parse(open(sys.argv[1], "rb").read())' "$t/$f.html" ||
			fail "$f: not valid HTML5"
	done
fi

# The healthy domains: one line, and the list on the page only.
healthy=$((1000 - $(grep -c -v '^total' "$t/expected")))
for f in page digest; do
	grep -q "<strong>$healthy healthy domains</strong>: 100% over " "$t/$f.html" ||
		fail "$f: no line \"$healthy healthy domains: 100% over ...\""
done
sed -n '/<details>/,/<\/details>/p' "$t/page.html" | grep -q '>domain0000.example<br>' ||
	fail "page: the healthy domains are not listed in a <details>"
grep -q '<details>' "$t/digest.html" && fail "digest: a <details> list (mail clients show it open)"

browse() { # browse PAGE WIDTH HEIGHT MODE... -- Chromium, private, offline
	page=$1
	size=$2,$3
	shift 3
	HOME=$t timeout 120 "$chromium" --headless --no-sandbox --disable-gpu \
		--disable-quic --no-first-run --disable-background-networking \
		--disable-component-update --disable-sync \
		--user-data-dir="$t/profile" --window-size="$size" \
		"$@" "file://$page"
}

# With --dump-dom, headless Chromium lays a page out in a window's inner
# height (the window less its simulated frame): find the window height
# whose inner height is 800, the first screen of the screenshots.
printf '<!DOCTYPE html>\n<html><body><p id="h">?</p><script>document.getElementById("h").textContent = "inner=" + window.innerHeight;</script></body></html>\n' >"$t/inner.html"
inner=$(browse "$t/inner.html" 1280 800 --dump-dom 2>/dev/null | sed -n 's/.*inner=\([0-9][0-9]*\).*/\1/p')
[ -n "$inner" ] || fail "chromium --dump-dom ran no script"
tall=$((800 + 800 - inner))

# layout PAGE WIDTH WIDE|NARROW -- screenshot, then probe and check.
layout() {
	name=$(basename "$1" .html)-$2
	browse "$1" "$2" 800 --screenshot="$t/$name.png" >"$t/$name.log" 2>&1 ||
		fail "$name: chromium --screenshot failed: $(tail -3 "$t/$name.log")"
	/usr/bin/python3 "$top/png_check.py" "$t/$name.png" "$2" 800 "" ||
		fail "$name: screenshot"
	/usr/bin/python3 -c 'import sys
page = open(sys.argv[1], encoding="utf-8").read()
probe = open(sys.argv[2], encoding="utf-8").read()
assert page.count("</body>") == 1
open(sys.argv[3], "w", encoding="utf-8").write(
    page.replace("</body>", "<script>\n" + probe + "</script>\n</body>"))' \
		"$1" "$top/layout_probe.js" "$t/$name.probe.html" || fail "$name: probe"
	browse "$t/$name.probe.html" "$2" "$tall" --dump-dom >"$t/$name.dom" 2>"$t/$name.dom.log" ||
		fail "$name: chromium --dump-dom failed"
	/usr/bin/python3 "$top/layout_check.py" "$t/$name.dom" "$t/expected" "$3" ||
		fail "$name: layout"
}

layout "$t/page.html" 1280 WIDE
layout "$t/page.html" 600 NARROW
# Opened, the healthy domains' table fits the pane too.
sed 's/<details>/<details open>/' "$t/page.html" >"$t/opened.html"
layout "$t/opened.html" 600 NARROW
layout "$t/digest.html" 1280 WIDE
layout "$t/digest.html" 600 NARROW
# Many mail clients drop the <style> element: the inline styles hold.
/usr/bin/python3 -c 'import re, sys
page = open(sys.argv[1], encoding="utf-8").read()
bare, n = re.subn(r"<style>.*?</style>", "", page, flags=re.S)
assert n == 1, n
open(sys.argv[2], "w", encoding="utf-8").write(bare)' "$t/digest.html" "$t/bare.html" ||
	fail "no <style> to take out of the digest"
layout "$t/bare.html" 600 NARROW

# The probe can fail: a healthy domain named on the first screen (as the
# alphabetical table that opened the page before issue 18 did).
sed 's|<h1>TLS reporting summary|& of domain0000.example|' "$t/page.html" >"$t/buried.html"
grep -q 'summary of domain0000' "$t/buried.html" || fail "buried: no <h1> to put a name in"
if (layout "$t/buried.html" 1280 WIDE) >"$t/buried.out" 2>&1; then
	fail "a healthy domain above the action rows went unnoticed"
fi
grep -q 'names healthy domains' "$t/buried.out" || fail "buried: $(cat "$t/buried.out")"

if [ -n "${TLSRPT_KEEP_SHOTS:-}" ]; then
	mkdir -p "$TLSRPT_KEEP_SHOTS" && cp "$t"/*.png "$TLSRPT_KEEP_SHOTS"/
fi
exit 0
