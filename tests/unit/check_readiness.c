/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_readiness.c -- MTA-STS readiness judges each policy line by the
 * mode that line names (summary/readiness.c), not by the domain's latest
 * mode: a switch from testing to enforce inside the window, a rollback
 * from enforce to testing, a reporter still caching the old policy, and
 * lines that name no mode. Records are fed straight into the aggregation,
 * with mixed modes, so each case says what its reporters saw.
 */
#include <check.h>

#include "tests/unit/testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "report/report.h"
#include "summary/aggregate.h"
#include "summary/render.h"
#include "tests/unit/summary_fixture.h"

#define ONE_DAY 86400
#define UNTIL DAY(31) /* 2026-12-01T00:00:00Z */

/* Day k before --until (k = 1: 2026-11-30) at hour h. */
#define AT(k, h) (UNTIL - (int64_t)(k)*ONE_DAY + (int64_t)(h)*HOUR)

static struct summary_agg *
new_agg(void)
{
	struct summary_options o;

	summary_options_default(&o);
	o.until = UNTIL;
	o.since = UNTIL - 7 * ONE_DAY;
	return summary_agg_new(&o);
}

/* One report of org about example.org received at t: one sts policy line
 * whose strings name mode (NULL: no mode line), ok and failed sessions. */
static void feed_to(struct summary_agg *a, const char *domain, const char *org,
		    int64_t t, const char *mode, int64_t ok, int64_t failed);

static void
feed(struct summary_agg *a, const char *org, int64_t t, const char *mode,
     int64_t ok, int64_t failed)
{
	feed_to(a, "example.org", org, t, mode, ok, failed);
}

/* The same about domain, with the report's start-datetime. */
static void
feed_start(struct summary_agg *a, const char *domain, const char *org,
	   int64_t t, int64_t start, const char *mode, int64_t ok,
	   int64_t failed)
{
	char mode_line[32], id[64];
	char *strings[4];
	size_t n = 0;
	struct tlsrpt_record rec;

	strings[n++] = (char *)"version: STSv1";
	if (mode != NULL) {
		snprintf(mode_line, sizeof(mode_line), "mode: %s", mode);
		strings[n++] = mode_line;
	}
	strings[n++] = (char *)"mx: mx.example.org";
	strings[n++] = (char *)"max_age: 604800";
	snprintf(id, sizeof(id), "%s-%lld", org, (long long)t);
	fixture_record(&rec, org, id, t, start, t - 1);
	rec.policy.type = TLSRPT_POLICY_STS;
	rec.policy.policy_type = (char *)"sts";
	rec.policy.policy_domain = (char *)domain;
	rec.policy.policy_strings = strings;
	rec.policy.n_policy_strings = n;
	rec.policy.total_successful_session_count = ok;
	rec.policy.total_failure_session_count = failed;
	summary_agg_add(a, &rec);
}

/* The same, started a day before received. */
static void
feed_to(struct summary_agg *a, const char *domain, const char *org, int64_t t,
	const char *mode, int64_t ok, int64_t failed)
{
	feed_start(a, domain, org, t, t - ONE_DAY, mode, ok, failed);
}

static const struct summary_domain *
finish(struct summary_agg *a)
{
	const struct summary_domain *d;

	summary_agg_finish(a);
	d = g_hash_table_lookup(a->domains_h, "example.org");
	ck_assert_ptr_nonnull(d);
	return d;
}

/* The text of d's reason code, or NULL. */
static const char *
reason(const struct summary_domain *d, const char *code)
{
	for (guint i = 0; i < d->n_reasons; i++) {
		const struct summary_reason *r = &d->reasons[i];

		if (strcmp(r->code, code) == 0)
			return r->text;
	}
	return NULL;
}

static void
assert_has(const char *text, const char *part)
{
	ck_assert_msg(text != NULL && strstr(text, part) != NULL,
		      "\"%s\" not in \"%.300s\"", part, text ? text : "(none)");
}

/* Two reporters daily over the last 14 days; the domain switched to
 * enforce on 2026-11-27 (k = 4). Under testing, 5 sessions a report
 * failed; under enforce, enforce_failed. */
static struct summary_agg *
switched(int64_t enforce_failed)
{
	struct summary_agg *a = new_agg();

	for (int k = 14; k >= 1; k--) {
		const char *mode = k > 4 ? "testing" : "enforce";
		int64_t failed = k > 4 ? 5 : enforce_failed;

		feed(a, "Google Inc.", AT(k, 6), mode, 1000, failed);
		feed(a, "Microsoft Corporation", AT(k, 7), mode, 500, 0);
	}
	return a;
}

