/* SPDX-License-Identifier: BSD-2-Clause */
/* check_corpus.c -- every real sample in the shared corpus goes through
 * tlsrpt_input_parse(); the counts must match a plain jansson read. */
#include <check.h>
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "base/alloc.h"
#include "report/input.h"
#include "tests/unit/testutil.h"

/* The one real message that is not a report (SOURCES.md). */
#define NOT_A_REPORT "kravietz_tlsrpt-rs/empty.eml"

static int
has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* gunzip with zlib directly, independently of the code under test. */
static char *
gunzip(const char *in, size_t in_len, size_t *out_len)
{
	z_stream zs;
	size_t cap = in_len * 50 + 4096;
	char *out = malloc(cap);
	int ret;

	ck_assert_ptr_nonnull(out);
	memset(&zs, 0, sizeof(zs));
	ck_assert_int_eq(inflateInit2(&zs, 32 + MAX_WBITS), Z_OK);
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)in_len;
	zs.next_out = (Bytef *)out;
	zs.avail_out = (uInt)cap;
	ret = inflate(&zs, Z_FINISH);
	ck_assert_int_eq(ret, Z_STREAM_END);
	*out_len = zs.total_out;
	inflateEnd(&zs);
	return out;
}

static json_int_t
count_of(json_t *summary, const char *key)
{
	json_t *v = json_object_get(summary, key);

	return json_is_integer(v) ? json_integer_value(v) : 0;
}

/* Compare the parsed report with what jansson alone reads in the JSON. */
static void
compare_with_jansson(const char *rel, const char *json, size_t len,
		     const struct tlsrpt_report *r)
{
	json_error_t jerr;
	json_t *root = json_loadb(json, len, 0, &jerr), *policies;
	size_t i;

	ck_assert_msg(root != NULL, "%s: jansson: %s", rel, jerr.text);
	policies = json_object_get(root, "policies");
	ck_assert_msg(json_is_array(policies), "%s: no policies array", rel);
	ck_assert_msg(json_array_size(policies) == r->n_policies,
		      "%s: %zu policies, parser has %zu", rel,
		      json_array_size(policies), r->n_policies);
	for (i = 0; i < r->n_policies; i++) {
		json_t *summary =
			json_object_get(json_array_get(policies, i), "summary");

		ck_assert_msg(
			count_of(summary, "total-successful-session-count") ==
				r->policies[i].total_successful_session_count,
			"%s: policies[%zu] successful count differs", rel, i);
		ck_assert_msg(
			count_of(summary, "total-failure-session-count") ==
				r->policies[i].total_failure_session_count,
			"%s: policies[%zu] failure count differs", rel, i);
	}
	json_decref(root);
}

/* The corpus files, relative to <corpus>/real, found before the tests run
 * so that each file is one test and every failure shows. */
static char *corpus_root;
static char **files;
static size_t n_files;

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs before any test, so no ck_assert here (Check would complain). */
static void
collect(const char *root, const char *rel)
{
	char dir[4096], sub[4096];
	DIR *d;
	struct dirent *de;
	struct stat st;

	if (snprintf(dir, sizeof(dir), "%s%s%s", root, rel[0] ? "/" : "",
		     rel) >= (int)sizeof(dir) ||
	    (d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' ||
		    snprintf(sub, sizeof(sub), "%s%s%s", rel, rel[0] ? "/" : "",
			     de->d_name) >= (int)sizeof(sub) ||
		    snprintf(dir, sizeof(dir), "%s/%s", root, sub) >=
			    (int)sizeof(dir) ||
		    stat(dir, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			collect(root, sub);
		} else if (has_suffix(sub, ".eml") ||
			   has_suffix(sub, ".json") ||
			   has_suffix(sub, ".json.gz")) {
			char **grown =
				realloc(files, (n_files + 1) * sizeof(*files));

			if (grown == NULL ||
			    (grown[n_files] = strdup(sub)) == NULL)
				abort(); /* a test harness out of memory */
			files = grown;
			n_files++;
		}
	}
	closedir(d);
}

START_TEST(test_file)
{
	const char *rel = files[_i];
	char path[4096], msg[TLSRPT_ERROR_PATH_MAX + TLSRPT_ERROR_TEXT_MAX + 4];
	struct tlsrpt_limits limits;
	struct tlsrpt_input *in = NULL;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char *buf, *json;
	size_t len, json_len;
	int rc;

	ck_assert_int_lt(
		snprintf(path, sizeof(path), "%s/%s", corpus_root, rel),
		(int)sizeof(path));
	buf = test_read_file(path, &len);
	tlsrpt_limits_default(&limits);
	rc = tlsrpt_input_parse(buf, len, &limits, &in, &err);
	if (strcmp(rel, NOT_A_REPORT) == 0) {
		ck_assert_int_eq(rc, -1);
		ck_assert_int_eq(err.code, TLSRPT_ERR_NOT_REPORT);
		ck_assert_ptr_nonnull(in);
		ck_assert_int_eq(in->is_message, 1);
		goto out;
	}
	ck_assert_msg(rc == 0, "%s rejected: %s", rel,
		      tlsrpt_error_format(&err, msg, sizeof(msg)));
	ck_assert_uint_ge(in->n_items, 1);
	ck_assert_ptr_nonnull(in->items[0].report);
	if (has_suffix(rel, ".eml")) {
		ck_assert_int_eq(in->is_message, 1);
		goto out;
	}
	ck_assert_int_eq(in->is_message, 0);
	ck_assert_uint_eq(in->n_items, 1);
	if (has_suffix(rel, ".gz")) {
		json = gunzip(buf, len, &json_len);
		compare_with_jansson(rel, json, json_len, in->items[0].report);
		free(json);
	} else {
		compare_with_jansson(rel, buf, len, in->items[0].report);
	}
out:
	tlsrpt_input_free(in);
	free(buf);
}
END_TEST

/* SOURCES.md lists 9 .eml, 19 .json and 2 .json.gz files. */
START_TEST(test_all_found)
{
	ck_assert_uint_ge(n_files, 30);
}
END_TEST

int
main(void)
{
	const char *corpus = test_corpus_dir();
	char root[4096];
	Suite *s;
	TCase *tc;
	int rc;

	if (corpus == NULL) {
		printf("check_corpus: no shared corpus (TLSRPT_CORPUS): "
		       "skipped\n");
		return TEST_EXIT_SKIP;
	}
	if (snprintf(root, sizeof(root), "%s/real", corpus) >=
		    (int)sizeof(root) ||
	    !test_exists(root)) {
		printf("check_corpus: no %s/real: skipped\n", corpus);
		return TEST_EXIT_SKIP;
	}
	corpus_root = root;
	s = suite_create("corpus");
	tc = tcase_create("corpus");
	tlsrpt_parser_init();
	collect(root, "");
	if (n_files > 0)
		qsort(files, n_files, sizeof(*files), cmp_names);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_file, 0, (int)n_files);
	tcase_add_test(tc, test_all_found);
	suite_add_tcase(s, tc);
	rc = test_run(s);
	for (size_t i = 0; i < n_files; i++)
		free(files[i]);
	free(files);
	tlsrpt_parser_shutdown();
	return rc;
}
