#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-milter-protocol.sh -- tlsrpt-milter against miltertest (OpenDKIM's Lua
# MTA simulator): the real daemon, no MTA. Every case is one miltertest
# conversation (milter-protocol.lua); the daemons are started once here,
# since mt.startfilter costs 5 s a script.
#
# Runs the suite with $TLSRPT_BUILD/tlsrpt-milter and, when it exists and
# is another build, again with build-asan/tlsrpt-milter (ASan + UBSan).
. "$TLSRPT_TOP/tests/scripts/lib.inc"

command -v miltertest >/dev/null 2>&1 || skip "miltertest is not installed"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
lua=$TLSRPT_TOP/tests/scripts/milter-protocol.lua
gen=$TLSRPT_TOP/tests/scripts/gen-report-mail.py
t=$(tmpdir)
# As root the daemons run as nobody (tlsrpt-milter refuses to parse mail
# as root): they must reach their stores.
[ "$(id -u)" -eq 0 ] && chmod 755 "$t"
pids=
failures=0

cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	wait
	rm -rf "$t"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# start BIN DIR NAME [CONFIG LINE...] -- start a daemon for cases of NAME.
start() {
	bin=$1 dir=$2 name=$3
	shift 3
	port=$(free_port) || fail "no free port"
	mkdir -p "$dir/$name.store"
	[ "$(id -u)" -eq 0 ] && chown nobody:nogroup "$dir/$name.store"
	{
		[ "$(id -u)" -eq 0 ] && echo "UserID nobody:nogroup"
		echo "Socket inet:$port@127.0.0.1"
		echo "StoreDirectory $dir/$name.store"
		echo "HostName mx.example.org"
		echo "Fsync none"
		echo "MaxMessageSize 64k"
		for line in "$@"; do
			echo "$line"
		done
	} >"$dir/$name.conf"
	"$bin" -f -c "$dir/$name.conf" >"$dir/$name.log" 2>&1 &
	echo $! >"$dir/$name.pid"
	pids="$pids $!"
	echo "$port" >"$dir/$name.port"
}

# case DIR NAME DESCRIPTION [-D var=value...] -- one conversation.
case_() {
	dir=$1 name=$2 desc=$3
	shift 3
	out=$(miltertest -D "sock=inet:$(cat "$dir/$name.port")@127.0.0.1" \
		"$@" -s "$lua" 2>&1)
	if [ "$out" = OK ]; then
		echo "ok - $desc"
	else
		echo "not ok - $desc: $out"
		failures=$((failures + 1))
	fi
}

# expect_ids DIR NAME ID... -- the store holds exactly these reports, one
# line each.
expect_ids() {
	dir=$1 name=$2
	shift 2
	got=$(cat "$dir/$name.store"/tlsrpt-*.jsonl 2>/dev/null |
		grep -o '"report-id": *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/' |
		sort | tr '\n' ' ')
	want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
	if [ "$got" = "$want" ]; then
		echo "ok - $name store holds exactly: $want"
	else
		echo "not ok - $name store holds \"$got\", want \"$want\""
		failures=$((failures + 1))
	fi
}

# expect_log DIR NAME PATTERN DESCRIPTION -- grep -E the daemon's log.
expect_log() {
	if grep -Eq "$3" "$1/$2.log"; then
		echo "ok - $4"
	else
		echo "not ok - $4: no /$3/ in $2.log"
		failures=$((failures + 1))
	fi
}

