# SPDX-License-Identifier: BSD-2-Clause
# t-summary-prometheus.sh -- tlsrpt-summary --format prometheus as
# node_exporter's textfile collector reads it: the output of a store built
# from the committed samples and the golden file of check_render pass
# promtool check metrics (Debian's prometheus package) when installed, and
# always tests/scripts/prom_check.py (the exposition grammar, duplicate
# series, no timestamps); the numbers agree with --format json; every
# family is a gauge with HELP and TYPE; prom_check.py itself rejects
# broken input (so it can fail).
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
for r in d["results"]:
    assert val(r'tlsrpt_failed_sessions_by_result_type\{result_type="%s"\}' % re.escape(r["result-type"])) > 0
PY
exit 0
