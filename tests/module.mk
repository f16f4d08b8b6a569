# SPDX-License-Identifier: BSD-2-Clause
# tests/ -- Check unit tests (one program per tests/unit/check_*.c), run
# plainly by `make unit` and under ASan/UBSan by `make SAN=asan unit`.
TEST_UTIL_OBJS := $(BUILD)/tests/unit/testutil.o \
	$(BUILD)/tests/unit/summary_fixture.o $(BUILD)/tests/unit/store_fixture.o
TEST_SRCS := $(wildcard tests/unit/check_*.c)
TEST_PROGRAMS := $(TEST_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

$(BUILD)/tests/unit/%.o: MODULE_CFLAGS = $(CHECK_CFLAGS)
# Every test links every library (a static archive gives only what is
# used) and the programs' plain-C parts.
$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(TEST_UTIL_OBJS) $(INGEST_TESTABLE_OBJS) \
	$(MILTER_TESTABLE_OBJS) $(SUMMARY_LIB) $(DNS_LIB) $(INTAKE_LIBS)
	$(say) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(REPORT_LIBS) $(CHECK_LIBS) -lresolv -lpthread
# tlsrpt-probe's parts link OpenSSL and libcurl: only their own test does.
$(BUILD)/tests/check_probe: $(BUILD)/tests/unit/check_probe.o $(TEST_UTIL_OBJS) \
	$(PROBE_LIB_OBJS) $(DNS_LIB) $(INTAKE_LIBS)
	$(say) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(REPORT_LIBS) $(PROBE_LIBS) $(CHECK_LIBS) -lresolv -lpthread

# Tests read their fixtures relative to the top of the tree; the shared
# corpus of real reports is optional (a user's clone has none).
TEST_ENV = TLSRPT_TEST_DATA=tests/data TLSRPT_CORPUS=$(abspath ../shared/corpus) \
	TLSRPT_BUILD=$(BUILD)

# Without the Check library (a plain `make` does not need it) the unit tests
# say what to install instead of failing on a missing check.h.
ifdef CHECK_MISSING
$(TEST_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%.o) $(TEST_UTIL_OBJS): need-check
.PHONY: need-check
need-check:
	@echo "make: the unit tests need the Check library: apt-get install check" \
		"(make check installs it)" >&2; exit 1
endif

# Counts passed, failed and skipped cases (scripts/run-unit-tests).
unit: $(TEST_PROGRAMS) $(PROGRAMS)
	@$(TEST_ENV) scripts/run-unit-tests $(TEST_PROGRAMS)

# Installs first (see CONFIG_MK in the Makefile), then builds in sub-makes.
# The runners append their counts to CHECK_COUNTS; the last line is the
# total of the three runs (CI reads it). TLSRPT_MAKE_CHECK makes the tests
# refuse TLSRPT_REGEN: a check run never rewrites its expected files.
CHECK_COUNTS = $(abspath $(BUILD))/check-counts
check:
	@scripts/install-deps build test
	$(MAKE) --no-print-directory all $(BUILD)/tests/bench/gen-fleet \
		$(BUILD)/tests/bench/gen-store $(BUILD)/tests/bench/peak-rss
	@rm -f $(CHECK_COUNTS)
	TLSRPT_MAKE_CHECK=1 TLSRPT_COUNTS=$(CHECK_COUNTS) \
		$(MAKE) --no-print-directory unit
	TLSRPT_MAKE_CHECK=1 TLSRPT_COUNTS=$(CHECK_COUNTS) \
		$(MAKE) --no-print-directory SAN=asan unit
	$(MAKE) --no-print-directory SAN=asan fuzz-replay
	$(MAKE) --no-print-directory lint-man
	@scripts/format-check
	@scripts/check-layers
	@TLSRPT_COUNTS=$(CHECK_COUNTS) scripts/run-script-tests $(BUILD)
	@awk '{ p += $$1; f += $$2; s += $$3 } END { \
		printf "total: %d passed, %d failed, %d skipped\n", p, f, s; \
		exit (f > 0 || NR != 3) }' $(CHECK_COUNTS)

# The long load run of tests/scripts/t-load.sh (make check runs it scaled
# down): 2,000 reports from 50 SMTP sessions and 10,000 ordinary messages
# through a throwaway Postfix. Needs root.
.PHONY: soak
soak:
	@scripts/install-deps build test
	@$(MAKE) --no-print-directory all
	@TLSRPT_BUILD=$(abspath $(BUILD)) TLSRPT_TOP=$(CURDIR) \
		LOAD_REPORTS=2000 LOAD_ORDINARY=10000 sh tests/scripts/t-load.sh

# tlsrpt-ship's parts link libpq: only their own test does.
$(BUILD)/tests/unit/check_pg.o: MODULE_CFLAGS = $(CHECK_CFLAGS) $(PQ_CFLAGS)
$(BUILD)/tests/check_pg: $(BUILD)/tests/unit/check_pg.o $(TEST_UTIL_OBJS) \
	$(BUILD)/pg/batch.o $(BUILD)/pg/daystream.o $(BUILD)/pg/schema.o \
	$(BUILD)/pg/schema_sql.o $(SUMMARY_LIB) $(DNS_LIB) $(INTAKE_LIBS)
	$(say) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(REPORT_LIBS) $(PQ_LIBS) $(CHECK_LIBS) -lresolv -lpthread
