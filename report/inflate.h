/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * inflate.h -- bounded gunzip.
 *
 * Decompression bombs are refused twice: by the absolute size of the output
 * (limits->max_report_bytes) and by the ratio of output to input
 * (limits->max_inflate_ratio), checked as the output grows, so no more than
 * the cap is ever allocated. A stream that ends early is "truncated", one
 * that zlib rejects is "corrupt"; both are TLSRPT_ERR_INVALID.
 */
#ifndef TLSRPT_REPORT_INFLATE_H
#define TLSRPT_REPORT_INFLATE_H

#include <stddef.h>

#include "base/error.h"
#include "report/limits.h"

/* Inflate gzip (or zlib) data. On success *out is a new buffer of *out_len
 * bytes plus a terminating NUL not counted in *out_len; the caller frees it
 * with tlsrpt_free(). Concatenated gzip members are inflated in turn. */
int tlsrpt_inflate(const void *in, size_t in_len,
		   const struct tlsrpt_limits *limits, unsigned char **out,
		   size_t *out_len, struct tlsrpt_error *err);

#endif
