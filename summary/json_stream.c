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

static void
indent(FILE *out, int spaces)
{
	for (int i = 0; i < spaces; i++)
		fputc(' ', out);
}

/* jansson dumps a value as if it were the document; each of its line
 * breaks (none is inside a string, where it is escaped) gets the
 * indent of the value's depth. */
static int
indented(const char *buf, size_t n, void *data)
{
	struct summary_json_stream *w = data;

	while (n > 0) {
		const char *nl = memchr(buf, '\n', n);
		size_t k = nl != NULL ? (size_t)(nl - buf) + 1 : n;

		if (fwrite(buf, 1, k, w->out) != k) {
			w->err = errno;
			return -1;
		}
		if (nl != NULL)
			indent(w->out, w->pad);
		buf += k;
		n -= k;
	}
	return ferror(w->out) ? -1 : 0;
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

/* Starts the next item of the open container, with its key if any. */
static void
item(struct summary_json_stream *w, const char *key)
{
	fputs(w->empty ? "\n" : ",\n", w->out);
	w->empty = 0;
	indent(w->out, 2 * (w->depth + 1));
	if (key != NULL)
		fprintf(w->out, "\"%s\": ", key);
}

void
summary_json_open(struct summary_json_stream *w, FILE *out)
{
	*w = (struct summary_json_stream){.out = out, .depth = 0, .empty = 1};
	fputc('{', out);
}

void
summary_json_put(struct summary_json_stream *w, const char *key, json_t *v)
{
	if (v == NULL)
		return;
	if (!broken(w)) {
		item(w, key);
		w->pad = 2 * (w->depth + 1);
		/* indented() kept the errno of a failed write; jansson's own
		 * failures (memory) leave theirs. */
		if (json_dump_callback(v, indented, w, FLAGS) != 0) {
			w->failed = 1;
			if (w->err == 0)
				w->err = errno != 0 ? errno : EIO;
		}
	}
	json_decref(v);
}

void
summary_json_begin(struct summary_json_stream *w, const char *key, char bracket)
{
	if (!broken(w)) {
		item(w, key);
		fputc(bracket, w->out);
	}
	w->depth++;
	w->empty = 1;
}

void
summary_json_end(struct summary_json_stream *w, char bracket)
{
	if (!broken(w)) {
		if (!w->empty) {
			fputc('\n', w->out);
			indent(w->out, 2 * w->depth);
		}
		fputc(bracket, w->out);
	}
	w->depth--;
	w->empty = 0;
}

int
summary_json_close(struct summary_json_stream *w)
{
	/* The values built after the failure may have changed errno. */
	if (broken(w)) {
		errno = w->err;
		return -1;
	}
	fputs("\n}\n", w->out);
	return fflush(w->out) != 0 || ferror(w->out) ? -1 : 0;
}
