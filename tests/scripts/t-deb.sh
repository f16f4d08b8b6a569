#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-deb.sh -- the Debian package, as a postmaster meets it: built with
# `dpkg-buildpackage -us -uc -b` from a copy of the tree (the tree stays
# clean) and linted, installed with `apt-get install ./….deb`; then its
# files, the tlsrpt user, the store's and the socket directory's owners and
# modes, the conffile, the enabled milter unit and the timers left off
# (the probe unit's job run once as tlsrpt),
# `tlsrpt-milter -n`; then, as README.md's package section says, Domains
# set and Postfix pointed at unix:tlsrpt/tlsrpt-milter.sock: a report sent
# over SMTP to a private Postfix on 127.0.0.1 reaches the installed milter
# (run as the unit runs it) and is stored in /var/lib/tlsrpt. Then a
# reinstall over itself (upgrade) keeps the edited configuration and the
# data, remove keeps the data and the user, purge deletes both and says so.
# No service is left running: without systemd (a container) the postinst
# starts nothing. About 1.5 min on an idle 2-core machine, up to 5 when it
# is busy; most of it the package build.
. "$TLSRPT_TOP/tests/scripts/lib.inc"

# debian/control builds with the [build] set of scripts/packages.txt
# (build-essential is implied for every Debian package).
build_set=$(awk '/^\[/ { on = ($0 == "[build]"); next } { sub(/#.*/, "") } on && NF { print $1 }' \
	"$TLSRPT_TOP/scripts/packages.txt" | grep -vx build-essential | sort | tr '\n' ' ')
build_deps=$(sed -n '/^Build-Depends:/,/^[A-Z]/p' "$TLSRPT_TOP/debian/control" |
	sed 's/^Build-Depends://' | tr ',' '\n' | sed 's/^[[:space:]]*//; s/[[:space:]].*//' |
	grep -v -e '^$' -e '^debhelper-compat$' -e ':$' | sort | tr '\n' ' ')
[ -n "$build_set" ] && [ "$build_set" = "$build_deps" ] ||
	fail "debian/control's Build-Depends ($build_deps) are not scripts/packages.txt's [build] set ($build_set)"
echo "ok - debian/control builds with scripts/packages.txt's [build] set"

[ "$(id -u)" -eq 0 ] || skip "needs root to install a package"
for c in dpkg-buildpackage dh fakeroot dpkg apt-get git setpriv; do
	command -v $c >/dev/null 2>&1 || skip "$c is not installed (scripts/packages.txt [test])"
done
# Never touch a real installation: purge would delete its reports.
if dpkg-query -W -f='${db:Status-Status}' tlsrpt-milter 2>/dev/null | grep -q installed ||
	getent passwd tlsrpt >/dev/null || [ -e /var/lib/tlsrpt ]; then
	skip "this host has tlsrpt-milter, a tlsrpt user or /var/lib/tlsrpt already"
fi
# Run from `make check`: the outer make's flags must not reach the build.
unset MAKEFLAGS MAKELEVEL MFLAGS

t=$(mktemp -d /tmp/deb.XXXXXX) || fail "mktemp"
installed=
cleanup() {
	[ -n "$milter_pid" ] && kill -KILL "$milter_pid" 2>/dev/null
	if [ -f "$t/etc/main.cf" ]; then
		postfix -c "$t/etc" stop >/dev/null 2>&1
	fi
	[ -n "$installed" ] && dpkg --purge tlsrpt-milter >/dev/null 2>&1
	wait 2>/dev/null
	rm -rf "$t"
}
milter_pid=
trap cleanup EXIT
trap 'exit 2' INT TERM

# -- Build from a copy: the tracked files and new ones not ignored ----------
mkdir "$t/src"
git -C "$TLSRPT_TOP" ls-files -co --exclude-standard |
	while IFS= read -r f; do [ -e "$TLSRPT_TOP/$f" ] && printf '%s\n' "$f"; done |
	(cd "$TLSRPT_TOP" && tar -cf - -T -) | tar -xf - -C "$t/src" ||
	fail "cannot copy the tree"
start=$(date +%s)
(cd "$t/src" && dpkg-buildpackage -us -uc -b -jauto) >"$t/build.log" 2>&1 ||
	fail "dpkg-buildpackage failed: $(tail -30 "$t/build.log")"
