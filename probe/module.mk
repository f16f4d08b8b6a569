# SPDX-License-Identifier: BSD-2-Clause
# probe/ -- tlsrpt-probe: our own MX hosts seen as a strict sending MTA
# sees them (SMTP STARTTLS, the certificate now and N days ahead, MTA-STS,
# DANE), with RFC 8460 result types. A program of its own because it
# alone links OpenSSL (libssl) and libcurl. Uses dns/'s resolver and
# policy checks, report/'s sanitize_text for its text output; with -c or
# --store, intake/'s configuration, store/'s findings files and alert/'s
# AlertCommand path (probe_store.c).
#
# Allocation rule: the seam (base/alloc.h); jansson (which the seam
# feeds) builds the output; the text form's GString is GLib's.
PROBE_SRCS := $(wildcard probe/*.c)
PROBE := $(BUILD)/tlsrpt-probe
# Everything but main(), for tests/unit/check_probe.c.
PROBE_LIB_OBJS := $(filter-out $(BUILD)/probe/probe_main.o,$(PROBE_SRCS:%.c=$(BUILD)/%.o))

$(PROBE): $(PROBE_SRCS:%.c=$(BUILD)/%.o) $(DNS_LIB) $(INTAKE_LIBS)
	$(say) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(REPORT_LIBS) $(PROBE_LIBS) -lresolv -lpthread

PROGRAMS += $(PROBE)
BIN_PROGRAMS += $(PROBE)
