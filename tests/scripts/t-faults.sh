#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-faults.sh -- faults around the real milter in a throwaway Postfix, with
# a sender that retries like a real MTA (smtp-send-retry.py). Postfix runs
# the milter with default_action=tempfail here, so a milter that is down
# or killed defers mail instead of passing reports unstored.
#
#   1. store directory read-only (the milter runs as nobody, so modes bite)
#   2. store full (a 64 KiB tmpfs; skipped when mount is not allowed)
#   3. store directory deleted while running
#   4. kill -9 of the milter during writes, 20 times
#   5. Postfix restarted mid-delivery
#   6. two milters on one store (each message passes both)
#
# Each: tempfail while the fault lasts, then the sender's retry stores the
# report -- no report lost, none stored twice, every store line whole JSON.
# Clock jumps across midnight are covered by the store's unit tests with
# an injected clock (check_store.c: test_rotation_and_gz,
# test_dedup_window_restart_lost_index), not repeated here.
. "$TLSRPT_TOP/tests/scripts/lib.inc"

need_private_postfix
gen=$TLSRPT_TOP/tests/scripts/gen-report-mail.py
rsend=$TLSRPT_TOP/tests/scripts/smtp-send-retry.py

t=$(mktemp -d /tmp/pf.XXXXXX) || fail "mktemp"
. "$TLSRPT_TOP/scripts/postfix-sandbox.inc"
pid2=
cleanup() {
	[ -n "$pid2" ] && kill -KILL "$pid2" 2>/dev/null
	mountpoint -q "$t/store" 2>/dev/null && umount "$t/store"
	sandbox_cleanup
}
trap cleanup EXIT
trap 'exit 2' INT TERM

sandbox_setup
sed -i 's/default_action=accept/default_action=tempfail/' "$t/etc/main.cf"
cat >>"$t/etc/main.cf" <<EOF
default_process_limit = 100
milter_connect_timeout = 5s
EOF
for p in ro full gone kill restart two; do
	python3 "$gen" "$t/mails" gzip "$p" 40 || fail "cannot write test mails"
done
start_milter "Fsync report"
sandbox_start

# check_store PREFIX N [FROM] -- the store holds reports PREFIX-FROM..N
# once each (FROM: 1), and every line of every day file is whole JSON.
check_store() {
	python3 - "$t/store" "$1" "$2" "${3:-1}" <<'EOF' || fail "store check for $1 failed"
import collections, glob, json, sys
d, prefix, n, first = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
seen = collections.Counter()
for f in glob.glob(d + "/tlsrpt-*.jsonl"):
    with open(f, "rb") as fh:
        for i, line in enumerate(fh, 1):
            if not line.endswith(b"\n"):
                sys.exit("%s:%d: partial line" % (f, i))
            r = json.loads(line)
            if r["report-id"].startswith(prefix + "-"):
                seen[r["report-id"]] += 1
want = {"%s-%d" % (prefix, i) for i in range(first, n + 1)}
missing = want - set(seen)
dup = [k for k, v in seen.items() if v > 1]
if missing or dup or set(seen) - want:
    sys.exit("missing %s, twice %s" % (sorted(missing)[:5], dup[:5]))
EOF
}

files() { # files PREFIX FROM TO
	i=$2
	while [ "$i" -le "$3" ]; do
		echo "$t/mails/$1-$i.eml"
		i=$((i + 1))
	done
}

