# SPDX-License-Identifier: BSD-2-Clause
# t-summary-prometheus.sh -- tlsrpt-summary --format prometheus as
# node_exporter's textfile collector reads it: the output of a store built
# from the committed samples and the golden file of check_render pass
# promtool check metrics (Debian's prometheus package) when installed, and
# always tests/scripts/prom_check.py (the exposition grammar, duplicate
# series, no timestamps); the numbers agree with --format json; every
# family is a gauge with HELP and TYPE; prom_check.py itself rejects
# broken input (so it can fail). tlsrpt_failed_sessions{domain,
# result_type,receiving_mx}: at most --prometheus-top N pairs a domain plus
# one "other" series, whatever N the series of a domain sum to its
# failure details (the JSON failures-by-result-and-mx), the other series
# holds exactly what the top N leave out, and a bad N is refused. Our
# probe's latest run (a findings file written by hand): the findings by
# domain and result type, a type the probe never writes as "other", the
# time of the run and the domains it could not probe, agreeing with the
# JSON view's domains[].probe, through promtool too.
. "$TLSRPT_TOP/tests/scripts/lib.inc"
summary=$TLSRPT_BUILD/tlsrpt-summary
ingest=$TLSRPT_BUILD/tlsrpt-ingest
check="python3 $TLSRPT_TOP/tests/scripts/prom_check.py"
golden=$TLSRPT_TOP/tests/data/summary/expected.prom
[ -x "$summary" ] || skip "no $summary"
[ -x "$ingest" ] || skip "no $ingest"
t=$(tmpdir)
trap 'rm -rf "$t"' EXIT
# Root writes these temp stores: a store no user owns needs AllowRoot.
echo "AllowRoot yes" >"$t/empty.conf"

# the checker rejects what the format forbids
printf '# TYPE a gauge\na{l="\\q"} 1\n' >"$t/bad1"          # bad escape
printf '# TYPE a gauge\na{l="x"} 1\na{l="x"} 2\n' >"$t/bad2" # duplicate
printf '# TYPE a_total gauge\na_total 1\n' >"$t/bad3"        # naming lint
printf '# TYPE a gauge\na 1 1700000000000\n' >"$t/bad4"      # timestamp
printf '# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na{x="1"} 1\n' >"$t/bad5"
printf '# TYPE 1a gauge\n1a 1\n' >"$t/bad6"                  # name
printf '# TYPE a gauge\na{l="x} 1\n' >"$t/bad7"              # unterminated
printf '# TYPE a gauge\na one\n' >"$t/bad8"                  # value
for n in 1 2 3 4 5 6 7 8; do
	$check "$t/bad$n" >/dev/null && fail "prom_check.py accepted bad$n"
done
printf '# HELP a x\n# TYPE a gauge\na{l="q\\"\\\\\\n"} 1.5e3\nb NaN\n' >"$t/good"
$check "$t/good" || fail "prom_check.py rejected good input"

# the golden file and a real store's output
$check "$golden" || fail "golden expected.prom"
"$ingest" -c "$t/empty.conf" -d "$t/a" "$TLSRPT_TOP"/samples/*.eml \
	"$TLSRPT_TOP"/samples/*.json.gz >/dev/null || fail "ingest"
# One clock for both runs, so a second ticking between them changes nothing.
now=$(date -u -d '+5 seconds' +%Y-%m-%dT%H:%M:%SZ)
expect_status 1 "$summary" -d "$t/a" --now "$now" --format prometheus >"$t/out.prom"
$check "$t/out.prom" || fail "prometheus output"
# the view does not change the exposition
"$summary" -d "$t/a" --now "$now" --format prometheus --by org >"$t/org.prom"
cmp -s "$t/out.prom" "$t/org.prom" || fail "--by changed the exposition"
# an empty store: every family still there, all zero
mkdir "$t/empty"
expect_status 0 "$summary" -d "$t/empty" --format prometheus >"$t/empty.prom"
$check "$t/empty.prom" || fail "empty store output"
[ "$(grep -c '^# TYPE ' "$t/empty.prom")" -eq "$(grep -c '^# TYPE ' "$t/out.prom")" ] ||
	fail "families differ between an empty and a full store"

for f in "$golden" "$t/out.prom" "$t/empty.prom"; do
	# every family a gauge, with HELP; every sample's family declared
	awk '/^# TYPE / { if ($4 != "gauge") bad = 1; typed[$3] = 1 }
	     /^# HELP / { help[$3] = 1 }
	     /^[a-z]/ { n = $0; sub(/[{ ].*/, "", n); if (!(n in typed)) bad = 1 }
	     END { for (n in typed) if (!(n in help)) bad = 1; exit bad }' "$f" ||
		fail "$f: a family is not a documented gauge"
	if [ -x /usr/bin/promtool ]; then
		/usr/bin/promtool check metrics <"$f" || fail "promtool: $f"
	fi
