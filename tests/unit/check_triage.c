/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_triage.c -- the worst-first order of the domains, the noise
 * threshold, and the one rounding rule every view uses (summary/triage.h).
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "summary/aggregate.h"
#include "summary/probe.h"
#include "summary/render.h"
#include "summary/render_html_impl.h"
#include "summary/render_text_impl.h"
#include "summary/triage.h"
#include "tests/unit/summary_fixture.h"
#include "tests/unit/testutil.h"

static struct summary_domain *
domain(struct summary_agg *a, const char *name, int64_t ok, int64_t failed)
{
	struct summary_domain *d = summary_agg_domain(a, name);

	d->cur.successes = ok;
	d->cur.failures = failed;
	d->in_window = 1;
	return d;
}

static const char *
nth(const struct summary_agg *a, guint i)
{
	return ((const struct summary_domain *)g_ptr_array_index(a->triage, i))
		->name;
}

START_TEST(test_order_worst_first)
{
	struct summary_options o;
	struct summary_agg *a;
	struct summary_domain *d;

	summary_options_default(&o);
	o.since = 1000000;
	o.until = o.since + 86400;
	o.min_failures = 5;
	o.min_share_ppm = 0; /* the count alone decides here */
	a = summary_agg_new(&o);
	domain(a, "a-healthy.example", 1000, 0);
	domain(a, "b-few.example", 1000000, 2); /* under min_failures */
	domain(a, "c-many.example", 1000000, 900);
	domain(a, "d-share.example", 100, 50);
	domain(a, "e-share.example", 1000, 50); /* same count, less share */
	d = domain(a, "f-silent.example", 0, 0);
	d->in_window = 0;
	d->in_prev = 1;
	d->prev.successes = 10;
	domain(a, "g-healthy.example", 5, 0);
	summary_agg_finish(a);

	ck_assert_uint_eq(a->triage->len, 7);
	ck_assert_uint_eq(a->n_action, 4);
	ck_assert_uint_eq(a->n_below, 1);
	ck_assert_str_eq(nth(a, 0), "c-many.example");
	ck_assert_str_eq(nth(a, 1), "d-share.example");
	ck_assert_str_eq(nth(a, 2), "e-share.example");
	ck_assert_str_eq(nth(a, 3), "f-silent.example");
	ck_assert_str_eq(nth(a, 4), "b-few.example");
	ck_assert_str_eq(nth(a, 5), "a-healthy.example");
	ck_assert_str_eq(nth(a, 6), "g-healthy.example");
	d = g_ptr_array_index(a->triage, 3);
	ck_assert_uint_eq(d->needs, SUMMARY_NEEDS_SILENT);
	d = g_ptr_array_index(a->triage, 4);
	ck_assert_uint_eq(d->needs, SUMMARY_NEEDS_BELOW);
	summary_agg_free(a);
}
END_TEST

/* A domain with findings of our probe needs action, after the domains
 * with reported failures and before the silent ones. */
START_TEST(test_order_probe)
{
	struct summary_options o;
	struct summary_agg *a;
	struct summary_domain *d;
	struct summary_probe *p = g_new0(struct summary_probe, 1);
	struct summary_probe_finding *f =
		g_new0(struct summary_probe_finding, 1);

	summary_options_default(&o);
	o.since = 1000000;
	o.until = o.since + 86400;
	a = summary_agg_new(&o);
	domain(a, "a-probed.example", 1000, 0);
	domain(a, "b-failing.example", 1000, 100);
	d = domain(a, "c-silent.example", 0, 0);
	d->in_window = 0;
	d->in_prev = 1;
	d->prev.successes = 10;
	p->domain = g_strdup("a-probed.example");
	p->time = o.since + 60;
	p->findings = g_ptr_array_new_with_free_func(g_free);
	/* A literal: the list frees the struct only. */
	f->result_type = "certificate-expired";
	g_ptr_array_add(p->findings, f);
	g_hash_table_insert(a->probes_h, p->domain, p);
	summary_agg_finish(a);

	ck_assert_uint_eq(a->n_action, 3);
	ck_assert_str_eq(nth(a, 0), "b-failing.example");
	ck_assert_str_eq(nth(a, 1), "a-probed.example");
	ck_assert_str_eq(nth(a, 2), "c-silent.example");
	d = g_ptr_array_index(a->triage, 1);
	ck_assert_uint_eq(d->needs, SUMMARY_NEEDS_PROBE);
	ck_assert_ptr_eq(d->probe, p);
	summary_agg_free(a);
}
END_TEST

