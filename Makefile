# SPDX-License-Identifier: BSD-2-Clause
# Makefile -- the one build file of tlsrpt-milter. Each folder adds its own
# part in a module.mk; nothing here recurses into folders.
#
#   make            build everything; needs only the build packages of
#                   scripts/packages.txt and names any that is missing (it
#                   never installs anything)
#   make check      install the build and test packages (scripts/install-deps),
#                   build and run every test, plainly and under
#                   AddressSanitizer + UndefinedBehaviorSanitizer
#   make demo       install the build and demo packages, show the main job
#   make SAN=asan   a sanitizer build (in build-asan/)
#   make install    honours PREFIX, DESTDIR, SYSCONFDIR
#
# For packagers: CPPFLAGS, CFLAGS and LDFLAGS are added to the project's
# own flags; WERROR=0 builds without -Werror (a newer compiler's new warning
# then does not stop the build).

VERSION := 0.1.0

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/tlsrpt-milter
# Data files: the known reporters (tlsrpt-summary --known-reporters).
DATADIR ?= $(PREFIX)/share/tlsrpt-milter
# Helper programs run by the milter, cron, systemd or a web server, never by
# hand: the alert programs, the digest script, the CGI wrapper.
LIBEXECDIR ?= $(PREFIX)/libexec/tlsrpt-milter
# systemd units: the milter, the digest, prune and probe timers (installed, not
# enabled). The Debian package sets /lib/systemd/system.
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
# A mail daemon is looked for in /etc and /var whatever its PREFIX.
SYSCONFDIR ?= /etc
LOCALSTATEDIR ?= /var
DESTDIR ?=

SAN ?=
BUILD ?= build$(if $(SAN),-$(SAN))

WERROR ?= 1
WARNINGS := -Wall -Wextra -Wformat=2 -Wshadow -Wmissing-prototypes \
	$(if $(filter 0,$(WERROR)),,-Werror)
ifeq ($(SAN),asan)
  OPT := -O1 -g -fno-omit-frame-pointer
  HARDEN := -fstack-protector-strong
  SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all
else ifeq ($(SAN),)
  OPT := -O2 -g
  HARDEN := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
  LDHARDEN := -pie -Wl,-z,relro,-z,now
  SANFLAGS :=
else
  $(error SAN must be empty or asan)
endif

CPPFLAGS ?=
CFLAGS ?=
LDFLAGS ?=
PATHS := -DTLSRPT_SYSCONFDIR='"$(SYSCONFDIR)"' \
	-DTLSRPT_LOCALSTATEDIR='"$(LOCALSTATEDIR)"' \
	-DTLSRPT_DATADIR='"$(DATADIR)"'
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -DTLSRPT_VERSION='"$(VERSION)"' $(PATHS) \
	$(OPT) $(HARDEN) $(SANFLAGS) $(WARNINGS) -I. $(PKG_CFLAGS) $(CPPFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SANFLAGS) $(LDHARDEN) $(LDFLAGS)

.DEFAULT_GOAL := all
.PHONY: all check unit demo deps install uninstall clean format format-check lint-man
# Keep intermediate objects: make would delete them after every link.
.SECONDARY:

# Flags come from pkg-config (scripts/build-flags, which names a missing
# -dev package). They are computed again after a package is installed or
# removed (the dpkg status file changes). Goals that install packages first
# (check, demo, bench, soak) compute no flags here: on a fresh machine
# pkg-config cannot answer before the install; they build in a sub-make.
CONFIG_MK := $(BUILD)/config.mk
NOCONFIG_GOALS := clean help deps check demo bench soak format format-check
# A plain include: when the flags cannot be made, make stops right there.
ifneq ($(filter-out $(NOCONFIG_GOALS),$(or $(MAKECMDGOALS),all)),)
include $(CONFIG_MK)
endif
$(CONFIG_MK): scripts/build-flags $(wildcard /var/lib/dpkg/status)
	@mkdir -p $(@D)
	@scripts/build-flags >$@.tmp || { rm -f $@.tmp; exit 1; }
	@mv $@.tmp $@

# Every package of every set: build, demo and test.
deps:
	@scripts/install-deps

# `make V=1` shows whole command lines.
ifeq ($(V),1)
  Q :=
  say := @true
else
  Q := @
  say := @printf '  %-7s %s\n'
endif

# Objects depend on the Makefile too: it holds the flags and the paths.
$(BUILD)/%.o: %.c Makefile
	@mkdir -p $(@D)
	$(say) CC $<
	$(Q)$(CC) $(ALL_CFLAGS) $(MODULE_CFLAGS) -MMD -MP -c -o $@ $<

PROGRAMS :=
SBIN_PROGRAMS :=
BIN_PROGRAMS :=
TEST_PROGRAMS :=
MAN_PAGES :=