/* Failures reported under testing, none since the switch: the domain is
 * enforced, not refusing, and the reason says when the failures were. */
START_TEST(test_switch_failures_before)
{
	struct summary_agg *a = switched(0);
	const struct summary_domain *d = finish(a);
	const char *t;

	ck_assert_str_eq(d->sts_mode, "enforce");
	ck_assert_int_eq(summary_cold_of(d)->sts_failures,
			 3 * 5); /* k = 7, 6, 5 */
	ck_assert_int_eq(summary_mode_of(d, SUMMARY_MODE_TESTING)->c.failures,
			 3 * 5);
	ck_assert_int_eq(summary_mode_of(d, SUMMARY_MODE_ENFORCE)->c.failures,
			 0);
	ck_assert_int_eq(summary_mode_of(d, SUMMARY_MODE_ENFORCE)->c.successes,
			 4 * 1500);
	ck_assert_int_eq(
		summary_mode_of(d, SUMMARY_MODE_TESTING)->recent_failures,
		10 * 5);
	ck_assert_int_eq(d->verdict, SUMMARY_VERDICT_ENFORCED);
	ck_assert_ptr_null(reason(d, "refusing"));
	t = reason(d, "testing-failures");
	ck_assert_str_eq(t, "15 sessions failed under testing, reported from "
			    "2026-11-24 to 2026-11-26: senders delivered those "
			    "anyway; none of the 6000 sessions reported under "
			    "enforce since 2026-11-27 failed");
	/* Both reporters switched the same day: no cached policy. */
	ck_assert_int_eq(
		summary_mode_of(d, SUMMARY_MODE_TESTING)->stale_failures, 0);
	ck_assert_ptr_null(reason(d, "policy-mismatch"));
	summary_agg_free(a);
}
END_TEST

/* Failures under both: refusing counts only those under enforce. */
START_TEST(test_switch_failures_after)
{
	struct summary_agg *a = new_agg();
	const struct summary_domain *d;

	feed(a, "Google Inc.", AT(6, 6), "testing", 1000, 5);
	feed(a, "Google Inc.", AT(3, 6), "enforce", 1000, 0);
	feed(a, "Google Inc.", AT(2, 6), "enforce", 1000, 1);
	feed(a, "Google Inc.", AT(1, 6), "enforce", 1000, 1);
	d = finish(a);
	ck_assert_int_eq(d->verdict, SUMMARY_VERDICT_REFUSING);
	assert_has(reason(d, "refusing"),
		   "senders are refusing to deliver: 2 sessions failed under "
		   "enforce, reported from 2026-11-29 to 2026-11-30");
	assert_has(reason(d, "testing-failures"),
		   "another 5 sessions failed under testing, reported on "
		   "2026-11-25: senders delivered those anyway");
	summary_agg_free(a);

	/* One failure: singular. */
	a = new_agg();
	feed(a, "Google Inc.", AT(1, 6), "enforce", 1000, 1);
	d = finish(a);
	assert_has(reason(d, "refusing"),
		   "1 session failed under enforce, reported on 2026-11-30");
	summary_agg_free(a);
}
END_TEST

/* Back from enforce to testing: the failures under enforce were refused,
 * and the reason says so; the domain is not ready. */
