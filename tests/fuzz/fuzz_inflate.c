/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_inflate.c -- raw bytes to tlsrpt_inflate() with small limits, so
 * bombs hit both bounds quickly.
 *
 * The invariants (inflate.h): on success the output is within both bounds
 * and NUL-terminated; on failure nothing is handed out and the error has a
 * class a caller can act on.
 */
#include "tests/fuzz/fuzz.h"

#include "base/alloc.h"
#include "report/inflate.h"
#include "report/input.h"

#define FUZZ_MAX_OUT 65536
#define FUZZ_MAX_RATIO 50

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	tlsrpt_parser_init();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlsrpt_limits limits;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	unsigned char *out = NULL;
	size_t out_len = 0;
	unsigned sum = 0;

	tlsrpt_limits_default(&limits);
	limits.max_report_bytes = FUZZ_MAX_OUT;
	limits.max_inflate_ratio = FUZZ_MAX_RATIO;
	tlsrpt_error_clear(&err);
	if (tlsrpt_inflate(data, size, &limits, &out, &out_len, &err) != 0) {
		if (out != NULL || out_len != 0)
			fuzz_fail("failed inflate handed out %zu bytes",
				  out_len);
		if (err.code != TLSRPT_ERR_INVALID &&
		    err.code != TLSRPT_ERR_LIMIT)
			fuzz_fail("inflate failed with class %s: %s",
				  tlsrpt_status_name(err.code), err.text);
		return 0;
	}
	if (out == NULL)
		fuzz_fail("successful inflate without a buffer");
	if (out_len > FUZZ_MAX_OUT)
		fuzz_fail("%zu bytes out, over MaxReportSize %d", out_len,
			  FUZZ_MAX_OUT);
	if (out_len > size * FUZZ_MAX_RATIO)
		fuzz_fail("%zu bytes out of %zu in, over MaxInflateRatio %d",
			  out_len, size, FUZZ_MAX_RATIO);
	if (out[out_len] != '\0')
		fuzz_fail("output not NUL-terminated");
	/* Touch every byte so the sanitizer checks the whole buffer. */
	for (size_t i = 0; i < out_len; i++)
		sum += out[i];
	(void)sum;
	tlsrpt_free(out);
	return 0;
}
