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
 */
#ifndef TLSRPT_SUMMARY_RENDER_HTML_IMPL_H
#define TLSRPT_SUMMARY_RENDER_HTML_IMPL_H

#include <stddef.h>
#include <stdio.h>

#include "summary/aggregate.h"

/* render_html.c: s escaped for element content and for double- or
 * single-quoted attribute values alike. */
void summary_html_esc(FILE *out, const char *s);

/* render_html_tables.c: one table each. max is the number of rows shown
 * (0: all); past it, a note names the --by view that shows them all. */
void summary_html_domains_table(FILE *out, const struct summary_agg *a);
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

/* render_html_charts.c: inline SVG. A daily chart for each domain with
 * sessions, at most max (0: all), and one bar chart of the failed
 * sessions by result type. Nothing when there is nothing to draw. */
void summary_html_day_charts(FILE *out, const struct summary_agg *a,
			     size_t max);
void summary_html_type_chart(FILE *out, const struct summary_agg *a);

/* render_html_lists.c: MTA-STS readiness, silence and data problems, one
 * item a sentence. */
void summary_html_readiness(FILE *out, const struct summary_agg *a);
void summary_html_silence(FILE *out, const struct summary_agg *a);
void summary_html_problems(FILE *out, const struct summary_agg *a);

#endif
