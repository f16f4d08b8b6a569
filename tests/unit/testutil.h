/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * testutil.h -- small helpers shared by the Check test programs.
 */
#ifndef TLSRPT_TESTS_UNIT_TESTUTIL_H
#define TLSRPT_TESTS_UNIT_TESTUTIL_H

#include <check.h>
#include <stddef.h>

#include "report/authres.h"

/* Run every test of s (and free it): EXIT_SUCCESS when all passed,
 * EXIT_FAILURE otherwise -- what a test program's main() returns. */
int test_run(Suite *s);

/* Exit status of a test program that could run nothing it tests (the
 * automake convention scripts/run-unit-tests counts as "skipped"). */
#define TEST_EXIT_SKIP 77

/* Say that the current test case could not run what it tests and why:
 * prints "SKIP: <why>" on stdout, which scripts/run-unit-tests counts as a
 * skipped case instead of a passed one. The caller then returns. */
void test_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Directory of our own committed fixtures (TLSRPT_TEST_DATA, default
 * "tests/data"). Borrowed. */
const char *test_data_dir(void);

/* Directory of the shared corpus of real reports (TLSRPT_CORPUS), or NULL
 * when it does not exist: corpus tests must then skip with a message. */
const char *test_corpus_dir(void);

/* Read a whole file into a new NUL-terminated buffer (free() it); *len gets
 * the size without the NUL. Fails the current test when it cannot. */
char *test_read_file(const char *path, size_t *len);

/* Same, for "dir/name". */
char *test_read_file_in(const char *dir, const char *name, size_t *len);

/* 1 when path exists. */
int test_exists(const char *path);

/* Sorted names of the entries of dir (no "." entries); *n gets the count.
 * Free with test_free_names(). */
char **test_list_dir(const char *dir, size_t *n);
void test_free_names(char **names, size_t n);

/* Compare buf (len bytes) with the golden file at path and fail the
 * current test when they differ, leaving buf in path.out for diff(1). With
 * TLSRPT_REGEN set, rewrite the golden file first (then review it); but
 * fail instead under make check (TLSRPT_MAKE_CHECK set). */
void test_golden(const char *path, const char *buf, size_t len);

/* Remove trailing white space in place (expected-output files end in \n). */
void test_chomp(char *s);

/* The verdict a store word names ("pass" "fail" "none"), UNKNOWN for NULL;
 * aborts on any other word. */
enum tlsrpt_dkim test_dkim(const char *word);

#endif
