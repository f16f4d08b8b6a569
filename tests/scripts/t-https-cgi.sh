# SPDX-License-Identifier: BSD-2-Clause
# t-https-cgi.sh -- reports over HTTPS: tlsrpt-ingest --cgi behind a real
# web server (a private lighttpd with mod_cgi and TLS on 127.0.0.1, with a
# self-signed certificate), posted to with curl the way sys4's
# tlsrpt-reporter does: every sample, bad requests, and 200 concurrent
# POSTs from 20 clients, each stored exactly once.
#
# TLSRPT_INGEST may name another tlsrpt-ingest to test (default: the one in
# TLSRPT_BUILD).
. "$TLSRPT_TOP/tests/scripts/lib.inc"
ingest=${TLSRPT_INGEST:-$TLSRPT_BUILD/tlsrpt-ingest}
samples=$TLSRPT_TOP/samples

lighttpd=$(command -v lighttpd || echo /usr/sbin/lighttpd)
[ -x "$lighttpd" ] || skip "lighttpd is not installed (scripts/packages.txt)"
[ -e /usr/lib/lighttpd/mod_openssl.so ] ||
	skip "lighttpd-mod-openssl is not installed"
for p in curl openssl python3; do
	command -v $p >/dev/null || skip "$p is not installed"
done

t=$(tmpdir)
lpid=
cleanup() {
	if [ -n "$lpid" ]; then
		kill "$lpid" 2>/dev/null
		wait "$lpid" 2>/dev/null
	fi
	rm -rf "$t"
}
trap cleanup EXIT
trap 'exit 2' INT TERM
chmod 755 "$t"
mkdir "$t/www" "$t/up" "$t/gen" "$t/res"
store=$t/store

# The receiver's configuration: small limits so oversize is cheap to test.
# lighttpd runs the CGI as root here: a store no user owns needs AllowRoot.
cat >"$t/tlsrpt.conf" <<EOF
StoreDirectory $store
AllowRoot yes
HostName cgi.test
MaxMessageSize 40k
Fsync none
EOF
# A second receiver whose store cannot be opened (its parent is missing).
cat >"$t/down.conf" <<EOF
StoreDirectory $t/missing/store
HostName cgi.test
EOF
# A third with per-domain URL tokens.
cat >"$t/tokens.conf" <<EOF
StoreDirectory $store
AllowRoot yes
HostName cgi.test
Fsync none
HTTPSTokens example.org:e2e-token-org
EOF

# Does this tlsrpt-ingest have the CGI mode?
REQUEST_METHOD=GET "$ingest" --cgi -c "$t/down.conf" </dev/null 2>/dev/null |
	head -n 1 | grep -q '^Status: 405 ' ||
	skip "$ingest has no working --cgi mode"

# The CGI programs: tiny wrappers, as a site would install them.
for name in tlsrpt:tlsrpt down:down tok:tokens; do
	cat >"$t/www/${name%%:*}" <<EOF
#!/bin/sh
exec "$ingest" --cgi -c "$t/${name#*:}.conf"
EOF
	chmod 755 "$t/www/${name%%:*}"
done

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$t/key.pem" \
	-out "$t/cert.pem" 2>"$t/openssl.err" ||
	fail "openssl req: $(cat "$t/openssl.err")"

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_lighttpd() {
	port=$(free_port) || fail "no free port"
	cat >"$t/lighttpd.conf" <<EOF
server.document-root = "$t/www"
server.bind = "127.0.0.1"
server.port = $port
server.pid-file = "$t/lighttpd.pid"
server.errorlog = "$t/error.log"
server.upload-dirs = ("$t/up")
server.modules = ("mod_openssl", "mod_cgi", "mod_accesslog")
accesslog.filename = "$t/access.log"
ssl.engine = "enable"
ssl.pemfile = "$t/cert.pem"
ssl.privkey = "$t/key.pem"
# KiB; the receiver's own MaxMessageSize (40k) is smaller
server.max-request-size = 64
server.max-worker = 0
cgi.assign = ("/tlsrpt" => "", "/down" => "", "/tok" => "")
EOF
	"$lighttpd" -D -f "$t/lighttpd.conf" >"$t/lighttpd.out" 2>&1 &
	lpid=$!
	i=0
	while [ $i -lt 50 ]; do
		if curl -s -o /dev/null --cacert "$t/cert.pem" \
			"https://127.0.0.1:$port/"; then
			return 0
		fi
		kill -0 "$lpid" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	kill "$lpid" 2>/dev/null
	wait "$lpid" 2>/dev/null
	lpid=
	return 1
}
start_lighttpd || start_lighttpd ||
	fail "lighttpd did not start: $(cat "$t/lighttpd.out" "$t/error.log" 2>/dev/null)"
