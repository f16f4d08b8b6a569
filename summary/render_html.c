/*
 * render_html.c -- one self-contained HTML5 page: the verdict, the tables
 * of the text view and inline SVG charts (daily sessions per domain,
 * failures by result type). No JavaScript and nothing fetched, so it
 * reads the same in a browser and in a mail client (render_mail.c embeds
 * it). Every string that came from a report goes through esc(): the page
 * never puts report text into CSS or SVG code, only into element text and
 * quoted attribute values, escaped.
 */
#include "summary/render.h"

#include <string.h>

#include "report/report.h"
#include "report/sanitize.h"
#include "summary/window.h"

#define TOP 10	     /* rows of the long tables in the default view */
#define CHARTS 12    /* daily charts in the default view */
#define TYPE_ROWS 15 /* bars of the result-type chart */

#define C_OK "#4caf50"
#define C_FAIL "#d32f2f"
#define C_NODETAIL "#9e9e9e"

static const char style[] =
	"body{font-family:system-ui,-apple-system,'Segoe UI',Helvetica,"
	"Arial,sans-serif;color:#1a1a1a;background:#fff;margin:1.5em;"
	"max-width:76em;line-height:1.4}\n"
	"h1{font-size:1.4em;margin:0 0 .4em}\n"
	"h2{font-size:1.1em;margin:1.6em 0 .4em;border-bottom:1px solid #ccc;"
	"padding-bottom:.2em}\n"
	"table{border-collapse:collapse;margin:.3em 0}\n"
	"th,td{padding:.25em .6em;border-bottom:1px solid #e0e0e0;"
	"text-align:left;vertical-align:top}\n"
	"th{background:#f3f3f3}\n"
	".n{text-align:right;font-variant-numeric:tabular-nums;"
	"white-space:nowrap}\n"
	".bad{color:#c62828;font-weight:bold}\n"
	".note{color:#555}\n"
	"code{font-size:.95em}\n"
	"svg{display:block;margin:.4em 0 1em}\n"
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
static void
esc(FILE *out, const char *s)
{
	(void)sanitize_fputs(sanitize_html, s, out);
}

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
	esc(out, s != NULL ? s : "-");
	fputs("</td>", out);
}

static void
td_rate(FILE *out, const struct summary_counts *c)
{
	double r = summary_rate_shown(c, 1);

	if (r < 0)
		fputs("<td class=\"n\">-</td>", out);
	else
		fprintf(out, "<td class=\"n%s\">%.1f%%</td>",
			c->failures > 0 ? " bad" : "", r);
}

