/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * render_text_tables.c -- the tables of the text view, one per view (--by),
 * each in 80 columns. Apart from the page (render_text.c) so that each
 * table's columns read in one place.
 */
#include "summary/render.h"

#include "report/report.h"
#include "summary/render_text_impl.h"
#include "summary/triage.h"

#define BAR 30

void
summary_text_domains_table(FILE *out, const struct summary_agg *a, size_t max)
{
	char r[16], c[SUMMARY_PERCENT_MAX], day[24];
	guint i, end = a->triage->len, first = a->n_action + a->n_below;

	/* 72 columns: the width of the digest's text part. */
	fprintf(out, "%-22s %9s %7s %7s %6s %-8s %7s\n", "domain", "sessions",
		"failed", "rate", "change", "sts mode", "reports");
	if (max > 0 && end - first > max)
		end = first + (guint)max;
	for (i = 0; i < end; i++) {
		const struct summary_domain *d =
			g_ptr_array_index(a->triage, i);
		GString *s = g_string_new(NULL);

		summary_text_name_col(out, d->name, 22);
		summary_change_text(d, c);
		fprintf(out, " %9lld %7lld %7s %6s ",
			(long long)(summary_sessions(&d->cur)),
			(long long)d->cur.failures,
			summary_text_rate_str(&d->cur, r, sizeof(r)), c);
		summary_text_col(out, d->sts_mode != NULL ? d->sts_mode : "-",
				 8);
		fprintf(out, " %7lld\n", (long long)d->reports);
		if (d->mx != NULL) {
			summary_date_of(d->policy_seen, day, sizeof(day));
			g_string_append_printf(s, "mx %s (seen %s);", d->mx,
					       day);
		}
		if (d->policy_types != 0) {
			g_string_append(s, " policies:");
			summary_policy_types(d, s);
		}
		if (s->len > 0) {
			fputs(" ", out);
			summary_text_wrap(out, s->str, 1, 4);
		}
		g_string_free(s, TRUE);
	}
	if (end < a->triage->len)
		fprintf(out, "... %u more healthy: --all or --by domain\n",
			a->triage->len - end);
	if (a->domains->len == 0)
		fprintf(out, "(no domains)\n");
}

void
summary_text_results_table(FILE *out, const struct summary_agg *a)
{
	int64_t all = summary_result_total(a);
	char share[SUMMARY_PERCENT_MAX];
	guint i;

	fprintf(out, "%-36s %9s %6s  %s\n", "result type", "sessions", "share",
		"domains");
	for (i = 0; i < a->results->len; i++) {
		const struct summary_result *r =
			g_ptr_array_index(a->results, i);
		char *mx = summary_text_joined(r->mx, 6);

		summary_text_name_col(out, r->type, 36);
		summary_percent(r->sessions, all, share);
		fprintf(out, " %9lld %6s  %u\n", (long long)r->sessions, share,
			r->domains->len);
		if (mx[0] != '\0') {
			fputs("  on", out);
			summary_text_wrap(out, mx, 4, 5);
		}
		g_free(mx);
		fputs("  ->", out);
		summary_text_wrap(out, summary_advice(r->type), 4, 5);
	}
	if (a->problems.unexplained > 0)
		fprintf(out, "%-36s %9lld %6s  no details given\n",
			"(no details)", (long long)a->problems.unexplained, "");
	if (a->results->len == 0 && a->problems.unexplained == 0)
		fprintf(out, "(no failures)\n");
}

static void
more(FILE *out, guint n, size_t max, const char *view)
{
	if (max > 0 && n > max)
		fprintf(out, "... %u more: --by %s\n", n - (guint)max, view);
}

void
summary_text_mx_table(FILE *out, const struct summary_agg *a, size_t max)
{
	guint i;

	fprintf(out, "%-32s %-18s %9s\n", "receiving MX host", "IP", "failed");
	for (i = 0; i < a->mx->len && (max == 0 || i < max); i++) {
		const struct summary_mx *m = g_ptr_array_index(a->mx, i);
		char *res = summary_text_joined(m->results, 6);

		summary_text_name_col(
			out, m->host != NULL ? m->host : "(not given)", 32);
		fputc(' ', out);
		summary_text_col(out, m->ip != NULL ? m->ip : "-", 18);
		fprintf(out, " %9lld\n   ", (long long)m->failures);
		summary_text_wrap(out, res, 3, 4);
		g_free(res);
	}
	more(out, a->mx->len, max, "mx");
	if (a->mx->len == 0)
		fprintf(out, "(no failures)\n");
}

