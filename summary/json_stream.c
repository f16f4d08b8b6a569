/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * json_stream.c -- the JSON document written a value at a time. The form
 * is jansson's for JSON_INDENT(2) (its dump.c): "[" or "{", then each
 * item on its own line indented two spaces a level deeper, "," between
 * items, the closing bracket on its own line at its container's indent,
 * "[]" or "{}" when empty; a key is followed by ": ".
 */
#include "summary/json_stream.h"

#include <errno.h>
#include <string.h>

/* The flags the whole document was dumped with; JSON_ENCODE_ANY as a
 * value may be a string or a number. */
#define FLAGS                                                             \
	(JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15) | \
	 JSON_ENCODE_ANY)

/* n bytes at the end of b: g_string_append_len() is no inline function
 * in the GLib of Debian 12, and this is the writer's inner loop. */
static inline void
put(GString *b, const char *s, size_t n)
{
	size_t len = b->len;

	if (len + n < b->allocated_len) {
		b->len = len + n;
		b->str[b->len] = '\0';
	} else {
		g_string_set_size(b, len + n);
	}
	memcpy(b->str + len, s, n);
}

#define PUT(b, lit) put((b), (lit), sizeof(lit) - 1)

/* A string as jansson dumps it without JSON_ENSURE_ASCII or
 * JSON_ESCAPE_SLASH (dump.c: dump_string): '"', '\\' and the control
 * characters escaped, everything else (valid UTF-8: json_string() takes
 * nothing else) as it is. */
static void
put_string(GString *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	char esc[6] = {'\\', 'u', '0', '0'};
	size_t i = 0;

	PUT(b, "\"");
	while (i < n) {
		size_t j = i;

		while (j < n && (unsigned char)s[j] >= 0x20 && s[j] != '"' &&
		       s[j] != '\\')
			j++;
		put(b, s + i, j - i);
		if (j == n)
			break;
		switch (s[j]) {
		case '"': PUT(b, "\\\""); break;
		case '\\': PUT(b, "\\\\"); break;
		case '\b': PUT(b, "\\b"); break;
		case '\f': PUT(b, "\\f"); break;
		case '\n': PUT(b, "\\n"); break;
		case '\r': PUT(b, "\\r"); break;
		case '\t': PUT(b, "\\t"); break;
		default:
			esc[4] = hex[(unsigned char)s[j] >> 4];
			esc[5] = hex[(unsigned char)s[j] & 15];
			put(b, esc, sizeof(esc));
		}
		i = j + 1;
	}
	PUT(b, "\"");
}

/* A line break and the indent of the next line: the value's depth in
 * the document, two more spaces a level within it. */
static void
newline(GString *b, int spaces)
{
	static const char line[] = "\n                                ";

	PUT(b, "\n");
	for (; spaces > 0; spaces -= (int)sizeof(line) - 2)
		put(b, line + 1,
		    spaces < (int)sizeof(line) - 2 ? (size_t)spaces
						   : sizeof(line) - 2);
}

