/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_fprun.c -- the sorted run of earlier files' fingerprints
 * (store/fprun.h): membership after many absorbed sets of every size
 * (sorted in an eighth at a time, the bucket index regrown on the way,
 * members found while pending), members absent before they are absorbed,
 * the zero fingerprint, a member absorbed twice (within one set and
 * across sets), empty sets, patterned values that crowd one bucket,
 * fingerprints that differ only in the top 16 bits (which the array does
 * not store), and allocation failure: nothing lost, nothing half done.
 */
#include <check.h>

#include "tests/unit/testutil.h"
#include <stdint.h>
#include <string.h>

#include "base/alloc.h"
#include "store/fprun.h"

/* Uniform 64-bit values, as fingerprints are, distinct for distinct i. */
static uint64_t
fp_of(uint64_t i)
{
	struct tlsrpt_sipkey k = {0x0123456789abcdefULL, 0xfedcba9876543210ULL};

	return tlsrpt_siphash24(&k, &i, sizeof(i));
}

/* The loops below count and assert once: Check records every ck_assert
 * as it passes, which at a million would be most of the run. */
static void
add_range(struct tlsrpt_fpset *s, uint64_t from, uint64_t to)
{
	uint64_t added = 0;

	for (uint64_t i = from; i < to; i++)
		added += tlsrpt_fpset_add(s, fp_of(i)) == 1;
	ck_assert_uint_eq(added, to - from);
}

/* How many of fp_of(from) .. fp_of(to - 1) r holds. */
static uint64_t
members(const struct tlsrpt_fprun *r, uint64_t from, uint64_t to)
{
	uint64_t n = 0;

	for (uint64_t i = from; i < to; i++)
		n += (uint64_t)tlsrpt_fprun_has(r, fp_of(i));
	return n;
}

START_TEST(test_many_absorbs)
{
	struct tlsrpt_fprun r = {0};
	struct tlsrpt_fpset s = {0};
	uint64_t total = 0, pending = 0, sorted_in = 0;

	/* 300 "files" of 0 to ~4,000 members: 0 to ~600,000 in the run, so
	 * the index grows from 2^16 to 2^17 buckets. */
	for (uint64_t f = 0; f < 300; f++) {
		uint64_t m = (f * 7919) % 4001;

		add_range(&s, total, total + m);
		/* Not members before they are absorbed. */
		if (m > 0)
			ck_assert(!tlsrpt_fprun_has(&r, fp_of(total)));
		ck_assert_int_eq(tlsrpt_fprun_absorb(&r, &s), 0);
		total += m;
		ck_assert_uint_eq(tlsrpt_fprun_count(&r), total);
		ck_assert_uint_eq(s.n, 0); /* emptied for the next file */
		pending += r.pend.n > 0;
		sorted_in += f > 100 && r.pend.n == 0 && m > 0;
		ck_assert(m == 0 || !tlsrpt_fpset_has(&s, fp_of(total - 1)));
		/* A sample now (the newest, the oldest, some between). */
		for (uint64_t i = 0; i < total; i += 1 + total / 64)
			ck_assert(tlsrpt_fprun_has(&r, fp_of(i)));
		if (total > 0)
			ck_assert(tlsrpt_fprun_has(&r, fp_of(total - 1)));
	}
	ck_assert_uint_eq(r.bits, 17);
	/* Both ways were taken, many times. */
	ck_assert_uint_gt(pending, 100);
	ck_assert_uint_gt(sorted_in, 5);
	ck_assert_uint_eq(members(&r, 0, total), total);
	ck_assert_uint_eq(members(&r, total, total + 100000), 0);
	/* Near misses: a neighbour of a member is not one. */
	for (uint64_t i = 0; i < 1000; i++) {
		ck_assert(!tlsrpt_fprun_has(&r, fp_of(i) + 1));
		ck_assert(!tlsrpt_fprun_has(&r, fp_of(i) - 1));
	}
	ck_assert(!tlsrpt_fprun_has(&r, 0));
	ck_assert(!tlsrpt_fprun_has(&r, UINT64_MAX));
	tlsrpt_fprun_clear(&r);
	ck_assert_uint_eq(tlsrpt_fprun_count(&r), 0);
	ck_assert(!tlsrpt_fprun_has(&r, fp_of(0)));
	tlsrpt_fpset_clear(&s);
}
END_TEST

