# store/ -- the flat-file store: record encoding, locked appends, daily
# files, de-duplication, reading a time window. Knows nothing of MIME.
STORE_SRCS := $(wildcard store/*.c)
STORE_OBJS := $(STORE_SRCS:%.c=$(BUILD)/%.o)
STORE_LIB := $(BUILD)/libtlsrpt-store.a

$(STORE_LIB): $(STORE_OBJS)
	$(say) AR $@
	$(Q)$(AR) rcs $@ $^