START_TEST(test_threshold_share)
{
	struct summary_options o;
	struct summary_counts c = {999000, 1000};

	summary_options_default(&o);
	ck_assert(summary_over_threshold(&o, &c));
	o.min_share_ppm = 1000;			   /* 0.1% */
	ck_assert(summary_over_threshold(&o, &c)); /* 1000 of 1000000 */
	c.successes++;
	ck_assert(!summary_over_threshold(&o, &c));
	c.failures = 0;
	o.min_failures = 0;
	o.min_share_ppm = 0;
	ck_assert(!summary_over_threshold(&o, &c)); /* no failure, never */
	c.successes = c.failures = INT64_MAX;	    /* saturated sums */
	ck_assert(summary_over_threshold(&o, &c));
}
END_TEST

static const char *
pct(int64_t part, int64_t whole)
{
	static char buf[SUMMARY_PERCENT_MAX];

	summary_percent(part, whole, buf);
	return buf;
}

START_TEST(test_one_rounding_rule)
{
	ck_assert_str_eq(pct(0, 0), "-");
	ck_assert_str_eq(pct(0, 10), "0%");
	ck_assert_str_eq(pct(10, 10), "100%");
	ck_assert_str_eq(pct(1, 1000000), "<0.1%");
	ck_assert_str_eq(pct(999999, 1000000), ">99.9%");
	ck_assert_str_eq(pct(3, 1000), "0.3%");
	ck_assert_str_eq(pct(1, 3), "33.3%");
	ck_assert_str_eq(pct(INT64_MAX - 1, INT64_MAX), ">99.9%");
}
END_TEST

static const char *
cnt(int64_t n)
{
	static char buf[SUMMARY_COUNT_SHORT_MAX];

	summary_count_short(n, buf);
	return buf;
}

START_TEST(test_words)
{
	ck_assert_str_eq(summary_plural(1, "session", "sessions"), "session");
	ck_assert_str_eq(summary_plural(0, "session", "sessions"), "sessions");
	ck_assert_str_eq(cnt(9999), "9999");
	ck_assert_str_eq(cnt(12345), "12.3 k");
	ck_assert_str_eq(cnt(1200000), "1.2 M");
	ck_assert_str_eq(cnt(999999), "1.0 M");
	ck_assert_str_eq(cnt(250000), "250 k");
	ck_assert_str_eq(cnt(INT64_MAX), "9.2 E");
}
END_TEST

/* Silent reporters in the order of their domains, worst first, for every
 * view; and their interval in days with its plural. */
START_TEST(test_silent_reporters)
{
	struct summary_options o;
	struct summary_agg *a;
	struct summary_reporter rep[3];
	struct summary_silent r[3];
	GPtrArray *v;
	char every[SUMMARY_DAYS_MAX];

	summary_options_default(&o);
	o.since = 1000000;
	o.until = o.since + 86400;
	a = summary_agg_new(&o);
	domain(a, "a-healthy.example", 1000, 0);
	domain(a, "z-failing.example", 1000, 500);
	summary_agg_finish(a);
	memset(rep, 0, sizeof(rep));
	rep[0].org = (char *)"B Org";
	r[0].domain = (char *)"a-healthy.example";
	rep[1].org = (char *)"B Org";
	r[1].domain = (char *)"z-failing.example";
	rep[2].org = (char *)"A Org";
	r[2].domain = (char *)"z-failing.example";
	for (guint i = 0; i < 3; i++)
		r[i].r = &rep[i];
	for (guint i = 0; i < 3; i++)
		g_ptr_array_add(a->silent_reporters, &r[i]);
	v = summary_silent_reporters(a);
	ck_assert_uint_eq(v->len, 3);
	ck_assert_ptr_eq(g_ptr_array_index(v, 0), &r[2]);
	ck_assert_ptr_eq(g_ptr_array_index(v, 1), &r[1]);
	ck_assert_ptr_eq(g_ptr_array_index(v, 2), &r[0]);
	g_ptr_array_free(v, TRUE);
	g_ptr_array_set_size(a->silent_reporters, 0);
	summary_agg_free(a);

	summary_days_text(86400, every);
	ck_assert_str_eq(every, "1 day");
	summary_days_text(86400 * 3 / 2, every);
	ck_assert_str_eq(every, "1.5 days");
	summary_days_text(86400 * 7, every);
	ck_assert_str_eq(every, "7 days");
}
END_TEST

/* What view v writes for a. Caller free()s. */
static char *
view(void (*v)(FILE *, const struct summary_agg *), const struct summary_agg *a)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	v(f, a);
	fclose(f);
	return buf;
}

static void
text_triage(FILE *out, const struct summary_agg *a)
{
	summary_text_triage(out, a, 0);
}

/* One rule for the readiness reasons a row gives, in both views: a
 * refusing domain's row gives its other reason (policy mismatch), not the
 * ones about failures that the row's count says. */
