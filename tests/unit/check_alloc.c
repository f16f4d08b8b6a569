/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_alloc.c -- every allocation failure on the report path is survived:
 * for N = 1, 2, ... the Nth allocation (and every later one) fails until
 * the call completes. Each attempt must return "out of memory" cleanly, and
 * the last must give what an undisturbed run gives. Under ASan/LSan (and
 * valgrind with CK_FORK=no) this also proves that no error path leaks.
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "report/input.h"
#include "report/report.h"
#include "report/report_json.h"
#include "tests/unit/testutil.h"

/* Far more allocations than any input here needs: a loop that never ends
 * would mean a call that never completes. */
#define MAX_ATTEMPTS 200000UL

static struct tlsrpt_limits limits;

/* A report with many policies of every kind, failure details and the
 * Microsoft TLSA form, built in memory. Caller frees. */
static char *
big_report(size_t n_policies)
{
	size_t cap = 4096 + n_policies * 1024, len;
	char *buf = malloc(cap);

	ck_assert_ptr_nonnull(buf);
	len = (size_t)snprintf(
		buf, cap,
		"{\"organization-name\":\"Big Reporter\","
		"\"date-range\":{\"start-datetime\":\"2024-05-01T00:00:00\","
		"\"end-datetime\":\"2024-05-02T00:00:00Z\"},"
		"\"contact-info\":null,\"report-id\":\"big-1\",\"policies\":[");
	for (size_t i = 0; i < n_policies; i++) {
		const char *sep = i == 0 ? "" : ",";

		if (i % 3 == 0)
			len += (size_t)snprintf(
				buf + len, cap - len,
				"%s{\"policy\":{\"policy-type\":\"sts\","
				"\"policy-string\":[\"version: STSv1\","
				"\"mode: testing\",\"mx: mx.d%zu.example\","
				"\"max_age: 86400\"],"
				"\"policy-domain\":\"d%zu.example\","
				"\"mx-host\":[\"mx: mx.d%zu.example\","
				"\"*.d%zu.example\"]},"
				"\"summary\":{\"total-successful-session-"
				"count\""
				":%zu,\"total-failure-session-count\":2},"
				"\"failure-details\":[{\"result-type\":"
				"\"certificate-expired\",\"sending-mta-ip\":"
				"\"192.0.2.1\",\"receiving-mx-hostname\":"
				"\"mx.d%zu.example\",\"receiving-ip\":"
				"\"198.51.100.1\",\"failed-session-count\":1,"
				"\"failure-error-code\":\"expired\"},"
				"{\"result-type\":\"sts-policy-fetch-error\","
				"\"failed-session-count\":1,"
				"\"additional-information\":\"\"}]}",
				sep, i, i, i, i, i, i);
		else if (i % 3 == 1)
			len += (size_t)snprintf(
				buf + len, cap - len,
				"%s{\"policy\":{\"policy-type\":\"tlsa\","
				"\"policy-string\":[\"[\\\"3 1 1 AA%zu\\\","
				"\\\"3 1 1 BB%zu\\\"]\"],"
				"\"policy-domain\":\"d%zu.example\","
				"\"mx-host\":\"mx.d%zu.example\"},"
				"\"summary\":{\"total-successful-session-"
				"count\""
				":%zu}}",
				sep, i, i, i, i, i);
		else
			len += (size_t)snprintf(
				buf + len, cap - len,
				"%s{\"policy\":{\"policy-type\":"
				"\"no-policy-found\"},\"summary\":{"
				"\"total-successful-session-count\":%zu,"
				"\"total-failure-session-count\":0},"
				"\"failure-details\":[],\"x-unknown\":[1,{}]}",
				sep, i);
		ck_assert_uint_lt(len, cap);
	}
	len += (size_t)snprintf(buf + len, cap - len, "]}");
	ck_assert_uint_lt(len, cap);
	return buf;
}

static char *
dump(const struct tlsrpt_report *r)
{
	json_t *j = tlsrpt_report_to_json(r);
	char *s;

	ck_assert_ptr_nonnull(j);
	s = json_dumps(j, JSON_COMPACT);
	ck_assert_ptr_nonnull(s);
	json_decref(j);
	return s;
}

/*
 * Parse json with the Nth allocation failing, for every N until the parse
 * completes, and check each outcome against an undisturbed parse. Returns
 * how many attempts it took.
 */
