#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-sendmail-e2e.sh -- tlsrpt-milter in a real, private Sendmail 8.17 on
# 127.0.0.1, as t-postfix-e2e.sh does with Postfix. Debian's sendmail-bin
# conflicts with postfix, so nothing is installed: the .debs are downloaded
# once (apt-get download) and unpacked into a cache directory, and
# Sendmail runs from there in the foreground (-bD) with a sendmail.cf
# built by m4 from an .mc that includes contrib/sendmail.mc.snippet (only
# the port changed), so the shipped snippet is the one proven here. See
# ../shared/TOOLCHAIN.md, "A private, real Sendmail".
#
# Checked: report mails (the bundled samples, generated ones) are stored
# once (a second delivery of the same report is a duplicate), delivered
# with a header (a forged one removed), discarded or quarantined (and
# released) as configured; the queue id in the milter's log and the store
# is Sendmail's own message's, also when Sendmail's macro lists leave it
# out (the milter asks for it); ordinary mail is accepted at DATA, never
# buffered, and arrives untouched; with the milter down, mail is
# delivered without it; back up, reports are stored again.
# About 12 s (5 of them libmilter's stop), plus ~1 s for the download.
#
# The cache: $TLSRPT_SENDMAIL_CACHE, else /var/cache/tlsrpt-test/sendmail
# (not under /tmp: each run's files live in it, and Sendmail refuses files
# below a world-writable directory). TLSRPT_KEEP=1 keeps a run's files.
. "$TLSRPT_TOP/tests/scripts/lib.inc"

[ "$(id -u)" -eq 0 ] || skip "needs root to run a private Sendmail"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
command -v dpkg-deb >/dev/null 2>&1 || skip "dpkg-deb is not installed"
command -v apt-get >/dev/null 2>&1 ||
	skip "no apt-get to download the Sendmail .debs (not Debian?)"
id nobody >/dev/null 2>&1 || skip "no nobody user"
bin=$TLSRPT_BUILD/tlsrpt-milter
[ -x "$bin" ] || fail "no $bin"
cc=${CC:-cc}
command -v "$cc" >/dev/null 2>&1 || fail "no C compiler ($cc) for the syslog preload"
gen=$TLSRPT_TOP/tests/scripts/gen-report-mail.py
send=$TLSRPT_TOP/tests/scripts/smtp-send.py
snippet=$TLSRPT_TOP/contrib/sendmail.mc.snippet
[ -f "$snippet" ] || fail "no $snippet"

# -- The unpacked Sendmail, downloaded once --------------------------------
cache=${TLSRPT_SENDMAIL_CACHE:-/var/cache/tlsrpt-test/sendmail}
root=$cache/root
sm=$root/usr/libexec/sendmail/sendmail
m4=$root/usr/bin/m4
cfdir=$root/usr/share/sendmail/cf
fetch_sendmail() {
	mkdir -p "$cache" || fail "cannot create the cache $cache"
	exec 9>"$cache/.lock"
	# Two test runs at once (plain and sanitizer builds) unpack once.
	command -v flock >/dev/null 2>&1 && flock 9
	if [ -x "$sm" ] && [ -x "$m4" ] && [ -f "$cfdir/m4/cf.m4" ]; then
		exec 9>&-
		return 0
	fi
	dl=$(mktemp -d "$cache/dl.XXXXXX") || fail "mktemp in $cache"
	# _apt must be able to write there, or apt warns and works unsandboxed.
	chmod 755 "$dl"
	chown _apt "$dl" 2>/dev/null
	if ! (cd "$dl" && apt-get download -q sendmail-bin sendmail-base \
		sendmail-cf libwrap0 liblockfile1 m4) >"$dl/apt.log" 2>&1; then
		msg=$(tail -3 "$dl/apt.log")
		rm -rf "$dl"
		skip "cannot download the Sendmail .debs (no apt archive?): $msg"
	fi
	mkdir "$dl/root"
	for deb in "$dl"/*.deb; do
		dpkg-deb -x "$deb" "$dl/root" || fail "cannot unpack $deb"
	done
	# Set-group-id, glibc would ignore LD_LIBRARY_PATH (libwrap0 is only
	# here) and LD_PRELOAD.
	chmod g-s "$dl/root/usr/libexec/sendmail/sendmail"
	rm -rf "$root"
	mv "$dl/root" "$root" || fail "cannot move the unpacked Sendmail into $cache"
	for deb in "$dl"/*.deb; do
		echo "${deb##*/}"
	done >"$cache/debs.txt"
	rm -rf "$dl"
	exec 9>&-
}
fetch_sendmail
[ -x "$sm" ] || fail "no Sendmail binary in $root"
libdir=$(dirname "$(find "$root" -name 'libwrap.so.0' | head -1)")

