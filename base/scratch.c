/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * scratch.c -- the scratch region (scratch.h).
 */
#include "base/scratch.h"

#include <stdalign.h>
#include <stdint.h>
#include <string.h>

#include "base/alloc.h"

#define SCRATCH_MIN 4096

struct tlsrpt_scratch_block {
	struct tlsrpt_scratch_block *next;
	size_t cap, len;
	alignas(max_align_t) unsigned char data[];
};

void *
tlsrpt_scratch_alloc(struct tlsrpt_scratch *sc, size_t n)
{
	const size_t align = alignof(max_align_t);
	struct tlsrpt_scratch_block *b = sc->head;
	size_t at = b != NULL ? (b->len + align - 1) / align * align : 0;

	if (b == NULL || at > b->cap || n > b->cap - at) {
		size_t cap = n > SCRATCH_MIN ? n : SCRATCH_MIN;

		/* Doubling: a fill that needs much takes few blocks. */
		if (b != NULL && b->cap <= (SIZE_MAX - sizeof(*b)) / 2 &&
		    cap < 2 * b->cap)
			cap = 2 * b->cap;
		if (cap > SIZE_MAX - sizeof(*b))
			return NULL;
		b = tlsrpt_malloc(sizeof(*b) + cap);
		if (b == NULL)
			return NULL;
		b->next = sc->head;
		b->cap = cap;
		sc->head = b;
		at = 0;
	}
	b->len = at + n;
	return b->data + at;
}

char *
tlsrpt_scratch_strndup(struct tlsrpt_scratch *sc, const char *s, size_t n)
{
	char *d;

	if (n == SIZE_MAX || (d = tlsrpt_scratch_alloc(sc, n + 1)) == NULL)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

void
tlsrpt_scratch_reset(struct tlsrpt_scratch *sc)
{
	struct tlsrpt_scratch_block *b = sc->head, *next;
	size_t total = 0;

	if (b == NULL || b->next == NULL) {
		if (b != NULL)
			b->len = 0;
		return;
	}
	/* The last fill spread over several blocks: one of their size. */
	for (; b != NULL; b = next) {
		next = b->next;
		total += b->cap;
		tlsrpt_free(b);
	}
	sc->head = tlsrpt_malloc(sizeof(*sc->head) + total);
	if (sc->head != NULL) {
		sc->head->next = NULL;
		sc->head->cap = total;
		sc->head->len = 0;
	}
}

void
tlsrpt_scratch_free(struct tlsrpt_scratch *sc)
{
	for (struct tlsrpt_scratch_block *b = sc->head, *next; b != NULL;
	     b = next) {
		next = b->next;
		tlsrpt_free(b);
	}
	sc->head = NULL;
}
