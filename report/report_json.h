/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_json.h -- the report model to and from normalised JSON.
 *
 * The normalised form uses RFC 8460 member names: dates as RFC 3339 UTC with
 * "Z", mx-host always an array, counts as integers, absent members left out,
 * unknown members dropped. It is what `tlsrpt-ingest --dry-run` prints and
 * what the store keeps in each line, and it reads back with
 * tlsrpt_policy_from_json() into the same structs.
 *
 * These functions hand jansson values between report/ and store/ only; no
 * json_t leaves those two libraries.
 */
#ifndef TLSRPT_REPORT_REPORT_JSON_H
#define TLSRPT_REPORT_REPORT_JSON_H

#include <jansson.h>

#include "report/report.h"

/* New reference, or NULL when out of memory. */
json_t *tlsrpt_report_to_json(const struct tlsrpt_report *r);

/* {"policy": {...}, "summary": {...}, "failure-details": [...]}: one element
 * of the normalised "policies" array. New reference, NULL on no memory. */
json_t *tlsrpt_policy_to_json(const struct tlsrpt_policy *p);

/* Read one element of a "policies" array (as sent by a reporter, or as
 * written by tlsrpt_policy_to_json) into *p, which the caller zeroed. On
 * failure err->path is relative to the element ("policy.policy-type") and
 * *p is cleared. */
int tlsrpt_policy_from_json(json_t *elem, const struct tlsrpt_limits *limits,
			    struct tlsrpt_policy *p, struct tlsrpt_error *err);

/* The RFC 8460 members of a failure detail, in this order (the store's
 * fast decoder indexes them). */
#define TLSRPT_DETAIL_MEMBERS 8
extern const char *const tlsrpt_detail_members[TLSRPT_DETAIL_MEMBERS];

#endif
