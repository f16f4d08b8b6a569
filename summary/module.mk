# summary/ -- tlsrpt-summary: aggregation (pure) and renderers, and the
# `dns` subcommand. Links store/, parser/ and the configuration reader
# (milter/config.c, which is plain C), never libmilter.
SUMMARY_SRCS := $(wildcard summary/*.c)
SUMMARY := $(BUILD)/tlsrpt-summary
# Everything but main() also goes into a library the unit tests link.
SUMMARY_LIB_OBJS := $(filter-out $(BUILD)/summary/summary_main.o,$(SUMMARY_SRCS:%.c=$(BUILD)/%.o))
SUMMARY_LIB := $(BUILD)/libtlsrpt-summary.a

$(SUMMARY_LIB): $(SUMMARY_LIB_OBJS)
	$(say) AR $@
	$(Q)$(AR) rcs $@ $^

# -c reads tlsrpt-milter.conf with the milter's own reader ($(CONFIG_LIB)).
$(SUMMARY): $(BUILD)/summary/summary_main.o $(SUMMARY_LIB) $(CONFIG_LIB) $(ALERT_LIB) $(STORE_LIB) $(PARSER_LIB)
	$(say) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PARSER_LIBS) -lresolv

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
