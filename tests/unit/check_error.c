/* SPDX-License-Identifier: BSD-2-Clause */
/* check_error.c -- struct tlsrpt_error: the first error wins, the offset is
 * kept and shown, a deliberate replace overwrites. */
#include <check.h>
#include <glib.h>
#include <string.h>

#include "base/error.h"
#include "report/input.h"
#include "tests/unit/testutil.h"

START_TEST(test_first_wins)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	ck_assert(!tlsrpt_error_is_set(&err));
	ck_assert_int_eq(tlsrpt_error_set_at(&err, TLSRPT_ERR_INVALID, "a.b",
					     17, "inner %s", "reason"),
			 -1);
	ck_assert(tlsrpt_error_is_set(&err));
	/* An outer caller's general words do not hide the inner reason. */
	ck_assert_int_eq(tlsrpt_error_set(&err, TLSRPT_ERR_IO, "file",
					  "cannot read the file"),
			 -1);
	ck_assert_int_eq(
		tlsrpt_error_set_at(&err, TLSRPT_ERR_LIMIT, NULL, 3, "later"),
		-1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_INVALID);
	ck_assert_str_eq(err.path, "a.b");
	ck_assert_str_eq(err.text, "inner reason");
	ck_assert_int_eq(err.offset, 17);
	/* Cleared, it takes the next error. */
	tlsrpt_error_clear(&err);
	ck_assert_int_eq(err.offset, TLSRPT_ERROR_NO_OFFSET);
	tlsrpt_error_set(&err, TLSRPT_ERR_IO, NULL, "next");
	ck_assert_str_eq(err.text, "next");
	ck_assert_int_eq(err.offset, TLSRPT_ERROR_NO_OFFSET);
	/* NULL is allowed and still says -1. */
	ck_assert_int_eq(tlsrpt_error_set(NULL, TLSRPT_ERR_IO, NULL, "x"), -1);
}
END_TEST

START_TEST(test_replace)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	tlsrpt_error_set_at(&err, TLSRPT_ERR_INVALID, "p", 5, "first");
	ck_assert_int_eq(tlsrpt_error_replace(&err, TLSRPT_ERR_LIMIT, NULL,
					      "on purpose %d", 2),
			 -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_LIMIT);
	ck_assert_str_eq(err.path, "");
	ck_assert_str_eq(err.text, "on purpose 2");
	ck_assert_int_eq(err.offset, TLSRPT_ERROR_NO_OFFSET);
}
END_TEST

START_TEST(test_format_offset)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char buf[TLSRPT_ERROR_PATH_MAX + TLSRPT_ERROR_TEXT_MAX + 40];

	tlsrpt_error_set(&err, TLSRPT_ERR_INVALID, "x", "no place");
	ck_assert_str_eq(tlsrpt_error_format(&err, buf, sizeof(buf)),
			 "x: no place");
	tlsrpt_error_clear(&err);
	tlsrpt_error_set_at(&err, TLSRPT_ERR_INVALID, "x", 0, "at the start");
	ck_assert_str_eq(tlsrpt_error_format(&err, buf, sizeof(buf)),
			 "x: at the start (at byte 0)");
	tlsrpt_error_clear(&err);
	tlsrpt_error_set_at(&err, TLSRPT_ERR_INVALID, NULL, 4242, "bad");
	ck_assert_str_eq(tlsrpt_error_format(&err, buf, sizeof(buf)),
			 "bad (at byte 4242)");
	/* A negative offset is "unknown", whatever number a caller had. */
	tlsrpt_error_clear(&err);
	tlsrpt_error_set_at(&err, TLSRPT_ERR_INVALID, NULL, -7, "bad");
	ck_assert_int_eq(err.offset, TLSRPT_ERROR_NO_OFFSET);
	ck_assert_str_eq(tlsrpt_error_format(&err, buf, sizeof(buf)), "bad");
}
END_TEST

/* Through the whole parse path: the JSON error of a bare report and of a
 * report part in a message keeps jansson's position, and the message says
 * where. */
START_TEST(test_json_offset_through_input)
{
	static const char bad[] = "{\"organization-name\": \"x\", oops}";
	struct tlsrpt_limits limits;
	struct tlsrpt_input *in = NULL;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char buf[TLSRPT_ERROR_PATH_MAX + TLSRPT_ERROR_TEXT_MAX + 40];
	char *msg;

	tlsrpt_limits_default(&limits);
	ck_assert_int_eq(
		tlsrpt_input_parse(bad, strlen(bad), &limits, &in, &err), -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_INVALID);
	/* jansson's position: just after the token it could not take. */
	ck_assert_int_eq(err.offset, (long)(strstr(bad, "oops") - bad) + 4);
	ck_assert_ptr_nonnull(strstr(
		tlsrpt_error_format(&err, buf, sizeof(buf)), "(at byte 31)"));
	tlsrpt_input_free(in);

	msg = g_strdup_printf("From: a@example.com\r\n"
			      "MIME-Version: 1.0\r\n"
			      "Content-Type: application/tlsrpt+json\r\n"
			      "\r\n%s\r\n",
			      bad);
	in = NULL;
	tlsrpt_error_clear(&err);
	ck_assert_int_eq(
		tlsrpt_input_parse(msg, strlen(msg), &limits, &in, &err), -1);
	ck_assert_uint_eq(in->n_items, 1);
	ck_assert_int_eq(in->items[0].error.offset, 31);
	ck_assert_int_eq(err.offset, 31);
	tlsrpt_input_free(in);
	g_free(msg);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("error");
	TCase *tc = tcase_create("error");

	tlsrpt_parser_init();
	tcase_add_test(tc, test_first_wins);
	tcase_add_test(tc, test_replace);
	tcase_add_test(tc, test_format_offset);
	tcase_add_test(tc, test_json_offset_through_input);
	suite_add_tcase(s, tc);
	return test_run(s);
}
