/*
 * render_text.c -- the default view: fits an 80-column terminal and says
 * first, in one line, whether mail to the domains is encrypted.
 */
#include "summary/render.h"

#include <string.h>

#include "report/report.h"
#include "report/sanitize.h"
#include "summary/window.h"

#define WIDTH 80
#define BAR 30
#define TOP 10 /* rows of the long tables in the default view */

/* "99.2%" or "-" into buf. */
static const char *
rate_str(const struct summary_counts *c, char *buf, size_t size)
{
	double r = summary_rate_shown(c, 1);

	if (r < 0)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%.1f%%", r);
	return buf;
}

/* Word-wrap text at WIDTH, col columns being already written on the
 * current line (then a space comes first); continuation lines are
 * indented by indent spaces. The text goes through the terminal step
 * (report/sanitize.h) first: it may hold report strings. */
static void
wrap(FILE *out, const char *text, int col, int indent)
{
	char *safe = sanitize_dup(sanitize_text, text);
	const char *p = safe;
	int first = 1;

	while (*p == ' ')
		p++;
	while (*p != '\0') {
		const char *sp = strchr(p, ' ');
		int len = sp != NULL ? (int)(sp - p) : (int)strlen(p);

		if ((!first || col > 0) && col + 1 + len > WIDTH &&
		    col > indent) {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
		} else if (!first || col > 0) {
			fputc(' ', out);
			col++;
		}
		fwrite(p, 1, (size_t)len, out);
		col += len;
		first = 0;
		p += len;
		while (*p == ' ')
			p++;
	}
	fputc('\n', out);
	g_free(safe);
}

static char *
joined(const GPtrArray *v, size_t max)
{
	GString *s = g_string_new(NULL);
	guint i;

	for (i = 0; i < v->len && i < max; i++) {
		g_string_append(s, i > 0 ? " " : "");
		sanitize_text(s, g_ptr_array_index(v, i));
	}
	if (v->len > max)
		g_string_append_printf(s, " +%u more", v->len - (guint)max);
	return g_string_free(s, FALSE);
}

/* A name in a column of width w: too long, it gets a line of its own. */
static void
name_col(FILE *out, const char *name, int w)
{
	char *safe = sanitize_dup(sanitize_text, name);

	if ((int)strlen(safe) > w)
		fprintf(out, "%s\n%-*s", safe, w, "");
	else
		fprintf(out, "%-*s", w, safe);
	g_free(safe);
}

/* A report string in a fixed-width column: the terminal step first. */
static void
text_col(FILE *out, const char *s, int w)
{
	char *safe = sanitize_dup(sanitize_text, s);

	fprintf(out, "%-*s", w, safe);
	g_free(safe);
}

static void
section(FILE *out, const char *title)
{
	fprintf(out, "\n%s\n", title);
}

static void
rate_change(const struct summary_domain *d, char *buf, size_t size)
{
	double now = summary_rate(&d->cur), before = summary_rate(&d->prev);

	if (now < 0 || before < 0)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%+.1f", now - before);
}

static void
policy_types(const struct summary_domain *d, GString *s)
{
	if (d->policy_types & SUMMARY_PT_STS)
		g_string_append(s, " sts");
	if (d->policy_types & SUMMARY_PT_TLSA)
		g_string_append(s, " tlsa");
	if (d->policy_types & SUMMARY_PT_NO_POLICY)
		g_string_append(s, " no-policy-found");
	if (d->other_types != NULL)
		g_string_append_printf(s, " %s", d->other_types);
}

