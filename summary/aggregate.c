/* aggregate.c -- records into groups, one at a time. */
#include "summary/aggregate.h"

#include <string.h>

#include "base/count.h"
#include "summary/window.h"

void
summary_options_default(struct summary_options *o)
{
	memset(o, 0, sizeof(*o));
	o->readiness_days = SUMMARY_READINESS_DAYS;
	o->readiness_min_reports = SUMMARY_READINESS_MIN_REPORTS;
	o->readiness_min_reporters = SUMMARY_READINESS_MIN_REPORTERS;
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

static int64_t
day_of(int64_t t)
{
	int64_t d = t / SUMMARY_DAY;

	if (t % SUMMARY_DAY < 0)
		d--;
	return d * SUMMARY_DAY;
}

static void
reporter_free(gpointer p)
{
	struct summary_reporter *r = p;

	g_free(r->org);
	if (r->times != NULL)
		g_array_free(r->times, TRUE);
	g_free(r->sts_mode);
	g_free(r->mx);
	g_free(r);
}

static void
domain_free(gpointer p)
{
	struct summary_domain *d = p;
	guint i;

	g_hash_table_destroy(d->reporters);
	g_hash_table_destroy(d->days_h);
	if (d->reporter_list != NULL)
		g_ptr_array_free(d->reporter_list, TRUE);
	if (d->days != NULL)
		g_ptr_array_free(d->days, TRUE);
	if (d->reasons != NULL) {
		for (i = 0; i < d->reasons->len; i++)
			g_free(g_array_index(d->reasons, struct summary_reason,
					     i)
				       .text);
		g_array_free(d->reasons, TRUE);
	}
	g_free(d->other_types);
	g_free(d->sts_mode);
	g_free(d->mx);
	g_free(d->name);
	g_free(d);
}

static void
org_free(gpointer p)
{
	struct summary_org *o = p;

	g_hash_table_destroy(o->domains_h);
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

	g_hash_table_destroy(r->mx_h);
	g_hash_table_destroy(r->domains_h);
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

	g_hash_table_destroy(m->results_h);
	g_hash_table_destroy(m->domains_h);
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

	g_hash_table_destroy(s->results_h);
	g_hash_table_destroy(s->orgs_h);
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
string_set(void)
{
	return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

static void
set_add(GHashTable *set, const char *s)
{
	if (s != NULL && !g_hash_table_contains(set, s))
		g_hash_table_add(set, g_strdup(s));
}

static GHashTable *
day_table(void)
{
	return g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, g_free);
}

struct summary_agg *
summary_agg_new(const struct summary_options *o)
{
	struct summary_agg *a = g_new0(struct summary_agg, 1);
	int64_t span;
	size_t i;

	a->opt = *o;
	a->lookback = summary_lookback_start(o);
	/* Gaps of at least the minimum interval that fit in the look-back. */
	span = (o->until - a->lookback) / SUMMARY_SILENCE_MIN_INTERVAL;
	if (span < 0)
		span = 0;
	if (span > G_MAXUINT / 4)
		span = G_MAXUINT / 4;
	a->times_cap = 2 * (guint)span + 1;
	if (a->times_cap < SUMMARY_SILENCE_MIN_REPORTS)
		a->times_cap = SUMMARY_SILENCE_MIN_REPORTS;
	a->domains_h = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
					     domain_free);
	a->orgs_h =
		g_hash_table_new_full(g_str_hash, g_str_equal, NULL, org_free);
	a->results_h = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
					     result_free);
	a->mx_h =
		g_hash_table_new_full(g_str_hash, g_str_equal, g_free, mx_free);
	a->senders_h = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					     sender_free);
	a->days_h = day_table();
	a->cur_domains = g_ptr_array_new_with_free_func(g_free);
	a->reports_list = g_ptr_array_new_with_free_func(report_free);
	a->suspects = g_ptr_array_new_with_free_func(summary_suspect_free);
	a->conflicts = g_ptr_array_new_with_free_func(summary_conflict_free);
	/* Domains asked for exist from the start: silence needs them. */
	for (i = 0; i < o->n_domains; i++) {
		char *name = g_ascii_strdown(o->domains[i], -1);
		struct summary_domain *d;

		d = g_hash_table_lookup(a->domains_h, name);
		if (d == NULL) {
			d = g_new0(struct summary_domain, 1);
			d->name = name;
			d->reporters = g_hash_table_new_full(
				g_str_hash, g_str_equal, NULL, reporter_free);
			d->days_h = day_table();
			g_hash_table_insert(a->domains_h, d->name, d);
		} else {
			g_free(name);
		}
		d->listed = 1;
	}
	return a;
}