static void
td_list(FILE *out, const GPtrArray *v, size_t max)
{
	guint i;

	fputs("<td>", out);
	for (i = 0; v != NULL && i < v->len && i < max; i++) {
		if (i > 0)
			fputs(", ", out);
		esc(out, g_ptr_array_index(v, i));
	}
	if (v != NULL && v->len > max)
		fprintf(out, " <span class=\"note\">+%u more</span>",
			v->len - (guint)max);
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

static void
policy_types(FILE *out, const struct summary_domain *d)
{
	GString *s = g_string_new(NULL);

	if (d->policy_types & SUMMARY_PT_STS)
		g_string_append(s, " sts");
	if (d->policy_types & SUMMARY_PT_TLSA)
		g_string_append(s, " tlsa");
	if (d->policy_types & SUMMARY_PT_NO_POLICY)
		g_string_append(s, " no-policy-found");
	if (d->other_types != NULL)
		g_string_append_printf(s, " %s", d->other_types);
	td_text(out, s->len > 0 ? s->str + 1 : NULL);
	g_string_free(s, TRUE);
}

static void
domains_table(FILE *out, const struct summary_agg *a)
{
	char day[24];
	guint i;

	thead(out, "domain\t#sessions\t#failed\t#success rate\t#change "
		   "(points)\tMTA-STS mode\tMX patterns (seen)\tpolicy "
		   "types\t#reports\treadiness");
	for (i = 0; i < a->domains->len; i++) {
		const struct summary_domain *d =
			g_ptr_array_index(a->domains, i);
		double now = summary_rate(&d->cur),
		       before = summary_rate(&d->prev);
		const char *v = summary_verdict_name(d->verdict);

		fputs("<tr>", out);
		td_text(out, d->name);
		td_num(out, summary_sessions(&d->cur), 0);
		td_num(out, d->cur.failures, 1);
		td_rate(out, &d->cur);
		if (now < 0 || before < 0)
			fputs("<td class=\"n\">-</td>", out);
		else
			fprintf(out, "<td class=\"n\">%+.1f</td>",
				now - before);
		td_text(out, d->sts_mode);
		fputs("<td>", out);
		if (d->mx != NULL) {
			summary_date_of(d->policy_seen, day, sizeof(day));
			esc(out, d->mx);
			fprintf(out, " <span class=\"note\">(%s)</span>", day);
		} else {
			fputs("-", out);
		}
		fputs("</td>", out);
		policy_types(out, d);
		td_num(out, d->reports, 0);
		fprintf(out, "<td%s>%s</td></tr>\n",
			d->verdict == SUMMARY_VERDICT_NOT_READY ||
					d->verdict == SUMMARY_VERDICT_REFUSING
				? " class=\"bad\""
				: "",
			v != NULL ? v : "-");
	}
	tfoot(out, i, a->domains->len, 0, "domain", "no domains");
}

static void
results_table(FILE *out, const struct summary_agg *a)
{
	int64_t all = summary_result_total(a);
	guint i;

	thead(out, "result type\t#failed sessions\t#share\tdomains\treceiving "
		   "MX hosts\twhat to do");
	for (i = 0; i < a->results->len; i++) {
		const struct summary_result *r =
			g_ptr_array_index(a->results, i);

		fputs("<tr>", out);
		td_text(out, r->type);
		td_num(out, r->sessions, 1);
		fprintf(out, "<td class=\"n\">%.1f%%</td>",
			summary_result_share(r, all));
		td_list(out, r->domains, 6);
		td_list(out, r->mx, 6);
		td_text(out, summary_advice(r->type));
		fputs("</tr>\n", out);
	}
	if (a->problems.unexplained > 0) {
		fputs("<tr><td>(no details)</td>", out);
		td_num(out, a->problems.unexplained, 1);
		fputs("<td></td><td></td><td></td><td>the reporters gave no "
		      "failure details: ask them, or read their additional "
		      "information</td></tr>\n",
		      out);
	}
	tfoot(out, i, a->results->len + (a->problems.unexplained > 0), 0,
	      "result", "no failures");
}

static void
mx_table(FILE *out, const struct summary_agg *a, size_t max)
{
	guint i;

	thead(out, "receiving MX host\tIP\t#failed sessions\tresult "
		   "types\tdomains");
	for (i = 0; i < a->mx->len && (max == 0 || i < max); i++) {
		const struct summary_mx *m = g_ptr_array_index(a->mx, i);

		fputs("<tr>", out);
		td_text(out, m->host != NULL ? m->host : "(not given)");
		td_text(out, m->ip);
		td_num(out, m->failures, 1);
		td_list(out, m->results, 6);
		td_list(out, m->domains, 6);
		fputs("</tr>\n", out);
	}
	tfoot(out, i, a->mx->len, max, "mx", "no failures");
}

static void
senders_table(FILE *out, const struct summary_agg *a, size_t max)
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

static void
orgs_table(FILE *out, const struct summary_agg *a, size_t max)
{
	char day[24];
	guint i;

	thead(out, "organisation\t#reports\t#sessions\t#failed\t#success "
		   "rate\tlast report\tdomains\tsender");
	for (i = 0; i < a->orgs->len && (max == 0 || i < max); i++) {
		const struct summary_org *o = g_ptr_array_index(a->orgs, i);
		char *auth = summary_org_auth_text(o);

		summary_date_of(o->last_report, day, sizeof(day));
		fputs("<tr>", out);
		td_text(out, o->name);
		td_num(out, o->reports, 0);
		td_num(out, summary_sessions(&o->c), 0);
		td_num(out, o->c.failures, 1);
		td_rate(out, &o->c);
		fprintf(out, "<td>%s</td>", day);
		td_list(out, o->domains, 6);
		td_text(out, auth);
		fputs("</tr>\n", out);
		g_free(auth);
	}
	tfoot(out, i, a->orgs->len, max, "org", "no reports");
}

/* Impersonations and conflicting versions (trust.c): never counted
 * unless the row says so. */
static void
senders_view(FILE *out, const struct summary_agg *a)
{
	GArray *rows = summary_sender_rows(a);
	char when[24];
	guint i;

	thead(out, "kind\torganisation\treport-id\treceived (UTC)\t"
		   "submitter\tDKIM\tsender\tcounted\t#sessions\t#failed");
	for (i = 0; i < rows->len; i++) {
		const struct summary_sender_row *r =
			&g_array_index(rows, struct summary_sender_row, i);

		tlsrpt_format_datetime(r->received, when, sizeof(when));
		fprintf(out, "<tr><td class=\"bad\">%s</td>", r->kind);
		td_text(out, r->org);
		td_text(out, r->report_id);
		fprintf(out, "<td>%s</td>", when);
		td_text(out, r->submitter);
		td_text(out, r->dkim);
		td_text(out, r->sender);
		fprintf(out, "<td>%s</td>", r->counted ? "yes" : "no");
		td_num(out, summary_sessions(&r->c), 0);
		td_num(out, r->c.failures, 1);
		fputs("</tr>\n", out);
	}
	tfoot(out, i, rows->len, 0, "sender",
	      "no impersonation, no conflicting reports");
	g_array_free(rows, TRUE);
}

static void
days_table(FILE *out, const struct summary_agg *a)
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

static void
reports_table(FILE *out, const struct summary_agg *a)
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

/* ---- charts ---- */

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
	esc(out, d->name);
	fputs(": TLS sessions a day, successful and failed</title>\n", out);
	fprintf(out, "<text x=\"%d\" y=\"16\" style=\"font-weight:bold\">", ML);
	esc(out, d->name);
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

static void
day_charts(FILE *out, const struct summary_agg *a, size_t max)
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
		esc(out, s);
	} else {
		char *cut = g_strndup(s, i);

		esc(out, cut);
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
	esc(out, label);
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

static void
type_chart(FILE *out, const struct summary_agg *a)
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

/* ---- lists ---- */

static void
readiness(FILE *out, const struct summary_agg *a)
{
	int any = 0;
	guint i, j;

	for (i = 0; i < a->domains->len; i++) {
		const struct summary_domain *d =
			g_ptr_array_index(a->domains, i);

		if (d->verdict == SUMMARY_VERDICT_NONE)
			continue;
		fputs(any ? "<li><strong>" : "<ul>\n<li><strong>", out);
		any = 1;
		esc(out, d->name);
		fputs("</strong>: ", out);
		switch (d->verdict) {
		case SUMMARY_VERDICT_READY:
			fprintf(out,
				"testing, <strong>ready to enforce</strong> "
				"(%lld reports from %u organisations in %u "
				"days, no failures)",
				(long long)d->recent_reports,
				d->recent_reporters, a->opt.readiness_days);
			break;
		case SUMMARY_VERDICT_NOT_READY:
			fputs("testing, <strong class=\"bad\">not "
			      "ready</strong>",
			      out);
			break;
		case SUMMARY_VERDICT_ENFORCED:
			fputs("enforce, no failures", out);
			break;
		case SUMMARY_VERDICT_REFUSING:
		case SUMMARY_VERDICT_NONE:
		default:
			fputs("enforce, <strong class=\"bad\">failing</strong>",
			      out);
			break;
		}
		if (d->reasons->len > 0)
			fputs("\n<ul>\n", out);
		for (j = 0; j < d->reasons->len; j++) {
			fputs("<li>", out);
			esc(out,
			    g_array_index(d->reasons, struct summary_reason, j)
				    .text);
			fputs("</li>\n", out);
		}
		fputs(d->reasons->len > 0 ? "</ul></li>\n" : "</li>\n", out);
	}
	if (any)
		fputs("</ul>\n", out);
	else
		fputs("<p class=\"note\">(no domain has an MTA-STS policy in "
		      "testing or enforce)</p>\n",
		      out);
}

static void
silence(FILE *out, const struct summary_agg *a)
{
	char day[24];
	guint i;

	if (a->silent_domains->len == 0 && a->silent_reporters->len == 0) {
		fputs("<p class=\"note\">(none)</p>\n", out);
		return;
	}
	fputs("<ul>\n", out);
	for (i = 0; i < a->silent_domains->len; i++) {
		const struct summary_domain *d =
			g_ptr_array_index(a->silent_domains, i);

		fputs("<li><strong>", out);
		esc(out, d->name);
		if (d->last_report > 0) {
			summary_date_of(d->last_report, day, sizeof(day));
			fprintf(out,
				"</strong>: no report in the window (last "
				"%s)",
				day);
		} else {
			fputs("</strong>: no report in the window nor before",
			      out);
		}
		fputs("; check its <code>_smtp._tls</code> record and the "
		      "milter</li>\n",
		      out);
	}
	for (i = 0; i < a->silent_reporters->len; i++) {
		const struct summary_reporter *r =
			g_ptr_array_index(a->silent_reporters, i);

		summary_date_of(r->last, day, sizeof(day));
		fputs("<li><strong>", out);
		esc(out, r->org);
		fputs("</strong> stopped reporting <strong>", out);
		esc(out, r->domain);
		fprintf(out,
			"</strong>: last report %s, usually every %.1f "
			"days</li>\n",
			day, (double)r->interval / SUMMARY_DAY);
	}
	fputs("</ul>\n", out);
}

static void
problems(FILE *out, const struct summary_agg *a)
{
	const struct summary_problems *p = &a->problems;
	struct summary_count_line lines[SUMMARY_MAX_COUNT_LINES];
	int any = 0;
	size_t i, n;

	fputs("<ul>\n", out);
	if (p->skipped > 0) {
		fprintf(out, "<li>%lu damaged store line(s) skipped",
			p->skipped);
		if (p->n_problems > 0)
			fputs(":\n<ul>\n", out);
		for (i = 0; i < p->n_problems; i++) {
			fputs("<li><code>", out);
			esc(out, p->problems[i]);
			fputs("</code></li>\n", out);
		}
		fputs(p->n_problems > 0 ? "</ul></li>\n" : "</li>\n", out);
		any = 1;
	}
	n = summary_count_lines(p, lines);
	for (i = 0; i < n; i++) {
		fprintf(out, "<li>%lld ", (long long)lines[i].count);
		esc(out, lines[i].text);
		fputs("</li>\n", out);
	}
	any |= n > 0;
	if (!any)
		fputs("<li class=\"note\">(none)</li>\n", out);
	fputs("</ul>\n", out);
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
		"</h1>\n<p class=\"note\">%s .. %s (%.3g days), %lld "
		"reports, %zu store%s</p>\n",
		since, until,
		(double)(a->opt.until - a->opt.since) / SUMMARY_DAY,
		(long long)a->reports, ctx->n_dirs,
		ctx->n_dirs == 1 ? "" : "s");
}

