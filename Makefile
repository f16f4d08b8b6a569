# Makefile -- the one build file of tlsrpt-milter. Each folder adds its own
# part in a module.mk; nothing here recurses into folders.
#
#   make            build everything (installs Debian build dependencies first)
#   make check      install, build and run every test, plainly and under
#                   AddressSanitizer + UndefinedBehaviorSanitizer
#   make demo       show the main job working
#   make SAN=asan   a sanitizer build (in build-asan/)
#   make install    honours PREFIX, DESTDIR, SYSCONFDIR

VERSION := 0.1.0

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/tlsrpt-milter
# Data files: the known reporters (tlsrpt-summary --known-reporters).
DATADIR ?= $(PREFIX)/share/tlsrpt-milter
# A mail daemon is looked for in /etc and /var whatever its PREFIX.
SYSCONFDIR ?= /etc
LOCALSTATEDIR ?= /var
DESTDIR ?=

SAN ?=
BUILD ?= build$(if $(SAN),-$(SAN))

WARNINGS := -Wall -Wextra -Wformat=2 -Wshadow -Wmissing-prototypes -Werror
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

CFLAGS ?=
LDFLAGS ?=
PATHS := -DTLSRPT_SYSCONFDIR='"$(SYSCONFDIR)"' \
	-DTLSRPT_LOCALSTATEDIR='"$(LOCALSTATEDIR)"' \
	-DTLSRPT_DATADIR='"$(DATADIR)"'
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -DTLSRPT_VERSION='"$(VERSION)"' $(PATHS) \
	$(OPT) $(HARDEN) $(SANFLAGS) $(WARNINGS) -I. $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SANFLAGS) $(LDHARDEN) $(LDFLAGS)

.DEFAULT_GOAL := all
.PHONY: all check unit demo deps install uninstall clean format format-check lint-man
# Keep intermediate objects: make would delete them after every link.
.SECONDARY:

# Flags come from pkg-config once the packages are there: the installer runs
# when this file is made, and make restarts with the flags it wrote.
CONFIG_MK := $(BUILD)/config.mk
ifeq ($(filter clean help,$(MAKECMDGOALS)),)
-include $(CONFIG_MK)
endif
$(CONFIG_MK): scripts/install-deps scripts/packages.txt
	@scripts/install-deps
	@mkdir -p $(@D)
	@{ echo "PKG_CFLAGS := $$(pkg-config --cflags gmime-3.0 jansson zlib)"; \
	   echo "GMIME_LIBS := $$(pkg-config --libs gmime-3.0)"; \
	   echo "JANSSON_LIBS := $$(pkg-config --libs jansson)"; \
	   echo "ZLIB_LIBS := $$(pkg-config --libs zlib)"; \
	   echo "CHECK_CFLAGS := $$(pkg-config --cflags check)"; \
	   echo "CHECK_LIBS := $$(pkg-config --libs check)"; \
	   echo "MILTER_CFLAGS := $$(pkg-config --cflags milter)"; \
	   echo "MILTER_LIBS := $$(pkg-config --libs milter) -lpthread"; \
	} > $@.tmp && mv $@.tmp $@

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

include parser/module.mk
include store/module.mk
include alert/module.mk
include milter/module.mk
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

demo: all
	@scripts/demo $(BUILD)

# Installs the programs, manual pages and a commented sample configuration
# (never over an existing one).
install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) \
		$(DESTDIR)$(SYSCONFDIR) $(DESTDIR)$(DOCDIR)/contrib \
		$(DESTDIR)$(DATADIR)
	install -m 0644 contrib/known-reporters $(DESTDIR)$(DATADIR)/
	install -m 0755 $(SBIN_PROGRAMS) $(DESTDIR)$(SBINDIR)
	$(if $(BIN_PROGRAMS),install -m 0755 $(BIN_PROGRAMS) $(DESTDIR)$(BINDIR))
	for m in $(MAN_PAGES); do \
		s=$${m##*.}; install -d $(DESTDIR)$(MANDIR)/man$$s; \
		install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/; \
	done
	[ -e $(DESTDIR)$(SYSCONFDIR)/tlsrpt-milter.conf ] || \
		install -m 0644 contrib/tlsrpt-milter.conf $(DESTDIR)$(SYSCONFDIR)/
	install -m 0644 README.md $(DESTDIR)$(DOCDIR)/
	install -m 0644 $$(find contrib -maxdepth 1 -type f) $(DESTDIR)$(DOCDIR)/contrib/
	install -m 0755 contrib/tlsrpt-alert-mail contrib/tlsrpt-alert-webhook \
		$(DESTDIR)$(DOCDIR)/contrib/

uninstall:
	rm -f $(addprefix $(DESTDIR)$(SBINDIR)/,$(notdir $(SBIN_PROGRAMS))) \
		$(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(BIN_PROGRAMS)))
	for m in $(MAN_PAGES); do s=$${m##*.}; \
		rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; done
	rm -rf $(DESTDIR)$(DOCDIR)
	rm -f $(DESTDIR)$(DATADIR)/known-reporters
	-rmdir $(DESTDIR)$(DATADIR)
