/* SPDX-License-Identifier: BSD-2-Clause */
/* check_inflate.c -- bounded gunzip: formats, truncation, corruption,
 * bombs and the exact limits. Compressed data is made here with zlib. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/alloc.h"
#include "report/inflate.h"
#include "report/limits.h"
#include "tests/unit/testutil.h"

#define GZIP_BITS (16 + MAX_WBITS)
#define ZLIB_BITS MAX_WBITS

static const char report[] =
	"{\"organization-name\":\"Example Inc.\",\"date-range\":{"
	"\"start-datetime\":\"2024-09-03T00:00:00Z\",\"end-datetime\":"
	"\"2024-09-03T23:59:59Z\"},\"contact-info\":\"tlsrpt@example.com\","
	"\"report-id\":\"2024-09-03T00:00:00Z_example.net\",\"policies\":[{"
	"\"policy\":{\"policy-type\":\"sts\",\"policy-string\":[\"version: "
	"STSv1\",\"mode: testing\",\"mx: mx.example.net\",\"max_age: 86400\"],"
	"\"policy-domain\":\"example.net\"},\"summary\":{"
	"\"total-successful-session-count\":48,"
	"\"total-failure-session-count\":0}}]}";

/* Compress len bytes with the given window bits; malloc'd, *out_len set. */
static unsigned char *
compress_with(const void *data, size_t len, int bits, size_t *out_len)
{
	z_stream zs;
	unsigned char *out;
	size_t cap;

	memset(&zs, 0, sizeof(zs));
	ck_assert_int_eq(
		deflateInit2(&zs, 9, Z_DEFLATED, bits, 9, Z_DEFAULT_STRATEGY),
		Z_OK);
	cap = deflateBound(&zs, len) + 64;
	out = malloc(cap);
	ck_assert_ptr_nonnull(out);
	zs.next_in = (Bytef *)(uintptr_t)data;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
	*out_len = zs.total_out;
	deflateEnd(&zs);
	return out;
}

static unsigned char *
gzip_of(const void *data, size_t len, size_t *out_len)
{
	return compress_with(data, len, GZIP_BITS, out_len);
}

static struct tlsrpt_limits
defaults(void)
{
	struct tlsrpt_limits l;

	tlsrpt_limits_default(&l);
	return l;
}

START_TEST(test_gzip)
{
	struct tlsrpt_limits l = defaults();
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	unsigned char *gz, *out;
	size_t gz_len, out_len;

	gz = gzip_of(report, strlen(report), &gz_len);
	ck_assert_int_eq(tlsrpt_inflate(gz, gz_len, &l, &out, &out_len, &err),
			 0);
	ck_assert_uint_eq(out_len, strlen(report));
	ck_assert(memcmp(out, report, out_len) == 0);
	ck_assert_int_eq(out[out_len], '\0');
	tlsrpt_free(out);
	free(gz);
}
END_TEST

START_TEST(test_zlib)
{
	struct tlsrpt_limits l = defaults();
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	unsigned char *z, *out;
	size_t z_len, out_len;

	z = compress_with(report, strlen(report), ZLIB_BITS, &z_len);
	ck_assert_int_eq(z[0], 0x78);
	ck_assert_int_eq(tlsrpt_inflate(z, z_len, &l, &out, &out_len, &err), 0);
	ck_assert_uint_eq(out_len, strlen(report));
	ck_assert(memcmp(out, report, out_len) == 0);
	tlsrpt_free(out);
	free(z);
}
END_TEST

