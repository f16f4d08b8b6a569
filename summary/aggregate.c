/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * aggregate.c -- the life of an aggregation: options, the look-back it
 * reads, its groups made (with the domains asked for), freed and made
 * anew. Folding records into the groups is fold.c's; sorting them and the
 * figures derived from them are finish.c's, readiness.c's and silence.c's.
 */
#include "summary/aggregate.h"

#include <string.h>

#include "base/siphash.h"
#include "intake/config.h"
#include "summary/probe.h"
#include "summary/window.h"

void
summary_options_default(struct summary_options *o)
{
	memset(o, 0, sizeof(*o));
	o->readiness_days = SUMMARY_READINESS_DAYS;
	o->readiness_min_reports = SUMMARY_READINESS_MIN_REPORTS;
	o->readiness_min_reporters = SUMMARY_READINESS_MIN_REPORTERS;
	/* The noise threshold: the defaults of SummaryMinFailures and
	 * SummaryMinShare (why these values: tlsrpt-milter.conf(5)). The
	 * constant parses (check_formats: test_threshold_defaults). */
	o->min_failures = CONFIG_SUMMARY_MIN_FAILURES;
	(void)config_share_ppm(CONFIG_SUMMARY_MIN_SHARE, &o->min_share_ppm);
	o->top_pairs = SUMMARY_TOP_PAIRS;
	o->domain_days = 1;
	o->rollups = TLSRPT_READER_ROLLUP_READ | TLSRPT_READER_ROLLUP_WRITE;
}

void
summary_append_replacing_len(GString *out, const char *s, size_t n,
			     const char *chars)
{
	for (size_t i = 0; i < n; i++) {
		if (strchr(chars, s[i]) != NULL)
			g_string_append(out, "\xef\xbf\xbd");
		else
			g_string_append_c(out, s[i]);
	}
}

void
summary_append_replacing(GString *out, const char *s, const char *chars)
{
	if (s != NULL)
		summary_append_replacing_len(out, s, strlen(s), chars);
}

int64_t
summary_lookback_start(const struct summary_options *o)
{
	int64_t len = o->until - o->since, back, start;

	back = len * SUMMARY_LOOKBACK_WINDOWS;
	if (back < (int64_t)SUMMARY_LOOKBACK_MIN_DAYS * SUMMARY_DAY)
		back = (int64_t)SUMMARY_LOOKBACK_MIN_DAYS * SUMMARY_DAY;
	if (back < (int64_t)o->readiness_days * SUMMARY_DAY)
		back = (int64_t)o->readiness_days * SUMMARY_DAY;
	start = o->until - back;
	if (o->since - len < start)
		start = o->since - len;
	return start;
}

double
summary_rate(const struct summary_counts *c)
{
	int64_t n = summary_sessions(c);

	if (n <= 0)
		return -1;
	return 100.0 * (double)c->successes / (double)n;
}

static void
domain_free(gpointer p)
{
	struct summary_domain *d = p;

	/* The domain, its reporters, days, mode tallies, pairs and reasons
	 * are the aggregation's slab; only the lists, the unknown types and
	 * the times past a reporter's first four (summary_agg_free) have a
	 * heap of their own. */
	g_free(d->reporters);
	g_free(d->days);
	summary_pairs_free(d);
	if (d->cold != NULL) {
		g_free(d->cold->other_types);
		if (d->cold->index != NULL) { /* unfinished: the tables */
			g_clear_pointer(&d->cold->index->reporters,
					g_hash_table_destroy);
			g_clear_pointer(&d->cold->index->days,
					g_hash_table_destroy);
		}
	}
}

static void
org_free(gpointer p)
{
	struct summary_org *o = p;

	if (o->domains != NULL)
		g_ptr_array_free(o->domains, TRUE);
	g_free(o->auth_domain);
	g_free(o->known_domain);
	g_free(o->name);
	g_free(o);
}

