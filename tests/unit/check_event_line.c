/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_event_line.c -- the one "intake event -> line" formatter
 * (intake/event_line.h): both forms, word for word, with the sender's
 * control characters neutralised by each sink's step ('?' in a log line,
 * visible escapes on a terminal), quotes and '=' kept from forging
 * key=value fields, and the milter's domain list bounded so its counts
 * survive.
 */
#include <check.h>
#include <string.h>

#include <glib.h>

#include "intake/event_line.h"
#include "tests/unit/testutil.h"

static struct tlsrpt_policy policies[3];
static struct tlsrpt_report report;
static struct tlsrpt_input_item item;
static struct tlsrpt_error error;

/* A report whose every string is hostile; three policies, one without a
 * domain. */
static void
setup(void)
{
	memset(policies, 0, sizeof(policies));
	policies[0].policy_type = "sts";
	policies[0].policy_domain = "a.example";
	policies[0].total_successful_session_count = 10;
	policies[0].total_failure_session_count = 2;
	policies[1].policy_type = "sts";
	policies[1].policy_domain = "b=x \"y\"";
	policies[1].total_successful_session_count = 5;
	policies[2].policy_type = "no-policy-found";
	policies[2].total_successful_session_count = 1;
	policies[2].total_failure_session_count = 1;
	memset(&report, 0, sizeof(report));
	report.organization_name = "Evil \"Corp\"\nFAKE";
	report.report_id = "id\x1b[0m";
	report.policies = policies;
	report.n_policies = 3;
	report.quirks.n = 1;
	strcpy(report.quirks.first, "mx\thost");
	memset(&item, 0, sizeof(item));
	item.filename = "rep\nort.json";
	item.report = &report;
	tlsrpt_error_set(&error, TLSRPT_ERR_INVALID, "policies[0]",
			 "bad\r\nvalue");
}

static char *
line_of(const struct intake_report_event *ev, enum intake_line_form form)
{
	GString *out = g_string_new(NULL);

	intake_event_line(out, ev, form);
	return g_string_free(out, FALSE);
}

static void
expect(const struct intake_report_event *ev, enum intake_line_form form,
       const char *want)
{
	char *got = line_of(ev, form);

	ck_assert_str_eq(got, want);
	g_free(got);
}

/* A report that is in the store: each outcome and form, word for word. */
static const struct {
	enum intake_outcome outcome;
	int conflict;
	const char *dkim;
	int quirks;
	enum intake_line_form form;
	const char *want;
} stored_cases[] = {
	{INTAKE_STORED, 0, "pass", 1, INTAKE_LINE_LOG,
	 "stored report: org=\"Evil 'Corp'?FAKE\" id=\"id?[0m\" "
	 "domains=a.example,b?x??y?,(none) success=16 failure=3 dkim=pass"},
	{INTAKE_STORED, 1, "pass", 1, INTAKE_LINE_LOG,
	 "stored (conflicts with an earlier report with the same id) "
	 "report: org=\"Evil 'Corp'?FAKE\" id=\"id?[0m\" "
	 "domains=a.example,b?x??y?,(none) success=16 failure=3 dkim=pass"},
	{INTAKE_DUPLICATE, 0, NULL, 1, INTAKE_LINE_LOG,
	 "duplicate report: org=\"Evil 'Corp'?FAKE\" id=\"id?[0m\" "
	 "domains=a.example,b?x??y?,(none) success=16 failure=3 dkim=none"},
	{INTAKE_STORED, 0, "pass", 1, INTAKE_LINE_BRIEF,
	 "stored Evil \"Corp\"\\nFAKE id\\x1b[0m (a.example 10 ok 2 failed, "
	 "b=x \"y\" 5 ok 0 failed, no-policy-found 1 ok 1 failed) dkim=pass "
	 "quirks=1 (mx\\thost)"},
	{INTAKE_STORED, 1, NULL, 0, INTAKE_LINE_BRIEF,
	 "stored (conflicts with an earlier report with the same id) "
	 "Evil \"Corp\"\\nFAKE id\\x1b[0m (a.example 10 ok 2 failed, "
	 "b=x \"y\" 5 ok 0 failed, no-policy-found 1 ok 1 failed)"},
	{INTAKE_DUPLICATE, 0, "fail", 0, INTAKE_LINE_BRIEF,
	 "duplicate Evil \"Corp\"\\nFAKE id\\x1b[0m (a.example 10 ok 2 "
	 "failed, b=x \"y\" 5 ok 0 failed, no-policy-found 1 ok 1 failed) "
	 "dkim=fail"},
};

