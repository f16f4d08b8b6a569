/* SPDX-License-Identifier: BSD-2-Clause */
/* triage.c -- domains worst first, and the numbers every view words alike. */
#include "summary/triage.h"

#include <stdio.h>
#include <string.h>

#include "base/siphash.h"
#include "summary/probe.h"
#include "summary/window.h"

int
summary_over_threshold(const struct summary_options *o,
		       const struct summary_counts *c)
{
	int64_t n = summary_sessions(c);

	if (c->failures <= 0 || c->failures < o->min_failures)
		return 0;
	/* failures / n >= ppm / 10^6, in floating point: the saturated sums
	 * (base/count.h) overflow an exact product. */
	return (double)c->failures * 1e6 >=
	       (double)o->min_share_ppm * (double)n;
}

/* Failure share of c in [0, 1]; 0 without sessions. */
static double
failure_share(const struct summary_counts *c)
{
	int64_t n = summary_sessions(c);

	return n > 0 ? (double)c->failures / (double)n : 0;
}

int
summary_failure_reason(const char *code)
{
	static const char *const codes[] = {"failures", "refusing",
					    "testing-failures", "mode-unknown"};

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(code, codes[i]) == 0)
			return 1;
	return 0;
}

int
summary_row_reason(const struct summary_reason *r)
{
	return !summary_failure_reason(r->code);
}

/* Not ready for enforce, or refusing, for a reason that needs action:
 * failures under the noise threshold alone leave the domain below it (a
 * stray failure in a million does not make "senders are refusing"). */
static int
not_ready(const struct summary_domain *d, unsigned needs)
{
	guint i;

	if (d->verdict != SUMMARY_VERDICT_NOT_READY &&
	    d->verdict != SUMMARY_VERDICT_REFUSING)
		return 0;
	if (needs & SUMMARY_NEEDS_FAILURES)
		return 1;
	for (i = 0; i < d->n_reasons; i++) {
		if (summary_row_reason(&d->reasons[i]))
			return 1;
	}
	return 0;
}

guint
summary_silent_of(const struct summary_agg *a, const struct summary_domain *d,
		  int64_t *last)
{
	guint i, n = 0;

	*last = 0;
	for (i = 0; i < d->n_reporters; i++) {
		const struct summary_reporter *r = d->reporters[i];

		if (r->silent) {
			n++;
			int64_t t = summary_reporter_last(a, r);

			*last = t > *last ? t : *last;
		}
	}
	return n;
}

static unsigned
needs_of(const struct summary_agg *a, const struct summary_domain *d)
{
	unsigned needs = 0;
	int64_t last;

	if (summary_over_threshold(&a->opt, &d->cur))
		needs |= SUMMARY_NEEDS_FAILURES;
	else if (d->cur.failures > 0)
		needs |= SUMMARY_NEEDS_BELOW;
	if ((!d->in_window && !d->probe_only) ||
	    summary_silent_of(a, d, &last) > 0)
		needs |= SUMMARY_NEEDS_SILENT;
	if (not_ready(d, needs))
		needs |= SUMMARY_NEEDS_NOT_READY;
	if (summary_probe_found(d))
		needs |= SUMMARY_NEEDS_PROBE;
	return needs;
}

/* 0 needs action, 1 under the threshold only, 2 healthy. */
static int
run_of(const struct summary_domain *d)
{
	if (d->needs & SUMMARY_NEEDS_ACTION)
		return 0;
	return (d->needs & SUMMARY_NEEDS_BELOW) ? 1 : 2;
}

static int
cmp_desc_i64(int64_t x, int64_t y)
{
	return x > y ? -1 : x < y ? 1 : 0;
}

static int
cmp_desc_double(double x, double y)
{
	return x > y ? -1 : x < y ? 1 : 0;
}

static int
has(const struct summary_domain *d, unsigned bit)
{
	return (d->needs & bit) != 0;
}