static void
domains_table(FILE *out, const struct summary_agg *a)
{
	char r[16], c[16], day[24];
	guint i;

	fprintf(out, "%-26s %9s %7s %6s %6s %-8s %7s\n", "domain", "sessions",
		"failed", "rate", "change", "sts mode", "reports");
	for (i = 0; i < a->domains->len; i++) {
		const struct summary_domain *d =
			g_ptr_array_index(a->domains, i);
		GString *s = g_string_new(NULL);

		name_col(out, d->name, 26);
		rate_change(d, c, sizeof(c));
		fprintf(out, " %9lld %7lld %6s %6s ",
			(long long)(summary_sessions(&d->cur)),
			(long long)d->cur.failures,
			rate_str(&d->cur, r, sizeof(r)), c);
		text_col(out, d->sts_mode != NULL ? d->sts_mode : "-", 8);
		fprintf(out, " %7lld\n", (long long)d->reports);
		if (d->mx != NULL) {
			summary_date_of(d->policy_seen, day, sizeof(day));
			g_string_append_printf(s, "mx %s (seen %s);", d->mx,
					       day);
		}
		if (d->policy_types != 0) {
			g_string_append(s, " policies:");
			policy_types(d, s);
		}
		if (s->len > 0) {
			fputs(" ", out);
			wrap(out, s->str, 1, 4);
		}
		g_string_free(s, TRUE);
	}
	if (a->domains->len == 0)
		fprintf(out, "(no domains)\n");
}

