/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * render_text_lists.c -- the sections of the text view that are lists of
 * sentences rather than tables: MTA-STS readiness with its reasons,
 * silence, impersonations, conflicting reports and the data problems.
 */
#include "summary/render.h"

#include <string.h>

#include "report/report.h"
#include "summary/render_text_impl.h"
#include "summary/triage.h"
#include "summary/window.h"

/* Refusing and not ready first: they need action, and so does a domain
 * in enforce that our probe says senders refuse now (reason "probe");
 * then ready, then enforced without failures. */
static int
readiness_rank(const struct summary_domain *d)
{
	switch (d->verdict) {
	case SUMMARY_VERDICT_REFUSING: return 0;
	case SUMMARY_VERDICT_NOT_READY: return 1;
	case SUMMARY_VERDICT_READY: return 2;
	case SUMMARY_VERDICT_ENFORCED:
		for (guint j = 0; j < d->n_reasons; j++)
			if (strcmp(d->reasons[j].code, "probe") == 0)
				return 1;
		return 3;
	case SUMMARY_VERDICT_NONE: break;
	}
	return -1;
}

static void
readiness_line(FILE *out, const struct summary_agg *a,
	       const struct summary_domain *d)
{
	char *line;
	guint j;

	switch (d->verdict) {
	case SUMMARY_VERDICT_NONE: return;
	case SUMMARY_VERDICT_READY:
		line = g_strdup_printf(
			"%s: testing, READY TO ENFORCE (%lld %s from %u %s in "
			"%u %s, no failures)",
			d->name, (long long)d->recent_reports,
			summary_plural(d->recent_reports, "report", "reports"),
			d->recent_reporters,
			summary_plural(d->recent_reporters, "organisation",
				       "organisations"),
			a->opt.readiness_days,
			summary_plural(a->opt.readiness_days, "day", "days"));
		break;
	case SUMMARY_VERDICT_NOT_READY:
		line = g_strdup_printf("%s: testing, NOT READY:", d->name);
		break;
	case SUMMARY_VERDICT_ENFORCED:
		line = g_strdup_printf("%s: enforce, no failures under enforce",
				       d->name);
		break;
	case SUMMARY_VERDICT_REFUSING:
	default:
		line = g_strdup_printf("%s: enforce, FAILING:", d->name);
		break;
	}
	summary_text_wrap(out, line, 0, 4);
	g_free(line);
	for (j = 0; j < d->n_reasons; j++) {
		fputs("  -", out);
		summary_text_wrap(out, d->reasons[j].text, 3, 4);
	}
}

void
summary_text_readiness(FILE *out, const struct summary_agg *a, size_t max)
{
	guint i, shown = 0, cut = 0;
	int rank, any = 0;

	for (rank = 0; rank <= 3; rank++) {
		for (i = 0; i < a->triage->len; i++) {
			const struct summary_domain *d =
				g_ptr_array_index(a->triage, i);

			if (readiness_rank(d) != rank)
				continue;
			any = 1;
			if (rank >= 2 && max > 0 && shown >= max) {
				cut++;
				continue;
			}
			shown += rank >= 2;
			readiness_line(out, a, d);
		}
	}
	if (cut > 0)
		fprintf(out, "... %u more ready or enforced: --all\n", cut);
	if (!any)
		fprintf(out, "(no domain has an MTA-STS policy in testing or "
			     "enforce)\n");
}

void
summary_text_silence(FILE *out, const struct summary_agg *a, size_t max)
{
	GPtrArray *rep = summary_silent_reporters(a);
	char day[24], every[SUMMARY_DAYS_MAX];
	guint i;

	for (i = 0; i < a->silent_domains->len; i++) {
		const struct summary_domain *d =
			g_ptr_array_index(a->silent_domains, i);
		char *line;

		if (d->last_report > 0) {
			summary_date_of(d->last_report, day, sizeof(day));
			line = g_strdup_printf(
				"%s: no report in the window (last %s); check "
				"its _smtp._tls record and the milter",
				d->name, day);
		} else {
			line = g_strdup_printf(
				"%s: no report in the window nor before; check "
				"its _smtp._tls record and the milter",
				d->name);
		}
		summary_text_wrap(out, line, 0, 4);
		g_free(line);
	}
	for (i = 0; i < rep->len && (max == 0 || i < max); i++) {
		const struct summary_silent *s = g_ptr_array_index(rep, i);
		const struct summary_reporter *r = s->r;
		char *line;

		summary_date_of(summary_reporter_last(a, r), day, sizeof(day));
		summary_days_text(r->interval, every);
		line = g_strdup_printf("%s stopped reporting %s: last report "
				       "%s, usually every %s",
				       r->org, s->domain, day, every);
		summary_text_wrap(out, line, 0, 4);
		g_free(line);
	}
	if (max > 0 && a->silent_reporters->len > max)
		fprintf(out, "... %u more stopped reporters: --all\n",
			a->silent_reporters->len - (guint)max);
	if (a->silent_domains->len == 0 && a->silent_reporters->len == 0)
		fprintf(out, "(none)\n");
	g_ptr_array_free(rep, TRUE);
}