START_TEST(test_zero_fingerprint)
{
	struct tlsrpt_fprun r = {0};
	struct tlsrpt_fpset s = {0};

	ck_assert(!tlsrpt_fprun_has(&r, 0));
	/* Alone in a set. */
	ck_assert_int_eq(tlsrpt_fpset_add(&s, 0), 1);
	ck_assert_int_eq(tlsrpt_fprun_absorb(&r, &s), 0);
	ck_assert(tlsrpt_fprun_has(&r, 0));
	ck_assert(!tlsrpt_fpset_has(&s, 0));
	ck_assert_uint_eq(tlsrpt_fprun_count(&r), 1);
	/* Again, beside others: counted once, the others there too. */
	ck_assert_int_eq(tlsrpt_fpset_add(&s, 0), 1);
	add_range(&s, 0, 10);
	ck_assert_int_eq(tlsrpt_fprun_absorb(&r, &s), 0);
	ck_assert_uint_eq(tlsrpt_fprun_count(&r), 11);
	ck_assert(tlsrpt_fprun_has(&r, 0));
	for (uint64_t i = 0; i < 10; i++)
		ck_assert(tlsrpt_fprun_has(&r, fp_of(i)));
	tlsrpt_fprun_clear(&r);
	ck_assert(!tlsrpt_fprun_has(&r, 0));
	tlsrpt_fpset_clear(&s);
}
END_TEST

START_TEST(test_duplicates)
{
	struct tlsrpt_fprun r = {0};
	struct tlsrpt_fpset s = {0};

	/* Each absorb flushed: sorted in, counted exactly. Twice within
	 * one set: one member. */
	add_range(&s, 0, 1000);
	ck_assert_int_eq(tlsrpt_fpset_add(&s, fp_of(5)), 0);
	ck_assert_int_eq(tlsrpt_fprun_absorb(&r, &s), 0);
	ck_assert_int_eq(tlsrpt_fprun_flush(&r), 0);
	ck_assert_uint_eq(tlsrpt_fprun_count(&r), 1000);
	/* Across sets: half of the next set is in the run already, at its
	 * start, middle and end in sorted order alike. */
	add_range(&s, 500, 1500);
	ck_assert_int_eq(tlsrpt_fprun_absorb(&r, &s), 0);
	ck_assert_int_eq(tlsrpt_fprun_flush(&r), 0);
	ck_assert_uint_eq(tlsrpt_fprun_count(&r), 1500);
	for (uint64_t i = 0; i < 1500; i++)
		ck_assert(tlsrpt_fprun_has(&r, fp_of(i)));
	ck_assert(!tlsrpt_fprun_has(&r, fp_of(1500)));
	/* Nothing new at all, then one new among the old. */
	add_range(&s, 0, 1500);
	ck_assert_int_eq(tlsrpt_fprun_absorb(&r, &s), 0);
	ck_assert_int_eq(tlsrpt_fprun_flush(&r), 0);
	ck_assert_uint_eq(tlsrpt_fprun_count(&r), 1500);
	add_range(&s, 1000, 1501);
	ck_assert_int_eq(tlsrpt_fprun_absorb(&r, &s), 0);
	ck_assert_int_eq(tlsrpt_fprun_flush(&r), 0);
	ck_assert_uint_eq(tlsrpt_fprun_count(&r), 1501);
	for (uint64_t i = 0; i < 1501; i++)
		ck_assert(tlsrpt_fprun_has(&r, fp_of(i)));
	for (uint64_t i = 1501; i < 3000; i++)
		ck_assert(!tlsrpt_fprun_has(&r, fp_of(i)));
	/* And growing on after that. */
	add_range(&s, 1501, 5000);
	ck_assert_int_eq(tlsrpt_fprun_absorb(&r, &s), 0);
	ck_assert_int_eq(tlsrpt_fprun_flush(&r), 0);
	ck_assert_uint_eq(tlsrpt_fprun_count(&r), 5000);
	for (uint64_t i = 0; i < 5000; i++)
		ck_assert(tlsrpt_fprun_has(&r, fp_of(i)));
	/* Old and new together, the index at its smallest. */
	ck_assert_uint_eq(r.bits, 16);
	add_range(&s, 4900, 5100);
	ck_assert_int_eq(tlsrpt_fprun_absorb(&r, &s), 0);
	ck_assert_int_eq(tlsrpt_fprun_flush(&r), 0);
	ck_assert_uint_eq(r.bits, 16);
	ck_assert_uint_eq(tlsrpt_fprun_count(&r), 5100);
	for (uint64_t i = 0; i < 5100; i++)
		ck_assert(tlsrpt_fprun_has(&r, fp_of(i)));
	for (uint64_t i = 5100; i < 20000; i++)
		ck_assert(!tlsrpt_fprun_has(&r, fp_of(i)));
	tlsrpt_fprun_clear(&r);
	tlsrpt_fpset_clear(&s);
}
END_TEST

