/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * render_html_tables.c -- the tables of the HTML page, one per view (--by):
 * the rows of the text view, with their cells escaped. Apart from the frame
 * (render_html.c) so that each table's columns read in one place; the cell
 * helpers (td_*, thead, tfoot) are the tables' alone.
 */
#include "summary/render.h"

#include "report/report.h"
#include "summary/render_html_impl.h"
#include "summary/triage.h"

static void
td_num(FILE *out, int64_t n, int bad)
{
	fprintf(out, "<td class=\"n%s\">%lld</td>", bad && n > 0 ? " bad" : "",
		(long long)n);
}

static void
td_text(FILE *out, const char *s)
{
	fputs("<td>", out);
	summary_html_esc(out, s != NULL ? s : "-");
	fputs("</td>", out);
}

/* The success rate by the one rounding rule (triage.h). */
static void
td_rate(FILE *out, const struct summary_counts *c)
{
	char buf[SUMMARY_HTML_PERCENT_MAX];

	summary_html_percent(c->successes, summary_sessions(c), buf);
	fprintf(out, "<td class=\"n%s\">%s</td>", c->failures > 0 ? " bad" : "",
		buf);
}

/* A cell of two lines: main, and a note under it (either NULL: "-"), so
 * that a table keeps to few columns in a 600-pixel mail pane. */
static void
td_two(FILE *out, const char *main, const char *note)
{
	fputs("<td class=\"dom\">", out);
	summary_html_esc(out, main != NULL ? main : "-");
	fputs("<br><span class=\"note\">", out);
	summary_html_esc(out, note != NULL ? note : "-");
	fputs("</span></td>", out);
}

/* Up to max items of v, comma-separated, and "+N more". */
static void
list_items(FILE *out, const GPtrArray *v, size_t max)
{
	guint i;

	for (i = 0; v != NULL && i < v->len && i < max; i++) {
		if (i > 0)
			fputs(", ", out);
		summary_html_esc(out, g_ptr_array_index(v, i));
	}
	if (v != NULL && v->len > max)
		fprintf(out, " <span class=\"note\">+%u more</span>",
			v->len - (guint)max);
}

static void
td_list(FILE *out, const GPtrArray *v, size_t max)
{
	fputs("<td class=\"names\">", out);
	list_items(out, v, max);
	fputs("</td>", out);
}

/* The table's head: a tab-separated list of column titles, those
 * starting with '#' right-aligned (numbers). Static text only. */
static void
thead(FILE *out, const char *cols)
{
	char **v = g_strsplit(cols, "\t", -1);
	size_t i;

	fputs("<table>\n<thead><tr>", out);
	for (i = 0; v[i] != NULL; i++) {
		if (v[i][0] == '#')
			fprintf(out, "<th class=\"n\">%s</th>", v[i] + 1);
		else
			fprintf(out, "<th>%s</th>", v[i]);
	}
	fputs("</tr></thead>\n<tbody>\n", out);
	g_strfreev(v);
}

static void
tfoot(FILE *out, guint shown, guint n, size_t max, const char *view,
      const char *none)
{
	fputs("</tbody>\n</table>\n", out);
	if (n == 0)
		fprintf(out, "<p class=\"note\">(%s)</p>\n", none);
	else if (max > 0 && n > shown)
		fprintf(out,
			"<p class=\"note\">&hellip; %u more: <code>--by "
			"%s</code></p>\n",
			n - shown, view);
}

/* The change of the success rate in points (triage.h's rule). */
static void
td_change(FILE *out, const struct summary_domain *d)
{
	char c[SUMMARY_PERCENT_MAX];

	summary_change_text(d, c);
	fputs("<td class=\"n\">", out);
	summary_html_esc(out, c);
	fputs("</td>", out);
}

/* Under the name, so that the table keeps to five columns in a 600-pixel
 * mail pane: MTA-STS mode, MX patterns (when seen), policy types,
 * reports and the readiness verdict. */
static void
domain_cell(FILE *out, const struct summary_domain *d)
{
	const char *v = summary_verdict_name(d->verdict);
	GString *s = g_string_new(NULL);
	char day[24];

	fputs("<td class=\"dom\">", out);
	summary_html_esc(out, d->name);
	fputs("<br><span class=\"note\" style=\"font-size:.85em\">", out);
	if (d->sts_mode != NULL) {
		summary_html_esc(out, d->sts_mode);
		fputs(" &middot; ", out);
	}
	if (d->mx != NULL) {
		summary_date_of(d->policy_seen, day, sizeof(day));
		summary_html_esc(out, d->mx);
		fprintf(out, " (%s) &middot; ", day);
	}
	summary_policy_types(d, s);
	if (s->len > 0) {
		summary_html_esc(out, s->str + 1);
		fputs(" &middot; ", out);
	}
	fprintf(out, "%lld %s", (long long)d->reports,
		summary_plural(d->reports, "report", "reports"));
	if (v != NULL)
		fprintf(out, " &middot; <span%s>%s</span>",
			d->verdict == SUMMARY_VERDICT_NOT_READY ||
					d->verdict == SUMMARY_VERDICT_REFUSING
				? " class=\"bad\""
				: "",
			v);
	fputs("</span></td>", out);
	g_string_free(s, TRUE);
}