START_TEST(test_row_reasons)
{
	static const struct {
		const char *code, *text;
	} why[] = {
		{"refusing", "REFUSING-TEXT"},
		{"testing-failures", "TESTING-TEXT"},
		{"policy-mismatch", "MISMATCH-TEXT"},
	};
	struct summary_reason reasons[sizeof(why) / sizeof(why[0])];
	struct summary_options o;
	struct summary_agg *a;
	struct summary_domain *d;
	char *t, *h;

	summary_options_default(&o);
	o.since = 1000000;
	o.until = o.since + 86400;
	a = summary_agg_new(&o);
	d = domain(a, "enforced.example", 1000, 500);
	summary_agg_finish(a);
	d->verdict = SUMMARY_VERDICT_REFUSING;
	for (size_t i = 0; i < sizeof(why) / sizeof(why[0]); i++) {
		/* Sentences are the aggregation's strings (readiness.c). */
		reasons[i] = (struct summary_reason){
			why[i].code, summary_intern(a, why[i].text)};
	}
	d->reasons = reasons;
	d->n_reasons = sizeof(why) / sizeof(why[0]);
	g_ptr_array_free(a->triage, TRUE);
	summary_triage(a);
	ck_assert(d->needs & SUMMARY_NEEDS_NOT_READY);
	t = view(text_triage, a);
	h = view(summary_html_action, a);
	ck_assert_msg(strstr(t, "refusing: MISMATCH-TEXT") != NULL, "%s", t);
	ck_assert_ptr_nonnull(strstr(h, "MISMATCH-TEXT"));
	ck_assert_ptr_null(strstr(t, "TESTING-TEXT"));
	ck_assert_ptr_null(strstr(h, "TESTING-TEXT"));
	ck_assert_ptr_null(strstr(t, "REFUSING-TEXT"));
	ck_assert_ptr_null(strstr(h, "REFUSING-TEXT"));
	free(t);
	free(h);
	summary_agg_free(a);
}
END_TEST

START_TEST(test_threshold_text)
{
	struct summary_options o;
	char *t;

	summary_options_default(&o);
	t = summary_threshold_text(&o);
	ck_assert_str_eq(t, "at least 0.1% of a domain's sessions");
	g_free(t);
	o.min_failures = 5;
	o.min_share_ppm = 50;
	t = summary_threshold_text(&o);
	ck_assert_str_eq(t, "at least 5 failed sessions and 0.005% of a "
			    "domain's sessions");
	g_free(t);
	o.min_failures = 1;
	o.min_share_ppm = 0;
	t = summary_threshold_text(&o);
	ck_assert_str_eq(t, "at least 1 failed session");
	g_free(t);
	o.min_share_ppm = 20000;
	t = summary_threshold_text(&o);
	ck_assert_str_eq(t, "at least 2% of a domain's sessions");
	g_free(t);
}
END_TEST

/* One stray failure in a million: below threshold, the verdict OK with
 * "<0.1%" (never "0.0%"), status ok; a silent domain with failures under
 * the threshold does not outrank a failing one, whatever its count. */
START_TEST(test_verdict_threshold)
{
	struct summary_options o;
	struct summary_agg *a;
	struct summary_domain *d;
	char *v;

	summary_options_default(&o);
	o.since = 1000000;
	o.until = o.since + 86400;
	a = summary_agg_new(&o);
	domain(a, "stray.example", 999999, 1);
	domain(a, "ok.example", 1000, 0);
	summary_agg_finish(a);
	a->total.successes = 999999 + 1000;
	a->total.failures = 1;
	ck_assert_uint_eq(summary_n_failing(a), 0);
	ck_assert_uint_eq(summary_n_below(a), 1);
	ck_assert_str_eq(summary_status(a), "ok");
	v = summary_verdict_text(a);
	ck_assert_str_eq(v, "OK: 1 of 1001000 TLS sessions (<0.1%) failed, "
			    "none over the noise threshold; 1 domain below "
			    "threshold (at least 0.1% of a domain's "
			    "sessions)");
	g_free(v);
	summary_agg_free(a);

	a = summary_agg_new(&o);
	d = domain(a, "a-silent.example", 999500, 500); /* 0.05% */
	d->in_window = 0;
	d->in_prev = 1;
	domain(a, "b-failing.example", 90, 10);
	summary_agg_finish(a);
	a->total.successes = 999590;
	a->total.failures = 510;
	ck_assert_uint_eq(a->n_action, 2);
	ck_assert_str_eq(nth(a, 0), "b-failing.example");
	ck_assert_uint_eq(summary_n_failing(a), 1);
	ck_assert_uint_eq(summary_n_below(a), 1);
	ck_assert_str_eq(summary_status(a), "failures");
	v = summary_verdict_text(a);
	ck_assert_str_eq(v, "FAILURES: 510 of 1000100 TLS sessions (0.1%) "
			    "failed at 1 domain; worst: b-failing.example "
			    "(10.0%, no details)");
	g_free(v);
	summary_agg_free(a);
}
END_TEST

