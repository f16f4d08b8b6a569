# SPDX-License-Identifier: BSD-2-Clause
# intake/ -- what every program shares above the libraries: the
# configuration table and its one reader (tlsrpt-milter.conf), recipient
# matching, the one parse-and-store step, the one "event -> line"
# formatter every program prints its outcome with (event_line.h), and the
# hook that turns a stored report into alerts. Plain C, no libmilter.
#
# INTAKE_LIBS is the whole stack below the programs, in link order: every
# program and every test links it (a static archive takes only what is
# used).
#
# Allocation rule: the seam (base/alloc.h); the few strings built with
# GLib (the store path, the event line's GString, see report/sanitize.h)
# are GLib's, which aborts on allocation failure by design.
INTAKE_SRCS := $(wildcard intake/*.c)
INTAKE_LIB := $(BUILD)/libtlsrpt-intake.a
INTAKE_LIBS = $(INTAKE_LIB) $(ALERT_LIB) $(STORE_LIB) $(REPORT_LIB) $(BASE_LIB)

$(INTAKE_LIB): $(INTAKE_SRCS:%.c=$(BUILD)/%.o)
	$(say) AR $@
	$(Q)rm -f $@ && $(AR) rcs $@ $^
