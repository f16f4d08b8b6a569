/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_forged.c -- issue 15, cases 1, 4 and 5: what a forged report's
 * numbers and dates can no longer do.
 *
 *   - counts near 2^53: refused by the parser (MaxSessionCount), a store
 *     line holding them is damaged on both decode paths, and fed to the
 *     aggregation anyway they saturate instead of wrapping: a genuine
 *     report's 23 failures still show, in every format;
 *   - the latest policy of a domain is the report received last, not the
 *     one whose sender wrote the latest date;
 *   - every instant the parser accepts is in the years 0001-9999 (UTC) and
 *     survives the store's line format both ways.
 *
 * With day(n) = 2026-11-n 00:00 UTC and the window [day(23), day(30)).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/count.h"
#include "report/report.h"
#include "store/record.h"
#include "store/record_fast.h"
#include "summary/aggregate.h"
#include "summary/render.h"
#include "tests/unit/summary_fixture.h"
#include "tests/unit/testutil.h"

#define F53 9007199254740991LL /* 2^53 - 1, the largest I-JSON count */

struct rec {
	const char *org, *id, *mode;
	int64_t start, received;
	int64_t ok, bad; /* bad also as one certificate-expired detail */
};

/* One record of an sts policy of example.org, straight into a. */
static void
feed(struct summary_agg *a, const struct rec *r)
{
	struct tlsrpt_record rec;
	struct tlsrpt_failure_detail fd;
	char mode[32];
	char *strings[] = {"version: STSv1", mode, "mx: mx1.example.org",
			   "max_age: 86400"};

	memset(&rec, 0, sizeof(rec));
	memset(&fd, 0, sizeof(fd));
	snprintf(mode, sizeof(mode), "mode: %s", r->mode);
	rec.version = 1;
	rec.received = r->received;
	rec.source = (char *)"milter";
	rec.dkim = TLSRPT_DKIM_PASS;
	rec.organization_name = (char *)r->org;
	rec.report_id = (char *)r->id;
	rec.start_time = r->start;
	rec.end_time = r->start + 86399;
	rec.policy_count = 1;
	rec.policy.type = TLSRPT_POLICY_STS;
	rec.policy.policy_type = (char *)"sts";
	rec.policy.policy_domain = (char *)"example.org";
	rec.policy.policy_strings = strings;
	rec.policy.n_policy_strings = 4;
	rec.policy.total_successful_session_count = r->ok;
	rec.policy.total_failure_session_count = r->bad;
	if (r->bad > 0) {
		fd.result_type = (char *)"certificate-expired";
		fd.sending_mta_ip = (char *)"192.0.2.10";
		fd.receiving_mx_hostname = (char *)"mx1.example.org";
		fd.failed_session_count = r->bad;
		rec.policy.failure_details = &fd;
		rec.policy.n_failure_details = 1;
	}
	summary_agg_add(a, &rec);
}

static void
feed_one(struct summary_agg *a, const char *org, const char *id,
	 const char *mode, int64_t start, int64_t received, int64_t ok,
	 int64_t bad)
{
	struct rec r = {org, id, mode, start, received, ok, bad};

	feed(a, &r);
}

static struct summary_agg *
new_agg(void)
{
	struct summary_options o;

	summary_options_default(&o);
	o.since = DAY(23);
	o.until = DAY(30);
	/* One report from one reporter is evidence enough here: the
	 * verdict then turns on the failures alone. */
	o.readiness_min_reports = 1;
	o.readiness_min_reporters = 1;
	return summary_agg_new(&o);
}

static const struct summary_domain *
domain(const struct summary_agg *a, const char *name)
{
	for (guint i = 0; i < a->domains->len; i++) {
		const struct summary_domain *d =
			g_ptr_array_index(a->domains, i);

		if (strcmp(d->name, name) == 0)
			return d;
	}
	ck_abort_msg("no domain %s", name);
	return NULL;
}

/* ---- counts ---- */

START_TEST(test_count_add)
{
	ck_assert_int_eq(tlsrpt_count_add(5, 7), 12);
	ck_assert_int_eq(tlsrpt_count_add(INT64_MAX, 1), INT64_MAX);
	ck_assert_int_eq(tlsrpt_count_add(INT64_MAX - 3, F53), INT64_MAX);
	ck_assert_int_eq(tlsrpt_count_add(INT64_MIN, -1), INT64_MIN);
}
END_TEST

