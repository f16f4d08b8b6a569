# SPDX-License-Identifier: BSD-2-Clause
# t-ingest-cli.sh -- tlsrpt-ingest as a postmaster runs it: options, exit
# statuses, dry-run output, storing files, a maildir and an mbox.
. "$TLSRPT_TOP/tests/scripts/lib.inc"
ingest=$TLSRPT_BUILD/tlsrpt-ingest
samples=$TLSRPT_TOP/samples
t=$(tmpdir)
trap 'rm -rf "$t"' EXIT
conf=$t/empty.conf
# Root writes these temp stores: a store no user owns needs AllowRoot.
echo "AllowRoot yes" >"$conf"

# --help, --version, usage errors
"$ingest" --help | grep -q '^usage: tlsrpt-ingest' || fail "--help"
"$ingest" --version | grep -q '^tlsrpt-ingest [0-9]' || fail "--version"
expect_status 64 "$ingest" --no-such-option 2>/dev/null
expect_status 64 "$ingest" --prune --dry-run 2>/dev/null

# dry run: one normalised line per report, with its source
"$ingest" -c "$conf" --dry-run "$samples"/*.eml "$samples"/*.json.gz >"$t/out" ||
	fail "dry run of the samples"
[ "$(wc -l <"$t/out")" -eq 3 ] || fail "3 reports expected, got $(wc -l <"$t/out")"
python3 - "$t/out" <<'PY' || fail "dry-run output"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
by_org = {r["organization-name"]: r for r in rows}
g = by_org["Google Inc."]
assert g["policies"][0]["summary"]["total-successful-session-count"] == 1204
assert g["policies"][0]["policy"]["mx-host"] == ["mx1.example.org", "mx2.example.org"]
assert g["source"]["tls-report-domain"] == "example.org"
assert g["source"]["message-id"] == "tlsrpt-1@google.example"
m = by_org["Microsoft Corporation"]
d = m["policies"][0]["failure-details"][0]
assert d["result-type"] == "certificate-expired" and d["failed-session-count"] == 23
f = by_org["Mail.Example"]
assert "contact-info" not in f
assert f["date-range"]["end-datetime"] == "2026-11-28T00:00:00Z"
assert f["source"]["payload"] == "gzip"
PY

# dry run from standard input
"$ingest" -c "$conf" -n <"$samples/google-example.org.eml" | grep -q '"report-id":"2026-11-27T00:00:00Z_example.org"' ||
	fail "dry run from stdin"

# bad inputs: exit statuses and a message naming the file
expect_status 66 "$ingest" -c "$conf" -n "$t/missing.eml" 2>"$t/err"
grep -q "$t/missing.eml" "$t/err" || fail "missing file not named"
printf 'Subject: hello\n\njust mail\n' >"$t/plain.eml"
expect_status 65 "$ingest" -c "$conf" -n "$t/plain.eml" 2>"$t/err"
grep -q 'no TLS report' "$t/err" || fail "not-a-report reason: $(cat "$t/err")"
printf '{"organization-name":"x","policies":[]}' >"$t/bad.json"
expect_status 65 "$ingest" -c "$conf" -n "$t/bad.json" 2>"$t/err"
grep -q 'bad.json: ' "$t/err" || fail "bad report not named"
# a JSON syntax error says at which byte
printf '{"organization-name": "x", oops}' >"$t/syntax.json"
expect_status 65 "$ingest" -c "$conf" -n "$t/syntax.json" 2>"$t/err"
grep -q 'not valid JSON: .* (at byte 31)$' "$t/err" ||
	fail "JSON error without its place: $(cat "$t/err")"
# a walk that stops after a report (MaxReportsPerMessage) prints the report
# read and says why the rest was not
json=$(gzip -dc "$samples"/*.json.gz)
printf 'MaxReportsPerMessage 1\n' >"$t/one.conf"
printf 'From: a@example.org\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: application/tlsrpt+json\n\n%s\n--b\nContent-Type: application/tlsrpt+json\n\n%s\n--b--\n' \
	"$json" "$json" >"$t/two.eml"
expect_status 65 "$ingest" -c "$t/one.conf" -n "$t/two.eml" >"$t/out" 2>"$t/err"
[ "$(wc -l <"$t/out")" -eq 1 ] || fail "the report before the stop: $(cat "$t/out")"
grep -q 'MaxReportsPerMessage' "$t/err" ||
	fail "dry run did not say why it stopped: $(cat "$t/err")"

# storing: stored, then duplicate; lines in today's day file
store=$t/store
"$ingest" -c "$conf" -d "$store" "$samples/google-example.org.eml" >"$t/out" ||
	fail "store a sample"
grep -q ': stored Google Inc. 2026-11-27T00:00:00Z_example.org (example.org 1204 ok 0 failed)' "$t/out" ||
	fail "stored line: $(cat "$t/out")"
"$ingest" -c "$conf" -d "$store" "$samples/google-example.org.eml" >"$t/out" ||
	fail "store a duplicate"
grep -q ': duplicate Google Inc.' "$t/out" || fail "duplicate line: $(cat "$t/out")"
day=$store/tlsrpt-$(date -u +%Y-%m-%d).jsonl
[ "$(wc -l <"$day")" -eq 1 ] || fail "one line expected in $day"
[ "$(stat -c %a "$day")" = 640 ] || fail "day file mode $(stat -c %a "$day")"

# a maildir with a report, a duplicate and an ordinary mail
md=$t/Maildir
mkdir -p "$md/cur" "$md/new" "$md/tmp"
cp "$samples/microsoft-example.org.eml" "$md/new/1.host"
cp "$samples/google-example.org.eml" "$md/cur/2.host:2,S"
cp "$t/plain.eml" "$md/cur/3.host:2,S"
expect_status 65 "$ingest" -c "$conf" -d "$store" "$md" >"$t/out" 2>"$t/err"
grep -q 'new/1.host: stored Microsoft Corporation' "$t/out" || fail "maildir stored: $(cat "$t/out")"
grep -q '2.host:2,S: duplicate' "$t/out" || fail "maildir duplicate"
grep -q '3.host:2,S: not a report' "$t/err" || fail "maildir plain mail: $(cat "$t/err")"

# an mbox (mboxrd quoting of a body line starting with "From ")
mbox=$t/inbox.mbox
{
	echo "From MAILER-DAEMON Sat Nov 28 06:12:00 2026"
	printf 'Subject: hello\n\n>From here on\n>>From quoted\n\n'
	echo "From noreply Sat Nov 28 06:12:00 2026"
	cat "$samples/google-example.org.eml"
	echo
} >"$mbox"
expect_status 65 "$ingest" -c "$conf" -d "$store" "$mbox" >"$t/out" 2>"$t/err"
grep -q 'inbox.mbox, message 2 (line 7): duplicate Google Inc.' "$t/out" || fail "mbox: $(cat "$t/out") $(cat "$t/err")"
grep -q 'inbox.mbox, message 1 (line 1): not a report' "$t/err" || fail "mbox message 1: $(cat "$t/err")"

# an mbox whose only message is its "From " line: an empty message, said
# so (it used to be handed on as "no buffer" and crash the program)
echo "From MAILER-DAEMON Sat Nov 28 06:12:00 2026" >"$t/empty.mbox"
expect_status 65 "$ingest" -c "$conf" -d "$store" "$t/empty.mbox" >"$t/out" 2>"$t/err"
grep -q 'empty.mbox, message 1 (line 1): not a report: the input is empty' "$t/err" ||
	fail "empty mbox message: $(cat "$t/err")"

# one report id with other contents: stored as a conflict, 4 versions at
# most; the same contents again (re-indented) is a duplicate
for v in 1 2 3 4 5; do
	python3 - "$t/v$v.json" "$v" <<'PY'
import json, sys
v = int(sys.argv[2])
json.dump({"organization-name": "Google Inc.",
           "date-range": {"start-datetime": "2026-11-27T00:00:00Z",
                          "end-datetime": "2026-11-27T23:59:59Z"},
           "contact-info": "smtp-tls-reporting@google.com",
           "report-id": "2026-11-27T00:00:00Z_versions.example",
           "policies": [{"policy": {"policy-type": "no-policy-found",
                                    "policy-domain": "versions.example"},
                         "summary": {"total-successful-session-count": v,
                                     "total-failure-session-count": 0}}]},
          open(sys.argv[1], "w"), indent=v)
PY
done
"$ingest" -c "$conf" -d "$t/vstore" "$t/v1.json" "$t/v2.json" "$t/v3.json" "$t/v4.json" >"$t/out" ||
	fail "versions: $(cat "$t/out")"
[ "$(grep -c 'stored (conflicts with an earlier report with the same id) Google Inc.' "$t/out")" -eq 3 ] ||
	fail "3 conflicts: $(cat "$t/out")"
expect_status 65 "$ingest" -c "$conf" -d "$t/vstore" "$t/v5.json" >"$t/out" 2>"$t/err"
grep -q '4 reports with organization-name "Google Inc." and report-id "2026-11-27T00:00:00Z_versions.example" but other contents are stored already' "$t/err" ||
	fail "fifth version: $(cat "$t/out" "$t/err")"
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); json.dump(d, open(sys.argv[1], "w"), sort_keys=True)' "$t/v2.json"
"$ingest" -c "$conf" -d "$t/vstore" "$t/v2.json" >"$t/out" || fail "v2 again"
grep -q '^.*duplicate Google Inc.' "$t/out" || fail "v2 re-indented is not a duplicate: $(cat "$t/out")"

# a store that cannot be opened is a temporary failure (75)
: >"$t/notadir"
expect_status 75 "$ingest" -c "$conf" -d "$t/notadir" "$samples/google-example.org.eml" 2>"$t/err"

# a configuration error is 78 and names file and line
printf 'NoSuchKey yes\n' >"$t/bad.conf"
expect_status 78 "$ingest" -c "$t/bad.conf" -n "$samples/google-example.org.eml" 2>"$t/err"
grep -q 'bad.conf:1' "$t/err" || fail "config error location: $(cat "$t/err")"
exit 0