START_TEST(test_stored)
{
	struct intake_report_event ev = {
		.item = &item,
		.outcome = stored_cases[_i].outcome,
		.conflict = stored_cases[_i].conflict,
		.dkim = test_dkim(stored_cases[_i].dkim),
	};

	report.quirks.n = (size_t)stored_cases[_i].quirks;
	expect(&ev, stored_cases[_i].form, stored_cases[_i].want);
}
END_TEST

START_TEST(test_refused)
{
	struct intake_report_event ev = {
		.item = &item, .outcome = INTAKE_INVALID, .error = &error};

	item.report = NULL;
	expect(&ev, INTAKE_LINE_LOG,
	       "invalid report: rep?ort.json: policies[0]: bad??value");
	item.filename = NULL;
	ev.error = NULL;
	ev.outcome = INTAKE_STORE_FAILED;
	expect(&ev, INTAKE_LINE_LOG, "store failed: (body): no reason given");
	ev.outcome = INTAKE_INVALID;
	ev.error = &error;
	expect(&ev, INTAKE_LINE_BRIEF,
	       "invalid report: policies[0]: bad\\r\\nvalue");
}
END_TEST

/* Many domains: the list stops at 511 bytes, the counts are all there. */
START_TEST(test_log_bounded)
{
	struct tlsrpt_policy many[100];
	struct intake_report_event ev = {.item = &item,
					 .outcome = INTAKE_STORED};
	const char *d, *s;
	char *got;

	memset(many, 0, sizeof(many));
	for (size_t i = 0; i < 100; i++) {
		many[i].policy_type = "sts";
		many[i].policy_domain = "twenty-bytes.example";
		many[i].total_successful_session_count = 1;
	}
	report.policies = many;
	report.n_policies = 100;
	got = line_of(&ev, INTAKE_LINE_LOG);
	d = strstr(got, " domains=");
	s = strstr(got, " success=100 failure=0 dkim=none");
	ck_assert_ptr_nonnull(d);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(s - (d + strlen(" domains=")), 511);
	ck_assert_str_eq(s, " success=100 failure=0 dkim=none");
	g_free(got);
}
END_TEST

/* The cut falls on a character's boundary whatever the domains hold:
 * one of the two shapes puts byte 511 inside a two-byte character. */
START_TEST(test_log_bounded_utf8)
{
	struct tlsrpt_policy many[100];
	struct intake_report_event ev = {.item = &item,
					 .outcome = INTAKE_STORED};
	const char *names[] = {"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9.example",
			       "a\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9.example"};

	for (size_t k = 0; k < 2; k++) {
		char *got;

		memset(many, 0, sizeof(many));
		for (size_t i = 0; i < 100; i++) {
			many[i].policy_type = "sts";
			many[i].policy_domain = (char *)names[k];
		}
		report.policies = many;
		report.n_policies = 100;
		got = line_of(&ev, INTAKE_LINE_LOG);
		ck_assert_msg(g_utf8_validate(got, -1, NULL), "not UTF-8: %s",
			      got);
		ck_assert_ptr_nonnull(strstr(got, " success=0 failure=0"));
		g_free(got);
	}
}
END_TEST

/* The name alone, for each sink. */
START_TEST(test_report_name)
{
	GString *out = g_string_new("stored: ");

	intake_report_name(out, &report, INTAKE_LINE_LOG);
	ck_assert_str_eq(out->str, "stored: Evil \"Corp\"?FAKE id?[0m");
	g_string_truncate(out, 0);
	intake_report_name(out, &report, INTAKE_LINE_BRIEF);
	ck_assert_str_eq(out->str, "Evil \"Corp\"\\nFAKE id\\x1b[0m");
	g_string_free(out, TRUE);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("event_line");
	TCase *tc = tcase_create("event_line");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_loop_test(
		tc, test_stored, 0,
		(int)(sizeof(stored_cases) / sizeof(stored_cases[0])));
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_log_bounded);
	tcase_add_test(tc, test_log_bounded_utf8);
	tcase_add_test(tc, test_report_name);
	suite_add_tcase(s, tc);
	return test_run(s);
}