/* A report of one sts policy with these counts. */
static char *
report_json(int64_t ok, int64_t bad)
{
	char *s = NULL;

	ck_assert_int_ge(
		asprintf(&s,
			 "{\"organization-name\":\"Forger\","
			 "\"date-range\":{\"start-datetime\":"
			 "\"2026-11-27T00:00:00Z\",\"end-datetime\":"
			 "\"2026-11-27T23:59:59Z\"},\"report-id\":\"f-1\","
			 "\"policies\":[{\"policy\":{\"policy-type\":\"sts\","
			 "\"policy-domain\":\"example.org\"},\"summary\":{"
			 "\"total-successful-session-count\":%lld,"
			 "\"total-failure-session-count\":%lld},"
			 "\"failure-details\":[{\"result-type\":"
			 "\"certificate-expired\",\"failed-session-count\":"
			 "%lld}]}]}",
			 (long long)ok, (long long)bad, (long long)bad),
		0);
	return s;
}

/* The parsed report of report_json(ok, bad); free with
 * tlsrpt_report_free(). */
static struct tlsrpt_report *
parsed(int64_t ok, int64_t bad)
{
	struct tlsrpt_limits l;
	struct tlsrpt_report *r = NULL;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char *j = report_json(ok, bad);

	tlsrpt_limits_default(&l);
	ck_assert_int_eq(tlsrpt_report_parse(j, strlen(j), &l, &r, &err), 0);
	free(j);
	return r;
}

/* r as the store writes it, received at received: one line (one policy),
 * *len bytes without its newline. Free with tlsrpt_free(). */
static char *
stored_line(const struct tlsrpt_report *r, int64_t received, size_t *len)
{
	struct tlsrpt_receipt rc;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char *line = NULL;

	memset(&rc, 0, sizeof(rc));
	rc.received = received;
	rc.source = "file";
	ck_assert_int_eq(tlsrpt_record_encode(r, &rc, &line, len, &err), 0);
	ck_assert_uint_gt(*len, 0);
	(*len)--;
	return line;
}

START_TEST(test_parser_refuses_huge_counts)
{
	struct tlsrpt_limits l;
	struct tlsrpt_report *r = NULL;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char *j;

	tlsrpt_limits_default(&l);
	j = report_json(977, 23);
	ck_assert_int_eq(tlsrpt_report_parse(j, strlen(j), &l, &r, &err), 0);
	tlsrpt_report_free(r);
	free(j);

	j = report_json(0, F53);
	ck_assert_int_eq(tlsrpt_report_parse(j, strlen(j), &l, &r, &err), -1);
	ck_assert_ptr_null(r);
	ck_assert_int_eq(err.code, TLSRPT_ERR_LIMIT);
	ck_assert_str_eq(err.path,
			 "policies[0].summary.total-failure-session-count");
	ck_assert_ptr_nonnull(strstr(err.text, "MaxSessionCount"));
	free(j);

	/* The bound is the configured one. */
	l.max_session_count = 999;
	j = report_json(977, 23);
	ck_assert_int_eq(tlsrpt_report_parse(j, strlen(j), &l, &r, &err), -1);
	ck_assert_str_eq(err.path, "policies[0].summary");
	free(j);
}
END_TEST

/* A store line of a genuine report, then with its counts made huge (an old
 * store, written before the bound): damaged on both decode paths. */
START_TEST(test_store_line_with_huge_counts)
{
	struct tlsrpt_limits l;
	struct tlsrpt_report *r = parsed(977, 23);
	struct tlsrpt_record rec;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char *line;
	size_t len;

	tlsrpt_limits_default(&l);
	line = stored_line(r, DAY(28), &len);
	memset(&rec, 0, sizeof(rec));
	ck_assert_int_eq(tlsrpt_record_decode_fast(line, len, &l, NULL, &rec),
			 0);
	ck_assert_int_eq(rec.policy.total_failure_session_count, 23);
	tlsrpt_record_clear(&rec);
	tlsrpt_free(line);

	/* What a store written before the bound may hold. */
	r->policies[0].total_failure_session_count = F53;
	r->policies[0].failure_details[0].failed_session_count = F53;
	line = stored_line(r, DAY(28), &len);
	ck_assert_int_eq(tlsrpt_record_decode_fast(line, len, &l, NULL, &rec),
			 1);
	ck_assert_int_eq(tlsrpt_record_decode_json(line, len, &l, &rec, &err),
			 -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_LIMIT);
	ck_assert_ptr_nonnull(strstr(err.text, "MaxSessionCount"));
	ck_assert_int_eq(tlsrpt_record_decode(line, len, &l, &rec, &err), -1);
	tlsrpt_free(line);
	tlsrpt_report_free(r);
}
END_TEST

