# SPDX-License-Identifier: BSD-2-Clause
# alert/ -- alerts on newly stored reports: the rules (pure), the
# de-duplication state, running the alert program, the bounded queue and
# the thread that drains it. Knows the report model; never the store's
# files, the configuration file or libmilter.
#
# Allocation rule: the seam (base/alloc.h) throughout.
ALERT_SRCS := $(wildcard alert/*.c)
ALERT_LIB := $(BUILD)/libtlsrpt-alert.a

$(ALERT_LIB): $(ALERT_SRCS:%.c=$(BUILD)/%.o)
	$(say) AR $@
	$(Q)rm -f $@ && $(AR) rcs $@ $^
