#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-store-owner.sh -- root cannot break the store's ownership, and a store
# file nobody can read is never a silent undercount.
# 1. tlsrpt-ingest run as root on a maildir only root may read, --cgi and
#    --prune as root, leave only files owned by the store's owner; the
#    owner's own tlsrpt-ingest and the milter's crash recovery then open
#    the store.
# 2. Root is refused a store no user owns (root-owned or missing) unless
#    AllowRoot, and creates nothing.
# 3. A day file the reader cannot open: tlsrpt-summary warns in the text
#    and JSON output and on standard error, and exits 66.
. "$TLSRPT_TOP/tests/scripts/lib.inc"

need_nobody "run tlsrpt-ingest as root"
command -v setpriv >/dev/null 2>&1 || skip "setpriv is not installed"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
ingest=$TLSRPT_BUILD/tlsrpt-ingest
milter=$TLSRPT_BUILD/tlsrpt-milter
summary=$TLSRPT_BUILD/tlsrpt-summary
for p in "$ingest" "$milter" "$summary"; do
	[ -x "$p" ] || fail "no $p"
done
samples=$TLSRPT_TOP/samples

server_tmpdir TERM
chmod 755 "$t" # the store's owner must reach its store

as_nobody() {
	setpriv --reuid nobody --regid nogroup --clear-groups -- "$@"
}

# A mailbox only root may read, as /home/USER/Maildir is to the store's
# owner; and a store as the package makes it.
mkdir -p "$t/Maildir/new" "$t/Maildir/cur" "$t/Maildir/tmp"
cp "$samples/google-example.org.eml" "$samples/microsoft-example.org.eml" \
	"$t/Maildir/new/"
chmod -R go-rwx "$t/Maildir"
install -d -o nobody -g nogroup -m 0750 "$t/store" "$t/run"
: >"$t/empty.conf"
printf 'StoreDirectory %s\nSocket unix:%s/run/milter.sock\nUserID nobody:nogroup\n' \
	"$t/store" "$t" >"$t/milter.conf"

# 1. Root ingests the maildir and prunes.
"$ingest" -c "$t/milter.conf" "$t/Maildir" >"$t/out" 2>&1 ||
	fail "root-run ingest of a root-only maildir: $(cat "$t/out")"
[ "$(grep -c ': stored ' "$t/out")" -eq 2 ] ||
	fail "2 reports stored expected: $(cat "$t/out")"
"$ingest" -c "$t/milter.conf" --prune >"$t/out" 2>&1 ||
	fail "root-run --prune: $(cat "$t/out")"