# -- The private instance --------------------------------------------------
# In the cache: Sendmail refuses files below a world-writable directory
# such as /tmp. Runs killed too hard to clean up are removed later.
find "$cache" -maxdepth 1 -name 'run.*' -mmin +120 -exec rm -rf {} + 2>/dev/null
t=$(mktemp -d "$cache/run.XXXXXX") || fail "mktemp in $cache"
sm_pids=
milter_pid=
cleanup() {
	[ -n "$milter_pid" ] && kill -KILL "$milter_pid" 2>/dev/null
	for p in $sm_pids; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $milter_pid $sm_pids; do
		wait "$p" 2>/dev/null
	done
	# TLSRPT_KEEP=1 keeps the logs, the queue and the mail for a look.
	if [ -n "${TLSRPT_KEEP:-}" ]; then
		echo "kept: $t" >&2
	else
		rm -rf "$t"
	fi
}
trap cleanup EXIT
trap 'exit 2' INT TERM

free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}
smtp_port=$(free_port)
milter_port=$(free_port)
# The milter runs as nobody: the store and the path to it must let it in.
chmod 755 "$t"
mkdir -p "$t/etc" "$t/mail" "$t/store" "$t/mails" || fail "mkdir"
chown nobody:nogroup "$t/store"
chmod 750 "$t/store"

"$cc" -shared -fPIC -O2 -o "$t/preload.so" \
	"$TLSRPT_TOP/tests/scripts/sendmail-preload.c" ||
	fail "cannot build the syslog preload library"

# The local mailer: one file per message in $t/mail, named after its
# recipients (user+user.TIME.PID.eml).
cat >"$t/deliver" <<EOF
#!/bin/sh
umask 022
[ "\$1" = -r ] && shift 2
f=$t/mail/\$(echo "\$*" | tr ' ' +).\$(date +%s.%N).\$\$
cat >"\$f.tmp" && mv "\$f.tmp" "\$f.eml"
EOF
chmod 755 "$t/deliver"
: >"$t/etc/helpfile"
: >"$t/etc/relay-domains"
printf 'hosts files\naliases files\n' >"$t/etc/service.switch"

# The contrib snippet, as shipped, on this test's port.
sed "s/inet:8895@127\.0\.0\.1/inet:$milter_port@127.0.0.1/" "$snippet" \
	>"$t/etc/tlsrpt.m4"
grep -q "^INPUT_MAIL_FILTER(\`tlsrpt', \`S=inet:$milter_port@127.0.0.1, T=" \
	"$t/etc/tlsrpt.m4" ||
	fail "contrib/sendmail.mc.snippet has no INPUT_MAIL_FILTER line on inet:8895@127.0.0.1 without F= (mail must flow while the milter is down)"

