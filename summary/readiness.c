/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * readiness.c -- may a domain move its MTA-STS policy from testing to
 * enforce? The rules (tlsrpt-summary(1), READINESS):
 *   - no failed session of an sts policy in the readiness period (the
 *     SUMMARY_READINESS_DAYS days before --until);
 *   - every reporter active in that period last saw the same mode and MX
 *     patterns as the latest policy any reporter saw (one still caching
 *     an older policy would judge by that one);
 *   - enough evidence: at least SUMMARY_READINESS_MIN_REPORTS reports from
 *     at least SUMMARY_READINESS_MIN_REPORTERS organisations in the period.
 * For a domain already in enforce, failures of its sts policies in the
 * window mean senders are refusing to deliver mail.
 */
#include "summary/aggregate.h"

#include <string.h>

static void
reason(struct summary_domain *d, const char *code, char *text)
{
	struct summary_reason r = {code, text};

	g_array_append_val(d->reasons, r);
}

static int
same(const char *x, const char *y)
{
	if (x == NULL || y == NULL)
		return x == y;
	return strcmp(x, y) == 0;
}

static void
judge_testing(const struct summary_agg *a, struct summary_domain *d)
{
	const struct summary_options *o = &a->opt;
	guint i;

	if (d->recent_sts_failures > 0)
		reason(d, "failures",
		       g_strdup_printf(
			       "%lld %s in the last %u days: find "
			       "out why and fix %s first",
			       (long long)d->recent_sts_failures,
			       d->recent_sts_failures == 1 ? "session failed"
							   : "sessions failed",
			       o->readiness_days,
			       d->recent_sts_failures == 1 ? "it" : "them"));
	for (i = 0; i < d->reporter_list->len; i++) {
		struct summary_reporter *r =
			g_ptr_array_index(d->reporter_list, i);

		if (r->recent_reports == 0 || r->sts_mode == NULL)
			continue;
		if (same(r->sts_mode, d->sts_mode) && same(r->mx, d->mx))
			continue;
		reason(d, "policy-mismatch",
		       g_strdup_printf("%s last saw mode %s, mx %s (latest: "
				       "mode %s, mx %s); it may still cache "
				       "an older policy",
				       r->org, r->sts_mode,
				       r->mx != NULL ? r->mx : "(none)",
				       d->sts_mode,
				       d->mx != NULL ? d->mx : "(none)"));
	}
	if (d->recent_reports < (int64_t)o->readiness_min_reports)
		reason(d, "few-reports",
		       g_strdup_printf(
			       "only %lld %s in the last %u days "
			       "(%u needed to judge)",
			       (long long)d->recent_reports,
			       d->recent_reports == 1 ? "report" : "reports",
			       o->readiness_days, o->readiness_min_reports));
	if (d->recent_reporters < o->readiness_min_reporters)
		reason(d, "few-reporters",
		       g_strdup_printf(
			       "only %u reporting %s in the last %u "
			       "days (%u needed to judge)",
			       d->recent_reporters,
			       d->recent_reporters == 1 ? "organisation"
							: "organisations",
			       o->readiness_days, o->readiness_min_reporters));
	d->verdict = d->reasons->len == 0 ? SUMMARY_VERDICT_READY
					  : SUMMARY_VERDICT_NOT_READY;
}

void
summary_readiness(struct summary_agg *a)
{
	guint i, j;

	for (i = 0; i < a->domains->len; i++) {
		struct summary_domain *d = g_ptr_array_index(a->domains, i);

		d->reasons = g_array_new(FALSE, FALSE,
					 sizeof(struct summary_reason));
		d->recent_reports = 0;
		d->recent_reporters = 0;
		for (j = 0; j < d->reporter_list->len; j++) {
			struct summary_reporter *r =
				g_ptr_array_index(d->reporter_list, j);

			d->recent_reports += r->recent_reports;
			if (r->recent_reports > 0)
				d->recent_reporters++;
		}
		d->verdict = SUMMARY_VERDICT_NONE;
		if (same(d->sts_mode, "testing")) {
			judge_testing(a, d);
		} else if (same(d->sts_mode, "enforce")) {
			d->verdict = SUMMARY_VERDICT_ENFORCED;
			if (d->sts_failures > 0) {
				d->verdict = SUMMARY_VERDICT_REFUSING;
				reason(d, "refusing",
				       g_strdup_printf(
					       "senders are refusing to "
					       "deliver: %lld %s the enforced "
					       "policy",
					       (long long)d->sts_failures,
					       d->sts_failures == 1
						       ? "session failed"
						       : "sessions failed"));
			}
		}
	}
}