START_TEST(test_rollback)
{
	struct summary_agg *a = new_agg();
	const struct summary_domain *d;
	const char *t;

	for (int k = 12; k >= 1; k--) {
		const char *mode = k > 4 ? "enforce" : "testing";

		feed(a, "Google Inc.", AT(k, 6), mode, 1000, k > 4 ? 2 : 0);
		feed(a, "Microsoft Corporation", AT(k, 7), mode, 500,
		     k == 3 ? 1 : 0);
	}
	d = finish(a);
	ck_assert_str_eq(d->sts_mode, "testing");
	ck_assert_int_eq(d->verdict, SUMMARY_VERDICT_NOT_READY);
	t = reason(d, "failures");
	assert_has(t, "17 sessions failed in the last 14 days (1 under "
		      "testing; 16 under enforce, which senders refused, the "
		      "last reported on 2026-11-26)");
	ck_assert_ptr_null(reason(d, "refusing"));
	summary_agg_free(a);

	/* A reporter still caching enforce after the rollback refuses. */
	a = new_agg();
	for (int k = 8; k >= 1; k--) {
		feed(a, "Google Inc.", AT(k, 6), k > 4 ? "enforce" : "testing",
		     1000, 0);
		feed(a, "Yahoo", AT(k, 7), "enforce", 200, k <= 2 ? 3 : 0);
	}
	feed(a, "Google Inc.", AT(1, 8), "testing", 1000, 0);
	d = finish(a);
	ck_assert_str_eq(d->sts_mode, "testing");
	ck_assert_int_eq(
		summary_mode_of(d, SUMMARY_MODE_ENFORCE)->recent_stale_failures,
		6);
	assert_has(reason(d, "failures"),
		   "6 sessions failed in the last 14 days (6 under enforce, "
		   "which senders refused, the last reported on 2026-11-30, "
		   "6 of them by reporters still caching the policy in "
		   "enforce after others saw testing)");
	assert_has(reason(d, "policy-mismatch"), "Yahoo last saw mode enforce");
	summary_agg_free(a);

	/* Enforce, rolled back, enforced again: a reporter that follows
	 * every change never counts as caching. */
	a = new_agg();
	for (int k = 10; k >= 1; k--) {
		const char *mode = k > 7   ? "testing"
				   : k > 4 ? "enforce"
				   : k > 2 ? "testing"
					   : "enforce";

		feed(a, "Google Inc.", AT(k, 6), mode, 1000, 1);
	}
	d = finish(a);
	ck_assert_int_eq(d->verdict, SUMMARY_VERDICT_REFUSING);
	ck_assert_int_eq(summary_mode_of(d, SUMMARY_MODE_TESTING)->c.failures,
			 2);
	ck_assert_int_eq(summary_mode_of(d, SUMMARY_MODE_ENFORCE)->c.failures,
			 5);
	ck_assert_int_eq(
		summary_mode_of(d, SUMMARY_MODE_TESTING)->stale_failures, 0);
	ck_assert_int_eq(
		summary_mode_of(d, SUMMARY_MODE_ENFORCE)->stale_failures, 0);
	summary_agg_free(a);

	/* All under testing: said as it always was. */
	a = new_agg();
	feed(a, "Google Inc.", AT(2, 6), "testing", 1000, 3);
	d = finish(a);
	ck_assert_str_eq(reason(d, "failures"),
			 "3 sessions failed in the last 14 days: find out why "
			 "and fix them first");
	summary_agg_free(a);
}
END_TEST

/* A reporter that still caches testing after the switch: its failures
 * were delivered; it is named as seeing an older policy. */
START_TEST(test_cached_policy)
{
	struct summary_agg *a = new_agg();
	const struct summary_domain *d;

	for (int k = 10; k >= 1; k--) {
		feed(a, "Yahoo", AT(k, 5), "testing", 200, 4);
		feed(a, "Google Inc.", AT(k, 6), k > 3 ? "testing" : "enforce",
		     1000, 0);
	}
	d = finish(a);
	ck_assert_str_eq(d->sts_mode, "enforce");
	ck_assert_int_eq(d->verdict, SUMMARY_VERDICT_ENFORCED);
	/* Yahoo's reports of days 2 and 1 came after Google's first under
	 * enforce (day 3, 06:00); its day-3 report (05:00) came before. */
	ck_assert_int_eq(
		summary_mode_of(d, SUMMARY_MODE_TESTING)->stale_failures, 8);
	ck_assert_str_eq(reason(d, "testing-failures"),
			 "28 sessions failed under testing, reported from "
			 "2026-11-24 to 2026-11-30: senders delivered those "
			 "anyway; 8 of them came from reporters still caching "
			 "the policy in testing after others saw enforce, and "
			 "would be refused once they see it; none of the 3000 "
			 "sessions reported under enforce since 2026-11-28 "
			 "failed");
	assert_has(reason(d, "policy-mismatch"), "Yahoo last saw mode testing");
	assert_has(reason(d, "policy-mismatch"), "latest: mode enforce");
	summary_agg_free(a);
}
END_TEST

/* Lines naming no mode: their failures are neither refusals nor
 * testing; an enforced domain says it cannot tell, and a domain in
 * testing counts them against readiness. */
