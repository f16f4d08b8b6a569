/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * render_csv.c -- one row per group of the --by view (domain when none),
 * with a header row; RFC 4180: CRLF line ends, a field holding a comma,
 * a quote or a line break is quoted and its quotes doubled; text that a
 * spreadsheet would take for a formula (=, +, -, @, TAB, CR first) gets a
 * leading ' (OWASP). Counts stay plain numbers. Lists (MX
 * hosts, result types, organisations...) are one field, an item a line:
 * a line feed is the one separator no item can hold, as list_field()
 * makes an item's own CR and LF U+FFFD; spaces, commas, semicolons and
 * bars all occur in organisation names. A policy without a domain is an
 * empty cell, or an empty line in a list of domains. Rates are
 * percentages with two decimals, empty when there were no sessions.
 */
#include "summary/render.h"

#include <string.h>

#include "report/report.h"
#include "report/sanitize.h"
#include "summary/explain.h"

/* A text field, quoted and neutralised against formulas by the one CSV
 * step (report/sanitize.h); then the separator or the line end. */
static void
field(FILE *out, const char *s, int last)
{
	(void)sanitize_fputs(sanitize_csv, s, out);
	fputs(last ? "\r\n" : ",", out);
}

static void
num(FILE *out, int64_t n)
{
	fprintf(out, "%lld,", (long long)n);
}

static void
rate(FILE *out, double r)
{
	if (r >= 0)
		fprintf(out, "%.2f", r);
	fputc(',', out);
}

/* sessions,successes,failures, */
static void
counts(FILE *out, const struct summary_counts *c)
{
	num(out, summary_sessions(c));
	num(out, c->successes);
	num(out, c->failures);
}

/* A domain: empty for the policies without one. */
static void
domain_field(FILE *out, const char *name, int last)
{
	field(out, summary_domain_or_null(name), last);
}

/* n items as one field, an item a line; an item's own line breaks
 * become U+FFFD, so each line of the field is one item. domains: the
 * items are domain names (the policies without one: an empty line). */
static void
list_field(FILE *out, const char *const *items, size_t n, int domains, int last)
{
	GString *s = g_string_new(NULL);

	for (size_t i = 0; i < n; i++) {
		const char *c =
			domains ? summary_domain_or_null(items[i]) : items[i];

		if (i > 0)
			g_string_append_c(s, '\n');
		summary_append_replacing(s, c, "\r\n");
	}
	field(out, s->str, last);
	g_string_free(s, TRUE);
}

static void
list(FILE *out, const GPtrArray *v, int last)
{
	list_field(out, v != NULL ? (const char *const *)v->pdata : NULL,
		   v != NULL ? v->len : 0, 0, last);
}

static void
domain_list(FILE *out, const GPtrArray *v, int last)
{
	list_field(out, v != NULL ? (const char *const *)v->pdata : NULL,
		   v != NULL ? v->len : 0, 1, last);
}

/* A space-separated list of the aggregation (its items hold no space,
 * fold.c) as a list field. */
static void
split_field(FILE *out, const char *s, int last)
{
	char **v = g_strsplit(s != NULL ? s : "", " ", -1);
	guint n = g_strv_length(v);

	list_field(out, (const char *const *)v,
		   n > 0 && v[0][0] != '\0' ? n : 0, 0, last);
	g_strfreev(v);
}

static void
time_field(FILE *out, int64_t t, int date_only, int last)
{
	char buf[32] = "";

	if (t != 0)
		tlsrpt_format_datetime(t, buf, sizeof(buf));
	if (date_only)
		buf[10] = '\0';
	field(out, buf, last);
}

/* Our probe's latest run (added at the end, the columns before stay):
 * its time, how many findings, each as "type on mx" (a list field), and
 * the reported failed sessions its findings explain (explain.h); all
 * empty for a domain it did not probe. */
static void
probe_fields(FILE *out, const struct summary_domain *d)
{
	const struct summary_probe *p = d->probe;
	GPtrArray *items;

	if (p == NULL) {
		fputs(",,,\r\n", out);
		return;
	}
	time_field(out, p->time, 0, 0);
	num(out, summary_probe_count(p));
	items = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < p->findings->len; i++) {
		const struct summary_probe_finding *f =
			g_ptr_array_index(p->findings, i);

		g_ptr_array_add(items, f->mx_host != NULL
					       ? g_strdup_printf("%s on %s",
								 f->result_type,
								 f->mx_host)
					       : g_strdup(f->result_type));
	}
	list(out, items, 0);
	g_ptr_array_free(items, TRUE);
	fprintf(out, "%lld\r\n", (long long)summary_explained_sessions(d));
}

static void
domains(FILE *out, const struct summary_agg *a)
{
	guint i;

	fputs("domain,sessions,successes,failures,rate,reports,"
	      "previous_sessions,previous_failures,previous_rate,rate_change,"
	      "sts_mode,mx,policy_seen,policy_types,readiness,probe_time,"
	      "probe_findings,probe_result_types,probe_explained_failures\r\n",
	      out);
	for (i = 0; i < a->domains->len; i++) {
		const struct summary_domain *d =
			g_ptr_array_index(a->domains, i);
		double now = summary_rate_shown(&d->cur, 2),
		       before = summary_rate_shown(&d->prev, 2);
		GString *t = g_string_new(NULL);
		const char *v = summary_verdict_name(d->verdict);

		domain_field(out, d->name, 0);
		counts(out, &d->cur);
		rate(out, now);
		num(out, d->reports);
		num(out, summary_sessions(&d->prev));
		num(out, d->prev.failures);
		rate(out, before);
		if (now >= 0 && before >= 0)
			fprintf(out, "%.2f",
				summary_rate(&d->cur) - summary_rate(&d->prev));
		fputc(',', out);
		field(out, d->sts_mode, 0);
		split_field(out, d->mx, 0);
		time_field(out, d->policy_seen, 0, 0);
		summary_policy_types(d, t);
		split_field(out, t->len > 0 ? t->str + 1 : "", 0);
		g_string_free(t, TRUE);
		field(out, v, 0);
		probe_fields(out, d);
	}
}

