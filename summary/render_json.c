/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * render_json.c -- the summary as one JSON document, schema
 * "tlsrpt-summary/2" (documented in tlsrpt-summary(1), with its history).
 * Keys are only ever added within a schema version; rates are percentages
 * with two decimals, or null when there were no sessions; times are RFC
 * 3339 UTC strings; lists are arrays; a policy without a domain is null.
 * Written a row at a time (json_stream.h), so memory holds one row.
 */
#include "summary/render.h"

#include <jansson.h>
#include <string.h>

#include "report/report.h"
#include "summary/json_stream.h"
#include "summary/render_json_impl.h"

#define SCHEMA "tlsrpt-summary/2"

static json_t *
jtime(int64_t t)
{
	char buf[32];

	if (t == 0)
		return json_null();
	tlsrpt_format_datetime(t, buf, sizeof(buf));
	return json_string(buf);
}

static json_t *
jday(int64_t t)
{
	char buf[32];

	summary_date_of(t, buf, sizeof(buf));
	return json_string(buf);
}

static json_t *
jround(double x)
{
	int64_t n = (int64_t)(x * 100.0 + (x < 0 ? -0.5 : 0.5));

	return json_real((double)n / 100.0);
}

static json_t *
jrate(const struct summary_counts *c)
{
	double r = summary_rate_shown(c, 2);

	return r < 0 ? json_null() : jround(r);
}