static void
result_free(gpointer p)
{
	struct summary_result *r = p;

	summary_set_clear(&r->mx_h);
	summary_set_clear(&r->domains_h);
	if (r->mx != NULL)
		g_ptr_array_free(r->mx, TRUE);
	if (r->domains != NULL)
		g_ptr_array_free(r->domains, TRUE);
	g_free(r->type);
	g_free(r);
}

static void
mx_free(gpointer p)
{
	struct summary_mx *m = p;

	summary_set_clear(&m->results_h);
	summary_set_clear(&m->domains_h);
	if (m->results != NULL)
		g_ptr_array_free(m->results, TRUE);
	if (m->domains != NULL)
		g_ptr_array_free(m->domains, TRUE);
	g_free(m->host);
	g_free(m->ip);
	g_free(m);
}

static void
sender_free(gpointer p)
{
	struct summary_sender *s = p;

	summary_set_clear(&s->results_h);
	summary_set_clear(&s->orgs_h);
	if (s->results != NULL)
		g_ptr_array_free(s->results, TRUE);
	if (s->orgs != NULL)
		g_ptr_array_free(s->orgs, TRUE);
	g_free(s->ip);
	g_free(s);
}

static void
report_free(gpointer p)
{
	struct summary_report *r = p;

	if (r == NULL)
		return;
	g_free(r->org);
	g_free(r->report_id);
	g_free(r->dkim);
	g_ptr_array_free(r->domains, TRUE);
	g_free(r);
}

static GHashTable *
day_table(void)
{
	return g_hash_table_new_full(tlsrpt_int64_hash, g_int64_equal, NULL,
				     g_free);
}

char *
summary_intern(const struct summary_agg *a, const char *s)
{
	struct summary_intern_memo *m =
		&a->intern_memo[((uintptr_t)s >> 3) &
				(SUMMARY_INTERN_MEMO - 1)];
	char *copy;

	if (m->asked == s && strcmp(m->copy, s) == 0)
		return m->copy;
	copy = g_hash_table_lookup(a->interned, s);
	if (copy == NULL) {
		copy = g_string_chunk_insert(a->strings, s);
		g_hash_table_add(a->interned, copy);
	}
	m->asked = s;
	m->copy = copy;
	return copy;
}

static guint
policy_seen_hash(gconstpointer k)
{
	const struct summary_policy_seen *p = k;
	/* Interned: equal names are equal addresses. Addresses are ours,
	 * not a sender's to choose, but keyed all the same. */
	uint64_t x = (uint64_t)(uintptr_t)p->sts_mode * 0x9e3779b97f4a7c15u ^
		     (uint64_t)(uintptr_t)p->mx;

	return tlsrpt_int64_hash(&x);
}

static gboolean
policy_seen_equal(gconstpointer x, gconstpointer y)
{
	const struct summary_policy_seen *p = x, *q = y;

	return p->sts_mode == q->sts_mode && p->mx == q->mx;
}

const struct summary_policy_seen *
summary_policy_seen(struct summary_agg *a,
		    const struct summary_policy_seen *cur, const char *mode,
		    const char *mx)
{
	struct summary_policy_seen key, *p;

	if (mode == NULL)
		mode = "unknown";
	/* A newer policy mostly names what the last did: two strcmp cost
	 * less than the lookups. */
	if (cur != NULL && strcmp(cur->sts_mode, mode) == 0 &&
	    summary_same_name(cur->mx, mx))
		return cur;
	key.sts_mode = summary_intern(a, mode);
	key.mx = mx != NULL ? summary_intern(a, mx) : NULL;
	p = g_hash_table_lookup(a->policies, &key);
	if (p == NULL) {
		/* Each pair came from a line read: 2^32 of them would
		 * take far more memory than malloc has to give. */
		g_assert(a->policies_v->len < UINT32_MAX);
		p = summary_slab_alloc0(a->slab, sizeof(*p));
		*p = key;
		p->ix = a->policies_v->len;
		g_ptr_array_add(a->policies_v, p);
		g_hash_table_add(a->policies, p);
	}
	return p;
}