static unsigned long
chaos_parse(const char *name, const char *json, size_t len)
{
	struct tlsrpt_report *ref = NULL, *r;
	struct tlsrpt_error ref_err = TLSRPT_ERROR_INIT,
			    err = TLSRPT_ERROR_INIT;
	char *ref_text = NULL, *text, msg[512];
	int ref_rc, rc;
	unsigned long n;

	tlsrpt_alloc_fail_after(0);
	ref_rc = tlsrpt_report_parse(json, len, &limits, &ref, &ref_err);
	ck_assert_msg(ref_rc == 0 || ref_err.code != TLSRPT_ERR_NOMEM,
		      "%s: out of memory without failures", name);
	if (ref_rc == 0)
		ref_text = dump(ref);
	for (n = 1; n < MAX_ATTEMPTS; n++) {
		r = (struct tlsrpt_report *)1;
		tlsrpt_alloc_fail_after(n);
		rc = tlsrpt_report_parse(json, len, &limits, &r, &err);
		tlsrpt_alloc_fail_after(0);
		if (rc != 0) {
			ck_assert_ptr_null(r);
			if (err.code == TLSRPT_ERR_NOMEM)
				continue;
			ck_assert_msg(
				ref_rc != 0,
				"%s: allocation %lu failing gave %s: %s", name,
				n, tlsrpt_status_name(err.code),
				tlsrpt_error_format(&err, msg, sizeof(msg)));
			ck_assert_msg(err.code == ref_err.code &&
					      strcmp(err.text, ref_err.text) ==
						      0,
				      "%s: allocation %lu failing gave \"%s\", "
				      "not \"%s\"",
				      name, n, err.text, ref_err.text);
			break;
		}
		ck_assert_msg(ref_rc == 0,
			      "%s: accepted with allocation %lu "
			      "failing, refused without",
			      name, n);
		text = dump(r);
		ck_assert_str_eq(text, ref_text);
		free(text);
		tlsrpt_report_free(r);
		break;
	}
	ck_assert_msg(n < MAX_ATTEMPTS, "%s: never completed", name);
	free(ref_text);
	tlsrpt_report_free(ref);
	return n;
}

/* tlsrpt_report_to_json and tlsrpt_policy_from_json (what the store does
 * with every line) under the same treatment. */
static void
chaos_json(const char *json)
{
	struct tlsrpt_report *r = NULL;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char *ref = NULL, *text;
	unsigned long n;
	json_t *j;

	ck_assert_int_eq(
		tlsrpt_report_parse(json, strlen(json), &limits, &r, &err), 0);
	ref = dump(r);
	for (n = 1; n < MAX_ATTEMPTS; n++) {
		tlsrpt_alloc_fail_after(n);
		j = tlsrpt_report_to_json(r);
		tlsrpt_alloc_fail_after(0);
		if (j == NULL)
			continue;
		text = json_dumps(j, JSON_COMPACT);
		ck_assert_ptr_nonnull(text);
		ck_assert_str_eq(text, ref);
		free(text);
		json_decref(j);
		break;
	}
	ck_assert_uint_lt(n, MAX_ATTEMPTS);

	j = tlsrpt_policy_to_json(&r->policies[0]);
	ck_assert_ptr_nonnull(j);
	for (n = 1; n < MAX_ATTEMPTS; n++) {
		struct tlsrpt_policy p;
		json_t *back;
		int rc;

		memset(&p, 0, sizeof(p));
		tlsrpt_error_clear(&err);
		tlsrpt_alloc_fail_after(n);
		rc = tlsrpt_policy_from_json(j, &limits, &p, &err);
		tlsrpt_alloc_fail_after(0);
		if (rc != 0) {
			ck_assert_int_eq(err.code, TLSRPT_ERR_NOMEM);
			ck_assert_ptr_null(p.policy_type);
			continue;
		}
		back = tlsrpt_policy_to_json(&p);
		ck_assert_ptr_nonnull(back);
		ck_assert(json_equal(back, j));
		json_decref(back);
		tlsrpt_policy_clear(&p);
		break;
	}
	ck_assert_uint_lt(n, MAX_ATTEMPTS);
	json_decref(j);
	free(ref);
	tlsrpt_report_free(r);
}

START_TEST(test_big_report)
{
	char *json = big_report(60);
	unsigned long n;

	n = chaos_parse("big report", json, strlen(json));
	/* The loop really walked the allocations of 60 policies. */
	ck_assert_uint_gt(n, 1000);
	chaos_json(json);
	free(json);
}
END_TEST

