/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_dayfiles.c -- the one day-file lister (store/dayfiles.h) that
 * prune, the reader and index recovery share: which names count, the
 * order, the window, and a directory that cannot be listed.
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "store/day.h"
#include "store/dayfiles.h"
#include "tests/unit/testutil.h"

/* What the directory holds: day files in no order, both files of one
 * day, and names the store never writes. */
static const char *const files[] = {
	"tlsrpt-2024-03-02.jsonl",
	"tlsrpt-2024-03-01.jsonl.gz",
	"tlsrpt-2024-03-01.jsonl",
	"tlsrpt-2023-12-31.jsonl.gz",
	"tlsrpt-2024-02-30.jsonl",     /* no such date */
	"tlsrpt-2024-03-03.jsonl.tmp", /* a temp file of prune's */
	"tlsrpt-2024-03-03.json",
	"tlsrpt-2024-3-3.jsonl",
	"index",
	"tlsrpt-2024-03-04.jsonl.gz~",
	".tlsrpt-2024-03-04.jsonl",
};
/* Directories: one named as a day file, one not. */
static const char *const dirs[] = {
	"tlsrpt-2024-03-05.jsonl",
	"tlsrpt-2024-03-06",
};

static char dir[64];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/check_dayfiles.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char p[256];
		int fd;

		snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
		fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
		ck_assert_int_ge(fd, 0);
		close(fd);
	}
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char p[256];

		snprintf(p, sizeof(p), "%s/%s", dir, dirs[i]);
		ck_assert_int_eq(mkdir(p, 0700), 0);
	}
}

static void
teardown(void)
{
	char p[256];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
		unlink(p);
	}
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, dirs[i]);
		rmdir(p);
	}
	rmdir(dir);
}

static int64_t
day(const char *ymd)
{
	int64_t d;

	ck_assert_int_eq(tlsrpt_day_parse(ymd, strlen(ymd), &d), 0);
	return d;
}

/* List the fixture directory's days in [first, last] and compare
 * "YYYY-MM-DD[.gz] ..." with want. Twice on one descriptor: the lister
 * leaves the caller's open and usable. */
static void
expect_listed(int64_t first, int64_t last, const char *want)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);

	ck_assert_int_ge(fd, 0);
	for (int pass = 0; pass < 2; pass++) {
		struct tlsrpt_dayfile *v = NULL;
		struct tlsrpt_error err;
		size_t n = 0, used = 0;
		char got[512] = "";

		tlsrpt_error_clear(&err);
		ck_assert_int_eq(tlsrpt_dayfiles_list(fd, dir, first, last, &v,
						      &n, &err),
				 0);
		for (size_t i = 0; i < n; i++) {
			char ymd[16];

			tlsrpt_day_format(v[i].day, ymd, sizeof(ymd));
			used += (size_t)snprintf(got + used, sizeof(got) - used,
						 "%s%s%s", i ? " " : "", ymd,
						 v[i].gz ? ".gz" : "");
		}
		ck_assert_str_eq(got, want);
		tlsrpt_free(v);
	}
	close(fd);
}

/* Every day file by name, in day order, a day's .gz before its .jsonl.
 * Matching is by name alone, as it was in each of the three listers: a
 * directory named like a day file is listed too, and whoever opens it
 * reports it (they open with O_NOFOLLOW and read). */
START_TEST(test_list_all)
{
	expect_listed(TLSRPT_DAY_MIN, TLSRPT_DAY_MAX,
		      "2023-12-31.gz 2024-03-01.gz 2024-03-01 2024-03-02 "
		      "2024-03-05");
}
END_TEST

/* The window [first, last] is inclusive at both ends. */
START_TEST(test_window)
{
	expect_listed(day("2024-03-01"), day("2024-03-02"),
		      "2024-03-01.gz 2024-03-01 2024-03-02");
	expect_listed(day("2024-03-02"), day("2024-03-02"), "2024-03-02");
	expect_listed(day("2025-01-01"), day("2025-12-31"), "");
}
END_TEST

/* A descriptor that is not a directory: an I/O error naming the store. */
START_TEST(test_unlistable)
{
	struct tlsrpt_dayfile *v = (void *)&v;
	struct tlsrpt_error err;
	size_t n = 7;
	char p[256];
	int fd;

	snprintf(p, sizeof(p), "%s/index", dir);
	fd = open(p, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	tlsrpt_error_clear(&err);
	ck_assert_int_eq(
		tlsrpt_dayfiles_list_all(fd, "/the/store", &v, &n, &err), -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_IO);
	ck_assert_str_eq(err.path, "/the/store");
	ck_assert_ptr_nonnull(strstr(err.text, "cannot list the store"));
	ck_assert_ptr_null(v);
	ck_assert_uint_eq(n, 0);
	close(fd);
}
END_TEST

/* Out of memory growing the list: NOMEM, nothing leaked (ASan). */
START_TEST(test_nomem)
{
	struct tlsrpt_dayfile *v = NULL;
	struct tlsrpt_error err;
	size_t n = 0;
	int fd = open(dir, O_RDONLY | O_DIRECTORY);

	ck_assert_int_ge(fd, 0);
	tlsrpt_error_clear(&err);
	tlsrpt_alloc_fail_after(1);
	ck_assert_int_eq(tlsrpt_dayfiles_list_all(fd, dir, &v, &n, &err), -1);
	tlsrpt_alloc_fail_after(0);
	ck_assert_int_eq(err.code, TLSRPT_ERR_NOMEM);
	ck_assert_ptr_null(v);
	close(fd);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("dayfiles");
	TCase *tc = tcase_create("dayfiles");

	tlsrpt_alloc_init();
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_list_all);
	tcase_add_test(tc, test_window);
	tcase_add_test(tc, test_unlistable);
	tcase_add_test(tc, test_nomem);
	suite_add_tcase(s, tc);
	return test_run(s);
}
