/* SPDX-License-Identifier: BSD-2-Clause */
/* fprun.c -- the sorted fingerprints of the files already read. */
#include "store/fprun.h"

#include <string.h>

#include "base/alloc.h"

/*
 * The index: 2^bits buckets by the fingerprint's top bits, about 4 to 8
 * members each, so a lookup is a binary search of a few neighbours (one or
 * two cache lines) instead of ~23 steps across the whole array. Sound only
 * because fingerprints are uniform: they are SipHash under a key drawn at
 * random for each reader (fpset.h), so a reporter, who chooses the strings
 * but never sees the key, cannot choose fingerprints that crowd one bucket
 * (or make the sort below quadratic). Were they to crowd one anyway, the
 * search inside a bucket is binary: slower, never wrong. At least 2^16
 * buckets (256 KiB), as a member's bucket stands for its top 16 bits
 * (fprun.h); 2^20 (4 MiB) at most: 8 million reports fill them to ~8.
 */
#define FPRUN_MIN_BITS 16
#define FPRUN_MAX_BITS 20
#define FPRUN_PER_BUCKET 8
/* A sort-in builds a whole index (at least 2^16 buckets): done at every
 * file while the run was small, a store of a few thousand reports a day
 * paid +8% of a 10^5-line summary's instructions. Members wait in the
 * pending hash set until there are this many (128 KiB of slots). */
#define FPRUN_MIN_PENDING ((size_t)8192)
#define FPRUN_BYTES 6
#define FPRUN_LOW_MASK ((UINT64_C(1) << 48) - 1)

static unsigned
bits_for(size_t n)
{
	unsigned b = FPRUN_MIN_BITS;

	while (b < FPRUN_MAX_BITS && n > ((size_t)FPRUN_PER_BUCKET << b))
		b++;
	return b;
}

static inline size_t
bucket(uint64_t fp, unsigned bits)
{
	return (size_t)(fp >> (64 - bits));
}

/* Member i's low 48 bits. Byte by byte, so the array reads the same on
 * any host; compilers make it one 32- and one 16-bit load. */
static inline uint64_t
low_at(const unsigned char *v, size_t i)
{
	const unsigned char *p = v + i * FPRUN_BYTES;

	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
	       (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 |
	       (uint64_t)p[5] << 40;
}

static inline void
low_put(unsigned char *v, size_t i, uint64_t fp)
{
	unsigned char *p = v + i * FPRUN_BYTES;

	for (int k = 0; k < FPRUN_BYTES; k++)
		p[k] = (unsigned char)(fp >> (8 * k));
}

/* The whole fingerprint of a member of bucket b: the bucket's top 16 bits
 * above the member's low 48 (bits >= 16, so the bits between are in
 * both and agree). */
static inline uint64_t
whole(size_t b, unsigned bits, uint64_t low)
{
	return (uint64_t)(b >> (bits - 16)) << 48 | low;
}

/* The first member at or above fp among r's first i (a binary search of
 * fp's bucket in the low bits: within a bucket the top bits are equal),
 * and whether it is fp itself. */
static size_t
position(const struct tlsrpt_fprun *r, uint64_t fp, size_t i, int *equal)
{
	size_t b = bucket(fp, r->bits), lo = r->idx[b], hi = r->idx[b + 1];
	size_t end;
	uint64_t low = fp & FPRUN_LOW_MASK;

	if (hi > i)
		hi = i;
	if (lo > hi)
		lo = hi;
	end = hi;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (low_at(r->v, mid) < low)
			lo = mid + 1;
		else
			hi = mid;
	}
	*equal = lo < end && low_at(r->v, lo) == low;
	return lo;
}

int
tlsrpt_fprun_has(const struct tlsrpt_fprun *r, uint64_t fp)
{
	int equal;

	if (tlsrpt_fpset_has(&r->pend, fp))
		return 1;
	if (fp == 0)
		return r->has_zero;
	if (r->n == 0)
		return 0;
	(void)position(r, fp, r->n, &equal);
	return equal;
}

/* Quicksort (Hoare's partition around the median of three, the smaller
 * side first so the stack stays O(log n)), insertion sort below 16. The
 * members of one file: tens of thousands, uniform (see above). */