suite() {
	bin=$1 d=$2
	mkdir -p "$d"
	echo "# suite: $bin"
	m=$d/mail
	mkdir -p "$m"
	python3 "$gen" "$m" gzip gz 15 &&
		python3 "$gen" "$m" json js 2 &&
		python3 "$gen" "$m" text tx 1 &&
		python3 "$gen" "$m" broken bad 1 &&
		python3 "$gen" "$m" big big 1 || fail "cannot write test mails"

	start "$bin" "$d" main
	start "$bin" "$d" discard "Disposition discard"
	start "$bin" "$d" quar "Disposition quarantine" "AddHeader no"
	start "$bin" "$d" fail
	start "$bin" "$d" failok "OnStoreFailure accept"
	start "$bin" "$d" detect "DetectByHeaders yes" \
		"ReportAddresses rua@example.net"

	case_ "$d" main "ordinary mail is accepted at DATA, nothing crosses" \
		-D "msgs=$m/tx-1.eml" -D rcpt=someone@example.org \
		-D expect=data-accept
	case_ "$d" main "gzip report stored, header added" \
		-D "msgs=$m/gz-1.eml" -D qid=Q1A -D expect=continue \
		-D "header=stored Test Reporter gz-1"
	case_ "$d" main "plain JSON report stored" \
		-D "msgs=$m/js-1.eml" -D qid=Q2A -D expect=continue \
		-D "header=stored Test Reporter js-1"
	case_ "$d" main "the same report again is a duplicate" \
		-D "msgs=$m/gz-1.eml" -D qid=Q1B -D expect=continue \
		-D "header=duplicate Test Reporter gz-1"
	case_ "$d" main "oversized message delivered, not stored" \
		-D "msgs=$m/big-1.eml" -D qid=Q3A -D expect=continue \
		-D "header=not stored: too large"
	case_ "$d" main "abort mid-body, then the message again" \
		-D "msgs=$m/gz-2.eml" -D qid=Q4A -D abort=300 -D chunks=100 \
		-D expect=continue -D "header=stored Test Reporter gz-2"
	case_ "$d" main "two messages on one connection" \
		-D "msgs=$m/gz-3.eml,$m/js-2.eml" -D qid=Q5A -D expect=continue \
		-D "header=stored Test Reporter"
	case_ "$d" main "MTA that cannot skip MAIL: abort, then stored" \
		-D mail=yes -D "msgs=$m/gz-12.eml" -D qid=Q5B -D abort=300 \
		-D chunks=100 -D expect=continue \
		-D "header=stored Test Reporter gz-12"
	case_ "$d" main "body split at odd chunk boundaries" \
		-D "msgs=$m/gz-4.eml" -D qid=Q6A -D chunks=1,7,13,2,501,3 \
		-D expect=continue -D "header=stored Test Reporter gz-4"
	case_ "$d" main "no queue id: stored all the same" \
		-D "msgs=$m/gz-5.eml" -D expect=continue \
		-D "header=stored Test Reporter gz-5"
	case_ "$d" main "recipient matched case-insensitively" \
		-D "msgs=$m/gz-6.eml" -D rcpt=TLSRPT@Example.ORG -D qid=Q7A \
		-D expect=continue -D "header=stored Test Reporter gz-6"
	case_ "$d" main "no report in mail to the report address" \
		-D "msgs=$m/tx-1.eml" -D qid=Q8A -D expect=continue \
		-D "header=not stored: not a report"
	case_ "$d" main "broken report delivered with the reason" \
		-D "msgs=$m/bad-1.eml" -D qid=Q9A -D expect=continue \
		-D "header=not stored: invalid report"
	case_ "$d" discard "Disposition discard" \
		-D "msgs=$m/gz-7.eml" -D qid=QDA -D expect=discard -D delrcpt=
	# Issue 15, case 9: no recipient loses mail, relayed mail is not ours.
	case_ "$d" discard "discard: another recipient keeps the message" \
		-D "msgs=$m/gz-13.eml" -D rcpt=tlsrpt@example.org,ops@example.org \
		-D qid=QDB -D expect=continue \
		-D "delrcpt=<tlsrpt@example.org>" \
		-D "header=stored Test Reporter gz-13"
	case_ "$d" discard "discard: relayed tlsrpt@customer.example untouched" \
		-D "msgs=$m/gz-14.eml" -D rcpt=tlsrpt@customer.example \
		-D expect=data-accept
	case_ "$d" quar "quarantine: another recipient keeps the message" \
		-D "msgs=$m/gz-15.eml" -D rcpt=ops@example.org,tlsrpt@example.org \
		-D qid=QQB -D expect=continue -D header= \
		-D "delrcpt=<tlsrpt@example.org>"
	case_ "$d" quar "Disposition quarantine (AddHeader no)" \
		-D "msgs=$m/gz-8.eml" -D qid=QQA -D expect=continue -D header= \
		-D quarantine=yes
	case_ "$d" detect "DetectByHeaders: report to another address stored" \
		-D "msgs=$m/gz-9.eml" -D rcpt=other@example.org -D qid=QHA \
		-D expect=continue -D "header=stored Test Reporter gz-9"
	case_ "$d" detect "DetectByHeaders: ordinary mail accepted at EOH" \
		-D "msgs=$m/tx-1.eml" -D rcpt=other@example.org \
		-D expect=eoh-accept

	# The store goes away under running daemons: a file where the
	# directory was.
	rm -rf "$d/fail.store" "$d/failok.store"
	echo "not a directory" >"$d/fail.store"
	echo "not a directory" >"$d/failok.store"
	case_ "$d" fail "store failure: tempfail, the sender retries" \
		-D "msgs=$m/gz-10.eml" -D qid=QFA -D expect=tempfail
	case_ "$d" failok "store failure with OnStoreFailure accept" \
		-D "msgs=$m/gz-11.eml" -D qid=QFB -D expect=continue \
		-D "header=not stored: store failure"

	expect_ids "$d" main gz-1 js-1 gz-2 gz-3 js-2 gz-12 gz-4 gz-5 gz-6
	expect_ids "$d" discard gz-7 gz-13
	expect_ids "$d" quar gz-8 gz-15
	expect_ids "$d" detect gz-9
	expect_log "$d" main '^[^ ]+ info: Q1A: stored report: org="Test Reporter" id="gz-1" domains=example.org success=120 failure=3 dkim=none$' \
		"INFO line per stored report, queue id first"
	expect_log "$d" main 'info: Q1B: duplicate report: .*id="gz-1"' \
		"duplicate logged"
	expect_log "$d" main 'info: NOQUEUE: stored report: .*id="gz-5"' \
		"missing queue id logged as NOQUEUE"
	expect_log "$d" main 'notice: Q3A: not stored: too large: ' \
		"oversized message logged"
	expect_log "$d" main 'notice: Q9A: invalid report: .*\.json\.gz: ' \
		"parser error logged at NOTICE with the part"
	expect_log "$d" fail 'error: QFA: report not stored, asking the sender to retry' \
		"store failure logged at ERR"
	expect_log "$d" discard 'info: QDB: report recipients removed: 1 \(Disposition discard\); delivered to the 1 other recipient$' \
		"partial discard logged"
	expect_log "$d" main 'info: domains: example.org \(from HostName mx.example.org\); report addresses: tlsrpt@example.org$' \
		"domains and report addresses logged at start-up"
	if grep -q 'Q1A' "$d/main.store"/tlsrpt-*.jsonl &&
		! grep -q 'NOQUEUE' "$d/main.store"/tlsrpt-*.jsonl; then
		echo "ok - queue id recorded in the store"
	else
		echo "not ok - queue id not recorded as expected"
		failures=$((failures + 1))
	fi

	# SIGTERM ends every daemon cleanly (libmilter takes ~5 s).
	for name in main discard quar fail failok detect; do
		kill -TERM "$(cat "$d/$name.pid")"
	done
	for name in main discard quar fail failok detect; do
		if wait "$(cat "$d/$name.pid")"; then
			:
		else
			echo "not ok - $name daemon exited $? after SIGTERM"
			failures=$((failures + 1))
		fi
		if grep -Eq 'Sanitizer|runtime error' "$d/$name.log"; then
			echo "not ok - sanitizer report in $name.log:"
			cat "$d/$name.log"
			failures=$((failures + 1))
		fi
	done
	pids=
	echo "ok - daemons stopped"
}

[ -x "$TLSRPT_BUILD/tlsrpt-milter" ] || fail "no $TLSRPT_BUILD/tlsrpt-milter"
suite "$TLSRPT_BUILD/tlsrpt-milter" "$t/plain"
asan=$TLSRPT_TOP/build-asan/tlsrpt-milter
case $TLSRPT_BUILD in
*-asan) ;;
*)
	if [ -x "$asan" ]; then
		suite "$asan" "$t/asan"
	else
		echo "# no build-asan/tlsrpt-milter: sanitizer run skipped"
	fi
	;;
esac
[ "$failures" -eq 0 ] || fail "$failures protocol checks failed"