base=https://127.0.0.1:$port

# post FILE TYPE PATH [CURL-ARGS...] -- POST FILE (TYPE "": no
# Content-Type); status code on stdout, response headers in $t/h, body in
# $t/b.
post() {
	f=$1 type=$2 path=$3
	shift 3
	curl -sS --cacert "$t/cert.pem" -D "$t/h" -o "$t/b" -w '%{http_code}' \
		--data-binary "@$f" -H "Content-Type:${type:+ $type}" "$@" \
		"$base$path"
}

# expect WANT GOT WHAT -- fail with the response body unless GOT is WANT.
expect() {
	[ "$2" = "$1" ] || fail "$3: HTTP $2 (wanted $1): $(cat "$t/b" 2>/dev/null)"
}

# Every day file's records as one JSON object a line.
records() {
	cat "$store"/tlsrpt-*.jsonl 2>/dev/null
}

count_records() {
	records | wc -l
}

# --- every sample: what the file path accepts, HTTPS accepts too ---------
ls "$samples"/*.json.gz >"$t/files"
if [ -n "$TLSRPT_CORPUS" ] && [ -d "$TLSRPT_CORPUS/real" ]; then
	find "$TLSRPT_CORPUS/real" -type f \( -name '*.json' -o -name '*.json.gz' \) |
		sort >>"$t/files"
else
	echo "no corpus (TLSRPT_CORPUS empty): posting the repository's samples only"
fi
n_files=0
: >"$t/want-ids"
while IFS= read -r f; do
	n_files=$((n_files + 1))
	case $f in
	*.gz) type=application/tlsrpt+gzip ;;
	*) type=application/tlsrpt+json ;;
	esac
	if "$ingest" -c "$t/tlsrpt.conf" --dry-run "$f" >"$t/dry" 2>/dev/null; then
		code=$(post "$f" "$type" /tlsrpt) || fail "curl $f"
		case $code in
		201 | 200) ;;
		*) fail "$f: HTTP $code (the file is a valid report): $(cat "$t/b")" ;;
		esac
		# The corpus holds one Microsoft report id twice with other
		# contents (a test project's edit): the second is a conflict.
		grep -Eq '^(stored|stored \(conflicts with an earlier report with the same id\)|duplicate): ' "$t/b" ||
			fail "$f: body $(cat "$t/b")"
		cat "$t/dry" >>"$t/want-ids"
	else
		code=$(post "$f" "$type" /tlsrpt) || fail "curl $f"
		expect 400 "$code" "$f (dry run refuses it)"
	fi
done <"$t/files"
records >"$t/records"
python3 - "$t/want-ids" "$t/records" <<'PY' || fail "stored samples differ from the dry run"
import json, sys
want = {(r["organization-name"], r["report-id"]) for r in map(json.loads, open(sys.argv[1]))}
got = {}
for line in open(sys.argv[2]):
    r = json.loads(line)
    assert r["source"] == "http", r
    assert r["client-addr"] == "127.0.0.1", r
    assert r["host"] == "cgi.test", r
    assert "dkim" not in r and "submitter" not in r, r
    got.setdefault((r["organization-name"], r["report-id"]), set()).add(r["policy-index"])
assert set(got) == want, (sorted(set(got) ^ want))
PY
echo "posted $n_files sample files: $(count_records) records"

# --- duplicate --------------------------------------------------------------
before=$(count_records)
gz=$(ls "$samples"/*.json.gz | head -n 1)
code=$(post "$gz" application/tlsrpt+gzip /tlsrpt) || fail curl
expect 200 "$code" "duplicate"
grep -q '^duplicate: ' "$t/b" || fail "duplicate body: $(cat "$t/b")"
[ "$(count_records)" -eq "$before" ] || fail "a duplicate was stored"

# --- a new report as JSON, with no Content-Type (sniffed), over HTTP/1.1 ---
python3 - "$t/gen" <<'PY'
import gzip, json, sys
d = sys.argv[1]
def report(i, domain="example.org"):
    return {
        "organization-name": "E2E Reporter",
        "date-range": {"start-datetime": "2026-11-27T00:00:00Z",
                       "end-datetime": "2026-11-27T23:59:59Z"},
        "contact-info": "tlsrpt@reporter.example",
        "report-id": "e2e-%04d" % i,
        "policies": [{
            "policy": {"policy-type": "sts",
                       "policy-string": ["version: STSv1", "mode: enforce",
                                         "mx: mx.%s" % domain, "max_age: 86400"],
                       "policy-domain": domain, "mx-host": ["mx.%s" % domain]},
            "summary": {"total-successful-session-count": i,
                        "total-failure-session-count": 0}}]}
for i in range(200):
    with gzip.open("%s/%04d.json.gz" % (d, i), "wb") as f:
        f.write(json.dumps(report(i)).encode())
open(d + "/plain.json", "w").write(json.dumps(report(1000)))
open(d + "/storm.json", "w").write(json.dumps(report(1001)))
open(d + "/tok-org.json", "w").write(json.dumps(report(1002)))
open(d + "/tok-net.json", "w").write(json.dumps(report(1003, "example.net")))
open(d + "/big.json", "w").write(json.dumps(report(1004)) + " " * 50000)
open(d + "/huge.json", "w").write(json.dumps(report(1005)) + " " * 100000)
PY
code=$(post "$t/gen/plain.json" "" /tlsrpt --http1.1) || fail curl
expect 201 "$code" "JSON without a Content-Type"

# --- wrong method, wrong type, garbage, oversize ---------------------------
before=$(count_records)
code=$(curl -sS --cacert "$t/cert.pem" -D "$t/h" -o "$t/b" -w '%{http_code}' \
	"$base/tlsrpt") || fail curl
expect 405 "$code" "GET"
grep -qi '^allow: POST' "$t/h" || fail "405 without Allow: POST: $(cat "$t/h")"
code=$(post "$gz" application/tlsrpt+gzip /tlsrpt -X PUT) || fail curl
expect 405 "$code" "PUT"
code=$(post "$gz" text/plain /tlsrpt) || fail curl
expect 415 "$code" "text/plain"
code=$(curl -sS --cacert "$t/cert.pem" -o "$t/b" -w '%{http_code}' \
	--data-binary "@$gz" "$base/tlsrpt") || fail curl
expect 415 "$code" "curl's default form type"
head -c 3000 /dev/urandom >"$t/garbage"
printf '\037\213\010\000' | cat - "$t/garbage" >"$t/garbage.gz"
code=$(post "$t/garbage.gz" application/tlsrpt+gzip /tlsrpt) || fail curl
expect 400 "$code" "garbage gzip"
[ "$(wc -l <"$t/b")" -eq 1 ] || fail "400 body is not one line: $(cat "$t/b")"
code=$(post "$t/garbage" application/tlsrpt+json /tlsrpt) || fail curl
expect 400 "$code" "garbage JSON"
code=$(post "$samples/google-example.org.eml" application/tlsrpt+json /tlsrpt) || fail curl
expect 400 "$code" "a MIME message"
grep -q 'MIME' "$t/b" || fail "MIME refusal: $(cat "$t/b")"
# Over MaxMessageSize (40k): the receiver says 413 from Content-Length.
code=$(post "$t/gen/big.json" application/tlsrpt+json /tlsrpt) || fail curl
expect 413 "$code" "over MaxMessageSize"
# Over the web server's own limit (64k): the server says 413.
code=$(post "$t/gen/huge.json" application/tlsrpt+json /tlsrpt --http1.1) ||
	fail curl
expect 413 "$code" "over server.max-request-size"
[ "$(count_records)" -eq "$before" ] || fail "a refused request was stored"

# --- truncated: Content-Length larger than the body ------------------------
# Through the server: the client gives up half-way; nothing is stored and
# no 2xx comes back.
python3 - "$port" "$t/cert.pem" "$gz" <<'PY' || fail "truncated upload got a 2xx"
import socket, ssl, sys
port, ca, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
body = open(path, "rb").read()
ctx = ssl.create_default_context(cafile=ca)
ctx.set_alpn_protocols(["http/1.1"])
t = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)),
                    server_hostname="127.0.0.1")
t.settimeout(5)
t.sendall(b"POST /tlsrpt HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          b"Content-Type: application/tlsrpt+gzip\r\n"
          b"Content-Length: %d\r\nConnection: close\r\n\r\n" % (len(body) + 500)
          + body[: len(body) // 2])
try:
    t.unwrap()
except (OSError, ssl.SSLError):
    pass
PY
[ "$(count_records)" -eq "$before" ] || fail "a truncated upload was stored"
# The CGI itself, as a streaming server hands it a short body: 400.
len=$(($(wc -c <"$gz") + 500))
REQUEST_METHOD=POST CONTENT_TYPE=application/tlsrpt+gzip CONTENT_LENGTH=$len \
	REMOTE_ADDR=192.0.2.1 "$ingest" --cgi -c "$t/tlsrpt.conf" <"$gz" \
	>"$t/b" 2>"$t/err" || fail "--cgi exit status $?"
head -n 1 "$t/b" | grep -q '^Status: 400 ' || fail "short body: $(cat "$t/b")"
grep -q 'shorter than Content-Length' "$t/b" || fail "short body: $(cat "$t/b")"
[ "$(count_records)" -eq "$before" ] || fail "a short body was stored"

# --- the store cannot be opened: 503 with Retry-After, never 2xx -----------
code=$(post "$t/gen/0000.json.gz" application/tlsrpt+gzip /down) || fail curl
expect 503 "$code" "store unavailable"
grep -qi '^retry-after: [0-9]' "$t/h" || fail "503 without Retry-After: $(cat "$t/h")"
code=$(post "$t/garbage.gz" application/tlsrpt+gzip /down) || fail curl
expect 400 "$code" "garbage while the store is unavailable"

# --- 200 concurrent POSTs from 20 clients, each a distinct report ----------
ls "$t/gen"/[0-9]*.json.gz >"$t/conc"
[ "$(wc -l <"$t/conc")" -eq 200 ] || fail "generator"
start=$(date +%s)
export base t
xargs -P 20 -n 10 sh -c '
	for f; do
		code=$(curl -sS --cacert "$t/cert.pem" -o /dev/null -w "%{http_code}" \
			--data-binary "@$f" -H "Content-Type: application/tlsrpt+gzip" \
			"$base/tlsrpt") || code=curl-failed
		echo "$code" >"$t/res/${f##*/}"
	done' sh <"$t/conc" || fail "xargs"