gz=$(ls "$samples"/*.json.gz | head -1)
REQUEST_METHOD=POST CONTENT_TYPE=application/tlsrpt+gzip \
	CONTENT_LENGTH=$(wc -c <"$gz") REMOTE_ADDR=192.0.2.1 \
	"$ingest" --cgi -c "$t/milter.conf" <"$gz" >"$t/cgi.out" 2>&1 ||
	fail "root-run --cgi: $(cat "$t/cgi.out")"
head -n 1 "$t/cgi.out" | grep -q '^Status: 201 ' || fail "root-run --cgi: $(cat "$t/cgi.out")"
bad=$(find "$t/store" \( ! -user nobody -o ! -group nogroup \) -printf '%p %u:%g\n')
[ -z "$bad" ] || fail "files not owned by the store's owner: $bad"
[ -n "$(find "$t/store" -name 'tlsrpt-*.jsonl')" ] || fail "no day file"
echo "ok - root-run ingest (root-only maildir), --cgi and --prune leave only nobody:nogroup files"

as_nobody "$ingest" -c "$t/milter.conf" "$samples/google-example.org.eml" \
	>"$t/out" 2>&1 || fail "the owner's own ingest: exit $?: $(cat "$t/out")"
grep -q ': duplicate Google Inc.' "$t/out" || fail "owner's ingest: $(cat "$t/out")"
echo "ok - the owner's tlsrpt-ingest opens the store after root's runs"

"$milter" -f -c "$t/milter.conf" >"$t/milter.log" 2>&1 &
pid=$!
i=0
until [ -S "$t/run/milter.sock" ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "the milter did not start: $(cat "$t/milter.log")"
	kill -0 "$pid" 2>/dev/null || fail "the milter exited: $(cat "$t/milter.log")"
	sleep 0.05
done
kill -TERM "$pid"
wait "$pid" 2>/dev/null
pid=
grep -q 'Permission denied' "$t/milter.log" && fail "milter: $(cat "$t/milter.log")"
echo "ok - the milter (UserID nobody) recovers and opens the store"

# 2. A store no user owns: refused, nothing created; AllowRoot lets root in.
mkdir "$t/rootstore"
expect_status 77 "$ingest" -c "$t/empty.conf" -d "$t/rootstore" \
	"$samples/google-example.org.eml" >"$t/out" 2>&1
grep -q 'owned by root.*AllowRoot' "$t/out" || fail "no clear refusal: $(cat "$t/out")"
[ -z "$(ls "$t/rootstore")" ] || fail "the refused run wrote into the store"
expect_status 77 "$ingest" -c "$t/empty.conf" -d "$t/rootstore" --prune >"$t/out" 2>&1
REQUEST_METHOD=POST CONTENT_TYPE=application/tlsrpt+gzip \
	CONTENT_LENGTH=$(wc -c <"$gz") REMOTE_ADDR=192.0.2.1 \
	"$ingest" --cgi -c "$t/empty.conf" -d "$t/rootstore" <"$gz" >"$t/cgi.out" 2>"$t/cgi.err"
head -n 1 "$t/cgi.out" | grep -q '^Status: 503 ' || fail "--cgi into a root-owned store: $(cat "$t/cgi.out")"
grep -q 'owned by root' "$t/cgi.err" || fail "--cgi refusal not logged: $(cat "$t/cgi.err")"
expect_status 77 "$ingest" -c "$t/empty.conf" -d "$t/missing" \
	"$samples/google-example.org.eml" >"$t/out" 2>&1
grep -q 'does not exist.*install -d' "$t/out" || fail "no clear refusal: $(cat "$t/out")"
[ -e "$t/missing" ] && fail "the refused run created the store"
echo "AllowRoot yes" >"$t/allow.conf"
"$ingest" -c "$t/allow.conf" -d "$t/rootstore" "$samples/google-example.org.eml" \
	>"$t/out" 2>&1 || fail "AllowRoot yes: $(cat "$t/out")"
echo "ok - a root-owned or missing store is refused (exit 77, --cgi 503) unless AllowRoot"

# 3. Two day files, one unreadable to the reader (nobody: root reads all).
day=$(ls "$t/store"/tlsrpt-*.jsonl | head -1)
old=$t/store/tlsrpt-2026-11-20.jsonl
grep -F 'Google Inc.' "$day" >"$old"
grep -vF 'Google Inc.' "$day" >"$t/rest" && cat "$t/rest" >"$day"
chown nobody:nogroup "$old"
as_nobody "$summary" -d "$t/store" --since 2026-11-01 --format json \
	>"$t/all.json" 2>"$t/err" || [ $? -eq 1 ] || fail "summary of the whole store: $(cat "$t/err")"
chmod 000 "$old"
for f in text json; do
	as_nobody "$summary" -d "$t/store" --since 2026-11-01 --format $f \
		>"$t/sum.$f" 2>"$t/err.$f"
	rc=$?
	[ "$rc" -eq 66 ] || fail "--format $f with an unreadable day file: exit $rc, want 66: $(cat "$t/err.$f")"
	grep -q "warning: 1 store file could not be read" "$t/err.$f" ||
		fail "--format $f: no warning on standard error: $(cat "$t/err.$f")"
	grep -q "tlsrpt-2026-11-20.jsonl: cannot open: Permission denied" "$t/err.$f" ||
		fail "--format $f: the file is not named: $(cat "$t/err.$f")"
done
grep -q '^WARNING: 1 store file could not be read: every count here' "$t/sum.text" ||
	fail "no warning in the text: $(head -5 "$t/sum.text")"
python3 - "$t/all.json" "$t/sum.json" <<'PY' || fail "JSON output"
import json, sys
full = json.load(open(sys.argv[1]))
part = json.load(open(sys.argv[2]))
assert full["problems"]["unreadable-files"] == 0, full["problems"]
p = part["problems"]
assert p["unreadable-files"] == 1, p
assert "tlsrpt-2026-11-20.jsonl: cannot open: Permission denied" in p["unreadable-examples"][0], p
n, m = part["totals"]["reports"], full["totals"]["reports"]
assert 0 < n < m, (n, m)
PY
echo "ok - an unreadable day file: warned in text, JSON and on stderr, exit 66"
