/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_render_html.c -- the worst-first HTML page (issue 18): what needs
 * action comes first in order of impact, failures under the noise
 * threshold next, the healthy domains last in one line and a collapsed
 * list (left out of the digest); one rounding rule; the failure share on
 * its own axis; the small multiples of the domains that need a look
 * first. The golden page (check_render) shows the markup; this shows the
 * order and the sizes on domains chosen so that alphabetical order would
 * be wrong.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "summary/aggregate.h"
#include "summary/render.h"
#include "summary/render_html_impl.h"
#include "tests/unit/summary_fixture.h"
#include "tests/unit/testutil.h"

/* One report of domain for day n (received the next morning), ok
 * sessions and bad failed ones, all certificate-expired. */
static void
add(struct summary_agg *a, const char *domain, int n, int64_t ok, int64_t bad)
{
	struct tlsrpt_record rec;
	struct tlsrpt_failure_detail fd;
	char id[64];

	memset(&rec, 0, sizeof(rec));
	memset(&fd, 0, sizeof(fd));
	snprintf(id, sizeof(id), "%s-%d", domain, n);
	rec.version = 1;
	rec.received = DAY(n + 1) + HOUR;
	rec.source = (char *)"milter";
	rec.organization_name = (char *)"Google Inc.";
	rec.report_id = id;
	rec.start_time = DAY(n);
	rec.end_time = DAY(n + 1) - 1;
	rec.policy_count = 1;
	rec.policy.type = TLSRPT_POLICY_TLSA;
	rec.policy.policy_type = (char *)"tlsa";
	rec.policy.policy_domain = (char *)domain;
	rec.policy.total_successful_session_count = ok;
	rec.policy.total_failure_session_count = bad;
	if (bad > 0) {
		fd.result_type = (char *)"certificate-expired";
		fd.failed_session_count = bad;
		rec.policy.failure_details = &fd;
		rec.policy.n_failure_details = 1;
	}
	summary_agg_add(a, &rec);
}

/* Window [DAY(23), DAY(30)), failures count from 5 on:
 *   a-healthy  1000 sessions a day, none failed
 *   b-stray    10^6 sessions, 1 failed: under the threshold
 *   c-many     10^5 sessions a day, 300 failed (0.3%)
 *   f-silent   reported in the previous window only
 *   g-healthy  5 sessions */
static struct summary_agg *
fleet_share(uint32_t min_share_ppm)
{
	struct summary_options o;
	struct summary_agg *a;
	int n;

	summary_options_default(&o);
	o.since = DAY(23);
	o.until = DAY(30);
	o.min_failures = 5;
	o.min_share_ppm = min_share_ppm;
	a = summary_agg_new(&o);
	add(a, "f-silent.example", 18, 100, 0);
	for (n = 23; n < 29; n++) {
		add(a, "a-healthy.example", n, 1000, 0);
		add(a, "c-many.example", n, 99700, 300);
	}
	add(a, "b-stray.example", 25, 999999, 1);
	add(a, "g-healthy.example", 26, 5, 0);
	summary_agg_finish(a);
	return a;
}

/* The fleet under the default threshold (the configuration's). */
static struct summary_agg *
fleet(void)
{
	struct summary_options o;

	summary_options_default(&o);
	return fleet_share(o.min_share_ppm);
}

static char *
page(summary_render_fn fn)
{
	struct summary_render_ctx ctx = {SUMMARY_VIEW_ALL, DAY(30), 1};
	struct summary_agg *a = fleet();
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fn(f, a, &ctx), 0);
	fclose(f);
	summary_agg_free(a);
	return buf;
}

/* Offset of the first needle in s at or after from; fails when absent. */
static size_t
at(const char *s, size_t from, const char *needle)
{
	const char *p = strstr(s + from, needle);

	ck_assert_msg(p != NULL, "\"%s\" not in the page after offset %zu",
		      needle, from);
	return (size_t)(p - s);
}

