# SPDX-License-Identifier: BSD-2-Clause
# tests/fuzz/ -- libFuzzer harnesses, their seed corpora and past crashes.
#
#   make fuzz FUZZ_SECONDS=N   build the harnesses with clang into build-fuzz/
#                              and run each for N seconds (default 60)
#   make fuzz-replay           replay the saved corpus and every past crash
#                              through the harnesses built with $(CC) (run
#                              by `make check` with SAN=asan), then a short
#                              libFuzzer smoke run of each when clang can
#
# The clang build has its own objects under build-fuzz/ and never touches
# $(BUILD): the normal build does not depend on clang.
FUZZ_HARNESSES := report inflate message record config
FUZZ_BUILD := build-fuzz
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 8
FUZZ_SHARED_CORPUS ?= $(abspath ../shared/corpus)

FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -DTLSRPT_VERSION='"$(VERSION)"' \
	$(PATHS) -O1 -g -fno-omit-frame-pointer $(FUZZ_SAN) \
	-fsanitize=fuzzer-no-link -Wall -Wextra -I. $(PKG_CFLAGS)

# The library code the harnesses reach, compiled with coverage hooks.
FUZZ_LIB_SRCS := $(BASE_SRCS) $(REPORT_SRCS) $(STORE_SRCS) $(ALERT_SRCS) \
	$(INTAKE_SRCS)
FUZZ_LIB := $(FUZZ_BUILD)/libtlsrpt-fuzz.a
FUZZ_COMMON := tests/fuzz/fuzz_fail.c
FUZZ_BINS := $(FUZZ_HARNESSES:%=$(FUZZ_BUILD)/fuzz_%)
FUZZ_REPLAYS := $(FUZZ_HARNESSES:%=$(BUILD)/tests/fuzz/replay-%)

$(FUZZ_BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(say) FUZZCC $<
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

$(FUZZ_LIB): $(FUZZ_LIB_SRCS:%.c=$(FUZZ_BUILD)/obj/%.o)
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/obj/tests/fuzz/fuzz_%.o \
	$(FUZZ_COMMON:%.c=$(FUZZ_BUILD)/obj/%.o) $(FUZZ_LIB)
	$(say) LINK $@
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(REPORT_LIBS) \
		-lpthread

# Kept between runs (make would delete them as intermediate files).
.SECONDARY: $(FUZZ_HARNESSES:%=$(FUZZ_BUILD)/obj/tests/fuzz/fuzz_%.o) \
	$(FUZZ_COMMON:%.c=$(FUZZ_BUILD)/obj/%.o)

# Replay drivers: the same harness sources, a main() instead of libFuzzer.
define FUZZ_REPLAY_RULE
$(BUILD)/tests/fuzz/replay-$(1): $(BUILD)/tests/fuzz/fuzz_$(1).o \
	$(BUILD)/tests/fuzz/replay.o $(FUZZ_COMMON:%.c=$(BUILD)/%.o) \
	$(INTAKE_LIBS)
	$$(CC) $$(ALL_LDFLAGS) -o $$@ $$^ $$(REPORT_LIBS) -lpthread
endef
$(foreach h,$(FUZZ_HARNESSES),$(eval $(call FUZZ_REPLAY_RULE,$(h))))

.PHONY: fuzz fuzz-build fuzz-replay

fuzz-build: $(FUZZ_BINS)

fuzz:
	@tests/fuzz/run-fuzz have-libfuzzer $(FUZZ_CC) || { \
		echo "fuzz: clang's libFuzzer runtime is missing" \
		     "(install clang and libclang-rt-14-dev)"; exit 1; }
	@$(MAKE) --no-print-directory fuzz-build
	@tests/fuzz/run-fuzz run $(FUZZ_SECONDS) $(FUZZ_BUILD) \
		tests/fuzz/crashes "$(FUZZ_SHARED_CORPUS)" $(FUZZ_HARNESSES)

fuzz-replay: $(FUZZ_REPLAYS)
	@tests/fuzz/run-fuzz replay $(BUILD) $(FUZZ_HARNESSES)
	@if tests/fuzz/run-fuzz have-libfuzzer $(FUZZ_CC); then \
		$(MAKE) --no-print-directory fuzz-build && \
		tests/fuzz/run-fuzz run $(FUZZ_SMOKE_SECONDS) $(FUZZ_BUILD) \
			$(FUZZ_BUILD)/crashes "" $(FUZZ_HARNESSES); \
	else \
		echo "fuzz smoke: skipped: clang's libFuzzer runtime is" \
		     "missing (install clang and libclang-rt-14-dev)"; \
	fi

-include $(shell find $(FUZZ_BUILD)/obj -name '*.d' 2>/dev/null)
