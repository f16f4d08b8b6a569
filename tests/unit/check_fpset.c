/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_fpset.c -- the store reader's report fingerprints (store/fpset.h):
 * SipHash-2-4 against the reference vectors, the fingerprint of a report
 * is the hash of org NUL id, and the set: add/has, growth, patterned
 * values that share home slots, the zero fingerprint, merge and reset,
 * allocation failure, and a colliding fingerprint taken as a duplicate.
 */
#include <check.h>

#include "tests/unit/testutil.h"
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "store/fpset.h"

/* Key 00 01 .. 0f, little-endian, as in the SipHash paper. */
static const struct tlsrpt_sipkey ref_key = {0x0706050403020100ULL,
					     0x0f0e0d0c0b0a0908ULL};

START_TEST(test_siphash_vectors)
{
	unsigned char msg[64];

	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (unsigned char)i;
	/* The paper's appendix A (15 bytes), and the reference
	 * implementation's vectors for 0, 1, 7, 8 and 63 bytes. */
	ck_assert_uint_eq(tlsrpt_siphash24(&ref_key, msg, 15),
			  0xa129ca6149be45e5ULL);
	ck_assert_uint_eq(tlsrpt_siphash24(&ref_key, msg, 0),
			  0x726fdb47dd0e0e31ULL);
	ck_assert_uint_eq(tlsrpt_siphash24(&ref_key, msg, 1),
			  0x74f839c593dc67fdULL);
	ck_assert_uint_eq(tlsrpt_siphash24(&ref_key, msg, 7),
			  0xab0200f58b01d137ULL);
	ck_assert_uint_eq(tlsrpt_siphash24(&ref_key, msg, 8),
			  0x93f5f5799a932462ULL);
	ck_assert_uint_eq(tlsrpt_siphash24(&ref_key, msg, 63),
			  0x958a324ceb064572ULL);
}
END_TEST

START_TEST(test_report_fingerprint)
{
	struct tlsrpt_sipkey k = {12345, 67890}, k2 = {12345, 67891};
	const char joined[] = "Google Inc.\0"
			      "2024-05-01T00:00:00Z_example.com";
	uint64_t fp = tlsrpt_fp_report(&k, "Google Inc.",
				       "2024-05-01T00:00:00Z_example.com");

	/* Fed in pieces (org, NUL, id), equal to the hash of the whole. */
	ck_assert_uint_eq(fp, tlsrpt_siphash24(&k, joined, sizeof(joined) - 1));
	/* The NUL separates: the split point matters. */
	ck_assert_uint_ne(tlsrpt_fp_report(&k, "ab", "c"),
			  tlsrpt_fp_report(&k, "a", "bc"));
	ck_assert_uint_ne(tlsrpt_fp_report(&k, "", "x"),
			  tlsrpt_fp_report(&k, "x", ""));
	/* Keyed: another key, another fingerprint. */
	ck_assert_uint_ne(fp,
			  tlsrpt_fp_report(&k2, "Google Inc.",
					   "2024-05-01T00:00:00Z_example.com"));
	/* Long strings cross many blocks at every alignment. */
	{
		char org[100], id[100], all[201];

		for (size_t lo = 0; lo < 20; lo++) {
			for (size_t li = 0; li < 20; li++) {
				memset(org, 'o', lo);
				org[lo] = '\0';
				memset(id, 'i', li + 40);
				id[li + 40] = '\0';
				memcpy(all, org, lo + 1);
				memcpy(all + lo + 1, id, li + 41);
				ck_assert_uint_eq(
					tlsrpt_fp_report(&k, org, id),
					tlsrpt_siphash24(&k, all,
							 lo + li + 41));
			}
		}
	}
}
END_TEST

START_TEST(test_random_keys_differ)
{
	struct tlsrpt_sipkey a, b;

	tlsrpt_sipkey_random(&a);
	tlsrpt_sipkey_random(&b);
	ck_assert(a.k0 != b.k0 || a.k1 != b.k1);
}
END_TEST