/* Every format and view of a, into memory: under UBSan (make SAN=asan
 * unit) any overflow in a renderer aborts the test. Returns the
 * Prometheus text. */
static char *
render_all(const struct summary_agg *a)
{
	static const char *const formats[] = {"text", "json", "csv", "html",
					      "prometheus"};
	struct summary_render_ctx ctx = {SUMMARY_VIEW_ALL, DAY(30), 1};
	char *prom = NULL;

	for (size_t f = 0; f < sizeof(formats) / sizeof(formats[0]); f++) {
		const struct summary_renderer *r =
			summary_renderer_find(formats[f]);

		ck_assert_ptr_nonnull(r);
		for (int v = SUMMARY_VIEW_ALL; v <= SUMMARY_VIEW_REPORT; v++) {
			char *buf = NULL;
			size_t len = 0;
			FILE *out = open_memstream(&buf, &len);

			ck_assert_ptr_nonnull(out);
			ctx.view = (enum summary_view)v;
			ck_assert_int_eq(r->render(out, a, &ctx), 0);
			fclose(out);
			if (strcmp(formats[f], "prometheus") == 0 &&
			    v == SUMMARY_VIEW_ALL)
				prom = buf;
			else
				free(buf);
		}
	}
	return prom;
}

/*
 * The forged reports of the issue, fed to the aggregation as if nothing
 * had stopped them: 2048 policies of 2^53 - 1 failed sessions and one of
 * 2025 add up to 2^64 - 23, so in wrapping signed arithmetic the genuine
 * report's 23 failures made the totals exactly 0: "OK", ready to enforce.
 */
START_TEST(test_huge_counts_saturate)
{
	struct summary_agg *a = new_agg();
	const struct summary_domain *d;
	char id[32], *prom, *line;
	int i;

	feed_one(a, "Genuine", "g-1", "testing", DAY(27), DAY(28) + 6 * HOUR,
		 977, 23);
	for (i = 0; i < 2049; i++) {
		snprintf(id, sizeof(id), "forged-%d", i / 1000);
		feed_one(a, "Forger", id, "testing", DAY(27),
			 DAY(28) + 7 * HOUR, 0, i < 2048 ? F53 : 2025);
	}
	summary_agg_finish(a);

	ck_assert_int_ge(a->total.failures, 23);
	ck_assert_int_ge(summary_sessions(&a->total), 1000);
	ck_assert_str_eq(summary_status(a), "failures");
	d = domain(a, "example.org");
	ck_assert_int_ge(d->cur.failures, 23);
	ck_assert_int_ge(summary_cold_of(d)->sts_failures, 23);
	ck_assert_int_ge(summary_cold_of(d)->recent_sts_failures, 23);
	ck_assert_int_ne(d->verdict, SUMMARY_VERDICT_READY);
	ck_assert_int_eq(d->verdict, SUMMARY_VERDICT_NOT_READY);
	ck_assert_int_ge(a->problems.unexplained, 0);
	for (guint k = 0; k < a->results->len; k++) {
		const struct summary_result *r =
			g_ptr_array_index(a->results, k);

		ck_assert_int_ge(r->sessions, 23);
	}
	ck_assert_int_ge(summary_result_total(a), 23);

	prom = render_all(a);
	ck_assert_ptr_nonnull(prom);
	line = strstr(prom, "tlsrpt_sessions{domain=\"example.org\","
			    "result=\"failure\"} ");
	ck_assert_ptr_nonnull(line);
	ck_assert_int_ge(atoll(strchr(line, '}') + 2), 23);
	free(prom);
	summary_agg_free(a);
}
END_TEST

/* The counts a bar or chart scales by are at most the width. */
START_TEST(test_scale)
{
	ck_assert_int_eq(summary_scale(0, 100, 30), 0);
	ck_assert_int_eq(summary_scale(1, INT64_MAX, 30), 1);
	ck_assert_int_eq(summary_scale(INT64_MAX, INT64_MAX, 30), 30);
	ck_assert_int_eq(summary_scale(50, 100, 30), 15);
	ck_assert_int_eq(summary_scale(23, 1000, 30), 1);
	ck_assert_int_eq(summary_scale(5, 0, 30), 0);
}
END_TEST

/* ---- the latest policy ---- */

/* Two genuine reporters see example.org in enforce every day; a forger
 * sends one report dated 9999 saying testing, received on day 25. The
 * domain stays enforced: before, the forged date made it "testing, NOT
 * READY" for the whole window. */
