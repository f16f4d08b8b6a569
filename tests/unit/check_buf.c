/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_buf.c -- the one bounded byte buffer (base/buf.h): it grows, holds
 * exactly its maximum, refuses one byte more with an error naming the
 * limit, survives every allocation failure unchanged, and the bounded
 * whole-input reader built on it (base/readfile.h) keeps the same bounds.
 */
#include <check.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/readfile.h"
#include "tests/unit/testutil.h"

/* Growth past several doublings keeps every byte, in order, NUL-ended. */
START_TEST(test_growth)
{
	struct tlsrpt_buf b;
	struct tlsrpt_error err;
	size_t cap_seen = 0, grew = 0;

	tlsrpt_buf_init(&b, 1000000, "MaxTest");
	for (size_t i = 0; i < 100000; i++) {
		unsigned char c = (unsigned char)('a' + i % 26);

		ck_assert_int_eq(tlsrpt_buf_append(&b, &c, 1, &err), 0);
		if (b.cap != cap_seen) {
			grew++;
			cap_seen = b.cap;
		}
	}
	ck_assert_uint_eq(b.len, 100000);
	/* Doubling: a handful of reallocations, not one per byte. */
	ck_assert_uint_le(grew, 8);
	for (size_t i = 0; i < b.len; i++)
		ck_assert_int_eq(b.data[i], 'a' + (int)(i % 26));
	ck_assert_int_eq(b.data[b.len], '\0');
	tlsrpt_buf_free(&b);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.max, 1000000);
}
END_TEST

/* Exactly max fits (and its allocation never passes max + 1); one byte
 * more is a LIMIT error naming the setting, and the buffer is unchanged. */
START_TEST(test_exact_limit)
{
	struct tlsrpt_buf b;
	struct tlsrpt_error err;
	unsigned char blob[5000];

	memset(blob, 'x', sizeof(blob));
	tlsrpt_buf_init(&b, 5000, "MaxMessageSize");
	ck_assert_int_eq(tlsrpt_buf_append(&b, blob, 4999, &err), 0);
	ck_assert_int_eq(tlsrpt_buf_append(&b, blob, 1, &err), 0);
	ck_assert_uint_eq(b.len, 5000);
	ck_assert_uint_le(b.cap, 5001);
	ck_assert_uint_eq(tlsrpt_buf_room(&b), 0);

	tlsrpt_error_clear(&err);
	ck_assert_int_eq(tlsrpt_buf_append(&b, blob, 1, &err), -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_LIMIT);
	ck_assert_str_eq(err.text, "larger than 5000 bytes (MaxMessageSize)");
	ck_assert_uint_eq(b.len, 5000);
	ck_assert_int_eq(b.data[5000], '\0');
	tlsrpt_buf_free(&b);
}
END_TEST

/* limit + 1 in one piece, and a length that would overflow len + n. */
START_TEST(test_limit_plus_one)
{
	struct tlsrpt_buf b;
	struct tlsrpt_error err;
	unsigned char blob[11] = "0123456789";

	tlsrpt_buf_init(&b, 10, NULL);
	tlsrpt_error_clear(&err);
	ck_assert_int_eq(tlsrpt_buf_append(&b, blob, 11, &err), -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_LIMIT);
	ck_assert_str_eq(err.text, "larger than 10 bytes");
	ck_assert_ptr_null(b.data); /* nothing was allocated for it */

	ck_assert_int_eq(tlsrpt_buf_append(&b, blob, 3, &err), 0);
	tlsrpt_error_clear(&err);
	ck_assert_int_eq(tlsrpt_buf_reserve(&b, SIZE_MAX, &err), -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_LIMIT);
	ck_assert_uint_eq(b.len, 3);

	/* An unbounded buffer: max is clamped, so len + n + 1 never wraps. */
	tlsrpt_buf_free(&b);
	tlsrpt_buf_init(&b, SIZE_MAX, NULL);
	ck_assert_uint_eq(b.max, SIZE_MAX - 1);
	tlsrpt_error_clear(&err);
	ck_assert_int_eq(tlsrpt_buf_reserve(&b, SIZE_MAX, &err), -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_LIMIT);
	tlsrpt_buf_free(&b);
}
END_TEST

/* Every allocation the buffer makes fails in turn: each failure is NOMEM,
 * leaves the bytes held so far intact, and a retry succeeds. */