void
summary_html_domains_table(FILE *out, const struct summary_agg *a, guint first,
			   guint n)
{
	guint i;

	thead(out, "domain <span class=\"note\">(MTA-STS mode &middot; MX "
		   "patterns &middot; policy types &middot; "
		   "readiness)</span>\t#sessions\t#failed\t#success rate\t"
		   "#change (points)");
	for (i = first; i < first + n && i < a->triage->len; i++) {
		const struct summary_domain *d =
			g_ptr_array_index(a->triage, i);

		fputs("<tr>", out);
		domain_cell(out, d);
		td_num(out, summary_sessions(&d->cur), 0);
		td_num(out, d->cur.failures, 1);
		td_rate(out, &d->cur);
		td_change(out, d);
		fputs("</tr>\n", out);
	}
	tfoot(out, i - first, n, 0, "domain", "no domains");
}

void
summary_html_results_table(FILE *out, const struct summary_agg *a)
{
	int64_t all = summary_result_total(a);
	char share[SUMMARY_HTML_PERCENT_MAX];
	guint i;

	/* What to do comes before the domains and MX hosts, in the same
	 * cell, so that it is never the column cut off in a narrow pane. */
	thead(out, "result type\t#failed sessions\t#share\twhat to do "
		   "<span class=\"note\">(domains; receiving MX hosts)</span>");
	for (i = 0; i < a->results->len; i++) {
		const struct summary_result *r =
			g_ptr_array_index(a->results, i);

		fputs("<tr>", out);
		td_text(out, r->type);
		td_num(out, r->sessions, 1);
		summary_html_percent(r->sessions, all, share);
		fprintf(out, "<td class=\"n\">%s</td>", share);
		fputs("<td class=\"todo\">", out);
		summary_html_esc(out, summary_advice(r->type));
		fputs("<br><span class=\"note\">", out);
		list_items(out, r->domains, 6);
		if (r->mx != NULL && r->mx->len > 0)
			fputs("; ", out);
		list_items(out, r->mx, 6);
		fputs("</span></td></tr>\n", out);
	}
	if (a->problems.unexplained > 0) {
		fputs("<tr><td>(no details)</td>", out);
		td_num(out, a->problems.unexplained, 1);
		fputs("<td></td><td class=\"todo\">the reporters gave no "
		      "failure details: ask them, or read their additional "
		      "information</td></tr>\n",
		      out);
	}
	tfoot(out, i, a->results->len + (a->problems.unexplained > 0), 0,
	      "result", "no failures");
}

void
summary_html_mx_table(FILE *out, const struct summary_agg *a, size_t max)
{
	guint i;

	thead(out, "receiving MX host <span class=\"note\">(IP)</span>\t"
		   "#failed sessions\tresult types\tdomains");
	for (i = 0; i < a->mx->len && (max == 0 || i < max); i++) {
		const struct summary_mx *m = g_ptr_array_index(a->mx, i);

		fputs("<tr>", out);
		td_two(out, m->host != NULL ? m->host : "(not given)", m->ip);
		td_num(out, m->failures, 1);
		td_list(out, m->results, 6);
		td_list(out, m->domains, 6);
		fputs("</tr>\n", out);
	}
	tfoot(out, i, a->mx->len, max, "mx", "no failures");
}

void
summary_html_senders_table(FILE *out, const struct summary_agg *a, size_t max)
{
	guint i;

	thead(out, "sending MTA IP\t#failed sessions\tresult types\treported "
		   "by");
	for (i = 0; i < a->senders->len && (max == 0 || i < max); i++) {
		const struct summary_sender *s =
			g_ptr_array_index(a->senders, i);

		fputs("<tr>", out);
		td_text(out, s->ip != NULL ? s->ip : "(not given)");
		td_num(out, s->failures, 1);
		td_list(out, s->results, 6);
		td_list(out, s->orgs, 4);
		fputs("</tr>\n", out);
	}
	tfoot(out, i, a->senders->len, max, "sending-ip", "no failures");
}

