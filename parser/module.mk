# parser/ -- pure library: MIME walk, bounded gunzip, RFC 8460 JSON to structs.
# Links without libmilter; the unit tests link it alone.
PARSER_SRCS := $(wildcard parser/*.c)
PARSER_OBJS := $(PARSER_SRCS:%.c=$(BUILD)/%.o)
PARSER_LIB := $(BUILD)/libtlsrpt-parser.a
PARSER_LIBS = $(GMIME_LIBS) $(JANSSON_LIBS) $(ZLIB_LIBS)

$(PARSER_LIB): $(PARSER_OBJS)
	$(say) AR $@
	$(Q)$(AR) rcs $@ $^
