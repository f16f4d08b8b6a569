# SPDX-License-Identifier: BSD-2-Clause
# summary/ -- tlsrpt-summary: reading a window of the store, aggregation
# (pure), readiness, silence and trust, and the renderers (text, HTML,
# JSON, CSV, Prometheus, digest mail). `tlsrpt-summary dns` is dns/'s.
# Reads tlsrpt-milter.conf with intake/'s reader; never libmilter.
#
# Allocation rule: what the store and report libraries hand over is the
# seam's (base/alloc.h); aggregation and the renderers are built on GLib
# (hash tables, arrays, GString), which aborts on allocation failure by
# design: a summary run stops whole, it never renders half a view.
SUMMARY_SRCS := $(wildcard summary/*.c)
SUMMARY := $(BUILD)/tlsrpt-summary
# Everything but main() also goes into a library the unit tests link.
SUMMARY_LIB_OBJS := $(filter-out $(BUILD)/summary/summary_main.o,$(SUMMARY_SRCS:%.c=$(BUILD)/%.o))
SUMMARY_LIB := $(BUILD)/libtlsrpt-summary.a

$(SUMMARY_LIB): $(SUMMARY_LIB_OBJS)
	$(say) AR $@
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# -c reads tlsrpt-milter.conf with the milter's own reader (intake/);
# -d postgresql://... reads tlsrpt-ship's database with pg/'s (libpq).
$(SUMMARY): $(BUILD)/summary/summary_main.o $(SUMMARY_LIB) $(PG_LIB) $(DNS_LIB) $(INTAKE_LIBS)
	$(say) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(REPORT_LIBS) $(PQ_LIBS) -lresolv -lpthread

PROGRAMS += $(SUMMARY)
BIN_PROGRAMS += $(SUMMARY)

# The known reporters' directory is compiled into tlsrpt-summary: build it
# again when DATADIR (or PREFIX) changes, as in `make` then
# `make install PREFIX=/usr`.
SUMMARY_DATADIR_STAMP := $(BUILD)/summary/datadir.stamp
$(SUMMARY_DATADIR_STAMP): summary-datadir-check
	@:
.PHONY: summary-datadir-check
summary-datadir-check:
	@mkdir -p $(BUILD)/summary
	@echo '$(DATADIR)' | cmp -s - $(SUMMARY_DATADIR_STAMP) || \
		echo '$(DATADIR)' > $(SUMMARY_DATADIR_STAMP)
$(BUILD)/summary/summary_main.o: $(SUMMARY_DATADIR_STAMP)
