/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pairs.c -- a domain's failed sessions by (result type, receiving MX), the
 * rows behind tlsrpt_failed_sessions{domain,result_type,receiving_mx} and
 * the JSON "failures-by-result-and-mx". Memory is bounded per domain: at
 * most SUMMARY_PAIRS_MAX pairs are kept; the sessions of any later new
 * pair go to pairs_over, so every session is still counted once (the
 * renderers' "other" sums stay exact) and only the ranking of such late
 * pairs is lost. Real domains have a few MX hosts and a few result types; a
 * reporter inventing names cannot grow this past the bound.
 */
#include "summary/aggregate.h"

#include <stdlib.h>
#include <string.h>

#include "base/count.h"

/* The pair (type, mx) of d: a short list searched in order (at most
 * SUMMARY_PAIRS_MAX, a few in a real domain), its names the aggregation's
 * one copy of each, so that a pointer compares them; the pairs are the
 * slab's (slab.h). A hash table per failing domain, with a key and two
 * copies per pair, took more than the rest of the group. */
void
summary_pairs_add(struct summary_agg *a, struct summary_domain *d,
		  const char *type, const char *mx, int64_t sessions)
{
	const char *t = summary_intern(a, type);
	const char *m = mx != NULL ? summary_intern(a, mx) : NULL;
	struct summary_domain_cold *c = summary_domain_cold(a, d);
	struct summary_pair *x = NULL;
	guint i;

	for (i = 0; i < c->n_pairs && x == NULL; i++) {
		struct summary_pair *y = c->pairs[i];

		if (y->type == t && y->mx == m)
			x = y;
	}
	if (x == NULL && c->n_pairs >= SUMMARY_PAIRS_MAX) {
		c->pairs_over = tlsrpt_count_add(c->pairs_over, sessions);
		return;
	}
	if (x == NULL) {
		x = summary_slab_alloc0(a->slab, sizeof(*x));
		x->type = (char *)t;
		x->mx = (char *)m;
		c->pairs = summary_list_insert(c->pairs, c->n_pairs, c->n_pairs,
					       x);
		c->n_pairs++;
	}
	x->sessions = tlsrpt_count_add(x->sessions, sessions);
}

/* Most sessions first; then by type and MX, so the order is stable. */
static gint
cmp_pair(gconstpointer p, gconstpointer q)
{
	const struct summary_pair *x = *(const void *const *)p;
	const struct summary_pair *y = *(const void *const *)q;
	int c;

	if (x->sessions != y->sessions)
		return x->sessions > y->sessions ? -1 : 1;
	if ((c = strcmp(x->type, y->type)) != 0)
		return c;
	if (x->mx == NULL || y->mx == NULL)
		return (x->mx == NULL) - (y->mx == NULL);
	return strcmp(x->mx, y->mx);
}

void
summary_pairs_finish(struct summary_domain *d)
{
	/* No list for a domain without failure details (most of a
	 * provider's): no cold part, or one with n_pairs 0. */
	if (d->cold != NULL && d->cold->n_pairs > 1)
		qsort(d->cold->pairs, d->cold->n_pairs, sizeof(gpointer),
		      cmp_pair);
}

void
summary_pairs_free(struct summary_domain *d)
{
	/* The pairs and their names are the aggregation's. */
	if (d->cold != NULL) {
		g_free(d->cold->pairs);
		d->cold->pairs = NULL;
		d->cold->n_pairs = 0;
	}
}
