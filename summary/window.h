/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * window.h -- the time window a summary covers, from the command line's
 * WHEN arguments: a date (2026-11-20, midnight UTC), an RFC 3339 date-time,
 * or a span back from now (90m, 24h, 7d, 2w).
 */
#ifndef TLSRPT_SUMMARY_WINDOW_H
#define TLSRPT_SUMMARY_WINDOW_H

#include <stdint.h>

#include "base/error.h"

#define SUMMARY_DAY 86400
#define SUMMARY_DEFAULT_DAYS 7
/* Spans longer than this (about 100 years) are refused as typos. */
#define SUMMARY_MAX_SPAN ((int64_t)36525 * SUMMARY_DAY)

/* Parse WHEN relative to now into epoch seconds (UTC). Returns 0, or -1
 * with err (TLSRPT_ERR_INVALID) saying what a valid WHEN looks like. */
int summary_parse_when(const char *s, int64_t now, int64_t *out,
		       struct tlsrpt_error *err);

/* The window [since, until) from optional WHEN strings (NULL: defaults,
 * until = now + 1 s, so that the current second is in, and since = 7 days
 * before now or before --until). Fails when since >= until. */
int summary_window(const char *since_s, const char *until_s, int64_t now,
		   int64_t *since, int64_t *until, struct tlsrpt_error *err);

#endif