START_TEST(test_small_inputs)
{
	static const char *const inputs[] = {
		/* syntax error late in the text */
		"{\"organization-name\":\"o\",\"report-id\":\"r\",\"x\":[1,2,}",
		/* duplicate key */
		"{\"a\":\"x\",\"b\":{\"c\":1},\"a\":\"y\"}",
		/* invalid field deep inside */
		"{\"organization-name\":\"o\",\"report-id\":\"r\","
		"\"date-range\":{\"start-datetime\":\"2024-01-01T00:00:00Z\","
		"\"end-datetime\":\"2024-01-01T23:59:59Z\"},"
		"\"policies\":[{\"policy\":{\"policy-type\":\"sts\","
		"\"policy-domain\":\"d\",\"mx-host\":[\"a\",\"b\"]},"
		"\"summary\":{\"total-successful-session-count\":1},"
		"\"failure-details\":[{\"result-type\":\"x\","
		"\"failed-session-count\":-1}]}]}",
		/* a TLSA string that looks like an array but is not one */
		"{\"organization-name\":\"o\",\"report-id\":\"r\","
		"\"date-range\":{\"start-datetime\":\"2024-01-01T00:00:00Z\","
		"\"end-datetime\":\"2024-01-01T23:59:59Z\"},"
		"\"policies\":[{\"policy\":{\"policy-type\":\"tlsa\","
		"\"policy-domain\":\"d\",\"policy-string\":[\"[1, "
		"\\\"a\\\"\"]},"
		"\"summary\":{\"total-successful-session-count\":1}}]}",
		"[]",
		"",
	};

	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		char name[32];

		snprintf(name, sizeof(name), "input %zu", i);
		chaos_parse(name, inputs[i], strlen(inputs[i]));
	}
}
END_TEST

/* Every JSON case of the table-driven suite, valid or not. */
START_TEST(test_case_inputs)
{
	char dir[4096];
	size_t n, done = 0;
	char **names;

	snprintf(dir, sizeof(dir), "%s/cases", test_data_dir());
	names = test_list_dir(dir, &n);
	for (size_t i = 0; i < n; i++) {
		char path[8192];
		char *buf;
		size_t len;

		snprintf(path, sizeof(path), "%s/%s/input.json", dir, names[i]);
		if (!test_exists(path))
			continue;
		snprintf(path, sizeof(path), "%s/%s/limits", dir, names[i]);
		/* Cases with their own limits are covered by the others. */
		if (test_exists(path))
			continue;
		snprintf(path, sizeof(path), "%s/%s/input.json", dir, names[i]);
		buf = test_read_file(path, &len);
		chaos_parse(names[i], buf, len);
		free(buf);
		done++;
	}
	test_free_names(names, n);
	ck_assert_uint_gt(done, 20);
}
END_TEST

/* The same through the whole input path, on a bare JSON report. */
START_TEST(test_input_parse)
{
	char *json = big_report(7);
	size_t len = strlen(json);
	unsigned long n;

	for (n = 1; n < MAX_ATTEMPTS; n++) {
		struct tlsrpt_input *in = NULL;
		struct tlsrpt_error err = TLSRPT_ERROR_INIT;
		int rc;

		tlsrpt_alloc_fail_after(n);
		rc = tlsrpt_input_parse(json, len, &limits, &in, &err);
		tlsrpt_alloc_fail_after(0);
		if (rc != 0) {
			ck_assert_msg(err.code == TLSRPT_ERR_NOMEM,
				      "allocation %lu failing gave %s", n,
				      tlsrpt_status_name(err.code));
			tlsrpt_input_free(in);
			continue;
		}
		ck_assert_ptr_nonnull(in);
		ck_assert_uint_eq(in->n_items, 1);
		ck_assert_ptr_nonnull(in->items[0].report);
		ck_assert_uint_eq(in->items[0].report->n_policies, 7);
		tlsrpt_input_free(in);
		break;
	}
	ck_assert_uint_lt(n, MAX_ATTEMPTS);
	free(json);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("alloc");
	TCase *tc = tcase_create("alloc");
	int rc;

	tlsrpt_alloc_init();
	tlsrpt_parser_init();
	tlsrpt_limits_default(&limits);
	tcase_add_test(tc, test_big_report);
	tcase_add_test(tc, test_small_inputs);
	tcase_add_test(tc, test_case_inputs);
	tcase_add_test(tc, test_input_parse);
	tcase_set_timeout(tc, 300);
	suite_add_tcase(s, tc);
	rc = test_run(s);
	tlsrpt_parser_shutdown();
	return rc;
}
