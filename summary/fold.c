/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fold.c -- one record into the groups of an aggregation: which report it
 * belongs to, the reporter's history over the look-back, the latest
 * policy, the window's counts by domain, organisation and day, and the
 * failure details by result type, receiving MX and sending IP. Apart from
 * aggregate.c (making and freeing the groups) because this is the rule
 * book of what counts where; it never frees a group.
 */
#include "summary/aggregate.h"

#include <string.h>

#include "base/count.h"
#include "base/siphash.h"
#include "summary/window.h"

static int64_t
day_of(int64_t t)
{
	int64_t r = t % SUMMARY_DAY;

	if (r < 0)
		r += SUMMARY_DAY;
	/* Within a day of INT64_MIN (a start-datetime no parsed report
	 * carries, but the times come from files) the day's start is not
	 * an int64: the next day's, rather than an overflow. */
	if (t < INT64_MIN + r)
		return t + (SUMMARY_DAY - r);
	return t - r;
}

/* s into set, a set of names borrowing the aggregation's one copy of each
 * (the same domain or MX is in many sets), freed with the aggregation. */
static void
set_add(struct summary_agg *a, struct summary_set *set, const char *s)
{
	if (s != NULL && !summary_set_contains(set, s))
		summary_set_add(set, summary_intern(a, s));
}

static int
domain_wanted(const struct summary_agg *a, const char *name)
{
	size_t i;

	if (a->opt.n_domains == 0)
		return 1;
	for (i = 0; i < a->opt.n_domains; i++) {
		if (g_ascii_strcasecmp(a->opt.domains[i], name) == 0)
			return 1;
	}
	return 0;
}

/* d's index (aggregate.h), made on first use. */
static struct summary_domain_index *
domain_index(struct summary_agg *a, struct summary_domain *d)
{
	struct summary_domain_cold *c = summary_domain_cold(a, d);

	if (c->index == NULL)
		c->index = summary_slab_alloc0(a->slab, sizeof(*c->index));
	return c->index;
}

/* d's index, or a zero one when it has none. */
static const struct summary_domain_index *
index_of(const struct summary_domain *d)
{
	static const struct summary_domain_index none;

	return d->cold != NULL && d->cold->index != NULL ? d->cold->index
							 : &none;
}

static GHashTable *
str_table(void)
{
	return g_hash_table_new(tlsrpt_str_hash, g_str_equal);
}

static GHashTable *
int64_table(void)
{
	return g_hash_table_new(tlsrpt_int64_hash, g_int64_equal);
}

static gpointer
reporter_key(gpointer x)
{
	return (gpointer)((struct summary_reporter *)x)->org;
}

static gpointer
day_key(gpointer x)
{
	return &((struct summary_day *)x)->day;
}

/* Where org is, or would go, in d's sorted reporters: its index, with
 * *found set when it is there. */
static guint
reporter_place(const struct summary_domain *d, const char *org,
	       struct summary_reporter **found)
{
	guint lo = 0, hi = d->n_reporters;

