/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * render_html_triage.c -- the top of the HTML page: what needs action,
 * worst first (a->triage, summary/triage.h), with what to do; the failures
 * under the noise threshold; the healthy domains in one line, listed in a
 * collapsed <details>.
 *
 * Apart from the tables because these rows are sentences, not columns:
 * three blocks (domain, what is wrong, what to do) side by side on a wide
 * screen that stack in a 600-pixel mail reading pane, without a media
 * query (flex items that wrap). Their style is inline because many mail
 * clients drop the <style> element.
 */
#include "summary/render.h"

#include <string.h>

#include "summary/explain.h"
#include "summary/probe.h"
#include "summary/render_html_impl.h"
#include "summary/triage.h"
#include "summary/window.h"

#define TYPES_NAMED 3	  /* result types named in a domain's row */
#define SILENT_NAMED 3	  /* silent reporters named in a domain's row */
#define EXPLAINED_SHOWN 3 /* reported failures our probe explains, ditto */

/* A label such as "failing" in a row, readable without the style sheet. */
static void
tag(FILE *out, const char *text, const char *colour)
{
	fprintf(out,
		"<span class=\"tag\" style=\"background:%s;color:#fff;"
		"padding:0 .35em;border-radius:3px;font-size:.85em;"
		"white-space:nowrap\">%s</span> ",
		colour, text);
}

/* The blocks of a row, in the row's .9em: flex items that wrap, each
 * with a basis and a share of what is left, so that on a wide screen
 * they sit side by side (a row is one or two lines, and a dozen rows fit
 * the first 800 pixels) and in a 600-pixel pane they stack, each as wide
 * as the pane, without a media query. A client without flexbox (Outlook
 * on Windows) shows them as blocks: stacked. */
#define W_DOMAIN "1 1 13em"
#define W_WRONG "3 1 28em"
#define W_TODO "3 1 22em"

static void
block(FILE *out, const char *cls, const char *flex)
{
	fprintf(out,
		"<div class=\"%s\" style=\"flex:%s;min-width:0;"
		"padding-right:.8em;box-sizing:border-box;"
		"overflow-wrap:anywhere\">",
		cls, flex);
}

static void
row_start(FILE *out, const char *kind, const char *name)
{
	fprintf(out,
		"<div class=\"%s\" style=\"display:flex;flex-wrap:wrap;"
		"border-bottom:1px solid #e0e0e0;padding:.25em 0 .25em .5em;"
		"border-left:4px solid %s;font-size:.9em;line-height:1.3\">",
		kind, strcmp(kind, "act") == 0 ? "#c62828" : "#9e9e9e");
	block(out, "dom", W_DOMAIN);
	fputs("<strong>", out);
	summary_html_esc(out, name);
	fputs("</strong></div>", out);
	block(out, "wrong", W_WRONG);
}

/* From what is wrong to what to do. */
static void
row_todo(FILE *out)
{
	fputs("</div>", out);
	block(out, "todo", W_TODO);
	fputs("&#10140; ", out);
}

static void
row_end(FILE *out)
{
	fputs("</div></div>\n", out);
}

