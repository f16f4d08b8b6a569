/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * json_stream.h -- a JSON document written as it is produced, one value
 * (a row, a small object) at a time, so memory holds one row, not the
 * document (render_json.c's hundreds of MB at 10^5 domains, issue 21).
 * The output is byte for byte what json_dumpf() with JSON_INDENT(2) |
 * JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15) writes for the whole
 * tree: the brackets, commas and line breaks between values are written
 * here as jansson writes them, each value is dumped by jansson with its
 * own line breaks indented to its depth.
 */
#ifndef TLSRPT_SUMMARY_JSON_STREAM_H
#define TLSRPT_SUMMARY_JSON_STREAM_H

#include <glib.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

/* Held bytes written out even inside a row (json_stream.c: flush). */
#define SUMMARY_JSON_FLUSH_AT 65536

struct summary_json_stream {
	FILE *out;
	int depth;    /* of the open container; the document is 0 */
	int empty;    /* nothing written in the open container yet */
	GString *buf; /* the value being written, until close */
	int failed;   /* a value could not be written */
	int err;      /* then errno of the failed write */
};

/* Starts the document, an object, on out. */
void summary_json_open(struct summary_json_stream *w, FILE *out);

/* Writes v as the next item of the open container (key NULL in an
 * array) and frees it; a NULL v is left out, as json_object_set_new()
 * and json_array_append_new() leave it out. After a write error nothing
 * more is written: summary_json_close() says so. key is one of the
 * caller's constants: it is written as it is, unescaped. */
void summary_json_put(struct summary_json_stream *w, const char *key,
		      json_t *v);

/* Scalars written as they are, without a json_t, as summary_json_put()
 * would write json_string(s) (s NULL: null; a string json_string()
 * refuses, invalid UTF-8, is left out), json_integer(v) and json_real(v).
 * key as for summary_json_put(). */
void summary_json_str(struct summary_json_stream *w, const char *key,
		      const char *s);
void summary_json_int(struct summary_json_stream *w, const char *key,
		      int64_t v);
void summary_json_real(struct summary_json_stream *w, const char *key,
		       double v);

/* json_real(n / 100.0) as summary_json_put() would write it (a rate or
 * share rounded to two decimals), without printf for all but the huge. */
void summary_json_hundredths(struct summary_json_stream *w, const char *key,
			     int64_t n);

/* 1 when json_string(s) would make a string (or s is NULL): for a caller
 * that leaves out a whole object when one of its strings is refused, as
 * json_pack() does. */
int summary_json_valid(const char *s);

/* Opens an array ('[') or object ('{') as the next item; the items put
 * until summary_json_end(w, ']' or '}') are its own. */
void summary_json_begin(struct summary_json_stream *w, const char *key,
			char bracket);
void summary_json_end(struct summary_json_stream *w, char bracket);

/* Ends the document with its line feed and flushes: 0, or -1 when
 * anything could not be written (errno from the failed write). */
int summary_json_close(struct summary_json_stream *w);

#endif
