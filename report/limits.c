/* SPDX-License-Identifier: BSD-2-Clause */
/* limits.c -- the default bounds on every input (see limits.h). */
#include "report/limits.h"

void
tlsrpt_limits_default(struct tlsrpt_limits *l)
{
	l->max_message_bytes = 10u * 1024 * 1024;
	/* The largest real reports seen are well under 1 MiB inflated. */
	l->max_report_bytes = 16u * 1024 * 1024;
	/* JSON reports compress 5-30x; a bomb compresses ~1000x. */
	l->max_inflate_ratio = 1000;
	/* A report nests 5 levels deep (report/policies/[]/policy/array). */
	l->max_json_depth = 16;
	/* The largest real report seen holds 42 values; 1000 policies with
	 * 10 failure details each hold ~98,000. jansson spends at most ~265
	 * bytes a value (an object with one member), so one parse takes at
	 * most ~27 MB plus the strings' bytes. */
	l->max_json_values = 100000;
	l->max_policies = 1000;
	l->max_failure_details = 1000;
	l->max_policy_strings = 1000;
	l->max_string_bytes = 8192;
	l->max_reports = 16;
	l->max_mime_depth = 8;
	l->max_mime_parts = 256;
	/* The busiest senders report a few million sessions a day to one
	 * domain; 10^9 leaves room for 100x that. */
	l->max_session_count = 1000000000;
}