/* Whether the sorted name list v holds name. */
static int
lists(const GPtrArray *v, const char *name)
{
	guint lo = 0, hi = v != NULL ? v->len : 0;

	while (lo < hi) {
		guint mid = lo + (hi - lo) / 2;
		int c = strcmp(g_ptr_array_index(v, mid), name);

		if (c == 0)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* The result types of d's failures, most failed sessions (over all
 * domains) first; the first one's advice into *advice. */
static void
result_types(FILE *out, const struct summary_agg *a,
	     const struct summary_domain *d, const char **advice)
{
	guint i, named = 0, more = 0;

	*advice = NULL;
	for (i = 0; i < a->results->len; i++) {
		const struct summary_result *r =
			g_ptr_array_index(a->results, i);

		if (!lists(r->domains, d->name))
			continue;
		if (named == TYPES_NAMED) {
			more++;
			continue;
		}
		fputs(named == 0 ? ": <code style=\"white-space:nowrap\">"
				 : ", <code style=\"white-space:nowrap\">",
		      out);
		summary_html_esc(out, r->type);
		fputs("</code>", out);
		if (named++ == 0)
			*advice = summary_advice(r->type);
	}
	if (more > 0)
		fprintf(out, " and %u more", more);
}

/* "412 of 12.3 k sessions failed (3.3%), was <0.1%: certificate-expired" */
static void
failures(FILE *out, const struct summary_agg *a, const struct summary_domain *d,
	 const char **advice)
{
	char f[SUMMARY_COUNT_SHORT_MAX], n[SUMMARY_COUNT_SHORT_MAX];
	char share[SUMMARY_HTML_PERCENT_MAX], was[SUMMARY_HTML_PERCENT_MAX];
	int64_t all = summary_sessions(&d->cur);

	summary_count_short(d->cur.failures, f);
	summary_count_short(all, n);
	summary_html_percent(d->cur.failures, all, share);
	fprintf(out,
		"<strong style=\"color:#c62828\">%s</strong> of %s %s "
		"failed (%s)",
		f, n, summary_plural(all, "session", "sessions"), share);
	if (summary_sessions(&d->prev) > 0) {
		summary_html_percent(d->prev.failures,
				     summary_sessions(&d->prev), was);
		if (strcmp(was, share) != 0)
			fprintf(out, ", was %s", was);
	}
	result_types(out, a, d, advice);
}

/* Silence of d: the domain, or the reporters that stopped. */
static void
silence(FILE *out, const struct summary_agg *a, const struct summary_domain *d)
{
	char day[24];
	int64_t last;
	guint i, n, named = 0;

	if (!d->in_window) {
		if (d->last_report > 0) {
			summary_date_of(d->last_report, day, sizeof(day));
			fprintf(out, "no report in the window (last %s)", day);
		} else {
			fputs("no report in the window nor before", out);
		}
		return;
	}
	n = summary_silent_of(a, d, &last);
	/* Every reporter at once: the record or the milter, not them. */
	if (n > 1 && n == d->n_reporters) {
		fprintf(out, "all %u reporters", n);
		named = n;
	}
	for (i = 0; named < n && named < SILENT_NAMED; i++) {
		const struct summary_reporter *r = d->reporters[i];

		if (!r->silent)
			continue;
		/* "A", "A and B", "A, B and C", "A, B, C and 2 more" */
		if (named > 0)
			fputs(named + 1 == n ? " and " : ", ", out);
		summary_html_esc(out, r->org);
		named++;
	}
	if (n > named)
		fprintf(out, " and %u more", n - named);
	summary_date_of(last, day, sizeof(day));
	fprintf(out, " stopped reporting (last %s)", day);
}

/* Whether readiness() has something to say (summary_row_reason). */
static int
readiness_untold(const struct summary_domain *d)
{
	guint j;

	for (j = 0; j < d->n_reasons; j++)
		if (summary_row_reason(&d->reasons[j]))
			return 1;
	return 0;
}

/* Why d is not ready: the reasons its row gives (the tag says "not
 * ready" or "refusing"). */
static void
readiness(FILE *out, const struct summary_domain *d)
{
	int n = 0;
	guint j;

	for (j = 0; j < d->n_reasons; j++) {
		const struct summary_reason *r = &d->reasons[j];

		if (!summary_row_reason(r))
			continue;
		fputs(n++ == 0 ? "" : "; ", out);
		summary_html_esc(out, r->text);
	}
}

/* What our probe's latest run found, "our probe (2026-12-06): 2
 * findings: certificate-expired on mx2.example.net; ...", then the
 * reported failures it explains, a line each (explain.h). Returns the
 * finding whose advice the row gives: the first that explains a
 * reported failure, else the first. */
static const struct summary_probe_finding *
probe(FILE *out, const struct summary_domain *d)
{
	const struct summary_probe *p = d->probe;
	const struct summary_probe_finding *advice = NULL;
	int64_t n = summary_probe_count(p);
	GArray *links = summary_explained(d);
	char day[24];

	summary_date_of(p->time, day, sizeof(day));
	fprintf(out, "our probe (%s): %lld %s", day, (long long)n,
		summary_plural(n, "finding", "findings"));
	for (guint i = 0; i < p->findings->len; i++) {
		const struct summary_probe_finding *f =
			g_ptr_array_index(p->findings, i);

		fputs(i == 0 ? ": " : "; ", out);
		summary_html_esc(out, f->result_type);
		if (f->mx_host != NULL) {
			fputs(" on ", out);
			summary_html_esc(out, f->mx_host);
		}
	}
	for (guint i = 0; i < links->len && i < EXPLAINED_SHOWN; i++) {
		const struct summary_explained *e =
			&g_array_index(links, struct summary_explained, i);
		char *t = summary_explained_text(e);

		fputs("<br><span class=\"explained\">&#8627; ", out);
		summary_html_esc(out, t);
		fputs("</span>", out);
		g_free(t);
	}
	if (links->len > EXPLAINED_SHOWN)
		fprintf(out, "<br>&#8627; %u more explained",
			links->len - EXPLAINED_SHOWN);
	if (links->len > 0)
		advice = g_array_index(links, struct summary_explained, 0)
				 .finding;
	else if (p->findings->len > 0)
		advice = g_ptr_array_index(p->findings, 0);
	g_array_free(links, TRUE);
	return advice;
}

/* One domain that needs action: the tags, what is wrong, what to do. */
static void
action_row(FILE *out, const struct summary_agg *a,
	   const struct summary_domain *d)
{
	const struct summary_probe_finding *probe_advice = NULL;
	const char *advice = NULL;
	int any = 0;

	/* No tag for failures: the count in red says it. */
	row_start(out, "act", d->name);
	if (d->needs & SUMMARY_NEEDS_SILENT)
		tag(out, "silent", "#6d4c41");
	if (d->needs & SUMMARY_NEEDS_NOT_READY)
		tag(out,
		    d->verdict == SUMMARY_VERDICT_REFUSING ? "refusing"
							   : "not ready",
		    "#ef6c00");
	if (d->needs & SUMMARY_NEEDS_PROBE)
		tag(out, "probe", "#00838f");
	if (d->needs & SUMMARY_NEEDS_FAILURES) {
		failures(out, a, d, &advice);
		any = 1;
	}
	if (d->needs & SUMMARY_NEEDS_SILENT) {
		fputs(any ? "<br>" : "", out);
		silence(out, a, d);
		any = 1;
	}
	if (d->needs & SUMMARY_NEEDS_PROBE) {
		fputs(any ? "<br>" : "", out);
		probe_advice = probe(out, d);
		any = 1;
	}
	if ((d->needs & SUMMARY_NEEDS_NOT_READY) && readiness_untold(d)) {
		fputs(any ? "<br>" : "", out);
		readiness(out, d);
	}
	row_todo(out);
	any = 0;
	if (d->needs & SUMMARY_NEEDS_FAILURES) {
		fputs(advice != NULL ? advice
				     : "ask the reporters for failure details",
		      out);
		any = 1;
	}
	if (d->needs & SUMMARY_NEEDS_SILENT) {
		fputs(any ? "; " : "", out);
		fputs("check its <code>_smtp._tls</code> record and the milter",
		      out);
		any = 1;
	}
	/* The probe's own advice: for what explains a reported failure
	 * first, else for its first finding. */
	if (probe_advice != NULL && probe_advice->action != NULL) {
		fputs(any ? "; " : "", out);
		summary_html_esc(out, probe_advice->action);
		any = 1;
	}
	/* Failing in testing: fixing the failures is all there is to do;
	 * in enforce, going back to testing delivers the mail meanwhile. */
	if (d->verdict == SUMMARY_VERDICT_REFUSING) {
		fputs(any ? "; or " : "", out);
		fputs("go back to <code>mode: testing</code>", out);
	} else if ((d->needs & SUMMARY_NEEDS_NOT_READY) && !any) {
		fputs("stay in <code>mode: testing</code> until the reasons "
		      "are gone",
		      out);
	}
	row_end(out);
}

/* Damaged data and reports left out: the last rows needing action. */
static void
data_rows(FILE *out, const struct summary_agg *a)
{
	const struct summary_problems *p = &a->problems;

	if (p->skipped > 0) {
		row_start(out, "act", "store");
		tag(out, "damaged data", "#6a1b9a");
		fprintf(out, "%lu damaged store %s skipped", p->skipped,
			summary_plural((int64_t)p->skipped, "line", "lines"));
		row_todo(out);
		fputs("read them under Data problems: their reports are in "
		      "no count",
		      out);
		row_end(out);
	}
	if (p->impersonations > 0 || p->conflicts > 0) {
		row_start(out, "act", "reports");
		tag(out, "suspect reports", "#6a1b9a");
		fprintf(out, "%lld %s, %lld conflicting report %s",
			(long long)p->impersonations,
			summary_plural(p->impersonations, "impersonation",
				       "impersonations"),
			(long long)p->conflicts,
			summary_plural(p->conflicts, "id", "ids"));
		row_todo(out);
		fputs("read them under Impersonation and conflicting reports",
		      out);
		row_end(out);
	}
}

static void
rows_head(FILE *out, const char *id)
{
	fprintf(out, "<div id=\"%s\" class=\"rows\">\n", id);
}

void
summary_html_action(FILE *out, const struct summary_agg *a)
{
	const struct summary_problems *p = &a->problems;
	guint i;

	if (a->n_action == 0 && p->skipped == 0 && p->impersonations == 0 &&
	    p->conflicts == 0) {
		fputs("<p class=\"note\">(nothing)</p>\n", out);
		return;
	}
	rows_head(out, "action");
	for (i = 0; i < a->n_action; i++)
		action_row(out, a, g_ptr_array_index(a->triage, i));
	data_rows(out, a);
	fputs("</div>\n", out);
}

void
summary_html_below(FILE *out, const struct summary_agg *a)
{
	char *threshold;
	guint i;

	if (a->n_below == 0)
		return;
	/* The text view's wording: exact share, no "at least 1 failed
	 * session and" that the share alone already implies. */
	threshold = summary_threshold_text(&a->opt);
	fputs("<p class=\"note\">Failures under the noise threshold (", out);
	summary_html_esc(out, threshold);
	fputs("): shown, not counted in the verdict.</p>\n", out);
	g_free(threshold);
	rows_head(out, "below");
	for (i = a->n_action; i < a->n_action + a->n_below; i++) {
		const struct summary_domain *d =
			g_ptr_array_index(a->triage, i);
		const char *advice;

		row_start(out, "below", d->name);
		tag(out, "below threshold", "#757575");
		failures(out, a, d, &advice);
		row_todo(out);
		fputs("nothing yet; if it grows: ", out);
		fputs(advice != NULL ? advice
				     : "ask the reporters for failure details",
		      out);
		row_end(out);
	}
	fputs("</div>\n", out);
}

void
summary_html_healthy(FILE *out, const struct summary_agg *a, int digest)
{
	guint first = a->n_action + a->n_below, n = a->triage->len - first, i;
	struct summary_counts c = {0, 0};
	char rate[SUMMARY_HTML_PERCENT_MAX], sessions[SUMMARY_COUNT_SHORT_MAX];

	if (n == 0)
		return;
	for (i = first; i < a->triage->len; i++) {
		const struct summary_domain *d =
			g_ptr_array_index(a->triage, i);

		c.successes = tlsrpt_count_add(c.successes, d->cur.successes);
		c.failures = tlsrpt_count_add(c.failures, d->cur.failures);
	}
	summary_html_percent(c.successes, summary_sessions(&c), rate);
	summary_count_short(summary_sessions(&c), sessions);
	fprintf(out,
		"<p class=\"healthy\" style=\"background:#e8f5e9;"
		"padding:.3em .6em\"><strong>%u healthy %s</strong>: %s over "
		"%s %s%s</p>\n",
		n, summary_plural(n, "domain", "domains"), rate, sessions,
		summary_plural(summary_sessions(&c), "session", "sessions"),
		digest ? " <span class=\"note\">(listed by <code>--by "
			 "domain</code>)</span>"
		       : "");
	if (digest)
		return;
	fprintf(out, "<details>\n<summary>List the %u healthy %s</summary>\n",
		n, summary_plural(n, "domain", "domains"));
	summary_html_domains_table(out, a, first, n);
	fputs("</details>\n", out);
}