START_TEST(test_latest_policy_by_receipt)
{
	struct summary_agg *a = new_agg();
	const struct summary_domain *d;
	int64_t far;
	char ids[12][16];
	int n, k = 0;

	ck_assert_int_eq(tlsrpt_parse_datetime("9999-12-30T00:00:00Z", &far),
			 0);
	for (n = 24; n <= 29; n++) {
		snprintf(ids[k], sizeof(ids[k]), "g-%d", n);
		snprintf(ids[k + 1], sizeof(ids[k + 1]), "m-%d", n);
		feed_one(a, "Google Inc.", ids[k], "enforce", DAY(n - 1),
			 DAY(n) + 6 * HOUR, 1000, 0);
		feed_one(a, "Microsoft", ids[k + 1], "enforce", DAY(n - 1),
			 DAY(n) + 7 * HOUR, 500, 0);
		if (n == 25) {
			feed_one(a, "Forger", "f-1", "testing", far,
				 DAY(25) + 8 * HOUR, 1, 0);
		}
		k += 2;
	}
	summary_agg_finish(a);
	d = domain(a, "example.org");
	ck_assert_str_eq(d->sts_mode, "enforce");
	ck_assert_int_eq(d->verdict, SUMMARY_VERDICT_ENFORCED);
	ck_assert_int_eq(d->policy_recv, DAY(29) + 7 * HOUR);
	summary_agg_free(a);
}
END_TEST

/* Received in the same second: the later start-datetime wins, as before;
 * otherwise receipt decides even against a later start. */
START_TEST(test_latest_policy_ties)
{
	struct summary_agg *a = new_agg();
	struct rec later = {"A", "a-1", "enforce", DAY(27), DAY(28), 10, 0};
	struct rec earlier = {"B", "b-1", "testing", DAY(26), DAY(28), 10, 0};
	struct rec newer = {"C", "c-1", "none", DAY(20), DAY(28) + 1, 10, 0};

	feed(a, &later);
	feed(a, &earlier);
	summary_agg_finish(a);
	ck_assert_str_eq(domain(a, "example.org")->sts_mode, "enforce");
	summary_agg_free(a);

	a = new_agg();
	feed(a, &earlier);
	feed(a, &later);
	feed(a, &newer);
	summary_agg_finish(a);
	ck_assert_str_eq(domain(a, "example.org")->sts_mode, "none");
	summary_agg_free(a);
}
END_TEST

/* ---- instants ---- */

static const struct {
	const char *s;
	int rc; /* of tlsrpt_parse_datetime */
} instants[] = {
	{"0001-01-01T00:00:00Z", 0},
	{"0001-01-01T00:00:00-00:01", 0},
	{"0000-12-31T23:59:59-00:01", 0}, /* 0001-01-01T00:00:59Z */
	{"0000-12-31T23:59:59Z", -2},
	{"0001-01-01T00:00:00+00:01", -2},
	{"0000-01-01T00:00:00+23:59", -2},
	{"0000-01-01T00:00:00-23:59", -2},
	{"9999-12-31T23:59:59Z", 0},
	{"9999-12-31T23:59:60Z", 0},
	{"9999-12-31T23:59:59+23:59", 0},
	{"9999-12-31T23:59:59-00:01", -2},
	{"9999-12-31T23:30:00-01:00", -2},
	{"9999-12-31T23:59:59.999999999Z", 0},
	{"10000-01-01T00:00:00Z", -1},
};

/* Whatever the parser accepts, a store line holds and reads back: the
 * report-level dates through tlsrpt_record_encode and both decodes. */
static void
store_round_trip(int64_t t)
{
	struct tlsrpt_limits l;
	struct tlsrpt_report *r = parsed(1, 0);
	struct tlsrpt_record rec;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char *line;
	size_t len;

	tlsrpt_limits_default(&l);
	r->start_time = r->end_time = t;
	line = stored_line(r, t, &len);
	memset(&rec, 0, sizeof(rec));
	ck_assert_msg(tlsrpt_record_decode_json(line, len, &l, &rec, &err) == 0,
		      "%lld: %s", (long long)t, err.text);
	ck_assert_int_eq(rec.start_time, t);
	ck_assert_int_eq(rec.end_time, t);
	ck_assert_int_eq(rec.received, t);
	tlsrpt_record_clear(&rec);
	ck_assert_int_eq(tlsrpt_record_decode_fast(line, len, &l, NULL, &rec),
			 0);
	ck_assert_int_eq(rec.start_time, t);
	tlsrpt_record_clear(&rec);
	tlsrpt_free(line);
	tlsrpt_report_free(r);
}