START_TEST(test_add_has_grow)
{
	struct tlsrpt_fpset s = {0};
	struct tlsrpt_sipkey k;
	char id[32];
	size_t n = 200000;

	tlsrpt_sipkey_random(&k);
	ck_assert_int_eq(tlsrpt_fpset_has(&s, 42), 0);
	for (size_t i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "report-%zu", i);
		ck_assert_int_eq(
			tlsrpt_fpset_add(&s, tlsrpt_fp_report(&k, "org", id)),
			1);
	}
	ck_assert_uint_eq(s.n, n);
	/* Load at most 3/4, capacity a power of two. */
	ck_assert_uint_ge(3 * s.cap, 4 * n);
	ck_assert_uint_eq(s.cap & (s.cap - 1), 0);
	ck_assert_uint_lt(3 * s.cap, 8 * n + 64);
	for (size_t i = 0; i < n; i++) {
		uint64_t fp;

		snprintf(id, sizeof(id), "report-%zu", i);
		fp = tlsrpt_fp_report(&k, "org", id);
		ck_assert_int_eq(tlsrpt_fpset_has(&s, fp), 1);
		ck_assert_int_eq(tlsrpt_fpset_add(&s, fp), 0);
		snprintf(id, sizeof(id), "other-%zu", i);
		ck_assert_int_eq(
			tlsrpt_fpset_has(&s, tlsrpt_fp_report(&k, "org", id)),
			0);
	}
	ck_assert_uint_eq(s.n, n);
	tlsrpt_fpset_clear(&s);
	ck_assert_ptr_null(s.slots);
	ck_assert_uint_eq(s.cap, 0);
	ck_assert_int_eq(tlsrpt_fpset_has(&s, 42), 0);
}
END_TEST

/* Values equal in their low bits and values equal in their high bits: long
 * probe chains and wrap-around at the end of the slots still find all. */
START_TEST(test_patterned_values)
{
	struct tlsrpt_fpset s = {0};

	for (uint64_t i = 1; i <= 5000; i++) {
		ck_assert_int_eq(tlsrpt_fpset_add(&s, i << 40), 1);
		ck_assert_int_eq(tlsrpt_fpset_add(&s, i), 1);
		ck_assert_int_eq(tlsrpt_fpset_add(&s, ~i), 1);
	}
	for (uint64_t i = 1; i <= 5000; i++) {
		ck_assert(tlsrpt_fpset_has(&s, i << 40));
		ck_assert(tlsrpt_fpset_has(&s, i));
		ck_assert(tlsrpt_fpset_has(&s, ~i));
		ck_assert(!tlsrpt_fpset_has(&s, (i << 40) | 1));
	}
	ck_assert_uint_eq(s.n, 15000);
	tlsrpt_fpset_clear(&s);
}
END_TEST

START_TEST(test_zero_fingerprint)
{
	struct tlsrpt_fpset s = {0}, t = {0};

	ck_assert_int_eq(tlsrpt_fpset_has(&s, 0), 0);
	ck_assert_int_eq(tlsrpt_fpset_add(&s, 0), 1);
	ck_assert_int_eq(tlsrpt_fpset_add(&s, 0), 0);
	ck_assert_int_eq(tlsrpt_fpset_has(&s, 0), 1);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_int_eq(tlsrpt_fpset_has(&s, 1), 0);
	ck_assert_int_eq(tlsrpt_fpset_merge(&t, &s), 0);
	ck_assert_int_eq(tlsrpt_fpset_has(&t, 0), 1);
	tlsrpt_fpset_reset(&s);
	ck_assert_int_eq(tlsrpt_fpset_has(&s, 0), 0);
	tlsrpt_fpset_clear(&s);
	tlsrpt_fpset_clear(&t);
}
END_TEST

