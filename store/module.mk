# SPDX-License-Identifier: BSD-2-Clause
# store/ -- the flat-file store: record encoding, locked appends, day
# files, de-duplication and content digests, the index, recovery, pruning
# and reading a time window. Knows the report model, never MIME.
#
# Allocation rule: the seam (base/alloc.h) throughout.
STORE_SRCS := $(wildcard store/*.c)
STORE_LIB := $(BUILD)/libtlsrpt-store.a

$(STORE_LIB): $(STORE_SRCS:%.c=$(BUILD)/%.o)
	$(say) AR $@
	$(Q)rm -f $@ && $(AR) rcs $@ $^