done
[ -x /usr/bin/promtool ] ||
	echo "note: no /usr/bin/promtool (Debian's prometheus package): grammar checked by prom_check.py only"

# the numbers are those of the JSON view
"$summary" -d "$t/a" --format json >"$t/out.json"
python3 - "$t/out.prom" "$t/out.json" <<'PY' || fail "prometheus and json disagree"
import json, re, sys
prom = open(sys.argv[1]).read()
d = json.load(open(sys.argv[2]))
def val(pattern):
    m = re.search("^" + pattern + r" (\S+)$", prom, re.M)
    assert m, pattern
    return int(m.group(1))
for dom in d["domains"]:
    name = dom["domain"]
    assert val(r'tlsrpt_sessions\{domain="%s",result="success"\}' % re.escape(name)) == dom["successes"]
    assert val(r'tlsrpt_sessions\{domain="%s",result="failure"\}' % re.escape(name)) == dom["failures"]
    assert val(r'tlsrpt_domain_reports\{domain="%s"\}' % re.escape(name)) == dom["reports"]
assert val("tlsrpt_reports") == d["totals"]["reports"]
assert d["schema"] == "tlsrpt-summary/2"
for r in d["results"]:
    assert val(r'tlsrpt_failed_sessions_by_result_type\{result_type="%s"\}' % re.escape(r["result-type"])) > 0
PY

# tlsrpt_failed_sessions: top N pairs a domain and "other", for N = 1
# (the samples' example.org has 2 pairs: "other" is not empty) and the
# default 5; the numbers are those of the JSON pairs.
"$summary" -d "$t/a" --now "$now" --format prometheus --prometheus-top 1 \
	>"$t/top1.prom"
[ $? -le 1 ] || fail "--prometheus-top 1"
$check "$t/top1.prom" || fail "--prometheus-top 1 output"
if [ -x /usr/bin/promtool ]; then
	/usr/bin/promtool check metrics <"$t/top1.prom" || fail "promtool: top1.prom"
fi
"$summary" -d "$t/a" --now "$now" --format json >"$t/now.json"
python3 - "$t/now.json" 1 "$t/top1.prom" 5 "$t/out.prom" <<'PY' || fail "tlsrpt_failed_sessions"
import json, re, sys
doc = json.load(open(sys.argv[1]))
LINE = re.compile(r'^tlsrpt_failed_sessions\{domain="((?:[^"\\]|\\.)*)",'
                  r'result_type="((?:[^"\\]|\\.)*)",'
                  r'receiving_mx="((?:[^"\\]|\\.)*)"\} (\d+)$', re.M)
by_type = sum(int(v) for v in re.findall(
    r'^tlsrpt_failed_sessions_by_result_type\{[^}]*\} (\d+)$',
    open(sys.argv[3]).read(), re.M))
