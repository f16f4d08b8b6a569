/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_json_stream.c -- a document written a value at a time
 * (summary/json_stream.h) is byte for byte json_dumpf()'s form of the
 * whole tree, wherever the writer opens containers itself and wherever it
 * hands jansson a whole subtree: random splits of a document with empty
 * and nested containers, escaped line feeds, reals and nulls, and of the
 * summary's golden JSON. A value that could not be built (NULL) is left
 * out, as jansson leaves it out of a tree; a full disk is an error.
 */
#include <check.h>
#include <errno.h>
#include <glib.h>

#include "tests/unit/testutil.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "summary/json_stream.h"

#define FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))

/* Keys need no escaping: the writer takes them as the renderer's constants. */
static const char doc_text[] =
	"{\"schema\": \"s/1\", \"n\": 3, \"r\": 33.33, \"z\": null,"
	" \"e\": [], \"o\": {}, \"t\": true,"
	" \"text\": \"two\\nlines \\\"quoted\\\" \\u00e9\","
	" \"rows\": [{\"a\": 1, \"b\": [], \"c\": {\"d\": [1, 2, {}]}},"
	"           {\"a\": 2, \"b\": [\"x\\ny\"], \"c\": {}}, [], [[[]]]],"
	" \"silence\": {\"reporters\": [{\"x\": 0.1}], \"domains\": []},"
	" \"last\": {\"deep\": {\"deeper\": [[{\"k\": -1e-300}]]}}}";

/* A small deterministic generator, so a failure can be replayed. */
static uint64_t
next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Writes v as the item key of the open container: a container opened by
 * the writer (its items in turn) or handed whole to jansson, by a coin. */
static void
stream(struct summary_json_stream *w, const char *key, json_t *v,
       uint64_t *seed)
{
	const char *k;
	json_t *x;
	size_t i;

	if (!json_is_object(v) && !json_is_array(v)) {
		summary_json_put(w, key, json_incref(v));
		return;
	}
	if (next_rand(seed) % 2 == 0) {
		summary_json_put(w, key, json_incref(v));
		return;
	}
	if (json_is_object(v)) {
		summary_json_begin(w, key, '{');
		json_object_foreach(v, k, x) stream(w, k, x, seed);
		summary_json_end(w, '}');
	} else {
		summary_json_begin(w, key, '[');
		json_array_foreach(v, i, x) stream(w, NULL, x, seed);
		summary_json_end(w, ']');
	}
}

/* The document streamed with the splits of seed, as a string. */
static char *
streamed(json_t *doc, uint64_t seed)
{
	struct summary_json_stream w;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	const char *k;
	json_t *x;

	ck_assert_ptr_nonnull(f);
	summary_json_open(&w, f);
	json_object_foreach(doc, k, x) stream(&w, k, x, &seed);
	ck_assert_int_eq(summary_json_close(&w), 0);
	fclose(f);
	return buf;
}

/* Every split of doc gives json_dumps()'s text and its line feed. */
static void
check_splits(json_t *doc, int n)
{
	char *whole = json_dumps(doc, FLAGS);
	char *want = g_strconcat(whole, "\n", NULL);

	for (int seed = 1; seed <= n; seed++) {
		char *got = streamed(doc, (uint64_t)seed * 0x9e3779b97f4a7c15u);

		if (strcmp(got, want) != 0)
			ck_abort_msg("seed %d:\n%s\nwant:\n%s", seed, got,
				     want);
		free(got);
	}
	g_free(want);
	free(whole);
}

START_TEST(test_splits)
{
	json_error_t e;
	json_t *doc = json_loads(doc_text, 0, &e);

	ck_assert_msg(doc != NULL, "%s", e.text);
	check_splits(doc, 500);
	json_decref(doc);
}
END_TEST