static json_t *
jstr(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static json_t *
jlist(const GPtrArray *v)
{
	json_t *a = json_array();
	guint i;

	for (i = 0; v != NULL && i < v->len; i++)
		json_array_append_new(a, json_string(g_ptr_array_index(v, i)));
	return a;
}

/* A domain: null for the policies without one. */
static json_t *
jdomain(const char *name)
{
	return jstr(summary_domain_or_null(name));
}

/* A list of domains, each as jdomain(). */
static json_t *
jdomains(const GPtrArray *v)
{
	json_t *a = json_array();

	for (guint i = 0; v != NULL && i < v->len; i++)
		json_array_append_new(a, jdomain(g_ptr_array_index(v, i)));
	return a;
}

static void
counts(json_t *o, const struct summary_counts *c)
{
	json_object_set_new(o, "sessions", json_integer(summary_sessions(c)));
	json_object_set_new(o, "successes", json_integer(c->successes));
	json_object_set_new(o, "failures", json_integer(c->failures));
	json_object_set_new(o, "rate", jrate(c));
}

static json_t *
day_row(const struct summary_day *d)
{
	json_t *o = json_object();

	json_object_set_new(o, "day", jday(d->day));
	counts(o, &d->c);
	json_object_set_new(o, "reports", json_integer(d->reports));
	return o;
}

static const char *
auth_name(enum summary_auth x)
{
	switch (x) {
	case SUMMARY_AUTH_OK: return "authenticated";
	case SUMMARY_AUTH_IMPERSONATION: return "impersonation";
	case SUMMARY_AUTH_NONE: break;
	}
	return "not-authenticated";
}

/* Who sent an organisation's reports (trust.c). */
static void
trust_org(json_t *o, const struct summary_org *g)
{
	char *text = summary_org_auth_text(g);

	json_object_set_new(o, "authentication", json_string(text));
	json_object_set_new(o, "authenticated-reports",
			    json_integer(g->auth_reports));
	json_object_set_new(o, "known-domain", jstr(g->known_domain));
	g_free(text);
}

/* Reports left out as impersonations, and conflicting versions. */
static void
suspects(struct summary_json_stream *w, const struct summary_agg *a)
{
	summary_json_begin(w, "impersonations", '[');
	for (guint i = 0; i < a->suspects->len; i++) {
		const struct summary_suspect *s =
			g_ptr_array_index(a->suspects, i);
		json_t *o = json_object();

		json_object_set_new(o, "organization", json_string(s->org));
		json_object_set_new(o, "report-id", json_string(s->report_id));
		json_object_set_new(o, "sent-from", json_string(s->from));
		json_object_set_new(o, "known-domain", jstr(s->known_domain));
		json_object_set_new(o, "dkim", jstr(s->dkim));
		json_object_set_new(o, "received", jtime(s->received));
		counts(o, &s->c);
		json_object_set_new(o, "domains", jdomains(s->domains));
		summary_json_put(w, NULL, o);
	}
	summary_json_end(w, ']');
}

static void
conflicts(struct summary_json_stream *w, const struct summary_agg *a)
{
	summary_json_begin(w, "conflicts", '[');
	for (guint i = 0; i < a->conflicts->len; i++) {
		const struct summary_conflict *c =
			g_ptr_array_index(a->conflicts, i);
		json_t *o = json_object(), *vs = json_array();

		json_object_set_new(o, "organization", json_string(c->org));
		json_object_set_new(o, "report-id", json_string(c->report_id));
		json_object_set_new(o, "counted", json_boolean(c->counted));
		for (guint j = 0; j < c->versions->len; j++) {
			const struct summary_conflict_version *x =
				g_ptr_array_index(c->versions, j);
			json_t *e = json_object();

			json_object_set_new(e, "digest", jstr(x->digest));
			json_object_set_new(e, "submitter", jstr(x->submitter));
			json_object_set_new(e, "dkim", jstr(x->dkim));
			json_object_set_new(e, "received", jtime(x->received));
			json_object_set_new(e, "sender",
					    json_string(auth_name(x->auth)));
			json_object_set_new(e, "sender-domain",
					    jstr(x->auth_domain));
			json_object_set_new(e, "counted",
					    json_boolean(x->counted));
			counts(e, &x->c);
			json_array_append_new(vs, e);
		}
		json_object_set_new(o, "versions", vs);
		summary_json_put(w, NULL, o);
	}
	summary_json_end(w, ']');
}

/* The "sender" view: one row per impersonation or conflicting version. */
static void
sender_rows(struct summary_json_stream *w, const struct summary_agg *a)
{
	GArray *rows = summary_sender_rows(a);

	for (guint i = 0; i < rows->len; i++) {
		const struct summary_sender_row *r =
			&g_array_index(rows, struct summary_sender_row, i);
		json_t *o = json_object();

		json_object_set_new(o, "kind", json_string(r->kind));
		json_object_set_new(o, "organization", json_string(r->org));
		json_object_set_new(o, "report-id", json_string(r->report_id));
		json_object_set_new(o, "received", jtime(r->received));
		json_object_set_new(o, "submitter", jstr(r->submitter));
		json_object_set_new(o, "dkim", jstr(r->dkim));
		json_object_set_new(o, "sender", json_string(r->sender));
		json_object_set_new(o, "counted", json_boolean(r->counted));
		counts(o, &r->c);
		summary_json_put(w, NULL, o);
	}
	g_array_free(rows, TRUE);
}

static json_t *
org_row(const struct summary_org *g)
{
	json_t *o = json_object();

	json_object_set_new(o, "organization", json_string(g->name));
	json_object_set_new(o, "reports", json_integer(g->reports));
	counts(o, &g->c);
	json_object_set_new(o, "last-report", jtime(g->last_report));
	json_object_set_new(o, "dkim-fail", json_integer(g->dkim_fail));
	json_object_set_new(o, "domains", jdomains(g->domains));
	trust_org(o, g);
	return o;
}

static json_t *
result_row(const struct summary_result *r, int64_t all)
{
	json_t *o = json_object();

	json_object_set_new(o, "result-type", json_string(r->type));
	json_object_set_new(o, "sessions", json_integer(r->sessions));
	json_object_set_new(o, "share", jround(summary_result_share(r, all)));
	json_object_set_new(o, "details", json_integer(r->details));
	json_object_set_new(o, "mx-hosts", jlist(r->mx));
	json_object_set_new(o, "domains", jdomains(r->domains));
	json_object_set_new(o, "advice", json_string(summary_advice(r->type)));
	return o;
}

static json_t *
mx_row(const struct summary_mx *m)
{
	json_t *o = json_object();

	json_object_set_new(o, "mx-host", jstr(m->host));
	json_object_set_new(o, "ip", jstr(m->ip));
	json_object_set_new(o, "failures", json_integer(m->failures));
	json_object_set_new(o, "result-types", jlist(m->results));
	json_object_set_new(o, "domains", jdomains(m->domains));
	return o;
}

static json_t *
sender_row(const struct summary_sender *s)
{
	json_t *o = json_object();

	json_object_set_new(o, "sending-ip", jstr(s->ip));
	json_object_set_new(o, "failures", json_integer(s->failures));
	json_object_set_new(o, "result-types", jlist(s->results));
	json_object_set_new(o, "organizations", jlist(s->orgs));
	return o;
}

static json_t *
report_row(const struct summary_report *r)
{
	json_t *o = json_object();

	json_object_set_new(o, "organization", json_string(r->org));
	json_object_set_new(o, "report-id", json_string(r->report_id));
	json_object_set_new(o, "start", jtime(r->start));
	json_object_set_new(o, "end", jtime(r->end));
	json_object_set_new(o, "received", jtime(r->received));
	json_object_set_new(o, "domains", jdomains(r->domains));
	counts(o, &r->c);
	json_object_set_new(o, "dkim", jstr(r->dkim));
	return o;
}

/* The rows of one view, as the array item key. */
static void
rows(struct summary_json_stream *w, const char *key,
     const struct summary_agg *a, enum summary_view view)
{
	int64_t all = summary_result_total(a);
	guint i;

	summary_json_begin(w, key, '[');
	switch (view) {
	case SUMMARY_VIEW_ALL:
	case SUMMARY_VIEW_DOMAIN:
		for (i = 0; i < a->domains->len; i++)
			summary_json_domain_row(
				w, g_ptr_array_index(a->domains, i));
		break;
	case SUMMARY_VIEW_ORG:
		for (i = 0; i < a->orgs->len; i++)
			summary_json_put(
				w, NULL,
				org_row(g_ptr_array_index(a->orgs, i)));
		break;
	case SUMMARY_VIEW_RESULT:
		for (i = 0; i < a->results->len; i++)
			summary_json_put(
				w, NULL,
				result_row(g_ptr_array_index(a->results, i),
					   all));
		break;
	case SUMMARY_VIEW_MX:
		for (i = 0; i < a->mx->len; i++)
			summary_json_put(w, NULL,
					 mx_row(g_ptr_array_index(a->mx, i)));
		break;
	case SUMMARY_VIEW_SENDING_IP:
		for (i = 0; i < a->senders->len; i++)
			summary_json_put(
				w, NULL,
				sender_row(g_ptr_array_index(a->senders, i)));
		break;
	case SUMMARY_VIEW_DAY:
		for (i = 0; i < a->days->len; i++)
			summary_json_put(
				w, NULL,
				day_row(g_ptr_array_index(a->days, i)));
		break;
	case SUMMARY_VIEW_REPORT:
		for (i = 0; i < a->reports_list->len; i++)
			summary_json_put(w, NULL,
					 report_row(g_ptr_array_index(
						 a->reports_list, i)));
		break;
	case SUMMARY_VIEW_SENDER: sender_rows(w, a); break;
	}
	summary_json_end(w, ']');
}

static void
silence(struct summary_json_stream *w, const struct summary_agg *a)
{
	guint i;

	summary_json_begin(w, "silence", '{');
	summary_json_begin(w, "reporters", '[');
	for (i = 0; i < a->silent_reporters->len; i++) {
		const struct summary_silent *s =
			g_ptr_array_index(a->silent_reporters, i);
		json_t *e = json_object();

		json_object_set_new(e, "domain", jdomain(s->domain));
		json_object_set_new(e, "organization", json_string(s->r->org));
		json_object_set_new(e, "last-report",
				    jtime(summary_reporter_last(a, s->r)));
		json_object_set_new(e, "interval-seconds",
				    json_integer(s->r->interval));
		summary_json_put(w, NULL, e);
	}
	summary_json_end(w, ']');
	summary_json_begin(w, "domains", '[');
	for (i = 0; i < a->silent_domains->len; i++) {
		const struct summary_domain *s =
			g_ptr_array_index(a->silent_domains, i);
		json_t *e = json_object();

		json_object_set_new(e, "domain", jdomain(s->name));
		json_object_set_new(e, "last-report", jtime(s->last_report));
		summary_json_put(w, NULL, e);
	}
	summary_json_end(w, ']');
	summary_json_end(w, '}');
}

static json_t *
problems(const struct summary_agg *a)
{
	const struct summary_problems *p = &a->problems;
	json_t *o = json_object(), *v = json_array();
	size_t i;

	json_object_set_new(o, "files-read",
			    json_integer((json_int_t)p->files));
	json_object_set_new(o, "damaged-lines",
			    json_integer((json_int_t)p->skipped));
	for (i = 0; i < p->n_problems; i++)
		json_array_append_new(v, json_string(p->problems[i]));
	json_object_set_new(o, "damaged-examples", v);
	/* Files not read: every count of this document is short. */
	json_object_set_new(o, "unreadable-files",
			    json_integer((json_int_t)p->unreadable));
	v = json_array();
	for (i = 0; i < p->n_unreadable_files; i++)
		json_array_append_new(v, json_string(p->unreadable_files[i]));
	json_object_set_new(o, "unreadable-examples", v);
	json_object_set_new(o, "duplicate-lines",
			    json_integer((json_int_t)p->duplicates));
	json_object_set_new(o, "dkim-fail-reports", json_integer(p->dkim_fail));
	json_object_set_new(o, "unverified-reports-left-out",
			    json_integer(p->unverified_dropped));
	json_object_set_new(o, "policies-without-details",
			    json_integer(p->no_details));
	json_object_set_new(o, "policies-with-short-details",
			    json_integer(p->details_short));
	json_object_set_new(o, "details-over-total",
			    json_integer(p->detail_over_total));
	json_object_set_new(o, "unexplained-failures",
			    json_integer(p->unexplained));
	json_object_set_new(o, "impersonated-reports",
			    json_integer(p->impersonations));
	json_object_set_new(o, "conflicting-report-ids",
			    json_integer(p->conflicts));
	return o;
}

int
summary_render_json(FILE *out, const struct summary_agg *a,
		    const struct summary_render_ctx *ctx)
{
	struct summary_json_stream js, *w = &js;
	json_t *win = json_object(), *t, *prev, *verdict;
	char *text;

	summary_json_open(w, out);
	summary_json_put(w, "schema", json_string(SCHEMA));
	summary_json_put(w, "generated", jtime(ctx->now));
	json_object_set_new(win, "since", jtime(a->opt.since));
	json_object_set_new(win, "until", jtime(a->opt.until));
	json_object_set_new(
		win, "previous-since",
		jtime(a->opt.since - (a->opt.until - a->opt.since)));
	json_object_set_new(win, "lookback-since", jtime(a->lookback));
	summary_json_put(w, "window", win);
	summary_json_put(w, "stores", json_integer((json_int_t)ctx->n_dirs));
	if (ctx->view != SUMMARY_VIEW_ALL) {
		summary_json_put(w, "view",
				 json_string(summary_view_name(ctx->view)));
		rows(w, "rows", a, ctx->view);
		/* The rows are short when a store file was not read. */
		summary_json_put(w, "problems", problems(a));
		goto close;
	}
	t = json_object();
	prev = json_object();
	verdict = json_object();
	text = summary_verdict_text(a);
	json_object_set_new(verdict, "status", json_string(summary_status(a)));
	json_object_set_new(verdict, "text", json_string(text));
	g_free(text);
	summary_json_put(w, "verdict", verdict);
	counts(t, &a->total);
	json_object_set_new(t, "reports", json_integer(a->reports));
	counts(prev, &a->prev_total);
	json_object_set_new(t, "previous", prev);
	summary_json_put(w, "totals", t);
	rows(w, "domains", a, SUMMARY_VIEW_DOMAIN);
	rows(w, "results", a, SUMMARY_VIEW_RESULT);
	rows(w, "mx-hosts", a, SUMMARY_VIEW_MX);
	rows(w, "sending-ips", a, SUMMARY_VIEW_SENDING_IP);
	rows(w, "organizations", a, SUMMARY_VIEW_ORG);
	rows(w, "days", a, SUMMARY_VIEW_DAY);
	silence(w, a);
	suspects(w, a);
	conflicts(w, a);
	summary_json_put(w, "problems", problems(a));
close:
	return summary_json_close(w);
}
