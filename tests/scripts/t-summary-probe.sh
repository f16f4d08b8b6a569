# SPDX-License-Identifier: BSD-2-Clause
# t-summary-probe.sh -- tlsrpt-summary shows our probe beside what senders
# reported: a store of clean MTA-STS testing reports (enough to be ready
# for enforce) plus a findings file written by hand in the format of
# tlsrpt-store(5) "Probe findings". With it, the text view has OUR PROBE,
# the domain needs action and is not ready ("probe"), the JSON has the
# per-domain "probe" object; without it, none of that and the domain is
# ready. A domain only the probe knows is in every view's triage; a
# reported failure the probe explains is shown with it in every view.
. "$TLSRPT_TOP/tests/scripts/lib.inc"
summary=$TLSRPT_BUILD/tlsrpt-summary
ingest=$TLSRPT_BUILD/tlsrpt-ingest
[ -x "$summary" ] || skip "no $summary"
[ -x "$ingest" ] || skip "no $ingest"
command -v jq >/dev/null || skip "no jq"
t=$(tmpdir)
trap 'rm -rf "$t"' EXIT
echo "AllowRoot yes" >"$t/c.conf"

# 8 clean reports of example.net in testing from 2 organisations, one a
# day over the last 8 days.
for i in 1 2 3 4 5 6 7 8; do
	org="Org$((i % 2))"
	start=$(date -u -d "-$((i + 1)) days" +%Y-%m-%dT00:00:00Z)
	end=$(date -u -d "-$i days" +%Y-%m-%dT00:00:00Z)
	cat >"$t/r$i.json" <<JSON
{"organization-name":"$org","date-range":{"start-datetime":"$start","end-datetime":"$end"},"contact-info":"tlsrpt@$org.example","report-id":"$org-$i","policies":[{"policy":{"policy-type":"sts","policy-string":["version: STSv1","mode: testing","mx: mx1.example.net","mx: mx2.example.net","max_age: 86400"],"policy-domain":"example.net","mx-host":["mx1.example.net","mx2.example.net"]},"summary":{"total-successful-session-count":100,"total-failure-session-count":0}}]}
JSON
done
"$ingest" -c "$t/c.conf" -d "$t/s" "$t"/r*.json >/dev/null || fail "ingest"

# Without findings: no probe section, nothing needs action, ready.
expect_status 0 "$summary" -d "$t/s" >"$t/plain"
grep -q '^OUR PROBE' "$t/plain" && fail "probe section without findings"
sed -n '/^NEEDS ACTION/,/^$/p' "$t/plain" | grep -q '^(nothing)' ||
	fail "needs action without findings: $(cat "$t/plain")"
"$summary" -d "$t/s" --format json >"$t/plain.json" || fail "json"
[ "$(jq -r '.domains[] | select(.domain == "example.net") | .readiness.verdict' "$t/plain.json")" = ready ] ||
	fail "not ready without findings: $(jq -c '.domains' "$t/plain.json")"
[ "$(jq '[.domains[] | select(has("probe"))] | length' "$t/plain.json")" = 0 ] ||
	fail "probe key without findings"

# Findings, by hand: an older run (mx1 expired, superseded), the latest
# run (mx2 name mismatch), and a clean domain.
day=$(date -u +%F)
old=$(date -u -d '-2 hours' +%Y-%m-%dT%H:00:00Z)
new=$(date -u -d '-1 hours' +%Y-%m-%dT%H:00:00Z)
cat >"$t/s/probe-$day.jsonl" <<JSON
{"v":1,"kind":"probe-finding","domain":"example.net","result-type":"certificate-expired","mx-host":"mx1.example.net","address":"192.0.2.1","detail":"expired","action":"renew it","time":"$old"}
{"v":1,"kind":"probe-run","time":"$old","domain":"example.net","error":null,"findings":1}
{"v":1,"kind":"probe-finding","domain":"example.net","result-type":"certificate-host-mismatch","mx-host":"mx2.example.net","address":"192.0.2.2","detail":"the certificate names other.example","action":"put mx2.example.net in the certificate","time":"$new"}
{"v":1,"kind":"probe-run","time":"$new","domain":"example.net","error":null,"findings":1}
{"v":1,"kind":"probe-run","time":"$new","domain":"clean.example","error":null,"findings":0}
{"v":1,"kind":"probe-run","time":"$new","domain":"down.example","error":"no MX record","findings":0}
not a line
JSON
expect_status 0 "$summary" -d "$t/s" >"$t/probe"
sed -n '/^OUR PROBE/,/^$/p' "$t/probe" >"$t/sec"
grep -q '^OUR PROBE (latest run)' "$t/sec" || fail "no probe section: $(cat "$t/probe")"
grep -q "^example.net ($new): 1 finding" "$t/sec" || fail "run line: $(cat "$t/sec")"
grep -q '^  certificate-host-mismatch on mx2.example.net \[192.0.2.2\]' "$t/sec" ||
	fail "finding line: $(cat "$t/sec")"