/* The summary's golden document, loaded and streamed, is itself again. */
START_TEST(test_golden_document)
{
	char path[4096], *text, *got;
	size_t len;
	json_error_t e;
	json_t *doc;

	snprintf(path, sizeof(path), "%s/summary/expected.json",
		 test_data_dir());
	text = test_read_file(path, &len);
	ck_assert_ptr_nonnull(text);
	doc = json_loads(text, 0, &e);
	ck_assert_msg(doc != NULL, "%s", e.text);
	check_splits(doc, 50);
	got = streamed(doc, 7);
	ck_assert_str_eq(got, text);
	free(got);
	free(text);
	json_decref(doc);
}
END_TEST

/* The writer dumps values itself (not through jansson's callback): every
 * ASCII byte and some UTF-8 in strings and keys, integers at their
 * limits, reals of every shape are jansson's bytes, nested at any depth. */
START_TEST(test_scalars_as_jansson)
{
	static const double reals[] = {0.0,	 -0.0, 1.0,    100.0, 99.99,
				       33.33,	 0.1,  1e-300, 1e300, -1.5e17,
				       123456.7, 1e15, 1e16,   2.5e-7};
	json_t *doc = json_object(), *arr = json_array(), *o = json_object();
	char s[2], key[8];

	for (int c = 1; c < 0x80; c++) {
		s[0] = (char)c;
		s[1] = '\0';
		json_array_append_new(arr, json_string(s));
		snprintf(key, sizeof(key), "k%c", c);
		json_object_set_new(o, key, json_integer(c));
	}
	json_array_append_new(arr,
			      json_string("\xc3\xa9 \xe2\x82\xac "
					  "\xf0\x9f\x98\x80 a\\b\"c/d\x7f"));
	json_array_append_new(arr, json_integer(INT64_MIN));
	json_array_append_new(arr, json_integer(INT64_MAX));
	json_array_append_new(arr, json_integer(0));
	for (size_t i = 0; i < sizeof(reals) / sizeof(reals[0]); i++)
		json_array_append_new(arr, json_real(reals[i]));
	json_array_append_new(arr, json_true());
	json_array_append_new(arr, json_false());
	json_array_append_new(arr, json_null());
	json_object_set_new(doc, "strings", arr);
	check_splits(doc, 50);
	/* The writer's own keys are constants; keys within a value are
	 * escaped: the value put whole, never split. */
	json_object_set_new(doc, "keys", o);
	{
		struct summary_json_stream w;
		char *buf = NULL, *whole = json_dumps(doc, FLAGS);
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		const char *k;
		json_t *x;

		ck_assert_ptr_nonnull(f);
		summary_json_open(&w, f);
		json_object_foreach(doc, k, x)
			summary_json_put(&w, k, json_incref(x));
		ck_assert_int_eq(summary_json_close(&w), 0);
		fclose(f);
		ck_assert_uint_eq(len, strlen(whole) + 1);
		ck_assert(memcmp(buf, whole, len - 1) == 0);
		free(buf);
		free(whole);
	}
	json_decref(doc);
}
END_TEST

/* The scalars written without a json_t are what summary_json_put() of
 * the json_t writes: json_real(n / 100.0) for n across the range (both
 * signs, whole numbers, one and two decimals, past 15 digits), strings
 * with escapes and UTF-8, invalid UTF-8 left out, NULL as null. */
static char *
written(int direct, int64_t n, const char *s)
{
	struct summary_json_stream w;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	summary_json_open(&w, f);
	summary_json_begin(&w, "o", '{');
	if (direct) {
		summary_json_hundredths(&w, "r", n);
		summary_json_int(&w, "i", n);
		summary_json_str(&w, "s", s);
	} else {
		summary_json_put(&w, "r", json_real((double)n / 100.0));
		summary_json_put(&w, "i", json_integer(n));
		summary_json_put(&w, "s",
				 s != NULL ? json_string(s) : json_null());
	}
	summary_json_end(&w, '}');
	ck_assert_int_eq(summary_json_close(&w), 0);
	fclose(f);
	return buf;
}

