# SPDX-License-Identifier: BSD-2-Clause
# pg/ -- tlsrpt-ship: a store's day files into PostgreSQL (libpq): the
# schema and its migrations (the SQL is compiled in from pg/schema_v*.sql),
# following a day's files across rotation, COPY batches with the cursor in
# the same transaction. Reads the store with store/'s line and record
# code; above store/, beside the programs.
#
# Allocation rule: the seam (base/alloc.h) for what crosses into store/;
# the batch text and the small sets are GLib's, which aborts on
# allocation failure: a run stops whole, the database's cursor says where
# the next starts.
PG_SRCS := $(wildcard pg/*.c)
SHIP := $(BUILD)/tlsrpt-ship
PG_SCHEMA_C := $(BUILD)/pg/schema_sql.c

# Each pg/schema_vN.sql as a C string pg_schema_vN_sql[].
$(PG_SCHEMA_C): $(wildcard pg/schema_v*.sql) pg/module.mk
	@mkdir -p $(@D)
	$(say) GEN $@
	$(Q)for f in $(sort $(wildcard pg/schema_v*.sql)); do \
		n=$$(basename $$f .sql); \
		echo "extern const char pg_$${n#schema_}_sql[];" | sed 's/pg_v/pg_schema_v/'; \
		echo "const char pg_$${n#schema_}_sql[] =" | sed 's/pg_v/pg_schema_v/'; \
		sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $$f; \
		echo ";"; \
	done >$@.tmp && mv $@.tmp $@
$(BUILD)/pg/schema_sql.o: $(PG_SCHEMA_C)
	@mkdir -p $(@D)
	$(say) CC $<
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(PG_SRCS:%.c=$(BUILD)/%.o): MODULE_CFLAGS = $(PQ_CFLAGS)

# Everything but tlsrpt-ship's main(), for tlsrpt-summary -d postgresql://
# (pg/read.h), which links it with $(PQ_LIBS).
PG_LIB_OBJS := $(filter-out $(BUILD)/pg/ship_main.o,$(PG_SRCS:%.c=$(BUILD)/%.o)) \
	$(BUILD)/pg/schema_sql.o
PG_LIB := $(BUILD)/libtlsrpt-pg.a
$(PG_LIB): $(PG_LIB_OBJS)
	$(say) AR $@
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(SHIP): $(PG_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/pg/schema_sql.o $(STORE_LIB) $(REPORT_LIB) $(BASE_LIB)
	$(say) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(REPORT_LIBS) $(PQ_LIBS) -lpthread

PROGRAMS += $(SHIP)
SBIN_PROGRAMS += $(SHIP)
