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

#include <string.h>

#include "base/count.h"

static void
pair_free(gpointer p)
{
	struct summary_pair *x = p;

	g_free(x->type);
	g_free(x->mx);
	g_free(x);
}

/* The key of a pair, "LEN:TYPE+MX" or "LEN:TYPE-": the type's length
 * first, so that no type or MX (any string a report holds) can make two
 * pairs one key. In buf when it fits (a lookup then allocates nothing),
 * else a new string. */
static char *
pair_key(char *buf, size_t size, const char *type, const char *mx)
{
	size_t nt = strlen(type), nm = mx != NULL ? strlen(mx) : 0;
	int n;

	if (nt + nm + 24 > size)
		return g_strdup_printf("%zu:%s%c%s", nt, type,
				       mx != NULL ? '+' : '-',
				       mx != NULL ? mx : "");
	n = g_snprintf(buf, size, "%zu:", nt);
	memcpy(buf + n, type, nt);
	buf[n + nt] = mx != NULL ? '+' : '-';
	memcpy(buf + n + nt + 1, mx != NULL ? mx : "", nm + 1);
	return buf;
}

void
summary_pairs_add(struct summary_domain *d, const char *type, const char *mx,
		  int64_t sessions)
{
	char buf[256], *key = pair_key(buf, sizeof(buf), type, mx);
	struct summary_pair *x;

	if (d->pairs_h == NULL)
		d->pairs_h = g_hash_table_new_full(g_str_hash, g_str_equal,
						   g_free, pair_free);
	x = g_hash_table_lookup(d->pairs_h, key);
	if (x == NULL && g_hash_table_size(d->pairs_h) >= SUMMARY_PAIRS_MAX) {
		d->pairs_over = tlsrpt_count_add(d->pairs_over, sessions);
	} else if (x == NULL) {
		x = g_new0(struct summary_pair, 1);
		x->type = g_strdup(type);
		x->mx = g_strdup(mx);
		g_hash_table_insert(d->pairs_h,
				    key == buf ? g_strdup(buf) : key, x);
		key = buf; /* taken by the table */
	}
	if (key != buf)
		g_free(key);
	if (x == NULL)
		return;
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
	 * provider's): d->pairs stays NULL, which the readers allow. */
	if (d->pairs_h == NULL)
		return;
	d->pairs = summary_values(d->pairs_h);
	g_ptr_array_sort(d->pairs, cmp_pair);
}

void
summary_pairs_free(struct summary_domain *d)
{
	if (d->pairs != NULL)
		g_ptr_array_free(d->pairs, TRUE);
	if (d->pairs_h != NULL)
		g_hash_table_destroy(d->pairs_h);
	d->pairs = NULL;
	d->pairs_h = NULL;
}