grep -q -- '-> put$' "$t/sec" && grep -q '^      mx2.example.net in the certificate$' "$t/sec" || fail "action: $(cat "$t/sec")"
grep -q 'certificate-expired' "$t/sec" && fail "older run shown: $(cat "$t/sec")"
grep -q "^clean.example ($new): no findings" "$t/sec" || fail "clean: $(cat "$t/sec")"
grep -q "^down.example ($new): not probed: no MX record" "$t/sec" || fail "error: $(cat "$t/sec")"
grep -qx '(1 damaged or unread findings line)' "$t/sec" || fail "damaged line not counted: $(cat "$t/sec")"
grep -q 'past the limit' "$t/sec" && fail "no domain past the limit said: $(cat "$t/sec")"
sed -n '/^NEEDS ACTION/,/^$/p' "$t/probe" >"$t/needs"
grep -q '^example.net: our probe: 1 finding' "$t/needs" || fail "needs: $(cat "$t/needs")"
# joined: the 72-column wrap may cut the sentence anywhere
tr '\n' ' ' <"$t/needs" | tr -s ' ' |
	grep -q 'not ready: our probe found certificate-host-mismatch on mx2.example.net' ||
	fail "not ready: $(cat "$t/needs")"
awk 'length > 72 { bad = 1 } END { exit bad }' "$t/probe" || fail "text wider than 72 columns"

"$summary" -d "$t/s" --format json >"$t/probe.json" || fail "json with probe"
d='.domains[] | select(.domain == "example.net")'
[ "$(jq -r "$d | .readiness.verdict" "$t/probe.json")" = not-ready ] ||
	fail "ready despite the probe: $(jq -c "$d" "$t/probe.json")"
[ "$(jq -r "$d | .readiness.reasons[0].code" "$t/probe.json")" = probe ] ||
	fail "reason code: $(jq -c "$d | .readiness" "$t/probe.json")"
[ "$(jq -r "$d | .probe.time" "$t/probe.json")" = "$new" ] || fail "probe time"
[ "$(jq -c "$d | .probe.findings" "$t/probe.json")" = \
	'[{"result-type":"certificate-host-mismatch","mx-host":"mx2.example.net","address":"192.0.2.2","action":"put mx2.example.net in the certificate","detail":"the certificate names other.example","explains":[]}]' ] ||
	fail "probe findings: $(jq -c "$d | .probe" "$t/probe.json")"

# HTML: the Needs action row of example.net has the tag, the finding and
# the probe's advice; the store without findings has none of them.
"$summary" -d "$t/s" --format html >"$t/probe.html" || fail "html with probe"
grep -q '>probe</span>' "$t/probe.html" || fail "no probe tag in html"
grep -q 'our probe ([0-9-]*): 1 finding: certificate-host-mismatch on mx2.example.net' "$t/probe.html" ||
	fail "no probe finding in html"
grep -q 'put mx2.example.net in the certificate' "$t/probe.html" || fail "no probe advice in html"
"$summary" -d "$t/s" --format mail --to postmaster@example.net >"$t/probe.mail" || fail "mail with probe"
# unfolded: a long Subject continues on the next line
sed -n '/^Subject:/,/^[^ ]/p' "$t/probe.mail" | tr '\n' ' ' | tr -s ' ' |
	grep -q '^Subject: TLS-RPT: .*example.net with probe findings' ||
	fail "subject: $(grep -A1 '^Subject' "$t/probe.mail")"