static gint
cmp_impact(gconstpointer x, gconstpointer y)
{
	const struct summary_domain *a = *(const void *const *)x;
	const struct summary_domain *b = *(const void *const *)y;
	int c = run_of(a) - run_of(b);

	if (c != 0 || run_of(a) == 2)
		return c != 0 ? c : strcmp(a->name, b->name);
	/* Failures over the threshold first: a silent or not-ready domain
	 * with failures under it does not outrank one that is failing. */
	if ((c = has(b, SUMMARY_NEEDS_FAILURES) -
		 has(a, SUMMARY_NEEDS_FAILURES)))
		return c;
	if ((c = cmp_desc_i64(a->cur.failures, b->cur.failures)) != 0)
		return c;
	if ((c = cmp_desc_double(failure_share(&a->cur),
				 failure_share(&b->cur))) != 0)
		return c;
	/* Worse against the previous window first. */
	c = cmp_desc_double(failure_share(&a->cur) - failure_share(&a->prev),
			    failure_share(&b->cur) - failure_share(&b->prev));
	if (c != 0)
		return c;
	/* What senders reported first, then what our probe saw. */
	if ((c = has(b, SUMMARY_NEEDS_PROBE) - has(a, SUMMARY_NEEDS_PROBE)))
		return c;
	if ((c = has(b, SUMMARY_NEEDS_SILENT) - has(a, SUMMARY_NEEDS_SILENT)))
		return c;
	if ((c = has(b, SUMMARY_NEEDS_NOT_READY) -
		 has(a, SUMMARY_NEEDS_NOT_READY)))
		return c;
	return strcmp(a->name, b->name);
}

static void
add(struct summary_agg *a, struct summary_domain *d)
{
	d->needs = needs_of(a, d);
	if (run_of(d) == 0)
		a->n_action++;
	else if (run_of(d) == 1)
		a->n_below++;
	g_ptr_array_add(a->triage, d);
}

void
summary_triage(struct summary_agg *a)
{
	guint i;

	a->triage = g_ptr_array_sized_new(a->domains->len);
	a->n_action = a->n_below = 0;
	for (i = 0; i < a->domains->len; i++)
		add(a, g_ptr_array_index(a->domains, i));
	/* A domain that went silent before the previous window is in no
	 * count of the window, but its silence needs action all the same
	 * (with probe findings it is in a->domains already). */
	for (i = 0; i < a->silent_domains->len; i++) {
		struct summary_domain *d =
			g_ptr_array_index(a->silent_domains, i);

		if (!d->in_prev && !d->listed && !summary_probe_found(d))
			add(a, d);
	}
	g_ptr_array_sort(a->triage, cmp_impact);
}

guint
summary_n_failing(const struct summary_agg *a)
{
	guint i, n = 0;

	for (i = 0; i < a->n_action; i++) {
		const struct summary_domain *d =
			g_ptr_array_index(a->triage, i);

		n += has(d, SUMMARY_NEEDS_FAILURES);
	}
	return n;
}

guint
summary_n_below(const struct summary_agg *a)
{
	guint i, n = 0;

	for (i = 0; i < a->triage->len; i++)
		n += has(g_ptr_array_index(a->triage, i), SUMMARY_NEEDS_BELOW);
	return n;
}

const char *
summary_top_result(const struct summary_agg *a, const char *domain)
{
	guint i;

	/* A lookup in each type's set, not a walk of its sorted list: the
	 * text view asks for every failing domain, and a provider's 10^5
	 * domains made that walk quadratic (41% of a 10^7-line summary). */
	for (i = 0; i < a->results->len; i++) {
		const struct summary_result *r =
			g_ptr_array_index(a->results, i);

		if (summary_set_contains(&r->domains_h, domain))
			return r->type;
	}
	return NULL;
}

char *
summary_threshold_text(const struct summary_options *o)
{
	GString *s = g_string_new("at least ");
	uint32_t whole = o->min_share_ppm / 10000,
		 frac = o->min_share_ppm % 10000;
	int digits = 4;

	if (o->min_failures > 1)
		g_string_append_printf(s, "%lld failed sessions%s",
				       (long long)o->min_failures,
				       o->min_share_ppm > 0 ? " and " : "");
	else if (o->min_share_ppm == 0)
		g_string_append(s, "1 failed session");
	if (o->min_share_ppm > 0) {
		/* Exact: the share as given, without trailing zeros. */
		while (frac > 0 && frac % 10 == 0) {
			frac /= 10;
			digits--;
		}
		if (frac > 0)
			g_string_append_printf(s, "%u.%0*u%%", whole, digits,
					       frac);
		else
			g_string_append_printf(s, "%u%%", whole);
		g_string_append(s, " of a domain's sessions");
	}
	return g_string_free(s, FALSE);
}

