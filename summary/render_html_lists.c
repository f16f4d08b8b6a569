/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * render_html_lists.c -- the sections of the HTML page that are lists of
 * sentences rather than tables: MTA-STS readiness with its reasons, silent
 * domains and reporters, and the data problems.
 */
#include "summary/render.h"

#include "summary/render_html_impl.h"
#include "summary/triage.h"
#include "summary/window.h"

#define READY_SHOWN 10 /* domains ready to enforce listed before "N more" */

/* One domain's readiness, an item with its reasons. */
static void
readiness_item(FILE *out, const struct summary_agg *a,
	       const struct summary_domain *d)
{
	guint j;

	fputs("<li><strong>", out);
	summary_html_esc(out, d->name);
	fputs("</strong>: ", out);
	switch (d->verdict) {
	case SUMMARY_VERDICT_READY:
		fprintf(out,
			"testing, <strong>ready to enforce</strong> "
			"(%lld %s from %u %s in %u %s, no failures)",
			(long long)d->recent_reports,
			summary_plural(d->recent_reports, "report", "reports"),
			d->recent_reporters,
			summary_plural(d->recent_reporters, "organisation",
				       "organisations"),
			a->opt.readiness_days,
			summary_plural(a->opt.readiness_days, "day", "days"));
		break;
	case SUMMARY_VERDICT_NOT_READY:
		fputs("testing, <strong class=\"bad\">not ready</strong>", out);
		break;
	case SUMMARY_VERDICT_ENFORCED:
		fputs("enforce, no failures under enforce", out);
		break;
	case SUMMARY_VERDICT_REFUSING:
	case SUMMARY_VERDICT_NONE:
	default:
		fputs("enforce, <strong class=\"bad\">failing</strong>", out);
		break;
	}
	if (d->n_reasons > 0)
		fputs("\n<ul>\n", out);
	for (j = 0; j < d->n_reasons; j++) {
		fputs("<li>", out);
		summary_html_esc(out, d->reasons[j].text);
		fputs("</li>\n", out);
	}
	fputs(d->n_reasons > 0 ? "</ul></li>\n" : "</li>\n", out);
}

static int
of_verdict(const struct summary_domain *d, enum summary_verdict v)
{
	return d->verdict == v || (v == SUMMARY_VERDICT_NOT_READY &&
				   d->verdict == SUMMARY_VERDICT_REFUSING);
}

/* Enforced without failures and with nothing to say (no reason, such as
 * failures reported under testing before the switch): one of a count. */
static int
quietly_enforced(const struct summary_domain *d)
{
	return d->verdict == SUMMARY_VERDICT_ENFORCED && d->n_reasons == 0;
}

/* Worst first: the domains not ready or refusing, and those enforced
 * with something to say, each with its reasons;
 * then those ready to enforce, READY_SHOWN of them and the rest collapsed
 * (cut in the digest); then those enforced without failures in one line,
 * their names collapsed (left out of the digest), so that a fleet of a
 * thousand domains does not bury the few that need action. */
