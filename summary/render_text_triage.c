/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * render_text_triage.c -- how the text view opens: what needs action,
 * worst first, one short sentence a domain; the failures under the noise
 * threshold; then the healthy domains in one line and their names, cut
 * after a few (tlsrpt-summary(1), ORDER). The tables after it say the
 * rest; this part is what a postmaster reads on the first screen.
 */
#include "summary/render.h"

#include <string.h>

#include "summary/explain.h"
#include "summary/probe.h"
#include "summary/render_text_impl.h"
#include "summary/triage.h"

/* "18900 failed (30.0%), certificate-expired", and " (enforce)" when the
 * domain is in enforce: then senders refused to deliver that mail. */
static void
failures(GString *s, const struct summary_agg *a,
	 const struct summary_domain *d)
{
	char pct[SUMMARY_PERCENT_MAX];
	const char *type = summary_top_result(a, d->name);

	summary_percent(d->cur.failures, summary_sessions(&d->cur), pct);
	g_string_append_printf(
		s, "; %lld failed (%s), %s%s", (long long)d->cur.failures, pct,
		type != NULL ? type : "no details given",
		d->verdict == SUMMARY_VERDICT_REFUSING ? " (enforce)" : "");
}

/* "no report in the window (last 2026-11-20)" or "3 of 3 reporters
 * stopped (last report 2026-12-02)". */
static void
silence(GString *s, const struct summary_agg *a, const struct summary_domain *d)
{
	char day[24];
	int64_t last;
	guint n, all;

	if (!d->in_window) {
		if (d->last_report > 0) {
			summary_date_of(d->last_report, day, sizeof(day));
			g_string_append_printf(
				s,
				"; silent: no report in the window (last %s)",
				day);
		} else {
			g_string_append(s, "; silent: never reported");
		}
		return;
	}
	n = summary_silent_of(a, d, &last);
	all = d->n_reporters;
	summary_date_of(last, day, sizeof(day));
	g_string_append_printf(
		s, "; silent: %u of %u %s stopped (last %s)", n, all,
		summary_plural(all, "reporter", "reporters"), day);
}

/* The first reason the row gives (summary_row_reason), the rest being
 * in MTA-STS READINESS; "refusing" for a domain in enforce. */
static void
readiness(GString *s, const struct summary_domain *d)
{
	const struct summary_reason *first = NULL;
	guint i, more = 0;

	for (i = 0; i < d->n_reasons; i++) {
		const struct summary_reason *r = &d->reasons[i];

		if (!summary_row_reason(r))
			continue;
		if (first == NULL)
			first = r;
		else
			more++;
	}
	if (first == NULL)
		return;
	g_string_append_printf(s, "; %s: %s",
			       d->verdict == SUMMARY_VERDICT_REFUSING
				       ? "refusing"
				       : "not ready",
			       first->text);
	if (more > 0)
		g_string_append_printf(s, " (+%u more)", more);
}

/* Reported failures our probe explains (explain.h), under the row, a
 * line each, as many as that. */
#define EXPLAINED_SHOWN 3

/* "our probe: 2 findings, certificate-expired on mx2.example.net": the
 * first finding is what is wrong when no report said so. */
static void
probe(GString *s, const struct summary_probe *p)
{
	int64_t n = summary_probe_count(p);
	const struct summary_probe_finding *f =
		p->findings->len > 0 ? g_ptr_array_index(p->findings, 0) : NULL;

	g_string_append_printf(s, "; our probe: %lld %s", (long long)n,
			       summary_plural(n, "finding", "findings"));
	if (f != NULL) {
		g_string_append_printf(s, ", %s", f->result_type);
		if (f->mx_host != NULL)
			g_string_append_printf(s, " on %s", f->mx_host);
	}
	g_string_append(s, " (see OUR PROBE)");
}

/* "  - reported certificate-expired on mx2 (6 failed sessions); our
 * probe: certificate-expired, <detail> -> <action>" */
static void
explained_lines(FILE *out, const struct summary_domain *d)
{
	GArray *v = summary_explained(d);
	guint i;

	for (i = 0; i < v->len && i < EXPLAINED_SHOWN; i++) {
		const struct summary_explained *e =
			&g_array_index(v, struct summary_explained, i);
		char *t = summary_explained_text(e);

		if (e->finding->action != NULL) {
			char *w = g_strdup_printf("%s -> %s", t,
						  e->finding->action);

			g_free(t);
			t = w;
		}
		fputs("  -", out);
		summary_text_wrap(out, t, 3, 4);
		g_free(t);
	}
	if (v->len > EXPLAINED_SHOWN)
		fprintf(out, "  - %u more explained (see OUR PROBE)\n",
			v->len - EXPLAINED_SHOWN);
	g_array_free(v, TRUE);
}

