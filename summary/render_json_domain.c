/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * render_json_domain.c -- the JSON view's domain rows, the document's
 * largest part (one per domain of a provider's store): written member by
 * member (json_stream.h) with no jansson tree of their own, the same
 * bytes as the tree gave (issue 21). The rest of the view is
 * render_json.c.
 */
#include "summary/render_json_impl.h"

#include <glib.h>

#include "report/report.h"
#include "summary/render.h"

/* x rounded to two decimals, as render_json.c's jround(). */
static void
round_w(struct summary_json_stream *w, const char *key, double x)
{
	summary_json_hundredths(w, key,
				(int64_t)(x * 100.0 + (x < 0 ? -0.5 : 0.5)));
}

static void
counts_w(struct summary_json_stream *w, const struct summary_counts *c)
{
	double r = summary_rate_shown(c, 2);

	summary_json_int(w, "sessions", summary_sessions(c));
	summary_json_int(w, "successes", c->successes);
	summary_json_int(w, "failures", c->failures);
	if (r < 0)
		summary_json_str(w, "rate", NULL);
	else
		round_w(w, "rate", r);
}

static void
time_w(struct summary_json_stream *w, const char *key, int64_t t)
{
	char buf[32];

	if (t != 0)
		tlsrpt_format_datetime(t, buf, sizeof(buf));
	summary_json_str(w, key, t != 0 ? buf : NULL);
}

/* The items of a space-separated list of the aggregation (they hold no
 * space, fold.c); none for NULL. */
static void
split_w(struct summary_json_stream *w, const char *s)
{
	char **v = g_strsplit(s != NULL ? s : "", " ", -1);

	for (guint i = 0; v[i] != NULL; i++) {
		if (v[i][0] != '\0')
			summary_json_str(w, NULL, v[i]);
	}
	g_strfreev(v);
}

/* The domain's failed sessions by result type and receiving MX, most
 * first (pairs.c), and those of pairs past its bound. A pair whose
 * strings jansson refuses is left out whole, as json_pack() left it. */
static void
pairs_w(struct summary_json_stream *w, const struct summary_domain *d)
{
	const struct summary_domain_cold *c = summary_cold_of(d);

	summary_json_begin(w, "failures-by-result-and-mx", '[');
	for (guint i = 0; i < c->n_pairs; i++) {
		const struct summary_pair *x = c->pairs[i];

		if (x->type == NULL || !summary_json_valid(x->type) ||
		    !summary_json_valid(x->mx))
			continue;
		summary_json_begin(w, NULL, '{');
		summary_json_str(w, "result-type", x->type);
		summary_json_str(w, "receiving-mx", x->mx);
		summary_json_int(w, "sessions", x->sessions);
		summary_json_end(w, '}');
	}
	summary_json_end(w, ']');
	summary_json_int(w, "failures-by-result-and-mx-other", c->pairs_over);
}

static void
readiness_w(struct summary_json_stream *w, const struct summary_domain *d)
{
	summary_json_begin(w, "readiness", '{');
	summary_json_str(w, "verdict", summary_verdict_name(d->verdict));
	summary_json_begin(w, "reasons", '[');
	for (guint i = 0; i < d->n_reasons; i++) {
		const struct summary_reason *r = &d->reasons[i];

		if (r->text == NULL || !summary_json_valid(r->code) ||
		    !summary_json_valid(r->text))
			continue;
		summary_json_begin(w, NULL, '{');
		summary_json_str(w, "code", r->code);
		summary_json_str(w, "text", r->text);
		summary_json_end(w, '}');
	}
	summary_json_end(w, ']');
	summary_json_begin(w, "failed-by-mode", '{');
	summary_json_int(w, "testing",
			 summary_mode_of(d, SUMMARY_MODE_TESTING)->c.failures);
	summary_json_int(w, "enforce",
			 summary_mode_of(d, SUMMARY_MODE_ENFORCE)->c.failures);
	summary_json_int(w, "other",
			 summary_mode_of(d, SUMMARY_MODE_OTHER)->c.failures);
	summary_json_end(w, '}');
	summary_json_end(w, '}');
}

void
summary_json_domain_row(struct summary_json_stream *w,
			const struct summary_domain *d)
{
	double now = summary_rate(&d->cur), before = summary_rate(&d->prev);
	char day[32];

	summary_json_begin(w, NULL, '{');
	summary_json_str(w, "domain", summary_domain_or_null(d->name));
	counts_w(w, &d->cur);
	summary_json_int(w, "reports", d->reports);
	summary_json_int(w, "unexplained-failures",
			 summary_cold_of(d)->unexplained);
	summary_json_begin(w, "previous", '{');
	counts_w(w, &d->prev);
	summary_json_int(w, "reports", d->prev_reports);
	summary_json_end(w, '}');
	if (now < 0 || before < 0)
		summary_json_str(w, "rate-change", NULL);
	else
		round_w(w, "rate-change", now - before);
	summary_json_str(w, "sts-mode", d->sts_mode);
	summary_json_begin(w, "mx", '[');
	split_w(w, d->mx);
	summary_json_end(w, ']');
	time_w(w, "policy-seen", d->policy_seen);
	summary_json_begin(w, "policy-types", '[');
	if (d->policy_types & SUMMARY_PT_STS)
		summary_json_str(w, NULL, "sts");
	if (d->policy_types & SUMMARY_PT_TLSA)
		summary_json_str(w, NULL, "tlsa");
	if (d->policy_types & SUMMARY_PT_NO_POLICY)
		summary_json_str(w, NULL, "no-policy-found");
	split_w(w, summary_cold_of(d)->other_types);
	summary_json_end(w, ']');
	time_w(w, "last-report", d->last_report);
	readiness_w(w, d);
	summary_json_begin(w, "days", '[');
	for (guint i = 0; i < d->n_days; i++) {
		const struct summary_day *x = d->days[i];

		summary_json_begin(w, NULL, '{');
		summary_date_of(x->day, day, sizeof(day));
		summary_json_str(w, "day", day);
		counts_w(w, &x->c);
		summary_json_int(w, "reports", x->reports);
		summary_json_end(w, '}');
	}
	summary_json_end(w, ']');
	pairs_w(w, d);
	summary_json_put(w, "probe", summary_json_probe(d));
	summary_json_end(w, '}');
}