mv "$t/s/probe-$day.jsonl" "$t/probe-file"
"$summary" -d "$t/s" --format html >"$t/plain.html" || fail "html"
grep -q '>probe</span>\|our probe' "$t/plain.html" && fail "probe in html without findings"

# The same store given twice: each finding once.
cp "$t/probe-file" "$t/s/probe-$day.jsonl"
"$summary" -d "$t/s" -d "$t/s" --format json >"$t/twice.json" || fail "json twice"
[ "$(jq "$d | .probe.findings | length" "$t/twice.json")" = 1 ] ||
	fail "finding counted twice: $(jq -c "$d | .probe" "$t/twice.json")"

# A fleet's probe is mostly clean: 12 clean domains, the first 10 shown
# and "2 more" (--all: all), the domain with findings always.
for i in 01 02 03 04 05 06 07 08 09 10 11; do
	echo "{\"v\":1,\"kind\":\"probe-run\",\"time\":\"$new\",\"domain\":\"c$i.example\",\"error\":null,\"findings\":0}"
done >>"$t/s/probe-$day.jsonl"
"$summary" -d "$t/s" >"$t/fleet" 2>/dev/null
sed -n '/^OUR PROBE/,/^$/p' "$t/fleet" >"$t/sec"
[ "$(grep -c ': no findings$' "$t/sec")" = 10 ] || fail "clean cut: $(cat "$t/sec")"
grep -q '^\.\.\. 2 more with no findings: --all$' "$t/sec" || fail "more line: $(cat "$t/sec")"
grep -q '^example.net (' "$t/sec" || fail "findings cut: $(cat "$t/sec")"
"$summary" -d "$t/s" --all >"$t/fleet" 2>/dev/null
[ "$(sed -n '/^OUR PROBE/,/^$/p' "$t/fleet" | grep -c ': no findings$')" = 12 ] || fail "--all"

# Hostile strings in a findings file (anyone who can write the store):
# neutralised in the text, escaped in the HTML.
printf '%s\n' "{\"v\":1,\"kind\":\"probe-finding\",\"domain\":\"evil.example\",\"result-type\":\"x<script>alert(1)</script>\",\"mx-host\":\"mx\\u001b[31m.evil.example\",\"address\":null,\"detail\":\"d\",\"action\":\"<img src=x>\",\"time\":\"$new\"}" \
	"{\"v\":1,\"kind\":\"probe-run\",\"time\":\"$new\",\"domain\":\"evil.example\",\"error\":null,\"findings\":1}" >>"$t/s/probe-$day.jsonl"
"$summary" -d "$t/s" >"$t/evil" 2>/dev/null
grep -q 'evil.example' "$t/evil" || fail "hostile finding not shown"
grep -q "$(printf '\033')" "$t/evil" && fail "escape character in the text view"
# Neutralised once, by the text view: the escape reads \x1b, not \\x1b.
grep -qF 'mx\x1b[31m.evil.example' "$t/evil" && ! grep -qF '\\x1b' "$t/evil" ||
	fail "the escape is not shown once as \\x1b: $(grep evil "$t/evil")"
"$summary" -d "$t/s" --format html >"$t/evil.html" 2>/dev/null
grep -q '<script>\|<img' "$t/evil.html" && fail "markup from a findings file in the html"

# A domain only the probe knows (evil.example: no report) is in the
# triage of every view, not only in OUR PROBE.
sed -n '/^NEEDS ACTION/,/^$/p' "$t/evil" | grep -q '^evil.example: our probe: 1 finding' ||
	fail "probe-only domain not in needs action: $(cat "$t/evil")"
"$summary" -d "$t/s" --format json >"$t/evil.json" 2>/dev/null
[ "$(jq '[.domains[] | select(.domain == "evil.example") | .probe.findings[]] | length' "$t/evil.json")" = 1 ] ||
	fail "probe-only domain not in json domains"