START_TEST(test_no_mode)
{
	struct summary_agg *a = new_agg();
	const struct summary_domain *d;

	feed(a, "Google Inc.", AT(2, 6), "enforce", 1000, 0);
	feed(a, "Small ISP", AT(2, 5), NULL, 10, 3);
	d = finish(a);
	ck_assert_str_eq(d->sts_mode, "enforce");
	ck_assert_int_eq(summary_mode_of(d, SUMMARY_MODE_OTHER)->c.failures, 3);
	ck_assert_int_eq(d->verdict, SUMMARY_VERDICT_ENFORCED);
	assert_has(reason(d, "mode-unknown"),
		   "3 sessions failed in reports that did not say the policy "
		   "was in testing or enforce, reported on 2026-11-29: "
		   "whether senders refused them is not known");
	ck_assert_ptr_null(reason(d, "refusing"));
	summary_agg_free(a);

	a = new_agg();
	feed(a, "Google Inc.", AT(2, 6), "testing", 1000, 0);
	feed(a, "Small ISP", AT(2, 5), NULL, 10, 3);
	d = finish(a);
	ck_assert_int_eq(d->verdict, SUMMARY_VERDICT_NOT_READY);
	assert_has(reason(d, "failures"),
		   "3 sessions failed in the last 14 days (3 in reports "
		   "naming no mode)");
	summary_agg_free(a);

	/* "mode: none" is no refusal either. */
	a = new_agg();
	feed(a, "Google Inc.", AT(2, 6), "enforce", 1000, 0);
	feed(a, "Small ISP", AT(3, 5), "none", 10, 2);
	d = finish(a);
	ck_assert_int_eq(d->verdict, SUMMARY_VERDICT_ENFORCED);
	ck_assert_int_eq(summary_mode_of(d, SUMMARY_MODE_OTHER)->c.failures, 2);
	summary_agg_free(a);
}
END_TEST

/* Outside the window, failures under enforce no longer make the domain
 * refusing; inside the readiness period they still count against it. */
START_TEST(test_window_edges)
{
	struct summary_agg *a = new_agg();
	const struct summary_domain *d;

	feed(a, "Google Inc.", UNTIL - 7 * ONE_DAY - 1, "enforce", 100, 9);
	feed(a, "Google Inc.", UNTIL - 7 * ONE_DAY, "enforce", 100, 0);
	d = finish(a);
	ck_assert_int_eq(d->verdict, SUMMARY_VERDICT_ENFORCED);
	ck_assert_int_eq(
		summary_mode_of(d, SUMMARY_MODE_ENFORCE)->recent_failures, 9);
	ck_assert_int_eq(summary_mode_of(d, SUMMARY_MODE_ENFORCE)->c.failures,
			 0);
	ck_assert_int_eq(summary_mode_of(d, SUMMARY_MODE_ENFORCE)->first,
			 UNTIL - 7 * ONE_DAY);
	summary_agg_free(a);
}
END_TEST

/* The text and HTML views head an enforced domain whose failures were all
 * under testing as without failures under enforce, and give the reason. */
START_TEST(test_views)
{
	struct summary_agg *a = switched(0);
	struct summary_render_ctx ctx = {SUMMARY_VIEW_ALL, UNTIL, 1};
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	finish(a);
	out = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(summary_render_text(out, a, &ctx), 0);
	ck_assert_int_eq(summary_render_html(out, a, &ctx), 0);
	ck_assert_int_eq(fclose(out), 0);
	assert_has(buf, "example.org: enforce, no failures under enforce\n");
	assert_has(buf, "enforce, no failures under enforce\n<ul>\n<li>15 "
			"sessions failed under testing, reported from");
	ck_assert_ptr_null(strstr(buf, "enforce, FAILING"));
	free(buf);
	summary_agg_free(a);
}
END_TEST

/* Through a real store: the reports as stored and read back, the modes
 * taken from their policy strings. Google saw testing with 5 failed
 * sessions a day until 2026-11-26, then enforce without failures. */
START_TEST(test_store_round_trip)
{
	char top[] = "/tmp/tlsrpt-ready.XXXXXX", dir[64];
	const char *dirs[1] = {dir};
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct summary_agg *a = new_agg();
	const struct summary_domain *d;

	fixture_mkdtemp(top);
	snprintf(dir, sizeof(dir), "%s/s", top);
	for (int n = 20; n <= 30; n++) {
		struct fixture_report fr = {
			.tmpl = n <= 26 ? "google.json" : "mailexample.json",
			.org = "Google Inc.",
			.domain = "example.org",
			.dkim = "pass",
			.n = n,
			.received = DAY(n) + 6 * HOUR,
			.failures = n <= 26 ? 5 : 0,
		};

		ck_assert_int_eq(fixture_store(dir, &fr), 0);
	}
	ck_assert_msg(summary_read_stores(a, dirs, 1, &err) == 0, "%s",
		      err.text);
	d = finish(a);
	ck_assert_str_eq(d->sts_mode, "enforce");
	ck_assert_int_eq(d->verdict, SUMMARY_VERDICT_ENFORCED);
	ck_assert_int_eq(summary_mode_of(d, SUMMARY_MODE_TESTING)->c.failures,
			 3 * 5);
	assert_has(reason(d, "testing-failures"),
		   "15 sessions failed under testing, reported from "
		   "2026-11-24 to 2026-11-26: senders delivered those anyway; "
		   "none of the 800 sessions reported under enforce since "
		   "2026-11-27 failed");
	summary_agg_free(a);
	fixture_remove(top);
}
END_TEST