START_TEST(test_instant_bounds)
{
	int64_t t = 0;
	int rc = tlsrpt_parse_datetime(instants[_i].s, &t);
	char buf[32];

	ck_assert_msg(rc == instants[_i].rc, "%s: %d, want %d", instants[_i].s,
		      rc, instants[_i].rc);
	if (rc != 0)
		return;
	ck_assert_int_ge(t, TLSRPT_TIME_MIN);
	ck_assert_int_le(t, TLSRPT_TIME_MAX);
	tlsrpt_format_datetime(t, buf, sizeof(buf));
	ck_assert_int_eq(strlen(buf), 20);
	store_round_trip(t);
}
END_TEST

/* Every instant of the first and last two days of the range, and a spread
 * between: formatted, parsed back to itself. */
START_TEST(test_instant_round_trip)
{
	static const int64_t from[] = {TLSRPT_TIME_MIN,
				       TLSRPT_TIME_MAX - 2 * 86400 + 1};
	char buf[32];
	int64_t t, back;

	for (size_t k = 0; k < 2; k++) {
		for (t = from[k]; t < from[k] + 2 * 86400; t++) {
			tlsrpt_format_datetime(t, buf, sizeof(buf));
			ck_assert_int_eq(tlsrpt_parse_datetime(buf, &back), 0);
			ck_assert_int_eq(back, t);
		}
	}
	for (t = TLSRPT_TIME_MIN; t <= TLSRPT_TIME_MAX - 86400 * 997;
	     t += 86400 * 997 + 3607) {
		tlsrpt_format_datetime(t, buf, sizeof(buf));
		ck_assert_int_eq(tlsrpt_parse_datetime(buf, &back), 0);
		ck_assert_int_eq(back, t);
	}
	store_round_trip(TLSRPT_TIME_MIN);
	store_round_trip(TLSRPT_TIME_MAX);
	tlsrpt_format_datetime(TLSRPT_TIME_MIN - 1, buf, sizeof(buf));
	ck_assert_int_eq(tlsrpt_parse_datetime(buf, &back), -2); /* 0000 */
}
END_TEST

/* The parser names the field and why. */
START_TEST(test_report_date_outside)
{
	static const char fmt[] =
		"{\"organization-name\":\"O\",\"report-id\":\"r\","
		"\"date-range\":{\"start-datetime\":\"%s\","
		"\"end-datetime\":\"%s\"},\"policies\":[{\"policy\":{"
		"\"policy-type\":\"no-policy-found\"},\"summary\":{"
		"\"total-successful-session-count\":1}}]}";
	struct tlsrpt_limits l;
	struct tlsrpt_report *r = NULL;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char j[512];

	tlsrpt_limits_default(&l);
	snprintf(j, sizeof(j), fmt, "0000-01-01T00:00:00+23:59",
		 "2026-11-27T00:00:00Z");
	ck_assert_int_eq(tlsrpt_report_parse(j, strlen(j), &l, &r, &err), -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_INVALID);
	ck_assert_str_eq(err.path, "date-range.start-datetime");
	ck_assert_ptr_nonnull(strstr(err.text, "outside the years 0001-9999"));
	snprintf(j, sizeof(j), fmt, "0001-01-01T00:00:00Z",
		 "9999-12-31T23:59:59Z");
	ck_assert_int_eq(tlsrpt_report_parse(j, strlen(j), &l, &r, &err), 0);
	ck_assert_int_eq(r->start_time, TLSRPT_TIME_MIN);
	ck_assert_int_eq(r->end_time, TLSRPT_TIME_MAX);
	tlsrpt_report_free(r);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("forged");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_count_add);
	tcase_add_test(tc, test_parser_refuses_huge_counts);
	tcase_add_test(tc, test_store_line_with_huge_counts);
	tcase_add_test(tc, test_huge_counts_saturate);
	tcase_add_test(tc, test_scale);
	tcase_add_test(tc, test_latest_policy_by_receipt);
	tcase_add_test(tc, test_latest_policy_ties);
	tcase_add_loop_test(tc, test_instant_bounds, 0,
			    sizeof(instants) / sizeof(instants[0]));
	tcase_add_test(tc, test_instant_round_trip);
	tcase_add_test(tc, test_report_date_outside);
	suite_add_tcase(s, tc);
	return test_run(s);
}
