# alert/ -- alerts on newly stored reports: rules (pure), the
# de-duplication state, running the alert program, and the milter's alert
# thread. Linked by tlsrpt-milter and tlsrpt-ingest; never libmilter.
ALERT_SRCS := $(wildcard alert/*.c)
ALERT_OBJS := $(ALERT_SRCS:%.c=$(BUILD)/%.o)
ALERT_LIB := $(BUILD)/libtlsrpt-alert.a

$(ALERT_LIB): $(ALERT_OBJS)
	$(say) AR $@
	$(Q)$(AR) rcs $@ $^

# check_alert links the alert library beside the store (file I/O helpers)
# and the parser.
$(BUILD)/tests/check_alert: $(BUILD)/tests/unit/check_alert.o \
	$(BUILD)/tests/unit/testutil.o $(ALERT_LIB) $(STORE_LIB) $(PARSER_LIB)
	$(say) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PARSER_LIBS) $(CHECK_LIBS) -lpthread