START_TEST(test_multi_member)
{
	struct tlsrpt_limits l = defaults();
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	unsigned char *a, *b, *c, *both, *out;
	size_t a_len, b_len, c_len, out_len;
	const char *one = "{\"first\":", *two = "\"half\"", *three = "}";

	a = gzip_of(one, strlen(one), &a_len);
	b = gzip_of(two, strlen(two), &b_len);
	c = gzip_of(three, strlen(three), &c_len);
	both = malloc(a_len + b_len + c_len);
	memcpy(both, a, a_len);
	memcpy(both + a_len, b, b_len);
	memcpy(both + a_len + b_len, c, c_len);
	ck_assert_int_eq(tlsrpt_inflate(both, a_len + b_len + c_len, &l, &out,
					&out_len, &err),
			 0);
	ck_assert_str_eq((char *)out, "{\"first\":\"half\"}");
	ck_assert_uint_eq(out_len, 16);
	tlsrpt_free(out);
	/* A member that starts but does not finish is truncation. */
	tlsrpt_error_clear(&err);
	ck_assert_int_eq(tlsrpt_inflate(both, a_len + b_len / 2, &l, &out,
					&out_len, &err),
			 -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_INVALID);
	ck_assert_ptr_null(out);
	free(a);
	free(b);
	free(c);
	free(both);
}
END_TEST

/* Bytes after the last member that do not start a gzip member are
 * ignored, as gzip(1) does (see inflate.c). */
START_TEST(test_trailing_bytes)
{
	struct tlsrpt_limits l = defaults();
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	unsigned char *gz, *padded, *out;
	size_t gz_len, out_len;

	gz = gzip_of(report, strlen(report), &gz_len);
	padded = calloc(1, gz_len + 8);
	memcpy(padded, gz, gz_len);
	memcpy(padded + gz_len, "\r\n", 2);
	ck_assert_int_eq(
		tlsrpt_inflate(padded, gz_len + 8, &l, &out, &out_len, &err),
		0);
	ck_assert_uint_eq(out_len, strlen(report));
	tlsrpt_free(out);
	/* Garbage that claims to be another member is corrupt. */
	memcpy(padded + gz_len, "\x1f\x8bxxxxxx", 8);
	tlsrpt_error_clear(&err);
	ck_assert_int_eq(
		tlsrpt_inflate(padded, gz_len + 8, &l, &out, &out_len, &err),
		-1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_INVALID);
	free(padded);
	free(gz);
}
END_TEST

START_TEST(test_empty)
{
	struct tlsrpt_limits l = defaults();
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	unsigned char *gz, *out = (unsigned char *)"x";
	size_t gz_len, out_len = 7;

	ck_assert_int_eq(tlsrpt_inflate("", 0, &l, &out, &out_len, &err), -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_INVALID);
	ck_assert_ptr_null(out);
	ck_assert_uint_eq(out_len, 0);
	ck_assert_ptr_nonnull(strstr(err.text, "empty"));
	/* A valid stream of nothing is an empty (NUL-terminated) output. */
	gz = gzip_of("", 0, &gz_len);
	tlsrpt_error_clear(&err);
	ck_assert_int_eq(tlsrpt_inflate(gz, gz_len, &l, &out, &out_len, &err),
			 0);
	ck_assert_uint_eq(out_len, 0);
	ck_assert_int_eq(out[0], '\0');
	tlsrpt_free(out);
	free(gz);
}
END_TEST

START_TEST(test_truncated)
{
	struct tlsrpt_limits l = defaults();
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	unsigned char *gz, *out, *z;
	size_t gz_len, z_len, out_len, cut;

	gz = gzip_of(report, strlen(report), &gz_len);
	for (cut = 1; cut < gz_len; cut++) {
		tlsrpt_error_clear(&err);
		ck_assert_msg(
			tlsrpt_inflate(gz, cut, &l, &out, &out_len, &err) == -1,
			"cut at %zu of %zu accepted", cut, gz_len);
		ck_assert_int_eq(err.code, TLSRPT_ERR_INVALID);
		ck_assert_msg(strstr(err.text, "truncated") != NULL,
			      "cut at %zu: %s", cut, err.text);
		ck_assert_ptr_null(out);
	}
	z = compress_with(report, strlen(report), ZLIB_BITS, &z_len);
	for (cut = 1; cut < z_len; cut++) {
		tlsrpt_error_clear(&err);
		ck_assert_int_eq(
			tlsrpt_inflate(z, cut, &l, &out, &out_len, &err), -1);
		ck_assert_int_eq(err.code, TLSRPT_ERR_INVALID);
	}
	free(z);
	free(gz);
}
END_TEST