static void
domain_line(FILE *out, const struct summary_agg *a,
	    const struct summary_domain *d)
{
	GString *s = g_string_new(NULL);

	if (d->needs & (SUMMARY_NEEDS_FAILURES | SUMMARY_NEEDS_BELOW))
		failures(s, a, d);
	/* Listed here for another reason: say what the section would. */
	if ((d->needs & SUMMARY_NEEDS_BELOW) &&
	    (d->needs & SUMMARY_NEEDS_ACTION))
		g_string_append(s, ", below threshold");
	if (d->needs & SUMMARY_NEEDS_SILENT)
		silence(s, a, d);
	if (d->needs & SUMMARY_NEEDS_PROBE)
		probe(s, d->probe);
	if (d->needs & SUMMARY_NEEDS_NOT_READY)
		readiness(s, d);
	/* "; " starts every part: the first becomes ": ". */
	g_string_overwrite(s, 0, ":");
	g_string_prepend(s, d->name);
	summary_text_wrap(out, s->str, 0, 4);
	g_string_free(s, TRUE);
	if (d->needs & SUMMARY_NEEDS_PROBE)
		explained_lines(out, d);
}

/* Damaged or doubtful data: a count of each kind, the details being in
 * DATA PROBLEMS and the sections before it. */
static int
data_line(FILE *out, const struct summary_agg *a)
{
	const struct summary_problems *p = &a->problems;
	GString *s = g_string_new(NULL);
	int any;

	if (p->unreadable > 0)
		g_string_append_printf(s, ", %lu unreadable store %s",
				       p->unreadable,
				       summary_plural((int64_t)p->unreadable,
						      "file", "files"));
	if (p->skipped > 0)
		g_string_append_printf(
			s, ", %lu damaged store %s skipped", p->skipped,
			summary_plural((int64_t)p->skipped, "line", "lines"));
	if (p->impersonations > 0)
		g_string_append_printf(
			s, ", %lld %s", (long long)p->impersonations,
			summary_plural(p->impersonations, "impersonation",
				       "impersonations"));
	if (p->conflicts > 0)
		g_string_append_printf(
			s, ", %lld conflicting report %s",
			(long long)p->conflicts,
			summary_plural(p->conflicts, "id", "ids"));
	any = s->len > 0;
	if (any) {
		g_string_overwrite(s, 0, ":");
		g_string_prepend(s, "damaged data");
		g_string_append(s, " (see below)");
		summary_text_wrap(out, s->str, 0, 4);
	}
	g_string_free(s, TRUE);
	return any;
}

void
summary_text_triage(FILE *out, const struct summary_agg *a, size_t max)
{
	struct summary_counts healthy = {0, 0};
	guint i, first = a->n_action + a->n_below, n = a->triage->len - first;
	char rate[SUMMARY_PERCENT_MAX], count[SUMMARY_COUNT_SHORT_MAX];
	char *t, *line;
	GPtrArray *names;

	fprintf(out, "\nNEEDS ACTION (worst first)\n");
	for (i = 0; i < a->n_action; i++)
		domain_line(out, a, g_ptr_array_index(a->triage, i));
	if (!data_line(out, a) && a->n_action == 0)
		fprintf(out, "(nothing)\n");
	if (a->n_below > 0) {
		t = summary_threshold_text(&a->opt);
		line = g_strdup_printf("BELOW THRESHOLD (failing needs %s)", t);
		fputc('\n', out);
		summary_text_wrap(out, line, 0, 4);
		g_free(line);
		g_free(t);
	}
	for (i = a->n_action; i < first; i++)
		domain_line(out, a, g_ptr_array_index(a->triage, i));
	if (n == 0)
		return;
	names = g_ptr_array_sized_new(n);
	for (i = first; i < a->triage->len; i++) {
		const struct summary_domain *d =
			g_ptr_array_index(a->triage, i);

		healthy.successes =
			tlsrpt_count_add(healthy.successes, d->cur.successes);
		if (max == 0 || names->len < max)
			g_ptr_array_add(names, d->name);
	}
	summary_rate_text(&healthy, rate);
	summary_count_short(healthy.successes, count);
	fprintf(out, "\nHEALTHY\n");
	line = g_strdup_printf(
		"%u %s: %s over %s %s", n,
		summary_plural(n, "domain", "domains"), rate, count,
		summary_plural(healthy.successes, "session", "sessions"));
	summary_text_wrap(out, line, 0, 4);
	g_free(line);
	t = summary_text_joined(names, names->len);
	summary_text_wrap(out, t, 0, 0);
	if (n > names->len)
		fprintf(out, "... %u more: --all\n", n - (guint)max);
	g_free(t);
	g_ptr_array_free(names, TRUE);
}
