/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_pg.c -- tlsrpt-ship's parts that need no database: a day's files
 * as one stream (pg/daystream.h) and the COPY text of a stage row
 * (pg/batch.h). The database side is tests/scripts/t-ship*.sh.
 */
#include <check.h>
#include <fcntl.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "base/alloc.h"
#include "pg/batch.h"
#include "pg/daystream.h"
#include "store/day.h"
#include "tests/unit/testutil.h"

#define DAY 20793 /* 2026-12-06 */

static void
write_file(const char *dir, int gz, const char *text, int append)
{
	char name[TLSRPT_DAY_NAME_MAX], path[512];

	tlsrpt_day_file_name(DAY, gz, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (gz) {
		gzFile f = gzopen(path, append ? "ab" : "wb");

		ck_assert_ptr_nonnull(f);
		ck_assert_int_eq(gzwrite(f, text, (unsigned)strlen(text)),
				 (int)strlen(text));
		ck_assert_int_eq(gzclose(f), Z_OK);
	} else {
		FILE *f = fopen(path, append ? "a" : "w");

		ck_assert_ptr_nonnull(f);
		ck_assert_int_eq(fputs(text, f) >= 0, 1);
		ck_assert_int_eq(fclose(f), 0);
	}
}

static void
remove_dir(const char *dir)
{
	char *cmd = g_strdup_printf("rm -rf '%s'", dir);

	ck_assert_int_eq(system(cmd), 0);
	g_free(cmd);
}

/* The lines of the day from offset from, "line@end;" each, and the
 * stream's length. */
static char *
read_from(int dirfd, const char *dir, uint64_t from, uint64_t *length,
	  unsigned *last_flags)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct pg_daystream ds;
	GString *out = g_string_new(NULL);
	const char *line;
	size_t len;
	unsigned flags = 0;
	uint64_t end;
	int r;

	pg_daystream_init(&ds, dirfd, dir, DAY, from, 1000);
	*last_flags = 0;
	while ((r = pg_daystream_next(&ds, &line, &len, &flags, &end, &err)) ==
	       1) {
		g_string_append_printf(out, "%.*s@%llu;", (int)len, line,
				       (unsigned long long)end);
		*last_flags = flags;
	}
	ck_assert_int_eq(r, 0);
	*length = pg_daystream_length(&ds);
	pg_daystream_close(&ds);
	return g_string_free(out, FALSE);
}

