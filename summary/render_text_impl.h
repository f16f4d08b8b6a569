/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * render_text_impl.h -- the parts of the text view, for its own files only
 * (render_text*.c); the view itself is summary_render_text()
 * (summary/render.h).
 *
 * render_text.c is the page and decides which parts come, in what order,
 * and how many rows; the tables and lists are written by the files named
 * after them, with the 72-column layout of render_text_layout.c, which
 * puts every report string through the terminal step.
 */
#ifndef TLSRPT_SUMMARY_RENDER_TEXT_IMPL_H
#define TLSRPT_SUMMARY_RENDER_TEXT_IMPL_H

#include <glib.h>
#include <stddef.h>
#include <stdio.h>

#include "summary/aggregate.h"

/* render_text_layout.c */

/* "99.2%" or "-" into buf; returns buf. */
const char *summary_text_rate_str(const struct summary_counts *c, char *buf,
				  size_t size);
/* text word-wrapped at 72 columns, col of them already used on the line;
 * continuation lines indented by indent spaces; a newline at the end. */
void summary_text_wrap(FILE *out, const char *text, int col, int indent);
/* Up to max strings of v, space-separated, "+N more" after (caller
 * g_free()s). Raw: print it only through summary_text_wrap() or
 * summary_text_col(), which apply the terminal step once (twice would
 * double a report's backslashes). */
char *summary_text_joined(const GPtrArray *v, size_t max);
/* name in a column of width w: too long, it gets a line of its own. */
void summary_text_name_col(FILE *out, const char *name, int w);
/* s in a column of width w. */
void summary_text_col(FILE *out, const char *s, int w);

/* render_text_tables.c: one table each. max is the number of rows shown
 * (0: all); past it, a line names the --by view that shows them all. */
/* Domains worst first (a->triage); healthy ones after the first max
 * (0: all) are cut with a "N more" line. */
void summary_text_domains_table(FILE *out, const struct summary_agg *a,
				size_t max);
void summary_text_results_table(FILE *out, const struct summary_agg *a);
void summary_text_mx_table(FILE *out, const struct summary_agg *a, size_t max);
void summary_text_senders_table(FILE *out, const struct summary_agg *a,
				size_t max);
void summary_text_orgs_table(FILE *out, const struct summary_agg *a,
			     size_t max);
/* with_bars: a bar of '=' and 'x' for each day instead of its reports. */
void summary_text_days_table(FILE *out, const struct summary_agg *a,
			     int with_bars);
void summary_text_reports_table(FILE *out, const struct summary_agg *a);

/* render_text_triage.c: what needs action, worst first; failures under
 * the noise threshold; the healthy domains in one line and the first max
 * of their names (0: all). */
void summary_text_triage(FILE *out, const struct summary_agg *a, size_t max);

/* render_text_lists.c: a wrapped sentence an item, "(none)" when empty. */
/* Readiness: refusing and not ready first, then ready and enforced, cut
 * after max of those (0: all); silence: silent domains, then the first
 * max silent reporters (0: all). */
/* "OUR PROBE (latest run)": nothing at all when no probe ran in the
 * window (render_text_probe.c). */
void summary_text_probe(FILE *out, const struct summary_agg *a);
void summary_text_readiness(FILE *out, const struct summary_agg *a, size_t max);
void summary_text_silence(FILE *out, const struct summary_agg *a, size_t max);
/* Reports left out as impersonations (trust.c). */
void summary_text_suspects(FILE *out, const struct summary_agg *a);
/* Report ids stored with several contents (conflicts.c). */
void summary_text_conflicts(FILE *out, const struct summary_agg *a);
void summary_text_problems(FILE *out, const struct summary_agg *a);

#endif
