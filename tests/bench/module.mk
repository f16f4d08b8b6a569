# SPDX-License-Identifier: BSD-2-Clause
# tests/bench/ -- `make bench`: the benchmark programs (built with the
# normal flags, -O2, in $(BUILD)) and tests/bench/run-bench.sh, which
# prints a table of figures. It never fails on a number, only on a broken
# harness. BENCH_SCALE (0.1 .. 10) scales the counts.
BENCH_SCALE ?= 1
BENCH_BINS := $(BUILD)/tests/bench/gen-store $(BUILD)/tests/bench/gen-fleet \
	$(BUILD)/tests/bench/milter-load \
	$(BUILD)/tests/bench/null-milter $(BUILD)/tests/bench/floor \
	$(BUILD)/tests/bench/peak-rss $(BUILD)/tests/bench/sync-kinds
.PHONY: bench bench-programs

$(BUILD)/tests/bench/null-milter.o: MODULE_CFLAGS = $(MILTER_CFLAGS)

$(BUILD)/tests/bench/gen-store: $(BUILD)/tests/bench/gen-store.o \
	$(STORE_LIB) $(REPORT_LIB) $(BASE_LIB)
	$(say) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(REPORT_LIBS)

# The 1,000-domain fleet of the worst-first view tests (make check builds
# it for tests/scripts/t-summary-fleet*.sh).
$(BUILD)/tests/bench/gen-fleet: $(BUILD)/tests/bench/gen-fleet.o \
	$(STORE_LIB) $(REPORT_LIB) $(BASE_LIB)
	$(say) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(REPORT_LIBS)

$(BUILD)/tests/bench/milter-load: $(BUILD)/tests/bench/milter-load.o
	$(say) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ -lpthread

$(BUILD)/tests/bench/null-milter: $(BUILD)/tests/bench/null-milter.o
	$(say) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(MILTER_LIBS)

$(BUILD)/tests/bench/floor: $(BUILD)/tests/bench/floor.o
	$(say) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(JANSSON_LIBS) $(ZLIB_LIBS)

# The cost of one fdatasync by kind of write (BENCHMARKS.md, "Durable
# appends"): sync-kinds DIR [N].
$(BUILD)/tests/bench/sync-kinds: $(BUILD)/tests/bench/sync-kinds.o
	$(say) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^

$(BUILD)/tests/bench/peak-rss: $(BUILD)/tests/bench/peak-rss.o
	$(say) LD $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^

bench-programs: $(BENCH_BINS) $(PROGRAMS)

bench:
	@scripts/install-deps build test
	@$(MAKE) --no-print-directory bench-programs
	@BENCH_SCALE=$(BENCH_SCALE) tests/bench/run-bench.sh $(BUILD)