# Lowest layer first (scripts/check-layers holds the allowed includes).
include base/module.mk
include report/module.mk
include store/module.mk
include alert/module.mk
include intake/module.mk
include milter/module.mk
include ingest/module.mk
include dns/module.mk
include probe/module.mk
include pg/module.mk
include summary/module.mk
include tests/module.mk
include tests/bench/module.mk
include tests/fuzz/module.mk
include man/module.mk

all: $(PROGRAMS)

clean:
	rm -rf build build-*

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	@scripts/format-check

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

demo:
	@scripts/install-deps build demo
	@$(MAKE) --no-print-directory all
	@scripts/demo $(BUILD)

# Installs the programs, manual pages, helpers, systemd units and a
# commented sample configuration (never over an existing one). contrib/
# names the paths of PREFIX=/usr (tests/scripts/t-contrib-paths.sh checks
# that); for another PREFIX the units and the CGI wrapper get its paths.
RELOCATE := sed -e 's|/usr/sbin/tlsrpt-|$(SBINDIR)/tlsrpt-|g' \
	-e 's|/usr/bin/tlsrpt-|$(BINDIR)/tlsrpt-|g' \
	-e 's|/usr/libexec/tlsrpt-milter|$(LIBEXECDIR)|g' \
	-e 's|/etc/tlsrpt-milter\.conf|$(SYSCONFDIR)/tlsrpt-milter.conf|g'
HELPERS := contrib/tlsrpt-alert-mail contrib/tlsrpt-alert-webhook \
	contrib/tlsrpt-ingest.cgi contrib/tlsrpt-submit
UNITS := contrib/tlsrpt-milter.service contrib/tlsrpt-digest.service \
	contrib/tlsrpt-digest.timer contrib/tlsrpt-prune.service \
	contrib/tlsrpt-prune.timer contrib/tlsrpt-probe.service \
	contrib/tlsrpt-probe.timer contrib/tlsrpt-ship.service \
	contrib/tlsrpt-ship.timer
install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) \
		$(DESTDIR)$(SYSCONFDIR) $(DESTDIR)$(DOCDIR)/contrib \
		$(DESTDIR)$(DATADIR) $(DESTDIR)$(LIBEXECDIR)
	install -m 0644 contrib/known-reporters $(DESTDIR)$(DATADIR)/
	install -m 0755 $(SBIN_PROGRAMS) $(DESTDIR)$(SBINDIR)
	$(if $(BIN_PROGRAMS),install -m 0755 $(BIN_PROGRAMS) $(DESTDIR)$(BINDIR))
	for m in $(MAN_PAGES); do \
		s=$${m##*.}; install -d $(DESTDIR)$(MANDIR)/man$$s; \
		install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/; \
	done
	[ -e $(DESTDIR)$(SYSCONFDIR)/tlsrpt-milter.conf ] || \
		install -m 0644 contrib/tlsrpt-milter.conf $(DESTDIR)$(SYSCONFDIR)/
	install -d $(DESTDIR)$(SYSTEMDUNITDIR)
	for f in $(HELPERS) contrib/tlsrpt-digest.cron.daily; do \
		d=$(DESTDIR)$(LIBEXECDIR)/$${f#contrib/}; d=$${d%.cron.daily}; \
		$(RELOCATE) $$f >$$d && chmod 0755 $$d || exit 1; \
	done
	for f in $(UNITS); do \
		$(RELOCATE) $$f >$(DESTDIR)$(SYSTEMDUNITDIR)/$${f#contrib/} && \
		chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/$${f#contrib/} || exit 1; \
	done
	install -m 0644 README.md NEWS LICENSE $(DESTDIR)$(DOCDIR)/
	install -m 0644 $(filter-out $(HELPERS) $(UNITS) contrib/known-reporters \
		contrib/tlsrpt-milter.conf contrib/tlsrpt-digest.cron.daily, \
		$(wildcard contrib/*)) $(DESTDIR)$(DOCDIR)/contrib/

uninstall:
	rm -f $(addprefix $(DESTDIR)$(SBINDIR)/,$(notdir $(SBIN_PROGRAMS))) \
		$(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(BIN_PROGRAMS)))
	for m in $(MAN_PAGES); do s=$${m##*.}; \
		rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; done
	rm -rf $(DESTDIR)$(DOCDIR)
	rm -f $(DESTDIR)$(DATADIR)/known-reporters
	rm -rf $(DESTDIR)$(LIBEXECDIR)
	rm -f $(addprefix $(DESTDIR)$(SYSTEMDUNITDIR)/,$(notdir $(UNITS)))
	-rmdir $(DESTDIR)$(DATADIR)