/* One report of domain with ok successes and, when type is not NULL, bad
 * failures as one detail of that result type, folded into a. */
static void
feed_detail(struct summary_agg *a, const char *domain, const char *id,
	    int64_t ok, const char *type, int64_t bad)
{
	struct tlsrpt_record rec;
	struct tlsrpt_failure_detail fd;

	fixture_record(&rec, "Reporter", id, 1000000 + 3600, 1000000,
		       1000000 + 86399);
	memset(&fd, 0, sizeof(fd));
	rec.policy.type = TLSRPT_POLICY_NO_POLICY_FOUND;
	rec.policy.policy_type = (char *)"no-policy-found";
	rec.policy.policy_domain = (char *)domain;
	rec.policy.total_successful_session_count = ok;
	rec.policy.total_failure_session_count = bad;
	if (type != NULL) {
		fd.result_type = (char *)type;
		fd.receiving_mx_hostname = (char *)"mx.example";
		fd.failed_session_count = bad;
		rec.policy.failure_details = &fd;
		rec.policy.n_failure_details = 1;
	}
	summary_agg_add(a, &rec);
}

static struct summary_agg *
new_day_agg(void)
{
	struct summary_options o;

	summary_options_default(&o);
	o.since = 1000000;
	o.until = o.since + 86400;
	return summary_agg_new(&o);
}

/* The type with most failed sessions over all domains that hit the
 * domain; NULL without details. */
START_TEST(test_top_result)
{
	struct summary_agg *a = new_day_agg();

	feed_detail(a, "a.example", "r1", 100, "certificate-expired", 5);
	feed_detail(a, "b.example", "r2", 100, "starttls-not-supported", 10);
	feed_detail(a, "b.example", "r3", 100, "certificate-expired", 1);
	feed_detail(a, "c.example", "r4", 100, NULL, 0);
	feed_detail(a, "d.example", "r5", 100, NULL, 3);
	summary_agg_finish(a);

	ck_assert_str_eq(summary_top_result(a, "a.example"),
			 "certificate-expired");
	ck_assert_str_eq(summary_top_result(a, "b.example"),
			 "starttls-not-supported");
	ck_assert_ptr_null(summary_top_result(a, "c.example"));
	ck_assert_ptr_null(summary_top_result(a, "d.example"));
	ck_assert_ptr_null(summary_top_result(a, "unknown.example"));
	summary_agg_free(a);
}
END_TEST

/* A provider's failing domains each asked for their top type, as the text
 * view's triage does (a walk of every type's domain list made that
 * quadratic: BENCHMARKS.md). */
START_TEST(test_top_result_many)
{
	struct summary_agg *a = new_day_agg();
	enum { N = 40000 };
	char name[64], id[32];
	guint i;

	/* Many domains in two types: each one's own type, whichever
	 * type's set is asked first. How long it takes is make bench's
	 * (BENCHMARKS.md, "The table at 10^7 lines"), not a
	 * test's. */
	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "d%u.example", i);
		snprintf(id, sizeof(id), "r%u", i);
		feed_detail(a, name, id, 100,
			    i % 2 ? "certificate-expired" : "dnssec-invalid",
			    1 + i % 2);
	}
	summary_agg_finish(a);
	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "d%u.example", i);
		ck_assert_str_eq(summary_top_result(a, name),
				 i % 2 ? "certificate-expired"
				       : "dnssec-invalid");
	}
	ck_assert_ptr_null(summary_top_result(a, "d40000.example"));
	summary_agg_free(a);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("triage");
	TCase *tc = tcase_create("triage");

	tlsrpt_alloc_init();
	tcase_add_test(tc, test_order_worst_first);
	tcase_add_test(tc, test_order_probe);
	tcase_add_test(tc, test_threshold_share);
	tcase_add_test(tc, test_one_rounding_rule);
	tcase_add_test(tc, test_words);
	tcase_add_test(tc, test_silent_reporters);
	tcase_add_test(tc, test_row_reasons);
	tcase_add_test(tc, test_threshold_text);
	tcase_add_test(tc, test_verdict_threshold);
	tcase_add_test(tc, test_top_result);
	tcase_add_test(tc, test_top_result_many);
	suite_add_tcase(s, tc);
	return test_run(s);
}
