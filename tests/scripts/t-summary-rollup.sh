# SPDX-License-Identifier: BSD-2-Clause
# t-summary-rollup.sh -- daily rollups (store/rollup.h) change no output:
# every --by view in every format, on two stores read as one, holding
# reports stored twice across days and stores, conflicting versions of one
# report id, damaged lines, a compressed day and a day with both a .gz and
# a .jsonl, gives the same bytes with --no-rollups, on the run that writes
# the rollups and on the run that reads them. Then: the rollups are read
# (a day file changed behind their back, size and time kept, is not
# noticed), a changed day file makes its rollup stale, a damaged rollup is
# rewritten, root writes them for the store's owner, prune deletes a
# rollup with its day.
. "$TLSRPT_TOP/tests/scripts/lib.inc"
summary=$TLSRPT_BUILD/tlsrpt-summary
gen=$TLSRPT_BUILD/tests/bench/gen-store
ingest=$TLSRPT_BUILD/tlsrpt-ingest
[ -x "$summary" ] || skip "no $summary"
[ -x "$gen" ] || skip "no $gen (make $gen)"
command -v python3 >/dev/null || skip "no python3"
t=$(tmpdir)
trap 'rm -rf "$t"' EXIT
now=2026-11-30T07:33:20Z # every day of the stores is complete
"$gen" "$t/a" 1200 40 7 1796000000 >/dev/null || fail "gen-store a"
"$gen" "$t/b" 300 40 8 1796000000 >/dev/null || fail "gen-store b"

# Duplicates, conflicts and damage, written into the day files as a
# crash, a second store or a forger would leave them.
python3 - "$t/a" "$t/b" <<'PY' || fail "preparing the stores"
import glob, gzip, json, os, sys
a, b = sys.argv[1], sys.argv[2]
days = sorted(glob.glob(a + "/tlsrpt-*.jsonl"))
def lines(p):
    with open(p) as f:
        return f.read().splitlines()
def add(p, ls):
    with open(p, "a") as f:
        f.write("".join(l + "\n" for l in ls))
# the reports of a day stored again on a later day, and in store b
add(days[20], lines(days[10])[:40])
add(b + "/" + os.path.basename(days[25]), lines(days[24])[:15])
# conflicting versions: the same org and id, other counts and digest, one
# marked as the store marks them, one not
for i, (src, dst) in enumerate([(12, 30), (26, 27), (33, 33)]):
    out = []
    for l in lines(days[src])[:6]:
        r = json.loads(l)
        r["report-digest"] = ("%x" % (i + 1)) * 64
        r["summary"]["total-failure-session-count"] += 7
        r["failure-details"] = r.get("failure-details", []) + [
            {"result-type": "certificate-expired", "failed-session-count": 7,
             "receiving-mx-hostname": "mx9.example"}]
        if i == 1:
            r["conflict"] = True
        out.append(json.dumps(r, separators=(",", ":")))
    add(days[dst], out)
# damaged lines: in the middle of a day, at its end, not JSON, not a
# record (a line too long, over 32 MiB, is left to check_rollup)
ls = lines(days[15])
ls[3:3] = ['{"v":1,"received":"2026-11-0', "not json at all", "[]"]
with open(days[15], "w") as f:
    f.write("".join(l + "\n" for l in ls) + ls[5][:70])
