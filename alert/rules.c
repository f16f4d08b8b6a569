/* SPDX-License-Identifier: BSD-2-Clause */
/* rules.c -- from a stored report to the alerts it raises. */
#include "alert/rules.h"

#include <ctype.h>
#include <glib.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"
#include "base/count.h"

/* One (policy, result type, MX) of a report while details are summed. */
struct acc {
	const struct tlsrpt_policy *p;
	const char *result_type; /* borrowed from the report */
	const char *mx;		 /* borrowed, "" when unknown */
	int64_t failed;
	size_t order; /* first seen, for a stable sort */
};

static const char *
detail_mx(const struct tlsrpt_failure_detail *d)
{
	if (d->receiving_mx_hostname != NULL)
		return d->receiving_mx_hostname;
	return d->receiving_ip != NULL ? d->receiving_ip : "";
}

static int
listed(char *const *items, size_t n, const char *s)
{
	if (n == 0)
		return 1;
	for (size_t i = 0; i < n; i++) {
		if (strcasecmp(items[i], s) == 0)
			return 1;
	}
	return 0;
}

/* A new string from a format, allocated through the seam. */
static char *format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
format(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (s = tlsrpt_malloc((size_t)n + 1)) == NULL)
		return NULL;
	va_start(ap, fmt);
	n = vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	if (n < 0) {
		tlsrpt_free(s);
		return NULL;
	}
	return s;
}

/* The sentence becomes a mail subject and a log line: no control
 * characters, whatever the report said. */
static void
flatten(char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
	}
}

static void
lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
}