void
summary_html_readiness(FILE *out, const struct summary_agg *a, int digest)
{
	guint i, ready = 0, enforced = 0, shown = 0;
	int any = 0, collapsed = 0;

	for (i = 0; i < a->triage->len; i++) {
		const struct summary_domain *d =
			g_ptr_array_index(a->triage, i);

		ready += d->verdict == SUMMARY_VERDICT_READY;
		enforced += quietly_enforced(d);
		if (!of_verdict(d, SUMMARY_VERDICT_NOT_READY) &&
		    !(d->verdict == SUMMARY_VERDICT_ENFORCED &&
		      d->n_reasons > 0))
			continue;
		fputs(any ? "" : "<ul>\n", out);
		any = 1;
		readiness_item(out, a, d);
	}
	for (i = 0; i < a->triage->len; i++) {
		const struct summary_domain *d =
			g_ptr_array_index(a->triage, i);

		if (!of_verdict(d, SUMMARY_VERDICT_READY))
			continue;
		if (shown == READY_SHOWN && ready > READY_SHOWN + 1) {
			if (digest)
				break;
			collapsed = 1;
			fprintf(out,
				"</ul>\n<details><summary>%u more ready to "
				"enforce</summary>\n<ul>\n",
				ready - shown);
		}
		fputs(any ? "" : "<ul>\n", out);
		any = 1;
		readiness_item(out, a, d);
		shown++;
	}
	if (any)
		fputs("</ul>\n", out);
	if (collapsed)
		fputs("</details>\n", out);
	if (digest && shown < ready)
		fprintf(out,
			"<p class=\"note\">&hellip; %u more ready to enforce: "
			"<code>--by domain</code></p>\n",
			ready - shown);
	if (enforced > 0) {
		fprintf(out,
			"<p>%u %s in enforce without failures, nothing to "
			"say</p>\n",
			enforced,
			summary_plural(enforced, "domain", "domains"));
		any = 1;
	}
	if (enforced > 0 && !digest) {
		fputs("<details><summary>List them</summary>\n<p>", out);
		shown = 0;
		for (i = 0; i < a->triage->len; i++) {
			const struct summary_domain *d =
				g_ptr_array_index(a->triage, i);

			if (!quietly_enforced(d))
				continue;
			fputs(shown++ > 0 ? ", " : "", out);
			summary_html_esc(out, d->name);
		}
		fputs("</p>\n</details>\n", out);
	}
	if (!any)
		fputs("<p class=\"note\">(no domain has an MTA-STS policy in "
		      "testing or enforce)</p>\n",
		      out);
}

void
summary_html_silence(FILE *out, const struct summary_agg *a)
{
	GPtrArray *rep;
	char day[24], every[SUMMARY_DAYS_MAX];
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
		summary_html_esc(out, d->name);
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
	rep = summary_silent_reporters(a);
	for (i = 0; i < rep->len; i++) {
		const struct summary_silent *s = g_ptr_array_index(rep, i);
		const struct summary_reporter *r = s->r;

		summary_date_of(summary_reporter_last(a, r), day, sizeof(day));
		summary_days_text(r->interval, every);
		fputs("<li><strong>", out);
		summary_html_esc(out, r->org);
		fputs("</strong> stopped reporting <strong>", out);
		summary_html_esc(out, s->domain);
		fprintf(out,
			"</strong>: last report %s, usually every %s</li>\n",
			day, every);
	}
	g_ptr_array_free(rep, TRUE);
	fputs("</ul>\n", out);
}

void
summary_html_problems(FILE *out, const struct summary_agg *a)
{
	const struct summary_problems *p = &a->problems;
	struct summary_count_line lines[SUMMARY_MAX_COUNT_LINES];
	int any = 0;
	size_t i, n;

	fputs("<ul>\n", out);
	if (p->skipped > 0) {
		fprintf(out, "<li>%lu damaged store %s skipped", p->skipped,
			summary_plural((int64_t)p->skipped, "line", "lines"));
		if (p->n_problems > 0)
			fputs(":\n<ul>\n", out);
		for (i = 0; i < p->n_problems; i++) {
			fputs("<li><code>", out);
			summary_html_esc(out, p->problems[i]);
			fputs("</code></li>\n", out);
		}
		fputs(p->n_problems > 0 ? "</ul></li>\n" : "</li>\n", out);
		any = 1;
	}
	n = summary_count_lines(p, lines);
	for (i = 0; i < n; i++) {
		fprintf(out, "<li>%lld ", (long long)lines[i].count);
		summary_html_esc(out, lines[i].text);
		fputs("</li>\n", out);
	}
	any |= n > 0;
	if (!any)
		fputs("<li class=\"note\">(none)</li>\n", out);
	fputs("</ul>\n", out);
}
