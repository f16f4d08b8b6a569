# milter/ -- tlsrpt-ingest and (later) tlsrpt-milter, and the shared
# "message to store" step. The only folder that may include libmilter.

# The configuration reader, one archive linked by all three programs
# (tlsrpt-summary too) so that every one reads tlsrpt-milter.conf the same
# way. It needs $(ALERT_LIB) (AlertCommand's check) and $(STORE_LIB).
CONFIG_LIB := $(BUILD)/libtlsrpt-config.a
$(CONFIG_LIB): $(BUILD)/milter/config.o
	$(say) AR $@
	$(Q)$(AR) rcs $@ $^

INGEST_SRCS := milter/ingest_main.c milter/dryrun.c milter/readfile.c \
	milter/mailbox.c milter/intake.c milter/rcpt.c \
	milter/cgi.c milter/alert_hook.c
INGEST := $(BUILD)/tlsrpt-ingest

$(INGEST): $(INGEST_SRCS:%.c=$(BUILD)/%.o) $(CONFIG_LIB) $(ALERT_LIB) $(STORE_LIB) $(PARSER_LIB)
	$(say) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PARSER_LIBS) -lpthread

PROGRAMS += $(INGEST)
SBIN_PROGRAMS += $(INGEST)

# tlsrpt-milter: the libmilter daemon. Only these objects see libmilter's
# headers; config.c and rcpt.c are plain C the unit tests link too.
MILTER_SRCS := milter/milter_main.c milter/nodelay.c milter/milter_callbacks.c milter/log.c \
	milter/rcpt.c milter/intake.c milter/alert_hook.c \
	milter/parse_slots.c milter/generation.c milter/reload.c \
	milter/runas_check.c
MILTER := $(BUILD)/tlsrpt-milter

$(MILTER_SRCS:%.c=$(BUILD)/%.o): MODULE_CFLAGS = $(MILTER_CFLAGS)
$(MILTER): $(MILTER_SRCS:%.c=$(BUILD)/%.o) $(CONFIG_LIB) $(ALERT_LIB) $(STORE_LIB) $(PARSER_LIB)
	$(say) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PARSER_LIBS) $(MILTER_LIBS)

PROGRAMS += $(MILTER)
SBIN_PROGRAMS += $(MILTER)

# check_config links the configuration code beside the libraries.
$(BUILD)/tests/check_config: $(BUILD)/tests/unit/check_config.o \
	$(BUILD)/tests/unit/testutil.o $(BUILD)/milter/config.o \
	$(BUILD)/milter/rcpt.o $(ALERT_LIB) $(STORE_LIB) $(PARSER_LIB)
	$(say) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PARSER_LIBS) $(CHECK_LIBS) -lpthread

# check_cgi links the CGI mode with the intake step and the configuration.
$(BUILD)/tests/check_cgi: $(BUILD)/tests/unit/check_cgi.o \
	$(BUILD)/tests/unit/testutil.o $(BUILD)/milter/cgi.o \
	$(BUILD)/milter/intake.o $(BUILD)/milter/config.o \
	$(BUILD)/milter/rcpt.o $(ALERT_LIB) $(STORE_LIB) $(PARSER_LIB)
	$(say) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PARSER_LIBS) $(CHECK_LIBS) -lpthread

# check_intake links the intake step.
$(BUILD)/tests/check_intake: $(BUILD)/tests/unit/check_intake.o \
	$(BUILD)/tests/unit/testutil.o $(BUILD)/milter/intake.o \
	$(STORE_LIB) $(PARSER_LIB)
	$(say) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PARSER_LIBS) $(CHECK_LIBS) -lpthread

# check_parse_slots links the MaxConcurrentParses gate alone.
$(BUILD)/tests/check_parse_slots: $(BUILD)/tests/unit/check_parse_slots.o \
	$(BUILD)/tests/unit/testutil.o $(BUILD)/milter/parse_slots.o
	$(say) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PARSER_LIBS) $(CHECK_LIBS) -lpthread

# check_alert_flood links the intake step with the alert hook and thread.
$(BUILD)/tests/check_alert_flood: $(BUILD)/tests/unit/check_alert_flood.o \
	$(BUILD)/tests/unit/testutil.o $(BUILD)/milter/alert_hook.o \
	$(BUILD)/milter/intake.o $(BUILD)/milter/config.o \
	$(BUILD)/milter/rcpt.o $(ALERT_LIB) $(STORE_LIB) $(PARSER_LIB)
	$(say) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PARSER_LIBS) $(CHECK_LIBS) -lpthread
