# SPDX-License-Identifier: BSD-2-Clause
# report/ -- the report library: from bytes to reports. The MIME walk
# (GMime), the bounded gunzip (zlib), RFC 8460 JSON to the report model and
# back (jansson), the reading of Authentication-Results, and the one
# neutralising step per sink for report-derived strings. Pure: no files,
# no configuration, no libmilter.
#
# Allocation rule: our code and jansson use the seam (base/alloc.h); GMime
# objects are GLib's, which aborts on allocation failure by design.
REPORT_SRCS := $(wildcard report/*.c)
REPORT_LIB := $(BUILD)/libtlsrpt-report.a
# What a program that links the report library must also link.
REPORT_LIBS = $(GMIME_LIBS) $(JANSSON_LIBS) $(ZLIB_LIBS)

$(REPORT_LIB): $(REPORT_SRCS:%.c=$(BUILD)/%.o)
	$(say) AR $@
	$(Q)rm -f $@ && $(AR) rcs $@ $^
