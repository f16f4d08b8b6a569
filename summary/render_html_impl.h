/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * render_html_impl.h -- the parts of the HTML page, for the page's own
 * files only (render_html*.c); the page itself is summary_render_html()
 * (summary/render.h).
 *
 * render_html.c is the frame and decides which parts come, in what order,
 * and how many rows; each part is written by the file named after it and
 * knows only its own markup. Every string that came from a report goes
 * through summary_html_esc().
 *
 * The digest (render_mail.c) is the same page, cut to what a mail client
 * shows: summary_html_digest() leaves out the collapsed lists (<details>
 * is not shown collapsed by most mail clients, and Gmail cuts a message
 * past about 100 KB).
 */
#ifndef TLSRPT_SUMMARY_RENDER_HTML_IMPL_H
#define TLSRPT_SUMMARY_RENDER_HTML_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "summary/aggregate.h"
#include "summary/render.h"

/* render_html.c: the page as the digest's HTML part. */
int summary_html_digest(FILE *out, const struct summary_agg *a,
			const struct summary_render_ctx *ctx);

/* render_html.c: summary_percent() (triage.h, the one rounding rule)
 * escaped for HTML: "&lt;0.1%". */
#define SUMMARY_HTML_PERCENT_MAX 24
void summary_html_percent(int64_t part, int64_t whole,
			  char buf[SUMMARY_HTML_PERCENT_MAX]);

/* render_html.c: s escaped for element content and for double- or
 * single-quoted attribute values alike. */
void summary_html_esc(FILE *out, const char *s);

/* render_html_triage.c: the top of the page, worst first (triage.h):
 * the domains that need action and damaged data, each with what to do;
 * the failures under the noise threshold; the healthy domains in one
 * line and, collapsed in a <details>, their table. */
void summary_html_action(FILE *out, const struct summary_agg *a);
void summary_html_below(FILE *out, const struct summary_agg *a);
void summary_html_healthy(FILE *out, const struct summary_agg *a, int digest);

/* render_html_tables.c: one table each. max is the number of rows shown
 * (0: all); past it, a note names the --by view that shows them all.
 * The domains table shows n domains of a->triage from first on. */
void summary_html_domains_table(FILE *out, const struct summary_agg *a,
				guint first, guint n);
void summary_html_results_table(FILE *out, const struct summary_agg *a);
void summary_html_mx_table(FILE *out, const struct summary_agg *a, size_t max);
void summary_html_senders_table(FILE *out, const struct summary_agg *a,
				size_t max);
void summary_html_orgs_table(FILE *out, const struct summary_agg *a,
			     size_t max);
/* Impersonations and conflicting versions (--by sender). */
void summary_html_senders_view(FILE *out, const struct summary_agg *a);
void summary_html_days_table(FILE *out, const struct summary_agg *a);
void summary_html_reports_table(FILE *out, const struct summary_agg *a);

/* render_html_charts.c: inline SVG. Daily charts: sessions (successful
 * and failed, stacked) above the failure share on its own axis, for all
 * domains together and then for each domain with sessions, those that
 * need action or have failures first (a->triage), at most max healthy
 * ones (0: all); and one bar chart of the failed sessions by result
 * type. Nothing when there is nothing to draw. */
void summary_html_day_charts(FILE *out, const struct summary_agg *a,
			     size_t max);
void summary_html_type_chart(FILE *out, const struct summary_agg *a);

/* render_html_lists.c: MTA-STS readiness, silence and data problems, one
 * item a sentence. Readiness lists the domains not ready first and
 * collapses the others (cut with digest). */
void summary_html_readiness(FILE *out, const struct summary_agg *a, int digest);
void summary_html_silence(FILE *out, const struct summary_agg *a);
void summary_html_problems(FILE *out, const struct summary_agg *a);

#endif