deb=$(ls "$t"/tlsrpt-milter_*_*.deb 2>/dev/null | head -1)
[ -f "$deb" ] || fail "no tlsrpt-milter_*.deb in $t: $(ls "$t")"
want=$(sed -n 's/^VERSION := //p' "$TLSRPT_TOP/Makefile")
case $(dpkg-deb -f "$deb" Version) in
"$want"-*) ;;
*) fail "package version $(dpkg-deb -f "$deb" Version) is not $want-N" ;;
esac
echo "ok - dpkg-buildpackage built $(basename "$deb") in $(($(date +%s) - start)) s"
# No lintian errors; the warnings that remain are listed, with reasons, in
# debian/README.source.
if command -v lintian >/dev/null 2>&1; then
	lintian --fail-on error "$deb" >"$t/lintian.log" 2>&1 ||
		fail "lintian: $(cat "$t/lintian.log")"
	echo "ok - lintian: no errors ($(grep -c '^W:' "$t/lintian.log") warnings)"
fi

# -- Install ---------------------------------------------------------------
# As README.md says; no Recommends (curl): nothing is downloaded. The lock
# timeout waits for another apt run on this machine.
apt_get() {
	DEBIAN_FRONTEND=noninteractive apt-get -y -o DPkg::Lock::Timeout=300 \
		--no-install-recommends "$@"
}
apt_get install "$deb" >"$t/install.log" 2>&1 ||
	fail "apt-get install $deb failed: $(cat "$t/install.log")"
installed=yes
for f in /usr/sbin/tlsrpt-milter /usr/sbin/tlsrpt-ingest /usr/bin/tlsrpt-summary \
	/usr/bin/tlsrpt-probe \
	/usr/libexec/tlsrpt-milter/tlsrpt-alert-mail \
	/usr/libexec/tlsrpt-milter/tlsrpt-alert-webhook \
	/usr/libexec/tlsrpt-milter/tlsrpt-digest \
	/usr/libexec/tlsrpt-milter/tlsrpt-ingest.cgi; do
	[ -f "$f" ] && [ -x "$f" ] || fail "$f is missing or not executable"
done
for f in /lib/systemd/system/tlsrpt-milter.service /lib/systemd/system/tlsrpt-digest.timer \
	/lib/systemd/system/tlsrpt-digest.service /lib/systemd/system/tlsrpt-prune.timer \
	/lib/systemd/system/tlsrpt-prune.service /usr/share/man/man8/tlsrpt-milter.8.gz \
	/lib/systemd/system/tlsrpt-probe.timer /lib/systemd/system/tlsrpt-probe.service \
	/lib/systemd/system/tlsrpt-ship.timer /lib/systemd/system/tlsrpt-ship.service \
	/usr/sbin/tlsrpt-ship /usr/share/man/man8/tlsrpt-ship.8.gz \
	/usr/share/tlsrpt-milter/known-reporters /usr/share/doc/tlsrpt-milter/copyright; do
	[ -f "$f" ] || fail "$f is missing"
done
dpkg-query -W -f='${Conffiles}\n' tlsrpt-milter | grep -q '^ /etc/tlsrpt-milter.conf ' ||
	fail "/etc/tlsrpt-milter.conf is not a conffile"
grep -rl tlsrpt /usr/share/doc/tlsrpt-milter/contrib 2>/dev/null |
	xargs -r ls -l | grep -q '^-..x' && fail "an executable under /usr/share/doc"
echo "ok - programs, helpers (0755, /usr/libexec), units, conffile in place"

[ "$(getent passwd tlsrpt | cut -d: -f6,7)" = /var/lib/tlsrpt:/usr/sbin/nologin ] ||
	fail "user tlsrpt: $(getent passwd tlsrpt)"
[ "$(id -gn tlsrpt)" = tlsrpt ] || fail "tlsrpt's group is $(id -gn tlsrpt)"
[ "$(stat -c '%U:%G %a' /var/lib/tlsrpt)" = "tlsrpt:tlsrpt 750" ] ||
	fail "/var/lib/tlsrpt is $(stat -c '%U:%G %a' /var/lib/tlsrpt)"
if getent group postfix >/dev/null && [ -d /var/spool/postfix ]; then
	[ "$(stat -c '%U:%G %a' /var/spool/postfix/tlsrpt)" = "tlsrpt:postfix 2750" ] ||
		fail "/var/spool/postfix/tlsrpt is $(stat -c '%U:%G %a' /var/spool/postfix/tlsrpt)"
fi
echo "ok - user tlsrpt (nologin), /var/lib/tlsrpt tlsrpt:tlsrpt 0750, socket directory tlsrpt:postfix 2750"

[ -L /etc/systemd/system/multi-user.target.wants/tlsrpt-milter.service ] ||
	fail "tlsrpt-milter.service is not enabled"
