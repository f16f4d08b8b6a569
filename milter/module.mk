# milter/ -- tlsrpt-ingest and (later) tlsrpt-milter, and the shared
# "message to store" step. The only folder that may include libmilter.
INGEST_SRCS := milter/ingest_main.c milter/dryrun.c milter/readfile.c
INGEST := $(BUILD)/tlsrpt-ingest

$(INGEST): $(INGEST_SRCS:%.c=$(BUILD)/%.o) $(STORE_LIB) $(PARSER_LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PARSER_LIBS)

PROGRAMS += $(INGEST)
SBIN_PROGRAMS += $(INGEST)
