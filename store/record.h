/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * record.h -- one report to store lines, and one line back to a record.
 *
 * The line format (format version 1) is described in tlsrpt-store(5): the
 * receipt, the report-level fields, "policy-index"/"policy-count", then the
 * members of the normalised policy element of tlsrpt_policy_to_json()
 * ("policy", "summary", "failure-details") flattened into the line, and
 * "sts-mode" when the policy strings say it.
 */
#ifndef TLSRPT_STORE_RECORD_H
#define TLSRPT_STORE_RECORD_H

#include <stddef.h>

#include "base/error.h"
#include "base/scratch.h"
#include "report/limits.h"
#include "report/report.h"
#include "store/reader.h"
#include "store/store.h"

#define TLSRPT_RECORD_VERSION 1

/* Longest receipt string kept (bytes); longer ones are cut. */
#define TLSRPT_RECEIPT_STRING_MAX 1000

/* Longest line read back: a line holds one policy of a report no larger
 * than limits->max_report_bytes, escaped at most twice over. */
size_t tlsrpt_record_max_line(const struct tlsrpt_limits *limits);

/* What the lines of one report may take: 8 times the JSON it came from,
 * or 256 times the (compressed) bytes the sender sent for it when that is
 * less, plus 16 KiB. A line repeats the report-level strings and the
 * receipt for each policy, so 8 KB strings on 1,000 policy lines wrote
 * 4,000 times what the sender sent. Real reports take under 2 times their
 * JSON, 4 times with 1,000 policies of a few bytes each; and under 200
 * times their gzip size. */
#define TLSRPT_RECORD_GROWTH 8
#define TLSRPT_RECORD_SENT_GROWTH 256
#define TLSRPT_RECORD_SLACK (16 * 1024)
size_t tlsrpt_record_max_bytes(const struct tlsrpt_report *r);

/* All lines of r (each ending in '\n') into one new buffer *buf of *len
 * bytes, which the caller frees with tlsrpt_free(). Lines that would take
 * more than tlsrpt_record_max_bytes(r) are refused (TLSRPT_ERR_LIMIT)
 * before they are all built. */
int tlsrpt_record_encode(const struct tlsrpt_report *r,
			 const struct tlsrpt_receipt *rc, char **buf,
			 size_t *len, struct tlsrpt_error *err);

/* Parse one line (without its '\n') into rec, which must be zeroed. On
 * failure rec is cleared and err says why (TLSRPT_ERR_INVALID,
 * TLSRPT_ERR_LIMIT for a value over a bound such as MaxSessionCount, or
 * TLSRPT_ERR_NOMEM which the caller should not count as damage). */
int tlsrpt_record_decode(const char *line, size_t len,
			 const struct tlsrpt_limits *limits,
			 struct tlsrpt_record *rec, struct tlsrpt_error *err);

/* The same, but a line the fast path takes (record_fast.h) borrows its
 * strings and lists from sc (rec->borrowed, reader.h): no allocation per
 * line once sc has grown. sc is reset first, so whatever an earlier
 * record borrowed from it is gone. A line only the full decode takes owns
 * its strings as above; sc NULL is tlsrpt_record_decode(). */
int tlsrpt_record_decode_in(const char *line, size_t len,
			    const struct tlsrpt_limits *limits,
			    struct tlsrpt_scratch *sc,
			    struct tlsrpt_record *rec,
			    struct tlsrpt_error *err);

/* The same through a full jansson decode, whatever the line: what
 * tlsrpt_record_decode() falls back on when its fast path is unsure
 * (record_fast.h), and what the tests compare the fast path with. */
int tlsrpt_record_decode_json(const char *line, size_t len,
			      const struct tlsrpt_limits *limits,
			      struct tlsrpt_record *rec,
			      struct tlsrpt_error *err);

#endif