START_TEST(test_direct_scalars)
{
	static const int64_t edge[] = {0,
				       1,
				       -1,
				       5,
				       10,
				       -10,
				       99,
				       100,
				       -100,
				       9999,
				       10000,
				       12345,
				       -12345,
				       999999999999LL,
				       9999999999999LL,
				       10000000000000LL,
				       -10000000000001LL,
				       123456789012345678LL,
				       INT64_MAX,
				       INT64_MIN + 1};
	static const char *const strs[] = {"plain",
					   "",
					   "a\"b\\c\n\t\x01\x1f\x7f/",
					   "\xc3\xa9t\xc3\xa9",
					   "bad \xff byte",
					   "\xed\xa0\x80 surrogate",
					   NULL};
	uint64_t seed = 42;

	for (size_t i = 0; i < sizeof(edge) / sizeof(edge[0]); i++) {
		for (size_t j = 0; j < sizeof(strs) / sizeof(strs[0]); j++) {
			char *got = written(1, edge[i], strs[j]);
			char *want = written(0, edge[i], strs[j]);

			ck_assert_str_eq(got, want);
			free(got);
			free(want);
		}
	}
	/* Random values, all in one document each way (one stream per value
	 * took too long under ASan on a loaded machine). */
	{
		struct summary_json_stream w[2];
		char *buf[2] = {NULL, NULL};
		size_t len[2] = {0, 0};
		FILE *f[2];

		for (int k = 0; k < 2; k++) {
			f[k] = open_memstream(&buf[k], &len[k]);
			ck_assert_ptr_nonnull(f[k]);
			summary_json_open(&w[k], f[k]);
		}
		for (int i = 0; i < 20000; i++) {
			int64_t n =
				(int64_t)(next_rand(&seed) % 2000001) - 1000000;

			if (i % 2 == 1)
				n *= (int64_t)(next_rand(&seed) % 10000000);
			summary_json_hundredths(&w[0], "r", n);
			summary_json_put(&w[1], "r",
					 json_real((double)n / 100.0));
		}
		for (int k = 0; k < 2; k++) {
			ck_assert_int_eq(summary_json_close(&w[k]), 0);
			fclose(f[k]);
		}
		ck_assert_str_eq(buf[0], buf[1]);
		free(buf[0]);
		free(buf[1]);
	}
	ck_assert_int_eq(summary_json_valid(NULL), 1);
	ck_assert_int_eq(summary_json_valid("\xc3\xa9"), 1);
	ck_assert_int_eq(summary_json_valid("\xc3"), 0);
}
END_TEST

/* json_string() of invalid UTF-8 is NULL: left out, as in a tree. */
START_TEST(test_null_left_out)
{
	struct summary_json_stream w;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	summary_json_open(&w, f);
	summary_json_put(&w, "a", json_integer(1));
	summary_json_put(&w, "bad", json_string("\xff"));
	summary_json_begin(&w, "v", '[');
	summary_json_put(&w, NULL, json_string("\xfe"));
	summary_json_end(&w, ']');
	ck_assert_int_eq(summary_json_close(&w), 0);
	fclose(f);
	ck_assert_str_eq(buf, "{\n  \"a\": 1,\n  \"v\": []\n}\n");
	free(buf);
}
END_TEST

START_TEST(test_full_disk)
{
	struct summary_json_stream w;
	FILE *f = fopen("/dev/full", "w");

	if (f == NULL) {
		test_skip("no /dev/full: write error test not run");
		return;
	}
	summary_json_open(&w, f);
	summary_json_put(&w, "a", json_string("x"));
	ck_assert_int_eq(summary_json_close(&w), -1);
	fclose(f);
}
END_TEST

/* A sink that takes `room` bytes, then fails every write and counts the
 * writes tried after the first failure. */
struct sink {
	size_t room;
	int failed, tried_after;
};

