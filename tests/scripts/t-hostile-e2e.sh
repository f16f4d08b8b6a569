#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-hostile-e2e.sh -- the bad input catalogue (tests/hostile/cases.tsv)
# through the real milter in a throwaway Postfix: gzip bombs, broken gzip,
# zip, hostile JSON, lying content types, broken MIME, nesting loops, 100
# attachments, an oversized message, header floods, report fields that
# look like paths, shell words and format strings... For every case: the
# milter stays up (same pid), its peak memory stays under 200 MB (VmHWM),
# the message is delivered with the X-TLSRPT-Milter header the table says,
# the milter logs the table's line for its queue id (NOTICE for rejected
# input), and the store holds exactly what the table says, nothing more.
#
# HOSTILE_ONLY="name ..." runs only those cases (for debugging).
. "$TLSRPT_TOP/tests/scripts/lib.inc"

need_private_postfix
send=$TLSRPT_TOP/tests/scripts/smtp-send.py
gen=$TLSRPT_TOP/tests/hostile/make-hostile.py
table=$TLSRPT_TOP/tests/hostile/cases.tsv
peak_limit_kb=$((200 * 1024))

t=$(mktemp -d /tmp/pf.XXXXXX) || fail "mktemp"
. "$TLSRPT_TOP/scripts/postfix-sandbox.inc"
trap sandbox_cleanup EXIT
trap 'exit 2' INT TERM
start_s=$(date +%s)

# The table and the generator list the same cases.
grep -v '^#' "$table" | cut -f1 | grep . | sort >"$t/table.names"
python3 "$gen" --list | sort >"$t/gen.names" || fail "make-hostile.py --list"
diff -u "$t/table.names" "$t/gen.names" >&2 ||
	fail "cases.tsv and make-hostile.py list different cases"
names=$(echo ${HOSTILE_ONLY:-$(cat "$t/table.names")})
n_cases=$(echo "$names" | wc -w)
[ -n "${HOSTILE_ONLY:-}" ] || [ "$n_cases" -ge 40 ] ||
	fail "only $n_cases cases in the catalogue, want at least 40"

sandbox_setup
mkdir -p "$t/hostile"
# shellcheck disable=SC2086
python3 "$gen" "$t/hostile" $names || fail "cannot write the hostile mails"
echo "# $n_cases cases, $(du -sk "$t/hostile" | cut -f1) KiB of mail"

start_milter "MaxMessageSize 2M" "MaxReportSize 8M" "MaxInflateRatio 200"
sandbox_start
pid=$milter_pid

mem() { # mem FIELD -- kB from the milter's /proc status
	awk -v f="$1:" '$1 == f {print $2}' "/proc/$pid/status"
}
rss0=$(mem VmRSS)
hwm0=$(mem VmHWM)

# valid-control first, alone: the duplicate case must come after it.
files=
for n in $names; do
	[ "$n" = valid-control ] && continue
	files="$files $t/hostile/$n.eml"
done
if echo " $names " | grep -q ' valid-control '; then
	python3 "$send" "$smtp_port" 1 tlsrpt@example.org \
		"$t/hostile/valid-control.eml" >/dev/null ||
		fail "valid-control not accepted"
	wait_delivered 1
fi
# shellcheck disable=SC2086
python3 "$send" "$smtp_port" 4 tlsrpt@example.org $files >"$t/send.out" 2>&1 ||
	fail "some hostile mail was refused: $(cat "$t/send.out")"
