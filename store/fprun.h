/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fprun.h -- the report fingerprints (fpset.h) of the day files already
 * read, for the store reader's de-duplication (reader.h): one sorted array
 * of exactly 6 bytes a member, and an index of where each run of equal top
 * bits starts, so a lookup reads one or two cache lines.
 *
 * A member is stored as its low 48 bits only: the index has at least 2^16
 * buckets, so a member's bucket gives its top 16 bits, and the array
 * loses nothing (two fingerprints are one member only when all 64 bits
 * are equal, as in a hash set). 8 bytes a member at a provider's 10^8
 * reports in a look-back was 0.8 GB a run; 6 is 0.6.
 *
 * A hash set (fpset.h) is 11 to 21 bytes a member and doubles as it
 * grows, old and new slots live together: at 7 million reports one set
 * was 128 MiB plus 64 while growing. The reader keeps the file being read
 * in an fpset (small, and added to at every report) and moves it into the
 * run when the next file is opened. The run holds such sets pending (one
 * more fpset) until they are an eighth of the array and at least 8,192,
 * then sorts them in: a merge moves the array's bytes and shifts or
 * rebuilds its index, so not at every file.
 */
#ifndef TLSRPT_STORE_FPRUN_H
#define TLSRPT_STORE_FPRUN_H

#include <stddef.h>
#include <stdint.h>

#include "store/fpset.h"

struct tlsrpt_fprun {
	/* n distinct nonzero fingerprints, ascending, 6 bytes each:
	 * the low 48 bits, little-endian (fprun.c) */
	unsigned char *v;
	size_t n;      /* in v; at most UINT32_MAX */
	uint32_t *idx; /* 2^bits + 1: idx[b] = first i with top bits >= b */
	unsigned bits; /* 16 to 20; 0 while idx is NULL */
	int has_zero;  /* 0 is kept aside, as in fpset */
	struct tlsrpt_fpset pend; /* absorbed, not yet in v */
};

/* 1 when fp is a member, else 0. */
int tlsrpt_fprun_has(const struct tlsrpt_fprun *r, uint64_t fp);

/* Move every member of s into r and empty s (tlsrpt_fpset_reset: its
 * slots are kept for the next file). 0, or -1 when out of memory: then s
 * is unchanged and r may hold some of its members. */
int tlsrpt_fprun_absorb(struct tlsrpt_fprun *r, struct tlsrpt_fpset *s);

/* Sort the pending members in now. 0, or -1 when out of memory (r is
 * unchanged). */
int tlsrpt_fprun_flush(struct tlsrpt_fprun *r);

/* Members, counting the zero fingerprint; exact after a flush (before, a
 * member absorbed again while pending counts twice). */
size_t tlsrpt_fprun_count(const struct tlsrpt_fprun *r);

/* Free everything and zero r. */
void tlsrpt_fprun_clear(struct tlsrpt_fprun *r);

#endif
