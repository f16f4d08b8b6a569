/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * render_text.c -- the default view: fits 72 columns (a terminal, the
 * digest's text part) and says first, in one line, whether mail to the
 * domains is encrypted, then what needs action, worst first.
 *
 * This file is the page: the verdict, the header and the order of the
 * sections. The tables, the lists and the 72-column layout they share are
 * written by the files named after them (summary/render_text_impl.h).
 */
#include "summary/render.h"

#include <string.h>

#include "report/report.h"
#include "summary/render_text_impl.h"
#include "summary/triage.h"
#include "summary/window.h"

#define TOP 10 /* rows of the long tables in the default view */
/* Healthy domains named, and ready or enforced ones listed, before a
 * "N more" line (--all: all of them). */
#define TOP_HEALTHY 10

static void
section(FILE *out, const char *title)
{
	fprintf(out, "\n%s\n", title);
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
	summary_text_wrap(out, line, 0, 4);
	for (size_t i = 0; i < p->n_unreadable_files; i++) {
		fputs("  ", out);
		summary_text_wrap(out, p->unreadable_files[i], 2, 6);
	}
	fputc('\n', out);
	g_free(line);
	g_free(w);
}

static void
header(FILE *out, const struct summary_agg *a,
       const struct summary_render_ctx *ctx)
{
	char since[24], until[24], n[32], *line;
	double days = (double)(a->opt.until - a->opt.since) / SUMMARY_DAY;

	tlsrpt_format_datetime(a->opt.since, since, sizeof(since));
	tlsrpt_format_datetime(a->opt.until, until, sizeof(until));
	/* The number of stores only when several were read: one line in 72
	 * columns. */
	/* The plural by the number shown: 1.00001 days is "1 day". */
	snprintf(n, sizeof(n), "%.3g", days);
	line = g_strdup_printf("%s .. %s (%s %s), %lld %s", since, until, n,
			       strcmp(n, "1") == 0 ? "day" : "days",
			       (long long)a->reports,
			       summary_plural(a->reports, "report", "reports"));
	if (ctx->n_dirs > 1) {
		char *more =
			g_strdup_printf("%s, %zu stores", line, ctx->n_dirs);

		g_free(line);
		line = more;
	}
	summary_text_wrap(out, line, 0, 4);
	g_free(line);
}

int
summary_render_text(FILE *out, const struct summary_agg *a,
		    const struct summary_render_ctx *ctx)
{
	size_t healthy = a->opt.list_all ? 0 : TOP_HEALTHY;
	char *v;

	unreadable_warning(out, a);
	switch (ctx->view) {
	case SUMMARY_VIEW_ALL: break;
	case SUMMARY_VIEW_DOMAIN:
		summary_text_domains_table(out, a, 0);
		goto out;
	case SUMMARY_VIEW_ORG: summary_text_orgs_table(out, a, 0); goto out;
	case SUMMARY_VIEW_RESULT: summary_text_results_table(out, a); goto out;
	case SUMMARY_VIEW_MX: summary_text_mx_table(out, a, 0); goto out;
	case SUMMARY_VIEW_SENDING_IP:
		summary_text_senders_table(out, a, 0);
		goto out;
	case SUMMARY_VIEW_DAY: summary_text_days_table(out, a, 0); goto out;
	case SUMMARY_VIEW_REPORT: summary_text_reports_table(out, a); goto out;
	case SUMMARY_VIEW_SENDER:
		section(out, "IMPERSONATION");
		summary_text_suspects(out, a);
		section(out, "CONFLICTING REPORTS");
		summary_text_conflicts(out, a);
		goto out;
	}
	v = summary_verdict_text(a);
	summary_text_wrap(out, v, 0, 4);
	g_free(v);
	header(out, a, ctx);
	summary_text_triage(out, a, healthy);
	summary_text_probe(out, a);
	section(out, "DOMAINS, worst first (change: against the previous "
		     "window, in points)");
	summary_text_domains_table(out, a, healthy);
	section(out, "FAILURES BY RESULT TYPE (-> what to do)");
	summary_text_results_table(out, a);
	section(out, "FAILING RECEIVING MX HOSTS");
	summary_text_mx_table(out, a, TOP);
	section(out, "FAILING SENDING MTAS");
	summary_text_senders_table(out, a, TOP);
	section(out, "REPORTING ORGANISATIONS");
	summary_text_orgs_table(out, a, TOP);
	section(out, "DAILY TREND (day the sessions took place)");
	summary_text_days_table(out, a, 1);
	section(out, "MTA-STS READINESS");
	summary_text_readiness(out, a, healthy);
	section(out, "SILENCE");
	summary_text_silence(out, a, healthy);
	section(out, "IMPERSONATION (left out of every count)");
	summary_text_suspects(out, a);
	section(out, "CONFLICTING REPORTS (one report id, several contents)");
	summary_text_conflicts(out, a);
	section(out, "DATA PROBLEMS");
	summary_text_problems(out, a);
out:
	return fflush(out) != 0 || ferror(out) ? -1 : 0;
}
