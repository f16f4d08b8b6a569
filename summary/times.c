/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * times.c -- a reporter's report times over the look-back, which silence.c
 * takes the usual interval from: kept as offsets from the look-back's
 * start, 4 bytes a time, as the look-back spans at most 2^32 seconds (136
 * years) in any real use; a longer one (--since decades back) takes two
 * 4-byte slots a time, high half first, so every time stays exact. The
 * times of its latest policy likewise (summary_reporter_set_policy).
 */
#include "summary/aggregate.h"

#include <stdlib.h>
#include <string.h>

/* Slots that fit in place of the heap pointer. */
#define IN_SLOTS 2

static guint
slots_per_time(const struct summary_agg *a)
{
	return a->times_wide ? 2 : 1;
}

/* Out of place, the first chunk holds 4 slots (16 bytes): cut from the
 * aggregation's slab and recycled on a free list (summary_agg.times_free),
 * as glibc's malloc takes 32 bytes for any chunk of 24 or less, and a
 * provider has millions of reporters with 3 or 4 times. Past 4 slots the
 * times are malloc's, in capacities of 6, 10, 14, 22, 30, 46, 62, ...
 * slots (2^k - 2 and 3 * 2^k - 2 slots of 4 bytes fill a chunk of glibc's
 * malloc, whose sizes go by 16 bytes, 8 bytes of it its header): growing
 * by a half or a third, not doubling, a reporter with 7 to 10 times takes
 * 48 bytes, not 64. malloc reuses what growing chunks leave behind for
 * any size, where a free list per size would keep them all when every
 * reporter grows in step (daily senders). */
#define FIRST_SLOTS 4

static guint
heap_cap(guint used)
{
	guint m = 8; /* slots + 2: 8, 12, 16, 24, 32, 48, 64, ... */

	if (used <= FIRST_SLOTS)
		return FIRST_SLOTS;
	while (m - 2 < used)
		m += (m & (m - 1)) == 0 ? m / 2 : m / 3;
	return m - 2;
}

static uint32_t *
first_take(struct summary_agg *a)
{
	void *p = a->times_free;

	if (p == NULL)
		return summary_slab_alloc0(a->slab,
					   FIRST_SLOTS * sizeof(uint32_t));
	/* A free chunk's first bytes link to the next (memcpy: its
	 * type is uint32_t). */
	memcpy(&a->times_free, p, sizeof(void *));
	return p;
}

static void
first_give(struct summary_agg *a, uint32_t *v)
{
	memcpy(v, &a->times_free, sizeof(void *));
	a->times_free = v;
}

static uint32_t *
slots(struct summary_reporter *r)
{
	return r->times_heap ? r->times.heap : r->times.in;
}

static const uint32_t *
cslots(const struct summary_reporter *r)
{
	return r->times_heap ? r->times.heap : r->times.in;
}

/* The offset of time i from the look-back's start. */
static uint64_t
offset_at(const struct summary_agg *a, const struct summary_reporter *r,
	  guint i)
{
	const uint32_t *v = cslots(r);

	if (!a->times_wide)
		return v[i];
	return (uint64_t)v[2 * i] << 32 | v[2 * i + 1];
}

int64_t
summary_reporter_time(const struct summary_agg *a,
		      const struct summary_reporter *r, guint i)
{
	/* lookback <= t < until: the sum is in range (unsigned arithmetic
	 * wraps where the signed one would be undefined). */
	return (int64_t)((uint64_t)a->lookback + offset_at(a, r, i));
}

void
summary_reporter_policy(const struct summary_agg *a,
			const struct summary_reporter *r, int64_t *received,
			int64_t *seen)
{
	const int64_t *w;

	if (r->policy_recv_off != SUMMARY_POLICY_WIDE) {
		/* Both sums in range: received in [lookback, until), the
		 * start-datetime stored as its exact difference. */
		*received =
			(int64_t)((uint64_t)a->lookback + r->policy_recv_off);
		*seen = *received + r->policy_seen_off;
		return;
	}
	w = g_hash_table_lookup(a->policy_wide, r);
	*received = w[0];
	*seen = w[1];
}

