#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-load.sh -- load through the real milter in a throwaway Postfix: report
# mails from 50 parallel SMTP sessions mixed with ordinary mail from 10
# more, at the same time. Every report is stored exactly once, every
# message is delivered, the milter's memory stays flat (VmRSS sampled
# every half second; printed with the throughput).
#
# `make check` runs 200 reports + 1,000 ordinary messages; `make soak`
# runs LOAD_REPORTS=2000 LOAD_ORDINARY=10000.
. "$TLSRPT_TOP/tests/scripts/lib.inc"

need_private_postfix
gen=$TLSRPT_TOP/tests/scripts/gen-report-mail.py
send=$TLSRPT_TOP/tests/scripts/smtp-send.py
reports=${LOAD_REPORTS:-200}
ordinary=${LOAD_ORDINARY:-1000}
total=$((reports + ordinary))
# Growth of VmRSS from the first sample under load to the last one.
growth_limit_kb=${LOAD_GROWTH_KB:-32768}
peak_limit_kb=$((200 * 1024))

t=$(mktemp -d /tmp/pf.XXXXXX) || fail "mktemp"
. "$TLSRPT_TOP/scripts/postfix-sandbox.inc"
sampler=
trap '[ -n "$sampler" ] && kill "$sampler" 2>/dev/null; sandbox_cleanup' EXIT
trap 'exit 2' INT TERM

sandbox_setup
# Many SMTP sessions at once: room for them, and no slow-down.
cat >>"$t/etc/main.cf" <<EOF
default_process_limit = 200
smtpd_client_connection_count_limit = 0
smtpd_client_connection_rate_limit = 0
smtpd_client_message_rate_limit = 0
EOF
python3 "$gen" "$t/mails" gzip load "$reports" &&
	python3 "$gen" "$t/mails" text plain 1 || fail "cannot write test mails"
start_milter "Fsync none"
sandbox_start
pid=$milter_pid

rss() { awk '$1 == "VmRSS:" {print $2}' "/proc/$pid/status"; }
rss0=$(rss)
(
	while kill -0 "$pid" 2>/dev/null; do
		awk '$1 == "VmRSS:" {print $2}' "/proc/$pid/status"
		sleep 0.5
	done
) >"$t/rss" 2>/dev/null &
sampler=$!

start=$(date +%s.%N)
python3 "$send" "$smtp_port" 50 tlsrpt@example.org "$t/mails"/load-*.eml \
	>"$t/send-reports.out" 2>&1 &
sr=$!
# The ordinary mail: one file, sent $ordinary times.
python3 -c 'import sys; print("\n".join([sys.argv[1]] * int(sys.argv[2])))' \
	"$t/mails/plain-1.eml" "$ordinary" >"$t/ordinary.list"
# shellcheck disable=SC2046
python3 "$send" "$smtp_port" 10 someone@example.org $(cat "$t/ordinary.list") \
	>"$t/send-ordinary.out" 2>&1 &
so=$!
wait "$sr" || fail "report sessions failed: $(tail -5 "$t/send-reports.out")"
wait "$so" || fail "ordinary sessions failed: $(tail -5 "$t/send-ordinary.out")"
sent_s=$(date +%s.%N)
i=0
while [ "$(delivered)" -lt "$total" ] && [ $i -lt 3000 ]; do
	sleep 0.1
	i=$((i + 1))
done
done_s=$(date +%s.%N)
kill "$sampler" 2>/dev/null
wait "$sampler" 2>/dev/null
sampler=
kill -0 "$pid" 2>/dev/null || fail "the milter died: $(tail -20 "$t/milter.log")"
[ "$(delivered)" -eq "$total" ] ||
	fail "$(delivered) messages delivered, want $total: $(postqueue -c "$t/etc" -p | tail -3)"

lines=$(cat "$t/store"/tlsrpt-*.jsonl | grep -c '"report-id":"load-')
ids=$(cat "$t/store"/tlsrpt-*.jsonl | grep -o '"report-id":"load-[0-9]*"' | sort -u | wc -l)
[ "$ids" -eq "$reports" ] || fail "$ids distinct reports stored, want $reports"
[ "$lines" -eq "$reports" ] || fail "$lines report lines stored for $reports reports (duplicates?)"
python3 -c 'import json, sys
for line in sys.stdin:
    json.loads(line)' <"$(ls "$t/store"/tlsrpt-*.jsonl | head -1)" ||
	fail "a store line is not JSON"
n_rep=$(grep -l 'X-TLSRPT-Milter: stored Test Reporter load-' "$t/mail/inbox/new/"* | wc -l)
[ "$n_rep" -eq "$reports" ] || fail "$n_rep delivered reports carry the stored header, want $reports"
grep -q 'error:' "$t/milter.log" && fail "errors in the milter log: $(grep error: "$t/milter.log" | head -3)"

hwm=$(awk '$1 == "VmHWM:" {print $2}' "/proc/$pid/status")
first=$(sed -n 2p "$t/rss")
[ -n "$first" ] || first=$rss0
last=$(rss)
max=$(sort -n "$t/rss" | tail -1)
n_samples=$(wc -l <"$t/rss")
awk -v r="$reports" -v o="$ordinary" -v a="$start" -v b="$sent_s" -v c="$done_s" \
	'BEGIN { printf "# %d reports + %d ordinary: sent in %.1f s, all delivered after %.1f s: %.0f messages/s, %.0f reports/s\n", r, o, b - a, c - a, (r + o) / (c - a), r / (c - a) }'
echo "# milter VmRSS: ${rss0} kB idle, ${first} kB at the first sample under load, max ${max} kB over $n_samples samples, ${last} kB at the end; VmHWM ${hwm} kB"
[ "$hwm" -le "$peak_limit_kb" ] || fail "peak memory ${hwm} kB over ${peak_limit_kb} kB"
[ $((last - first)) -le "$growth_limit_kb" ] ||
	fail "memory grew by $((last - first)) kB under load (limit $growth_limit_kb kB)"
echo "ok - $reports reports stored exactly once, $total messages delivered, memory flat"