START_TEST(test_merge_reset)
{
	struct tlsrpt_fpset a = {0}, b = {0};
	size_t cap;

	for (uint64_t i = 1; i <= 1000; i++)
		ck_assert_int_eq(tlsrpt_fpset_add(&a, i * 3), 1);
	for (uint64_t i = 1; i <= 1000; i++)
		ck_assert_int_eq(tlsrpt_fpset_add(&b, i * 5), 1);
	ck_assert_int_eq(tlsrpt_fpset_merge(&a, &b), 0);
	/* Multiples of 15 were in both. */
	ck_assert_uint_eq(a.n, 2000 - 1000 / 5);
	for (uint64_t i = 1; i <= 1000; i++) {
		ck_assert(tlsrpt_fpset_has(&a, i * 3));
		ck_assert(tlsrpt_fpset_has(&a, i * 5));
	}
	ck_assert_uint_eq(b.n, 1000); /* the source is unchanged */
	cap = b.cap;
	tlsrpt_fpset_reset(&b);
	ck_assert_uint_eq(b.n, 0);
	ck_assert_uint_eq(b.cap, cap); /* slots kept for reuse */
	for (uint64_t i = 1; i <= 1000; i++)
		ck_assert(!tlsrpt_fpset_has(&b, i * 5));
	ck_assert_int_eq(tlsrpt_fpset_add(&b, 5), 1);
	tlsrpt_fpset_clear(&a);
	tlsrpt_fpset_clear(&b);
}
END_TEST

START_TEST(test_out_of_memory)
{
	struct tlsrpt_fpset s = {0};
	uint64_t i;
	size_t cap;

	/* Fill to the point where the next add must grow. */
	for (i = 1; (s.n + 1) * 4 <= s.cap * 3 || s.cap == 0; i++)
		ck_assert_int_eq(tlsrpt_fpset_add(&s, i), 1);
	cap = s.cap;
	tlsrpt_alloc_fail_after(1);
	ck_assert_int_eq(tlsrpt_fpset_add(&s, i), -1);
	tlsrpt_alloc_fail_after(0);
	/* Unchanged, and still usable. */
	ck_assert_uint_eq(s.cap, cap);
	ck_assert_uint_eq(s.n, i - 1);
	ck_assert(!tlsrpt_fpset_has(&s, i));
	ck_assert(tlsrpt_fpset_has(&s, i - 1));
	ck_assert_int_eq(tlsrpt_fpset_add(&s, i - 1), 0); /* no growth needed */
	ck_assert_int_eq(tlsrpt_fpset_add(&s, i), 1);
	ck_assert_uint_gt(s.cap, cap);
	tlsrpt_fpset_clear(&s);
}
END_TEST

/* What a collision does: two distinct reports that happened to share a
 * fingerprint are one member, so the second is taken for a duplicate --
 * the documented cost, with odds about n^2 / 2^65. Forced here by giving
 * the set the same value for both. */
START_TEST(test_forced_collision)
{
	struct tlsrpt_fpset s = {0};
	struct tlsrpt_sipkey k = {1, 2};
	uint64_t first = tlsrpt_fp_report(&k, "Org A", "report-1");
	uint64_t second = first; /* as if ("Org B", "report-2") hashed so */

	ck_assert_int_eq(tlsrpt_fpset_add(&s, first), 1);
	ck_assert_int_eq(tlsrpt_fpset_has(&s, second), 1);
	ck_assert_int_eq(tlsrpt_fpset_add(&s, second), 0);
	/* Genuinely different reports do not collide under this key. */
	ck_assert_int_eq(
		tlsrpt_fpset_has(&s, tlsrpt_fp_report(&k, "Org B", "report-2")),
		0);
	tlsrpt_fpset_clear(&s);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("fpset");
	TCase *tc = tcase_create("core");

	tlsrpt_alloc_init();
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_siphash_vectors);
	tcase_add_test(tc, test_report_fingerprint);
	tcase_add_test(tc, test_random_keys_differ);
	tcase_add_test(tc, test_add_has_grow);
	tcase_add_test(tc, test_patterned_values);
	tcase_add_test(tc, test_zero_fingerprint);
	tcase_add_test(tc, test_merge_reset);
	tcase_add_test(tc, test_out_of_memory);
	tcase_add_test(tc, test_forced_collision);
	suite_add_tcase(s, tc);
	return test_run(s);
}
