/* SPDX-License-Identifier: BSD-2-Clause */
/* testutil.c -- helpers shared by the Check test programs. */
#include "tests/unit/testutil.h"

#include <check.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int
test_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

void
test_skip(const char *fmt, ...)
{
	va_list ap;

	fputs("SKIP: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	/* A forked Check child may end without flushing stdio. */
	fflush(stdout);
}

const char *
test_data_dir(void)
{
	const char *d = getenv("TLSRPT_TEST_DATA");

	return d != NULL && d[0] != '\0' ? d : "tests/data";
}

const char *
test_corpus_dir(void)
{
	const char *d = getenv("TLSRPT_CORPUS");
	struct stat st;

	if (d == NULL || d[0] == '\0')
		d = "../shared/corpus";
	if (stat(d, &st) != 0 || !S_ISDIR(st.st_mode))
		return NULL;
	return d;
}

char *
test_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, got;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = (n + 4096 + 1) * 2;
			buf = realloc(buf, cap);
			ck_assert_ptr_nonnull(buf);
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	ck_assert_msg(!ferror(f), "cannot read %s", path);
	fclose(f);
	buf[n] = '\0';
	if (len != NULL)
		*len = n;
	return buf;
}

char *
test_read_file_in(const char *dir, const char *name, size_t *len)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return test_read_file(path, len);
}

int
test_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **
test_list_dir(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t count = 0;

	ck_assert_msg(d != NULL, "cannot open directory %s", dir);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		names = realloc(names, (count + 1) * sizeof(*names));
		ck_assert_ptr_nonnull(names);
		names[count] = strdup(de->d_name);
		ck_assert_ptr_nonnull(names[count]);
		count++;
	}
	closedir(d);
	if (count > 0)
		qsort(names, count, sizeof(*names), cmp_names);
	*n = count;
	return names;
}

void
test_free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

void
test_chomp(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' ||
			 s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
}

void
test_golden(const char *path, const char *buf, size_t len)
{
	char *want, out[4096];
	size_t wlen;
	FILE *f;

	if (getenv("TLSRPT_REGEN") != NULL) {
		/* make check proves the output, it must never rewrite what
		 * it compares against. */
		ck_assert_msg(getenv("TLSRPT_MAKE_CHECK") == NULL,
			      "TLSRPT_REGEN is refused under make check: "
			      "regenerate with make unit, then review %s",
			      path);
		f = fopen(path, "w");
		ck_assert_ptr_nonnull(f);
		fwrite(buf, 1, len, f);
		fclose(f);
	}
	want = test_read_file(path, &wlen);
	if (wlen != len || memcmp(want, buf, len) != 0) {
		snprintf(out, sizeof(out), "%s.out", path);
		f = fopen(out, "w");
		if (f != NULL) {
			fwrite(buf, 1, len, f);
			fclose(f);
		}
		free(want);
		ck_abort_msg("output differs from the golden file: diff %s",
			     out);
	}
	free(want);
}

enum tlsrpt_dkim
test_dkim(const char *word)
{
	enum tlsrpt_dkim v = TLSRPT_DKIM_UNKNOWN;

	/* Fixtures call this outside a test too: no ck_assert here. */
	if (word != NULL && tlsrpt_dkim_from_name(word, strlen(word), &v) < 0) {
		fprintf(stderr, "not a DKIM verdict: %s\n", word);
		abort();
	}
	return v;
}