/* Reports left out as impersonations (trust.c). */
void
summary_text_suspects(FILE *out, const struct summary_agg *a)
{
	char when[32];

	for (guint i = 0; i < a->suspects->len; i++) {
		const struct summary_suspect *s =
			g_ptr_array_index(a->suspects, i);
		char *doms = summary_text_joined(s->domains, 3), *line;

		tlsrpt_format_datetime(s->received, when, sizeof(when));
		line = g_strdup_printf(
			"IMPERSONATION: claims %s but sent from %s (known: "
			"%s); report %s received %s, dkim=%s, %s, %lld "
			"%s, %lld failed -- not counted",
			s->org, s->from, s->known_domain, s->report_id, when,
			s->dkim != NULL ? s->dkim : "none", doms,
			(long long)summary_sessions(&s->c),
			summary_plural(summary_sessions(&s->c), "session",
				       "sessions"),
			(long long)s->c.failures);
		summary_text_wrap(out, line, 0, 4);
		g_free(line);
		g_free(doms);
	}
	if (a->suspects->len == 0)
		fprintf(out, "(none)\n");
}

/* Report ids stored with several contents (conflicts.c). */
void
summary_text_conflicts(FILE *out, const struct summary_agg *a)
{
	char when[32];

	for (guint i = 0; i < a->conflicts->len; i++) {
		const struct summary_conflict *c =
			g_ptr_array_index(a->conflicts, i);
		char *line = g_strdup_printf(
			"%s report %s: %u versions, %s", c->org, c->report_id,
			c->versions->len,
			c->counted ? "the authenticated one counted"
				   : "none counted (not exactly one "
				     "authenticated as the reporter's domain)");

		summary_text_wrap(out, line, 0, 4);
		g_free(line);
		for (guint j = 0; j < c->versions->len; j++) {
			const struct summary_conflict_version *v =
				g_ptr_array_index(c->versions, j);

			tlsrpt_format_datetime(v->received, when, sizeof(when));
			line = g_strdup_printf(
				"%s from %s, dkim=%s, %s%s, %lld %s, "
				"%lld failed, received %s",
				v->counted ? "counted:" : "not counted:",
				v->submitter != NULL ? v->submitter
						     : "(no submitter)",
				v->dkim != NULL ? v->dkim : "none",
				v->auth == SUMMARY_AUTH_OK ? "authenticated as "
				: v->auth == SUMMARY_AUTH_IMPERSONATION
					? "IMPERSONATION from "
					: "not authenticated",
				v->auth != SUMMARY_AUTH_NONE && v->auth_domain
					? v->auth_domain
					: "",
				(long long)summary_sessions(&v->c),
				summary_plural(summary_sessions(&v->c),
					       "session", "sessions"),
				(long long)v->c.failures, when);
			fputs("  ", out);
			summary_text_wrap(out, line, 2, 6);
			g_free(line);
		}
	}
	if (a->conflicts->len == 0)
		fprintf(out, "(none)\n");
}

void
summary_text_problems(FILE *out, const struct summary_agg *a)
{
	const struct summary_problems *p = &a->problems;
	struct summary_count_line lines[SUMMARY_MAX_COUNT_LINES];
	int any = 0;
	size_t i, n;

	if (p->skipped > 0) {
		fprintf(out, "%lu damaged store %s skipped:\n", p->skipped,
			summary_plural((int64_t)p->skipped, "line", "lines"));
		for (i = 0; i < p->n_problems; i++) {
			fputs(" ", out);
			summary_text_wrap(out, p->problems[i], 1, 4);
		}
		any = 1;
	}
	n = summary_count_lines(p, lines);
	for (i = 0; i < n; i++) {
		char *line = g_strdup_printf(
			"%lld %s", (long long)lines[i].count, lines[i].text);

		summary_text_wrap(out, line, 0, 4);
		g_free(line);
	}
	any |= n > 0;
	if (!any)
		fprintf(out, "(none)\n");
}