void
summary_agg_free(struct summary_agg *a)
{
	if (a == NULL)
		return;
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
	g_hash_table_destroy(a->domains_h);
	g_hash_table_destroy(a->orgs_h);
	g_hash_table_destroy(a->results_h);
	g_hash_table_destroy(a->mx_h);
	g_hash_table_destroy(a->senders_h);
	g_hash_table_destroy(a->days_h);
	g_ptr_array_free(a->cur_domains, TRUE);
	g_ptr_array_free(a->reports_list, TRUE);
	g_ptr_array_free(a->suspects, TRUE);
	g_ptr_array_free(a->conflicts, TRUE);
	if (a->known_cache != NULL)
		g_hash_table_destroy(a->known_cache);
	g_free(a->cur_key);
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

static struct summary_domain *
get_domain(struct summary_agg *a, const char *name)
{
	struct summary_domain *d = g_hash_table_lookup(a->domains_h, name);

	if (d != NULL)
		return d;
	d = g_new0(struct summary_domain, 1);
	d->name = g_strdup(name);
	d->reporters = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
					     reporter_free);
	d->days_h = day_table();
	g_hash_table_insert(a->domains_h, d->name, d);
	return d;
}

static struct summary_reporter *
get_reporter(struct summary_domain *d, const char *org)
{
	struct summary_reporter *r = g_hash_table_lookup(d->reporters, org);

	if (r != NULL)
		return r;
	r = g_new0(struct summary_reporter, 1);
	r->org = g_strdup(org);
	r->domain = d->name;
	r->times = g_array_new(FALSE, FALSE, sizeof(int64_t));
	g_hash_table_insert(d->reporters, r->org, r);
	return r;
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

static gint
cmp_str(gconstpointer x, gconstpointer y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* The MX patterns of a policy: the "mx:" lines of an sts policy string if
 * there are any (the policy as the reporter fetched it), else mx-host;
 * sorted, without repeats, joined by spaces. NULL when there are none. */
static char *
policy_mx(const struct tlsrpt_policy *p)
{
	GPtrArray *v = g_ptr_array_new();
	GString *s;
	size_t i;
	guint j;

	for (i = 0; i < p->n_policy_strings; i++) {
		const char *l = p->policy_strings[i];

		if (g_ascii_strncasecmp(l, "mx:", 3) == 0)
			g_ptr_array_add(v, g_strstrip(g_strdup(l + 3)));
	}
	for (i = 0; v->len == 0 && i < p->n_mx_hosts; i++)
		g_ptr_array_add(v, g_strstrip(g_strdup(p->mx_hosts[i])));
	if (v->len == 0) {
		g_ptr_array_free(v, TRUE);
		return NULL;
	}
	g_ptr_array_sort(v, cmp_str);
	s = g_string_new(NULL);
	for (j = 0; j < v->len; j++) {
		char *m = g_ptr_array_index(v, j);

		if (j > 0 && strcmp(m, g_ptr_array_index(v, j - 1)) == 0)
			continue;
		if (s->len > 0)
			g_string_append_c(s, ' ');
		g_string_append(s, m);
	}
	g_ptr_array_set_free_func(v, g_free);
	g_ptr_array_free(v, TRUE);
	return g_string_free(s, FALSE);
}

/* The latest policy is that of the report received last: its dates are
 * the sender's to choose (one forged report dated 9999 would otherwise
 * stay "latest" for good), its receipt time is ours. Reports received in
 * the same second are ordered by start-datetime, then as read. */
static void
set_policy(char **mode, char **mx, int64_t *received, int64_t *seen,
	   const char *new_mode, const char *new_mx,
	   const struct tlsrpt_record *rec)
{
	if (*mode != NULL &&
	    (rec->received < *received ||
	     (rec->received == *received && rec->start_time < *seen)))
		return;
	g_free(*mode);
	g_free(*mx);
	*mode = g_strdup(new_mode != NULL ? new_mode : "unknown");
	*mx = g_strdup(new_mx);
	*received = rec->received;
	*seen = rec->start_time;
}

static void
note_policy_type(struct summary_domain *d, const struct tlsrpt_policy *p)
{
	char *both;

	switch (p->type) {
	case TLSRPT_POLICY_STS: d->policy_types |= SUMMARY_PT_STS; return;
	case TLSRPT_POLICY_TLSA: d->policy_types |= SUMMARY_PT_TLSA; return;
	case TLSRPT_POLICY_NO_POLICY_FOUND:
		d->policy_types |= SUMMARY_PT_NO_POLICY;
		return;
	case TLSRPT_POLICY_OTHER: break;
	}
	d->policy_types |= SUMMARY_PT_OTHER;
	if (d->other_types == NULL) {
		d->other_types = g_strdup(p->policy_type);
		return;
	}
	/* Few distinct unknown types exist; a linear look is fine. */
	{
		char **v = g_strsplit(d->other_types, " ", -1);
		int found =
			g_strv_contains((const char *const *)v, p->policy_type);

		g_strfreev(v);
		if (found || strlen(d->other_types) > 200)
			return;
	}
	both = g_strconcat(d->other_types, " ", p->policy_type, NULL);
	g_free(d->other_types);
	d->other_types = both;
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
		struct summary_result *r;
		struct summary_mx *m;
		struct summary_sender *s;
		char *key;

		sum = tlsrpt_count_add(sum, fd->failed_session_count);
		if (fd->failed_session_count > p->total_failure_session_count)
			a->problems.detail_over_total++;
		r = g_hash_table_lookup(a->results_h, fd->result_type);
		if (r == NULL) {
			r = g_new0(struct summary_result, 1);
			r->type = g_strdup(fd->result_type);
			r->mx_h = string_set();
			r->domains_h = string_set();
			g_hash_table_insert(a->results_h, r->type, r);
		}
		r->sessions =
			tlsrpt_count_add(r->sessions, fd->failed_session_count);
		r->details++;
		set_add(r->mx_h, fd->receiving_mx_hostname != NULL
					 ? fd->receiving_mx_hostname
					 : fd->receiving_ip);
		set_add(r->domains_h, d->name);

		key = g_strdup_printf(
			"%s\t%s",
			fd->receiving_mx_hostname != NULL
				? fd->receiving_mx_hostname
				: "",
			fd->receiving_ip != NULL ? fd->receiving_ip : "");
		m = g_hash_table_lookup(a->mx_h, key);
		if (m == NULL) {
			m = g_new0(struct summary_mx, 1);
			m->host = g_strdup(fd->receiving_mx_hostname);
			m->ip = g_strdup(fd->receiving_ip);
			m->results_h = string_set();
			m->domains_h = string_set();
			g_hash_table_insert(a->mx_h, key, m);
		} else {
			g_free(key);
		}
		m->failures =
			tlsrpt_count_add(m->failures, fd->failed_session_count);
		set_add(m->results_h, fd->result_type);
		set_add(m->domains_h, d->name);

		key = g_strdup(fd->sending_mta_ip != NULL ? fd->sending_mta_ip
							  : "");
		s = g_hash_table_lookup(a->senders_h, key);
		if (s == NULL) {
			s = g_new0(struct summary_sender, 1);
			s->ip = g_strdup(fd->sending_mta_ip);
			s->results_h = string_set();
			s->orgs_h = string_set();
			g_hash_table_insert(a->senders_h, key, s);
		} else {
			g_free(key);
		}
		s->failures =
			tlsrpt_count_add(s->failures, fd->failed_session_count);
		set_add(s->results_h, fd->result_type);
		set_add(s->orgs_h, rec->organization_name);
	}
	if (p->total_failure_session_count > 0 && p->n_failure_details == 0)
		a->problems.no_details++;
	else if (sum < p->total_failure_session_count)
		a->problems.details_short++;
	if (sum < p->total_failure_session_count) {
		int64_t left = p->total_failure_session_count - sum;

		d->unexplained = tlsrpt_count_add(d->unexplained, left);
		a->problems.unexplained =
			tlsrpt_count_add(a->problems.unexplained, left);
	}
}

/* Track which report the lines belong to; returns 1 when rec starts a new
 * report, and sets *new_for_domain when it is the report's first line for
 * that domain (a report may hold several policies of one domain). */
static int
track_report(struct summary_agg *a, const struct tlsrpt_record *rec,
	     const char *domain, int *new_for_domain)
{
	size_t lo = strlen(rec->organization_name);
	/* cur_key is "org\nid": compared in place, built only on a change.
	 * A first line (policy-index 0) starts a report even under the same
	 * key: two versions of one id (a conflict) are two reports. */
	int is_new = a->cur_key == NULL || rec->policy_index == 0 ||
		     strncmp(a->cur_key, rec->organization_name, lo) != 0 ||
		     a->cur_key[lo] != '\n' ||
		     strcmp(a->cur_key + lo + 1, rec->report_id) != 0;
	guint i;

	if (is_new) {
		g_free(a->cur_key);
		a->cur_key = g_strdup_printf("%s\n%s", rec->organization_name,
					     rec->report_id);
		g_ptr_array_set_size(a->cur_domains, 0);
		a->cur_report = NULL;
	}
	*new_for_domain = 1;
	for (i = 0; i < a->cur_domains->len; i++) {
		if (strcmp(g_ptr_array_index(a->cur_domains, i), domain) == 0)
			*new_for_domain = 0;
	}
	if (*new_for_domain)
		g_ptr_array_add(a->cur_domains, g_strdup(domain));
	return is_new;
}

static void
add_window(struct summary_agg *a, struct summary_domain *d,
	   const struct tlsrpt_record *rec, int new_report, int new_for_domain)
{
	const struct tlsrpt_policy *p = &rec->policy;
	struct summary_org *o;
	struct summary_day *day;

	d->in_window = 1;
	summary_counts_add(&d->cur, p);
	summary_counts_add(&a->total, p);
	note_policy_type(d, p);
	if (p->type == TLSRPT_POLICY_STS)
		d->sts_failures = tlsrpt_count_add(
			d->sts_failures, p->total_failure_session_count);
	if (new_for_domain)
		d->reports++;
	day = get_day(d->days_h, rec->start_time);
	summary_counts_add(&day->c, p);
	if (new_for_domain)
		day->reports++;
	day = get_day(a->days_h, rec->start_time);
	summary_counts_add(&day->c, p);
	if (new_report)
		day->reports++;

	o = g_hash_table_lookup(a->orgs_h, rec->organization_name);
	if (o == NULL) {
		o = g_new0(struct summary_org, 1);
		o->name = g_strdup(rec->organization_name);
		o->domains_h = string_set();
		g_hash_table_insert(a->orgs_h, o->name, o);
	}
	summary_counts_add(&o->c, p);
	set_add(o->domains_h, d->name);
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
	char *name;
	int new_report, new_for_domain;
	int64_t t = rec->received;

	if (a->finished || t < a->lookback || t >= o->until)
		return;
	name = g_ascii_strdown(
		p->policy_domain != NULL ? p->policy_domain : "(none)", -1);
	if (!domain_wanted(a, name)) {
		g_free(name);
		return;
	}
	new_report = track_report(a, rec, name, &new_for_domain);
	if (new_report)
		summary_trust_classify(a, rec);
	if (a->cur_id.auth == SUMMARY_AUTH_IMPERSONATION) {
		/* Out of the verdict and every count; listed on its own. */
		if (t >= o->since)
			summary_trust_suspect(a, rec, name, new_report,
					      new_for_domain);
		g_free(name);
		return;
	}
	if (o->verified_only && rec->dkim != TLSRPT_DKIM_PASS) {
		if (new_report && t >= o->since)
			a->problems.unverified_dropped++;
		g_free(name);
		return;
	}
	d = get_domain(a, name);
	g_free(name);

	/* History, over the whole look-back. */
	if (t > d->last_report)
		d->last_report = t;
	r = get_reporter(d, rec->organization_name);
	if (new_for_domain) {
		gint64 *last = r->times != NULL && r->times->len > 0
				       ? &g_array_index(r->times, gint64,
							r->times->len - 1)
				       : NULL;

		if (r->times != NULL && (last == NULL || *last != t)) {
			if (r->times->len < a->times_cap) {
				g_array_append_val(r->times, t);
			} else { /* the usual interval is the minimum */
				g_array_free(r->times, TRUE);
				r->times = NULL;
			}
		}
		if (t >= o->until - (int64_t)o->readiness_days * SUMMARY_DAY)
			r->recent_reports++;
	}
	if (t > r->last)
		r->last = t;
	if (p->type == TLSRPT_POLICY_STS) {
		const char *mode = tlsrpt_policy_sts_mode(p);
		char *mx = policy_mx(p);

		/* A reporter that could not fetch the policy saw no mode:
		 * that says nothing about the domain's policy, only about
		 * that reporter's view of it. */
		if (mode != NULL || d->sts_mode == NULL)
			set_policy(&d->sts_mode, &d->mx, &d->policy_recv,
				   &d->policy_seen, mode, mx, rec);
		set_policy(&r->sts_mode, &r->mx, &r->policy_recv,
			   &r->policy_seen, mode, mx, rec);
		g_free(mx);
		if (t >= o->until - (int64_t)o->readiness_days * SUMMARY_DAY)
			d->recent_sts_failures = tlsrpt_count_add(
				d->recent_sts_failures,
				p->total_failure_session_count);
	}

	if (t >= o->since) {
		add_window(a, d, rec, new_report, new_for_domain);
	} else if (t >= o->since - (o->until - o->since)) {
		d->in_prev = 1;
		summary_counts_add(&d->prev, p);
		summary_counts_add(&a->prev_total, p);
		if (new_for_domain)
			d->prev_reports++;
	}
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