static void
sort_fps(uint64_t *a, size_t n)
{
	while (n > 16) {
		size_t mid = n / 2, i = 0, j = n - 1;
		uint64_t t, p;

#define SWAP(x, y) (t = a[x], a[x] = a[y], a[y] = t)
		if (a[mid] < a[0])
			SWAP(mid, 0);
		if (a[n - 1] < a[0])
			SWAP(n - 1, 0);
		if (a[n - 1] < a[mid])
			SWAP(n - 1, mid);
		p = a[mid]; /* mid < n - 1: the partition always splits */
		for (;;) {
			while (a[i] < p)
				i++;
			while (a[j] > p)
				j--;
			if (i >= j)
				break;
			SWAP(i, j);
			i++;
			j--;
		}
#undef SWAP
		/* a[0..j] <= p <= a[j+1..n) */
		if (j + 1 < n - j - 1) {
			sort_fps(a, j + 1);
			a += j + 1;
			n -= j + 1;
		} else {
			sort_fps(a + j + 1, n - j - 1);
			n = j + 1;
		}
	}
	for (size_t i = 1; i < n; i++) {
		uint64_t x = a[i];
		size_t k = i;

		for (; k > 0 && a[k - 1] > x; k--)
			a[k] = a[k - 1];
		a[k] = x;
	}
}

/* Merge the m sorted new members a[] into r's n members from the back, in
 * place (r->v has room for n + m), and build the index of the result
 * (2^bits buckets, other than r's) into idx, a new block: the old one
 * (r->idx, r->bits) tells each old member's top bits as the merge passes
 * it. Each member moves at most once. A new member already in r is kept
 * once; the result then starts that many places up, and is moved down.
 * Returns that number (0 but for a caller absorbing a member twice). A
 * member at a time, so only when the index grows (a few times in a run's
 * life); merge_blocks() otherwise. */
static size_t
merge_rebuild(const struct tlsrpt_fprun *r, const uint64_t *a, size_t m,
	      uint32_t *idx, unsigned bits)
{
	size_t nb = (size_t)1 << bits, i = r->n, k = m, w = r->n + m, ob;
	size_t shift;
	unsigned char *v = r->v;
	uint64_t old = 0, x;

	ob = r->n > 0 ? ((size_t)1 << r->bits) - 1 : 0;
	for (size_t b = 0; b <= nb; b++)
		idx[b] = UINT32_MAX; /* no member yet (positions are less) */
	while (i > 0 || k > 0) {
		if (i > 0) {
			while (r->idx[ob] > i - 1)
				ob--;
			old = whole(ob, r->bits, low_at(v, i - 1));
		}
		if (i > 0 && (k == 0 || old >= a[k - 1])) {
			if (k > 0 && old == a[k - 1])
				k--;
			x = old;
			i--;
		} else {
			x = a[--k];
		}
		low_put(v, --w, x);
		idx[bucket(x, bits)] = (uint32_t)w;
	}
	/* w is now the number of new members that were there already. */
	shift = w;
	if (shift > 0)
		memmove(v, v + shift * FPRUN_BYTES,
			(r->n + m - shift) * FPRUN_BYTES);
	idx[nb] = (uint32_t)(r->n + m - shift);
	for (size_t b = nb; b-- > 0;)
		idx[b] = idx[b] == UINT32_MAX ? idx[b + 1]
					      : idx[b] - (uint32_t)shift;
	return shift;
}

/* merge_rebuild()'s job when the index keeps its size (r->bits == bits):
 * from the back, each new member finds its place among the old ones, the
 * old ones above it move up in one memmove, and the index is r's, each
 * bucket later by the new members below it: O(m log + buckets) steps and
 * the array's bytes moved once, where a member at a time cost ~40
 * instructions each of the run's members at every sort-in. A new member
 * already there is dropped (a[k] set to 0: fingerprints are not 0). */
