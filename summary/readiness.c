/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * readiness.c -- may a domain move its MTA-STS policy from testing to
 * enforce? The rules (tlsrpt-summary(1), READINESS):
 *   - no failed session of an sts policy in the readiness period (the
 *     SUMMARY_READINESS_DAYS days before --until), whatever mode the
 *     reporters saw: a failure under enforce is the same warning;
 *   - every reporter active in that period last saw the same mode and MX
 *     patterns as the latest policy any reporter saw (one still caching
 *     an older policy would judge by that one);
 *   - enough evidence: at least SUMMARY_READINESS_MIN_REPORTS reports from
 *     at least SUMMARY_READINESS_MIN_REPORTERS organisations in the period.
 * For a domain already in enforce, failures in the window of the policy
 * lines that themselves say "mode: enforce" mean senders are refusing to
 * deliver mail. Each line is judged by the mode its reporter applied, not by
 * the domain's latest one: around a switch, or while a reporter still
 * caches the old policy, failures under testing were delivered anyway, and
 * a line that names no mode cannot tell either way. Those are said apart.
 */
#include "summary/aggregate.h"

#include <string.h>

#include "summary/probe.h"
#include "summary/render.h"
#include "summary/window.h"

/* A reason of the domain being judged, into a->reason_buf (the domain's
 * list is made from it at its exact size, keep_reasons()): the sentence
 * text (freed here) is kept once in the aggregation's strings, as many of
 * a provider's domains have the same ones. */
static void
reason(const struct summary_agg *a, const char *code, char *text)
{
	struct summary_reason r = {code, summary_intern(a, text)};

	g_free(text);
	g_array_append_val(a->reason_buf, r);
}

/* d's reasons from a->reason_buf: in the slab at their exact size, none
 * (NULL) for a domain without; a GArray each took 48 bytes of header and
 * a buffer rounded up, for 2 of 3 domains of a provider (testing, "only 1
 * report"). */
static void
keep_reasons(struct summary_agg *a, struct summary_domain *d)
{
	struct summary_reason *v;
	guint n = a->reason_buf->len;

	d->reasons = NULL;
	d->n_reasons = n;
	if (n == 0)
		return;
	v = summary_slab_alloc0(a->slab, n * sizeof(*v));
	memcpy(v, a->reason_buf->data, n * sizeof(*v));
	d->reasons = v;
	g_array_set_size(a->reason_buf, 0);
}

static enum summary_mode
mode_index(const char *mode)
{
	if (summary_same_name(mode, "testing"))
		return SUMMARY_MODE_TESTING;
	if (summary_same_name(mode, "enforce"))
		return SUMMARY_MODE_ENFORCE;
	return SUMMARY_MODE_OTHER;
}

/* Whether the line (of mode, from r) comes from a cached policy: the
 * domain's latest policy so far names the other of testing and enforce
 * while r names the same mode as in its previous report. A reporter whose
 * mode changed saw the domain's policy change (a cache lags, never leads);
 * one seen for the first time cannot be told apart, and is not counted.
 * Day files are read in order, so "so far" is "when it was received". */
static int
stale(const struct summary_agg *a, const struct summary_domain *d,
      const struct summary_reporter *r, const struct tlsrpt_record *rec,
      enum summary_mode m)
{
	enum summary_mode dm = mode_index(d->sts_mode);

	if (m == SUMMARY_MODE_OTHER || dm == SUMMARY_MODE_OTHER || dm == m ||
	    rec->received < d->policy_recv)
		return 0;
	return r->policy != 0 && mode_index(summary_reporter_mode(a, r)) == m;
}

void
summary_readiness_fold(struct summary_agg *a, struct summary_domain *d,
		       const struct summary_reporter *r,
		       const struct tlsrpt_record *rec, const char *mode)
{
	const struct summary_options *o = &a->opt;
	enum summary_mode mi = mode_index(mode);
	struct summary_mode_tally *m;
	int64_t t = rec->received;
	int64_t failed = rec->policy.total_failure_session_count;
	int cached = failed > 0 && stale(a, d, r, rec, mi);

	if (d->modes[mi] == NULL)
		d->modes[mi] = summary_slab_alloc0(a->slab, sizeof(*m));
	m = d->modes[mi];

	if (t >= o->since) {
		if (cached)
			m->stale_failures =
				tlsrpt_count_add(m->stale_failures, failed);
		if (m->lines == 0 || t < m->first)
			m->first = t;
		m->lines++;
		if (failed > 0) {
			if (m->c.failures == 0 || t < m->first_failed)
				m->first_failed = t;
			if (t > m->last_failed)
				m->last_failed = t;
		}
		summary_counts_add(&m->c, &rec->policy);
	}
	if (t >= o->until - (int64_t)o->readiness_days * SUMMARY_DAY &&
	    failed > 0) {
		m->recent_failures =
			tlsrpt_count_add(m->recent_failures, failed);
		if (cached)
			m->recent_stale_failures = tlsrpt_count_add(
				m->recent_stale_failures, failed);
		if (t > m->recent_last_failed)
			m->recent_last_failed = t;
	}
}