/* Counts come from reports: the tallies of a mode stick at INT64_MAX
 * instead of wrapping to a negative total that would read as "enforced,
 * nothing refused". */
START_TEST(test_tally_saturates)
{
	struct summary_agg *a = new_agg();
	const struct summary_domain *d;
	const struct summary_mode_tally *e;

	for (int i = 0; i < 3; i++)
		feed(a, "Big", AT(1, i), "enforce", INT64_MAX / 2,
		     INT64_MAX / 2);
	d = finish(a);
	e = summary_mode_of(d, SUMMARY_MODE_ENFORCE);
	ck_assert_int_eq(e->c.failures, INT64_MAX);
	ck_assert_int_eq(e->c.successes, INT64_MAX);
	ck_assert_int_eq(e->recent_failures, INT64_MAX);
	ck_assert_int_eq(e->lines, 3);
	ck_assert_int_eq(d->verdict, SUMMARY_VERDICT_REFUSING);
	assert_has(reason(d, "refusing"), "9223372036854775807 sessions");
	summary_agg_free(a);
}
END_TEST

/* Per-group state (issue 21): a tally only for a mode some line named,
 * the others read as zero; a sentence two domains share is kept once. */
START_TEST(test_compact_state)
{
	struct summary_agg *a = new_agg();
	const struct summary_domain *d, *d2;
	const char *t1, *t2;

	feed(a, "Big", AT(1, 1), "testing", 100, 0);
	feed_to(a, "example.net", "Big", AT(1, 2), "testing", 100, 0);
	feed_to(a, "quiet.example", "Big", AT(1, 3), NULL, 100, 0);
	d = finish(a);
	d2 = g_hash_table_lookup(a->domains_h, "example.net");
	ck_assert_ptr_nonnull(d2);
	ck_assert_ptr_nonnull(d->modes[SUMMARY_MODE_TESTING]);
	ck_assert_ptr_null(d->modes[SUMMARY_MODE_ENFORCE]);
	ck_assert_ptr_null(d->modes[SUMMARY_MODE_OTHER]);
	ck_assert_int_eq(summary_mode_of(d, SUMMARY_MODE_ENFORCE)->lines, 0);
	ck_assert_int_eq(summary_mode_of(d, SUMMARY_MODE_TESTING)->lines, 1);
	t1 = reason(d, "few-reports");
	t2 = reason(d2, "few-reports");
	ck_assert_ptr_nonnull(t1);
	ck_assert_str_eq(t1, t2);
	ck_assert_ptr_eq(t1, t2);
	/* No failure: no cold part, so no pairs list either. */
	ck_assert_ptr_null(d->cold);
	/* A domain without reasons has no list; one with them its own,
	 * of exactly their number. */
	d = g_hash_table_lookup(a->domains_h, "quiet.example");
	ck_assert_ptr_nonnull(d);
	ck_assert_uint_eq(d->n_reasons, 0);
	ck_assert_ptr_null(d->reasons);
	ck_assert_uint_gt(d2->n_reasons, 0);
	ck_assert_ptr_nonnull(d2->reasons);
	summary_agg_free(a);
}
END_TEST

/* A domain and its small groups (reporters, days, mode tallies) are cut
 * from the aggregation's slab, not allocated one by one: a new domain's
 * first line takes the domain's, a reporter's, a day's and a tally's bytes
 * of it, a line from a new reporter on a day and mode already seen exactly
 * one reporter's, a new day one day's, a new mode one tally's and one
 * policy pair's (a reporter names its latest mode and MX by one pointer to
 * a pair shared by all who saw the same), a reporter's third time one
 * chunk of four; a reporter is 40 bytes. */
