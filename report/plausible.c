/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * plausible.c -- the session counts a policy claims, held to
 * MaxSessionCount (limits.h).
 *
 * Checked where a policy is read, whether from a sender (the report) or
 * from the store (a line written before the bound existed, or by hand): a
 * count above the bound is refused either way, so no sum in tlsrpt-summary
 * ever meets one.
 */
#include "report/report.h"

#include <stdio.h>

#include "base/count.h"

static int
over(struct tlsrpt_error *err, const char *path, const char *what, int64_t n,
     const struct tlsrpt_limits *l)
{
	return tlsrpt_error_set(err, TLSRPT_ERR_LIMIT, path,
				"%s of %lld sessions is more than %zu "
				"(MaxSessionCount): refused as implausible",
				what, (long long)n, l->max_session_count);
}

int
tlsrpt_policy_check_counts(const struct tlsrpt_policy *p,
			   const struct tlsrpt_limits *l,
			   struct tlsrpt_error *err)
{
	const int64_t max = (int64_t)l->max_session_count;
	int64_t sum = 0;
	size_t i;

	if (p->total_successful_session_count > max)
		return over(err, "summary.total-successful-session-count",
			    "a count", p->total_successful_session_count, l);
	if (p->total_failure_session_count > max)
		return over(err, "summary.total-failure-session-count",
			    "a count", p->total_failure_session_count, l);
	if (tlsrpt_count_add(p->total_successful_session_count,
			     p->total_failure_session_count) > max)
		return over(err, "summary", "a total",
			    tlsrpt_count_add(p->total_successful_session_count,
					     p->total_failure_session_count),
			    l);
	for (i = 0; i < p->n_failure_details; i++) {
		int64_t n = p->failure_details[i].failed_session_count;

		if (n > max) {
			char path[64];

			snprintf(path, sizeof(path),
				 "failure-details[%zu].failed-session-count",
				 i);
			return over(err, path, "a count", n, l);
		}
		sum = tlsrpt_count_add(sum, n);
	}
	/* Details may overlap (RFC 8460 4.3), so their sum may exceed the
	 * failure total; but not the bound on any one policy's sessions. */
	if (sum > max)
		return over(err, "failure-details",
			    "a sum of failed-session-count", sum, l);
	return 0;
}