const struct summary_mode_tally *
summary_mode_of(const struct summary_domain *d, enum summary_mode m)
{
	static const struct summary_mode_tally none;

	return d->modes[m] != NULL ? d->modes[m] : &none;
}

static const char *
plural(int64_t n)
{
	return n == 1 ? "" : "s";
}

/* "on 2026-12-01" or "from 2026-11-24 to 2026-11-30": the days reports
 * were received (ours, so a sender cannot date its reports away). */
static void
append_days(GString *s, int64_t first, int64_t last)
{
	char d1[24], d2[24];

	summary_date_of(first, d1, sizeof(d1));
	summary_date_of(last, d2, sizeof(d2));
	if (strcmp(d1, d2) == 0)
		g_string_append_printf(s, "on %s", d1);
	else
		g_string_append_printf(s, "from %s to %s", d1, d2);
}

/* Every reporter active in the readiness period whose latest policy is not
 * the domain's: it may cache an older one, and judges (or refuses) by it. */
static void
judge_mismatch(const struct summary_agg *a, struct summary_domain *d)
{
	guint i;

	for (i = 0; i < d->n_reporters; i++) {
		const struct summary_reporter *r = d->reporters[i];
		const struct summary_policy_seen *p =
			summary_reporter_seen(a, r);

		if (r->recent_reports == 0 || p == NULL)
			continue;
		if (summary_same_name(p->sts_mode, d->sts_mode) &&
		    summary_same_name(p->mx, d->mx))
			continue;
		reason(a, "policy-mismatch",
		       g_strdup_printf("%s last saw mode %s, mx %s (latest: "
				       "mode %s, mx %s); it may still cache "
				       "an older policy",
				       r->org, p->sts_mode,
				       p->mx != NULL ? p->mx : "(none)",
				       d->sts_mode,
				       d->mx != NULL ? d->mx : "(none)"));
	}
}

/* The failures of the readiness period, said by mode when not all were
 * under testing (a rollback from enforce, or lines naming no mode). */
static char *
recent_failures_text(const struct summary_agg *a,
		     const struct summary_domain *d)
{
	const struct summary_mode_tally *t = summary_mode_of(
						d, SUMMARY_MODE_TESTING),
					*e = summary_mode_of(
						d, SUMMARY_MODE_ENFORCE),
					*x = summary_mode_of(
						d, SUMMARY_MODE_OTHER);
	int64_t recent = summary_cold_of(d)->recent_sts_failures;
	GString *s = g_string_new(NULL);
	const char *sep = " (";

	g_string_printf(s, "%lld session%s failed in the last %u days",
			(long long)recent, plural(recent),
			a->opt.readiness_days);
	if (e->recent_failures > 0 || x->recent_failures > 0) {
		if (t->recent_failures > 0) {
			g_string_append_printf(s, "%s%lld under testing", sep,
					       (long long)t->recent_failures);
			sep = "; ";
		}
		if (e->recent_failures > 0) {
			char day[24];

			summary_date_of(e->recent_last_failed, day,
					sizeof(day));
			g_string_append_printf(
				s,
				"%s%lld under enforce, which senders "
				"refused, the last reported on %s",
				sep, (long long)e->recent_failures, day);
			if (e->recent_stale_failures > 0)
				g_string_append_printf(
					s,
					", %lld of them by reporters still "
					"caching the policy in enforce after "
					"others saw testing",
					(long long)e->recent_stale_failures);
			sep = "; ";
		}
		if (x->recent_failures > 0)
			g_string_append_printf(
				s, "%s%lld in reports naming no mode", sep,
				(long long)x->recent_failures);
		g_string_append_c(s, ')');
	}
	g_string_append_printf(s, ": find out why and fix %s first",
			       recent == 1 ? "it" : "them");
	return g_string_free(s, FALSE);
}

/* Whatever the reports say: senders see the certificate and the policy
 * our probe saw. In testing they would refuse the mail once in enforce;
 * in enforce, those that honour the policy refuse it now (the reports
 * say so a day later). */
static void
judge_probe(const struct summary_agg *a, struct summary_domain *d, int enforce)
{
	const struct summary_probe_finding *f = summary_probe_blocker(d->probe);
	char day[24];

	if (f == NULL)
		return;
	summary_date_of(d->probe->time, day, sizeof(day));
	reason(a, "probe",
	       g_strdup_printf(
		       "our probe found %s%s%s (%s): %s", f->result_type,
		       f->mx_host != NULL ? " on " : "",
		       f->mx_host != NULL ? f->mx_host : "", day,
		       !enforce ? "senders in enforce would refuse the mail; "
				  "fix it first"
		       : f->mx_host != NULL
			       ? "senders that honour the policy will refuse "
				 "to deliver to that host; fix it now"
			       : "senders that honour the policy will refuse "
				 "to deliver; fix it now"));
}