static size_t
merge_blocks(const struct tlsrpt_fprun *r, uint64_t *a, size_t m, uint32_t *idx)
{
	size_t nb = (size_t)1 << r->bits, i = r->n, w = r->n + m, dups = 0;
	size_t k, below = 0;

	for (k = m; k > 0; k--) {
		int equal;
		size_t p = position(r, a[k - 1], i, &equal), run = i - p;

		memmove(r->v + (w - run) * FPRUN_BYTES, r->v + p * FPRUN_BYTES,
			run * FPRUN_BYTES);
		w -= run;
		i = p;
		if (equal) {
			a[k - 1] = 0;
			dups++;
			continue;
		}
		low_put(r->v, --w, a[k - 1]);
	}
	/* The old members below every new one, [0, i), stay; the rest,
	 * [w, n + m), close up behind them when members were dropped. */
	if (w > i)
		memmove(r->v + i * FPRUN_BYTES, r->v + w * FPRUN_BYTES,
			(r->n + m - w) * FPRUN_BYTES);
	k = 0;
	for (size_t b = 0; b < nb; b++) {
		while (k < m && (a[k] == 0 || bucket(a[k], r->bits) < b))
			below += a[k++] != 0;
		idx[b] = r->idx[b] + (uint32_t)below;
	}
	idx[nb] = (uint32_t)(r->n + m - dups);
	return dups;
}

/* Sort the members of s into the array and empty s. 0, or -1 when out of
 * memory: then r and s are unchanged. */
static int
sort_in(struct tlsrpt_fprun *r, struct tlsrpt_fpset *s)
{
	size_t m = s->n - (s->has_zero != 0), n = r->n + m, j = 0, dups;
	unsigned bits = bits_for(n);
	uint32_t *idx;
	uint64_t *a = s->slots;

	if (m == 0) {
		r->has_zero |= s->has_zero;
		tlsrpt_fpset_reset(s);
		return 0;
	}
	/* Every allocation is made (or fails) before s is touched; room for
	 * all of s, as in the reader no member is in r already. */
	if (m > UINT32_MAX - 1 - r->n)
		return -1; /* 24 GiB of fingerprints: memory ends first */
	{
		unsigned char *v = tlsrpt_reallocarray(r->v, n, FPRUN_BYTES);

		if (v == NULL)
			return -1;
		r->v = v;
	}
	idx = tlsrpt_reallocarray(NULL, ((size_t)1 << bits) + 1, sizeof(*idx));
	if (idx == NULL)
		return -1;
	/* The new members, sorted, at the front of s's own slots. */
	for (size_t i = 0; i < s->cap; i++) {
		if (a[i] != 0)
			a[j++] = a[i];
	}
	sort_fps(a, m);
	dups = r->n > 0 && bits == r->bits ? merge_blocks(r, a, m, idx)
					   : merge_rebuild(r, a, m, idx, bits);
	n -= dups;
	if (dups > 0) {
		unsigned char *v = tlsrpt_reallocarray(r->v, n, FPRUN_BYTES);

		if (v != NULL) /* else the larger block serves */
			r->v = v;
	}
	tlsrpt_free(r->idx);
	r->idx = idx;
	r->bits = bits;
	r->n = n;
	r->has_zero |= s->has_zero;
	tlsrpt_fpset_reset(s);
	return 0;
}

int
tlsrpt_fprun_absorb(struct tlsrpt_fprun *r, struct tlsrpt_fpset *s)
{
	if (tlsrpt_fpset_merge(&r->pend, s) < 0)
		return -1;
	tlsrpt_fpset_reset(s);
	/* Sorting in moves every member of the array: done at every file it
	 * would cost O(files x reports). Once the pending members are an
	 * eighth of the array (and at least FPRUN_MIN_PENDING), the array
	 * grows by 1/8 at each: ~9 moves of the final array in all, and at
	 * most an eighth of it pending (in a hash set: 2 to 3 bytes a member
	 * of the array). When memory runs
	 * out there, they stay pending, found all the same, and are tried
	 * again at the next absorb. */
	if (r->pend.n >= r->n / 8 && r->pend.n >= FPRUN_MIN_PENDING)
		(void)sort_in(r, &r->pend);
	return 0;
}

int
tlsrpt_fprun_flush(struct tlsrpt_fprun *r)
{
	return sort_in(r, &r->pend);
}

size_t
tlsrpt_fprun_count(const struct tlsrpt_fprun *r)
{
	return r->n + (r->has_zero != 0) + r->pend.n;
}

void
tlsrpt_fprun_clear(struct tlsrpt_fprun *r)
{
	tlsrpt_free(r->v);
	tlsrpt_free(r->idx);
	tlsrpt_fpset_clear(&r->pend);
	memset(r, 0, sizeof(*r));
}
