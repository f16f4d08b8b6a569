/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_render.c -- the html and prometheus formats of tlsrpt-summary:
 * golden files (tests/data/summary/expected*.html, expected.prom; set
 * TLSRPT_REGEN=1 to rewrite them, then review by hand), escaping of
 * hostile report strings (markup, quotes, backslashes, line breaks,
 * invalid UTF-8, control characters) and write errors.
 *
 * The aggregation is fed hand-built records directly (no store), so the
 * strings can be anything a store line could hold. With day(n) =
 * 2026-11-n 00:00 UTC, the window is [day(23), day(30)):
 *   Google Inc.   example.org sts testing  days 10..29, 1000 ok a day
 *   Evil org      example.org              days 24..28, 200 ok, 10 failed:
 *                 6 certificate-expired on mx2 192.0.2.25 from
 *                 2001:db8::1, 4 of a hostile type on a hostile MX
 *   Quiet Org     example.org              days 1..18 (then silent)
 *   Mail.Example  example.net sts enforce  day 27: 50 ok, 3 failed, no
 *                 details (DKIM fail)
 *   Odd           hostile domain           day 25: 5 ok, invalid UTF-8
 *                 in its name
 *   Google Inc.   old.example              days 5..15 (a silent domain)
 * and a reader that skipped one damaged line with a hostile reason.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "report/report.h"
#include "summary/aggregate.h"
#include "summary/render.h"
#include "tests/unit/summary_fixture.h"
#include "tests/unit/testutil.h"

#define EVIL_ORG "Evil <script>alert(\"x\")</script> & 'Co'"
#define EVIL_TYPE "x-\"quoted\"\\back\nline<b>"
#define EVIL_MX "mx\"3</td><td>.example.org"
#define EVIL_DOMAIN "q\"uote<i>.example"
#define BAD_UTF8_ORG "Odd \xff\xfe org\x01"

struct detail {
	const char *type, *send_ip, *mx, *rip;
	int64_t n;
};

struct rec {
	const char *org, *domain, *mode, *dkim;
	int n; /* day */
	int64_t ok, bad;
	const struct detail *d;
	size_t nd;
};

static void
feed(struct summary_agg *a, const struct rec *r, int64_t received)
{
	struct tlsrpt_record rec;
	struct tlsrpt_failure_detail fd[4];
	char mode[32], id[64];
	char *strings[] = {"version: STSv1", mode, "max_age: 86400"};
	char *mx[] = {"mx1.example.org", "mx2.example.org"};
	size_t i;

	memset(&rec, 0, sizeof(rec));
	memset(fd, 0, sizeof(fd));
	snprintf(mode, sizeof(mode), "mode: %s",
		 r->mode != NULL ? r->mode : "none");
	snprintf(id, sizeof(id), "%s-%d", r->domain, r->n);
	rec.version = 1;
	rec.received = received;
	rec.source = (char *)"milter";
	rec.dkim = test_dkim(r->dkim);
	rec.organization_name = (char *)r->org;
	rec.report_id = id;
	rec.start_time = DAY(r->n - 1);
	rec.end_time = DAY(r->n) - 1;
	rec.policy_count = 1;
	rec.policy.type =
		r->mode != NULL ? TLSRPT_POLICY_STS : TLSRPT_POLICY_TLSA;
	rec.policy.policy_type = (char *)(r->mode != NULL ? "sts" : "tlsa");
	rec.policy.policy_domain = (char *)r->domain;
	if (r->mode != NULL) {
		rec.policy.policy_strings = strings;
		rec.policy.n_policy_strings = 3;
		rec.policy.mx_hosts = mx;
		rec.policy.n_mx_hosts = 2;
	}
	rec.policy.total_successful_session_count = r->ok;
	rec.policy.total_failure_session_count = r->bad;
	for (i = 0; i < r->nd && i < 4; i++) {
		fd[i].result_type = (char *)r->d[i].type;
		fd[i].sending_mta_ip = (char *)r->d[i].send_ip;
		fd[i].receiving_mx_hostname = (char *)r->d[i].mx;
		fd[i].receiving_ip = (char *)r->d[i].rip;
		fd[i].failed_session_count = r->d[i].n;
	}
	rec.policy.failure_details = fd;
	rec.policy.n_failure_details = i;
	summary_agg_add(a, &rec);
}