static void
judge_testing(const struct summary_agg *a, struct summary_domain *d)
{
	const struct summary_options *o = &a->opt;

	if (summary_cold_of(d)->recent_sts_failures > 0)
		reason(a, "failures", recent_failures_text(a, d));
	judge_mismatch(a, d);
	if (d->recent_reports < (int64_t)o->readiness_min_reports)
		reason(a, "few-reports",
		       g_strdup_printf(
			       "only %lld %s in the last %u days "
			       "(%u needed to judge)",
			       (long long)d->recent_reports,
			       d->recent_reports == 1 ? "report" : "reports",
			       o->readiness_days, o->readiness_min_reports));
	if (d->recent_reporters < o->readiness_min_reporters)
		reason(a, "few-reporters",
		       g_strdup_printf(
			       "only %u reporting %s in the last %u "
			       "days (%u needed to judge)",
			       d->recent_reporters,
			       d->recent_reporters == 1 ? "organisation"
							: "organisations",
			       o->readiness_days, o->readiness_min_reporters));
	judge_probe(a, d, 0);
	d->verdict = a->reason_buf->len == 0 ? SUMMARY_VERDICT_READY
					     : SUMMARY_VERDICT_NOT_READY;
}

/* The failures under testing of a domain in enforce. Those of reporters
 * still caching the policy in testing after others saw enforce will be
 * refused once they see it. Sessions under enforce that did not fail say
 * whether the cause is gone for the reporters that see it. */
static char *
testing_failures_text(const struct summary_domain *d)
{
	const struct summary_mode_tally *t = summary_mode_of(
						d, SUMMARY_MODE_TESTING),
					*e = summary_mode_of(
						d, SUMMARY_MODE_ENFORCE);
	int64_t e_sessions = summary_sessions(&e->c);
	GString *s = g_string_new(NULL);
	char day[24];

	g_string_printf(s, "%s%lld session%s failed under testing, reported ",
			e->c.failures > 0 ? "another " : "",
			(long long)t->c.failures, plural(t->c.failures));
	append_days(s, t->first_failed, t->last_failed);
	g_string_append(s, ": senders delivered those anyway");
	if (t->stale_failures > 0)
		g_string_append_printf(s,
				       "; %lld of them came from reporters "
				       "still caching the policy in testing "
				       "after others saw enforce, and would be "
				       "refused once they see it",
				       (long long)t->stale_failures);
	if (e->c.failures == 0 && e_sessions > 0) {
		summary_date_of(e->first, day, sizeof(day));
		g_string_append_printf(s,
				       "; none of the %lld session%s "
				       "reported under enforce since %s "
				       "failed",
				       (long long)e_sessions,
				       plural(e_sessions), day);
	} else if (e->c.failures == 0) {
		g_string_append(s, "; no session under enforce was reported "
				   "in the window yet");
	}
	return g_string_free(s, FALSE);
}

/* A domain whose latest policy is enforce: refusing only when lines under
 * enforce failed; failures under testing (before the switch, or from a
 * reporter still caching testing) and of lines naming no mode are said,
 * but are not refusals. */
static void
judge_enforce(const struct summary_agg *a, struct summary_domain *d)
{
	const struct summary_mode_tally *t = summary_mode_of(
						d, SUMMARY_MODE_TESTING),
					*e = summary_mode_of(
						d, SUMMARY_MODE_ENFORCE),
					*x = summary_mode_of(
						d, SUMMARY_MODE_OTHER);
	GString *s;

	d->verdict = SUMMARY_VERDICT_ENFORCED;
	if (e->c.failures > 0) {
		d->verdict = SUMMARY_VERDICT_REFUSING;
		s = g_string_new(NULL);
		g_string_printf(s,
				"senders are refusing to deliver: %lld "
				"session%s failed under enforce, reported ",
				(long long)e->c.failures,
				plural(e->c.failures));
		append_days(s, e->first_failed, e->last_failed);
		reason(a, "refusing", g_string_free(s, FALSE));
	}
	if (t->c.failures > 0)
		reason(a, "testing-failures", testing_failures_text(d));
	if (x->c.failures > 0) {
		s = g_string_new(NULL);
		g_string_printf(s,
				"%lld session%s failed in reports that did "
				"not say the policy was in testing or "
				"enforce, reported ",
				(long long)x->c.failures,
				plural(x->c.failures));
		append_days(s, x->first_failed, x->last_failed);
		g_string_append(s,
				": whether senders refused them is not known");
		reason(a, "mode-unknown", g_string_free(s, FALSE));
	}
	judge_mismatch(a, d);
	judge_probe(a, d, 1);
}

void
summary_readiness(struct summary_agg *a)
{
	guint i, j;

	for (i = 0; i < a->domains->len; i++) {
		struct summary_domain *d = g_ptr_array_index(a->domains, i);

		g_array_set_size(a->reason_buf, 0);
		d->recent_reports = 0;
		d->recent_reporters = 0;
		for (j = 0; j < d->n_reporters; j++) {
			const struct summary_reporter *r = d->reporters[j];

			d->recent_reports += r->recent_reports;
			if (r->recent_reports > 0)
				d->recent_reporters++;
		}
		d->verdict = SUMMARY_VERDICT_NONE;
		if (summary_same_name(d->sts_mode, "testing")) {
			judge_testing(a, d);
		} else if (summary_same_name(d->sts_mode, "enforce")) {
			judge_enforce(a, d);
		}
		keep_reasons(a, d);
	}
}
