/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz.h -- what every harness in tests/fuzz/ defines, for libFuzzer (clang
 * -fsanitize=fuzzer) and for the replay driver (replay.c, built with gcc)
 * alike. A harness calls only the public headers of base/, report/, store/ and
 * intake/config.h, and treats a broken invariant as a crash (fuzz_fail()),
 * never bad input itself.
 */
#ifndef TLSRPT_TESTS_FUZZ_FUZZ_H
#define TLSRPT_TESTS_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Called once before the first input; every harness defines it. */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* One input; returns 0 (libFuzzer reserves other values). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Print "fuzz invariant broken: ..." to stderr and abort(), so libFuzzer
 * saves the input and the replay driver fails. */
void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)))
__attribute__((noreturn));

#endif