START_TEST(test_groups_in_slab)
{
	struct summary_agg *a = new_agg();
	const size_t domsize = (sizeof(struct summary_domain) + 7) & ~7u;
	const size_t rsize = (sizeof(struct summary_reporter) + 7) & ~7u;
	const size_t dsize = (sizeof(struct summary_day) + 7) & ~7u;
	const size_t tsize = (sizeof(struct summary_mode_tally) + 7) & ~7u;
	const size_t psize = (sizeof(struct summary_policy_seen) + 7) & ~7u;
	size_t used;

	ck_assert_uint_le(sizeof(struct summary_reporter), 40);
	feed(a, "A", AT(1, 1), "testing", 100, 0);
	used = summary_slab_used(a->slab);
	ck_assert_uint_eq(used, domsize + rsize + dsize + tsize + psize);
	feed(a, "B", AT(1, 2), "testing", 100, 0); /* new reporter only */
	ck_assert_uint_eq(summary_slab_used(a->slab), used + rsize);
	used += rsize;
	feed(a, "B", AT(2, 2), "testing", 100, 0); /* new day only */
	ck_assert_uint_eq(summary_slab_used(a->slab), used + dsize);
	used += dsize;
	/* New mode: older than B's latest policy (day 1), so B's pair
	 * stays. B's third time takes its times out of the reporter, into
	 * a chunk of the slab for four. */
	feed(a, "B", AT(2, 3), "enforce", 100, 0);
	ck_assert_uint_eq(summary_slab_used(a->slab),
			  used + tsize + 4 * sizeof(uint32_t));
	ck_assert_uint_ge(summary_slab_reserved(a->slab), used + tsize);
	used += tsize + 4 * sizeof(uint32_t);
	/* A's newest policy names a new mode: a new pair. */
	feed(a, "A", AT(1, 3), "enforce", 100, 0);
	ck_assert_uint_eq(summary_slab_used(a->slab), used + psize);
	used += psize;
	/* B's newest names the same: it shares A's; its fourth time fits
	 * its chunk. */
	feed(a, "B", AT(1, 4), "enforce", 100, 0);
	ck_assert_uint_eq(summary_slab_used(a->slab), used);
	finish(a);
	summary_agg_free(a);
}
END_TEST

/* The part of a domain every domain needs is small (issue 21: 10^5 of
 * them in a provider's store; 256 bytes and malloc's 16 before the
 * split), and a domain that never failed never makes the rest: an sts
 * line without failures, a tlsa or no-policy-found one, in the window
 * or before it, leaves d->cold NULL. */
START_TEST(test_domain_hot_cold)
{
	struct summary_agg *a = new_agg();
	const struct summary_domain *d, *bad, *old;
	const struct summary_domain_cold *c;

	ck_assert_uint_le(sizeof(struct summary_domain), 192);
	ck_assert_uint_le(sizeof(struct summary_domain_cold), 64);
	for (int k = 1; k <= 10; k++) {
		feed(a, "A", AT(k, 1), k % 2 ? "testing" : "enforce", 100, 0);
		feed(a, "B", AT(k, 2), NULL, 100, 0);
	}
	feed_to(a, "old.example", "A", AT(20, 1), "testing", 0, 0);
	feed_to(a, "bad.example", "A", AT(1, 1), "testing", 10, 4);
	d = finish(a);
	ck_assert_ptr_null(d->cold);
	ck_assert_uint_eq(d->n_reporters, 2);
	ck_assert_uint_eq(d->n_days, 7); /* the window's 7 days */
	old = g_hash_table_lookup(a->domains_h, "old.example");
	ck_assert_ptr_nonnull(old);
	ck_assert_ptr_null(old->cold);
	/* Its readers see zeros. */
	c = summary_cold_of(d);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->unexplained, 0);
	ck_assert_int_eq(c->sts_failures, 0);
	ck_assert_int_eq(c->recent_sts_failures, 0);
	ck_assert_ptr_null(c->other_types);
	ck_assert_uint_eq(c->n_pairs, 0);
	ck_assert_int_eq(c->pairs_over, 0);
	/* A failing domain has one, with what the failures said. */
	bad = g_hash_table_lookup(a->domains_h, "bad.example");
	ck_assert_ptr_nonnull(bad);
	ck_assert_ptr_nonnull(bad->cold);
	ck_assert_ptr_eq(summary_cold_of(bad), bad->cold);
	ck_assert_int_eq(bad->cold->sts_failures, 4);
	ck_assert_int_eq(bad->cold->recent_sts_failures, 4);
	ck_assert_int_eq(bad->cold->unexplained, 4); /* no details */
	ck_assert_str_eq(bad->reasons[0].code, "failures");
	summary_agg_free(a);
}
END_TEST

/* Every view of a domain without a cold part: the readers take the zero
 * one (no pairs, nothing unexplained, no unknown types). */