void
summary_html_orgs_table(FILE *out, const struct summary_agg *a, size_t max)
{
	char day[24];
	guint i;

	thead(out, "organisation <span class=\"note\">(reports, last, "
		   "sender)</span>\t#sessions\t#failed\t#success "
		   "rate\tdomains");
	for (i = 0; i < a->orgs->len && (max == 0 || i < max); i++) {
		const struct summary_org *o = g_ptr_array_index(a->orgs, i);
		char *auth = summary_org_auth_text(o);

		summary_date_of(o->last_report, day, sizeof(day));
		fputs("<tr>", out);
		fputs("<td>", out);
		summary_html_esc(out, o->name);
		fprintf(out, "<br><span class=\"note\">%lld %s, last %s, ",
			(long long)o->reports,
			summary_plural(o->reports, "report", "reports"), day);
		summary_html_esc(out, auth);
		fputs("</span></td>", out);
		td_num(out, summary_sessions(&o->c), 0);
		td_num(out, o->c.failures, 1);
		td_rate(out, &o->c);
		td_list(out, o->domains, 6);
		fputs("</tr>\n", out);
		g_free(auth);
	}
	tfoot(out, i, a->orgs->len, max, "org", "no reports");
}

/* Impersonations and conflicting versions (trust.c): never counted
 * unless the row says so. */
void
summary_html_senders_view(FILE *out, const struct summary_agg *a)
{
	GArray *rows = summary_sender_rows(a);
	char when[24];
	guint i;

	/* Six columns, the report and its sender two lines each: a
	 * 600-pixel mail pane holds them. */
	thead(out, "kind\treport <span class=\"note\">(organisation, "
		   "report-id, received UTC)</span>\tsender <span "
		   "class=\"note\">(submitter, DKIM)</span>\tcounted\t"
		   "#sessions\t#failed");
	for (i = 0; i < rows->len; i++) {
		const struct summary_sender_row *r =
			&g_array_index(rows, struct summary_sender_row, i);
		char *report, *sender;

		tlsrpt_format_datetime(r->received, when, sizeof(when));
		fprintf(out, "<tr><td class=\"bad\">%s</td>", r->kind);
		report = g_strdup_printf(
			"%s, %s", r->report_id != NULL ? r->report_id : "-",
			when);
		sender = g_strdup_printf("%s, DKIM %s",
					 r->submitter != NULL ? r->submitter
							      : "-",
					 r->dkim != NULL ? r->dkim : "-");
		td_two(out, r->org, report);
		td_two(out, r->sender, sender);
		g_free(report);
		g_free(sender);
		fprintf(out, "<td>%s</td>", r->counted ? "yes" : "no");
		td_num(out, summary_sessions(&r->c), 0);
		td_num(out, r->c.failures, 1);
		fputs("</tr>\n", out);
	}
	tfoot(out, i, rows->len, 0, "sender",
	      "no impersonation, no conflicting reports");
	g_array_free(rows, TRUE);
}

void
summary_html_days_table(FILE *out, const struct summary_agg *a)
{
	char day[24];
	guint i;

	thead(out, "day (UTC)\t#sessions\t#failed\t#success rate\t#reports");
	for (i = 0; i < a->days->len; i++) {
		const struct summary_day *d = g_ptr_array_index(a->days, i);

		summary_date_of(d->day, day, sizeof(day));
		fprintf(out, "<tr><td>%s</td>", day);
		td_num(out, summary_sessions(&d->c), 0);
		td_num(out, d->c.failures, 1);
		td_rate(out, &d->c);
		td_num(out, d->reports, 0);
		fputs("</tr>\n", out);
	}
	tfoot(out, i, a->days->len, 0, "day", "no sessions");
}

void
summary_html_reports_table(FILE *out, const struct summary_agg *a)
{
	char when[24];
	guint i;

	thead(out, "received (UTC)\torganisation\treport-id\tpolicy "
		   "domains\t#sessions\t#failed\tDKIM");
	for (i = 0; i < a->reports_list->len; i++) {
		const struct summary_report *r =
			g_ptr_array_index(a->reports_list, i);

		tlsrpt_format_datetime(r->received, when, sizeof(when));
		fprintf(out, "<tr><td>%s</td>", when);
		td_text(out, r->org);
		td_text(out, r->report_id);
		td_list(out, r->domains, 8);
		td_num(out, summary_sessions(&r->c), 0);
		td_num(out, r->c.failures, 1);
		td_text(out, r->dkim);
		fputs("</tr>\n", out);
	}
	tfoot(out, i, a->reports_list->len, 0, "report", "no reports");
}