ls /etc/systemd/system/timers.target.wants/tlsrpt-* 2>/dev/null &&
	fail "a timer is enabled on install"
pgrep -f '^/usr/sbin/tlsrpt-milter' >/dev/null && fail "the install left a milter running"
echo "ok - the milter unit is enabled, the timers are not, nothing runs without systemd"

/usr/sbin/tlsrpt-milter -n >"$t/n.out" 2>&1 || fail "tlsrpt-milter -n: $(cat "$t/n.out")"
for p in tlsrpt-milter tlsrpt-ingest; do
	[ "$(/usr/sbin/$p --version)" = "$p $want" ] || fail "$p --version: $(/usr/sbin/$p --version)"
done
echo "ok - tlsrpt-milter -n accepts the package's configuration; version $want"

# -- A report over SMTP, as README.md's package section does it -------------
if command -v postfix >/dev/null 2>&1 && id postfix >/dev/null 2>&1 &&
	command -v python3 >/dev/null 2>&1 && [ -d /var/spool/postfix/tlsrpt ]; then
	. "$TLSRPT_TOP/scripts/postfix-sandbox.inc"
	fail() {
		echo "FAIL: $*" >&2
		exit 1
	}
	sandbox_setup
	echo "Domains example.org" >>/etc/tlsrpt-milter.conf
	# The README's line; the path is relative to the queue directory, here
	# the sandbox's, which reaches the package's socket directory.
	ln -s /var/spool/postfix/tlsrpt "$t/queue/tlsrpt"
	postconf -c "$t/etc" -e \
		'smtpd_milters = { unix:tlsrpt/tlsrpt-milter.sock, default_action=accept }' ||
		fail "postconf"
	# As tlsrpt-milter.service starts it: User=tlsrpt, -f.
	setpriv --reuid=tlsrpt --regid=tlsrpt --init-groups \
		/usr/sbin/tlsrpt-milter -f >"$t/milter.log" 2>&1 &
	milter_pid=$!
	i=0
	until [ -S /var/spool/postfix/tlsrpt/tlsrpt-milter.sock ]; do
		i=$((i + 1))
		[ $i -lt 100 ] || fail "the milter made no socket: $(cat "$t/milter.log")"
		sleep 0.05
	done
	[ "$(stat -c '%U:%G %a' /var/spool/postfix/tlsrpt/tlsrpt-milter.sock)" = "tlsrpt:postfix 770" ] ||
		fail "the socket is $(stat -c '%U:%G %a' /var/spool/postfix/tlsrpt/tlsrpt-milter.sock)"
	sandbox_start
	python3 "$TLSRPT_TOP/tests/scripts/gen-report-mail.py" "$t/mails" gzip deb 1 ||
		fail "cannot write the test mail"
	python3 "$TLSRPT_TOP/tests/scripts/smtp-send.py" "$smtp_port" 1 \
		tlsrpt@example.org "$t/mails/deb-1.eml" >/dev/null || fail "report mail not accepted"
	wait_delivered 1
	grep -q '"report-id":"deb-1"' /var/lib/tlsrpt/tlsrpt-*.jsonl 2>/dev/null ||
		fail "report not stored in /var/lib/tlsrpt: $(cat "$t/milter.log")"
	[ "$(stat -c %U /var/lib/tlsrpt/tlsrpt-*.jsonl | sort -u)" = tlsrpt ] ||
		fail "store files not owned by tlsrpt: $(ls -l /var/lib/tlsrpt)"
	grep -q 'X-TLSRPT-Milter: stored Test Reporter deb-1' "$t/mail/inbox/new/"* ||
		fail "delivered report lacks the X-TLSRPT-Milter header"
	kill -KILL "$milter_pid"
	wait "$milter_pid" 2>/dev/null
	milter_pid=
	postfix -c "$t/etc" stop >/dev/null 2>&1
	echo "ok - a report sent over SMTP through Postfix reached the installed milter and is in /var/lib/tlsrpt"
else
	echo "ok - # SKIP the report over SMTP: no postfix, python3 or socket directory"
	echo 'Domains example.org' >>/etc/tlsrpt-milter.conf
	echo '{"kept": 1}' >/var/lib/tlsrpt/tlsrpt-2026-11-27.jsonl
fi