void
summary_percent(int64_t part, int64_t whole, char buf[SUMMARY_PERCENT_MAX])
{
	double p;

	if (whole <= 0) {
		snprintf(buf, SUMMARY_PERCENT_MAX, "-");
		return;
	}
	if (part <= 0 || part >= whole) {
		snprintf(buf, SUMMARY_PERCENT_MAX, "%s",
			 part <= 0 ? "0%" : "100%");
		return;
	}
	p = 100.0 * (double)part / (double)whole;
	if (p < 0.05)
		snprintf(buf, SUMMARY_PERCENT_MAX, "<0.1%%");
	else if (p >= 99.95)
		snprintf(buf, SUMMARY_PERCENT_MAX, ">99.9%%");
	else
		snprintf(buf, SUMMARY_PERCENT_MAX, "%.1f%%", p);
}

void
summary_rate_text(const struct summary_counts *c, char buf[SUMMARY_PERCENT_MAX])
{
	summary_percent(c->successes, summary_sessions(c), buf);
}

void
summary_change_text(const struct summary_domain *d,
		    char buf[SUMMARY_PERCENT_MAX])
{
	double now = summary_rate(&d->cur), before = summary_rate(&d->prev);
	double x = now - before;

	if (now < 0 || before < 0)
		snprintf(buf, SUMMARY_PERCENT_MAX, "-");
	else if (x == 0)
		snprintf(buf, SUMMARY_PERCENT_MAX, "0");
	else if (x > -0.05 && x < 0.05)
		snprintf(buf, SUMMARY_PERCENT_MAX, "%s<0.1", x > 0 ? "+" : "-");
	else
		snprintf(buf, SUMMARY_PERCENT_MAX, "%+.1f", x);
}

const char *
summary_plural(int64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

void
summary_count_short(int64_t n, char buf[SUMMARY_COUNT_SHORT_MAX])
{
	static const char *const unit[] = {"k", "M", "G", "T", "P", "E"};
	double x = (double)n;
	size_t u = 0;

	if (n < 10000) {
		snprintf(buf, SUMMARY_COUNT_SHORT_MAX, "%lld", (long long)n);
		return;
	}
	x /= 1000;
	while (x >= 999.5 && u + 1 < sizeof(unit) / sizeof(unit[0])) {
		x /= 1000;
		u++;
	}
	snprintf(buf, SUMMARY_COUNT_SHORT_MAX,
		 x < 99.95 ? "%.1f %s" : "%.0f %s", x, unit[u]);
}

/* Position + 1 of a domain in the triage; 0 for a domain outside it
 * (seen only before the previous window): those go last. */
static guint
rank_of(GHashTable *rank, const char *domain)
{
	return GPOINTER_TO_UINT(g_hash_table_lookup(rank, domain));
}

static gint
cmp_reporter_rank(gconstpointer x, gconstpointer y, gpointer rank)
{
	const struct summary_silent *a = *(const void *const *)x;
	const struct summary_silent *b = *(const void *const *)y;
	guint ra = rank_of(rank, a->domain), rb = rank_of(rank, b->domain);

	ra = ra == 0 ? G_MAXUINT : ra;
	rb = rb == 0 ? G_MAXUINT : rb;
	if (ra != rb)
		return ra < rb ? -1 : 1;
	if (strcmp(a->domain, b->domain) != 0)
		return strcmp(a->domain, b->domain);
	return strcmp(a->r->org, b->r->org);
}

GPtrArray *
summary_silent_reporters(const struct summary_agg *a)
{
	GHashTable *rank = g_hash_table_new(tlsrpt_str_hash, g_str_equal);
	GPtrArray *v = g_ptr_array_sized_new(a->silent_reporters->len);
	guint i;

	for (i = 0; i < a->triage->len; i++)
		g_hash_table_insert(rank,
				    ((struct summary_domain *)g_ptr_array_index(
					     a->triage, i))
					    ->name,
				    GUINT_TO_POINTER(i + 1));
	for (i = 0; i < a->silent_reporters->len; i++)
		g_ptr_array_add(v, g_ptr_array_index(a->silent_reporters, i));
	g_ptr_array_sort_with_data(v, cmp_reporter_rank, rank);
	g_hash_table_destroy(rank);
	return v;
}

void
summary_days_text(int64_t seconds, char buf[SUMMARY_DAYS_MAX])
{
	double days = (double)seconds / SUMMARY_DAY;

	snprintf(buf, SUMMARY_DAYS_MAX, "%.3g %s", days,
		 days == 1 ? "day" : "days");
}