/* The scenario above, in received order (the aggregation does not need
 * it, but a store reader returns day files in order). */
static struct summary_agg *
scenario_days(int collect, int domain_days)
{
	static const struct detail evil[] = {
		{"certificate-expired", "2001:db8::1", "mx2.example.org",
		 "192.0.2.25", 6},
		{EVIL_TYPE, "2001:db8::1", EVIL_MX, NULL, 4},
	};
	struct summary_options o;
	struct summary_agg *a;
	struct tlsrpt_reader_stats st;
	int n;

	summary_options_default(&o);
	o.since = DAY(23);
	o.until = DAY(30);
	o.collect_reports = collect;
	o.domain_days = domain_days;
	a = summary_agg_new(&o);
	for (n = 1; n <= 29; n++) {
		struct rec quiet = {
			"Quiet Org", "example.org", "testing", "pass", n, 100,
			0,	     NULL,	    0};
		struct rec old = {"Google Inc.",
				  "old.example",
				  NULL,
				  "pass",
				  n,
				  10,
				  0,
				  NULL,
				  0};
		struct rec g = {"Google Inc.",
				"example.org",
				"testing",
				"pass",
				n,
				1000,
				0,
				NULL,
				0};
		struct rec e = {EVIL_ORG, "example.org", "testing", "pass",
				n,	  200,		 10,	    evil,
				2};
		struct rec m = {"Mail.Example",
				"example.net",
				"enforce",
				"fail",
				n,
				50,
				3,
				NULL,
				0};
		struct rec odd = {BAD_UTF8_ORG,
				  EVIL_DOMAIN,
				  NULL,
				  NULL,
				  n,
				  5,
				  0,
				  NULL,
				  0};

		if (n <= 18)
			feed(a, &quiet, DAY(n) + 5 * HOUR);
		if (n >= 5 && n <= 15)
			feed(a, &old, DAY(n) + 5 * HOUR);
		if (n >= 10)
			feed(a, &g, DAY(n) + 6 * HOUR);
		if (n >= 24 && n <= 28)
			feed(a, &e, DAY(n) + 7 * HOUR);
		if (n == 27)
			feed(a, &m, DAY(n) + 8 * HOUR);
		if (n == 25)
			feed(a, &odd, DAY(n) + 9 * HOUR);
	}
	memset(&st, 0, sizeof(st));
	st.files = 30;
	st.records = 90;
	st.skipped = 1;
	st.n_problems = 1;
	snprintf(st.problems[0], sizeof(st.problems[0]),
		 "/STORE/tlsrpt-2026-11-26.jsonl:3: <b>not JSON</b> & \"so\"");
	summary_agg_set_stats(a, &st);
	summary_agg_finish(a);
	return a;
}

static struct summary_agg *
scenario(int collect)
{
	return scenario_days(collect, 1);
}

/* format's page of view, the aggregation keeping each domain's days or
 * not. */
static char *
render_days(const char *format, enum summary_view view, int domain_days)
{
	const struct summary_renderer *rdr = summary_renderer_find(format);
	struct summary_render_ctx ctx = {view, DAY(30), 2};
	struct summary_agg *a =
		scenario_days(view == SUMMARY_VIEW_REPORT, domain_days);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(rdr);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(rdr->render(f, a, &ctx), 0);
	fclose(f);
	summary_agg_free(a);
	return buf;
}

static char *
render(const char *format, enum summary_view view)
{
	return render_days(format, view, 1);
}

static void
golden(const char *format, enum summary_view view, const char *name)
{
	char *buf = render(format, view), path[256];
	size_t len = strlen(buf);

	snprintf(path, sizeof(path), "%s/summary/%s", test_data_dir(), name);
	test_golden(path, buf, len);
	free(buf);
}

START_TEST(test_golden_html)
{
	golden("html", SUMMARY_VIEW_ALL, "expected.html");
	golden("html", SUMMARY_VIEW_DAY, "expected-day.html");
}
END_TEST

