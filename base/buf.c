/* SPDX-License-Identifier: BSD-2-Clause */
/* buf.c -- the one growable byte buffer, with a hard maximum (buf.h). */
#include "base/buf.h"

#include <stdint.h>
#include <string.h>

#include "base/alloc.h"

/* A first allocation big enough that small inputs never grow twice. */
#define BUF_FIRST 4096

void
tlsrpt_buf_init(struct tlsrpt_buf *b, size_t max, const char *limit)
{
	memset(b, 0, sizeof(*b));
	/* The NUL's byte must fit in a size_t beside max. */
	b->max = max < SIZE_MAX - 1 ? max : SIZE_MAX - 1;
	b->limit = limit;
}

int
tlsrpt_buf_reserve(struct tlsrpt_buf *b, size_t n, struct tlsrpt_error *err)
{
	size_t need, want;
	unsigned char *p;

	/* len <= max always, so this neither overflows nor lets a byte past
	 * max in. */
	if (n > b->max - b->len) {
		if (b->limit != NULL)
			return tlsrpt_error_set(err, TLSRPT_ERR_LIMIT, NULL,
						"larger than %zu bytes (%s)",
						b->max, b->limit);
		return tlsrpt_error_set(err, TLSRPT_ERR_LIMIT, NULL,
					"larger than %zu bytes", b->max);
	}
	need = b->len + n + 1; /* <= max + 1: no overflow */
	if (need <= b->cap)
		return 0;
	want = b->cap < BUF_FIRST ? BUF_FIRST : b->cap;
	while (want < need)
		want = want > SIZE_MAX / 2 ? SIZE_MAX : want * 2;
	if (want > b->max + 1)
		want = b->max + 1;
	p = tlsrpt_realloc(b->data, want);
	if (p == NULL)
		return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL,
					"out of memory holding %zu bytes",
					need);
	b->data = p;
	b->cap = want;
	b->data[b->len] = '\0';
	return 0;
}

int
tlsrpt_buf_append(struct tlsrpt_buf *b, const void *p, size_t n,
		  struct tlsrpt_error *err)
{
	if (tlsrpt_buf_reserve(b, n, err) < 0)
		return -1;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	tlsrpt_buf_commit(b, n);
	return 0;
}

size_t
tlsrpt_buf_room(const struct tlsrpt_buf *b)
{
	return b->cap > b->len ? b->cap - b->len - 1 : 0;
}

void
tlsrpt_buf_commit(struct tlsrpt_buf *b, size_t n)
{
	if (b->data == NULL)
		return;
	b->len += n;
	b->data[b->len] = '\0';
}

void
tlsrpt_buf_consume(struct tlsrpt_buf *b, size_t n)
{
	if (b->data == NULL)
		return;
	if (n > b->len)
		n = b->len;
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	b->data[b->len] = '\0';
}

void
tlsrpt_buf_reset(struct tlsrpt_buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

unsigned char *
tlsrpt_buf_steal(struct tlsrpt_buf *b, size_t *len)
{
	unsigned char *p = b->data;

	if (p == NULL) {
		p = tlsrpt_malloc(1);
		if (p == NULL)
			return NULL;
		p[0] = '\0';
	}
	if (len != NULL)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

void
tlsrpt_buf_free(struct tlsrpt_buf *b)
{
	tlsrpt_free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
