#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-contrib-paths.sh -- contrib/, the README, the manual pages and
# debian/README.Debian name our files where `make install PREFIX=/usr` (the
# Debian package's layout) puts them: every absolute path naming one of
# our files exists in a scratch DESTDIR, unless it is made at run time or
# by the postmaster (the list below, with reasons); nothing names
# /usr/local; every script of contrib/ is installed executable, none under
# the documentation. The tree's build is reused; nothing outside the
# scratch directory is touched.
. "$TLSRPT_TOP/tests/scripts/lib.inc"

command -v make >/dev/null 2>&1 || skip "make is not installed"
[ -x "$TLSRPT_BUILD/tlsrpt-milter" ] || fail "no $TLSRPT_BUILD/tlsrpt-milter"
t=$(tmpdir)
trap 'rm -rf "$t"' EXIT
# Run from `make check`: the outer make's flags must not reach this make.
unset MAKEFLAGS MAKELEVEL MFLAGS
root=$t/root
make -C "$TLSRPT_TOP" --no-print-directory BUILD="$TLSRPT_BUILD" \
	install DESTDIR="$root" PREFIX=/usr >"$t/install.log" 2>&1 ||
	fail "make install failed: $(tail -20 "$t/install.log")"

# Paths that are not installed files, and why.
runtime() {
	case $1 in
	/var/lib/tlsrpt | /var/lib/tlsrpt/*) ;;        # the store: postinst, or the admin
	/var/spool/postfix/tlsrpt*) ;;                 # the socket directory: postinst
	/run/tlsrpt-milter*) ;;                        # RuntimeDirectory=, PidFile example
	/var/spool/tlsrpt*) ;;                         # the Chroot example
	/etc/default/tlsrpt-digest) ;;                 # the postmaster's digest settings
	/etc/tlsrpt-probe.domains) ;;                  # the postmaster's list for tlsrpt-probe -f
	/etc/cron.daily/*) ;;                          # the postmaster links the digest
	/etc/systemd/system | /etc/systemd/system/*) ;; # the postmaster's own units
	/etc/nginx/* | /etc/apache2/* | /etc/lighttpd/* | /etc/letsencrypt/*) ;;
	/var/log/*) ;;                                 # the web servers' own files
	/srv/*) ;;                                     # example stores of other hosts
	/var/lib/prometheus/*) ;;                      # node_exporter's textfile directory
	/etc/tlsrpt-fetchmailrc | /etc/cron.d/tlsrpt-fetchmail) ;; # the IMAP recipe's own files
	/var/lib/tlsrpt-fetchmail) ;;                  # fetchmail's id file, the postmaster's
	*) return 1 ;;
	esac
}

cd "$TLSRPT_TOP" || fail "cd $TLSRPT_TOP"
# A path starts a word (not LOCALSTATEDIR/lib/...).
grep -oHE '(^|[^A-Za-z0-9_.)}-])/(usr|etc|lib|var|run|srv|opt)/[A-Za-z0-9_.@+/-]*' \
	contrib/* README.md man/*.[1-8] debian/README.Debian |
	sed 's|:[^/]*/|:/|; s/[.,]*$//' | grep ':.*tlsrpt' | sort -u >"$t/paths"
[ -s "$t/paths" ] || fail "found no paths of ours to check"
bad=0 n=0
while IFS=: read -r file path; do
	n=$((n + 1))
	case $path in
	/usr/local/*)
		echo "$file: $path: make install PREFIX=/usr and the package use /usr, not /usr/local" >&2
		bad=$((bad + 1))
		continue
		;;
	esac
	runtime "$path" && continue
	# Merged /usr: the package's /lib/systemd/system is /usr/lib/... here.
	case $path in /lib/*) alt=/usr$path ;; *) alt=$path ;; esac
	if [ ! -e "$root$path" ] && [ ! -e "$root$alt" ]; then
		echo "$file: $path: not installed by make install PREFIX=/usr" >&2
		bad=$((bad + 1))
	fi
done <"$t/paths"
[ $bad -eq 0 ] || fail "$bad of $n paths do not match the installed layout"
echo "ok - the $n paths of our files in contrib/, README, man pages and README.Debian are installed"

# Every script of contrib/ is installed 0755 in /usr/libexec/tlsrpt-milter
# (the digest script without .cron.daily); nothing executable under doc.
for f in contrib/*; do
	head -c 2 "$f" | grep -q '^#!' || continue
	name=$(basename "$f" .cron.daily)
	[ "$name" = tlsrpt-digest ] || [ "$name" = "$(basename "$f")" ] || fail "odd name $f"
	m=$(stat -c %a "$root/usr/libexec/tlsrpt-milter/$name" 2>/dev/null) ||
		fail "$f is not installed as /usr/libexec/tlsrpt-milter/$name"
	[ "$m" = 755 ] || fail "/usr/libexec/tlsrpt-milter/$name is $m, not 755"
done
x=$(find "$root/usr/share/doc" -type f -perm /111)
[ -z "$x" ] || fail "executable files under /usr/share/doc: $x"
echo "ok - every contrib script is installed 0755 in /usr/libexec/tlsrpt-milter, none under doc"
