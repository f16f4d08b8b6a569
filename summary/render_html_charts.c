/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * render_html_charts.c -- the inline SVG charts of the HTML page: TLS
 * sessions a day per domain (successful and failed, stacked) and failed
 * sessions by result type. Apart because the geometry (margins, round
 * ticks, bar widths) is a job of its own that no table needs. Report text
 * goes only into <title> and <text> content, escaped.
 */
#include "summary/render.h"

#include "summary/render_html_impl.h"
#include "summary/triage.h"

#define TYPE_ROWS 15 /* bars of the result-type chart */

#define C_OK "#4caf50"
#define C_FAIL "#d32f2f"
#define C_NODETAIL "#9e9e9e"

/* A round step (1, 2 or 5 times a power of ten) for ticks lines over
 * 0..max. */
static int64_t
tick_step(int64_t max, int ticks)
{
	int64_t raw = (max + ticks - 1) / ticks, p = 1;

	if (raw < 1)
		return 1;
	while (p <= raw / 10)
		p *= 10;
	if (p >= raw)
		return p;
	if (2 * p >= raw)
		return 2 * p;
	if (5 * p >= raw)
		return 5 * p;
	return 10 * p;
}

/* Up to max characters of s (whole UTF-8 sequences), "..." after. */
static void
esc_short(FILE *out, const char *s, size_t max)
{
	size_t i = 0, chars = 0;

	while (s[i] != '\0' && chars < max) {
		i++;
		while (((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		chars++;
	}
	if (s[i] == '\0') {
		summary_html_esc(out, s);
	} else {
		char *cut = g_strndup(s, i);

		summary_html_esc(out, cut);
		fputs("&hellip;", out);
		g_free(cut);
	}
}

#define CW 720 /* width of the full charts */
#define SW 380 /* width of a small multiple: three in a row at 1280 px */
#define ML 60  /* left margin: tick labels */
#define MR 16
#define MT 28  /* title */
#define PS 100 /* sessions panel */
#define GAP 16
#define PF 56 /* failure-share panel */
#define MB 34 /* day labels and axis title */
#define CH (MT + PS + GAP + PF + MB)
#define PPM 1000000
#define SHARE_STEP_MIN 1000 /* 0.1%: share ticks print exactly */

/* Index of day in a->days (sorted), or -1. */
static int
day_index(const struct summary_agg *a, int64_t day)
{
	guint lo = 0, hi = a->days->len;

	while (lo < hi) {
		guint mid = lo + (hi - lo) / 2;
		int64_t v = ((const struct summary_day *)g_ptr_array_index(
				     a->days, mid))
				    ->day;

		if (v == day)
			return (int)mid;
		if (v < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* The failure share of x in parts per million. */
static double
share_ppm(const struct summary_day *x)
{
	int64_t all = summary_sessions(&x->c);

	return all > 0 ? (double)x->c.failures * PPM / (double)all : 0;
}

/* A horizontal grid line at y with its tick label. */
static void
tick(FILE *out, int w, double y, int zero, const char *label)
{
	fprintf(out,
		"<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
		"stroke=\"%s\"/><text x=\"%d\" y=\"%.1f\" "
		"text-anchor=\"end\">%s</text>\n",
		ML, y, w - MR, y, zero ? "#666" : "#e0e0e0", ML - 6, y + 4,
		label);
}

/* The geometry both panels share. */
struct frame {
	int w, n, every;
	double slot, bw;
};

/* Sessions a day, successful and failed stacked, from y0 down PS. */
static void
sessions_panel(FILE *out, const struct summary_agg *a, const GPtrArray *days,
	       const struct frame *f)
{
	const double y0 = MT, ph = PS;
	int64_t max = 0, step, top, v;
	char buf[SUMMARY_COUNT_SHORT_MAX];
	guint i;

	for (i = 0; i < days->len; i++) {
		const struct summary_day *x = g_ptr_array_index(days, i);

		if (summary_sessions(&x->c) > max)
			max = summary_sessions(&x->c);
	}
	/* Sums saturate at INT64_MAX (base/count.h); the axis rounds up
	 * from max, so it needs headroom. */
	if (max > INT64_MAX / 16)
		max = INT64_MAX / 16;
	step = tick_step(max, 2);
	top = max > 0 ? (max + step - 1) / step * step : 2 * step;
	for (v = 0; v <= top; v += step) {
		summary_count_short(v, buf);
		tick(out, f->w, y0 + ph - ph * (double)v / (double)top, v == 0,
		     buf);
	}
	for (i = 0; i < days->len; i++) {
		const struct summary_day *x = g_ptr_array_index(days, i);
		int k = day_index(a, x->day);
		int64_t all = summary_sessions(&x->c);
		double h = ph * (double)all / (double)top, hf, bx;

		if (k < 0 || all == 0)
			continue;
		if (h > ph)
			h = ph;
		hf = h * (double)x->c.failures / (double)all;
		if (x->c.failures > 0 && hf < 1)
			hf = 1;
		if (hf > h)
			h = hf;
		bx = ML + f->slot * k + (f->slot - f->bw) / 2;
		summary_date_of(x->day, buf, sizeof(buf));
		fprintf(out,
			"<g><title>%s: %lld successful, %lld failed</title>"
			"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			"height=\"%.1f\" fill=\"" C_OK "\"/>",
			buf, (long long)x->c.successes,
			(long long)x->c.failures, bx, y0 + ph - h + hf, f->bw,
			h - hf);
		if (hf > 0)
			fprintf(out,
				"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				"height=\"%.1f\" fill=\"" C_FAIL "\"/>",
				bx, y0 + ph - h, f->bw, hf);
		fputs("</g>\n", out);
	}
}

/* The failure share a day on its own axis, from 0 to a round share over
 * the largest: 0.3% of a day's sessions is a third of the panel, not a
 * sliver of the bar above. */
static void
share_panel(FILE *out, const struct summary_agg *a, const GPtrArray *days,
	    const struct frame *f)
{
	const double y0 = MT + PS + GAP, ph = PF;
	double max = 0;
	int64_t step, top, v;
	char buf[32], pct[SUMMARY_HTML_PERCENT_MAX];
	guint i;

	for (i = 0; i < days->len; i++) {
		double s = share_ppm(g_ptr_array_index(days, i));

		if (s > max)
			max = s;
	}
	step = tick_step((int64_t)max + 1, 2);
	if (step < SHARE_STEP_MIN)
		step = SHARE_STEP_MIN;
	top = ((int64_t)max + step - 1) / step * step;
	if (top < step)
		top = step;
	for (v = 0; v <= top; v += step) {
		summary_html_percent(v, PPM, pct);
		tick(out, f->w, y0 + ph - ph * (double)v / (double)top, v == 0,
		     pct);
	}
	fprintf(out,
		"<text x=\"%d\" y=\"%.1f\" style=\"font-size:11px\">failed, "
		"share of the day's sessions</text>\n",
		ML + 4, y0 - 3);
	for (i = 0; i < days->len; i++) {
		const struct summary_day *x = g_ptr_array_index(days, i);
		int k = day_index(a, x->day);
		double h = ph * share_ppm(x) / (double)top, bx;

		if (k < 0 || x->c.failures <= 0)
			continue;
		if (h < 2)
			h = 2; /* a failure never disappears */
		if (h > ph)
			h = ph;
		bx = ML + f->slot * k + (f->slot - f->bw) / 2;
		summary_date_of(x->day, buf, sizeof(buf));
		summary_html_percent(x->c.failures, summary_sessions(&x->c),
				     pct);
		fprintf(out,
			"<g><title>%s: %lld failed, %s</title><rect "
			"x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
			"fill=\"" C_FAIL "\"/></g>\n",
			buf, (long long)x->c.failures, pct, bx, y0 + ph - h,
			f->bw, h);
	}
}

/* One daily chart of days (a->days or a domain's) titled title, w wide;
 * the SVG scales down to the width of a narrow pane (viewBox). */
static void
day_chart(FILE *out, const struct summary_agg *a, const char *title,
	  const GPtrArray *days, int w)
{
	struct frame f;
	char buf[32];
	int i;

	f.w = w;
	f.n = (int)a->days->len;
	f.slot = (double)(w - ML - MR) / f.n;
	f.bw = f.slot * 0.7 > 36 ? 36 : f.slot * 0.7;
	/* Day labels ("11-23") need about 40 pixels each. */
	f.every = (int)(40 / f.slot) + 1;
	fprintf(out,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"%s\" "
		"width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		"role=\"img\" style=\"max-width:100%%;height:auto\">\n<title>",
		w == CW ? "wide" : "small", w, CH, w, CH);
	summary_html_esc(out, title);
	fputs(": TLS sessions a day, successful and failed, and the failed "
	      "share</title>\n",
	      out);
	fprintf(out, "<text x=\"%d\" y=\"16\" style=\"font-weight:bold\">", ML);
	esc_short(out, title, w == CW ? 60 : 26);
	fprintf(out,
		"</text>\n<text x=\"%d\" y=\"16\" text-anchor=\"end\">"
		"<tspan fill=\"" C_OK "\">&#9632;</tspan> successful "
		"<tspan fill=\"" C_FAIL "\">&#9632;</tspan> failed</text>\n",
		w - MR);
	sessions_panel(out, a, days, &f);
	share_panel(out, a, days, &f);
	for (i = 0; i < f.n; i += f.every) {
		const struct summary_day *x = g_ptr_array_index(a->days, i);

		summary_date_of(x->day, buf, sizeof(buf));
		fprintf(out,
			"<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s"
			"</text>\n",
			ML + f.slot * i + f.slot / 2, MT + PS + GAP + PF + 16,
			buf + 5);
	}
	fprintf(out,
		"<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">day "
		"(UTC) the sessions took place</text>\n</svg>\n",
		ML + (w - ML - MR) / 2.0, CH - 4);
}

void
summary_html_day_charts(FILE *out, const struct summary_agg *a, size_t max)
{
	guint i, problems = a->n_action + a->n_below, shown = 0, skipped = 0;
	GPtrArray *days;

	if (a->days->len == 0)
		return;
	day_chart(out, a, "All domains", a->days, CW);
	fputs("<div class=\"multiples\">\n", out);
	for (i = 0; i < a->triage->len; i++) {
		const struct summary_domain *d =
			g_ptr_array_index(a->triage, i);

		if (summary_sessions(&d->cur) == 0)
			continue;
		/* Every domain that needs a look; healthy ones while there
		 * are fewer than max charts. */
		if (i >= problems && max > 0 && shown >= max) {
			skipped++;
			continue;
		}
		/* A domain's days are a plain list (slab.h): a GPtrArray
		 * of them for the few charts drawn. */
		days = g_ptr_array_sized_new(d->n_days);
		for (guint j = 0; j < d->n_days; j++)
			g_ptr_array_add(days, d->days[j]);
		day_chart(out, a, d->name, days, SW);
		g_ptr_array_free(days, TRUE);
		shown++;
	}
	fputs("</div>\n", out);
	if (skipped > 0)
		fprintf(out,
			"<p class=\"note\">&hellip; %u more healthy %s: "
			"<code>--domain NAME</code></p>\n",
			skipped, summary_plural(skipped, "domain", "domains"));
}

#define RH 22  /* row height of the result-type chart */
#define RL 250 /* its label column */

static void
type_bar(FILE *out, int row, const char *label, int64_t n, int64_t max,
	 const char *colour)
{
	const double bar_w = CW - RL - MR - 70;
	double y = MT + (double)row * RH, w = bar_w * (double)n / (double)max;

	if (w < 2)
		w = 2;
	fputs("<g><title>", out);
	summary_html_esc(out, label);
	fprintf(out,
		": %lld failed %s</title><text x=\"%d\" y=\"%.1f\" "
		"text-anchor=\"end\">",
		(long long)n, summary_plural(n, "session", "sessions"), RL - 8,
		y + 15);
	esc_short(out, label, 34);
	fprintf(out,
		"</text><rect x=\"%d\" y=\"%.1f\" width=\"%.1f\" "
		"height=\"%d\" fill=\"%s\"/><text x=\"%.1f\" y=\"%.1f\">%lld"
		"</text></g>\n",
		RL, y + 3, w, RH - 6, colour, RL + w + 6, y + 15, (long long)n);
}

void
summary_html_type_chart(FILE *out, const struct summary_agg *a)
{
	int64_t max = a->problems.unexplained;
	int rows = 0, h;
	guint i;

	for (i = 0; i < a->results->len; i++) {
		const struct summary_result *r =
			g_ptr_array_index(a->results, i);

		if (r->sessions > max)
			max = r->sessions;
	}
	if (max == 0)
		return;
	rows = a->results->len > TYPE_ROWS ? TYPE_ROWS : (int)a->results->len;
	h = MT + (rows + (a->problems.unexplained > 0)) * RH + 24;
	fprintf(out,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		"height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
		"style=\"max-width:100%%;height:auto\">\n"
		"<title>Failed TLS sessions by result type</title>\n"
		"<text x=\"%d\" y=\"16\" style=\"font-weight:bold\">Failed "
		"sessions by result type</text>\n",
		CW, h, CW, h, RL);
	for (i = 0; (int)i < rows; i++) {
		const struct summary_result *r =
			g_ptr_array_index(a->results, i);

		type_bar(out, (int)i, r->type, r->sessions, max, C_FAIL);
	}
	if (a->problems.unexplained > 0)
		type_bar(out, rows, "(no details given)",
			 a->problems.unexplained, max, C_NODETAIL);
	fprintf(out,
		"<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
		"stroke=\"#666\"/>\n<text x=\"%d\" y=\"%d\">failed "
		"sessions in the window</text>\n</svg>\n",
		RL, MT, RL, h - 20, RL, h - 6);
	if ((int)a->results->len > rows)
		fprintf(out,
			"<p class=\"note\">&hellip; %u more %s in the "
			"table</p>\n",
			a->results->len - (guint)rows,
			summary_plural(a->results->len - (guint)rows, "type",
				       "types"));
}
