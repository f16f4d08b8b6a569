/* SPDX-License-Identifier: BSD-2-Clause */
/* finish.c -- the groups of an aggregation, sorted for rendering. */
#include "summary/aggregate.h"
#include "summary/probe.h"
#include "summary/triage.h"

#include <stdlib.h>
#include <string.h>

GPtrArray *
summary_values(GHashTable *h)
{
	GPtrArray *v = g_ptr_array_sized_new(g_hash_table_size(h));
	GHashTableIter it;
	gpointer val;

	g_hash_table_iter_init(&it, h);
	while (g_hash_table_iter_next(&it, NULL, &val))
		g_ptr_array_add(v, val);
	return v;
}

static int
cmp_i64_desc(int64_t x, int64_t y)
{
	return x > y ? -1 : x < y ? 1 : 0;
}

/* NULL sorts last among equal counts. */
static int
cmp_opt(const char *x, const char *y)
{
	if (x == NULL || y == NULL)
		return (x == NULL) - (y == NULL);
	return strcmp(x, y);
}

static gint
cmp_domain(gconstpointer x, gconstpointer y)
{
	const struct summary_domain *a = *(const void *const *)x;
	const struct summary_domain *b = *(const void *const *)y;

	return strcmp(a->name, b->name);
}

static gint
cmp_org(gconstpointer x, gconstpointer y)
{
	const struct summary_org *a = *(const void *const *)x;
	const struct summary_org *b = *(const void *const *)y;
	int c = cmp_i64_desc(summary_sessions(&a->c), summary_sessions(&b->c));

	return c != 0 ? c : strcmp(a->name, b->name);
}

static gint
cmp_result(gconstpointer x, gconstpointer y)
{
	const struct summary_result *a = *(const void *const *)x;
	const struct summary_result *b = *(const void *const *)y;
	int c = cmp_i64_desc(a->sessions, b->sessions);

	return c != 0 ? c : strcmp(a->type, b->type);
}

static gint
cmp_mx(gconstpointer x, gconstpointer y)
{
	const struct summary_mx *a = *(const void *const *)x;
	const struct summary_mx *b = *(const void *const *)y;
	int c = cmp_i64_desc(a->failures, b->failures);

	if (c == 0)
		c = cmp_opt(a->host, b->host);
	return c != 0 ? c : cmp_opt(a->ip, b->ip);
}

static gint
cmp_sender(gconstpointer x, gconstpointer y)
{
	const struct summary_sender *a = *(const void *const *)x;
	const struct summary_sender *b = *(const void *const *)y;
	int c = cmp_i64_desc(a->failures, b->failures);

	return c != 0 ? c : cmp_opt(a->ip, b->ip);
}

static gint
cmp_day(gconstpointer x, gconstpointer y)
{
	const struct summary_day *a = *(const void *const *)x;
	const struct summary_day *b = *(const void *const *)y;

	return -cmp_i64_desc(a->day, b->day);
}

static int
cmp_reporter(const void *x, const void *y)
{
	const struct summary_reporter *a = *(const void *const *)x;
	const struct summary_reporter *b = *(const void *const *)y;

	return strcmp(a->org, b->org);
}

/* By receipt, then organisation and report id: one order whatever
 * order the records were read in. */
static int
cmp_receipt(int64_t ra, const char *oa, const char *ia, int64_t rb,
	    const char *ob, const char *ib)
{
	int c = -cmp_i64_desc(ra, rb);

	if (c == 0)
		c = strcmp(oa, ob);
	return c != 0 ? c : strcmp(ia, ib);
}

static gint
cmp_report(gconstpointer x, gconstpointer y)
{
	const struct summary_report *a = *(const void *const *)x;
	const struct summary_report *b = *(const void *const *)y;

	return cmp_receipt(a->received, a->org, a->report_id, b->received,
			   b->org, b->report_id);
}

/* Impersonations as the reports: the order read is the order of the -d
 * stores within a day, which a database does not know. */
