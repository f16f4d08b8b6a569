/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * render.h -- the output formats of tlsrpt-summary and the views (--by).
 *
 * A renderer writes a finished aggregation (summary/aggregate.h) to a
 * stream. Adding a format: write summary/render_NAME.c with a function of
 * type summary_render_fn, declare it below and add one line to the table
 * in summary/render.c.
 */
#ifndef TLSRPT_SUMMARY_RENDER_H
#define TLSRPT_SUMMARY_RENDER_H

#include <stdint.h>
#include <stdio.h>

#include "summary/aggregate.h"

enum summary_view {
	SUMMARY_VIEW_ALL, /* no --by: the whole picture */
	SUMMARY_VIEW_DOMAIN,
	SUMMARY_VIEW_ORG,
	SUMMARY_VIEW_RESULT,
	SUMMARY_VIEW_MX,
	SUMMARY_VIEW_SENDING_IP,
	SUMMARY_VIEW_DAY,
	SUMMARY_VIEW_REPORT,
	SUMMARY_VIEW_SENDER, /* impersonations and conflicts (trust.c) */
};

struct summary_render_ctx {
	enum summary_view view;
	int64_t now; /* when the summary was made */
	size_t n_dirs;
};

/* Returns 0, or -1 when writing failed. */
typedef int (*summary_render_fn)(FILE *out, const struct summary_agg *a,
				 const struct summary_render_ctx *ctx);

struct summary_renderer {
	const char *name; /* --format NAME */
	summary_render_fn render;
	/* It shows each domain's days (summary_options.domain_days). */
	int domain_days;
};

int summary_render_text(FILE *out, const struct summary_agg *a,
			const struct summary_render_ctx *ctx);
int summary_render_json(FILE *out, const struct summary_agg *a,
			const struct summary_render_ctx *ctx);
int summary_render_csv(FILE *out, const struct summary_agg *a,
		       const struct summary_render_ctx *ctx);
/* One whole HTML5 page (render_html.c); self-contained, so it can be
 * embedded as a text/html part as it is. */
int summary_render_html(FILE *out, const struct summary_agg *a,
			const struct summary_render_ctx *ctx);
int summary_render_prometheus(FILE *out, const struct summary_agg *a,
			      const struct summary_render_ctx *ctx);

/* The renderer called name, or NULL. */
const struct summary_renderer *summary_renderer_find(const char *name);

/* "text|json|csv|..." for usage messages. Static storage. */
const char *summary_renderer_names(void);

/* --by NAME; returns 0, or -1 for an unknown name. */
int summary_view_parse(const char *name, enum summary_view *v);
const char *summary_view_name(enum summary_view v); /* "domain", ... */

/* The success rate rounded to decimals (0..3) for display, or -1 with no
 * sessions: never 100 while a session failed, never 0 while one
 * succeeded. */
double summary_rate_shown(const struct summary_counts *c, int decimals);

/* The failed sessions of all result types (the denominator of their
 * shares). */
int64_t summary_result_total(const struct summary_agg *a);

/* part / whole of width columns, rounded up (any part shows), at most
 * width; 0 when whole or part is 0. Safe for any counts. */
int summary_scale(int64_t part, int64_t whole, int width);

/* r's share of all (summary_result_total()) in percent; 0 when all is 0. */
double summary_result_share(const struct summary_result *r, int64_t all);

/* "YYYY-MM-DD" of t (UTC) into buf. */
void summary_date_of(int64_t t, char *buf, size_t size);

/* One counted problem with the data: "<count> <text>". */
struct summary_count_line {
	int64_t count;
	const char *text;
};

#define SUMMARY_MAX_COUNT_LINES 8

/* The counted data problems worth a line (count > 0), in the order every
 * format shows them, into lines[SUMMARY_MAX_COUNT_LINES]; returns how
 * many. The texts are plain; each format adds its own markup. */
size_t summary_count_lines(const struct summary_problems *p,
			   struct summary_count_line *lines);

/* When day files could not be read, the warning every format gives before
 * anything else ("2 store files could not be read: every count here
 * leaves out the reports in them"); NULL when every file was read. Plain
 * text; the first files are in p->unreadable_files. Caller g_free()s. */
char *summary_unreadable_text(const struct summary_problems *p);

/* The one-line advice for a failure result type (any string: unknown
 * types get a generic line). Static storage. */
const char *summary_advice(const char *result_type);

/* "ok", "failures" or "no-data", and the one-line verdict sentence
 * (caller g_free()s). */
const char *summary_status(const struct summary_agg *a);
char *summary_verdict_text(const struct summary_agg *a);

/* The policy types seen for d in the window, each after a space, appended
 * to s: " sts tlsa no-policy-found" and then the unknown types as sent. */
void summary_policy_types(const struct summary_domain *d, GString *s);

/* Readiness verdict as a word: "ready", "not-ready", "enforced",
 * "refusing", or NULL for SUMMARY_VERDICT_NONE. */
const char *summary_verdict_name(enum summary_verdict v);

#endif