add(days[16], ['{"v":1}', '{"v":2,"received":"2026-11-01T00:00:00Z"}'])
# a compressed day, and a day with both a .gz and a .jsonl
for k, keep in ((5, False), (8, True)):
    data = open(days[k], "rb").read()
    with gzip.open(days[k] + ".gz", "wb") as g:
        g.write(data if not keep else data[: len(data) // 2])
    if keep:
        rest = data[len(data) // 2:]
        with open(days[k], "wb") as f:
            f.write(rest[rest.index(b"\n") + 1:])
    else:
        os.unlink(days[k])
PY

# The mail's Message-Id and MIME boundary are random: the rest must match.
norm() {
	python3 -c '
import re, sys
s = sys.stdin.read()
m = re.search(r"boundary=\"([^\"]+)\"", s)
if m:
    s = s.replace(m.group(1), "BOUNDARY")
sys.stdout.write(re.sub(r"(?m)^Message-Id: .*\n", "", s))'
}
run() { # name args...: output and exit status into $t/out.name
	n=$1
	shift
	st=0
	"$summary" -d "$t/a" -d "$t/b" --now $now --since 30d "$@" \
		>"$t/raw" 2>"$t/err.$n" || st=$?
	case "$*" in
	*mail*) norm <"$t/raw" >"$t/out.$n" ;;
	*) mv "$t/raw" "$t/out.$n" ;;
	esac
	echo "exit $st" >>"$t/out.$n"
}
compare_all() { # tag: every view and format, without then with rollups
	tag=$1
	for by in domain org result mx sending-ip day report sender; do
		for fmt in text json csv html prometheus mail; do
			set -- --by $by --format $fmt
			[ $fmt = mail ] && set -- "$@" --to pm@example.org
			run lines "$@" --no-rollups
			run rollups "$@"
			cmp -s "$t/out.lines" "$t/out.rollups" ||
				fail "$tag: --by $by --format $fmt differs with rollups: $(diff "$t/out.lines" "$t/out.rollups" | head -5)"
			cmp -s "$t/err.lines" "$t/err.rollups" ||
				fail "$tag: --by $by --format $fmt: stderr differs"
		done
	done
}
ls "$t/a" | grep -q rollup && fail "rollups before any summary"
compare_all written
ls "$t/a" "$t/b" | grep -c '^rollup-.*\.v1$' >"$t/n"
# a: 40 days, one of them with two files; b: its days
[ "$(cat "$t/n")" -ge 60 ] || fail "only $(cat "$t/n") rollups written"
[ "$(ls "$t/a" | grep -c '^rollup-.*\.gz\.v1$')" = 2 ] ||
	fail "not one rollup per .gz day file"
ls -a "$t/a" | grep -q '^\.rollup' && fail "temporary rollup files left"
ls -l --time-style=full-iso "$t/a" "$t/b" | grep rollup >"$t/before"
compare_all read
ls -l --time-style=full-iso "$t/a" "$t/b" | grep rollup >"$t/after"
cmp -s "$t/before" "$t/after" || fail "valid rollups were rewritten"

# Read, not rebuilt: a count changed in place, with the same size and
# time, is not seen through the rollup; --no-rollups sees it.
day=$(ls "$t/a" | grep '^tlsrpt-.*\.jsonl$' | sed -n 25p)
cp -p "$t/a/$day" "$t/orig"
python3 - "$t/a/$day" <<'PY' || fail "no count to change in $day"
import re, sys
p = sys.argv[1]
s = open(p).read()
# the first count whose first two digits can swap: same size, new value
for m in re.finditer(r'"total-successful-session-count":(\d)(\d)', s):
    a, b = m.group(1), m.group(2)
    if a != b and b != "0":
        s = s[:m.start(1)] + b + a + s[m.end(2):]
        open(p, "w").write(s)
        sys.exit(0)
sys.exit(1)
PY
touch -r "$t/orig" "$t/a/$day"
run lines --format json --no-rollups
run rollups --format json
cmp -s "$t/out.lines" "$t/out.rollups" && fail "the rollup was not used"
# Stale: the same change with a new time is seen
touch "$t/a/$day"
run rollups --format json
cmp -s "$t/out.lines" "$t/out.rollups" || fail "a stale rollup was used"
cp -p "$t/orig" "$t/a/$day"

# Damaged rollups (cut, a byte changed, another version, garbage, a
# directory, a symbolic link) are not used and are rewritten.
run lines --format json --no-rollups
set -- $(ls "$t/a" | grep '^rollup-' | head -6)
python3 - "$t/a" "$@" <<'PY'
import os, sys
d, names = sys.argv[1], sys.argv[2:]
def path(i): return os.path.join(d, names[i])
s = open(path(0), "rb").read(); open(path(0), "wb").write(s[: len(s) // 2])
s = bytearray(open(path(1), "rb").read()); s[len(s) // 2] ^= 0x20
open(path(1), "wb").write(bytes(s))
s = bytearray(open(path(2), "rb").read()); s[8] = 9
open(path(2), "wb").write(bytes(s))
open(path(3), "wb").write(os.urandom(4096))
os.unlink(path(4)); os.mkdir(path(4))
os.unlink(path(5)); os.symlink("/etc/passwd", path(5))
PY
run rollups --format json
cmp -s "$t/out.lines" "$t/out.rollups" || fail "a damaged rollup was used"
for i in 1 2 3 4; do
	r=$(eval echo \$$i)
	[ -f "$t/a/$r" ] && [ "$(head -c 8 "$t/a/$r")" = TLSRPTRU ] ||
		fail "$r not rewritten"
done
[ -d "$t/a/$5" ] || fail "a directory in the way was touched"
# a symbolic link is not followed: replaced by the new rollup (rename)
[ ! -L "$t/a/$6" ] && [ "$(head -c 8 "$t/a/$6")" = TLSRPTRU ] ||
	fail "$6: a symbolic link in the way was not replaced"
rmdir "$t/a/$5"
run rollups --format json
cmp -s "$t/out.lines" "$t/out.rollups" || fail "after repair"

# Run as root (the daily digest from cron) over another user's store: the
# rollups are written, and belong to the store's owner.
if [ "$(id -u)" = 0 ] && getent passwd nobody >/dev/null; then
	cp -a "$t/a" "$t/r"
	rm -f "$t/r"/rollup-*
	chown -R nobody "$t/r"
	# (its exit status says what the store holds, as in run above)
	"$summary" -d "$t/r" --now $now --since 30d --format json \
		>"$t/out.root" 2>"$t/err.root"
	python3 -c 'import json, sys; json.load(sys.stdin)' <"$t/out.root" ||
		fail "run as root over nobody's store: $(cat "$t/err.root")"
	[ "$(ls "$t/r" | grep -c '^rollup-.*\.v1$')" -ge 30 ] ||
		fail "run as root: no rollups written"
	find "$t/r" -name 'rollup-*' ! -user nobody | grep -q . &&
		fail "run as root: rollups not given to the store's owner"
	ls -a "$t/r" | grep -q '^\.rollup' && fail "temporary rollup files left"
fi

# Prune deletes a day's rollup with its day file.
if [ -x "$ingest" ]; then
	old=$(ls "$t/a" | grep '^rollup-' | head -1)
	printf 'AllowRoot yes\nRetentionDays 30\nCompressAfterDays 0\n' >"$t/prune.conf"
	"$ingest" -c "$t/prune.conf" -d "$t/a" --prune >/dev/null 2>&1 ||
		fail "prune"
	[ -e "$t/a/$old" ] && fail "prune left $old"
fi
exit 0
