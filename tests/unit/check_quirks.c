/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_quirks.c -- misspelt member names (report/keys.h): read under the
 * RFC 8460 name when only one name fits, counted in the report; left alone
 * when ambiguous or when the RFC name is there too. The committed fixture
 * is tests/data/cases/97-valid-misspelt-keys; real samples from the shared
 * corpus that misspell a member are read too when the corpus is present.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "report/report.h"
#include "tests/unit/testutil.h"

static struct tlsrpt_limits limits;

static struct tlsrpt_report *
parse_ok(const char *json)
{
	struct tlsrpt_report *r = NULL;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char msg[512];

	ck_assert_msg(
		tlsrpt_report_parse(json, strlen(json), &limits, &r, &err) == 0,
		"%s", tlsrpt_error_format(&err, msg, sizeof(msg)));
	return r;
}

/* A report whose one failure detail has the members in detail. */
static struct tlsrpt_report *
with_detail(const char *detail)
{
	char json[1024];

	snprintf(json, sizeof(json),
		 "{\"organization-name\":\"O\",\"report-id\":\"r\","
		 "\"date-range\":{\"start-datetime\":\"2026-11-27T00:00:00Z\","
		 "\"end-datetime\":\"2026-11-27T23:59:59Z\"},\"policies\":[{"
		 "\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":"
		 "\"example.org\"},\"summary\":{"
		 "\"total-successful-session-count\":1,"
		 "\"total-failure-session-count\":2},\"failure-details\":[{"
		 "\"result-type\":\"certificate-expired\","
		 "\"failed-session-count\":2%s}]}]}",
		 detail);
	return parse_ok(json);
}

START_TEST(test_fixture)
{
	char dir[4096], *json;
	struct tlsrpt_report *r;
	const struct tlsrpt_failure_detail *d;

	snprintf(dir, sizeof(dir), "%s/cases/97-valid-misspelt-keys",
		 test_data_dir());
	json = test_read_file_in(dir, "input.json", NULL);
	r = parse_ok(json);
	ck_assert_uint_eq(r->quirks.n, 2);
	ck_assert_msg(
		strcmp(r->quirks.first, "policy_domain") == 0 ||
			strcmp(r->quirks.first, "receiving-mx-host-name") == 0,
		"first quirk %s", r->quirks.first);
	ck_assert_str_eq(r->policies[0].policy_domain, "example.com");
	d = &r->policies[0].failure_details[0];
	ck_assert_str_eq(d->receiving_mx_hostname, "mx1.example.com");
	tlsrpt_report_free(r);
	free(json);
}
END_TEST

START_TEST(test_spellings)
{
	struct tlsrpt_report *r;

	r = with_detail(",\"receiving-mx-host-name\":\"mx1.example.org\"");
	ck_assert_str_eq(
		r->policies[0].failure_details[0].receiving_mx_hostname,
		"mx1.example.org");
	ck_assert_uint_eq(r->quirks.n, 1);
	ck_assert_str_eq(r->quirks.first, "receiving-mx-host-name");
	tlsrpt_report_free(r);

	r = with_detail(",\"Sending_MTA_IP\":\"192.0.2.1\"");
	ck_assert_str_eq(r->policies[0].failure_details[0].sending_mta_ip,
			 "192.0.2.1");
	ck_assert_uint_eq(r->quirks.n, 1);
	tlsrpt_report_free(r);

	/* The drafts' name is an alias, and a quirk too. */
	r = with_detail(",\"failure-error-code\":\"X\"");
	ck_assert_str_eq(r->policies[0].failure_details[0].failure_reason_code,
			 "X");
	ck_assert_uint_eq(r->quirks.n, 1);
	tlsrpt_report_free(r);
}
END_TEST

START_TEST(test_not_guessed)
{
	struct tlsrpt_report *r;
	const struct tlsrpt_failure_detail *d;

	/* Two spellings of one member: which is meant is a guess. */
	r = with_detail(",\"receiving-mx-host-name\":\"a.example\","
			"\"receiving_mx_hostname\":\"b.example\"");
	d = &r->policies[0].failure_details[0];
	ck_assert_ptr_null(d->receiving_mx_hostname);
	ck_assert_uint_eq(r->quirks.n, 0);
	tlsrpt_report_free(r);

	/* The RFC name wins; the other is just an unknown member. */
	r = with_detail(",\"receiving-mx-hostname\":\"a.example\","
			"\"receiving-mx-host-name\":\"b.example\"");
	d = &r->policies[0].failure_details[0];
	ck_assert_str_eq(d->receiving_mx_hostname, "a.example");
	ck_assert_uint_eq(r->quirks.n, 0);
	tlsrpt_report_free(r);

	/* Not a misspelling: another word, or the schema's placeholder
	 * (case 27). */
	r = with_detail(",\"receiving-mx-hostnames\":\"a.example\","
			"\"additional-info-uri\":\"https://x.example\"");
	d = &r->policies[0].failure_details[0];
	ck_assert_ptr_null(d->receiving_mx_hostname);
	ck_assert_ptr_null(d->additional_information);
	ck_assert_uint_eq(r->quirks.n, 0);
	tlsrpt_report_free(r);
}
END_TEST

/* Real senders' samples in the shared corpus that write
 * receiving-mx-host-name: read as the RFC member, counted. */
START_TEST(test_corpus)
{
	static const char key[] = "\"receiving-mx-host-name\"";
	const char *corpus = test_corpus_dir();
	char real[4096];
	size_t n, found = 0;
	char **dirs;

	if (corpus == NULL) {
		test_skip("no shared corpus (../shared/corpus)");
		return;
	}
	snprintf(real, sizeof(real), "%s/real", corpus);
	if (!test_exists(real)) {
		test_skip("no %s", real);
		return;
	}
	dirs = test_list_dir(real, &n);
	for (size_t i = 0; i < n; i++) {
		char sub[8192];
		char **files;
		size_t m;
		struct stat st;

		snprintf(sub, sizeof(sub), "%s/%s", real, dirs[i]);
		if (stat(sub, &st) != 0 || !S_ISDIR(st.st_mode))
			continue;
		files = test_list_dir(sub, &m);
		for (size_t j = 0; files != NULL && j < m; j++) {
			size_t len = strlen(files[j]);
			struct tlsrpt_report *r;
			char *json;

			if (len < 5 || strcmp(files[j] + len - 5, ".json") != 0)
				continue;
			json = test_read_file_in(sub, files[j], NULL);
			if (strstr(json, key) != NULL) {
				r = parse_ok(json);
				ck_assert_uint_gt(r->quirks.n, 0);
				tlsrpt_report_free(r);
				found++;
			}
			free(json);
		}
		test_free_names(files, m);
	}
	test_free_names(dirs, n);
	if (found == 0)
		test_skip("no sample in %s writes %s; the committed fixture "
			  "stands in",
			  real, key);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("quirks");
	TCase *tc = tcase_create("core");

	tlsrpt_limits_default(&limits);
	tcase_add_test(tc, test_fixture);
	tcase_add_test(tc, test_spellings);
	tcase_add_test(tc, test_not_guessed);
	tcase_add_test(tc, test_corpus);
	suite_add_tcase(s, tc);
	return test_run(s);
}