	*found = NULL;
	while (lo < hi) {
		guint mid = lo + (hi - lo) / 2;
		struct summary_reporter *r = d->reporters[mid];
		int c = strcmp(r->org, org);

		if (c == 0) {
			*found = r;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* d's reporter org, made on first use: d->reporters stays sorted while
 * short (a binary search finds it), else the cold part's table finds it
 * and a new one is appended (slab.h: summary_list_append_indexed). */
static struct summary_reporter *
get_reporter(struct summary_agg *a, struct summary_domain *d, const char *org)
{
	GHashTable *h = index_of(d)->reporters;
	struct summary_reporter *r;
	guint at = d->n_reporters;

	if (h != NULL)
		r = g_hash_table_lookup(h, org);
	else
		at = reporter_place(d, org, &r);
	if (r != NULL)
		return r;
	r = summary_slab_alloc0(a->slab, sizeof(*r));
	r->org = summary_intern(a, org);
	if (h == NULL && d->n_reporters < SUMMARY_REPORTERS_INDEXED)
		d->reporters = summary_list_insert(d->reporters, d->n_reporters,
						   at, r);
	else
		d->reporters = summary_list_append_indexed(
			d->reporters, d->n_reporters, r,
			SUMMARY_REPORTERS_INDEXED,
			&domain_index(a, d)->reporters, str_table,
			reporter_key);
	d->n_reporters++;
	return r;
}

/* Where day is, or would go, in d's days (oldest first), as
 * reporter_place(). */
static guint
day_place(const struct summary_domain *d, int64_t day,
	  struct summary_day **found)
{
	guint lo = 0, hi = d->n_days;

	*found = NULL;
	while (lo < hi) {
		guint mid = lo + (hi - lo) / 2;
		struct summary_day *x = d->days[mid];

		if (x->day == day) {
			*found = x;
			return mid;
		}
		if (x->day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* d's day of time t in d->days, made on first use: a domain's lines fall
 * on a few days, but the start-datetime is the sender's (a table past
 * SUMMARY_DAYS_INDEXED, as reporters). */
static struct summary_day *
domain_day(struct summary_agg *a, struct summary_domain *d, int64_t t)
{
	GHashTable *h = index_of(d)->days;
	int64_t day = day_of(t);
	struct summary_day *x;
	guint at = d->n_days;

	if (h != NULL)
		x = g_hash_table_lookup(h, &day);
	else
		at = day_place(d, day, &x);
	if (x != NULL)
		return x;
	x = summary_slab_alloc0(a->slab, sizeof(*x));
	x->day = day;
	if (h == NULL && d->n_days < SUMMARY_DAYS_INDEXED)
		d->days = summary_list_insert(d->days, d->n_days, at, x);
	else
		d->days = summary_list_append_indexed(
			d->days, d->n_days, x, SUMMARY_DAYS_INDEXED,
			&domain_index(a, d)->days, int64_table, day_key);
	d->n_days++;
	return x;
}

static struct summary_day *
get_day(GHashTable *h, int64_t t)
{
	int64_t day = day_of(t);
	struct summary_day *d = g_hash_table_lookup(h, &day);

	if (d != NULL)
		return d;
	d = g_new0(struct summary_day, 1);
	d->day = day;
	g_hash_table_insert(h, &d->day, d);
	return d;
}

/* An item of a space-separated list (summary_domain.mx, other_types),
 * appended to out: trimmed, its inner white space made U+FFFD (an MX
 * pattern or a policy type has none; a report may), so that the list
 * splits back into the items exactly (the JSON and CSV lists). 0 (out
 * unchanged) when empty, else 1. */
static int
append_item(GString *out, const char *s)
{
	const char *b = s, *e;

	while (g_ascii_isspace(*b))
		b++;
	e = b + strlen(b);
	while (e > b && g_ascii_isspace(e[-1]))
		e--;
	if (e == b)
		return 0;
	/* Most items have no white space inside ("mx: *.example" has some
	 * before): copied whole. Else g_ascii_isspace()'s set replaced. */
	if ((size_t)(e - b) <= strcspn(b, " \t\n\v\f\r"))
		g_string_append_len(out, b, (gssize)(e - b));
	else
		summary_append_replacing_len(out, b, (size_t)(e - b),
					     " \t\n\v\f\r");
	return 1;
}

/* append_item() of s as a string of its own, or NULL when empty. */
static char *
list_item(const char *s)
{
	GString *t = g_string_new(NULL);

	if (!append_item(t, s)) {
		g_string_free(t, TRUE);
		return NULL;
	}
	return g_string_free(t, FALSE);
}

/* s as an item of a's MX list being built (policy_mx). */
static void
add_mx_item(struct summary_agg *a, const char *s)
{
	gsize at = a->mx_items->len;

	if (append_item(a->mx_items, s)) {
		g_string_append_c(a->mx_items, '\0');
		g_ptr_array_add(a->mx_at, GSIZE_TO_POINTER(at));
	}
}

/* The MX patterns of a policy: the "mx:" lines of an sts policy string if
 * there are any (the policy as the reporter fetched it), else mx-host;
 * sorted, without repeats, joined by spaces. NULL when there are none;
 * else a's buffer, good until the next call. */
static const char *
policy_mx(struct summary_agg *a, const struct tlsrpt_policy *p)
{
	GPtrArray *v = a->mx_at;
	size_t i;
	guint j;

	g_string_truncate(a->mx_items, 0);
	g_ptr_array_set_size(v, 0);
	for (i = 0; i < p->n_policy_strings; i++) {
		const char *l = p->policy_strings[i];

		if (g_ascii_strncasecmp(l, "mx:", 3) == 0)
			add_mx_item(a, l + 3);
	}
	for (i = 0; v->len == 0 && i < p->n_mx_hosts; i++)
		add_mx_item(a, p->mx_hosts[i]);
	if (v->len == 0)
		return NULL;
	/* The items' places, now that mx_items no longer moves. */
	for (j = 0; j < v->len; j++)
		v->pdata[j] = a->mx_items->str + GPOINTER_TO_SIZE(v->pdata[j]);
	if (v->len > 1)
		g_ptr_array_sort(v, summary_cmp_str);
	g_string_truncate(a->mx_list, 0);
	for (j = 0; j < v->len; j++) {
		const char *m = g_ptr_array_index(v, j);

		if (j > 0 && strcmp(m, g_ptr_array_index(v, j - 1)) == 0)
			continue;
		if (a->mx_list->len > 0)
			g_string_append_c(a->mx_list, ' ');
		g_string_append(a->mx_list, m);
	}
	return a->mx_list->str;
}

/* The latest policy is that of the report received last: its dates are
 * the sender's to choose (one forged report dated 9999 would otherwise
 * stay "latest" for good), its receipt time is ours. Reports received in
 * the same second are ordered by start-datetime, then as read. */
static int
policy_newer(const char *mode, int64_t received, int64_t seen,
	     const struct tlsrpt_record *rec)
{
	return mode == NULL || rec->received > received ||
	       (rec->received == received && rec->start_time >= seen);
}

/* *slot = s interned, unless it holds s already: a newer policy mostly
 * names the mode and MX the last did, and a lookup in the aggregation's
 * table of every name costs a cache miss or two where a strcmp costs
 * none. */
static void
intern_into(struct summary_agg *a, const char **slot, const char *s)
{
	if (s == NULL)
		*slot = NULL;
	else if (*slot == NULL || strcmp(*slot, s) != 0)
		*slot = summary_intern(a, s);
}

/* The mode and MX of a newer latest policy, interned. */
static void
set_policy(struct summary_agg *a, const char **mode, const char **mx,
	   const char *new_mode, const char *new_mx)
{
	intern_into(a, mode, new_mode != NULL ? new_mode : "unknown");
	intern_into(a, mx, new_mx);
}

static void
note_policy_type(struct summary_agg *a, struct summary_domain *d,
		 const struct tlsrpt_policy *p)
{
	struct summary_domain_cold *c;
	char *both, *type;

	switch (p->type) {
	case TLSRPT_POLICY_STS: d->policy_types |= SUMMARY_PT_STS; return;
	case TLSRPT_POLICY_TLSA: d->policy_types |= SUMMARY_PT_TLSA; return;
	case TLSRPT_POLICY_NO_POLICY_FOUND:
		d->policy_types |= SUMMARY_PT_NO_POLICY;
		return;
	case TLSRPT_POLICY_OTHER: break;
	}
	d->policy_types |= SUMMARY_PT_OTHER;
	if ((type = list_item(p->policy_type)) == NULL)
		return;
	c = summary_domain_cold(a, d);
	if (c->other_types == NULL) {
		c->other_types = type;
		return;
	}
	/* Few distinct unknown types exist; a linear look is fine. */
	{
		char **v = g_strsplit(c->other_types, " ", -1);
		int found = g_strv_contains((const char *const *)v, type);

		g_strfreev(v);
		if (found || strlen(c->other_types) > 200) {
			g_free(type);
			return;
		}
	}
	both = g_strconcat(c->other_types, " ", type, NULL);
	g_free(type);
	g_free(c->other_types);
	c->other_types = both;
}

/* The key of a detail's MX in a->mx_h, "host\tip" (either may be empty):
 * in buf when it fits, else a new string. */
static char *
mx_key(char *buf, size_t size, const struct tlsrpt_failure_detail *fd)
{
	const char *h = fd->receiving_mx_hostname != NULL
				? fd->receiving_mx_hostname
				: "";
	const char *ip = fd->receiving_ip != NULL ? fd->receiving_ip : "";
	size_t nh = strlen(h), ni = strlen(ip);

	if (nh + ni + 2 > size)
		return g_strconcat(h, "\t", ip, NULL);
	memcpy(buf, h, nh);
	buf[nh] = '\t';
	memcpy(buf + nh + 1, ip, ni + 1);
	return buf;
}

/* Failure details of one policy in the window into the detail groups, and
 * the consistency of its counts. */
static void
add_details(struct summary_agg *a, struct summary_domain *d,
	    const struct tlsrpt_record *rec)
{
	const struct tlsrpt_policy *p = &rec->policy;
	int64_t sum = 0;
	size_t i;

	for (i = 0; i < p->n_failure_details; i++) {
		const struct tlsrpt_failure_detail *fd = &p->failure_details[i];
		/* The MX as a person names it: its host, else its IP. */
		const char *mx = fd->receiving_mx_hostname != NULL
					 ? fd->receiving_mx_hostname
					 : fd->receiving_ip;
		struct summary_result *r;
		struct summary_mx *m;
		struct summary_sender *s;
		char buf[256], *key;
		const char *ip;

		sum = tlsrpt_count_add(sum, fd->failed_session_count);
		if (fd->failed_session_count > p->total_failure_session_count)
			a->problems.detail_over_total++;
		r = g_hash_table_lookup(a->results_h, fd->result_type);
		if (r == NULL) {
			r = g_new0(struct summary_result, 1);
			r->type = g_strdup(fd->result_type);
			g_hash_table_insert(a->results_h, r->type, r);
		}
		r->sessions =
			tlsrpt_count_add(r->sessions, fd->failed_session_count);
		r->details++;
		set_add(a, &r->mx_h, mx);
		set_add(a, &r->domains_h, d->name);
		summary_pairs_add(a, d, fd->result_type, mx,
				  fd->failed_session_count);

		/* "host\tip", looked up from the stack when it fits: a
		 * copy is made only for a new MX. */
		key = mx_key(buf, sizeof(buf), fd);
		m = g_hash_table_lookup(a->mx_h, key);
		if (m == NULL) {
			m = g_new0(struct summary_mx, 1);
			m->host = g_strdup(fd->receiving_mx_hostname);
			m->ip = g_strdup(fd->receiving_ip);
			g_hash_table_insert(
				a->mx_h, key == buf ? g_strdup(buf) : key, m);
		} else if (key != buf) {
			g_free(key);
		}
		m->failures =
			tlsrpt_count_add(m->failures, fd->failed_session_count);
		set_add(a, &m->results_h, fd->result_type);
		set_add(a, &m->domains_h, d->name);

		ip = fd->sending_mta_ip != NULL ? fd->sending_mta_ip : "";
		s = g_hash_table_lookup(a->senders_h, ip);
		if (s == NULL) {
			s = g_new0(struct summary_sender, 1);
			s->ip = g_strdup(fd->sending_mta_ip);
			g_hash_table_insert(a->senders_h, g_strdup(ip), s);
		}
		s->failures =
			tlsrpt_count_add(s->failures, fd->failed_session_count);
		set_add(a, &s->results_h, fd->result_type);
		set_add(a, &s->orgs_h, rec->organization_name);
	}
	if (p->total_failure_session_count > 0 && p->n_failure_details == 0)
		a->problems.no_details++;
	else if (sum < p->total_failure_session_count)
		a->problems.details_short++;
	if (sum < p->total_failure_session_count) {
		int64_t left = p->total_failure_session_count - sum;

		struct summary_domain_cold *c = summary_domain_cold(a, d);

		c->unexplained = tlsrpt_count_add(c->unexplained, left);
		a->problems.unexplained =
			tlsrpt_count_add(a->problems.unexplained, left);
	}
}

/* s in lower case (ASCII) in buf, which it returns the text of. */
static const char *
lower_into(GString *buf, const char *s)
{
	g_string_truncate(buf, 0);
	g_string_append(buf, s);
	return g_string_ascii_down(buf)->str;
}

/* Track which report the lines belong to; returns 1 when rec starts a new
 * report, and sets *new_for_domain when it is the report's first line for
 * that domain (a report may hold several policies of one domain). */
static int
track_report(struct summary_agg *a, const struct tlsrpt_record *rec,
	     const char *domain, int *new_for_domain)
{
	size_t lo = strlen(rec->organization_name);
	const GString *k = a->cur_key;
	/* cur_key is org NUL id (a NUL is in no name, so no two keys meet):
	 * compared in place, built only on a change. A first line
	 * (policy-index 0) starts a report even under the same key: two
	 * versions of one id (a conflict) are two reports. */
	int is_new = k->len == 0 || rec->policy_index == 0 || k->len <= lo ||
		     memcmp(k->str, rec->organization_name, lo + 1) != 0 ||
		     strcmp(k->str + lo + 1, rec->report_id) != 0;
	const char *at, *end;

	if (is_new) {
		g_string_truncate(a->cur_key, 0);
		g_string_append_len(a->cur_key, rec->organization_name,
				    (gssize)lo + 1);
		g_string_append(a->cur_key, rec->report_id);
		g_string_truncate(a->cur_domains, 0);
		a->cur_report = NULL;
	}
	*new_for_domain = 1;
	end = a->cur_domains->str + a->cur_domains->len;
	for (at = a->cur_domains->str; at < end; at += strlen(at) + 1) {
		if (strcmp(at, domain) == 0) {
			*new_for_domain = 0;
			break;
		}
	}
	if (*new_for_domain)
		g_string_append_len(a->cur_domains, domain,
				    (gssize)strlen(domain) + 1);
	return is_new;
}

static void
add_window(struct summary_agg *a, struct summary_domain *d,
	   struct summary_reporter *rep, const struct tlsrpt_record *rec,
	   int new_report, int new_for_domain)
{
	const struct tlsrpt_policy *p = &rec->policy;
	struct summary_org *o;
	struct summary_day *day;

	d->in_window = 1;
	summary_counts_add(&d->cur, p);
	summary_counts_add(&a->total, p);
	note_policy_type(a, d, p);
	/* Only a failing domain gets a cold part: adding 0 changes nothing. */
	if (p->type == TLSRPT_POLICY_STS &&
	    p->total_failure_session_count != 0) {
		struct summary_domain_cold *c = summary_domain_cold(a, d);

		c->sts_failures = tlsrpt_count_add(
			c->sts_failures, p->total_failure_session_count);
	}
	if (new_for_domain)
		d->reports++;
	if (a->opt.domain_days) {
		day = domain_day(a, d, rec->start_time);
		summary_counts_add(&day->c, p);
		if (new_for_domain)
			day->reports++;
	}
	day = get_day(a->days_h, rec->start_time);
	summary_counts_add(&day->c, p);
	if (new_report)
		day->reports++;

	o = g_hash_table_lookup(a->orgs_h, rec->organization_name);
	if (o == NULL) {
		o = g_new0(struct summary_org, 1);
		o->name = g_strdup(rec->organization_name);
		g_hash_table_insert(a->orgs_h, o->name, o);
	}
	summary_counts_add(&o->c, p);
	/* rep is d's reporter of this organisation (summary_agg_add): the
	 * pair is counted once, finish lists it. */
	if (!rep->in_window) {
		rep->in_window = 1;
		o->n_domains++;
	}
	if (rec->received > o->last_report)
		o->last_report = rec->received;
	if (new_report) {
		a->reports++;
		o->reports++;
		summary_trust_org(a, o);
		if (rec->dkim == TLSRPT_DKIM_FAIL) {
			o->dkim_fail++;
			a->problems.dkim_fail++;
		}
	}
	add_details(a, d, rec);

	if (!a->opt.collect_reports)
		return;
	if (a->cur_report == NULL) {
		struct summary_report *r = g_new0(struct summary_report, 1);

		r->org = g_strdup(rec->organization_name);
		r->report_id = g_strdup(rec->report_id);
		r->dkim = g_strdup(tlsrpt_dkim_name(rec->dkim));
		r->start = rec->start_time;
		r->end = rec->end_time;
		r->received = rec->received;
		r->domains = g_ptr_array_new_with_free_func(g_free);
		g_ptr_array_add(a->reports_list, r);
		a->cur_report = r;
	}
	if (new_for_domain)
		g_ptr_array_add(a->cur_report->domains, g_strdup(d->name));
	summary_counts_add(&a->cur_report->c, p);
}

void
summary_agg_add(struct summary_agg *a, const struct tlsrpt_record *rec)
{
	const struct tlsrpt_policy *p = &rec->policy;
	const struct summary_options *o = &a->opt;
	struct summary_domain *d;
	struct summary_reporter *r;
	const char *name;
	int new_report, new_for_domain;
	int64_t t = rec->received;

	if (a->finished || t < a->lookback || t >= o->until)
		return;
	name = lower_into(a->line_domain, p->policy_domain != NULL
						  ? p->policy_domain
						  : SUMMARY_NO_DOMAIN);
	if (!domain_wanted(a, name))
		return;
	new_report = track_report(a, rec, name, &new_for_domain);
	if (new_report)
		summary_trust_classify(a, rec);
	if (a->cur_id.auth == SUMMARY_AUTH_IMPERSONATION) {
		/* Out of the verdict and every count; listed on its own. */
		if (t >= o->since)
			summary_trust_suspect(a, rec, name, new_report,
					      new_for_domain);
		return;
	}
	if (o->verified_only && rec->dkim != TLSRPT_DKIM_PASS) {
		if (new_report && t >= o->since)
			a->problems.unverified_dropped++;
		return;
	}
	d = summary_agg_domain(a, name);

	/* History, over the whole look-back. */
	if (t > d->last_report)
		d->last_report = t;
	r = get_reporter(a, d, rec->organization_name);
	if (new_for_domain) {
		summary_reporter_add_time(a, r, t);
		if (t >= o->until - (int64_t)o->readiness_days * SUMMARY_DAY &&
		    r->recent_reports < UINT32_MAX)
			r->recent_reports++;
	}
	summary_reporter_note_last(a, r, t);
	if (p->type == TLSRPT_POLICY_STS) {
		const char *mode = tlsrpt_policy_sts_mode(p);
		const char *mx = policy_mx(a, p);
		int64_t recv = 0, seen = 0;

		/* A reporter that could not fetch the policy saw no mode:
		 * that says nothing about the domain's policy, only about
		 * that reporter's view of it. */
		summary_readiness_fold(a, d, r, rec, mode);
		if ((mode != NULL || d->sts_mode == NULL) &&
		    policy_newer(d->sts_mode, d->policy_recv, d->policy_seen,
				 rec)) {
			set_policy(a, &d->sts_mode, &d->mx, mode, mx);
			d->policy_recv = rec->received;
			d->policy_seen = rec->start_time;
		}
		if (r->policy != 0)
			summary_reporter_policy(a, r, &recv, &seen);
		if (policy_newer(summary_reporter_mode(a, r), recv, seen,
				 rec)) {
			summary_reporter_sees(
				r, summary_policy_seen(
					   a, summary_reporter_seen(a, r), mode,
					   mx));
			summary_reporter_set_policy(a, r, rec->received,
						    rec->start_time);
		}
		if (t >= o->until - (int64_t)o->readiness_days * SUMMARY_DAY &&
		    p->total_failure_session_count != 0) {
			struct summary_domain_cold *c =
				summary_domain_cold(a, d);

			c->recent_sts_failures = tlsrpt_count_add(
				c->recent_sts_failures,
				p->total_failure_session_count);
		}
	}

	if (t >= o->since) {
		add_window(a, d, r, rec, new_report, new_for_domain);
	} else if (t >= o->since - (o->until - o->since)) {
		d->in_prev = 1;
		summary_counts_add(&d->prev, p);
		summary_counts_add(&a->prev_total, p);
		if (new_for_domain)
			d->prev_reports++;
	}
}