# make_cf NAME PORT [M4 LINE...] -- $t/etc/NAME.cf from an .mc that
# includes the snippet, for a Sendmail on PORT with its own queue.
# m4 quotes are a backquote and a quote: the heredocs are unquoted for $t
# and the port, so every other $ in them is escaped.
make_cf() {
	name=$1 port=$2
	shift 2
	mkdir -m 700 "$t/queue-$name" || fail "mkdir queue-$name"
	: >"$t/statistics-$name"
	{
		cat <<EOF
divert(-1)
Private Sendmail for t-sendmail-e2e.sh: everything under $t, every
recipient delivered by $t/deliver.
divert(0)dnl
define(\`__OSTYPE__', \`none')dnl
define(\`QUEUE_DIR', \`$t/queue-$name')dnl
define(\`confPID_FILE', \`$t/sendmail-$name.pid')dnl
define(\`STATUS_FILE', \`$t/statistics-$name')dnl
define(\`HELP_FILE', \`$t/etc/helpfile')dnl
define(\`confCR_FILE', \`$t/etc/relay-domains')dnl
define(\`confDEAD_LETTER_DROP', \`$t/dead.letter')dnl
define(\`confSERVICE_SWITCH_FILE', \`$t/etc/service.switch')dnl
define(\`confHOST_STATUS_DIRECTORY', \`')dnl
define(\`ALIAS_FILE', \`')dnl
define(\`confDONT_PROBE_INTERFACES', \`True')dnl
define(\`confBIND_OPTS', \`-DNSRCH -DEFNAMES')dnl
define(\`confTO_IDENT', \`0')dnl
define(\`confMIN_FREE_BLOCKS', \`0')dnl
define(\`confDELIVERY_MODE', \`interactive')dnl
define(\`confLOG_LEVEL', \`14')dnl
define(\`LOCAL_MAILER_PATH', \`$t/deliver')dnl
define(\`LOCAL_MAILER_ARGS', \`deliver \$u')dnl
MODIFY_MAILER_FLAGS(\`LOCAL', \`+S')dnl
MODIFY_MAILER_FLAGS(\`LOCAL', \`-Aw')dnl
FEATURE(\`no_default_msa')dnl
FEATURE(\`accept_unresolvable_domains')dnl
FEATURE(\`accept_unqualified_senders')dnl
FEATURE(\`nocanonify')dnl
LOCAL_DOMAIN(\`example.org')dnl
DAEMON_OPTIONS(\`Port=$port, Addr=127.0.0.1, Name=MTA')dnl
EOF
		for line in "$@"; do
			echo "$line"
		done
		cat <<EOF
include(\`$t/etc/tlsrpt.m4')dnl
MAILER(\`local')dnl
LOCAL_RULE_0
R\$+ < @ \$+ >	\$#local \$: \$1
EOF
	} >"$t/etc/$name.mc"
	timeout 30 "$m4" -D_CF_DIR_="$cfdir/" "$cfdir/m4/cf.m4" "$t/etc/$name.mc" \
		>"$t/etc/$name.cf" 2>"$t/m4.err" ||
		fail "m4 failed on $name.mc (a loop if it timed out): $(cat "$t/m4.err")"
	[ -s "$t/m4.err" ] && fail "m4 complained about $name.mc: $(cat "$t/m4.err")"
	grep -q "^O InputMailFilters=tlsrpt" "$t/etc/$name.cf" &&
		grep -q "^Xtlsrpt, S=inet:$milter_port@127.0.0.1, T=" "$t/etc/$name.cf" ||
		fail "$name.cf lacks the milter: $(grep -i milter "$t/etc/$name.cf")"
}

# sm_cmd NAME ARG... -- run the private Sendmail once with $t/etc/NAME.cf.
sm_cmd() {
	cf=$t/etc/$1.cf
	shift
	env -i PATH=/usr/bin:/bin LD_LIBRARY_PATH="$libdir" \
		LD_PRELOAD="$t/preload.so" TLSRPT_SYSLOG_FILE="$t/sendmail.log" \
		TLSRPT_HOSTNAME=mx.example.org "$sm" -C"$cf" "$@"
}

# start_sendmail NAME PORT -- run $t/etc/NAME.cf in the foreground (-bD)
# as a child of this shell; its pid goes to sm_pids. The preload gives it
# a host name with a dot and a log file ($t/sendmail.log).
start_sendmail() {
	# A plain command, not sm_cmd: $! must be Sendmail's own pid (env
	# execs it), so the trap's kill reaches it.
	env -i PATH=/usr/bin:/bin LD_LIBRARY_PATH="$libdir" \
		LD_PRELOAD="$t/preload.so" TLSRPT_SYSLOG_FILE="$t/sendmail.log" \
		TLSRPT_HOSTNAME=mx.example.org \
		"$sm" -C"$t/etc/$1.cf" -bD -X "$t/transcript-$1" \
		>>"$t/sendmail.out" 2>&1 &
	pid=$!
	sm_pids="$sm_pids $pid"
	i=0
	until python3 -c "import socket; socket.create_connection(('127.0.0.1', $2), 1)" 2>/dev/null; do
		i=$((i + 1))
		kill -0 "$pid" 2>/dev/null && [ $i -lt 200 ] ||
			fail "sendmail $1 did not start: $(cat "$t/sendmail.out" "$t/sendmail.log" 2>/dev/null)"
		sleep 0.05
	done
}

# start_milter [CONFIG LINE...] -- (re)start the milter in the foreground.
start_milter() {
	{
		echo "Socket inet:$milter_port@127.0.0.1"
		echo "StoreDirectory $t/store"
		echo "HostName mx.example.org"
		echo "LogLevel debug"
		echo "UserID nobody:nogroup"
		for line in "$@"; do
			echo "$line"
		done
	} >"$t/milter.conf"
	"$bin" -f -c "$t/milter.conf" >>"$t/milter.log" 2>&1 &
	milter_pid=$!
	i=0
	until python3 -c "import socket; socket.create_connection(('127.0.0.1', $milter_port), 1)" 2>/dev/null; do
		i=$((i + 1))
		kill -0 "$milter_pid" 2>/dev/null && [ $i -lt 200 ] ||
			fail "milter did not start: $(cat "$t/milter.log")"
		sleep 0.05
	done
}

stop_milter() {
	kill -"${1:-TERM}" "$milter_pid"
	# (2>/dev/null: the shell's "Killed" notice)
	wait "$milter_pid" 2>/dev/null
	rc=$?
	milter_pid=
	[ "$1" = KILL ] || [ $rc -eq 0 ] ||
		fail "milter exited $rc: $(tail -20 "$t/milter.log")"
}

delivered() {
	find "$t/mail" -name '*.eml' -type f | wc -l
}

stored() {
	cat "$t/store"/tlsrpt-*.jsonl 2>/dev/null | wc -l
}

# Delivery is interactive: the file exists once SMTP has said 250.
expect_delivered() {
	[ "$(delivered)" -eq "$1" ] ||
		fail "$(delivered) messages delivered, want $1: $(tail -20 "$t/sendmail.log")"
}

expect_stored() {
	[ "$(stored)" -eq "$1" ] ||
		fail "$(stored) reports stored, want $1: $(tail -20 "$t/milter.log")"
}

# sendone PORT RCPT[,RCPT...] FILE -- send one message; print the DATA reply.
sendone() {
	python3 - "$1" "$2" "$3" <<'EOF'
import smtplib, sys
port, rcpts, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
with open(path, "rb") as f:
    data = f.read()
with smtplib.SMTP("127.0.0.1", port, timeout=60) as s:
    s.ehlo("client.test")
    code, msg = s.mail("noreply@reporter.test")
    if code != 250:
        sys.exit("MAIL: %d %s" % (code, msg.decode()))
    for rcpt in rcpts.split(","):
        code, msg = s.rcpt(rcpt)
        if code != 250:
            sys.exit("RCPT: %d %s" % (code, msg.decode()))
    code, msg = s.data(data)
    print(code, msg.decode())
    if code != 250:
        sys.exit(1)
EOF
}

# The queue id in a DATA reply: "250 2.0.0 5ATD1a2b003456 Message accepted".
reply_qid() {
	sed -n 's/^250 2\.0\.0 \([A-Za-z0-9]*\) Message accepted.*/\1/p'
}

python3 "$gen" "$t/mails" gzip one 1 &&
	python3 "$gen" "$t/mails" json js 1 &&
	python3 "$gen" "$t/mails" broken bad 1 &&
	python3 "$gen" "$t/mails" text plain 1 &&
	python3 "$gen" "$t/mails" gzip bulk 20 &&
	python3 "$gen" "$t/mails" gzip disc 2 &&
	python3 "$gen" "$t/mails" gzip quar 1 &&
	python3 "$gen" "$t/mails" gzip down 2 &&
	python3 "$gen" "$t/mails" gzip trim 1 &&
	python3 "$gen" "$t/mails" text trimplain 1 &&
	python3 "$gen" "$t/mails" gzip forged 1 || fail "cannot write test mails"
# A report that arrives with a forged "stored" header of ours.
{
	printf 'X-TLSRPT-Milter: stored Forged Inc. forged-0\r\n'
	cat "$t/mails/forged-1.eml"
} >"$t/mails/forged.eml"

make_cf main "$smtp_port"
start_milter
start_sendmail main "$smtp_port"
t0=$(date +%s)

# 1. One report: stored with Sendmail's queue id, delivered with a header.
out=$(sendone "$smtp_port" tlsrpt@example.org "$t/mails/one-1.eml") ||
	fail "report mail not accepted: $out"
qid=$(echo "$out" | reply_qid)
[ -n "$qid" ] || fail "no queue id in the DATA reply: $out"
expect_delivered 1
expect_stored 1
grep -l 'X-TLSRPT-Milter: stored Test Reporter one-1' "$t/mail/"*.eml >/dev/null ||
	fail "delivered report lacks the X-TLSRPT-Milter header"
grep -q "\"queue-id\":\"$qid\"" "$t/store"/tlsrpt-*.jsonl ||
	fail "stored queue id is not Sendmail's $qid: $(cat "$t/store"/tlsrpt-*.jsonl)"
grep -q "250 2.0.0 $qid Message accepted" "$t/transcript-main" ||
	fail "queue id $qid not in Sendmail's transcript"
grep -q "$qid: from=<noreply@reporter.test>" "$t/sendmail.log" ||
	fail "queue id $qid not in Sendmail's log: $(cat "$t/sendmail.log")"
grep -q "info: $qid: stored report: org=\"Test Reporter\" id=\"one-1\"" "$t/milter.log" ||
	fail "no INFO line with the queue id $qid: $(cat "$t/milter.log")"
echo "ok - report stored (Sendmail queue id $qid) and delivered with a header"

# 2. The same report again: delivered, still stored once.
out=$(sendone "$smtp_port" tlsrpt@example.org "$t/mails/one-1.eml") ||
	fail "duplicate report mail not accepted: $out"
qid2=$(echo "$out" | reply_qid)
expect_delivered 2
expect_stored 1
grep -q "info: $qid2: duplicate report: org=\"Test Reporter\" id=\"one-1\"" "$t/milter.log" ||
	fail "no duplicate line for $qid2: $(cat "$t/milter.log")"
grep -l 'X-TLSRPT-Milter: duplicate Test Reporter one-1' "$t/mail/"*.eml >/dev/null ||
	fail "duplicate lacks its header"
echo "ok - the same report delivered twice is stored once"

# 3. The bundled samples (folded headers: the boundary is on a
# continuation line) and a JSON report: stored; a broken one: delivered
# with "not stored".
for f in "$TLSRPT_TOP"/samples/*.eml "$t/mails/js-1.eml" "$t/mails/bad-1.eml"; do
	out=$(sendone "$smtp_port" tlsrpt@example.org "$f") || fail "$f not accepted: $out"
done
n_samples=$(ls "$TLSRPT_TOP"/samples/*.eml | wc -l)
expect_delivered $((n_samples + 4))
expect_stored $((n_samples + 2))
grep -q '"report-id":"js-1"' "$t/store"/tlsrpt-*.jsonl || fail "JSON report not stored"
# Each sample's report id is the "<...>" that ends its folded Subject.
for f in "$TLSRPT_TOP"/samples/*.eml; do
	id=$(tr -d '\r' <"$f" | sed -n 's/^ *<\(.*\)>$/\1/p' | head -1)
	[ -n "$id" ] || fail "no Report-ID <...> line in $f"
	grep -qF "\"report-id\":\"$id\"" "$t/store"/tlsrpt-*.jsonl ||
		fail "sample $f (report $id) not stored"
done
grep -l 'X-TLSRPT-Milter: not stored: ' "$t/mail/"*.eml >/dev/null ||
	fail "broken report delivered without a \"not stored\" header"
echo "ok - $n_samples samples and a JSON report stored; a broken one delivered, marked"

# 4. Ordinary mail: untouched, accepted at DATA, never buffered.
before=$(delivered)
out=$(sendone "$smtp_port" someone@example.org "$t/mails/plain-1.eml") ||
	fail "ordinary mail not accepted: $out"
pqid=$(echo "$out" | reply_qid)
expect_delivered $((before + 1))
expect_stored $((n_samples + 2))
f=$(grep -l 'plain-1@reporter.test' "$t/mail/"*.eml)
grep -q 'X-TLSRPT-Milter' "$f" && fail "ordinary mail got our header"
tail -n +2 "$t/mails/plain-1.eml" | tr -d '\r' | grep -v '^To:' |
	grep -v '^$' >"$t/sent.txt"
grep -F -x -f "$t/sent.txt" "$f" | wc -l | grep -q "^$(wc -l <"$t/sent.txt")\$" ||
	fail "ordinary mail was changed"
grep -q "debug: $pqid: not a report candidate: accepted at DATA" "$t/milter.log" ||
	fail "ordinary mail ($pqid) was not accepted at DATA: $(cat "$t/milter.log")"
echo "ok - ordinary mail passes untouched, accepted at DATA ($pqid)"

# 5. 20 reports over 4 parallel sessions, several messages per session:
# 20 stored, 20 delivered, each with its own message's queue id.
before=$(delivered)
python3 "$send" "$smtp_port" 4 tlsrpt@example.org "$t/mails"/bulk-*.eml >"$t/send.out" ||
	fail "bulk send failed: $(cat "$t/send.out")"
expect_delivered $((before + 20))
want=$((n_samples + 22))
expect_stored $want
for i in 1 7 13 20; do
	q=$(sed -n "s/.*info: \([^:]*\): stored report: .* id=\"bulk-$i\" .*/\1/p" "$t/milter.log")
	grep -q "$q: from=<noreply@reporter.test>, .* msgid=<bulk-$i@reporter.test>" "$t/sendmail.log" ||
		fail "bulk-$i logged with queue id \"$q\", not its own: $(grep "bulk-$i@" "$t/sendmail.log")"
done
echo "ok - 20 reports over 4 sessions: 20 stored, 20 delivered, each with its queue id"

# 6. A report with a forged X-TLSRPT-Milter header: ours replaces it.
out=$(sendone "$smtp_port" tlsrpt@example.org "$t/mails/forged.eml") ||
	fail "forged report mail not accepted: $out"
want=$((want + 1))
expect_stored $want
f=$(grep -l 'forged-1@reporter.test' "$t/mail/"*.eml)
[ "$(grep -c '^X-TLSRPT-Milter:' "$f")" -eq 1 ] &&
	grep -q '^X-TLSRPT-Milter: stored Test Reporter forged-1' "$f" ||
	fail "forged header not replaced: $(grep X-TLSRPT "$f")"
echo "ok - a forged X-TLSRPT-Milter header is removed"

# 7. A Sendmail whose macro lists carry no queue id at all: the milter's
# own request (smfi_setsymlist) still brings it, at DATA and at the end.
trim_port=$(free_port)
make_cf trim "$trim_port" \
	"define(\`confMILTER_MACROS_ENVFROM', \`{mail_addr}')dnl" \
	"define(\`confMILTER_MACROS_EOM', \`{msg_id}')dnl"
grep -q '^O Milter.macros.envfrom={mail_addr}$' "$t/etc/trim.cf" ||
	fail "trim.cf: $(grep Milter.macros "$t/etc/trim.cf")"
start_sendmail trim "$trim_port"
out=$(sendone "$trim_port" tlsrpt@example.org "$t/mails/trim-1.eml") ||
	fail "report mail not accepted (trimmed macros): $out"
q=$(echo "$out" | reply_qid)
want=$((want + 1))
expect_stored $want
grep -q "\"queue-id\":\"$q\"" "$t/store"/tlsrpt-*.jsonl &&
	grep -q "info: $q: stored report: .* id=\"trim-1\"" "$t/milter.log" ||
	fail "no queue id $q without Sendmail's macros: $(tail -3 "$t/milter.log")"
out=$(sendone "$trim_port" someone@example.org "$t/mails/trimplain-1.eml") ||
	fail "ordinary mail not accepted (trimmed macros): $out"
q=$(echo "$out" | reply_qid)
grep -q "debug: $q: not a report candidate: accepted at DATA" "$t/milter.log" ||
	fail "no queue id $q at DATA without Sendmail's macros: $(tail -3 "$t/milter.log")"
echo "ok - queue id without Sendmail's macro lists (smfi_setsymlist)"

# 8. Disposition discard: stored, not delivered.
stop_milter KILL
start_milter "Disposition discard"
before=$(delivered)
out=$(sendone "$smtp_port" tlsrpt@example.org "$t/mails/disc-1.eml") ||
	fail "report mail not accepted (discard): $out"
q=$(echo "$out" | reply_qid)
want=$((want + 1))
expect_stored $want
expect_delivered "$before"
grep -q "$q: Milter: data, discard" "$t/sendmail.log" ||
	fail "Sendmail did not log the discard: $(grep "$q" "$t/sendmail.log")"
echo "ok - Disposition discard: stored, not delivered"

# 8b. Discard with another recipient too (issue 15, case 9): Sendmail
# takes tlsrpt@ off (smfi_delrcpt) and delivers to ops@ alone.
ls "$t/mail" >"$t/mail.before"
out=$(sendone "$smtp_port" tlsrpt@example.org,ops@example.org "$t/mails/disc-2.eml") ||
	fail "report mail to two recipients not accepted (discard): $out"
q=$(echo "$out" | reply_qid)
want=$((want + 1))
expect_stored $want
expect_delivered $((before + 1))
new=$(ls "$t/mail" | grep -v -x -F -f "$t/mail.before")
case $new in
ops.*.eml) ;;
*) fail "delivered \"$new\", want a message for ops@ alone" ;;
esac
grep -q "$q: .*report recipients removed: 1 (Disposition discard)" "$t/milter.log" ||
	fail "no log line for the removed recipient: $(grep "$q" "$t/milter.log")"
before=$(delivered)
echo "ok - Disposition discard with another recipient: ops@ gets it, tlsrpt@ does not"

# 9. Disposition quarantine: stored, held in Sendmail's queue.
stop_milter KILL
start_milter "Disposition quarantine"
out=$(sendone "$smtp_port" tlsrpt@example.org "$t/mails/quar-1.eml") ||
	fail "report mail not accepted (quarantine): $out"
q=$(echo "$out" | reply_qid)
want=$((want + 1))
expect_stored $want
expect_delivered "$before"
[ -f "$t/queue-main/hf$q" ] ||
	fail "quarantined message $q not held in the queue: $(ls "$t/queue-main")"
grep -q "$q: .*quarantine=TLS report stored by tlsrpt-milter" "$t/sendmail.log" ||
	fail "Sendmail did not log the quarantine: $(grep "$q" "$t/sendmail.log")"
# What an admin does next: mailq -qQ lists it, -Q releases it, a queue
# run delivers it (-v: in the foreground).
sm_cmd main -bp -qQ >"$t/mailq.out" 2>&1
grep -q "QUARANTINE: TLS report stored by tlsrpt-milter" "$t/mailq.out" ||
	fail "mailq -qQ does not list $q: $(cat "$t/mailq.out")"
sm_cmd main -qQ -qI"$q" -Q >"$t/release.out" 2>&1 &&
	sm_cmd main -v -q >>"$t/release.out" 2>&1 ||
	fail "cannot release $q: $(cat "$t/release.out")"
expect_delivered $((before + 1))
before=$(delivered)
echo "ok - Disposition quarantine: stored, held in the queue (hf$q), released by sendmail -qQ -qI$q -Q"

# 10. Milter down: without F=, Sendmail delivers without the milter, as
# Postfix does with default_action=accept: a stopped milter never holds up
# the domain's mail (the report is delivered, not stored).
stop_milter KILL
printf 'From: a@reporter.test\r\nTo: tlsrpt@example.org\r\nSubject: while down\r\n\r\nplain\r\n' \
	>"$t/mails/down-0.eml"
out=$(sendone "$smtp_port" tlsrpt@example.org "$t/mails/down-0.eml") ||
	fail "milter down: mail refused: $out"
expect_delivered $((before + 1))
expect_stored $want
grep -q 'Milter (tlsrpt): error connecting to filter' "$t/sendmail.log" ||
	fail "Sendmail did not log the milter as down: $(tail -5 "$t/sendmail.log")"
before=$(delivered)
echo "ok - milter down: mail delivered without the milter ($out)"

# 11. Back up: stored again, by the same Sendmail.
start_milter
out=$(sendone "$smtp_port" tlsrpt@example.org "$t/mails/down-1.eml") ||
	fail "report mail not accepted after the restart: $out"
want=$((want + 1))
expect_stored $want
expect_delivered $((before + 1))
echo "ok - milter restarted: stored and delivered again"

stop_milter TERM
grep -Eq 'error:|ERROR: AddressSanitizer|runtime error:|LeakSanitizer' "$t/milter.log" &&
	fail "errors in the milter log: $(grep -E 'error|Sanitizer' "$t/milter.log")"
echo "ok - clean milter log ($(($(date +%s) - t0)) s with Sendmail running)"
exit 0
