# SPDX-License-Identifier: BSD-2-Clause
# base/ -- plumbing that knows nothing of TLS-RPT: the allocation seam,
# the error struct, saturating counts, the one bounded byte buffer
# (buf.h: every place that collects bytes of unknown length uses it), a
# scratch region for records built and dropped one at a time (scratch.h),
# SipHash and the keyed string hash of every hash table (siphash.h),
# EINTR-safe file I/O, reading a whole input with a bound, and splitting a
# command line into an argument vector.
# The lowest layer: it includes nothing of the project but itself.
#
# Allocation rule: everything goes through the seam (base/alloc.h), so a
# test can fail the Nth allocation; base/alloc.c also hands the seam to
# jansson.
BASE_SRCS := $(wildcard base/*.c)
BASE_LIB := $(BUILD)/libtlsrpt-base.a

$(BASE_LIB): $(BASE_SRCS:%.c=$(BUILD)/%.o)
	$(say) AR $@
	$(Q)rm -f $@ && $(AR) rcs $@ $^
