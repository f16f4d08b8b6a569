/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_sanitize.c -- every sink function of report/sanitize.h against the
 * shared hostile strings (tests/data/hostile-strings.json) plus invalid
 * UTF-8 (which a store cannot hold, but a sink must survive): what each
 * sink promises is checked on its output, and where the sink is meant to
 * keep the text (CSV, HTML, Prometheus) the output is decoded back and
 * compared with the input.
 */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "report/sanitize.h"
#include "tests/unit/testutil.h"

/* NULL-terminated; freed by free_strings(). */
static char **
hostile_strings(void)
{
	static const char *const extra[] = {
		"bad \xff\xfe utf-8 \xc3",
		"overlong \xc0\xaf and surrogate \xed\xa0\x80",
		"=\xff formula with a bad byte",
	};
	char path[512];
	json_error_t jerr;
	json_t *a;
	char **v;
	size_t n, i;

	snprintf(path, sizeof(path), "%s/hostile-strings.json",
		 test_data_dir());
	a = json_load_file(path, 0, &jerr);
	ck_assert_msg(a != NULL && json_is_array(a), "%s: %s", path, jerr.text);
	n = json_array_size(a);
	ck_assert_uint_gt(n, 10);
	v = calloc(n + 4, sizeof(*v));
	for (i = 0; i < n; i++)
		v[i] = strdup(json_string_value(json_array_get(a, i)));
	for (size_t j = 0; j < 3; j++)
		v[i++] = strdup(extra[j]);
	json_decref(a);
	return v;
}