static gint
cmp_suspect(gconstpointer x, gconstpointer y)
{
	const struct summary_suspect *a = *(const void *const *)x;
	const struct summary_suspect *b = *(const void *const *)y;

	return cmp_receipt(a->received, a->org, a->report_id, b->received,
			   b->org, b->report_id);
}

/* Each organisation's domains in the window, by name: a->domains (sorted,
 * every domain with a line in the window among them) walked once, each
 * reporter marked in_window listing its domain. */
static void
org_domains(struct summary_agg *a)
{
	guint i, j;

	for (i = 0; i < a->orgs->len; i++) {
		struct summary_org *o = g_ptr_array_index(a->orgs, i);

		o->domains = g_ptr_array_sized_new(o->n_domains);
	}
	for (i = 0; i < a->domains->len; i++) {
		struct summary_domain *d = g_ptr_array_index(a->domains, i);

		for (j = 0; j < d->n_reporters; j++) {
			const struct summary_reporter *r = d->reporters[j];
			struct summary_org *o;

			if (!r->in_window)
				continue;
			o = g_hash_table_lookup(a->orgs_h, r->org);
			g_ptr_array_add(o->domains, d->name);
		}
	}
}

void
summary_agg_finish(struct summary_agg *a)
{
	GPtrArray *all;
	guint i, j;

	if (a->finished)
		return;
	a->finished = 1;
	/* First: it may add the groups of domains only the probe saw. */
	summary_probe_finish(a);
	/* Every group by name, sorted once: the listed ones keep the order,
	 * silence walks them all. */
	all = summary_values(a->domains_h);
	g_ptr_array_sort(all, cmp_domain);
	a->domains = g_ptr_array_new();
	for (j = 0; j < all->len; j++) {
		struct summary_domain *d = g_ptr_array_index(all, j);

		/* Kept sorted while short; past that, indexed (fold.c):
		 * sorted now. Names and days are unique in a domain. */
		if (d->cold != NULL && d->cold->index != NULL) {
			struct summary_domain_index *x = d->cold->index;

			summary_list_sort_indexed(d->reporters, d->n_reporters,
						  &x->reporters, cmp_reporter);
			summary_list_sort_indexed(d->days, d->n_days, &x->days,
						  cmp_day);
		}
		for (i = 0; i < d->n_reporters; i++)
			summary_reporter_sort_times(a, d->reporters[i]);
		summary_pairs_finish(d);
		if (d->in_window || d->in_prev || d->listed ||
		    summary_probe_found(d))
			g_ptr_array_add(a->domains, d);
	}

	a->orgs = summary_values(a->orgs_h);
	g_ptr_array_sort(a->orgs, cmp_org);
	org_domains(a);
	a->results = summary_values(a->results_h);
	g_ptr_array_sort(a->results, cmp_result);
	for (i = 0; i < a->results->len; i++) {
		struct summary_result *r = g_ptr_array_index(a->results, i);

		r->mx = summary_set_sorted(&r->mx_h);
		r->domains = summary_set_sorted(&r->domains_h);
	}
	a->mx = summary_values(a->mx_h);
	g_ptr_array_sort(a->mx, cmp_mx);
	for (i = 0; i < a->mx->len; i++) {
		struct summary_mx *m = g_ptr_array_index(a->mx, i);

		m->results = summary_set_sorted(&m->results_h);
		m->domains = summary_set_sorted(&m->domains_h);
	}
	a->senders = summary_values(a->senders_h);
	g_ptr_array_sort(a->senders, cmp_sender);
	for (i = 0; i < a->senders->len; i++) {
		struct summary_sender *s = g_ptr_array_index(a->senders, i);

		s->results = summary_set_sorted(&s->results_h);
		s->orgs = summary_set_sorted(&s->orgs_h);
	}
	a->days = summary_values(a->days_h);
	g_ptr_array_sort(a->days, cmp_day);
	g_ptr_array_sort(a->reports_list, cmp_report);
	g_ptr_array_sort(a->suspects, cmp_suspect);

	summary_readiness(a);
	summary_silence(a, all);
	g_ptr_array_free(all, TRUE);
	summary_triage(a);
}