START_TEST(test_golden_prometheus)
{
	golden("prometheus", SUMMARY_VIEW_ALL, "expected.prom");
}
END_TEST

/* Nothing a report said may come out as markup: the hostile strings
 * appear escaped, never raw, in every view. */
START_TEST(test_html_escaping)
{
	static const char *const raw[] = {
		"<script", "<b>",  "<i>",     "<td>.example",
		"\xff",	   "\x01", "q\"uote",
	};
	enum summary_view v;
	size_t i;

	for (v = SUMMARY_VIEW_ALL; v <= SUMMARY_VIEW_REPORT; v++) {
		char *page = render("html", v);

		for (i = 0; i < sizeof(raw) / sizeof(raw[0]); i++)
			ck_assert_msg(strstr(page, raw[i]) == NULL,
				      "view %s: raw %s in the page",
				      summary_view_name(v), raw[i]);
		ck_assert_msg(strncmp(page, "<!DOCTYPE html>\n", 16) == 0,
			      "view %s", summary_view_name(v));
		ck_assert_ptr_nonnull(strstr(page, "</html>\n"));
		free(page);
	}
	{
		char *page = render("html", SUMMARY_VIEW_ALL);

		ck_assert_ptr_nonnull(strstr(
			page, "Evil &lt;script&gt;alert(&quot;x&quot;)&lt;/"
			      "script&gt; &amp; &#39;Co&#39;"));
		ck_assert_ptr_nonnull(strstr(
			page, "x-&quot;quoted&quot;\\back\nline&lt;b&gt;"));
		ck_assert_ptr_nonnull(strstr(page, "q&quot;uote&lt;i&gt;"));
		ck_assert_ptr_nonnull(strstr(
			page, "Odd \xef\xbf\xbd\xef\xbf\xbd org\xef\xbf\xbd"));
		ck_assert_ptr_nonnull(strstr(page, "&lt;b&gt;not JSON"));
		/* both charts and a daily one per domain with sessions */
		ck_assert_ptr_nonnull(strstr(page, "by result type</title>"));
		ck_assert_ptr_nonnull(strstr(
			page, "example.org: TLS sessions a day, successful"));
		ck_assert_ptr_nonnull(strstr(
			page, "example.net: TLS sessions a day, successful"));
		ck_assert_ptr_null(strstr(
			page, "old.example: TLS sessions a day, successful"));
		free(page);
	}
}
END_TEST