static void
results_table(FILE *out, const struct summary_agg *a)
{
	int64_t all = summary_result_total(a);
	guint i;

	fprintf(out, "%-36s %9s %6s  %s\n", "result type", "sessions", "share",
		"domains");
	for (i = 0; i < a->results->len; i++) {
		const struct summary_result *r =
			g_ptr_array_index(a->results, i);
		char *mx = joined(r->mx, 6);

		name_col(out, r->type, 36);
		fprintf(out, " %9lld %5.1f%%  %u\n", (long long)r->sessions,
			summary_result_share(r, all), r->domains->len);
		if (mx[0] != '\0') {
			fputs("  on", out);
			wrap(out, mx, 4, 5);
		}
		g_free(mx);
		fputs("  ->", out);
		wrap(out, summary_advice(r->type), 4, 5);
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

static void
mx_table(FILE *out, const struct summary_agg *a, size_t max)
{
	guint i;

	fprintf(out, "%-32s %-18s %9s\n", "receiving MX host", "IP", "failed");
	for (i = 0; i < a->mx->len && (max == 0 || i < max); i++) {
		const struct summary_mx *m = g_ptr_array_index(a->mx, i);
		char *res = joined(m->results, 6);

		name_col(out, m->host != NULL ? m->host : "(not given)", 32);
		fputc(' ', out);
		text_col(out, m->ip != NULL ? m->ip : "-", 18);
		fprintf(out, " %9lld\n   ", (long long)m->failures);
		wrap(out, res, 3, 4);
		g_free(res);
	}
	more(out, a->mx->len, max, "mx");
	if (a->mx->len == 0)
		fprintf(out, "(no failures)\n");
}

static void
senders_table(FILE *out, const struct summary_agg *a, size_t max)
{
	guint i;

	fprintf(out, "%-39s %9s  %s\n", "sending MTA IP", "failed",
		"reported by");
	for (i = 0; i < a->senders->len && (max == 0 || i < max); i++) {
		const struct summary_sender *s =
			g_ptr_array_index(a->senders, i);
		char *res = joined(s->results, 6), *orgs = joined(s->orgs, 3);
		name_col(out, s->ip != NULL ? s->ip : "(not given)", 39);
		fprintf(out, " %9lld  %s\n   ", (long long)s->failures, orgs);
		wrap(out, res, 3, 4);
		g_free(res);
		g_free(orgs);
	}
	more(out, a->senders->len, max, "sending-ip");
	if (a->senders->len == 0)
		fprintf(out, "(no failures)\n");
}

static void
orgs_table(FILE *out, const struct summary_agg *a, size_t max)
{
	char r[16], day[24];
	guint i;

	fprintf(out, "%-28s %7s %9s %7s %6s  %s\n", "organisation", "reports",
		"sessions", "failed", "rate", "last report");
	for (i = 0; i < a->orgs->len && (max == 0 || i < max); i++) {
		const struct summary_org *o = g_ptr_array_index(a->orgs, i);

		name_col(out, o->name, 28);
		summary_date_of(o->last_report, day, sizeof(day));
		fprintf(out, " %7lld %9lld %7lld %6s  %s\n",
			(long long)o->reports,
			(long long)(summary_sessions(&o->c)),
			(long long)o->c.failures, rate_str(&o->c, r, sizeof(r)),
			day);
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

		name_col(out, o->name, 28);
		wrap(out, auth, 28, 29);
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

static void
days_table(FILE *out, const struct summary_agg *a, int with_bars)
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
			rate_str(&d->c, r, sizeof(r)));
		if (with_bars)
			bar(out, &d->c, max);
		else
			fprintf(out, "%lld", (long long)d->reports);
		fputc('\n', out);
	}
	if (a->days->len == 0)
		fprintf(out, "(no sessions)\n");
}

static void
reports_table(FILE *out, const struct summary_agg *a)
{
	char day[24];
	guint i;

	fprintf(out, "%-20s %-26s %9s %7s  %s\n", "received", "organisation",
		"sessions", "failed", "dkim");
	fprintf(out, "    report-id: policy domains\n");
	for (i = 0; i < a->reports_list->len; i++) {
		const struct summary_report *r =
			g_ptr_array_index(a->reports_list, i);
		char *doms = joined(r->domains, 8),
		     *line = g_strdup_printf("%s: %s", r->report_id, doms);

		tlsrpt_format_datetime(r->received, day, sizeof(day));
		fprintf(out, "%-20s ", day);
		name_col(out, r->org, 26);
		fprintf(out, " %9lld %7lld  ",
			(long long)(summary_sessions(&r->c)),
			(long long)r->c.failures);
		text_col(out, r->dkim != NULL ? r->dkim : "-", 0);
		fputs("\n   ", out);
		wrap(out, line, 3, 6);
		g_free(line);
		g_free(doms);
	}
	if (a->reports_list->len == 0)
		fprintf(out, "(no reports)\n");
}

static void
readiness(FILE *out, const struct summary_agg *a)
{
	int any = 0;
	guint i, j;

	for (i = 0; i < a->domains->len; i++) {
		const struct summary_domain *d =
			g_ptr_array_index(a->domains, i);
		char *line;

		switch (d->verdict) {
		case SUMMARY_VERDICT_NONE: continue;
		case SUMMARY_VERDICT_READY:
			line = g_strdup_printf(
				"%s: testing, READY TO ENFORCE (%lld reports "
				"from %u organisations in %u days, no "
				"failures)",
				d->name, (long long)d->recent_reports,
				d->recent_reporters, a->opt.readiness_days);
			break;
		case SUMMARY_VERDICT_NOT_READY:
			line = g_strdup_printf("%s: testing, NOT READY:",
					       d->name);
			break;
		case SUMMARY_VERDICT_ENFORCED:
			line = g_strdup_printf("%s: enforce, no failures",
					       d->name);
			break;
		case SUMMARY_VERDICT_REFUSING:
		default:
			line = g_strdup_printf("%s: enforce, FAILING:",
					       d->name);
			break;
		}
		any = 1;
		wrap(out, line, 0, 4);
		g_free(line);
		for (j = 0; j < d->reasons->len; j++) {
			fputs("  -", out);
			wrap(out,
			     g_array_index(d->reasons, struct summary_reason, j)
				     .text,
			     3, 4);
		}
	}
	if (!any)
		fprintf(out, "(no domain has an MTA-STS policy in testing or "
			     "enforce)\n");
}

static void
silence(FILE *out, const struct summary_agg *a)
{
	char day[24];
	guint i;

	for (i = 0; i < a->silent_domains->len; i++) {
		const struct summary_domain *d =
			g_ptr_array_index(a->silent_domains, i);
		char *line;

		if (d->last_report > 0) {
			summary_date_of(d->last_report, day, sizeof(day));
			line = g_strdup_printf(
				"%s: no report in the window (last %s); check "
				"its _smtp._tls record and the milter",
				d->name, day);
		} else {
			line = g_strdup_printf(
				"%s: no report in the window nor before; check "
				"its _smtp._tls record and the milter",
				d->name);
		}
		wrap(out, line, 0, 4);
		g_free(line);
	}
	for (i = 0; i < a->silent_reporters->len; i++) {
		const struct summary_reporter *r =
			g_ptr_array_index(a->silent_reporters, i);
		char *line;

		summary_date_of(r->last, day, sizeof(day));
		line = g_strdup_printf("%s stopped reporting %s: last report "
				       "%s, usually every %.1f days",
				       r->org, r->domain, day,
				       (double)r->interval / SUMMARY_DAY);
		wrap(out, line, 0, 4);
		g_free(line);
	}
	if (a->silent_domains->len == 0 && a->silent_reporters->len == 0)
		fprintf(out, "(none)\n");
}

/* Reports left out as impersonations (trust.c). */
static void
suspects(FILE *out, const struct summary_agg *a)
{
	char when[32];

	for (guint i = 0; i < a->suspects->len; i++) {
		const struct summary_suspect *s =
			g_ptr_array_index(a->suspects, i);
		char *doms = joined(s->domains, 3), *line;

		tlsrpt_format_datetime(s->received, when, sizeof(when));
		line = g_strdup_printf(
			"IMPERSONATION: claims %s but sent from %s (known: "
			"%s); report %s received %s, dkim=%s, %s, %lld "
			"sessions, %lld failed -- not counted",
			s->org, s->from, s->known_domain, s->report_id, when,
			s->dkim != NULL ? s->dkim : "none", doms,
			(long long)summary_sessions(&s->c),
			(long long)s->c.failures);
		wrap(out, line, 0, 4);
		g_free(line);
		g_free(doms);
	}
	if (a->suspects->len == 0)
		fprintf(out, "(none)\n");
}

/* Report ids stored with several contents (conflicts.c). */
static void
conflicts(FILE *out, const struct summary_agg *a)
{
	char when[32];

	for (guint i = 0; i < a->conflicts->len; i++) {
		const struct summary_conflict *c =
			g_ptr_array_index(a->conflicts, i);
		char *line = g_strdup_printf(
			"%s report %s: %u versions, %s", c->org, c->report_id,
			c->versions->len,
			c->counted ? "the authenticated one counted"
				   : "none counted (not exactly one "
				     "authenticated as the reporter's domain)");

		wrap(out, line, 0, 4);
		g_free(line);
		for (guint j = 0; j < c->versions->len; j++) {
			const struct summary_conflict_version *v =
				g_ptr_array_index(c->versions, j);

			tlsrpt_format_datetime(v->received, when, sizeof(when));
			line = g_strdup_printf(
				"%s from %s, dkim=%s, %s%s, %lld sessions, "
				"%lld failed, received %s",
				v->counted ? "counted:" : "not counted:",
				v->submitter != NULL ? v->submitter
						     : "(no submitter)",
				v->dkim != NULL ? v->dkim : "none",
				v->auth == SUMMARY_AUTH_OK ? "authenticated as "
				: v->auth == SUMMARY_AUTH_IMPERSONATION
					? "IMPERSONATION from "
					: "not authenticated",
				v->auth != SUMMARY_AUTH_NONE && v->auth_domain
					? v->auth_domain
					: "",
				(long long)summary_sessions(&v->c),
				(long long)v->c.failures, when);
			fputs("  ", out);
			wrap(out, line, 2, 6);
			g_free(line);
		}
	}
	if (a->conflicts->len == 0)
		fprintf(out, "(none)\n");
}

static void
problems(FILE *out, const struct summary_agg *a)
{
	const struct summary_problems *p = &a->problems;
	struct summary_count_line lines[SUMMARY_MAX_COUNT_LINES];
	int any = 0;
	size_t i, n;

	if (p->skipped > 0) {
		fprintf(out, "%lu damaged store line(s) skipped:\n",
			p->skipped);
		for (i = 0; i < p->n_problems; i++) {
			fputs(" ", out);
			wrap(out, p->problems[i], 1, 4);
		}
		any = 1;
	}
	n = summary_count_lines(p, lines);
	for (i = 0; i < n; i++)
		fprintf(out, "%lld %s\n", (long long)lines[i].count,
			lines[i].text);
	any |= n > 0;
	if (!any)
		fprintf(out, "(none)\n");
}

/* Before every view: the counts that follow are short. */
static void
unreadable_warning(FILE *out, const struct summary_agg *a)
{
	const struct summary_problems *p = &a->problems;
	char *w = summary_unreadable_text(p), *line;

	if (w == NULL)
		return;
	line = g_strdup_printf("WARNING: %s:", w);
	wrap(out, line, 0, 4);
	for (size_t i = 0; i < p->n_unreadable_files; i++) {
		fputs("  ", out);
		wrap(out, p->unreadable_files[i], 2, 6);
	}
	fputc('\n', out);
	g_free(line);
	g_free(w);
}

static void
header(FILE *out, const struct summary_agg *a,
       const struct summary_render_ctx *ctx)
{
	char since[24], until[24], *line;

	tlsrpt_format_datetime(a->opt.since, since, sizeof(since));
	tlsrpt_format_datetime(a->opt.until, until, sizeof(until));
	line = g_strdup_printf(
		"%s .. %s (%.3g days), %lld reports, %zu store%s", since, until,
		(double)(a->opt.until - a->opt.since) / SUMMARY_DAY,
		(long long)a->reports, ctx->n_dirs,
		ctx->n_dirs == 1 ? "" : "s");
	wrap(out, line, 0, 4);
	g_free(line);
}

int
summary_render_text(FILE *out, const struct summary_agg *a,
		    const struct summary_render_ctx *ctx)
{
	char *v;

	unreadable_warning(out, a);
	switch (ctx->view) {
	case SUMMARY_VIEW_ALL: break;
	case SUMMARY_VIEW_DOMAIN: domains_table(out, a); goto out;
	case SUMMARY_VIEW_ORG: orgs_table(out, a, 0); goto out;
	case SUMMARY_VIEW_RESULT: results_table(out, a); goto out;
	case SUMMARY_VIEW_MX: mx_table(out, a, 0); goto out;
	case SUMMARY_VIEW_SENDING_IP: senders_table(out, a, 0); goto out;
	case SUMMARY_VIEW_DAY: days_table(out, a, 0); goto out;
	case SUMMARY_VIEW_REPORT: reports_table(out, a); goto out;
	case SUMMARY_VIEW_SENDER:
		section(out, "IMPERSONATION");
		suspects(out, a);
		section(out, "CONFLICTING REPORTS");
		conflicts(out, a);
		goto out;
	}
	v = summary_verdict_text(a);
	wrap(out, v, 0, 4);
	g_free(v);
	header(out, a, ctx);
	section(out, "DOMAINS (change: success rate against the previous "
		     "window, in points)");
	domains_table(out, a);
	section(out, "FAILURES BY RESULT TYPE (-> what to do)");
	results_table(out, a);
	section(out, "FAILING RECEIVING MX HOSTS");
	mx_table(out, a, TOP);
	section(out, "FAILING SENDING MTAS");
	senders_table(out, a, TOP);
	section(out, "REPORTING ORGANISATIONS");
	orgs_table(out, a, TOP);
	section(out, "DAILY TREND (day the sessions took place)");
	days_table(out, a, 1);
	section(out, "MTA-STS READINESS");
	readiness(out, a);
	section(out, "SILENCE");
	silence(out, a);
	section(out, "IMPERSONATION (left out of every count)");
	suspects(out, a);
	section(out, "CONFLICTING REPORTS (one report id, several contents)");
	conflicts(out, a);
	section(out, "DATA PROBLEMS");
	problems(out, a);
out:
	return fflush(out) != 0 || ferror(out) ? -1 : 0;
}
