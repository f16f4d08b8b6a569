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

/* Heap chunks by size class: class c holds 4 << c slots (16 << c bytes),
 * cut from the aggregation's slab and recycled on a free list per class
 * (summary_agg.times_free) when a reporter's times grow or go. glibc's
 * malloc would take a 32-byte chunk for 3 or 4 times and 64 for 7 or 8, a
 * header each: a provider has millions of reporters with a few times. */
#define CLASS_MIN_SLOTS 4

static guint
class_of(guint used)
{
	guint c = 0;

	while ((guint64)CLASS_MIN_SLOTS << c < used)
		c++;
	return c;
}

static guint64
class_slots(guint c)
{
	return (guint64)CLASS_MIN_SLOTS << c;
}

static uint32_t *
chunk_take(struct summary_agg *a, guint c)
{
	void *p = a->times_free[c];

	g_assert(c < SUMMARY_TIMES_CLASSES);
	if (p == NULL)
		return summary_slab_alloc0(a->slab,
					   class_slots(c) * sizeof(uint32_t));
	/* A free chunk's first bytes link to the next (memcpy: its
	 * type is uint32_t). */
	memcpy(&a->times_free[c], p, sizeof(void *));
	return p;
}

static void
chunk_give(struct summary_agg *a, uint32_t *v, guint c)
{
	memcpy(v, &a->times_free[c], sizeof(void *));
	a->times_free[c] = v;
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

void
summary_reporter_free_times(struct summary_agg *a, struct summary_reporter *r)
{
	if (r->times_heap)
		chunk_give(a, r->times.heap,
			   class_of(r->n_times * slots_per_time(a)));
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
		uint32_t *h = chunk_take(a, class_of(need));

		memcpy(h, r->times.in, used * sizeof(*h));
		r->times.heap = h;
		r->times_heap = 1;
	} else if (r->times_heap && need > class_slots(class_of(used))) {
		uint32_t *h = chunk_take(a, class_of(need));

		memcpy(h, r->times.heap, used * sizeof(*h));
		chunk_give(a, r->times.heap, class_of(used));
		r->times.heap = h;
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