static ssize_t
sink_write(void *cookie, const char *buf, size_t n)
{
	struct sink *k = cookie;

	(void)buf;
	if (k->failed)
		k->tried_after++;
	if (k->failed || n > k->room) {
		k->failed = 1;
		errno = ENOSPC;
		return -1;
	}
	k->room -= n;
	return (ssize_t)n;
}

/* A closed pipe or a full disk fails again at every write: after the
 * first failure nothing more is tried, for values, containers or the
 * close alike, and the close says the document is broken. */
START_TEST(test_no_write_after_error)
{
	struct summary_json_stream w;
	struct sink k = {.room = 4};
	cookie_io_functions_t io = {.write = sink_write};
	FILE *f = fopencookie(&k, "w", io);

	ck_assert_ptr_nonnull(f);
	setvbuf(f, NULL, _IONBF, 0);
	summary_json_open(&w, f);
	summary_json_put(&w, "a", json_string("longer than the room"));
	ck_assert_int_eq(k.failed, 1);
	k.tried_after = 0;
	summary_json_begin(&w, "v", '[');
	summary_json_put(&w, NULL, json_integer(1));
	summary_json_end(&w, ']');
	summary_json_begin(&w, "o", '{');
	summary_json_end(&w, '}');
	errno = ENOMEM; /* as building the next values may leave it */
	ck_assert_int_eq(summary_json_close(&w), -1);
	ck_assert_int_eq(errno, ENOSPC);
	ck_assert_int_eq(k.tried_after, 0);
	fclose(f);
}
END_TEST

/* The rows of a list nested in an object (the silent reporters in
 * "silence") are not all held until the object ends: the writer's buffer
 * stays under SUMMARY_JSON_FLUSH_AT and a row, and the document is still
 * jansson's. */
START_TEST(test_nested_rows_flushed)
{
	struct summary_json_stream w;
	json_t *tree = json_object(), *sil = json_object(), *v = json_array();
	char *mem = NULL, *want;
	size_t len = 0, most = 0;
	FILE *f = open_memstream(&mem, &len);

	ck_assert_ptr_nonnull(f);
	json_object_set_new(tree, "silence", sil);
	json_object_set_new(sil, "reporters", v);
	summary_json_open(&w, f);
	summary_json_begin(&w, "silence", '{');
	summary_json_begin(&w, "reporters", '[');
	for (int i = 0; i < 20000; i++) {
		json_t *e = json_pack("{s:s, s:i}", "domain", "d.example",
				      "interval-seconds", i);

		json_array_append(v, e);
		summary_json_put(&w, NULL, e);
		if (w.buf->len > most)
			most = w.buf->len;
	}
	summary_json_end(&w, ']');
	summary_json_end(&w, '}');
	ck_assert_int_eq(summary_json_close(&w), 0);
	fclose(f);
	ck_assert_uint_lt(most, SUMMARY_JSON_FLUSH_AT + 200);
	want = json_dumps(tree, FLAGS);
	ck_assert_ptr_nonnull(want);
	ck_assert_uint_gt(strlen(want), 10 * SUMMARY_JSON_FLUSH_AT);
	ck_assert_uint_eq(len, strlen(want) + 1);
	ck_assert_int_eq(memcmp(mem, want, strlen(want)), 0);
	ck_assert_int_eq(mem[len - 1], '\n');
	free(want);
	free(mem);
	json_decref(tree);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("json_stream");
	TCase *tc = tcase_create("core");

	tlsrpt_alloc_init();
	tcase_add_test(tc, test_splits);
	tcase_add_test(tc, test_golden_document);
	tcase_add_test(tc, test_scalars_as_jansson);
	tcase_add_test(tc, test_direct_scalars);
	tcase_add_test(tc, test_null_left_out);
	tcase_add_test(tc, test_full_disk);
	tcase_add_test(tc, test_no_write_after_error);
	tcase_add_test(tc, test_nested_rows_flushed);
	suite_add_tcase(s, tc);
	return test_run(s);
}
