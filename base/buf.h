/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * buf.h -- the one growable byte buffer, with a hard maximum.
 *
 * Every place that collects bytes of unknown length (a whole input, a
 * message body, an inflated report, a line window, store lines) uses this
 * one buffer, so the three rules are kept once: memory never grows past the
 * configured bound, growth cannot overflow size_t, and every allocation goes
 * through the seam (base/alloc.h) so the failure injector reaches it.
 *
 * The bytes are NUL-terminated whenever data is not NULL (one byte is kept
 * spare for it, not counted in max), so text can be handed on as a string.
 * Growth doubles, clamped to what max allows.
 */
#ifndef TLSRPT_BASE_BUF_H
#define TLSRPT_BASE_BUF_H

#include <stddef.h>

#include "base/error.h"

struct tlsrpt_buf {
	unsigned char *data; /* NULL until the first byte is reserved */
	size_t len;	     /* bytes held */
	size_t cap;	     /* bytes allocated (len + 1 at least) */
	size_t max;	     /* len never passes it */
	/* The setting that max comes from ("MaxMessageSize"), named in the
	 * "too large" error so a person knows what to raise; may be NULL. */
	const char *limit;
};

/* An empty buffer that may hold up to max bytes (SIZE_MAX - 1 at most). */
void tlsrpt_buf_init(struct tlsrpt_buf *b, size_t max, const char *limit);

/* Make room for n more bytes behind len (and the NUL). Returns 0, or -1
 * with TLSRPT_ERR_LIMIT ("larger than MAX bytes (LIMIT)") when len + n
 * would pass max, or TLSRPT_ERR_NOMEM; the buffer is unchanged then. */
int tlsrpt_buf_reserve(struct tlsrpt_buf *b, size_t n,
		       struct tlsrpt_error *err);

/* Append n bytes of p; errors as tlsrpt_buf_reserve(). */
int tlsrpt_buf_append(struct tlsrpt_buf *b, const void *p, size_t n,
		      struct tlsrpt_error *err);

/* Bytes that may be written at data + len without reserving (the NUL's
 * byte excluded): for a reader (read(2), zlib) that fills the tail
 * directly, then calls tlsrpt_buf_commit(). */
size_t tlsrpt_buf_room(const struct tlsrpt_buf *b);

/* n bytes were written at data + len (n <= tlsrpt_buf_room()). */
void tlsrpt_buf_commit(struct tlsrpt_buf *b, size_t n);

/* Drop the first n bytes (n <= len), keeping the memory. */
void tlsrpt_buf_consume(struct tlsrpt_buf *b, size_t n);

/* Forget the bytes, keep the memory. */
void tlsrpt_buf_reset(struct tlsrpt_buf *b);

/* Hand the bytes over (NUL-terminated; caller frees with tlsrpt_free())
 * and leave b empty with the same max. An empty buffer gives a new empty
 * string. NULL only when out of memory (then b is unchanged). */
unsigned char *tlsrpt_buf_steal(struct tlsrpt_buf *b, size_t *len);

/* Free the memory; b is empty again, with the same max. */
void tlsrpt_buf_free(struct tlsrpt_buf *b);

#endif