i=0
while [ "$(delivered)" -lt "$n_cases" ] && [ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
if [ "$(delivered)" -ne "$n_cases" ]; then
	for n in $names; do
		grep -aqs "^Message-ID: <$n@hostile.test>" "$t/mail/inbox/new/"* ||
			echo "# not delivered: $n"
	done
	postqueue -c "$t/etc" -p
	grep -E 'error|warning' "$t/milter.log" | head
	fail "$(delivered) messages delivered, want $n_cases"
fi
kill -0 "$pid" 2>/dev/null || fail "the milter died: $(tail -20 "$t/milter.log")"
[ "$pid" = "$milter_pid" ] || fail "the milter was restarted"
rss1=$(mem VmRSS)
hwm1=$(mem VmHWM)
echo "# milter pid $pid: VmRSS ${rss0} kB before, ${rss1} kB after; peak (VmHWM) ${hwm0} kB before, ${hwm1} kB after"
[ "$hwm1" -le "$peak_limit_kb" ] ||
	fail "milter peak memory ${hwm1} kB is over ${peak_limit_kb} kB"

# Index the deliveries by Message-ID and the queue ids from Postfix's log.
for f in "$t/mail/inbox/new/"*; do
	id=$(grep -a -m1 -i '^Message-ID: <[^@]*@hostile.test>' "$f" |
		sed 's/.*<\([^@]*\)@.*/\1/')
	[ -n "$id" ] && ln -s "$f" "$t/by-id.$id"
done

failures=0
bad() {
	echo "not ok - $1: $2"
	failures=$((failures + 1))
}
total_stored=0
tab=$(printf '\t')
while IFS=$tab read -r name outcome nstored header logline why; do
	case $name in '' | '#'*) continue ;; esac
	echo " $names " | grep -q " $name " || continue
	f=$t/by-id.$name
	if [ ! -e "$f" ]; then
		bad "$name" "not delivered"
		continue
	fi
	qid=$(grep "postfix/cleanup.*: message-id=<$name@hostile.test>" "$t/maillog" |
		head -1 | sed 's/.*: \([0-9A-F]*\): message-id=.*/\1/')
	[ -n "$qid" ] || { bad "$name" "no queue id in the maillog"; continue; }
	got=$(grep -a -i '^X-TLSRPT-Milter:' "$f" | head -5 | tr '\n' ' ')
	n=$(grep -a -ci '^X-TLSRPT-Milter:' "$f")
	[ "$n" -eq 1 ] || bad "$name" "$n X-TLSRPT-Milter headers: $got"
	case $got in
	*"X-TLSRPT-Milter: $outcome"*"$header"*) ;;
	*) bad "$name" "header is \"$got\", want \"$outcome...$header\"" ;;
	esac
	level=${logline%%: *}
	grep -F "$level: $qid: " "$t/milter.log" | grep -qF -- "${logline#*: }" ||
		bad "$name" "no \"$level: $qid: ...${logline#*: }\" in the milter log: $(grep -F "$qid: " "$t/milter.log" | head -3)"
	got_n=$(cat "$t/store"/tlsrpt-*.jsonl 2>/dev/null |
		grep -F "\"queue-id\":\"$qid\"" |
		python3 -c 'import json, sys
print(len({(r["organization-name"], r["report-id"], r["report-digest"]) for r in map(json.loads, sys.stdin)}))')
	[ "$got_n" = "$nstored" ] ||
		bad "$name" "$got_n reports stored under $qid, want $nstored"
	total_stored=$((total_stored + nstored))
	[ -n "${HOSTILE_VERBOSE:-}" ] && echo "ok - $name ($why)"
done <"$table"

# Nothing else in the store; every line is whole, valid JSON.
all=$(cat "$t/store"/tlsrpt-*.jsonl 2>/dev/null | python3 -c 'import json, sys
print(len({(r["organization-name"], r["report-id"], r["report-digest"]) for r in map(json.loads, sys.stdin)}))') ||
	bad store "a line of the store is not JSON"
[ "$all" = "$total_stored" ] ||
	bad store "$all reports in the store, the table says $total_stored"
# Report fields are data: no file, no command came of them.
ls /tmp/hostile-* >/dev/null 2>&1 && bad security "a report field became a file: $(ls -d /tmp/hostile-*)"
[ "$(find "$t/store" -type f | grep -Evc '/(tlsrpt-[0-9-]*\.jsonl|tlsrpt\.index|tlsrpt\.lock)$')" -eq 0 ] ||
	bad security "unexpected files in the store: $(ls "$t/store")"
grep -q "$(printf '[\r\033]')" "$t/milter.log" &&
	bad security "control characters reached the log"
grep -Eq 'error:|Sanitizer|runtime error' "$t/milter.log" &&
	bad log "errors in the milter log: $(grep -E 'error:|Sanitizer' "$t/milter.log" | head -5)"

# The conflict is shown by tlsrpt-summary with both versions; neither is
# DKIM-authenticated as the reporter's domain, so neither counts.
if echo " $names " | grep -q ' conflict-of-control ' &&
	echo " $names " | grep -q ' valid-control '; then
	printf 'hostile.test\tHostile Reporter\n' >"$t/known"
	"$TLSRPT_BUILD/tlsrpt-summary" -d "$t/store" \
		--since 30d --known-reporters "$t/known" --format json >"$t/sum.json"
	python3 - "$t/sum.json" <<'PY' || bad summary "conflict not shown as one: $(head -c 600 "$t/sum.json")"
import json, sys
d = json.load(open(sys.argv[1]))
c = [x for x in d["conflicts"] if x["report-id"] == "valid-control"]
assert len(c) == 1 and len(c[0]["versions"]) == 2, c
assert not c[0]["counted"], c
assert d["problems"]["conflicting-report-ids"] >= 1
PY
fi

[ "$failures" -eq 0 ] || fail "$failures hostile-input checks failed"
echo "ok - $n_cases hostile messages: milter up (pid $pid), peak ${hwm1} kB, every one delivered with its reason, $total_stored reports stored as the table says ($(($(date +%s) - start_s)) s)"