static int
cmp_acc(const void *a, const void *b)
{
	const struct acc *x = a, *y = b;

	if (x->failed != y->failed)
		return x->failed > y->failed ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* "on 2026-11-27", or "between 2026-11-27 and 2026-11-29" for a window
 * longer than a day. */
static void
window_text(const struct tlsrpt_report *r, char *buf, size_t size)
{
	char a[32], b[32];

	tlsrpt_format_datetime(r->start_time, a, sizeof(a));
	a[10] = '\0';
	if (r->end_time - r->start_time <= 86400) {
		snprintf(buf, size, "on %s", a);
		return;
	}
	tlsrpt_format_datetime(r->end_time - 1, b, sizeof(b));
	b[10] = '\0';
	snprintf(buf, size, "between %s and %s", a, b);
}

static json_t *
str_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

/* jansson reports a failed set by returning -1 and freeing the value;
 * collecting the failures keeps the builders flat. */
static void
put(json_t *obj, const char *key, json_t *v, int *failed)
{
	if (v == NULL || json_object_set_new(obj, key, v) != 0)
		*failed = 1;
}

static json_t *
detail_json(const struct tlsrpt_failure_detail *d)
{
	json_t *o = json_object();
	int failed = 0;

	if (o == NULL)
		return NULL;
	put(o, "result-type", json_string(d->result_type), &failed);
	put(o, "sending-mta-ip", str_or_null(d->sending_mta_ip), &failed);
	put(o, "receiving-mx-hostname", str_or_null(d->receiving_mx_hostname),
	    &failed);
	put(o, "receiving-mx-helo", str_or_null(d->receiving_mx_helo), &failed);
	put(o, "receiving-ip", str_or_null(d->receiving_ip), &failed);
	put(o, "failed-session-count", json_integer(d->failed_session_count),
	    &failed);
	put(o, "additional-information", str_or_null(d->additional_information),
	    &failed);
	put(o, "failure-reason-code", str_or_null(d->failure_reason_code),
	    &failed);
	if (failed) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
details_json(const struct acc *k)
{
	const struct tlsrpt_policy *p = k->p;
	json_t *a = json_array();
	size_t n = 0;

	if (a == NULL)
		return NULL;
	for (size_t i = 0; i < p->n_failure_details && n < ALERT_MAX_DETAILS;
	     i++) {
		const struct tlsrpt_failure_detail *d = &p->failure_details[i];
		json_t *o;

		if (strcmp(d->result_type, k->result_type) != 0 ||
		    strcasecmp(detail_mx(d), k->mx) != 0)
			continue;
		if ((o = detail_json(d)) == NULL ||
		    json_array_append_new(a, o) != 0) {
			json_decref(a);
			return NULL;
		}
		n++;
	}
	return a;
}

static json_t *
document(const struct tlsrpt_report *r, const struct acc *k,
	 const struct alert *al, const char *host)
{
	const struct tlsrpt_policy *p = k->p;
	char start[32], end[32];
	json_t *doc = json_object(), *o;
	int failed = 0;

	if (doc == NULL)
		return NULL;
	tlsrpt_format_datetime(r->start_time, start, sizeof(start));
	tlsrpt_format_datetime(r->end_time, end, sizeof(end));
	put(doc, "version", json_integer(1), &failed);
	put(doc, "domain", json_string(al->domain), &failed);
	put(doc, "result-type", json_string(al->result_type), &failed);
	put(doc, "receiving-mx-hostname",
	    al->mx[0] != '\0' ? json_string(al->mx) : json_null(), &failed);
	put(doc, "failed-session-count", json_integer(al->failed), &failed);
	put(doc, "total-session-count", json_integer(al->total), &failed);
	put(doc, "failure-share",
	    json_real(al->total > 0
			      ? 100.0 * (double)al->failed / (double)al->total
			      : 100.0),
	    &failed);
	put(doc, "summary", json_string(al->sentence), &failed);
	if ((o = json_object()) != NULL) {
		put(o, "organization-name", json_string(r->organization_name),
		    &failed);
		put(o, "contact-info", str_or_null(r->contact_info), &failed);
	}
	put(doc, "reporter", o, &failed);
	put(doc, "report-id", json_string(r->report_id), &failed);
	if ((o = json_object()) != NULL) {
		put(o, "start-datetime", json_string(start), &failed);
		put(o, "end-datetime", json_string(end), &failed);
	}
	put(doc, "date-range", o, &failed);
	if ((o = json_object()) != NULL) {
		put(o, "policy-type", json_string(p->policy_type), &failed);
		put(o, "policy-domain", str_or_null(p->policy_domain), &failed);
		put(o, "total-successful-session-count",
		    json_integer(p->total_successful_session_count), &failed);
		put(o, "total-failure-session-count",
		    json_integer(p->total_failure_session_count), &failed);
	}
	put(doc, "policy", o, &failed);
	put(doc, "failure-details", details_json(k), &failed);
	put(doc, "receiving-host", str_or_null(host), &failed);
	if (failed) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

/* doc as one line, with its newline, into a new *out of *len bytes. */
static int
dump_line(const json_t *doc, char **out, size_t *len)
{
	const size_t flags =
		JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(4);
	size_t n = json_dumpb(doc, NULL, 0, flags);
	char *s;

	if (n == 0 || (s = tlsrpt_malloc(n + 2)) == NULL)
		return -1;
	if (json_dumpb(doc, s, n, flags) != n) {
		tlsrpt_free(s);
		return -1;
	}
	s[n] = '\n';
	s[n + 1] = '\0';
	*out = s;
	*len = n + 1;
	return 0;
}

static void
alert_free(struct alert *a)
{
	tlsrpt_free(a->key);
	tlsrpt_free(a->domain);
	tlsrpt_free(a->result_type);
	tlsrpt_free(a->mx);
	tlsrpt_free(a->sentence);
	tlsrpt_free(a->json);
	memset(a, 0, sizeof(*a));
}

/* Fill a from k; 0, or -1 when out of memory (a is then freed). */
static int
build(const struct tlsrpt_report *r, const struct acc *k, const char *host,
      struct alert *a)
{
	const struct tlsrpt_policy *p = k->p;
	char when[96];
	json_t *doc = NULL;
	int ret = -1;

	memset(a, 0, sizeof(*a));
	a->failed = k->failed;
	a->total = tlsrpt_count_add(p->total_successful_session_count,
				    p->total_failure_session_count);
	if (a->total < a->failed) /* a report that does not add up */
		a->total = a->failed;
	a->domain = tlsrpt_strdup(p->policy_domain ? p->policy_domain : "");
	a->result_type = tlsrpt_strdup(k->result_type);
	a->mx = tlsrpt_strdup(k->mx);
	if (a->domain == NULL || a->result_type == NULL || a->mx == NULL)
		goto out;
	a->key = format("%s %s %s", a->domain, a->result_type, a->mx);
	window_text(r, when, sizeof(when));
	a->sentence = format(
		"%s could not deliver %lld of %lld messages to %s over TLS %s: "
		"%s%s%s",
		r->organization_name, (long long)a->failed, (long long)a->total,
		a->domain[0] != '\0' ? a->domain : "(no policy domain)", when,
		a->result_type, a->mx[0] != '\0' ? " on " : "", a->mx);
	if (a->key == NULL || a->sentence == NULL)
		goto out;
	lower(a->key);
	flatten(a->sentence);
	if ((doc = document(r, k, a, host)) == NULL ||
	    dump_line(doc, &a->json, &a->json_len) != 0)
		goto out;
	ret = 0;
out:
	json_decref(doc);
	if (ret != 0)
		alert_free(a);
	return ret;
}

/* Sum the details of policy p into the keys in accs (at most
 * ALERT_MAX_KEYS); returns the number of details that found no room. */
static size_t
collect(const struct alert_rules *rules, const struct tlsrpt_policy *p,
	struct acc *accs, size_t *n)
{
	size_t dropped = 0, first = *n;

	for (size_t i = 0; i < p->n_failure_details; i++) {
		const struct tlsrpt_failure_detail *d = &p->failure_details[i];
		const char *mx = detail_mx(d);
		size_t j;

		if (d->failed_session_count <= 0 ||
		    !listed(rules->result_types, rules->n_result_types,
			    d->result_type))
			continue;
		for (j = first; j < *n; j++) {
			if (strcmp(accs[j].result_type, d->result_type) == 0 &&
			    strcasecmp(accs[j].mx, mx) == 0)
				break;
		}
		if (j == *n) {
			if (*n == ALERT_MAX_KEYS) {
				dropped++;
				continue;
			}
			accs[j] = (struct acc){p, d->result_type, mx, 0, j};
			(*n)++;
		}
		accs[j].failed = tlsrpt_count_add(accs[j].failed,
						  d->failed_session_count);
	}
	/* Failures without any detail still count (details are optional). */
	if (p->n_failure_details == 0 && p->total_failure_session_count > 0 &&
	    listed(rules->result_types, rules->n_result_types,
		   ALERT_RESULT_UNSPECIFIED)) {
		if (*n == ALERT_MAX_KEYS)
			return dropped + 1;
		accs[*n] = (struct acc){p, ALERT_RESULT_UNSPECIFIED, "",
					p->total_failure_session_count, *n};
		(*n)++;
	}
	return dropped;
}

static int
passes(const struct alert_rules *rules, const struct acc *k)
{
	const struct tlsrpt_policy *p = k->p;
	int64_t total = tlsrpt_count_add(p->total_successful_session_count,
					 p->total_failure_session_count);

	if (total < k->failed)
		total = k->failed;
	if (k->failed < rules->min_failures)
		return 0;
	/* failed / total >= min_share / 100; long double keeps the products
	 * of two int64 counts exact enough and free of overflow. */
	if (rules->min_share > 0 &&
	    (long double)k->failed * 100.0L <
		    (long double)rules->min_share * (long double)total)
		return 0;
	return 1;
}

int
alert_rules_eval(const struct alert_rules *rules, const struct tlsrpt_report *r,
		 const char *host, struct alert_list *out,
		 struct tlsrpt_error *err)
{
	struct acc *accs = NULL;
	size_t n = 0, dropped = 0;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	accs = tlsrpt_calloc(ALERT_MAX_KEYS, sizeof(*accs));
	out->items = tlsrpt_calloc(ALERT_MAX_PER_REPORT, sizeof(*out->items));
	if (accs == NULL || out->items == NULL) {
		tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, "alerts",
				 "out of memory");
		goto out;
	}
	for (size_t i = 0; i < r->n_policies; i++) {
		const struct tlsrpt_policy *p = &r->policies[i];

		if (rules->n_domains > 0 &&
		    (p->policy_domain == NULL ||
		     !listed(rules->domains, rules->n_domains,
			     p->policy_domain)))
			continue;
		dropped += collect(rules, p, accs, &n);
	}
	qsort(accs, n, sizeof(*accs), cmp_acc);
	for (size_t i = 0; i < n; i++) {
		if (!passes(rules, &accs[i]))
			continue;
		if (out->n == ALERT_MAX_PER_REPORT) {
			dropped++;
			continue;
		}
		if (build(r, &accs[i], host, &out->items[out->n]) != 0) {
			tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, "alerts",
					 "out of memory");
			goto out;
		}
		out->n++;
	}
	out->n_dropped = dropped;
	ret = 0;
out:
	tlsrpt_free(accs);
	if (ret != 0)
		alert_list_clear(out);
	else if (out->n == 0) {
		tlsrpt_free(out->items);
		out->items = NULL;
	}
	return ret;
}

int
alert_list_add(struct alert_list *l, const struct alert_rules *rules,
	       const char *domain, const char *result_type, const char *mx,
	       const char *sentence, const json_t *doc,
	       struct tlsrpt_error *err)
{
	struct alert a, *grown;

	if (!listed(rules->result_types, rules->n_result_types, result_type) ||
	    !listed(rules->domains, rules->n_domains, domain))
		return 0;
	memset(&a, 0, sizeof(a));
	a.domain = tlsrpt_strdup(domain);
	a.result_type = tlsrpt_strdup(result_type);
	a.mx = tlsrpt_strdup(mx);
	/* The key a report's failure of the same kind on the same MX has:
	 * one de-duplication for both. */
	a.key = format("%s %s %s", domain, result_type, mx);
	a.sentence = tlsrpt_strdup(sentence);
	grown = tlsrpt_reallocarray(l->items, l->n + 1, sizeof(*grown));
	if (grown != NULL)
		l->items = grown;
	if (a.domain == NULL || a.result_type == NULL || a.mx == NULL ||
	    a.key == NULL || a.sentence == NULL || grown == NULL ||
	    dump_line(doc, &a.json, &a.json_len) != 0) {
		alert_free(&a);
		return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, "alerts",
					"out of memory");
	}
	lower(a.key);
	flatten(a.sentence);
	l->items[l->n++] = a;
	return 1;
}