START_TEST(test_daystream_gz_then_plain)
{
	char dir[] = "/tmp/check_pg.XXXXXX";
	uint64_t length;
	unsigned flags;
	char *got;
	int dirfd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	dirfd = open(dir, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(dirfd, 0);
	/* Two gzip members (prune appends one per compression), then the
	 * plain file of lines received later. */
	write_file(dir, 1, "a1\na2\n", 0);
	write_file(dir, 1, "b1\n", 1);
	write_file(dir, 0, "c1\nc2\n", 0);
	got = read_from(dirfd, dir, 0, &length, &flags);
	ck_assert_str_eq(got, "a1@3;a2@6;b1@9;c1@12;c2@15;");
	ck_assert_uint_eq(length, 15);
	g_free(got);
	/* From a cursor inside the .gz, and inside the .jsonl (a seek). */
	got = read_from(dirfd, dir, 6, &length, &flags);
	ck_assert_str_eq(got, "b1@9;c1@12;c2@15;");
	g_free(got);
	got = read_from(dirfd, dir, 12, &length, &flags);
	ck_assert_str_eq(got, "c2@15;");
	ck_assert_uint_eq(length, 15);
	g_free(got);
	/* Compressed as prune does: the same stream, the same offsets. */
	write_file(dir, 1, "c1\nc2\n", 1);
	{
		char name[TLSRPT_DAY_NAME_MAX];

		tlsrpt_day_file_name(DAY, 0, name, sizeof(name));
		ck_assert_int_eq(unlinkat(dirfd, name, 0), 0);
	}
	got = read_from(dirfd, dir, 12, &length, &flags);
	ck_assert_str_eq(got, "c2@15;");
	ck_assert_uint_eq(length, 15);
	g_free(got);
	/* A torn last line is returned flagged, its end not a boundary. */
	write_file(dir, 0, "d1\nd2", 0);
	got = read_from(dirfd, dir, 15, &length, &flags);
	ck_assert_str_eq(got, "d1@18;d2@20;");
	ck_assert_uint_eq(flags & TLSRPT_LINE_UNTERMINATED,
			  TLSRPT_LINE_UNTERMINATED);
	g_free(got);
	/* A cursor past the end (the day got shorter): nothing, and the
	 * length says so. */
	got = read_from(dirfd, dir, 100, &length, &flags);
	ck_assert_str_eq(got, "");
	ck_assert_uint_lt(length, 100);
	g_free(got);
	close(dirfd);
	remove_dir(dir);
}
END_TEST

START_TEST(test_daystream_sizes)
{
	char dir[] = "/tmp/check_pg.XXXXXX";
	int64_t gz, plain;
	int dirfd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	dirfd = open(dir, O_RDONLY | O_DIRECTORY);
	pg_daystream_sizes(dirfd, DAY, &gz, &plain);
	ck_assert_int_eq(gz, -1);
	ck_assert_int_eq(plain, -1);
	write_file(dir, 0, "x\n", 0);
	pg_daystream_sizes(dirfd, DAY, &gz, &plain);
	ck_assert_int_eq(gz, -1);
	ck_assert_int_eq(plain, 2);
	close(dirfd);
	remove_dir(dir);
}
END_TEST

/* A store path too long for an error's path: cut in its middle, the day
 * file's name whole. */
START_TEST(test_daystream_long_path)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char dir[] = "/tmp/check_pg.XXXXXX", name[TLSRPT_DAY_NAME_MAX];
	char *deep, *sub;
	struct pg_daystream ds;
	const char *line;
	size_t len, n;
	unsigned flags;
	uint64_t end;
	int dirfd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	sub = g_strnfill(200, 'd');
	deep = g_strdup_printf("%s/%s", dir, sub);
	ck_assert_int_eq(mkdir(deep, 0700), 0);
	dirfd = open(deep, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(dirfd, 0);
	/* The day's .jsonl a directory: the error names it. */
	tlsrpt_day_file_name(DAY, 0, name, sizeof(name));
	ck_assert_int_eq(mkdirat(dirfd, name, 0700), 0);
	pg_daystream_init(&ds, dirfd, deep, DAY, 0, 1000);
	ck_assert_int_eq(
		pg_daystream_next(&ds, &line, &len, &flags, &end, &err), -1);
	pg_daystream_close(&ds);
	n = strlen(err.path);
	ck_assert_uint_lt(n, sizeof(err.path));
	ck_assert_int_eq(strncmp(err.path, dir, strlen(dir)), 0);
	ck_assert_uint_gt(n, strlen(name) + 4);
	ck_assert_int_eq(strncmp(err.path + n - strlen(name) - 4, ".../", 4),
			 0);
	ck_assert_str_eq(err.path + n - strlen(name), name);
	close(dirfd);
	remove_dir(dir);
	g_free(deep);
	g_free(sub);
}
END_TEST

/* COPY's text format: backslashes doubled, control characters escaped,
 * JSON's \u0000 (which jsonb refuses) as U+FFFD. */
START_TEST(test_copy_row)
{
	GString *s = g_string_new(NULL);
	const char line[] = "{\"a\":\"x\\\\y\\\"\\u0000\\n\",\"b\":\"\t\"}";

	pg_batch_row(s, 7, 1, 2, 3, line, strlen(line));
	ck_assert_str_eq(
		s->str,
		"7\t1\t2\t3\t{\"a\":\"x\\\\\\\\y\\\\\"\\\\ufffd\\\\n\",\"b\":"
		"\"\\011\"}\n");
	g_string_free(s, TRUE);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("pg");
	TCase *tc = tcase_create("core");

	tlsrpt_alloc_init();
	tcase_add_test(tc, test_daystream_gz_then_plain);
	tcase_add_test(tc, test_daystream_sizes);
	tcase_add_test(tc, test_daystream_long_path);
	tcase_add_test(tc, test_copy_row);
	suite_add_tcase(s, tc);
	return test_run(s);
}
