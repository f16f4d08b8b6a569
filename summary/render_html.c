/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * render_html.c -- one self-contained HTML5 page: the verdict, the tables
 * of the text view and inline SVG charts (daily sessions per domain,
 * failures by result type). No JavaScript and nothing fetched, so it
 * reads the same in a browser and in a mail client (render_mail.c embeds
 * it). Every string that came from a report goes through summary_html_esc():
 * the page never puts report text into CSS or SVG code, only into element text
 * and quoted attribute values, escaped.
 *
 * This file is the frame: the style sheet, the head, the verdict and the
 * order of the sections. The parts are written by the files named after
 * them (summary/render_html_impl.h): the tables, the SVG charts and the
 * lists, so that each can be read without the others.
 */
#include "summary/render.h"

#include <string.h>

#include "report/report.h"
#include "report/sanitize.h"
#include "summary/render_html_impl.h"
#include "summary/triage.h"
#include "summary/window.h"

#define TOP 10	  /* rows of the long tables in the default view */
#define CHARTS 12 /* daily charts of healthy domains, at most */

static const char style[] =
	"body{font-family:system-ui,-apple-system,'Segoe UI',Helvetica,"
	"Arial,sans-serif;color:#1a1a1a;background:#fff;margin:1em;"
	"max-width:76em;line-height:1.4}\n"
	"h1{font-size:1.4em;margin:0 0 .4em}\n"
	"h2{font-size:1.1em;margin:1.2em 0 .4em;border-bottom:1px solid #ccc;"
	"padding-bottom:.2em}\n"
	"table{border-collapse:collapse;margin:.3em 0}\n"
	"th,td{padding:.25em .4em;border-bottom:1px solid #e0e0e0;"
	"text-align:left;vertical-align:top;overflow-wrap:break-word}\n"
	"th{background:#f3f3f3;font-size:.85em}\n"
	".n{text-align:right;font-variant-numeric:tabular-nums;"
	"white-space:nowrap}\n"
	".bad{color:#c62828;font-weight:bold}\n"
	".note{color:#555}\n"
	"code{font-size:.95em}\n"
	"th.n{white-space:normal}\n"
	/* Names without a break opportunity (domains, MX hosts, report
	 * ids) break anywhere rather than push a 600-pixel pane wide. */
	"td.dom{overflow-wrap:anywhere;min-width:11.5em}\n"
	"td.names{overflow-wrap:anywhere}\n"
	"details{margin:.4em 0}\nsummary{cursor:pointer;color:#1565c0}\n"
	"svg{display:block;margin:.4em 0 1em}\n"
	"svg.small{display:inline-block;vertical-align:top;"
	"margin:0 .8em .8em 0}\n"
	"svg text{font-family:system-ui,Helvetica,Arial,sans-serif;"
	"font-size:12px;fill:#333}\n";

/* Inline as well as in the style sheet: mail clients drop <style>. */
static const char *
verdict_style(const char *status)
{
	if (strcmp(status, "ok") == 0)
		return "background:#e8f5e9;border-left:6px solid #2e7d32";
	if (strcmp(status, "failures") == 0)
		return "background:#fdecea;border-left:6px solid #c62828";
	return "background:#fff8e1;border-left:6px solid #f9a825";
}

/* Text escaped for element content and double- or single-quoted
 * attribute values alike: the one HTML step (report/sanitize.h). */
void
summary_html_esc(FILE *out, const char *s)
{
	(void)sanitize_fputs(sanitize_html, s, out);
}

void
summary_html_percent(int64_t part, int64_t whole,
		     char buf[SUMMARY_HTML_PERCENT_MAX])
{
	char raw[SUMMARY_PERCENT_MAX], *e;

	summary_percent(part, whole, raw);
	e = sanitize_dup(sanitize_html, raw);
	snprintf(buf, SUMMARY_HTML_PERCENT_MAX, "%s", e);
	g_free(e);
}

static void
head(FILE *out, const struct summary_agg *a,
     const struct summary_render_ctx *ctx)
{
	char since[24], until[24];

	tlsrpt_format_datetime(a->opt.since, since, sizeof(since));
	tlsrpt_format_datetime(a->opt.until, until, sizeof(until));
	fprintf(out,
		"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
		"<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
		"content=\"width=device-width, initial-scale=1\">\n"
		"<title>TLS reporting summary %.10s to %.10s</title>\n"
		"<style>\n%s</style>\n</head>\n<body>\n"
		"<h1>TLS reporting summary",
		since, until, style);
	if (ctx->view != SUMMARY_VIEW_ALL)
		fprintf(out, " by %s", summary_view_name(ctx->view));
	fprintf(out,
		"</h1>\n<p class=\"note\" style=\"margin:0 0 .6em\">%s .. %s "
		"(%.3g %s), %lld "
		"%s, %zu store%s</p>\n",
		since, until,
		(double)(a->opt.until - a->opt.since) / SUMMARY_DAY,
		a->opt.until - a->opt.since == SUMMARY_DAY ? "day" : "days",
		(long long)a->reports,
		summary_plural(a->reports, "report", "reports"), ctx->n_dirs,
		ctx->n_dirs == 1 ? "" : "s");
}