START_TEST(test_prometheus_escaping)
{
	char *text = render("prometheus", SUMMARY_VIEW_ALL);

	ck_assert_ptr_nonnull(strstr(
		text, "{organization=\"Evil <script>alert(\\\"x\\\")</script> "
		      "& 'Co'\",result=\"failure\"} 50\n"));
	ck_assert_ptr_nonnull(strstr(
		text, "{result_type=\"x-\\\"quoted\\\"\\\\back\\nline<b>\"} "
		      "20\n"));
	ck_assert_ptr_nonnull(strstr(
		text,
		"{domain=\"q\\\"uote<i>.example\",result=\"success\"} 5\n"));
	/* invalid UTF-8 replaced; the control character kept (it is UTF-8) */
	ck_assert_ptr_nonnull(strstr(
		text,
		"{organization=\"Odd \xef\xbf\xbd\xef\xbf\xbd org\x01\""));
	ck_assert_ptr_nonnull(strstr(
		text,
		"tlsrpt_sessions{domain=\"example.org\",result=\"failure\"} "
		"50\n"));
	ck_assert_ptr_nonnull(strstr(
		text, "tlsrpt_readiness{domain=\"example.org\",verdict=\"not-"
		      "ready\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(
		text,
		"tlsrpt_readiness{domain=\"example.net\",verdict=\"refusing\"} "
		"0\n"));
	ck_assert_ptr_nonnull(strstr(
		text,
		"tlsrpt_sts_mode_info{domain=\"example.net\",mode=\"enforce\"} "
		"1\n"));
	ck_assert_ptr_nonnull(
		strstr(text, "tlsrpt_reporter_silent{organization=\"Quiet "
			     "Org\",domain=\"example.org\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(
		text, "tlsrpt_domain_silent{domain=\"old.example\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(text, "\ntlsrpt_store_skipped_lines 1\n"));
	ck_assert_ptr_nonnull(
		strstr(text, "\ntlsrpt_failed_sessions_unexplained 3\n"));
	/* window totals can go down: never a counter */
	ck_assert_ptr_null(strstr(text, " counter\n"));
	ck_assert_ptr_null(strstr(text, "_total"));
	free(text);
}
END_TEST

/* A full disk is an error, not a silently cut page. */
START_TEST(test_write_error)
{
	static const char *const formats[] = {"html", "prometheus"};
	struct summary_render_ctx ctx = {SUMMARY_VIEW_ALL, DAY(30), 1};
	size_t i;

	for (i = 0; i < 2; i++) {
		struct summary_agg *a = scenario(0);
		FILE *f = fopen("/dev/full", "w");

		if (f == NULL) {
			summary_agg_free(a);
			test_skip("no /dev/full: write error test not run");
			return;
		}
		ck_assert_int_eq(
			summary_renderer_find(formats[i])->render(f, a, &ctx),
			-1);
		fclose(f);
		summary_agg_free(a);
	}
}
END_TEST

/* The formats that say they show no domain's days (the fold then keeps
 * none: summary_main) give the same bytes in every view without them;
 * json, which shows them, does not. */
START_TEST(test_domain_days)
{
	static const char *const formats[] = {"text", "csv", "prometheus",
					      "json", "html"};
	struct summary_agg *a = scenario_days(0, 0);
	const struct summary_domain *d =
		g_hash_table_lookup(a->domains_h, "example.org");

	ck_assert_ptr_nonnull(d);
	ck_assert_uint_eq(d->n_days, 0);
	summary_agg_free(a);
	for (size_t i = 0; i < G_N_ELEMENTS(formats); i++) {
		const struct summary_renderer *rdr =
			summary_renderer_find(formats[i]);

		ck_assert_ptr_nonnull(rdr);
		ck_assert_int_eq(rdr->domain_days, i >= 3);
		for (int v = SUMMARY_VIEW_ALL;
		     !rdr->domain_days && v <= SUMMARY_VIEW_SENDER; v++) {
			char *with = render_days(formats[i], v, 1);
			char *without = render_days(formats[i], v, 0);

			ck_assert_str_eq(with, without);
			free(with);
			free(without);
		}
	}
	{
		char *with = render_days("json", SUMMARY_VIEW_ALL, 1);
		char *without = render_days("json", SUMMARY_VIEW_ALL, 0);

		ck_assert_str_ne(with, without);
		free(with);
		free(without);
	}
}
END_TEST

/* No data at all: the page still renders, says so, and has no chart. */
START_TEST(test_empty)
{
	struct summary_options o;
	struct summary_agg *a;
	struct summary_render_ctx ctx = {SUMMARY_VIEW_ALL, DAY(30), 1};
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	summary_options_default(&o);
	o.since = DAY(23);
	o.until = DAY(30);
	a = summary_agg_new(&o);
	summary_agg_finish(a);
	f = open_memstream(&buf, &len);
	ck_assert_int_eq(summary_render_html(f, a, &ctx), 0);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "NO DATA"));
	ck_assert_ptr_null(strstr(buf, "<svg"));
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	ck_assert_int_eq(summary_render_prometheus(f, a, &ctx), 0);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "\ntlsrpt_reports 0\n"));
	ck_assert_ptr_nonnull(strstr(buf, "# TYPE tlsrpt_sessions gauge\n"));
	free(buf);
	summary_agg_free(a);
}
END_TEST

static Suite *
render_suite(void)
{
	Suite *s = suite_create("render");
	TCase *tc = tcase_create("render");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_html_escaping);
	tcase_add_test(tc, test_prometheus_escaping);
	tcase_add_test(tc, test_write_error);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_domain_days);
	tcase_add_test(tc, test_golden_html);
	tcase_add_test(tc, test_golden_prometheus);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	tlsrpt_alloc_init();
	return test_run(render_suite());
}