/* An integer as "%" JSON_INTEGER_FORMAT writes it. */
static void
put_integer(GString *b, json_int_t v)
{
	char d[24];
	size_t i = sizeof(d);
	unsigned long long u =
		v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	do {
		d[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		d[--i] = '-';
	put(b, d + i, sizeof(d) - i);
}

/* v in jansson's JSON_INDENT(2) form (dump.c: do_dump) into b, every line
 * break followed by spaces + 2 per level: jansson's bytes, without a
 * callback per token (which was most of the time of --format json on a
 * provider's store, issue 21). Reals, rare, are jansson's own dump. 0, or
 * -1 when jansson cannot dump a real (not finite). */
static int
dump(GString *b, json_t *v, int spaces)
{
	char num[64];
	const char *k;
	json_t *x;
	size_t i, n;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		if (json_object_size(v) == 0) {
			PUT(b, "{}");
			return 0;
		}
		PUT(b, "{");
		i = 0;
		json_object_foreach(v, k, x)
		{
			if (i++ != 0)
				PUT(b, ",");
			newline(b, spaces + 2);
			put_string(b, k, strlen(k));
			PUT(b, ": ");
			if (dump(b, x, spaces + 2) != 0)
				return -1;
		}
		newline(b, spaces);
		PUT(b, "}");
		return 0;
	case JSON_ARRAY:
		if (json_array_size(v) == 0) {
			PUT(b, "[]");
			return 0;
		}
		PUT(b, "[");
		json_array_foreach(v, i, x)
		{
			if (i != 0)
				PUT(b, ",");
			newline(b, spaces + 2);
			if (dump(b, x, spaces + 2) != 0)
				return -1;
		}
		newline(b, spaces);
		PUT(b, "]");
		return 0;
	case JSON_STRING:
		put_string(b, json_string_value(v), json_string_length(v));
		return 0;
	case JSON_INTEGER: put_integer(b, json_integer_value(v)); return 0;
	case JSON_REAL:
		n = json_dumpb(v, num, sizeof(num), FLAGS);
		if (n == 0 || n > sizeof(num))
			return -1;
		put(b, num, n);
		return 0;
	case JSON_TRUE: PUT(b, "true"); return 0;
	case JSON_FALSE: PUT(b, "false"); return 0;
	case JSON_NULL: PUT(b, "null"); return 0;
	}
	return -1;
}

/* After a write error nothing more is written (json_stream.h): a closed
 * pipe or a full disk would only fail again, once per value. */
static int
broken(struct summary_json_stream *w)
{
	if (!w->failed && ferror(w->out)) {
		w->failed = 1;
		w->err = errno;
	}
	return w->failed;
}

/* What is in w->buf to the file: after every value, container or end at
 * the top two levels (a row at most is held), deeper once it holds
 * SUMMARY_JSON_FLUSH_AT bytes (the rows of a nested list, such as the
 * silent reporters of 10^5 domains, would otherwise all be held), and at
 * the close. Bytes are only ever appended, so any point may flush. */
static void
flush(struct summary_json_stream *w)
{
	if (w->buf->len == 0 ||
	    (w->depth > 1 && w->buf->len < SUMMARY_JSON_FLUSH_AT))
		return;
	if (!w->failed &&
	    fwrite(w->buf->str, 1, w->buf->len, w->out) != w->buf->len) {
		w->failed = 1;
		w->err = errno;
	}
	g_string_truncate(w->buf, 0);
}

/* Starts the next item of the open container, with its key if any. */
static void
item(struct summary_json_stream *w, const char *key)
{
	if (!w->empty)
		PUT(w->buf, ",");
	w->empty = 0;
	newline(w->buf, 2 * (w->depth + 1));
	if (key != NULL) {
		PUT(w->buf, "\"");
		put(w->buf, key, strlen(key));
		PUT(w->buf, "\": ");
	}
}

void
summary_json_open(struct summary_json_stream *w, FILE *out)
{
	*w = (struct summary_json_stream){
		.out = out, .depth = 0, .empty = 1, .buf = g_string_new(NULL)};
	PUT(w->buf, "{");
}

void
summary_json_put(struct summary_json_stream *w, const char *key, json_t *v)
{
	if (v == NULL)
		return;
	if (!broken(w)) {
		item(w, key);
		if (dump(w->buf, v, 2 * (w->depth + 1)) != 0) {
			w->failed = 1;
			w->err = EINVAL;
		}
		flush(w);
	}
	json_decref(v);
}

/* json_string()'s test: a string it refuses (invalid UTF-8) is left out
 * of a tree, and so of the stream. ASCII needs no closer look. */
static int
valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p != '\0' && *p < 0x80)
		p++;
	if (*p == '\0')
		return 1;
	{
		json_t *t = json_string(s);

		json_decref(t);
		return t != NULL;
	}
}

int
summary_json_valid(const char *s)
{
	return s == NULL || valid(s);
}

void
summary_json_str(struct summary_json_stream *w, const char *key, const char *s)
{
	if (s != NULL && !valid(s))
		return;
	if (!broken(w)) {
		item(w, key);
		if (s != NULL)
			put_string(w->buf, s, strlen(s));
		else
			PUT(w->buf, "null");
		flush(w);
	}
}

void
summary_json_int(struct summary_json_stream *w, const char *key, int64_t v)
{
	if (!broken(w)) {
		item(w, key);
		put_integer(w->buf, (json_int_t)v);
		flush(w);
	}
}

void
summary_json_real(struct summary_json_stream *w, const char *key, double v)
{
	json_t *x = json_real(v);

	/* As a tree leaves out what json_real() could not make (NaN). */
	if (x == NULL)
		return;
	summary_json_put(w, key, x);
}

void
summary_json_hundredths(struct summary_json_stream *w, const char *key,
			int64_t n)
{
	uint64_t u = n < 0 ? 0 - (uint64_t)n : (uint64_t)n;
	char frac[3];

	/* %.15g of the double nearest n / 100 prints n / 100 exactly while
	 * it has at most 15 digits, then trailing zeros go and jansson
	 * adds ".0" to a whole number: 12.5, 99.99, 100.0, -3.0. */
	if (u >= 10000000000000ULL) {
		summary_json_real(w, key, (double)n / 100.0);
		return;
	}
	if (broken(w))
		return;
	item(w, key);
	if (n < 0)
		PUT(w->buf, "-");
	put_integer(w->buf, (json_int_t)(u / 100));
	frac[0] = (char)('0' + u % 100 / 10);
	frac[1] = (char)('0' + u % 10);
	PUT(w->buf, ".");
	put(w->buf, frac, u % 10 != 0 ? 2 : 1);
	flush(w);
}

void
summary_json_begin(struct summary_json_stream *w, const char *key, char bracket)
{
	if (!broken(w)) {
		item(w, key);
		put(w->buf, &bracket, 1);
	}
	w->depth++;
	w->empty = 1;
}

void
summary_json_end(struct summary_json_stream *w, char bracket)
{
	if (!broken(w)) {
		if (!w->empty)
			newline(w->buf, 2 * w->depth);
		put(w->buf, &bracket, 1);
	}
	w->depth--;
	w->empty = 0;
	if (!broken(w))
		flush(w);
}

int
summary_json_close(struct summary_json_stream *w)
{
	if (!broken(w)) {
		PUT(w->buf, "\n}\n");
		flush(w);
	}
	g_string_free(w->buf, TRUE);
	w->buf = NULL;
	/* The values built after the failure may have changed errno. */
	if (broken(w)) {
		errno = w->err;
		return -1;
	}
	return fflush(w->out) != 0 || ferror(w->out) ? -1 : 0;
}