struct summary_domain *
summary_agg_domain(struct summary_agg *a, const char *name)
{
	struct summary_domain *d = g_hash_table_lookup(a->domains_h, name);

	if (d != NULL)
		return d;
	d = summary_slab_alloc0(a->slab, sizeof(*d));
	d->name = summary_intern(a, name);
	g_hash_table_insert(a->domains_h, d->name, d);
	return d;
}

struct summary_domain_cold *
summary_domain_cold(struct summary_agg *a, struct summary_domain *d)
{
	if (d->cold == NULL)
		d->cold = summary_slab_alloc0(a->slab, sizeof(*d->cold));
	return d->cold;
}

const struct summary_domain_cold *
summary_cold_of(const struct summary_domain *d)
{
	static const struct summary_domain_cold none;

	return d->cold != NULL ? d->cold : &none;
}

struct summary_agg *
summary_agg_new(const struct summary_options *o)
{
	struct summary_agg *a = g_new0(struct summary_agg, 1);
	int64_t span;
	size_t i;

	a->opt = *o;
	a->strings = g_string_chunk_new(4096);
	a->interned = g_hash_table_new(tlsrpt_str_hash, g_str_equal);
	a->policies = g_hash_table_new(policy_seen_hash, policy_seen_equal);
	a->policies_v = g_ptr_array_new();
	a->intern_memo =
		g_new0(struct summary_intern_memo, SUMMARY_INTERN_MEMO);
	a->slab = summary_slab_new();
	a->reason_buf =
		g_array_new(FALSE, FALSE, sizeof(struct summary_reason));
	a->lookback = summary_lookback_start(o);
	/* Every time kept is in [lookback, until): an offset from lookback
	 * fits 32 bits unless the look-back spans more than 2^32 s. */
	a->times_wide = o->until > a->lookback &&
			(uint64_t)o->until - (uint64_t)a->lookback >
				(uint64_t)UINT32_MAX + 1;
	/* Gaps of at least the minimum interval that fit in the look-back
	 * (at most 2^26 days, so times_cap fits summary_reporter.n_times's
	 * 28 bits). */
	span = (o->until - a->lookback) / SUMMARY_SILENCE_MIN_INTERVAL;
	if (span < 0)
		span = 0;
	if (span > (1 << 26))
		span = 1 << 26;
	a->times_cap = 2 * (guint)span + 1;
	if (a->times_cap < SUMMARY_SILENCE_MIN_REPORTS)
		a->times_cap = SUMMARY_SILENCE_MIN_REPORTS;
	a->domains_h = g_hash_table_new_full(tlsrpt_str_hash, g_str_equal, NULL,
					     domain_free);
	a->orgs_h = g_hash_table_new_full(tlsrpt_str_hash, g_str_equal, NULL,
					  org_free);
	a->results_h = g_hash_table_new_full(tlsrpt_str_hash, g_str_equal, NULL,
					     result_free);
	a->mx_h = g_hash_table_new_full(tlsrpt_str_hash, g_str_equal, g_free,
					mx_free);
	a->senders_h = g_hash_table_new_full(tlsrpt_str_hash, g_str_equal,
					     g_free, sender_free);
	a->days_h = day_table();
	a->cur_key = g_string_new(NULL);
	a->cur_domains = g_string_new(NULL);
	a->line_domain = g_string_new(NULL);
	a->mx_items = g_string_new(NULL);
	a->mx_list = g_string_new(NULL);
	a->mx_at = g_ptr_array_new();
	a->reports_list = g_ptr_array_new_with_free_func(report_free);
	a->suspects = g_ptr_array_new_with_free_func(summary_suspect_free);
	a->conflicts = g_ptr_array_new_with_free_func(summary_conflict_free);
	a->probes_h = g_hash_table_new_full(tlsrpt_str_hash, g_str_equal, NULL,
					    summary_probe_free);
	/* Domains asked for exist from the start: silence needs them. */
	for (i = 0; i < o->n_domains; i++) {
		char *name = g_ascii_strdown(o->domains[i], -1);

		summary_agg_domain(a, name)->listed = 1;
		g_free(name);
	}
	return a;
}