static void
verdict(FILE *out, const struct summary_agg *a)
{
	const char *status = summary_status(a);
	char *v = summary_verdict_text(a);

	fprintf(out,
		"<p class=\"verdict\" style=\"%s;padding:.6em .8em;"
		"font-size:1.15em;font-weight:bold\">",
		verdict_style(status));
	esc(out, v);
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
	esc(out, w);
	fputs(":</p>\n<ul>\n", out);
	for (size_t i = 0; i < p->n_unreadable_files; i++) {
		fputs("<li><code>", out);
		esc(out, p->unreadable_files[i]);
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

int
summary_render_html(FILE *out, const struct summary_agg *a,
		    const struct summary_render_ctx *ctx)
{
	head(out, a, ctx);
	unreadable_warning(out, a);
	switch (ctx->view) {
	case SUMMARY_VIEW_ALL: break;
	case SUMMARY_VIEW_DOMAIN: domains_table(out, a); goto out;
	case SUMMARY_VIEW_ORG: orgs_table(out, a, 0); goto out;
	case SUMMARY_VIEW_RESULT:
		type_chart(out, a);
		results_table(out, a);
		goto out;
	case SUMMARY_VIEW_MX: mx_table(out, a, 0); goto out;
	case SUMMARY_VIEW_SENDING_IP: senders_table(out, a, 0); goto out;
	case SUMMARY_VIEW_DAY:
		day_charts(out, a, 0);
		days_table(out, a);
		goto out;
	case SUMMARY_VIEW_REPORT: reports_table(out, a); goto out;
	case SUMMARY_VIEW_SENDER: senders_view(out, a); goto out;
	}
	verdict(out, a);
	section(out, "Domains <span class=\"note\">(change: success rate "
		     "against the previous window)</span>");
	domains_table(out, a);
	section(out, "Daily trend <span class=\"note\">(day the sessions "
		     "took place)</span>");
	day_charts(out, a, CHARTS);
	days_table(out, a);
	section(out, "Failures by result type, and what to do");
	type_chart(out, a);
	results_table(out, a);
	section(out, "Failing receiving MX hosts");
	mx_table(out, a, TOP);
	section(out, "Failing sending MTAs");
	senders_table(out, a, TOP);
	section(out, "Reporting organisations");
	orgs_table(out, a, TOP);
	section(out, "MTA-STS readiness");
	readiness(out, a);
	section(out, "Silence");
	silence(out, a);
	section(out, "Impersonation and conflicting reports <span "
		     "class=\"note\">(left out of every count unless "
		     "counted)</span>");
	senders_view(out, a);
	section(out, "Data problems");
	problems(out, a);
out:
	fputs("</body>\n</html>\n", out);
	return fflush(out) != 0 || ferror(out) ? -1 : 0;
}