START_TEST(test_empty)
{
	struct tlsrpt_fprun r = {0};
	struct tlsrpt_fpset s = {0};

	/* A set never used, into an empty run and into a full one. */
	ck_assert_int_eq(tlsrpt_fprun_absorb(&r, &s), 0);
	ck_assert_uint_eq(tlsrpt_fprun_count(&r), 0);
	ck_assert(!tlsrpt_fprun_has(&r, fp_of(0)));
	add_range(&s, 0, 100);
	ck_assert_int_eq(tlsrpt_fprun_absorb(&r, &s), 0);
	ck_assert_uint_gt(s.cap, 0); /* an emptied set, slots kept */
	ck_assert_int_eq(tlsrpt_fprun_absorb(&r, &s), 0);
	ck_assert_int_eq(tlsrpt_fprun_absorb(&r, &s), 0);
	ck_assert_uint_eq(tlsrpt_fprun_count(&r), 100);
	for (uint64_t i = 0; i < 100; i++)
		ck_assert(tlsrpt_fprun_has(&r, fp_of(i)));
	ck_assert(!tlsrpt_fprun_has(&r, fp_of(100)));
	tlsrpt_fprun_clear(&r);
	tlsrpt_fpset_clear(&s);
}
END_TEST

/* Values that are not uniform (small numbers share the top bits, so one
 * bucket; others sit on bucket edges): slower, still right. */
START_TEST(test_patterned_values)
{
	struct tlsrpt_fprun r = {0};
	struct tlsrpt_fpset s = {0};

	for (uint64_t f = 0; f < 20; f++) {
		for (uint64_t i = 1 + f * 500; i <= (f + 1) * 500; i++) {
			ck_assert_int_eq(tlsrpt_fpset_add(&s, i), 1);
			ck_assert_int_eq(tlsrpt_fpset_add(&s, i << 44), 1);
			ck_assert_int_eq(tlsrpt_fpset_add(&s, ~i), 1);
		}
		ck_assert_int_eq(tlsrpt_fprun_absorb(&r, &s), 0);
	}
	ck_assert_uint_eq(tlsrpt_fprun_count(&r), 30000);
	for (uint64_t i = 1; i <= 10000; i++) {
		ck_assert(tlsrpt_fprun_has(&r, i));
		ck_assert(tlsrpt_fprun_has(&r, i << 44));
		ck_assert(tlsrpt_fprun_has(&r, ~i));
		ck_assert(!tlsrpt_fprun_has(&r, (i << 44) | 1));
		ck_assert(!tlsrpt_fprun_has(&r, i + 10000));
	}
	ck_assert(!tlsrpt_fprun_has(&r, UINT64_MAX));
	tlsrpt_fprun_clear(&r);
	tlsrpt_fpset_clear(&s);
}
END_TEST

/* The array keeps a member's low 48 bits; its bucket says the top 16.
 * Members that differ only there are each found, and a value with a
 * member's low bits but other top bits is not one, at the index's
 * smallest (top 16 bits = bucket) and grown past it (2^17 buckets: the
 * bucket says 17 bits, one of them also in the low 48). */