void
summary_reporter_set_policy(struct summary_agg *a, struct summary_reporter *r,
			    int64_t received, int64_t seen)
{
	uint64_t off = (uint64_t)received - (uint64_t)a->lookback;
	int64_t diff, *w;

	if (off < SUMMARY_POLICY_WIDE &&
	    !__builtin_sub_overflow(seen, received, &diff) &&
	    diff >= INT32_MIN && diff <= INT32_MAX) {
		if (r->policy_recv_off == SUMMARY_POLICY_WIDE)
			g_hash_table_remove(a->policy_wide, r);
		r->policy_recv_off = (uint32_t)off;
		r->policy_seen_off = (int32_t)diff;
		return;
	}
	/* A start-datetime over 68 years from its receipt (the sender's to
	 * choose) or a look-back of over 136 years: exact, aside. */
	if (a->policy_wide == NULL)
		a->policy_wide = g_hash_table_new_full(
			g_direct_hash, g_direct_equal, NULL, g_free);
	w = g_new(int64_t, 2);
	w[0] = received;
	w[1] = seen;
	g_hash_table_insert(a->policy_wide, r, w);
	r->policy_recv_off = SUMMARY_POLICY_WIDE;
}

int64_t
summary_reporter_last(const struct summary_agg *a,
		      const struct summary_reporter *r)
{
	const int64_t *w;

	if (!a->times_wide) /* lookback <= last < until: in range */
		return (int64_t)((uint64_t)a->lookback + r->last_off);
	w = g_hash_table_lookup(a->last_wide, r);
	return w != NULL ? *w : 0;
}

void
summary_reporter_note_last(struct summary_agg *a, struct summary_reporter *r,
			   int64_t t)
{
	int64_t *w;

	if (!a->times_wide) {
		/* Under 2^32: until - lookback <= 2^32 (aggregate.c). A
		 * reporter is made for its first report, and every t is at
		 * least lookback, so the 0 it starts with is no loss. */
		uint32_t off = (uint32_t)((uint64_t)t - (uint64_t)a->lookback);

		if (off > r->last_off)
			r->last_off = off;
		return;
	}
	if (a->last_wide == NULL)
		a->last_wide = g_hash_table_new_full(
			g_direct_hash, g_direct_equal, NULL, g_free);
	w = g_hash_table_lookup(a->last_wide, r);
	if (w == NULL) {
		w = g_new(int64_t, 1);
		*w = t;
		g_hash_table_insert(a->last_wide, r, w);
	} else if (t > *w) {
		*w = t;
	}
}

void
summary_reporter_free_times(struct summary_agg *a, struct summary_reporter *r)
{
	if (r->times_heap && r->n_times * slots_per_time(a) <= FIRST_SLOTS)
		first_give(a, r->times.heap);
	else if (r->times_heap)
		g_free(r->times.heap);
	r->times_heap = 0;
	memset(&r->times, 0, sizeof(r->times));
}

void
summary_reporter_add_time(struct summary_agg *a, struct summary_reporter *r,
			  int64_t t)
{
	guint k = slots_per_time(a), used = r->n_times * k, need = used + k;
	uint64_t off = (uint64_t)t - (uint64_t)a->lookback;
	uint32_t *v;

	if (r->times_dropped ||
	    (r->n_times > 0 &&
	     summary_reporter_time(a, r, r->n_times - 1) == t))
		return;
	if (r->n_times >= a->times_cap) {
		/* The usual interval is the minimum (aggregate.h). */
		summary_reporter_free_times(a, r);
		r->n_times = 0;
		r->times_dropped = 1;
		return;
	}
	if (need > IN_SLOTS && !r->times_heap) {
		/* need <= IN_SLOTS + 2 <= FIRST_SLOTS */
		uint32_t *h = first_take(a);

		memcpy(h, r->times.in, used * sizeof(*h));
		r->times.heap = h;
		r->times_heap = 1;
	} else if (r->times_heap && used <= FIRST_SLOTS && need > FIRST_SLOTS) {
		uint32_t *h = g_new(uint32_t, heap_cap(need));

		memcpy(h, r->times.heap, used * sizeof(*h));
		first_give(a, r->times.heap);
		r->times.heap = h;
	} else if (r->times_heap && need > heap_cap(used)) {
		r->times.heap =
			g_renew(uint32_t, r->times.heap, heap_cap(need));
	}
	v = slots(r);
	if (k == 1) {
		v[used] = (uint32_t)off;
	} else {
		v[used] = (uint32_t)(off >> 32);
		v[used + 1] = (uint32_t)off;
	}
	r->n_times++;
}

static int
cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return a < b ? -1 : a > b;
}

/* Two slots, high half first. */
static int
cmp_u32_pair(const void *x, const void *y)
{
	const uint32_t *a = x, *b = y;

	if (a[0] != b[0])
		return a[0] < b[0] ? -1 : 1;
	return a[1] < b[1] ? -1 : a[1] > b[1];
}

void
summary_reporter_sort_times(const struct summary_agg *a,
			    struct summary_reporter *r)
{
	guint k = slots_per_time(a);

	qsort(slots(r), r->n_times, k * sizeof(uint32_t),
	      k == 1 ? cmp_u32 : cmp_u32_pair);
}
