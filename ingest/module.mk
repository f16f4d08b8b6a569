# SPDX-License-Identifier: BSD-2-Clause
# ingest/ -- tlsrpt-ingest: the same parse-and-store step as the milter,
# for files, mbox and Maildir mailboxes, standard input and HTTPS POSTs
# (CGI), plus --dry-run's normalised JSON and --prune.
#
# Allocation rule: the seam (base/alloc.h); the GString of a printed line
# (report/sanitize.h) is GLib's, which aborts on allocation failure.
INGEST_SRCS := $(wildcard ingest/*.c)
INGEST := $(BUILD)/tlsrpt-ingest
# Everything but main(), for the unit tests (check_cgi).
INGEST_TESTABLE_OBJS := $(filter-out $(BUILD)/ingest/ingest_main.o,$(INGEST_SRCS:%.c=$(BUILD)/%.o))

$(INGEST): $(INGEST_SRCS:%.c=$(BUILD)/%.o) $(INTAKE_LIBS)
	$(say) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(REPORT_LIBS) -lpthread

PROGRAMS += $(INGEST)
SBIN_PROGRAMS += $(INGEST)