START_TEST(test_worst_first)
{
	char *s = page(summary_render_html);
	size_t action = at(s, 0, "<div id=\"action\"");
	size_t many = at(s, action, "<strong>c-many.example</strong>");
	size_t silent = at(s, many, "<strong>f-silent.example</strong>");
	size_t below = at(s, silent, "<div id=\"below\"");
	size_t stray = at(s, below, "<strong>b-stray.example</strong>");
	size_t healthy = at(s, stray,
			    "<strong>2 healthy domains</strong>: "
			    "100% over 6005 sessions");
	size_t details = at(s, healthy, "<details>");

	/* Healthy names first appear in the collapsed list. */
	ck_assert_uint_gt(at(s, 0, "a-healthy.example"), details);
	ck_assert_uint_gt(at(s, 0, "g-healthy.example"), details);
	/* The rows say what is wrong and what to do. */
	at(s, many, "of 600 k sessions failed (0.3%)");
	at(s, many, "renew the certificate");
	at(s, silent, "no report in the window (last 2026-11-19)");
	at(s, stray, "of 1.0 M sessions failed (&lt;0.1%)");
	free(s);
}
END_TEST

/* One rounding rule: never "0.0%" beside a failure, nor "100.0%"; and
 * plurals agree with their numbers. */
START_TEST(test_rounding_and_plurals)
{
	char *s = page(summary_render_html);
	static const char *const wrong[] = {
		"0.0%",	      "100.0%",	     ">1 report<", " 1 reports",
		" 1 domains", " 1 sessions", "line(s)",	   "1 organisations",
	};
	size_t i;

	for (i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++)
		ck_assert_msg(strstr(s, wrong[i]) == NULL, "\"%s\" in the page",
			      wrong[i]);
	at(s, 0, ">99.9%<"); /* b-stray's success rate, not 100% */
	free(s);
}
END_TEST

/* 0.3% failed is a bar of most of the failure-share panel (56 pixels
 * high, axis up to 0.4%), not the pixel it is of the stacked sessions. */
START_TEST(test_failure_share_axis)
{
	char *s = page(summary_render_html);
	size_t chart = at(s, 0, "<title>c-many.example: TLS sessions a day");
	size_t bar = at(s, chart, "2026-11-24: 300 failed, 0.3%</title><rect");
	double h = 0;

	ck_assert_int_eq(sscanf(strstr(s + bar, "height=\"") + 8, "%lf", &h),
			 1);
	ck_assert_msg(h > 28, "the failure-share bar is %.1f pixels high", h);
	at(s, chart, ">0.4%</text>"); /* the axis' top tick */
	free(s);
}
END_TEST

/* Small multiples: the domains that need a look first, though the
 * healthy ones come first alphabetically. */
START_TEST(test_small_multiples_worst_first)
{
	char *s = page(summary_render_html);
	size_t all = at(s, 0, "<title>All domains: TLS sessions a day");
	size_t many = at(s, all, "<title>c-many.example: TLS sessions a day");

	ck_assert_uint_gt(at(s, 0, "<title>a-healthy.example: TLS sessions"),
			  many);
	free(s);
}
END_TEST

/* The digest keeps the one line and leaves the collapsed lists out: most
 * mail clients show a <details> open, and Gmail cuts long messages. */
START_TEST(test_digest_without_lists)
{
	char *p = page(summary_render_html), *d = page(summary_html_digest);

	at(p, 0, "<details>");
	ck_assert_ptr_null(strstr(d, "<details>"));
	at(d, 0,
	   "<strong>2 healthy domains</strong>: 100% over 6005 "
	   "sessions <span class=\"note\">(listed by <code>--by "
	   "domain</code>)");
	at(d, at(d, 0, "<div id=\"action\""), "c-many.example");
	free(p);
	free(d);
}
END_TEST

/* The threshold in the words of the text view (summary_threshold_text):
 * the share exact, not rounded to a tenth of a percent. */
START_TEST(test_below_threshold_words)
{
	struct summary_agg *a = fleet_share(500);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	summary_html_below(f, a);
	fclose(f);
	at(buf, 0,
	   "(at least 5 failed sessions and 0.05% of a domain&#39;s "
	   "sessions)");
	free(buf);
	summary_agg_free(a);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("render_html");
	TCase *tc = tcase_create("render_html");

	tlsrpt_alloc_init();
	tcase_add_test(tc, test_worst_first);
	tcase_add_test(tc, test_rounding_and_plurals);
	tcase_add_test(tc, test_failure_share_axis);
	tcase_add_test(tc, test_small_multiples_worst_first);
	tcase_add_test(tc, test_digest_without_lists);
	tcase_add_test(tc, test_below_threshold_words);
	suite_add_tcase(s, tc);
	return test_run(s);
}
