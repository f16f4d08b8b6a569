/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * silence.c -- reporters that stopped reporting a domain, and domains with
 * no report in the window. The rules (tlsrpt-summary(1), SILENCE):
 *   - a reporter's usual interval is the median gap between its reports of
 *     a domain over the look-back (needs SUMMARY_SILENCE_MIN_REPORTS
 *     reports), at least SUMMARY_SILENCE_MIN_INTERVAL;
 *   - it is silent when the time from its last report to --until exceeds
 *     SUMMARY_SILENCE_INTERVALS usual intervals;
 *   - a domain named with --domain, or reported during the look-back, is
 *     silent when nothing about it arrived in the window (a domain known
 *     only from our probe's findings is not: nothing says it publishes a
 *     TLSRPT record).
 */
#include "summary/aggregate.h"

#include <string.h>

static gint
cmp_i64(gconstpointer x, gconstpointer y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

	return a < b ? -1 : a > b;
}

/* Median gap between r's sorted times, or 0 with fewer than the minimum.
 * Times dropped: too many to matter, the minimum (aggregate.h). gaps: a
 * buffer of the caller's, kept from reporter to reporter. */
static int64_t
usual_interval(const struct summary_agg *a, const struct summary_reporter *r,
	       GArray *gaps)
{
	int64_t m;
	guint i, n;

	if (r->times_dropped)
		return SUMMARY_SILENCE_MIN_INTERVAL;
	if (r->n_times < SUMMARY_SILENCE_MIN_REPORTS)
		return 0;
	g_array_set_size(gaps, 0);
	for (i = 1; i < r->n_times; i++) {
		int64_t g = summary_reporter_time(a, r, i) -
			    summary_reporter_time(a, r, i - 1);

		g_array_append_val(gaps, g);
	}
	g_array_sort(gaps, cmp_i64);
	n = gaps->len;
	if (n % 2 == 1)
		m = g_array_index(gaps, int64_t, n / 2);
	else
		m = (g_array_index(gaps, int64_t, n / 2 - 1) +
		     g_array_index(gaps, int64_t, n / 2)) /
		    2;
	if (m < SUMMARY_SILENCE_MIN_INTERVAL)
		m = SUMMARY_SILENCE_MIN_INTERVAL;
	return m;
}

void
summary_silence(struct summary_agg *a, const GPtrArray *all)
{
	GArray *gaps = g_array_new(FALSE, FALSE, sizeof(int64_t));
	guint i, j;

	a->silent_reporters = g_ptr_array_new();
	a->silent_domains = g_ptr_array_new();
	for (i = 0; i < all->len; i++) {
		struct summary_domain *d = g_ptr_array_index(all, i);

		if (!d->in_window && !d->probe_only)
			g_ptr_array_add(a->silent_domains, d);
		for (j = 0; j < d->n_reporters; j++) {
			struct summary_reporter *r = d->reporters[j];
			int64_t interval = usual_interval(a, r, gaps);

			/* The interval takes the times' place. */
			summary_reporter_free_times(a, r);
			r->interval = interval;
			r->silent =
				r->interval > 0 &&
				a->opt.until - summary_reporter_last(a, r) >
					SUMMARY_SILENCE_INTERVALS * r->interval;
			if (r->silent) {
				struct summary_silent *s = summary_slab_alloc0(
					a->slab, sizeof(*s));

				s->domain = d->name;
				s->r = r;
				g_ptr_array_add(a->silent_reporters, s);
			}
		}
	}
	g_array_free(gaps, TRUE);
}