# fault_run NAME BREAK REPAIR -- send NAME-1..40 with retries; BREAK
# before, REPAIR once the milter has tempfailed for a second or so.
fault_run() {
	name=$1
	python3 "$rsend" "$smtp_port" 2 tlsrpt@example.org 5 $(files "$name" 1 5) >/dev/null ||
		fail "$name: sending before the fault failed"
	eval "$2"
	python3 "$rsend" "$smtp_port" 4 tlsrpt@example.org 60 $(files "$name" 6 40) \
		>"$t/$name.out" 2>&1 &
	s=$!
	i=0
	until grep -q "report not stored, asking the sender to retry" "$t/milter.log" ||
		[ $i -ge 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	n_err=$(grep -c 'report not stored, asking the sender to retry' "$t/milter.log")
	[ "$n_err" -gt 0 ] || fail "$name: the milter never tempfailed: $(tail -5 "$t/milter.log")"
	sleep 1
	eval "$3"
	wait "$s" || fail "$name: not every report was accepted: $(cat "$t/$name.out")"
	check_store "$name" 40 "${4:-1}"
	kill -0 "$milter_pid" || fail "$name: the milter died"
	echo "ok - $name: tempfailed $(grep -c "asking the sender to retry" "$t/milter.log") times while broken, then all 40 stored once; $(cat "$t/$name.out")"
	cat "$t/milter.log" >>"$t/milter.log.all"
	: >"$t/milter.log"
}

# 1. Read-only: the milter is nobody, so mode 0555 is a real wall.
fault_run ro \
	'chmod 0555 "$t/store"; chmod 0444 "$t/store"/*' \
	'chmod 0640 "$t/store"/*; chmod 0750 "$t/store"'
grep -q 'error: .*Permission denied' "$t/milter.log.all" ||
	fail "ro: no ERR line naming the cause"

# 2. Full: the store on a 64 KiB tmpfs, filled up while the milter runs.
if mount -t tmpfs -o size=64k,mode=0750,uid=65534,gid=65534 tmpfs "$t/store" 2>/dev/null; then
	stop_milter KILL
	start_milter "Fsync report"
	fault_run full \
		'dd if=/dev/zero of="$t/store/filler" bs=4k 2>/dev/null; sync' \
		'rm -f "$t/store/filler"'
	grep -q 'No space left on device' "$t/milter.log.all" ||
		fail "full: no ERR line saying the disk is full"
	stop_milter KILL
	umount "$t/store"
	start_milter "Fsync report"
else
	echo "# no tmpfs mount here: store full not tested"
fi

# 3. Deleted: the whole store directory goes away under the milter (the
# five reports stored before go with it: the administrator's doing). The
# milter (nobody) cannot make it again in the root-owned parent, so every
# report is tempfailed, naming the directory; once the postmaster makes it
# again, the store notices the new directory at the next append and the
# senders' retries are stored there by the SAME milter, no restart.
gone_pid=$milter_pid
fault_run gone \
	'rm -rf "$t/store"' \
	'mkdir -m 0750 "$t/store"; chown nobody:nogroup "$t/store"' 6
[ "$milter_pid" = "$gone_pid" ] || fail "gone: the milter was restarted"
grep -q "error: .*$t/store: cannot create the store directory: Permission denied" \
	"$t/milter.log.all" || fail "gone: no ERR line naming the directory"

# 4. kill -9 during writes, 20 times, while 40 reports keep coming.
python3 "$rsend" "$smtp_port" 4 tlsrpt@example.org 90 $(files kill 1 40) \
	>"$t/kill.out" 2>&1 &
s=$!
k=0
while [ $k -lt 20 ]; do
	sleep 0.$((k % 3 + 1))
	kill -KILL "$milter_pid"
	wait "$milter_pid" 2>/dev/null
	milter_pid=
	start_milter "Fsync report"
	k=$((k + 1))
done
wait "$s" || fail "kill: not every report was accepted: $(cat "$t/kill.out")"
check_store kill 40
echo "ok - kill -9 x20 during writes: all 40 stored once, no partial line; $(cat "$t/kill.out")"

# 5. Postfix restarted while 40 reports are on their way.
python3 "$rsend" "$smtp_port" 4 tlsrpt@example.org 90 $(files restart 1 40) \
	>"$t/restart.out" 2>&1 &
s=$!
sleep 0.5
postfix -c "$t/etc" stop >/dev/null 2>&1
i=0
while postfix -c "$t/etc" status >/dev/null 2>&1 && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
sandbox_start
wait "$s" || fail "restart: not every report was accepted: $(cat "$t/restart.out")"
postqueue -c "$t/etc" -f
wait_queue_empty
check_store restart 40
echo "ok - Postfix restarted mid-delivery: all 40 stored once; $(cat "$t/restart.out")"

# 6. Two milters on one store: every message passes both, in turn; the
# second finds each report already there (cross-process de-duplication
# under the store lock).
port2=$(free_port)
sed "s/^Socket .*/Socket inet:$port2@127.0.0.1/" "$t/milter.conf" >"$t/milter2.conf"
"$bin" -f -c "$t/milter2.conf" >"$t/milter2.log" 2>&1 &
pid2=$!
sed -i "s/^smtpd_milters = .*/smtpd_milters = { inet:127.0.0.1:$milter_port, default_action=tempfail }, { inet:127.0.0.1:$port2, default_action=tempfail }/" \
	"$t/etc/main.cf"
postfix -c "$t/etc" reload >/dev/null 2>&1
sleep 1
python3 "$rsend" "$smtp_port" 8 tlsrpt@example.org 60 $(files two 1 40) >"$t/two.out" 2>&1 ||
	fail "two: not every report was accepted: $(cat "$t/two.out")"
check_store two 40
d1=$(grep -c 'duplicate report: org="Test Reporter" id="two-' "$t/milter.log")
d2=$(grep -c 'duplicate report: org="Test Reporter" id="two-' "$t/milter2.log")
[ $((d1 + d2)) -ge 40 ] || fail "two: $((d1 + d2)) duplicates seen, want 40 (one per message)"
echo "ok - two milters on one store: 40 stored once, the second saw $((d1 + d2)) duplicates"

# Nothing else is in the store, and tlsrpt-summary reads it all.
# (ro's reports went with the deleted directory; full's with the tmpfs.)
check_store gone 40 6
check_store kill 40
if [ -x "$TLSRPT_BUILD/tlsrpt-summary" ]; then
	"$TLSRPT_BUILD/tlsrpt-summary" -d "$t/store" --format json >"$t/summary.json" 2>"$t/summary.err"
	[ $? -le 1 ] || fail "tlsrpt-summary failed: $(cat "$t/summary.err")"
	grep -qi 'damaged\|skipped' "$t/summary.err" &&
		fail "tlsrpt-summary found damaged lines: $(cat "$t/summary.err")"
fi
exit 0
