/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * scratch.h -- a scratch region: many small allocations cut from a few
 * blocks and given back all at once.
 *
 * A decoder that builds one record at a time cuts its strings and lists
 * from a region and empties it before the next record, instead of a
 * malloc and a free per string (the record borrows them: store/reader.h).
 * Pieces never move once cut, so what points into them stays valid until
 * the region is emptied. Emptying keeps one block the size of everything
 * the last fill needed, so a steady stream of records allocates nothing.
 */
#ifndef TLSRPT_BASE_SCRATCH_H
#define TLSRPT_BASE_SCRATCH_H

#include <stddef.h>

struct tlsrpt_scratch_block;

struct tlsrpt_scratch {
	struct tlsrpt_scratch_block *head; /* NULL: empty, nothing held */
};

#define TLSRPT_SCRATCH_INIT \
	{                   \
		NULL        \
	}

/* n bytes aligned for any type; NULL when out of memory (what was cut
 * before stays valid). */
void *tlsrpt_scratch_alloc(struct tlsrpt_scratch *sc, size_t n);

/* s[0..n) and a NUL, cut from the region; NULL when out of memory. */
char *tlsrpt_scratch_strndup(struct tlsrpt_scratch *sc, const char *s,
			     size_t n);

/* Give back every piece (they must no longer be used); the memory is kept
 * for the next fill. */
void tlsrpt_scratch_reset(struct tlsrpt_scratch *sc);

/* Give back the memory too. The region is empty and usable again. */
void tlsrpt_scratch_free(struct tlsrpt_scratch *sc);

#endif