static void
orgs(FILE *out, const struct summary_agg *a)
{
	char *auth;
	guint i;

	fputs("organization,reports,sessions,successes,failures,rate,"
	      "last_report,dkim_fail,domains,authentication\r\n",
	      out);
	for (i = 0; i < a->orgs->len; i++) {
		const struct summary_org *o = g_ptr_array_index(a->orgs, i);

		field(out, o->name, 0);
		num(out, o->reports);
		counts(out, &o->c);
		rate(out, summary_rate_shown(&o->c, 2));
		time_field(out, o->last_report, 0, 0);
		num(out, o->dkim_fail);
		domain_list(out, o->domains, 0);
		auth = summary_org_auth_text(o);
		field(out, auth, 1);
		g_free(auth);
	}
}

static void
results(FILE *out, const struct summary_agg *a)
{
	int64_t all = summary_result_total(a);
	guint i;

	fputs("result_type,sessions,share,details,mx_hosts,domains,advice\r\n",
	      out);
	for (i = 0; i < a->results->len; i++) {
		const struct summary_result *r =
			g_ptr_array_index(a->results, i);

		field(out, r->type, 0);
		num(out, r->sessions);
		rate(out, summary_result_share(r, all));
		num(out, r->details);
		list(out, r->mx, 0);
		domain_list(out, r->domains, 0);
		field(out, summary_advice(r->type), 1);
	}
}

static void
mx(FILE *out, const struct summary_agg *a)
{
	guint i;

	fputs("mx_host,ip,failures,result_types,domains\r\n", out);
	for (i = 0; i < a->mx->len; i++) {
		const struct summary_mx *m = g_ptr_array_index(a->mx, i);

		field(out, m->host, 0);
		field(out, m->ip, 0);
		num(out, m->failures);
		list(out, m->results, 0);
		domain_list(out, m->domains, 1);
	}
}

static void
senders(FILE *out, const struct summary_agg *a)
{
	guint i;

	fputs("sending_ip,failures,result_types,organizations\r\n", out);
	for (i = 0; i < a->senders->len; i++) {
		const struct summary_sender *s =
			g_ptr_array_index(a->senders, i);

		field(out, s->ip, 0);
		num(out, s->failures);
		list(out, s->results, 0);
		list(out, s->orgs, 1);
	}
}

static void
days(FILE *out, const struct summary_agg *a)
{
	guint i;

	fputs("day,sessions,successes,failures,rate,reports\r\n", out);
	for (i = 0; i < a->days->len; i++) {
		const struct summary_day *d = g_ptr_array_index(a->days, i);

		time_field(out, d->day, 1, 0);
		counts(out, &d->c);
		rate(out, summary_rate_shown(&d->c, 2));
		fprintf(out, "%lld\r\n", (long long)d->reports);
	}
}

static void
reports(FILE *out, const struct summary_agg *a)
{
	guint i;

	fputs("received,organization,report_id,start,end,domains,sessions,"
	      "successes,failures,dkim\r\n",
	      out);
	for (i = 0; i < a->reports_list->len; i++) {
		const struct summary_report *r =
			g_ptr_array_index(a->reports_list, i);

		time_field(out, r->received, 0, 0);
		field(out, r->org, 0);
		field(out, r->report_id, 0);
		time_field(out, r->start, 0, 0);
		time_field(out, r->end, 0, 0);
		domain_list(out, r->domains, 0);
		counts(out, &r->c);
		field(out, r->dkim, 1);
	}
}

/* Impersonations and conflicting versions (trust.c). */
static void
senders_view(FILE *out, const struct summary_agg *a)
{
	GArray *rows = summary_sender_rows(a);

	fputs("kind,organization,report_id,received,submitter,dkim,sender,"
	      "counted,sessions,successes,failures\r\n",
	      out);
	for (guint i = 0; i < rows->len; i++) {
		const struct summary_sender_row *r =
			&g_array_index(rows, struct summary_sender_row, i);

		field(out, r->kind, 0);
		field(out, r->org, 0);
		field(out, r->report_id, 0);
		time_field(out, r->received, 0, 0);
		field(out, r->submitter, 0);
		field(out, r->dkim, 0);
		field(out, r->sender, 0);
		field(out, r->counted ? "yes" : "no", 0);
		num(out, summary_sessions(&r->c));
		num(out, r->c.successes);
		fprintf(out, "%lld\r\n", (long long)r->c.failures);
	}
	g_array_free(rows, TRUE);
}

int
summary_render_csv(FILE *out, const struct summary_agg *a,
		   const struct summary_render_ctx *ctx)
{
	switch (ctx->view) {
	case SUMMARY_VIEW_ALL:
	case SUMMARY_VIEW_DOMAIN: domains(out, a); break;
	case SUMMARY_VIEW_ORG: orgs(out, a); break;
	case SUMMARY_VIEW_RESULT: results(out, a); break;
	case SUMMARY_VIEW_MX: mx(out, a); break;
	case SUMMARY_VIEW_SENDING_IP: senders(out, a); break;
	case SUMMARY_VIEW_DAY: days(out, a); break;
	case SUMMARY_VIEW_REPORT: reports(out, a); break;
	case SUMMARY_VIEW_SENDER: senders_view(out, a); break;
	}
	return fflush(out) != 0 || ferror(out) ? -1 : 0;
}