static void
verdict(FILE *out, const struct summary_agg *a)
{
	const char *status = summary_status(a);
	char *v = summary_verdict_text(a);

	fprintf(out,
		"<p class=\"verdict\" style=\"%s;margin:.6em 0;padding:.4em "
		".7em;"
		"font-size:1.15em;font-weight:bold\">",
		verdict_style(status));
	summary_html_esc(out, v);
	fputs("</p>\n", out);
	g_free(v);
}

/* Before every view: the counts that follow are short. */
static void
unreadable_warning(FILE *out, const struct summary_agg *a)
{
	const struct summary_problems *p = &a->problems;
	char *w = summary_unreadable_text(p);

	if (w == NULL)
		return;
	fputs("<div class=\"bad\" role=\"alert\"><p>Warning: ", out);
	summary_html_esc(out, w);
	fputs(":</p>\n<ul>\n", out);
	for (size_t i = 0; i < p->n_unreadable_files; i++) {
		fputs("<li><code>", out);
		summary_html_esc(out, p->unreadable_files[i]);
		fputs("</code></li>\n", out);
	}
	fputs("</ul></div>\n", out);
	g_free(w);
}

static void
section(FILE *out, const char *title)
{
	fprintf(out, "<h2>%s</h2>\n", title);
}

static int
page(FILE *out, const struct summary_agg *a,
     const struct summary_render_ctx *ctx, int digest)
{
	head(out, a, ctx);
	unreadable_warning(out, a);
	switch (ctx->view) {
	case SUMMARY_VIEW_ALL: break;
	case SUMMARY_VIEW_DOMAIN:
		summary_html_domains_table(out, a, 0, a->triage->len);
		goto out;
	case SUMMARY_VIEW_ORG: summary_html_orgs_table(out, a, 0); goto out;
	case SUMMARY_VIEW_RESULT:
		summary_html_type_chart(out, a);
		summary_html_results_table(out, a);
		goto out;
	case SUMMARY_VIEW_MX: summary_html_mx_table(out, a, 0); goto out;
	case SUMMARY_VIEW_SENDING_IP:
		summary_html_senders_table(out, a, 0);
		goto out;
	case SUMMARY_VIEW_DAY:
		summary_html_day_charts(out, a, 0);
		summary_html_days_table(out, a);
		goto out;
	case SUMMARY_VIEW_REPORT: summary_html_reports_table(out, a); goto out;
	case SUMMARY_VIEW_SENDER: summary_html_senders_view(out, a); goto out;
	}
	verdict(out, a);
	/* Worst first (triage.h): what needs action opens the page, the
	 * healthy domains are one line and a collapsed list. */
	section(out, "Needs action <span class=\"note\">(worst first)</span>");
	summary_html_action(out, a);
	if (a->n_below > 0) {
		section(out, "Below the noise threshold");
		summary_html_below(out, a);
	}
	summary_html_healthy(out, a, digest);
	if (a->n_action + a->n_below > 0) {
		section(out, "Domains that need a look, in numbers <span "
			     "class=\"note\">(change: success rate against "
			     "the previous window)</span>");
		summary_html_domains_table(out, a, 0, a->n_action + a->n_below);
	}
	section(out, "Daily trend <span class=\"note\">(day the sessions "
		     "took place; domains that need a look first)</span>");
	summary_html_day_charts(out, a, CHARTS);
	summary_html_days_table(out, a);
	section(out, "Failures by result type, and what to do");
	summary_html_type_chart(out, a);
	summary_html_results_table(out, a);
	section(out, "Failing receiving MX hosts");
	summary_html_mx_table(out, a, TOP);
	section(out, "Failing sending MTAs");
	summary_html_senders_table(out, a, TOP);
	section(out, "Reporting organisations");
	summary_html_orgs_table(out, a, TOP);
	section(out, "MTA-STS readiness");
	summary_html_readiness(out, a, digest);
	section(out, "Silence");
	summary_html_silence(out, a);
	section(out, "Impersonation and conflicting reports <span "
		     "class=\"note\">(left out of every count unless "
		     "counted)</span>");
	summary_html_senders_view(out, a);
	section(out, "Data problems");
	summary_html_problems(out, a);
out:
	fputs("</body>\n</html>\n", out);
	return fflush(out) != 0 || ferror(out) ? -1 : 0;
}

int
summary_render_html(FILE *out, const struct summary_agg *a,
		    const struct summary_render_ctx *ctx)
{
	return page(out, a, ctx, 0);
}

int
summary_html_digest(FILE *out, const struct summary_agg *a,
		    const struct summary_render_ctx *ctx)
{
	return page(out, a, ctx, 1);
}
