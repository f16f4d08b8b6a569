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

/* 950, 12k, 1.5M: short tick labels. */
static void
compact(int64_t v, char *buf, size_t size)
{
	if (v < 10000)
		snprintf(buf, size, "%lld", (long long)v);
	else if (v < 10000000)
		snprintf(buf, size, "%.4gk", (double)v / 1e3);
	else
		snprintf(buf, size, "%.4gM", (double)v / 1e6);
}

#define CW 720 /* chart width */
#define CH 190 /* daily chart height */
#define ML 64  /* left margin: tick labels and axis title */
#define MR 16
#define MT 28 /* title */
#define MB 42 /* day labels and axis title */

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

static void
day_chart(FILE *out, const struct summary_agg *a,
	  const struct summary_domain *d)
{
	const double pw = CW - ML - MR, ph = CH - MT - MB;
	int n = (int)a->days->len, every, i;
	int64_t max = 0, step, top, v;
	double slot, bw;
	char buf[32];

	for (i = 0; i < (int)d->days->len; i++) {
		const struct summary_day *x = g_ptr_array_index(d->days, i);

		if (summary_sessions(&x->c) > max)
			max = summary_sessions(&x->c);
	}
	/* Sums saturate at INT64_MAX (base/count.h); the axis rounds up
	 * from max, so it needs headroom. */
	if (max > INT64_MAX / 16)
		max = INT64_MAX / 16;
	step = tick_step(max, 4);
	top = max > 0 ? (max + step - 1) / step * step : 4 * step;
	slot = pw / n;
	bw = slot * 0.7 > 36 ? 36 : slot * 0.7;
	/* Day labels ("11-23") need about 40 pixels each. */
	every = (int)(40 / slot) + 1;

	fprintf(out,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		"height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n<title>",
		CW, CH, CW, CH);
	summary_html_esc(out, d->name);
	fputs(": TLS sessions a day, successful and failed</title>\n", out);
	fprintf(out, "<text x=\"%d\" y=\"16\" style=\"font-weight:bold\">", ML);
	summary_html_esc(out, d->name);
	fprintf(out,
		"</text>\n<text x=\"%d\" y=\"16\" text-anchor=\"end\">"
		"<tspan fill=\"" C_OK "\">&#9632;</tspan> successful "
		"<tspan fill=\"" C_FAIL "\">&#9632;</tspan> failed</text>\n",
		CW - MR);
	for (v = 0; v <= top; v += step) {
		double y = MT + ph - ph * (double)v / (double)top;

		compact(v, buf, sizeof(buf));
		fprintf(out,
			"<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
			"stroke=\"%s\"/>"
			"<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s"
			"</text>\n",
			ML, y, CW - MR, y, v == 0 ? "#666" : "#e0e0e0", ML - 6,
			y + 4, buf);
	}
	fprintf(out,
		"<text transform=\"translate(14 %.1f) rotate(-90)\" "
		"text-anchor=\"middle\">sessions</text>\n",
		MT + ph / 2);
	for (i = 0; i < (int)d->days->len; i++) {
		const struct summary_day *x = g_ptr_array_index(d->days, i);
		int k = day_index(a, x->day);
		int64_t all = summary_sessions(&x->c);
		double h = ph * (double)all / (double)top, hf, bx;

		if (k < 0 || all == 0)
			continue;
		if (h > ph)
			h = ph;
		hf = h * (double)x->c.failures / (double)all;
		if (x->c.failures > 0 && hf < 2)
			hf = 2; /* a failure never disappears */
		if (hf > h)
			h = hf;
		bx = ML + slot * k + (slot - bw) / 2;
		summary_date_of(x->day, buf, sizeof(buf));
		fprintf(out,
			"<g><title>%s: %lld successful, %lld failed</title>"
			"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			"height=\"%.1f\" fill=\"" C_OK "\"/>",
			buf, (long long)x->c.successes,
			(long long)x->c.failures, bx, MT + ph - h, bw, h - hf);
		if (hf > 0)
			fprintf(out,
				"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				"height=\"%.1f\" fill=\"" C_FAIL "\"/>",
				bx, MT + ph - h, bw, hf);
		fputs("</g>\n", out);
	}
	for (i = 0; i < n; i += every) {
		const struct summary_day *x = g_ptr_array_index(a->days, i);

		summary_date_of(x->day, buf, sizeof(buf));
		fprintf(out,
			"<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s"
			"</text>\n",
			ML + slot * i + slot / 2, MT + (int)ph + 16, buf + 5);
	}
	fprintf(out,
		"<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">day "
		"(UTC) the sessions took place</text>\n</svg>\n",
		ML + pw / 2, CH - 6);
}

void
summary_html_day_charts(FILE *out, const struct summary_agg *a, size_t max)
{
	guint i, shown = 0, skipped = 0;

	if (a->days->len == 0)
		return;
	for (i = 0; i < a->domains->len; i++) {
		const struct summary_domain *d =
			g_ptr_array_index(a->domains, i);

		if (summary_sessions(&d->cur) == 0)
			continue;
		if (max > 0 && shown >= max) {
			skipped++;
			continue;
		}
		day_chart(out, a, d);
		shown++;
	}
	if (skipped > 0)
		fprintf(out,
			"<p class=\"note\">&hellip; %u more domains: "
			"<code>--domain NAME</code></p>\n",
			skipped);
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
		": %lld failed sessions</title><text x=\"%d\" y=\"%.1f\" "
		"text-anchor=\"end\">",
		(long long)n, RL - 8, y + 15);
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
		"height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n"
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
			"<p class=\"note\">&hellip; %u more types in the "
			"table</p>\n",
			a->results->len - (guint)rows);
}