# The JSON carries the finding's own value (jansson escapes it), not the
# text view's escape.
[ "$(jq -r '.domains[] | select(.domain == "evil.example") | .probe.findings[0]["mx-host"] | @json' "$t/evil.json")" = '"mx\u001b[31m.evil.example"' ] ||
	fail "the JSON's mx-host is not the stored value: $(jq -c '.domains[] | select(.domain == "evil.example") | .probe' "$t/evil.json")"
[ "$(jq '[.silence.domains[] | select(.domain == "evil.example")] | length' "$t/evil.json")" = 0 ] ||
	fail "probe-only domain said silent"
grep -q '<strong>evil.example</strong>' "$t/evil.html" || fail "probe-only domain not in the html rows"

# Reported failures the probe explains are shown together: a report of
# certificate-host-mismatch on mx2.example.net (12 sessions) beside the
# latest run's finding on mx2.
start=$(date -u -d '-2 days' +%Y-%m-%dT00:00:00Z)
end=$(date -u -d '-1 days' +%Y-%m-%dT00:00:00Z)
cat >"$t/fail.json" <<JSON
{"organization-name":"Org1","date-range":{"start-datetime":"$start","end-datetime":"$end"},"contact-info":"tlsrpt@Org1.example","report-id":"Org1-fail","policies":[{"policy":{"policy-type":"sts","policy-string":["version: STSv1","mode: testing","mx: mx1.example.net","mx: mx2.example.net","max_age: 86400"],"policy-domain":"example.net","mx-host":["mx1.example.net","mx2.example.net"]},"summary":{"total-successful-session-count":100,"total-failure-session-count":12},"failure-details":[{"result-type":"certificate-host-mismatch","receiving-mx-hostname":"mx2.example.net","failed-session-count":12}]}]}
JSON
"$ingest" -c "$t/c.conf" -d "$t/s" "$t/fail.json" >/dev/null || fail "ingest the failing report"
"$summary" -d "$t/s" >"$t/both" 2>/dev/null
sed -n '/^NEEDS ACTION/,/^$/p' "$t/both" | tr '\n' ' ' | tr -s ' ' |
	grep -q 'reported certificate-host-mismatch on mx2.example.net (12 failed sessions); our probe: certificate-host-mismatch, the certificate names other.example -> put mx2.example.net in the certificate' ||
	fail "not shown together in needs action: $(cat "$t/both")"
sed -n '/^OUR PROBE/,/^$/p' "$t/both" | tr '\n' ' ' | tr -s ' ' |
	grep -q 'explains reported certificate-host-mismatch on mx2.example.net (12 failed sessions)' ||
	fail "not shown together in OUR PROBE: $(cat "$t/both")"
awk 'length > 72 { bad = 1 } END { exit bad }' "$t/both" || fail "text wider than 72 columns"
"$summary" -d "$t/s" --format json >"$t/both.json" 2>/dev/null
[ "$(jq -c "$d | .probe.findings[0].explains" "$t/both.json")" = \
	'[{"result-type":"certificate-host-mismatch","receiving-mx":"mx2.example.net","failed-sessions":12}]' ] ||
	fail "json explains: $(jq -c "$d | .probe" "$t/both.json")"
"$summary" -d "$t/s" --format html >"$t/both.html" 2>/dev/null
grep -q 'reported certificate-host-mismatch on mx2.example.net (12 failed sessions); our probe: certificate-host-mismatch' "$t/both.html" ||
	fail "not shown together in html"
"$summary" -d "$t/s" --format csv >"$t/both.csv" 2>/dev/null
head -1 "$t/both.csv" | grep -q ',readiness,probe_time,probe_findings,probe_result_types,probe_explained_failures' ||
	fail "csv header: $(head -1 "$t/both.csv")"
# the mx field of the row is a list, an item a line
tr '\r\n' '  ' <"$t/both.csv" | grep -q "not-ready,$new,1,certificate-host-mismatch on mx2.example.net,12 " ||
	fail "csv row: $(cat "$t/both.csv")"
exit 0
