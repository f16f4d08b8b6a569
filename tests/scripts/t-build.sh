#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# t-build.sh -- the build stands apart from the test world: a plain `make`
# with a build library missing names the -dev package and never runs
# apt-get; `make check` and `make demo` install first (their own sets of
# scripts/packages.txt) and compute the flags only after; the unit tests
# without the Check library say to install check; WERROR=0 drops -Werror
# and CPPFLAGS reaches the compile line. Every make runs into a scratch
# BUILD, against fake pkg-config / dpkg-query / apt-get on PATH: nothing is
# installed and the tree's build/ is untouched.
. "$TLSRPT_TOP/tests/scripts/lib.inc"

command -v make >/dev/null 2>&1 || skip "make is not installed"
command -v pkg-config >/dev/null 2>&1 || skip "pkg-config is not installed"
t=$(tmpdir)
trap 'rm -rf "$t"' EXIT
cd "$TLSRPT_TOP" || fail "cd $TLSRPT_TOP"
# Run from `make check`: the outer make's flags must not reach these makes.
unset MAKEFLAGS MAKELEVEL MFLAGS

# fake/: pkg-config that has no module named in $FAKE_MISSING, a dpkg-query
# that knows no package, an apt-get and debconf-set-selections that only
# write down that they were called.
mkdir "$t/fake"
real_pc=$(command -v pkg-config)
cat >"$t/fake/pkg-config" <<EOF2
#!/bin/sh
for a; do
	case " \$FAKE_MISSING " in *" \$a "*) exit 1 ;; esac
done
exec $real_pc "\$@"
EOF2
printf '#!/bin/sh\nexit 1\n' >"$t/fake/dpkg-query"
printf '#!/bin/sh\necho "apt-get $*" >>%s/apt.log\n' "$t" >"$t/fake/apt-get"
printf '#!/bin/sh\ncat >/dev/null\n' >"$t/fake/debconf-set-selections"
chmod +x "$t/fake/"*
# An empty fake /proc/net: install-deps sees nothing on port 25 (this host
# may be an MX).
fake() { INSTALL_DEPS_PROC_NET=$t/fake PATH="$t/fake:$PATH" "$@"; }

# (a) plain make, gmime missing: names libgmime-3.0-dev, runs no apt-get.
for dry in -n ""; do
	rm -rf "$t/b1" "$t/apt.log"
	FAKE_MISSING=gmime-3.0 fake make $dry BUILD="$t/b1" >"$t/out" 2>&1 &&
		fail "make $dry succeeded without gmime"
	grep -q 'missing build packages: libgmime-3.0-dev' "$t/out" ||
		{ cat "$t/out"; fail "make $dry did not name libgmime-3.0-dev"; }
	[ -e "$t/apt.log" ] && fail "make $dry ran apt-get: $(cat "$t/apt.log")"
	grep -q install-deps "$t/out" && fail "make $dry ran scripts/install-deps"
	[ -e "$t/b1/config.mk" ] && fail "make $dry left a config.mk without gmime's flags"
	echo "ok - make $dry without gmime names libgmime-3.0-dev and installs nothing"
done

# The packages install-deps asked for: apt-get's arguments as root, else
# the list it prints for the user.
asked() {
	if [ -e "$t/apt.log" ]; then
		sed -n 's/^apt-get install //p' "$t/apt.log"
	else
		sed -n 's/^install-deps: missing Debian packages://p' "$t/out"
	fi | tr ' ' '\n' | grep -v '^-' | sort -u
}

# make check on a "fresh machine": install-deps runs before any flags are
# computed and asks for the build and test sets.
rm -rf "$t/b2" "$t/apt.log"
FAKE_MISSING=gmime-3.0 fake make check BUILD="$t/b2" >"$t/out" 2>&1 &&
	fail "make check succeeded without gmime"
first=$(grep -n -m1 'install-deps:' "$t/out" | cut -d: -f1)
flags=$(grep -n -m1 'missing build packages' "$t/out" | cut -d: -f1)
[ -n "$first" ] || { cat "$t/out"; fail "make check did not run install-deps"; }
[ -z "$flags" ] || [ "$first" -lt "$flags" ] ||
	{ cat "$t/out"; fail "make check computed the flags before installing"; }
asked >"$t/asked"
for p in libgmime-3.0-dev check valgrind postfix; do
	grep -qx "$p" "$t/asked" || fail "make check did not install $p"
done
echo "ok - make check installs the build and test sets before computing flags"

# make demo asks for the build and demo sets only.
rm -rf "$t/b2" "$t/apt.log"
FAKE_MISSING=gmime-3.0 fake make demo BUILD="$t/b2" >"$t/out" 2>&1 &&
	fail "make demo succeeded without gmime"
asked >"$t/asked"
for p in libgmime-3.0-dev postfix python3; do
	grep -qx "$p" "$t/asked" || fail "make demo did not install $p"
done
for p in check valgrind chromium clang lighttpd prometheus; do
	grep -qx "$p" "$t/asked" && fail "make demo installs $p, which only the tests need"
done
echo "ok - make demo installs the build and demo sets, not the test set"

# Without the Check library the build goes on; the unit tests name it.
rm -rf "$t/b3"
FAKE_MISSING=check fake make BUILD="$t/b3" "$t/b3/config.mk" >"$t/out" 2>&1 ||
	{ cat "$t/out"; fail "the build needs the Check library"; }
FAKE_MISSING=check fake make unit BUILD="$t/b3" >"$t/out" 2>&1 &&
	fail "make unit succeeded without the Check library"
grep -q 'apt-get install check' "$t/out" ||
	{ cat "$t/out"; fail "make unit without Check did not say to install check"; }
echo "ok - without the Check library make unit says to install check"

# (b) WERROR=0 drops -Werror; (c) CPPFLAGS (and CFLAGS) reach the line.
obj=$t/b4/base/alloc.o
compile_line() {
	make -n V=1 BUILD="$t/b4" "$@" "$obj" 2>&1 | grep -- '-c -o .*base/alloc\.o'
}
compile_line >"$t/line" || fail "no compile line for base/alloc.c"
grep -q -- ' -Werror' "$t/line" || fail "the default build lacks -Werror: $(cat "$t/line")"
compile_line WERROR=0 >"$t/line" || fail "no compile line with WERROR=0"
grep -q -- '-Werror' "$t/line" && fail "WERROR=0 kept -Werror: $(cat "$t/line")"
echo "ok - -Werror by default, none with WERROR=0"
compile_line CPPFLAGS=-DT_BUILD_CPP CFLAGS=-DT_BUILD_C >"$t/line" ||
	fail "no compile line with CPPFLAGS"
grep -q -- '-DT_BUILD_CPP .*-DT_BUILD_C ' "$t/line" ||
	fail "CPPFLAGS or CFLAGS missing from: $(cat "$t/line")"
echo "ok - CPPFLAGS and CFLAGS reach the compile line"