void
summary_text_senders_table(FILE *out, const struct summary_agg *a, size_t max)
{
	guint i;

	fprintf(out, "%-39s %9s  %s\n", "sending MTA IP", "failed",
		"reported by");
	for (i = 0; i < a->senders->len && (max == 0 || i < max); i++) {
		const struct summary_sender *s =
			g_ptr_array_index(a->senders, i);
		char *res = summary_text_joined(s->results, 6),
		     *orgs = summary_text_joined(s->orgs, 3);
		summary_text_name_col(
			out, s->ip != NULL ? s->ip : "(not given)", 39);
		fprintf(out, " %9lld ", (long long)s->failures);
		summary_text_wrap(out, orgs, 50, 53);
		fputs("   ", out);
		summary_text_wrap(out, res, 3, 4);
		g_free(res);
		g_free(orgs);
	}
	more(out, a->senders->len, max, "sending-ip");
	if (a->senders->len == 0)
		fprintf(out, "(no failures)\n");
}

void
summary_text_orgs_table(FILE *out, const struct summary_agg *a, size_t max)
{
	char r[16], day[24];
	guint i;

	fprintf(out, "%-26s %7s %9s %7s %6s  %s\n", "organisation", "reports",
		"sessions", "failed", "rate", "last report");
	for (i = 0; i < a->orgs->len && (max == 0 || i < max); i++) {
		const struct summary_org *o = g_ptr_array_index(a->orgs, i);

		summary_text_name_col(out, o->name, 26);
		summary_date_of(o->last_report, day, sizeof(day));
		fprintf(out, " %7lld %9lld %7lld %6s  %s\n",
			(long long)o->reports,
			(long long)(summary_sessions(&o->c)),
			(long long)o->c.failures,
			summary_text_rate_str(&o->c, r, sizeof(r)), day);
	}
	more(out, a->orgs->len, max, "org");
	if (a->orgs->len == 0) {
		fprintf(out, "(no reports)\n");
		return;
	}
	/* Who sent them (trust.c): a table of its own, to stay in 80
	 * columns. */
	fprintf(out, "\n%-28s %s\n", "organisation", "sender");
	for (i = 0; i < a->orgs->len && (max == 0 || i < max); i++) {
		const struct summary_org *o = g_ptr_array_index(a->orgs, i);
		char *auth = summary_org_auth_text(o);

		summary_text_name_col(out, o->name, 28);
		summary_text_wrap(out, auth, 28, 29);
		g_free(auth);
	}
}

/* Successes as '=' and failures as 'x', scaled to the busiest day; any
 * failure shows at least one 'x'. */
static void
bar(FILE *out, const struct summary_counts *c, int64_t max)
{
	int64_t n = summary_sessions(c);
	int len = summary_scale(n, max, BAR), bad;

	bad = summary_scale(c->failures, n, len);
	fprintf(out, "%.*s%.*s", len - bad,
		"==============================", bad,
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
}

void
summary_text_days_table(FILE *out, const struct summary_agg *a, int with_bars)
{
	int64_t max = 0;
	char day[24], r[16];
	guint i;

	for (i = 0; i < a->days->len; i++) {
		const struct summary_day *d = g_ptr_array_index(a->days, i);

		if (summary_sessions(&d->c) > max)
			max = summary_sessions(&d->c);
	}
	fprintf(out, "%-10s %10s %8s %6s  %s\n", "day", "sessions", "failed",
		"rate", with_bars ? "(= ok, x failed)" : "reports");
	for (i = 0; i < a->days->len; i++) {
		const struct summary_day *d = g_ptr_array_index(a->days, i);

		summary_date_of(d->day, day, sizeof(day));
		fprintf(out, "%-10s %10lld %8lld %6s  ", day,
			(long long)(summary_sessions(&d->c)),
			(long long)d->c.failures,
			summary_text_rate_str(&d->c, r, sizeof(r)));
		if (with_bars)
			bar(out, &d->c, max);
		else
			fprintf(out, "%lld", (long long)d->reports);
		fputc('\n', out);
	}
	if (a->days->len == 0)
		fprintf(out, "(no sessions)\n");
}

void
summary_text_reports_table(FILE *out, const struct summary_agg *a)
{
	char day[24];
	guint i;

	fprintf(out, "%-20s %-26s %9s %7s  %s\n", "received", "organisation",
		"sessions", "failed", "dkim");
	fprintf(out, "    report-id: policy domains\n");
	for (i = 0; i < a->reports_list->len; i++) {
		const struct summary_report *r =
			g_ptr_array_index(a->reports_list, i);
		char *doms = summary_text_joined(r->domains, 8),
		     *line = g_strdup_printf("%s: %s", r->report_id, doms);

		tlsrpt_format_datetime(r->received, day, sizeof(day));
		fprintf(out, "%-20s ", day);
		summary_text_name_col(out, r->org, 26);
		fprintf(out, " %9lld %7lld  ",
			(long long)(summary_sessions(&r->c)),
			(long long)r->c.failures);
		summary_text_col(out, r->dkim != NULL ? r->dkim : "-", 0);
		fputs("\n   ", out);
		summary_text_wrap(out, line, 3, 6);
		g_free(line);
		g_free(doms);
	}
	if (a->reports_list->len == 0)
		fprintf(out, "(no reports)\n");
}
