# SPDX-License-Identifier: BSD-2-Clause
# milter/ -- tlsrpt-milter, the libmilter daemon, alone: main(), the
# callbacks, the log, the MaxConcurrentParses gate and TCP_NODELAY on the
# listening socket. The only folder that may include libmilter's headers.
#
# Allocation rule: the seam (base/alloc.h); libmilter allocates its own;
# the GString of a log line (report/sanitize.h) is GLib's, which aborts on
# allocation failure.
MILTER_SRCS := $(wildcard milter/*.c)
MILTER := $(BUILD)/tlsrpt-milter

$(MILTER_SRCS:%.c=$(BUILD)/%.o): MODULE_CFLAGS = $(MILTER_CFLAGS)
$(MILTER): $(MILTER_SRCS:%.c=$(BUILD)/%.o) $(INTAKE_LIBS)
	$(say) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(REPORT_LIBS) $(MILTER_LIBS)

PROGRAMS += $(MILTER)
SBIN_PROGRAMS += $(MILTER)

# The unit tests link the milter's plain-C parts (no libmilter) this way.
MILTER_TESTABLE_OBJS := $(BUILD)/milter/parse_slots.o