others = 0
for n, path in ((int(sys.argv[2]), sys.argv[3]), (int(sys.argv[4]), sys.argv[5])):
    series = {}
    for dom, typ, mx, v in LINE.findall(open(path).read()):
        series.setdefault(dom, []).append((typ, mx, int(v)))
    assert series, "no tlsrpt_failed_sessions series in " + path
    # every detail session once: the family sums to the by-type one
    assert sum(v for s in series.values() for _, _, v in s) == by_type
    for dom in doc["domains"]:
        pairs = dom["failures-by-result-and-mx"]
        name = dom["domain"] or ""
        if not pairs:
            assert name not in series, name
            continue
        got = series[name]
        assert len(got) <= n + 1, (path, name, len(got))
        assert got[-1][:2] == ("other", "other"), got
        top = [(p["result-type"], p["receiving-mx"] or "", p["sessions"])
               for p in pairs][:n]
        assert got[:-1] == top, (got, top)
        rest = sum(p["sessions"] for p in pairs[n:]) + \
            dom["failures-by-result-and-mx-other"]
        assert got[-1][2] == rest, (name, got[-1], rest)
        others += rest
assert others > 0, "the samples should fill an other series"
PY
# Our probe: an older run (superseded), the latest run with three
# findings on example.org, one of a made-up type; a domain not probed.
cp -r "$t/a" "$t/p"
day=$(date -u +%F)
old=$(date -u -d '-2 hours' +%Y-%m-%dT%H:00:00Z)
new=$(date -u -d '-1 hours' +%Y-%m-%dT%H:00:00Z)
f='"v":1,"kind":"probe-finding","domain":"example.org","address":null,"detail":"d","action":"a"'
cat >"$t/p/probe-$day.jsonl" <<JSON
{$f,"result-type":"certificate-expired","mx-host":"mx9.example.org","time":"$old"}
{"v":1,"kind":"probe-run","time":"$old","domain":"example.org","error":null,"findings":1}
{$f,"result-type":"certificate-expiring","mx-host":"mx1.example.org","time":"$new"}
{$f,"result-type":"certificate-expiring","mx-host":"mx2.example.org","time":"$new"}
{$f,"result-type":"x\"{evil}\n","mx-host":"mx2.example.org","time":"$new"}
{"v":1,"kind":"probe-run","time":"$new","domain":"example.org","error":null,"findings":3}
{"v":1,"kind":"probe-run","time":"$new","domain":"down.example","error":"no MX record","findings":0}
JSON
"$summary" -d "$t/p" --now "$now" --format prometheus >"$t/probe.prom"
[ $? -le 1 ] || fail "prometheus with probe findings"
$check "$t/probe.prom" || fail "prometheus output with probe findings"
if [ -x /usr/bin/promtool ]; then
	/usr/bin/promtool check metrics <"$t/probe.prom" || fail "promtool: probe.prom"
fi
"$summary" -d "$t/p" --now "$now" --format json >"$t/probe.json"
python3 - "$t/probe.prom" "$t/probe.json" <<'PY' || fail "tlsrpt_probe_*"
import calendar, json, re, sys, time
prom = open(sys.argv[1]).read()
doc = json.load(open(sys.argv[2]))
found = {(d, t): int(v) for d, t, v in re.findall(
    r'^tlsrpt_probe_findings\{domain="([^"]*)",result_type="([^"]*)"\} (\d+)$',
    prom, re.M)}
assert found == {("example.org", "certificate-expiring"): 2,
                 ("example.org", "other"): 1}, found
runs = dict(re.findall(
    r'^tlsrpt_probe_last_run_timestamp_seconds\{domain="([^"]*)"\} (\d+)$',
    prom, re.M))
dom = [d for d in doc["domains"] if d["domain"] == "example.org"][0]
t = calendar.timegm(time.strptime(dom["probe"]["time"], "%Y-%m-%dT%H:%M:%SZ"))
assert runs == {"example.org": str(t), "down.example": str(t)}, runs
assert len(dom["probe"]["findings"]) == sum(found.values())
errors = re.findall(r'^tlsrpt_probe_error\{domain="([^"]*)"\} 1$', prom, re.M)
assert errors == ["down.example"], errors
PY

# N out of range
for n in 0 65 x -1 ""; do
	expect_status 64 "$summary" -d "$t/a" --format prometheus \
		--prometheus-top "$n" 2>/dev/null
done
exit 0