START_TEST(test_views_without_cold)
{
	static const char *const formats[] = {"text", "json", "csv", "html",
					      "prometheus"};
	struct summary_agg *a = new_agg();
	struct summary_render_ctx ctx = {SUMMARY_VIEW_ALL, UNTIL, 1};
	const struct summary_domain *d;

	feed(a, "A", AT(1, 1), "testing", 100, 0);
	d = finish(a);
	ck_assert_ptr_null(d->cold);
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		ck_assert_ptr_nonnull(f);
		ck_assert_int_eq(
			summary_renderer_find(formats[i])->render(f, a, &ctx),
			0);
		fclose(f);
		ck_assert_msg(strstr(buf, "example.org") != NULL, "%s: %s",
			      formats[i], buf);
		if (strcmp(formats[i], "json") == 0) {
			ck_assert_ptr_nonnull(
				strstr(buf, "\"unexplained-failures\": 0"));
			ck_assert_ptr_nonnull(strstr(
				buf, "\"failures-by-result-and-mx\": []"));
			ck_assert_ptr_nonnull(strstr(
				buf, "\"failures-by-result-and-mx-other\": 0"));
		}
		if (strcmp(formats[i], "prometheus") == 0)
			ck_assert_ptr_null(
				strstr(buf, "tlsrpt_failed_sessions{"));
		free(buf);
	}
	summary_agg_free(a);
}
END_TEST

/* A domain's lists (reporters, days) hold only a buffer and a length: the
 * capacity is within a slot of the length up to 31, then 63, 127 ...; the
 * order is kept on insertion anywhere, across every growth. */
START_TEST(test_short_lists)
{
	gpointer *v = NULL;
	guint n = 0;
	static int x[80];

	ck_assert_uint_eq(summary_list_capacity(0), 0);
	ck_assert_uint_eq(summary_list_capacity(1), 3);
	ck_assert_uint_eq(summary_list_capacity(3), 3);
	ck_assert_uint_eq(summary_list_capacity(4), 5);
	ck_assert_uint_eq(summary_list_capacity(8), 9);
	ck_assert_uint_eq(summary_list_capacity(31), 31);
	ck_assert_uint_eq(summary_list_capacity(32), 63);
	ck_assert_uint_eq(summary_list_capacity(64), 127);
	/* 0, 2, 4 ... appended, then 1, 3, 5 ... each before the next
	 * even: 0 .. 79 in order whatever the growth in between. */
	for (int i = 0; i < 80; i += 2, n++)
		v = summary_list_insert(v, n, n, &x[i]);
	for (int i = 1; i < 80; i += 2, n++)
		v = summary_list_insert(v, n, (guint)i, &x[i]);
	ck_assert_uint_eq(n, 80);
	for (int i = 0; i < 80; i++)
		ck_assert_ptr_eq(v[i], &x[i]);
	v = summary_list_insert(v, n, 0, &x[5]);
	ck_assert_ptr_eq(v[0], &x[5]);
	ck_assert_ptr_eq(v[80], &x[79]);
	g_free(v);
}
END_TEST

/* A reporter's latest policy is ordered by received time, then by the
 * sender's start-datetime: both kept exact in 4 bytes each when they fit,
 * aside when a start-datetime is any int64 or the look-back is decades. */
static const struct summary_reporter *
only_reporter(const struct summary_agg *a)
{
	const struct summary_domain *d =
		g_hash_table_lookup(a->domains_h, "example.org");

	return d->reporters[0];
}

static void
assert_policy(const struct summary_agg *a, const char *mode, int64_t recv,
	      int64_t seen, int aside)
{
	const struct summary_reporter *r = only_reporter(a);
	int64_t got_recv, got_seen;

	ck_assert_str_eq(summary_reporter_mode(a, r), mode);
	summary_reporter_policy(a, r, &got_recv, &got_seen);
	ck_assert_int_eq(got_recv, recv);
	ck_assert_int_eq(got_seen, seen);
	ck_assert_int_eq(r->policy_recv_off == SUMMARY_POLICY_WIDE, aside);
	ck_assert_uint_eq(
		a->policy_wide != NULL ? g_hash_table_size(a->policy_wide) : 0,
		(guint)aside);
}

