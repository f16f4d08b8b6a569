/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * triage.h -- what needs action, worst first; and the wording every view
 * shares for numbers (one rounding rule, plurals, short counts).
 *
 * Every view opens with the domains that need action and lists the
 * healthy ones after, summarised in one line (tlsrpt-summary(1),
 * ORDER). summary_triage() (called by summary_agg_finish()) sorts every
 * domain of a->domains, and the silent ones seen only before the previous
 * window, into a->triage, in three runs:
 *
 *   a->triage[0 .. n_action)          needs action, most impact first
 *   a->triage[n_action .. +n_below)   failures under the noise threshold
 *   a->triage[... .. len)             healthy, by name
 *
 * Impact order of the first two runs: failures over the threshold
 * first, then failed sessions (more first), then
 * failure share, then the change against the previous window (worse
 * first), then our probe's findings, then silence, then not ready for enforce,
 * then the name. The order is total, so every view and every run prints the
 * same order.
 */
#ifndef TLSRPT_SUMMARY_TRIAGE_H
#define TLSRPT_SUMMARY_TRIAGE_H

#include <stddef.h>
#include <stdint.h>

#include "summary/aggregate.h"

/* Why a domain is listed first: bits of summary_domain.needs. */
#define SUMMARY_NEEDS_FAILURES 1u  /* failures at or over the threshold */
#define SUMMARY_NEEDS_SILENT 2u	   /* no report, or a reporter went silent */
#define SUMMARY_NEEDS_NOT_READY 4u /* MTA-STS not ready, or refusing */
#define SUMMARY_NEEDS_BELOW 8u	   /* failures, all under the noise threshold */
#define SUMMARY_NEEDS_PROBE 16u	   /* our probe's latest run found something */
#define SUMMARY_NEEDS_ACTION                             \
	(SUMMARY_NEEDS_FAILURES | SUMMARY_NEEDS_SILENT | \
	 SUMMARY_NEEDS_NOT_READY | SUMMARY_NEEDS_PROBE)

/* Whether c's failures reach the noise threshold of o (min_failures and
 * min_share_ppm): what makes failures count for the verdict, the exit
 * status and SUMMARY_NEEDS_FAILURES. */
int summary_over_threshold(const struct summary_options *o,
			   const struct summary_counts *c);

/* How many domains have failures over the threshold: what makes the
 * verdict FAILURES and the exit status 1. */
guint summary_n_failing(const struct summary_agg *a);

/* How many domains have failures all under the threshold, whether or
 * not they need action for another reason (a->n_below counts only
 * those that do not). */
guint summary_n_below(const struct summary_agg *a);

/* The result type with most failed sessions (over all domains) that hit
 * domain, or NULL when its failures came without details. */
const char *summary_top_result(const struct summary_agg *a, const char *domain);

/* The threshold in words, "at least 0.1% of a domain's sessions" or
 * "at least 5 failed sessions and 0.1% of a domain's sessions" (caller
 * g_free()s). */
char *summary_threshold_text(const struct summary_options *o);

/* Whether a readiness reason code (summary_reason.code) is only about
 * the domain's failures ("failures", "refusing", "testing-failures",
 * "mode-unknown"), which the noise threshold judges: failures under it
 * alone do not make a domain need action. */
int summary_failure_reason(const char *code);

/* Whether d's row in what needs action gives readiness reason r: not
 * one about its failures (summary_failure_reason), which the row's
 * failures part says or the noise threshold judges; every reason is in
 * MTA-STS readiness. One rule for the text and the HTML rows. */
int summary_row_reason(const struct summary_reason *r);

/* How many of d's reporters went silent, and the last report of those
 * into *last (0 for none): one count for the triage and its rows. */
guint summary_silent_of(const struct summary_agg *a,
			const struct summary_domain *d, int64_t *last);

/* Set every domain's needs and fill a->triage, n_action, n_below. */
void summary_triage(struct summary_agg *a);

/* The one rounding rule for a share in every view: part of whole in
 * percent with one decimal -- "0%" and "100%" only when exact, "<0.1%"
 * for a part that rounds to 0, ">99.9%" for one short of the whole that
 * rounds to 100; "-" when whole is 0. */
#define SUMMARY_PERCENT_MAX 16
void summary_percent(int64_t part, int64_t whole,
		     char buf[SUMMARY_PERCENT_MAX]);

/* The success rate of c by that rule ("-" without sessions). */
void summary_rate_text(const struct summary_counts *c,
		       char buf[SUMMARY_PERCENT_MAX]);

/* The change of d's success rate against the previous window, in points,
 * by the same rule: "-" without sessions in either, "0" when unchanged,
 * "+<0.1" or "-<0.1" for a change that rounds to 0 -- never "-0.0"
 * beside a failure -- else "%+.1f". */
void summary_change_text(const struct summary_domain *d,
			 char buf[SUMMARY_PERCENT_MAX]);

/* a->silent_reporters in the order of their domains in a->triage, worst
 * first as everywhere (then by domain and organisation; domains outside
 * the triage last), so that every view lists them alike. Caller
 * g_ptr_array_free()s the array; its elements are borrowed. */
GPtrArray *summary_silent_reporters(const struct summary_agg *a);

/* A reporter's usual interval in days, three significant digits and no
 * trailing zeros, with its plural: "1 day", "1.63 days". */
#define SUMMARY_DAYS_MAX 48
void summary_days_text(int64_t seconds, char buf[SUMMARY_DAYS_MAX]);

/* one when n is 1, else many: "1 session", "2 sessions". */
const char *summary_plural(int64_t n, const char *one, const char *many);

/* A count for a sentence: exact up to 9999, then "12.3 k", "1.2 M",
 * "3.4 G" (three significant digits at most). */
#define SUMMARY_COUNT_SHORT_MAX 24
void summary_count_short(int64_t n, char buf[SUMMARY_COUNT_SHORT_MAX]);

#endif