static void
free_times(struct summary_agg *a, struct summary_domain *d)
{
	guint i;

	for (i = 0; i < d->n_reporters; i++)
		summary_reporter_free_times(a, d->reporters[i]);
}

void
summary_agg_free(struct summary_agg *a)
{
	GHashTableIter it;
	gpointer d;

	if (a == NULL)
		return;
	/* The reporters' times, when unfinished (finish frees them as it
	 * judges silence). */
	g_hash_table_iter_init(&it, a->domains_h);
	while (g_hash_table_iter_next(&it, NULL, &d))
		free_times(a, d);
	/* The sorted lists borrow from the tables: free them first. */
	if (a->domains != NULL)
		g_ptr_array_free(a->domains, TRUE);
	if (a->orgs != NULL)
		g_ptr_array_free(a->orgs, TRUE);
	if (a->results != NULL)
		g_ptr_array_free(a->results, TRUE);
	if (a->mx != NULL)
		g_ptr_array_free(a->mx, TRUE);
	if (a->senders != NULL)
		g_ptr_array_free(a->senders, TRUE);
	if (a->days != NULL)
		g_ptr_array_free(a->days, TRUE);
	if (a->silent_reporters != NULL)
		g_ptr_array_free(a->silent_reporters, TRUE);
	if (a->silent_domains != NULL)
		g_ptr_array_free(a->silent_domains, TRUE);
	if (a->triage != NULL)
		g_ptr_array_free(a->triage, TRUE);
	if (a->probes != NULL)
		g_ptr_array_free(a->probes, TRUE);
	if (a->policy_wide != NULL)
		g_hash_table_destroy(a->policy_wide);
	g_hash_table_destroy(a->policies);
	g_ptr_array_free(a->policies_v, TRUE);
	if (a->last_wide != NULL)
		g_hash_table_destroy(a->last_wide);
	g_hash_table_destroy(a->probes_h);
	g_hash_table_destroy(a->domains_h);
	g_hash_table_destroy(a->orgs_h);
	g_hash_table_destroy(a->results_h);
	g_hash_table_destroy(a->mx_h);
	g_hash_table_destroy(a->senders_h);
	g_hash_table_destroy(a->days_h);
	g_string_free(a->cur_key, TRUE);
	g_string_free(a->cur_domains, TRUE);
	g_string_free(a->line_domain, TRUE);
	g_string_free(a->mx_items, TRUE);
	g_string_free(a->mx_list, TRUE);
	g_ptr_array_free(a->mx_at, TRUE);
	g_ptr_array_free(a->reports_list, TRUE);
	g_ptr_array_free(a->suspects, TRUE);
	g_ptr_array_free(a->conflicts, TRUE);
	if (a->known_cache != NULL)
		g_hash_table_destroy(a->known_cache);
	g_hash_table_destroy(a->interned);
	g_free(a->intern_memo);
	g_string_chunk_free(a->strings); /* after every group naming them */
	summary_slab_free(a->slab);	 /* after every group in it */
	g_array_unref(a->reason_buf);
	g_free(a);
}

void
summary_agg_restart(struct summary_agg *a)
{
	struct summary_agg *fresh = summary_agg_new(&a->opt), old = *a;

	*a = *fresh;
	*fresh = old;
	summary_agg_free(fresh);
}

void
summary_agg_set_stats(struct summary_agg *a,
		      const struct tlsrpt_reader_stats *st)
{
	struct summary_problems *p = &a->problems;

	p->files = st->files;
	p->records = st->records;
	p->skipped = st->skipped;
	p->duplicates = st->duplicates;
	p->n_problems = st->n_problems;
	memcpy(p->problems, st->problems, sizeof(p->problems));
	p->unreadable = st->unreadable;
	p->n_unreadable_files = st->n_unreadable_files;
	memcpy(p->unreadable_files, st->unreadable_files,
	       sizeof(p->unreadable_files));
}