START_TEST(test_corrupt)
{
	struct tlsrpt_limits l = defaults();
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	unsigned char *gz, *out;
	size_t gz_len, out_len, i;
	static const unsigned char bad_block[] = {
		0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff,
	};

	/* Block type 3 does not exist: zlib's own words are passed on. */
	ck_assert_int_eq(tlsrpt_inflate(bad_block, sizeof(bad_block), &l, &out,
					&out_len, &err),
			 -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(err.text, "corrupt"));
	ck_assert_ptr_nonnull(strstr(err.text, "invalid block type"));

	/* Flip each byte past the header (mtime, XFL and OS are not
	 * checked): every flip is caught, by the deflate data, the CRC-32 or
	 * the length. */
	gz = gzip_of(report, strlen(report), &gz_len);
	for (i = 10; i < gz_len; i++) {
		gz[i] ^= 0x55;
		tlsrpt_error_clear(&err);
		ck_assert_msg(tlsrpt_inflate(gz, gz_len, &l, &out, &out_len,
					     &err) == -1,
			      "flip at %zu accepted", i);
		ck_assert_msg(err.code == TLSRPT_ERR_INVALID, "flip at %zu: %s",
			      i, err.text);
		gz[i] ^= 0x55;
	}
	/* Wrong CRC in the trailer. */
	gz[gz_len - 8] ^= 1;
	tlsrpt_error_clear(&err);
	ck_assert_int_eq(tlsrpt_inflate(gz, gz_len, &l, &out, &out_len, &err),
			 -1);
	ck_assert_ptr_nonnull(strstr(err.text, "incorrect data check"));
	free(gz);
	/* Not compressed at all. */
	tlsrpt_error_clear(&err);
	ck_assert_int_eq(tlsrpt_inflate(report, strlen(report), &l, &out,
					&out_len, &err),
			 -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_INVALID);
}
END_TEST

START_TEST(test_bomb_ratio)
{
	struct tlsrpt_limits l = defaults();
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	size_t n = 10u * 1024 * 1024, gz_len, out_len;
	unsigned char *zeros = calloc(1, n), *gz, *out;

	gz = gzip_of(zeros, n, &gz_len);
	ck_assert_uint_lt(gz_len * l.max_inflate_ratio, n);
	ck_assert_int_eq(tlsrpt_inflate(gz, gz_len, &l, &out, &out_len, &err),
			 -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_LIMIT);
	ck_assert_ptr_nonnull(strstr(err.text, "MaxInflateRatio"));
	ck_assert_ptr_null(out);
	free(gz);
	free(zeros);
}
END_TEST

START_TEST(test_bomb_size)
{
	struct tlsrpt_limits l = defaults();
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	size_t n = 10u * 1024 * 1024, gz_len, out_len;
	unsigned char *zeros = calloc(1, n), *gz, *out;

	l.max_inflate_ratio = 1000000;
	l.max_report_bytes = 1024 * 1024;
	gz = gzip_of(zeros, n, &gz_len);
	ck_assert_int_eq(tlsrpt_inflate(gz, gz_len, &l, &out, &out_len, &err),
			 -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_LIMIT);
	ck_assert_ptr_nonnull(strstr(err.text, "MaxReportSize"));
	ck_assert_ptr_null(out);
	/* With both bounds raised the same data inflates. */
	l.max_report_bytes = n;
	tlsrpt_error_clear(&err);
	ck_assert_int_eq(tlsrpt_inflate(gz, gz_len, &l, &out, &out_len, &err),
			 0);
	ck_assert_uint_eq(out_len, n);
	tlsrpt_free(out);
	free(gz);
	free(zeros);
}
END_TEST

