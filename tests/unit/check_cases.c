/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_cases.c -- the table-driven parser cases in tests/data/cases (see
 * tests/data/README.md): each case's input goes through tlsrpt_input_parse()
 * and the reports found must dump to expected.jsonl, or the error must have
 * the status and text in expected-error.
 */
#include <check.h>
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "report/input.h"
#include "report/report_json.h"
#include "tests/unit/testutil.h"

static char cases_dir[4096];
static char **case_names;
static size_t n_cases;

/* Apply a case's "limits" file: "name value" lines. */
static void
read_limits(const char *dir, struct tlsrpt_limits *l)
{
	char path[8192 + 16], *text, *line, *save = NULL;

	tlsrpt_limits_default(l);
	snprintf(path, sizeof(path), "%s/limits", dir);
	if (!test_exists(path))
		return;
	text = test_read_file(path, NULL);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[64];
		unsigned long long v;

		if (line[0] == '#' || line[0] == '\0')
			continue;
		ck_assert_msg(sscanf(line, "%63s %llu", name, &v) == 2,
			      "%s: bad line \"%s\"", path, line);
#define LIMIT(field)                     \
	if (strcmp(name, #field) == 0) { \
		l->field = v;            \
		continue;                \
	}
		LIMIT(max_message_bytes)
		LIMIT(max_report_bytes)
		LIMIT(max_inflate_ratio)
		LIMIT(max_json_depth)
		LIMIT(max_policies)
		LIMIT(max_failure_details)
		LIMIT(max_policy_strings)
		LIMIT(max_string_bytes)
		LIMIT(max_reports)
		LIMIT(max_mime_depth)
		LIMIT(max_mime_parts)
		LIMIT(max_session_count)
#undef LIMIT
		ck_abort_msg("%s: unknown limit \"%s\"", path, name);
	}
	free(text);
}

/* The one input.* file of a case. */
static char *
input_name(const char *dir)
{
	size_t n;
	char **names = test_list_dir(dir, &n);
	char *found = NULL;

	for (size_t i = 0; i < n; i++) {
		if (strncmp(names[i], "input.", 6) != 0)
			continue;
		ck_assert_msg(found == NULL, "%s: more than one input file",
			      dir);
		found = strdup(names[i]);
	}
	test_free_names(names, n);
	ck_assert_msg(found != NULL, "%s: no input.* file", dir);
	return found;
}

static void
check_valid(const char *dir, int rc, const struct tlsrpt_input *in,
	    const struct tlsrpt_error *err)
{
	char msg[512], *expected, *line, *save = NULL;
	size_t found = 0;

	ck_assert_msg(rc == 0, "%s: refused: %s (%s)", dir,
		      tlsrpt_error_format(err, msg, sizeof(msg)),
		      tlsrpt_status_name(err->code));
	ck_assert_ptr_nonnull(in);
	expected = test_read_file_in(dir, "expected.jsonl", NULL);
	line = strtok_r(expected, "\n", &save);
	for (size_t i = 0; i < in->n_items; i++) {
		json_t *j;
		char *got;

		if (in->items[i].report == NULL)
			continue;
		found++;
		j = tlsrpt_report_to_json(in->items[i].report);
		ck_assert_ptr_nonnull(j);
		got = json_dumps(j, JSON_COMPACT);
		ck_assert_ptr_nonnull(got);
		ck_assert_msg(line != NULL, "%s: unexpected report %zu:\n%s",
			      dir, found, got);
		test_chomp(line);
		ck_assert_msg(strcmp(got, line) == 0,
			      "%s: report %zu differs\n got: %s\nwant: %s", dir,
			      found, got, line);
		free(got);
		json_decref(j);
		line = strtok_r(NULL, "\n", &save);
	}
	ck_assert_msg(line == NULL, "%s: only %zu reports found, more expected",
		      dir, found);
	free(expected);
}