static void
free_strings(char **v)
{
	for (size_t i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* Nothing a terminal, a log or a header acts on: no C0, DEL, C1, bidi
 * control or line separator, and valid UTF-8. */
static void
assert_inert(const char *what, const char *in, const char *out)
{
	ck_assert_msg(g_utf8_validate(out, -1, NULL),
		      "%s: not UTF-8 for input \"%s\"", what, in);
	for (const char *q = out; *q != '\0'; q = g_utf8_next_char(q)) {
		gunichar c = g_utf8_get_char(q);

		ck_assert_msg(!(c < 0x20 || (c >= 0x7f && c <= 0x9f) ||
				c == 0x61c || c == 0x200e || c == 0x200f ||
				(c >= 0x2028 && c <= 0x202e) ||
				(c >= 0x2066 && c <= 0x2069)),
			      "%s: U+%04X left in \"%s\"", what, (unsigned)c,
			      out);
	}
}

static char *
run(sanitize_fn *fn, const char *s)
{
	return sanitize_dup(fn, s);
}

START_TEST(terminal_and_log)
{
	char **v = hostile_strings();

	for (size_t i = 0; v[i] != NULL; i++) {
		char *t = run(sanitize_text, v[i]),
		     *l = run(sanitize_log, v[i]);

		assert_inert("text", v[i], t);
		assert_inert("log", v[i], l);
		g_free(t);
		g_free(l);
	}
	free_strings(v);
	/* Visible escapes on a terminal, '?' in a log. */
	{
		char *t = run(sanitize_text,
			      "a\x1b[31m\r\n\xc2\x9b\xe2\x80\xae\xff");
		char *l = run(sanitize_log, "a\x1b[31m\r\n");

		ck_assert_str_eq(t, "a\\x1b[31m\\r\\n\\u009b\\u202e\\xff");
		ck_assert_str_eq(l, "a?[31m??");
		g_free(t);
		g_free(l);
	}
	/* The sender's own backslash is escaped: "\\n" written by a
	 * report must not read as our escape of a line break. */
	{
		char *t = run(sanitize_text, "org\\nFAKE\n");

		ck_assert_str_eq(t, "org\\\\nFAKE\\n");
		g_free(t);
	}
	/* Overlong forms and surrogates are not UTF-8 (GLib's decoder). */
	{
		char *t = run(sanitize_text, "\xc0\xaf\xed\xa0\x80");

		ck_assert_str_eq(t, "\\xc0\\xaf\\xed\\xa0\\x80");
		g_free(t);
	}
}
END_TEST

START_TEST(header_one_line)
{
	char **v = hostile_strings();

	for (size_t i = 0; v[i] != NULL; i++) {
		char *h = run(sanitize_header, v[i]);
		size_t n = strlen(h);

		assert_inert("header", v[i], h);
		ck_assert_msg(strstr(h, "  ") == NULL, "double space: %s", h);
		ck_assert_msg(n == 0 || (h[0] != ' ' && h[n - 1] != ' '),
			      "space at an end: \"%s\"", h);
		g_free(h);
	}
	free_strings(v);
}
END_TEST

/* Reads one CSV field back: the text a spreadsheet gets. */
static char *
csv_unquote(const char *f)
{
	GString *s = g_string_new(NULL);

	if (f[0] != '"')
		return g_string_free(g_string_append(s, f), FALSE);
	for (const char *p = f + 1; *p != '\0'; p++) {
		if (*p == '"') {
			ck_assert_msg(p[1] == '"' || p[1] == '\0',
				      "lone quote in %s", f);
			if (p[1] == '\0')
				break;
			p++;
		}
		g_string_append_c(s, *p);
	}
	return g_string_free(s, FALSE);
}

START_TEST(csv_no_formula)
{
	char **v = hostile_strings();

	for (size_t i = 0; v[i] != NULL; i++) {
		char *f = run(sanitize_csv, v[i]);
		char *cell = csv_unquote(f);

		ck_assert_msg(g_utf8_validate(f, -1, NULL), "not UTF-8: %s", f);
		ck_assert_msg(cell[0] == '\0' ||
				      strchr("=+-@\t\r", cell[0]) == NULL,
			      "formula cell: %s", cell);
		if (strpbrk(v[i], ",\"\r\n") != NULL)
			ck_assert_msg(f[0] == '"', "not quoted: %s", f);
		/* Valid text comes back as it was, with the quote mark
		 * before a formula. */
		if (g_utf8_validate(v[i], -1, NULL)) {
			int formula = v[i][0] != '\0' &&
				      strchr("=+-@\t\r", v[i][0]) != NULL;
			char *want =
				g_strconcat(formula ? "'" : "", v[i], NULL);

			ck_assert_str_eq(cell, want);
			g_free(want);
		}
		g_free(f);
		g_free(cell);
	}
	free_strings(v);
	{
		char *f = run(sanitize_csv, "=1+2");

		ck_assert_str_eq(f, "\"'=1+2\"");
		g_free(f);
	}
}
END_TEST

/* Decodes the five references sanitize_html writes. */
static char *
html_unescape(const char *s)
{
	static const struct {
		const char *ref, *ch;
	} refs[] = {{"&amp;", "&"},
		    {"&lt;", "<"},
		    {"&gt;", ">"},
		    {"&quot;", "\""},
		    {"&#39;", "'"}};
	GString *out = g_string_new(NULL);

	for (const char *p = s; *p != '\0';) {
		size_t k;

		for (k = 0; k < 5; k++) {
			size_t n = strlen(refs[k].ref);

			if (strncmp(p, refs[k].ref, n) == 0) {
				g_string_append(out, refs[k].ch);
				p += n;
				break;
			}
		}
		ck_assert_msg(k < 5 || *p != '&', "raw & in %s", s);
		if (k == 5)
			g_string_append_c(out, *p++);
	}
	return g_string_free(out, FALSE);
}

START_TEST(html_inert)
{
	char **v = hostile_strings();

	for (size_t i = 0; v[i] != NULL; i++) {
		char *h = run(sanitize_html, v[i]), *back;

		ck_assert_msg(g_utf8_validate(h, -1, NULL), "not UTF-8: %s", h);
		ck_assert_msg(strpbrk(h, "<>\"'") == NULL, "markup left: %s",
			      h);
		back = html_unescape(h);
		/* Text without forbidden characters comes back whole. */
		if (g_utf8_validate(v[i], -1, NULL) &&
		    strpbrk(v[i], "\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c"
				  "\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16"
				  "\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f") ==
			    NULL &&
		    strstr(v[i], "\xc2\x9b") == NULL &&
		    strstr(v[i], "\xc2\x85") == NULL)
			ck_assert_str_eq(back, v[i]);
		g_free(back);
		g_free(h);
	}
	free_strings(v);
}
END_TEST

START_TEST(prometheus_label)
{
	char **v = hostile_strings();

	for (size_t i = 0; v[i] != NULL; i++) {
		char *l = run(sanitize_prom_label, v[i]);
		GString *back = g_string_new(NULL);

		ck_assert_msg(g_utf8_validate(l, -1, NULL), "not UTF-8: %s", l);
		ck_assert_msg(strchr(l, '\n') == NULL, "line feed in %s", l);
		for (const char *p = l; *p != '\0'; p++) {
			if (*p == '\\') {
				p++;
				ck_assert_msg(*p == '\\' || *p == '"' ||
						      *p == 'n',
					      "bad escape in %s", l);
				g_string_append_c(back, *p == 'n' ? '\n' : *p);
			} else {
				ck_assert_msg(*p != '"', "raw quote in %s", l);
				g_string_append_c(back, *p);
			}
		}
		if (g_utf8_validate(v[i], -1, NULL))
			ck_assert_str_eq(back->str, v[i]);
		g_string_free(back, TRUE);
		g_free(l);
	}
	free_strings(v);
}
END_TEST

START_TEST(null_is_empty)
{
	sanitize_fn *fns[] = {sanitize_text,   sanitize_log,
			      sanitize_header, sanitize_csv,
			      sanitize_html,   sanitize_prom_label};

	for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		char *s = run(fns[i], NULL);

		ck_assert_str_eq(s, "");
		g_free(s);
	}
}
END_TEST

/* Runs of printable ASCII are copied whole (sanitize.c's fast path):
 * each edge of a run -- space and tilde kept, each sink's own specials
 * (the backslash, HTML's five, a quote), a control, DEL, a bad byte and
 * a valid multibyte character each at a run's start, middle and end --
 * gives exactly what a character at a time gave. */
START_TEST(ascii_runs)
{
	static const struct {
		sanitize_fn *fn;
		const char *in, *want;
	} c[] = {
		{sanitize_text, " ~", " ~"},
		{sanitize_text, "\\mx1.example\\", "\\\\mx1.example\\\\"},
		{sanitize_text,
		 "a\x01"
		 "b\x7f"
		 "c\xff"
		 "d\xc3\xa9"
		 "e",
		 "a\\x01b\\x7fc\\xffd\xc3\xa9"
		 "e"},
		{sanitize_text,
		 "\x01"
		 "a",
		 "\\x01"
		 "a"},
		{sanitize_text, "a\x1f", "a\\x1f"},
		{sanitize_text,
		 "\xe2\x80\xae"
		 "evil",
		 "\\u202eevil"},
		{sanitize_log,
		 "a\\b\x01"
		 "c\xff"
		 "d\xc3\xa9",
		 "a\\b?c?d\xc3\xa9"},
		{sanitize_log, "\x7f", "?"},
		{sanitize_html, "a&b<c>d\"e'f\x01",
		 "a&amp;b&lt;c&gt;d&quot;e&#39;f\xef\xbf\xbd"},
		{sanitize_prom_label, "a\\b\"c\nd", "a\\\\b\\\"c\\nd"},
		{sanitize_csv,
		 "a\x01"
		 "b\xff",
		 "a\x01"
		 "b\xef\xbf\xbd"},
		{sanitize_csv, "=1,\"2\"", "\"'=1,\"\"2\"\"\""},
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char *t = run(c[i].fn, c[i].in);

		ck_assert_msg(strcmp(t, c[i].want) == 0, "case %zu: got \"%s\"",
			      i, t);
		g_free(t);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sanitize");
	TCase *tc = tcase_create("sinks");

	tcase_add_test(tc, terminal_and_log);
	tcase_add_test(tc, header_one_line);
	tcase_add_test(tc, csv_no_formula);
	tcase_add_test(tc, html_inert);
	tcase_add_test(tc, prometheus_label);
	tcase_add_test(tc, null_is_empty);
	tcase_add_test(tc, ascii_runs);
	suite_add_tcase(s, tc);
	return test_run(s);
}
