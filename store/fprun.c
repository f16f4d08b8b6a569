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
 * search inside a bucket is binary: slower, never wrong. 2^20 buckets
 * (4 MiB) at most: 8 million reports fill them to ~8.
 */
#define FPRUN_MIN_BITS 4
#define FPRUN_MAX_BITS 20
#define FPRUN_PER_BUCKET 8

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

/* The first i in fp's bucket with v[i] >= fp, else the bucket's end. */
static size_t
lower_bound(const struct tlsrpt_fprun *r, uint64_t fp)
{
	size_t b = bucket(fp, r->bits);
	size_t lo = r->idx[b], hi = r->idx[b + 1];

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->v[mid] < fp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int
tlsrpt_fprun_has(const struct tlsrpt_fprun *r, uint64_t fp)
{
	size_t i;

	if (tlsrpt_fpset_has(&r->pend, fp))
		return 1;
	if (fp == 0)
		return r->has_zero;
	if (r->n == 0)
		return 0;
	i = lower_bound(r, fp);
	return i < r->n && r->v[i] == fp;
}

static void
index_build(uint32_t *idx, unsigned bits, const uint64_t *v, size_t n)
{
	size_t nb = (size_t)1 << bits, i = 0;

	for (size_t b = 0; b < nb; b++) {
		while (i < n && bucket(v[i], bits) < b)
			i++;
		idx[b] = (uint32_t)i;
	}
	idx[nb] = (uint32_t)n;
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

/* Merge the m sorted new members a[] into v[0..n) from the back, in
 * place (v has room for n + m): each member moves at most once, and no
 * lookup is made. A new member already in v is kept once; the result then
 * starts at v + (the number of those), and is moved down to v. Returns
 * that number (0 but for a caller absorbing a member twice). */
static size_t
merge_back(uint64_t *v, size_t n, const uint64_t *a, size_t m)
{
	size_t i = n, k = m, w = n + m;

	while (k > 0) {
		if (i > 0 && v[i - 1] >= a[k - 1]) {
			k -= v[i - 1] == a[k - 1];
			v[--w] = v[--i];
		} else {
			v[--w] = a[--k];
		}
	}
	if (w > i) { /* w - i members were there already */
		memmove(v + w - i, v, i * sizeof(*v));
		memmove(v, v + w - i, (n + m - (w - i)) * sizeof(*v));
	}
	return w - i;
}

/* Sort the members of s into the array and empty s. 0, or -1 when out of
 * memory: then r and s are unchanged. */
static int
sort_in(struct tlsrpt_fprun *r, struct tlsrpt_fpset *s)
{
	size_t m = s->n - (s->has_zero != 0), n = r->n + m, j = 0, dups;
	unsigned bits = bits_for(n);
	uint32_t *idx = r->idx;
	uint64_t *a = s->slots;

	/* Every allocation is made (or fails) before s is touched; room for
	 * all of s, as in the reader no member is in r already. */
	if (m > UINT32_MAX - r->n)
		return -1; /* 32 GiB of fingerprints: memory ends first */
	if (m > 0) {
		uint64_t *v = tlsrpt_reallocarray(r->v, n, sizeof(*v));

		if (v == NULL)
			return -1;
		r->v = v;
		if (bits != r->bits) {
			idx = tlsrpt_reallocarray(NULL, ((size_t)1 << bits) + 1,
						  sizeof(*idx));
			if (idx == NULL)
				return -1;
		}
	}
	/* The new members, sorted, at the front of s's own slots. */
	for (size_t i = 0; i < s->cap; i++) {
		if (a[i] != 0)
			a[j++] = a[i];
	}
	sort_fps(a, m);
	dups = merge_back(r->v, r->n, a, m);
	if (dups > 0) {
		uint64_t *v;

		n -= dups;
		v = tlsrpt_reallocarray(r->v, n > 0 ? n : 1, sizeof(*v));
		if (v != NULL) /* else the larger block serves */
			r->v = v;
	}
	if (idx != r->idx || dups > 0) {
		index_build(idx, bits, r->v, n);
		if (idx != r->idx)
			tlsrpt_free(r->idx);
		r->idx = idx;
		r->bits = bits;
	} else if (m > 0) {
		/* The same buckets: each starts later by the new members
		 * below it. O(buckets + m), not O(n). */
		size_t nb = (size_t)1 << bits, k = 0;

		for (size_t b = 0; b < nb; b++) {
			while (k < m && bucket(a[k], bits) < b)
				k++;
			r->idx[b] += (uint32_t)k;
		}
		r->idx[nb] = (uint32_t)n;
	}
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
	 * eighth of the array, the array grows by 1/8 at each: ~9 moves of
	 * the final array in all, and at most an eighth of it pending (in a
	 * hash set: 2 to 3 bytes a member of the array). When memory runs
	 * out there, they stay pending, found all the same, and are tried
	 * again at the next absorb. */
	if (r->pend.n >= r->n / 8)
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