# The units' own command lines, as their User= (no systemd here): the
# milter's check before start, and the prune timer's job on this store.
for unit in tlsrpt-milter.service:ExecStartPre tlsrpt-prune.service:ExecStart; do
	cmd=$(sed -n "s/^${unit#*:}=//p" "/lib/systemd/system/${unit%:*}")
	[ -n "$cmd" ] || fail "no ${unit#*:}= in ${unit%:*}"
	# shellcheck disable=SC2086
	setpriv --reuid=tlsrpt --regid=tlsrpt --init-groups $cmd >"$t/unit.out" 2>&1 ||
		fail "${unit%:*}: $cmd as tlsrpt: $(cat "$t/unit.out")"
done
echo "ok - the milter unit's check and the prune unit's job run as tlsrpt"
# The probe unit's job as tlsrpt, with a resolver that does not answer
# (no network here): exit 75, and the run stored in the store, tlsrpt's.
cmd=$(sed -n 's/^ExecStart=//p' /lib/systemd/system/tlsrpt-probe.service)
[ -n "$cmd" ] && grep -q '^TimeoutStartSec=' /lib/systemd/system/tlsrpt-probe.service ||
	fail "tlsrpt-probe.service: no ExecStart= or TimeoutStartSec="
# shellcheck disable=SC2086
setpriv --reuid=tlsrpt --regid=tlsrpt --init-groups $cmd \
	--resolver 127.0.0.1:1 --timeout 1 >"$t/unit.out" 2>&1
rc=$?
[ $rc -eq 75 ] || fail "tlsrpt-probe.service: $cmd as tlsrpt: exit $rc: $(cat "$t/unit.out")"
[ "$(stat -c %U "/var/lib/tlsrpt/probe-$(date -u +%F).jsonl" 2>/dev/null)" = tlsrpt ] ||
	fail "tlsrpt-probe.service: no probe-DAY.jsonl of tlsrpt's: $(ls -l /var/lib/tlsrpt)"
echo "ok - the probe unit's job runs as tlsrpt and stores its run"

# -- Upgrade (the same package over itself), remove, purge -----------------
apt_get install --reinstall "$deb" >"$t/upgrade.log" 2>&1 ||
	fail "reinstall failed: $(cat "$t/upgrade.log")"
grep -q 'Unpacking tlsrpt-milter' "$t/upgrade.log" || fail "nothing reinstalled: $(cat "$t/upgrade.log")"
grep -qx 'Domains example.org' /etc/tlsrpt-milter.conf || fail "the upgrade lost the edited configuration"
ls /var/lib/tlsrpt/tlsrpt-*.jsonl >/dev/null 2>&1 || fail "the upgrade lost the store"
[ "$(stat -c '%U:%G %a' /var/lib/tlsrpt)" = "tlsrpt:tlsrpt 750" ] || fail "the upgrade changed /var/lib/tlsrpt"
pgrep -f '^/usr/sbin/tlsrpt-milter' >/dev/null && fail "the upgrade left a milter running"
echo "ok - reinstalled over itself: configuration edit, store and permissions kept"

apt_get remove tlsrpt-milter >"$t/remove.log" 2>&1 || fail "remove failed: $(cat "$t/remove.log")"
[ -x /usr/sbin/tlsrpt-milter ] && fail "remove left /usr/sbin/tlsrpt-milter"
ls /var/lib/tlsrpt/tlsrpt-*.jsonl >/dev/null 2>&1 || fail "remove deleted the store"
getent passwd tlsrpt >/dev/null || fail "remove deleted the user"
[ -f /etc/tlsrpt-milter.conf ] || fail "remove deleted the conffile"
echo "ok - remove keeps the store, the user and the configuration"

apt_get purge tlsrpt-milter >"$t/purge.log" 2>&1 || fail "purge failed: $(cat "$t/purge.log")"
installed=
[ -e /var/lib/tlsrpt ] && fail "purge left /var/lib/tlsrpt"
[ -e /var/spool/postfix/tlsrpt ] && fail "purge left /var/spool/postfix/tlsrpt"
getent passwd tlsrpt >/dev/null && fail "purge left the user tlsrpt"
getent group tlsrpt >/dev/null && fail "purge left the group tlsrpt"
[ -e /etc/tlsrpt-milter.conf ] && fail "purge left /etc/tlsrpt-milter.conf"
[ -e /etc/systemd/system/multi-user.target.wants/tlsrpt-milter.service ] &&
	fail "purge left the unit enabled"
grep -q 'deleted the report store /var/lib/tlsrpt' "$t/purge.log" &&
	grep -q 'removed the system user tlsrpt' "$t/purge.log" ||
	fail "purge did not say what it deleted: $(cat "$t/purge.log")"
echo "ok - purge deletes the store, the socket directory, the user and group, and says so"
echo "   (t-deb.sh took $(($(date +%s) - start)) s in all)"