START_TEST(test_exact_limits)
{
	struct tlsrpt_limits l = defaults();
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	size_t len = strlen(report), gz_len, out_len,
	       sizes[] = {1, 4095, 4096, 4097, 70000};
	unsigned char *gz, *out, *big;
	unsigned ratio;

	gz = gzip_of(report, len, &gz_len);
	l.max_report_bytes = len;
	ck_assert_int_eq(tlsrpt_inflate(gz, gz_len, &l, &out, &out_len, &err),
			 0);
	ck_assert_uint_eq(out_len, len);
	tlsrpt_free(out);
	l.max_report_bytes = len - 1;
	tlsrpt_error_clear(&err);
	ck_assert_int_eq(tlsrpt_inflate(gz, gz_len, &l, &out, &out_len, &err),
			 -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_LIMIT);
	ck_assert_ptr_nonnull(strstr(err.text, "MaxReportSize"));

	/* The smallest ratio that lets this report through, and one less. */
	l.max_report_bytes = 1024 * 1024;
	ratio = (unsigned)((len + gz_len - 1) / gz_len);
	l.max_inflate_ratio = ratio;
	tlsrpt_error_clear(&err);
	ck_assert_int_eq(tlsrpt_inflate(gz, gz_len, &l, &out, &out_len, &err),
			 0);
	tlsrpt_free(out);
	l.max_inflate_ratio = ratio - 1;
	tlsrpt_error_clear(&err);
	ck_assert_int_eq(tlsrpt_inflate(gz, gz_len, &l, &out, &out_len, &err),
			 -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_LIMIT);
	ck_assert_ptr_nonnull(strstr(err.text, "MaxInflateRatio"));
	free(gz);

	/* Sizes around the growth steps of the output buffer, at exactly
	 * the limit and one byte over it. */
	l.max_inflate_ratio = 1000000;
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t n = sizes[k];

		big = malloc(n);
		for (size_t i = 0; i < n; i++)
			big[i] = (unsigned char)('a' + i % 26);
		gz = gzip_of(big, n, &gz_len);
		l.max_report_bytes = n;
		tlsrpt_error_clear(&err);
		ck_assert_int_eq(
			tlsrpt_inflate(gz, gz_len, &l, &out, &out_len, &err),
			0);
		ck_assert_uint_eq(out_len, n);
		ck_assert(memcmp(out, big, n) == 0);
		ck_assert_int_eq(out[n], '\0');
		tlsrpt_free(out);
		l.max_report_bytes = n - 1;
		tlsrpt_error_clear(&err);
		ck_assert_int_eq(
			tlsrpt_inflate(gz, gz_len, &l, &out, &out_len, &err),
			-1);
		ck_assert_int_eq(err.code, TLSRPT_ERR_LIMIT);
		free(gz);
		free(big);
	}
}
END_TEST

/* Every allocation, zlib's own included, may fail: the call says so and
 * frees what it took (ASan and valgrind check the second half). */
START_TEST(test_alloc_failure)
{
	struct tlsrpt_limits l = defaults();
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	unsigned char *gz, *out;
	size_t gz_len, out_len, n = 20000;
	unsigned char *data = malloc(n);
	unsigned long fail_at;
	int rc;

	for (size_t i = 0; i < n; i++)
		data[i] = (unsigned char)(i * 7 % 251);
	gz = gzip_of(data, n, &gz_len);
	for (fail_at = 1;; fail_at++) {
		tlsrpt_alloc_fail_after(fail_at);
		tlsrpt_error_clear(&err);
		rc = tlsrpt_inflate(gz, gz_len, &l, &out, &out_len, &err);
		tlsrpt_alloc_fail_after(0);
		if (rc == 0)
			break;
		ck_assert_int_eq(err.code, TLSRPT_ERR_NOMEM);
		ck_assert_ptr_null(out);
		ck_assert_uint_lt(fail_at, 100);
	}
	ck_assert_uint_gt(fail_at, 2); /* the buffer and zlib's state */
	ck_assert_uint_eq(out_len, n);
	ck_assert(memcmp(out, data, n) == 0);
	tlsrpt_free(out);
	free(gz);
	free(data);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("inflate");
	TCase *tc = tcase_create("inflate");

	tlsrpt_alloc_init();
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_gzip);
	tcase_add_test(tc, test_zlib);
	tcase_add_test(tc, test_multi_member);
	tcase_add_test(tc, test_trailing_bytes);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_corrupt);
	tcase_add_test(tc, test_bomb_ratio);
	tcase_add_test(tc, test_bomb_size);
	tcase_add_test(tc, test_exact_limits);
	tcase_add_test(tc, test_alloc_failure);
	suite_add_tcase(s, tc);
	return test_run(s);
}