echo "200 concurrent POSTs took $(($(date +%s) - start)) s"
bad=$(cat "$t/res"/* | grep -vc '^201$')
[ "$bad" -eq 0 ] || fail "$bad of 200 concurrent POSTs not 201: $(sort "$t/res"/* | uniq -c)"
[ "$(ls "$t/res" | wc -l)" -eq 200 ] || fail "missing results"

# --- 20 clients post the same new report at once: stored once --------------
rm -f "$t/res"/*
seq 1 20 | xargs -P 20 -I{} sh -c '
	curl -sS --cacert "$t/cert.pem" -o /dev/null -w "%{http_code}\n" \
		--data-binary "@$t/gen/storm.json" \
		-H "Content-Type: application/tlsrpt+json" "$base/tlsrpt" \
		>"$t/res/{}" || echo curl-failed >"$t/res/{}"'
[ "$(cat "$t/res"/* | grep -c '^201$')" -eq 1 ] &&
	[ "$(cat "$t/res"/* | grep -c '^200$')" -eq 19 ] ||
	fail "same report 20 times at once: $(sort "$t/res"/* | uniq -c)"

records >"$t/records"
python3 - "$t/records" <<'PY' || fail "concurrent reports not stored exactly once"
import collections, json, sys
seen = collections.Counter()
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["organization-name"] == "E2E Reporter":
        seen[r["report-id"]] += 1
want = ["e2e-%04d" % i for i in list(range(200)) + [1000, 1001]]
missing = [k for k in want if seen[k] == 0]
twice = [k for k, n in seen.items() if n != 1]
assert not missing, "missing: %s" % missing[:10]
assert not twice, "stored more than once: %s" % twice[:10]
assert len(seen) == len(want), sorted(set(seen) - set(want))
PY

# --- per-domain URL tokens (HTTPSTokens), when the configuration has them ---
if REQUEST_METHOD=GET "$ingest" --cgi -c "$t/tokens.conf" </dev/null 2>/dev/null |
	head -n 1 | grep -q '^Status: 405 '; then
	code=$(post "$t/gen/tok-org.json" application/tlsrpt+json /tok) || fail curl
	expect 403 "$code" "no token in the URL"
	code=$(post "$t/gen/tok-org.json" application/tlsrpt+json /tok/wrong) || fail curl
	expect 403 "$code" "a wrong token"
	code=$(post "$t/gen/tok-net.json" application/tlsrpt+json /tok/e2e-token-org) || fail curl
	expect 403 "$code" "a report for another domain"
	grep -q 'example.net' "$t/b" || fail "403 reason: $(cat "$t/b")"
	code=$(post "$t/gen/tok-org.json" application/tlsrpt+json /tok/e2e-token-org) || fail curl
	expect 201 "$code" "the right token and domain"
	records | grep -q '"report-id":"e2e-1003"' && fail "a refused report was stored"
else
	echo "HTTPSTokens is not a configuration key yet: token checks skipped"
fi
exit 0