START_TEST(test_top_bits)
{
	struct tlsrpt_fprun r = {0};
	struct tlsrpt_fpset s = {0};
	const uint64_t low = 0x0000123456789abcULL;
	uint64_t even = 0, odd = 0, near = 0;

	for (uint64_t j = 0; j < 65536; j += 2)
		ck_assert_int_eq(tlsrpt_fpset_add(&s, j << 48 | low), 1);
	ck_assert_int_eq(tlsrpt_fprun_absorb(&r, &s), 0);
	ck_assert_int_eq(tlsrpt_fprun_flush(&r), 0);
	ck_assert_uint_eq(r.n, 32768);
	ck_assert_uint_eq(r.bits, 16);
	for (uint64_t j = 0; j < 65536; j++) {
		if (tlsrpt_fprun_has(&r, j << 48 | low))
			*(j % 2 == 0 ? &even : &odd) += 1;
		near += (uint64_t)tlsrpt_fprun_has(&r, j << 48 | (low + 1));
	}
	ck_assert_uint_eq(even, 32768);
	ck_assert_uint_eq(odd, 0);
	ck_assert_uint_eq(near, 0);
	/* Grown to 2^17 buckets: the same members, the odd ones added. */
	for (uint64_t j = 1; j < 65536; j += 2)
		odd += (uint64_t)tlsrpt_fpset_add(&s, j << 48 | low);
	ck_assert_uint_eq(odd, 32768);
	add_range(&s, 0, 600000);
	ck_assert_int_eq(tlsrpt_fprun_absorb(&r, &s), 0);
	ck_assert_int_eq(tlsrpt_fprun_flush(&r), 0);
	ck_assert_uint_eq(r.bits, 17);
	ck_assert_uint_eq(r.n, 65536 + 600000);
	even = 0;
	for (uint64_t j = 0; j < 65536; j++) {
		even += (uint64_t)tlsrpt_fprun_has(&r, j << 48 | low);
		near += (uint64_t)tlsrpt_fprun_has(&r, j << 48 | (low - 1));
		near += (uint64_t)tlsrpt_fprun_has(
			&r, j << 48 | (low ^ (1ULL << 47)));
	}
	ck_assert_uint_eq(even, 65536);
	ck_assert_uint_eq(near, 0);
	ck_assert_uint_eq(members(&r, 0, 600000), 600000);
	tlsrpt_fprun_clear(&r);
	tlsrpt_fpset_clear(&s);
}
END_TEST

START_TEST(test_out_of_memory)
{
	struct tlsrpt_fprun r = {0};
	struct tlsrpt_fpset s = {0};
	const uint64_t more = 70000; /* over FPRUN_MIN_PENDING: sorted in */
	unsigned long n;
	size_t cap;
	int rc;

	add_range(&s, 0, 1000);
	ck_assert_int_eq(tlsrpt_fprun_absorb(&r, &s), 0);
	ck_assert_uint_eq(r.n, 0); /* too few to sort in: pending */
	ck_assert_int_eq(tlsrpt_fprun_flush(&r), 0);
	ck_assert_uint_eq(r.n, 1000);
	/* 70,000 more: the pending set grows (fails: -1, s unchanged), then
	 * sorting in fails (0: they stay pending, found all the same). */
	add_range(&s, 1000, 1000 + more);
	cap = s.cap;
	for (n = 1;; n++) {
		tlsrpt_alloc_fail_after(n);
		rc = tlsrpt_fprun_absorb(&r, &s);
		tlsrpt_alloc_fail_after(0);
		if (rc == 0)
			break;
		ck_assert_int_eq(rc, -1);
		ck_assert_uint_eq(s.n, more);
		ck_assert_uint_eq(s.cap, cap);
		ck_assert_uint_eq(members(&r, 0, 1000), 1000);
		ck_assert_uint_eq(members(&r, 1000, 1000 + more), 0);
	}
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(r.n, 1000); /* pending */
	ck_assert_uint_eq(s.n, 0);
	ck_assert_uint_eq(members(&r, 0, 1000 + more), 1000 + more);
	/* Flushing: the array grown, then a new index; either failing leaves
	 * r as it was. */
	for (n = 1;; n++) {
		tlsrpt_alloc_fail_after(n);
		rc = tlsrpt_fprun_flush(&r);
		tlsrpt_alloc_fail_after(0);
		if (rc == 0)
			break;
		ck_assert_int_eq(rc, -1);
		ck_assert_uint_eq(r.n, 1000);
		ck_assert_uint_eq(tlsrpt_fprun_count(&r), 1000 + more);
		ck_assert_uint_eq(members(&r, 0, 1000 + more), 1000 + more);
	}
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(r.n, 1000 + more);
	ck_assert_uint_eq(r.pend.n, 0);
	ck_assert_uint_eq(members(&r, 0, 1000 + more), 1000 + more);
	ck_assert(!tlsrpt_fprun_has(&r, fp_of(1000 + more)));
	tlsrpt_fprun_clear(&r);
	tlsrpt_fpset_clear(&s);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("fprun");
	TCase *tc = tcase_create("core");

	tlsrpt_alloc_init();
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_many_absorbs);
	tcase_add_test(tc, test_zero_fingerprint);
	tcase_add_test(tc, test_duplicates);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_patterned_values);
	tcase_add_test(tc, test_top_bits);
	tcase_add_test(tc, test_out_of_memory);
	suite_add_tcase(s, tc);
	return test_run(s);
}
