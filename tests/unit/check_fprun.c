/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_fprun.c -- the sorted run of earlier files' fingerprints
 * (store/fprun.h): membership after many absorbed sets of every size
 * (sorted in an eighth at a time, the bucket index regrown several times
 * on the way, members found while pending), members absent before they
 * are absorbed, the zero fingerprint, a member absorbed twice (within one
 * set and across sets), empty sets, patterned values that crowd one
 * bucket, and allocation failure: nothing lost, nothing half done.
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

static void
add_range(struct tlsrpt_fpset *s, uint64_t from, uint64_t to)
{
	for (uint64_t i = from; i < to; i++)
		ck_assert_int_eq(tlsrpt_fpset_add(s, fp_of(i)), 1);
}

START_TEST(test_many_absorbs)
{
	struct tlsrpt_fprun r = {0};
	struct tlsrpt_fpset s = {0};
	uint64_t total = 0, pending = 0, sorted_in = 0;

	/* 300 "files" of 0 to ~2,000 members: 0 to ~300,000 in the run, so
	 * the index grows from 2^4 to 2^16 buckets. */
	for (uint64_t f = 0; f < 300; f++) {
		uint64_t m = (f * 7919) % 2003;

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
	ck_assert_uint_gt(r.bits, 12);
	/* Both ways were taken, many times. */
	ck_assert_uint_gt(pending, 100);
	ck_assert_uint_gt(sorted_in, 5);
	for (uint64_t i = 0; i < total; i++)
		ck_assert(tlsrpt_fprun_has(&r, fp_of(i)));
	for (uint64_t i = total; i < total + 100000; i++)
		ck_assert(!tlsrpt_fprun_has(&r, fp_of(i)));
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
	/* Old and new together while the index keeps its size (so it is
	 * updated, not rebuilt). */
	ck_assert_uint_eq(r.bits, 10);
	add_range(&s, 4900, 5100);
	ck_assert_int_eq(tlsrpt_fprun_absorb(&r, &s), 0);
	ck_assert_int_eq(tlsrpt_fprun_flush(&r), 0);
	ck_assert_uint_eq(r.bits, 10);
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

START_TEST(test_out_of_memory)
{
	struct tlsrpt_fprun r = {0};
	struct tlsrpt_fpset s = {0};
	unsigned long n;
	size_t cap;
	int rc;

	add_range(&s, 0, 1000);
	ck_assert_int_eq(tlsrpt_fprun_absorb(&r, &s), 0);
	ck_assert_uint_eq(r.n, 1000); /* into an empty run: sorted in */
	/* 2,000 more: the pending set grows (fails: -1, s unchanged), then
	 * sorting in fails (0: they stay pending, found all the same). */
	add_range(&s, 1000, 3000);
	cap = s.cap;
	for (n = 1;; n++) {
		tlsrpt_alloc_fail_after(n);
		rc = tlsrpt_fprun_absorb(&r, &s);
		tlsrpt_alloc_fail_after(0);
		if (rc == 0)
			break;
		ck_assert_int_eq(rc, -1);
		ck_assert_uint_eq(s.n, 2000);
		ck_assert_uint_eq(s.cap, cap);
		for (uint64_t i = 0; i < 3000; i++) {
			ck_assert(i >= 1000 || tlsrpt_fprun_has(&r, fp_of(i)));
			ck_assert(i < 1000 || tlsrpt_fpset_has(&s, fp_of(i)));
		}
	}
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(r.n, 1000); /* pending */
	ck_assert_uint_eq(s.n, 0);
	for (uint64_t i = 0; i < 3000; i++)
		ck_assert(tlsrpt_fprun_has(&r, fp_of(i)));
	/* Flushing: the array grown, then (from 1,000 to 3,000 members) a
	 * larger index; either failing leaves r as it was. */
	for (n = 1;; n++) {
		tlsrpt_alloc_fail_after(n);
		rc = tlsrpt_fprun_flush(&r);
		tlsrpt_alloc_fail_after(0);
		if (rc == 0)
			break;
		ck_assert_int_eq(rc, -1);
		ck_assert_uint_eq(r.n, 1000);
		ck_assert_uint_eq(tlsrpt_fprun_count(&r), 3000);
		for (uint64_t i = 0; i < 3000; i++)
			ck_assert(tlsrpt_fprun_has(&r, fp_of(i)));
	}
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(r.n, 3000);
	ck_assert_uint_eq(r.pend.n, 0);
	for (uint64_t i = 0; i < 3000; i++)
		ck_assert(tlsrpt_fprun_has(&r, fp_of(i)));
	ck_assert(!tlsrpt_fprun_has(&r, fp_of(3000)));
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
	tcase_add_test(tc, test_out_of_memory);
	suite_add_tcase(s, tc);
	return test_run(s);
}