START_TEST(test_reporter_policy_exact)
{
	struct summary_agg *a = new_agg();
	struct summary_options o;
	const int64_t t = AT(3, 1);
	/* The earliest start of all: its UTC day does not fit an int64
	 * (fold.c's day_of() takes the next; UBSan finds an overflow). */
	const int64_t min = INT64_MIN;
	int64_t far;

	feed_start(a, "example.org", "A", t, INT64_MAX, "enforce", 1, 0);
	assert_policy(a, "enforce", t, INT64_MAX, 1);
	/* Same second, earlier start: not the latest. */
	feed_start(a, "example.org", "A", t, min, "testing", 1, 0);
	assert_policy(a, "enforce", t, INT64_MAX, 1);
	feed_start(a, "example.org", "A", t + 1, min, "testing", 1, 0);
	assert_policy(a, "testing", t + 1, min, 1);
	feed_start(a, "example.org", "A", t + 1, t + 1 + INT32_MAX, "enforce",
		   1, 0);
	assert_policy(a, "enforce", t + 1, t + 1 + INT32_MAX, 0);
	feed_start(a, "example.org", "A", t + 1, t + INT32_MAX, "testing", 1,
		   0);
	assert_policy(a, "enforce", t + 1, t + 1 + INT32_MAX, 0);
	feed_start(a, "example.org", "A", t + 2, t + 2 + INT32_MIN, "testing",
		   1, 0);
	assert_policy(a, "testing", t + 2, t + 2 + INT32_MIN, 0);
	feed_start(a, "example.org", "A", t + 2, t + 2 + INT32_MAX + 1,
		   "enforce", 1, 0);
	assert_policy(a, "enforce", t + 2, t + 2 + INT32_MAX + 1, 1);
	summary_agg_free(a);

	/* A look-back of over 2^32 s: a receipt past that offset aside. */
	summary_options_default(&o);
	o.until = UNTIL;
	o.since = UNTIL - ((int64_t)1 << 32);
	a = summary_agg_new(&o);
	ck_assert(a->times_wide);
	far = a->lookback + ((int64_t)1 << 32) + 5;
	ck_assert_int_lt(far, UNTIL);
	feed_start(a, "example.org", "A", far, far, "enforce", 1, 0);
	assert_policy(a, "enforce", far, far, 1);
	summary_agg_free(a);
}
END_TEST

/* An organisation's domains are listed from the domains' reporters (no
 * set of names per organisation): each domain it reported in the window
 * once, by name, none it reported only before the window. */
START_TEST(test_org_domains_from_reporters)
{
	struct summary_agg *a = new_agg();
	const struct summary_org *o;

	feed_to(a, "c.example", "X", AT(1, 1), "testing", 1, 0);
	feed_to(a, "a.example", "X", AT(2, 1), "testing", 1, 0);
	feed_to(a, "b.example", "X", AT(3, 1), "testing", 1, 0);
	feed_to(a, "a.example", "X", AT(4, 1), "testing", 1, 0);
	feed_to(a, "z.example", "X", AT(10, 1), "testing", 1, 0);
	feed_to(a, "a.example", "Y", AT(10, 2), "testing", 1, 0);
	summary_agg_finish(a);
	ck_assert_uint_eq(a->orgs->len, 1);
	o = g_ptr_array_index(a->orgs, 0);
	ck_assert_str_eq(o->name, "X");
	ck_assert_uint_eq(o->n_domains, 3);
	ck_assert_uint_eq(o->domains->len, 3);
	ck_assert_str_eq(g_ptr_array_index(o->domains, 0), "a.example");
	ck_assert_str_eq(g_ptr_array_index(o->domains, 1), "b.example");
	ck_assert_str_eq(g_ptr_array_index(o->domains, 2), "c.example");
	summary_agg_free(a);
}
END_TEST

static Suite *
readiness_suite(void)
{
	Suite *s = suite_create("readiness");
	TCase *tc = tcase_create("modes");

	tcase_add_test(tc, test_switch_failures_before);
	tcase_add_test(tc, test_switch_failures_after);
	tcase_add_test(tc, test_rollback);
	tcase_add_test(tc, test_cached_policy);
	tcase_add_test(tc, test_no_mode);
	tcase_add_test(tc, test_window_edges);
	tcase_add_test(tc, test_views);
	tcase_add_test(tc, test_store_round_trip);
	tcase_add_test(tc, test_tally_saturates);
	tcase_add_test(tc, test_compact_state);
	tcase_add_test(tc, test_groups_in_slab);
	tcase_add_test(tc, test_domain_hot_cold);
	tcase_add_test(tc, test_views_without_cold);
	tcase_add_test(tc, test_short_lists);
	tcase_add_test(tc, test_reporter_policy_exact);
	tcase_add_test(tc, test_org_domains_from_reporters);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	tlsrpt_alloc_init();
	return test_run(readiness_suite());
}