static void
check_invalid(const char *dir, int rc, const struct tlsrpt_error *err)
{
	char msg[512], *expected, *status, *text, *save = NULL;

	expected = test_read_file_in(dir, "expected-error", NULL);
	status = strtok_r(expected, "\n", &save);
	text = strtok_r(NULL, "\n", &save);
	ck_assert_msg(status != NULL && text != NULL,
		      "%s: expected-error needs two lines", dir);
	test_chomp(status);
	test_chomp(text);
	tlsrpt_error_format(err, msg, sizeof(msg));
	ck_assert_msg(rc == -1, "%s: accepted, expected %s", dir, status);
	ck_assert_msg(strcmp(tlsrpt_status_name(err->code), status) == 0,
		      "%s: status \"%s\", want \"%s\" (%s)", dir,
		      tlsrpt_status_name(err->code), status, msg);
	ck_assert_msg(strstr(msg, text) != NULL,
		      "%s: error \"%s\" lacks \"%s\"", dir, msg, text);
	free(expected);
}

START_TEST(test_case)
{
	char dir[8192], path[8192 + 64];
	struct tlsrpt_limits limits;
	struct tlsrpt_input *in = NULL;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char *name, *buf;
	size_t len;
	int rc, valid, invalid;

	snprintf(dir, sizeof(dir), "%s/%s", cases_dir, case_names[_i]);
	snprintf(path, sizeof(path), "%s/expected.jsonl", dir);
	valid = test_exists(path);
	snprintf(path, sizeof(path), "%s/expected-error", dir);
	invalid = test_exists(path);
	ck_assert_msg(valid + invalid == 1,
		      "%s: needs exactly one of expected.jsonl and "
		      "expected-error",
		      dir);
	read_limits(dir, &limits);
	name = input_name(dir);
	buf = test_read_file_in(dir, name, &len);
	tlsrpt_error_clear(&err);
	rc = tlsrpt_input_parse(buf, len, &limits, &in, &err);
	if (valid)
		check_valid(dir, rc, in, &err);
	else
		check_invalid(dir, rc, &err);
	tlsrpt_input_free(in);
	free(buf);
	free(name);
}
END_TEST

/* A case named "-valid-" must expect reports, one named "-invalid-" or
 * "-limit-" an error: a name saying one thing and a directory holding the
 * other is a slip. */
START_TEST(test_case_names)
{
	for (size_t i = 0; i < n_cases; i++) {
		char path[4096 + 512];
		const char *n = case_names[i];
		int says_valid = strstr(n, "-valid-") != NULL;
		int says_invalid = strstr(n, "-invalid-") != NULL ||
				   strstr(n, "-limit-") != NULL;

		if (!says_valid && !says_invalid)
			continue;
		snprintf(path, sizeof(path), "%s/%s/expected.jsonl", cases_dir,
			 n);
		ck_assert_msg(says_valid == test_exists(path),
			      "%s: name and expected file disagree", n);
	}
	ck_assert_msg(n_cases >= 40, "only %zu cases", n_cases);
}
END_TEST

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The case directories, sorted. Check's assertions work only inside a
 * test, so this runs on plain libc before the suite is built. */
static int
list_cases(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL) {
		fprintf(stderr, "check_cases: cannot open %s\n", dir);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		char **grown;

		if (de->d_name[0] == '.')
			continue;
		grown = realloc(case_names, (n_cases + 1) * sizeof(*grown));
		if (grown == NULL)
			break;
		case_names = grown;
		case_names[n_cases] = strdup(de->d_name);
		if (case_names[n_cases] == NULL)
			break;
		n_cases++;
	}
	closedir(d);
	if (n_cases > 0)
		qsort(case_names, n_cases, sizeof(*case_names), cmp_names);
	return 0;
}

int
main(void)
{
	Suite *s = suite_create("cases");
	TCase *tc = tcase_create("cases");
	int rc;

	tlsrpt_parser_init();
	snprintf(cases_dir, sizeof(cases_dir), "%s/cases", test_data_dir());
	if (list_cases(cases_dir) != 0)
		return EXIT_FAILURE;
	tcase_add_loop_test(tc, test_case, 0, (int)n_cases);
	tcase_add_test(tc, test_case_names);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	rc = test_run(s);
	test_free_names(case_names, n_cases);
	tlsrpt_parser_shutdown();
	return rc;
}
