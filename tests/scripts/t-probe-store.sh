#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-probe-store.sh -- tlsrpt-probe --store and -c without servers: a run
# whose resolver does not answer still stores a probe-run line (domain,
# error, findings 0) in probe-DAY.jsonl beside a report's day file;
# tlsrpt-summary's JSON is the same before and after but for the probed
# domain's "probe" object, with no damaged line
# (while the same line put into a day file is counted as damaged: why the
# findings have a file of their own); root is refused in another user's
# store and in a root-owned one without AllowRoot. The findings and alerts
# of real probes are t-probe.sh's "store and alert" case.
. "$TLSRPT_TOP/tests/scripts/lib.inc"

prog=$TLSRPT_BUILD/tlsrpt-probe
ingest=$TLSRPT_BUILD/tlsrpt-ingest
summary=$TLSRPT_BUILD/tlsrpt-summary
for p in "$prog" "$ingest" "$summary"; do [ -x "$p" ] || fail "$p not built"; done
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
t=$(tmpdir)
trap 'silent_resolver_stop "$t"; rm -rf "$t"' EXIT
port=$(silent_resolver "$t")

cat >"$t/conf" <<EOC
StoreDirectory $t/store
AllowRoot yes
EOC
"$ingest" -c "$t/conf" "$TLSRPT_TOP/samples/google-example.org.eml" \
	>"$t/ingest.out" 2>&1 || fail "ingest: $(cat "$t/ingest.out")"
# One clock for every summary, so their JSON can be compared whole.
now=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
sum() {
	"$summary" -d "$1" --since 2000-01-01 --now "$now" --format json \
		>"$2" 2>&1 ||
		fail "summary $1: $(cat "$2")"
}
sum "$t/store" "$t/before.json"

# The resolver does not answer: exit 75, and the run is still stored.
"$prog" -c "$t/conf" --resolver "127.0.0.1:$port" --timeout 1 \
	example.org >"$t/probe.out" 2>&1
[ $? -eq 75 ] || fail "dead resolver: not exit 75: $(cat "$t/probe.out")"
day=$(date -u +%Y-%m-%d)
f=$t/store/probe-$day.jsonl
[ -s "$f" ] || fail "no $f: $(ls -l "$t/store")"
python3 - "$f" <<'EOP' || fail "probe-run line: $(cat "$f")"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert len(lines) == 1, lines
l = lines[0]
assert list(l)[:2] == ["v", "kind"], l
assert l["v"] == 1 and l["kind"] == "probe-run", l
assert l["domain"] == "example.org" and l["findings"] == 0, l
assert "MX" in l["error"] or "DNS" in l["error"] or "resolver" in l["error"], l
assert l["time"].endswith("Z"), l
EOP
# --store over the file's StoreDirectory appends to the same file.
printf 'StoreDirectory %s/elsewhere\nAllowRoot yes\n' "$t" >"$t/conf2"
"$prog" -c "$t/conf2" --store "$t/store" --resolver "127.0.0.1:$port" \
	--timeout 1 example.net >/dev/null 2>&1
[ "$(wc -l <"$f")" -eq 2 ] && [ ! -e "$t/elsewhere" ] ||
	fail "--store: $(cat "$f")"
echo "   ok: probe-run lines stored"

sum "$t/store" "$t/after.json"
python3 - "$t/before.json" "$t/after.json" <<'EOP' || fail "summary changed by the findings: $(diff "$t/before.json" "$t/after.json")"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
a.pop("generated"), b.pop("generated")  # the wall clock of the run
# The findings show as each probed domain's "probe" object (the run that
# found nothing answering DNS): that, and nothing else, is new.
probes = [d.pop("probe") for d in b["domains"] if "probe" in d]
assert len(probes) == 1 and probes[0]["error"], probes
assert probes[0]["findings"] == [], probes
assert a == b
s = json.dumps(b)
assert b["problems"]["damaged-lines"] == 0, b["problems"]
EOP
# The control: the same line in a day file is a damaged line to the
# reader (no "received" and no report keys), an old one's as a new one's:
# a file of their own is needed. Two lines, two damaged.
cp -r "$t/store" "$t/mixed"
cat "$f" >>"$t/mixed/tlsrpt-$day.jsonl"
sum "$t/mixed" "$t/mixed.json"
python3 -c "import json, sys; sys.exit(json.load(open(sys.argv[1]))[\"problems\"][\"damaged-lines\"] != 2)" "$t/mixed.json" ||
	fail "control: a probe line in a day file was not counted: $(cat "$t/mixed.json")"
echo "   ok: summary counts unchanged, the probe shown, no damaged line"

# Root: refused in another user's store, and in a root-owned one without
# AllowRoot; the store is not written.
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	mkdir "$t/theirs"
	chown nobody "$t/theirs"
	"$prog" --store "$t/theirs" --resolver "127.0.0.1:$port" --timeout 1 \
		example.org >/dev/null 2>"$t/err"
	[ $? -eq 73 ] || fail "root in nobody's store: not exit 73: $(cat "$t/err")"
	grep -q "belongs to uid $(id -u nobody).*run tlsrpt-probe as that user" "$t/err" ||
		fail "root in nobody's store: $(cat "$t/err")"
	[ -z "$(ls "$t/theirs")" ] || fail "root wrote nobody's store"
	mkdir "$t/roots"
	"$prog" --store "$t/roots" --resolver "127.0.0.1:$port" --timeout 1 \
		example.org >/dev/null 2>"$t/err"
	[ $? -eq 73 ] && grep -q "owned by root.*AllowRoot yes" "$t/err" ||
		fail "root-owned store without AllowRoot: $(cat "$t/err")"
	echo "   ok: root refused"
fi
exit 0