START_TEST(test_alloc_failure)
{
	struct tlsrpt_buf b;
	struct tlsrpt_error err;
	unsigned char blob[3000];
	unsigned long failures = 0;

	memset(blob, 'y', sizeof(blob));
	tlsrpt_buf_init(&b, 100000, "MaxTest");
	while (b.len < 60000) {
		size_t before = b.len;

		tlsrpt_alloc_fail_after(1);
		tlsrpt_error_clear(&err);
		if (tlsrpt_buf_append(&b, blob, sizeof(blob), &err) < 0) {
			failures++;
			ck_assert_int_eq(err.code, TLSRPT_ERR_NOMEM);
			ck_assert_uint_eq(b.len, before);
			for (size_t i = 0; i < b.len; i++)
				ck_assert_int_eq(b.data[i], 'y');
			tlsrpt_alloc_fail_after(0);
			ck_assert_int_eq(
				tlsrpt_buf_append(&b, blob, sizeof(blob), &err),
				0);
		}
		tlsrpt_alloc_fail_after(0);
	}
	/* 4096 -> 8192 -> ... -> 65536: every growth was made to fail once. */
	ck_assert_uint_ge(failures, 5);

	/* steal() of an empty buffer needs one allocation, and may fail. */
	tlsrpt_buf_free(&b);
	tlsrpt_alloc_fail_after(1);
	ck_assert_ptr_null(tlsrpt_buf_steal(&b, NULL));
	tlsrpt_alloc_fail_after(0);
	tlsrpt_buf_free(&b);
}
END_TEST

/* steal() hands the bytes over NUL-ended; consume() drops a prefix. */
START_TEST(test_steal_consume)
{
	struct tlsrpt_buf b;
	struct tlsrpt_error err;
	unsigned char *p;
	size_t len = 99;

	tlsrpt_buf_init(&b, 100, NULL);
	p = tlsrpt_buf_steal(&b, &len);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(p[0], '\0');
	tlsrpt_free(p);

	ck_assert_int_eq(tlsrpt_buf_append(&b, "hello world", 11, &err), 0);
	tlsrpt_buf_consume(&b, 6);
	ck_assert_str_eq((char *)b.data, "world");
	p = tlsrpt_buf_steal(&b, &len);
	ck_assert_str_eq((char *)p, "world");
	ck_assert_uint_eq(len, 5);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	tlsrpt_free(p);
}
END_TEST

/* A pipe holding n bytes of 'z', read whole with bound max. */
static int
read_pipe(size_t n, size_t max, size_t *got, struct tlsrpt_error *err)
{
	int fds[2];
	unsigned char *out = NULL;
	char *blob = malloc(n + 1);
	int rc;

	ck_assert_ptr_nonnull(blob);
	memset(blob, 'z', n);
	ck_assert_int_eq(pipe(fds), 0);
	if (fork() == 0) {
		close(fds[0]);
		(void)!write(fds[1], blob, n);
		_exit(0);
	}
	close(fds[1]);
	rc = read_bounded_fd(fds[0], "pipe", max, &out, got, err);
	close(fds[0]);
	if (rc == 0) {
		ck_assert_int_eq(out[*got], '\0');
		ck_assert_int_eq(memcmp(out, blob, *got), 0);
	}
	tlsrpt_free(out);
	free(blob);
	return rc;
}

START_TEST(test_read_bounded)
{
	struct tlsrpt_error err;
	size_t got = 0;

	ck_assert_int_eq(read_pipe(0, 100, &got, &err), 0);
	ck_assert_uint_eq(got, 0);
	ck_assert_int_eq(read_pipe(30000, 30000, &got, &err), 0);
	ck_assert_uint_eq(got, 30000);
	tlsrpt_error_clear(&err);
	ck_assert_int_eq(read_pipe(30001, 30000, &got, &err), -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_LIMIT);
	ck_assert_str_eq(err.path, "pipe");
	ck_assert_str_eq(err.text, "larger than 30000 bytes (MaxMessageSize)");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("buf");
	TCase *tc = tcase_create("buf");

	tlsrpt_alloc_init();
	tcase_add_test(tc, test_growth);
	tcase_add_test(tc, test_exact_limit);
	tcase_add_test(tc, test_limit_plus_one);
	tcase_add_test(tc, test_alloc_failure);
	tcase_add_test(tc, test_steal_consume);
	tcase_add_test(tc, test_read_bounded);
	suite_add_tcase(s, tc);
	return test_run(s);
}