void
alert_list_clear(struct alert_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		alert_free(&l->items[i]);
	tlsrpt_free(l->items);
	memset(l, 0, sizeof(*l));
}

int
alert_list_move(struct alert_list *dst, struct alert_list *src)
{
	struct alert *grown;

	if (src->n == 0) {
		dst->n_dropped += src->n_dropped;
		alert_list_clear(src);
		return 0;
	}
	grown = tlsrpt_reallocarray(dst->items, dst->n + src->n,
				    sizeof(*grown));
	if (grown == NULL)
		return -1;
	memcpy(grown + dst->n, src->items, src->n * sizeof(*grown));
	dst->items = grown;
	dst->n += src->n;
	dst->n_dropped += src->n_dropped;
	tlsrpt_free(src->items);
	memset(src, 0, sizeof(*src));
	return 0;
}

/* Say in a's sentence and document that more alerts were not raised. Left
 * as it was when memory runs out: the log says it too. */
static void
summarise(struct alert *a, size_t more)
{
	char *sentence = format("%s (and %zu more failures in the same report "
				"mail, not alerted: AlertMaxPerMessage)",
				a->sentence, more);
	json_t *doc = json_loadb(a->json, a->json_len, 0, NULL);
	char *json = NULL;
	size_t len;

	if (sentence == NULL || doc == NULL ||
	    json_object_set_new(doc, "summary", json_string(sentence)) != 0 ||
	    json_object_set_new(doc, "more-alerts",
				json_integer((json_int_t)more)) != 0 ||
	    dump_line(doc, &json, &len) != 0)
		goto out;
	tlsrpt_free(a->json);
	a->json = json;
	a->json_len = len;
	json = NULL;
	tlsrpt_free(a->sentence);
	a->sentence = sentence;
	sentence = NULL;
out:
	tlsrpt_free(json);
	tlsrpt_free(sentence);
	json_decref(doc);
}

/* Most failed first. */
static gint
by_failed(gconstpointer x, gconstpointer y, gpointer unused)
{
	const struct alert *a = x, *b = y;

	(void)unused;
	return a->failed > b->failed ? -1 : a->failed < b->failed;
}

void
alert_list_cap(struct alert_list *l, size_t max)
{
	if (max == 0)
		max = 1;
	/* Stable (GLib's sort is), so equal alerts keep the reports'
	 * order; a mail may hold thousands (MaxReportsPerMessage x its
	 * MX hosts). */
	if (l->n > 1)
		g_qsort_with_data(l->items, (gint)l->n, sizeof(*l->items),
				  by_failed, NULL);
	while (l->n > max) {
		alert_free(&l->items[--l->n]);
		l->n_dropped++;
	}
	if (l->n > 0 && l->n_dropped > 0)
		summarise(&l->items[l->n - 1], l->n_dropped);
}
