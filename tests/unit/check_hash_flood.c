/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_hash_flood.c -- names a reporter chose so that they collide in an
 * unkeyed hash no longer collide (base/siphash.h): the string hash of the
 * summary's GLib tables, and the store index's key set.
 *
 * - 4,096 domain names built from the blocks "ar" and "c0" have one and
 *   the same g_str_hash (the test checks that it is a real attack on
 *   GLib's hash); tlsrpt_str_hash gives them (nearly) all different
 *   values. Two processes draw different keys.
 * - 1,000 report keys whose FNV-1a hash (the key set's hash before)
 *   shares its low 11 bits all went to one run of slots; with the keyed
 *   hash no key lies far from its home slot.
 * - 3,000 organisation names reporting one domain, and 3,000 start
 *   dates (one per report mail, each the sender's to choose): past
 *   SUMMARY_REPORTERS_INDEXED names or SUMMARY_DAYS_INDEXED dates the
 *   domain finds them by a table and appends each new one (a sorted
 *   insert moved every later one: quadratic), each found again on its
 *   second report, and finish sorts them as the renderers expect. 4,096 int64
 * values with one g_int64_hash get (nearly) all different tlsrpt_int64_hash
 * values.
 * - 3,000 versions of one org + report-id (the store caps versions, but
 *   not those our verifier saw signed), two lines each, interleaved: each
 *   line joins its own version (found by a table, not a scan of every
 *   version at every line), and the conflict lists them all; an org and
 *   id that spell the same "org\nid" as the conflict's are another key.
 */
#include <check.h>

#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/siphash.h"
#include "report/report.h"
#include "store/keyset.h"
#include "summary/aggregate.h"
#include "summary/conflicts.h"
#include "tests/unit/summary_fixture.h"
#include "tests/unit/testutil.h"

#define FLOOD_BITS 12
#define FLOOD_N (1u << FLOOD_BITS)

static int
cmp_uint(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

static size_t
distinct(unsigned *v, size_t n)
{
	size_t d = n > 0;

	qsort(v, n, sizeof(*v), cmp_uint);
	for (size_t i = 1; i < n; i++)
		d += v[i] != v[i - 1];
	return d;
}

/* Name i of the flood: FLOOD_BITS blocks, "ar" or "c0" by the bits of i
 * (97 * 33 + 114 == 99 * 33 + 48: djb2 cannot tell the blocks apart). */
static void
flood_name(unsigned i, char *buf)
{
	for (unsigned b = 0; b < FLOOD_BITS; b++)
		memcpy(buf + 2 * b, (i >> b) & 1 ? "c0" : "ar", 2);
	strcpy(buf + 2 * FLOOD_BITS, ".example");
}

START_TEST(test_str_hash_flood)
{
	static unsigned glib[FLOOD_N], ours[FLOOD_N];
	char name[2 * FLOOD_BITS + 16];

	for (unsigned i = 0; i < FLOOD_N; i++) {
		flood_name(i, name);
		glib[i] = g_str_hash(name);
		ours[i] = tlsrpt_str_hash(name);
		ck_assert_uint_eq(ours[i], tlsrpt_str_hash(name));
	}
	ck_assert_uint_eq(distinct(glib, FLOOD_N), 1);
	/* 32-bit values at random: a few equal pairs at most. */
	ck_assert_uint_ge(distinct(ours, FLOOD_N), FLOOD_N - 8);
}
END_TEST

/* One child's hash of a name, its key drawn in the child. */
static unsigned
child_hash(const char *name)
{
	unsigned h = 0;
	int fd[2];
	pid_t pid;

	ck_assert_int_eq(pipe(fd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		h = tlsrpt_str_hash(name);
		_exit(write(fd[1], &h, sizeof(h)) == (ssize_t)sizeof(h) ? 0
									: 1);
	}
	close(fd[1]);
	ck_assert_int_eq(read(fd[0], &h, sizeof(h)), (ssize_t)sizeof(h));
	close(fd[0]);
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	return h;
}

/* The key is drawn at random in each process (first in this suite: this
 * process must not have drawn one, which its children would inherit):
 * two processes hash the same name to different values, equal by chance
 * once in 2^32. */
/* 4,096 int64 values alike in their low half, and 4,096 whose halves
 * XOR to one value: one g_int64_hash for one family or the other (GLib
 * 2.74 keeps the low half, later versions fold the halves). */
START_TEST(test_int64_hash_flood)
{
	static unsigned glib_low[FLOOD_N], glib_folded[FLOOD_N];
	static unsigned low[FLOOD_N], folded[FLOOD_N];

	for (unsigned i = 0; i < FLOOD_N; i++) {
		int64_t l = (int64_t)((uint64_t)i << 32 | 0x5180u);
		int64_t f = (int64_t)((uint64_t)i << 32 | (0x5180u ^ i));

		glib_low[i] = g_int64_hash(&l);
		glib_folded[i] = g_int64_hash(&f);
		low[i] = tlsrpt_int64_hash(&l);
		folded[i] = tlsrpt_int64_hash(&f);
		ck_assert_uint_eq(low[i], tlsrpt_int64_hash(&l));
	}
	/* g_int64_hash gives one family a single value. */
	ck_assert(distinct(glib_low, FLOOD_N) == 1 ||
		  distinct(glib_folded, FLOOD_N) == 1);
	ck_assert_uint_ge(distinct(low, FLOOD_N), FLOOD_N - 8);
	ck_assert_uint_ge(distinct(folded, FLOOD_N), FLOOD_N - 8);
}
END_TEST

START_TEST(test_str_hash_key_per_process)
{
	ck_assert_uint_ne(child_hash("example.org"), child_hash("example.org"));
}
END_TEST

/* The key set's old hash, to aim at it. */
static uint64_t
fnv1a(const char *key, size_t len)
{
	uint64_t h = 14695981039346656037ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)key[i];
		h *= 1099511628211ULL;
	}
	return h ^ (h >> 29);
}

#define KEYS 1000
#define KEYS_CAP 2048 /* the key set's slots for KEYS keys at load <= 1/2 */

START_TEST(test_keyset_flood)
{
	struct tlsrpt_keyset ks;
	size_t found = 0, worst = 0;
	char key[64] = "Evil";

	memset(&ks, 0, sizeof(ks));
	/* Report ids of org "Evil" whose old hash ends in 11 zero bits: a
	 * table of 2,048 slots put them all in slot 0 and after. The key
	 * is org NUL id (tlsrpt_key_make). */
	for (unsigned long t = 0; found < KEYS; t++) {
		size_t len = 5 + (size_t)snprintf(key + 5, sizeof(key) - 5,
						  "flood-%lu", t);

		if ((fnv1a(key, len) & (KEYS_CAP - 1)) != 0)
			continue;
		ck_assert_int_eq(tlsrpt_keyset_put(&ks, key, len, (int64_t)t),
				 0);
		found++;
	}
	ck_assert_uint_eq(ks.cap, KEYS_CAP);
	ck_assert_uint_eq(ks.n, KEYS);
	for (size_t i = 0; i < ks.cap; i++) {
		const struct tlsrpt_keyset_entry *e = &ks.slots[i];
		size_t home, dist;

		if (e->key == NULL)
			continue;
		home = (size_t)e->hash & (ks.cap - 1);
		dist = (i - home) & (ks.cap - 1);
		if (dist > worst)
			worst = dist;
		ck_assert_ptr_eq(tlsrpt_keyset_entry(&ks, e->key, e->len), e);
	}
	/* At load 1/2, linear probing's longest run is a few dozen; the
	 * aimed keys made it 1,000 under the old hash. */
	ck_assert_uint_lt(worst, 100);
	tlsrpt_keyset_clear(&ks);
}
END_TEST

#define ORGS 3000

static void
feed_org(struct summary_agg *a, unsigned org, int64_t t, int64_t start)
{
	struct tlsrpt_record rec;
	char name[32], id[48];

	snprintf(name, sizeof(name), "Org %05u", org);
	snprintf(id, sizeof(id), "%s-%lld", name, (long long)t);
	fixture_record(&rec, name, id, t, start, start + 86399);
	rec.policy.type = TLSRPT_POLICY_NO_POLICY_FOUND;
	rec.policy.policy_type = (char *)"no-policy-found";
	rec.policy.policy_domain = (char *)"victim.example";
	rec.policy.total_successful_session_count = 1;
	summary_agg_add(a, &rec);
}

/* An aggregation of the week before DAY0. */
static struct summary_agg *
new_week(void)
{
	struct summary_options o;

	summary_options_default(&o);
	o.until = DAY0;
	o.since = DAY0 - 7 * 86400;
	return summary_agg_new(&o);
}

START_TEST(test_many_reporters)
{
	struct summary_agg *a = new_week();
	struct summary_domain *d;
	const struct summary_reporter *r;
	unsigned i;

	/* Every name twice, a day apart, in an order unlike the names'. */
	for (int pass = 0; pass < 2; pass++) {
		for (i = 0; i < ORGS; i++) {
			int64_t t = DAY0 - (2 - pass) * 86400 + i;

			feed_org(a, (i * 1237u) % ORGS, t, t - 86400);
		}
	}
	d = g_hash_table_lookup(a->domains_h, "victim.example");
	ck_assert_ptr_nonnull(d);
	ck_assert_uint_eq(d->n_reporters, ORGS);
	ck_assert_ptr_nonnull(d->cold);
	ck_assert_ptr_nonnull(d->cold->index);
	ck_assert_ptr_nonnull(d->cold->index->reporters);
	ck_assert_uint_eq(g_hash_table_size(d->cold->index->reporters), ORGS);
	/* Appended, not inserted in order: the last new name is last. */
	r = d->reporters[ORGS - 1];
	ck_assert_str_eq(r->org, "Org 01763"); /* (2999 * 1237) % 3000 */
	summary_agg_finish(a);
	ck_assert_ptr_null(d->cold->index->reporters);
	for (i = 0; i < ORGS; i++) {
		char want[32];

		r = d->reporters[i];
		snprintf(want, sizeof(want), "Org %05u", i);
		ck_assert_str_eq(r->org, want);
		ck_assert_uint_eq(r->recent_reports, 2);
	}
	summary_agg_free(a);
}
END_TEST

/* One reporter, a report for each of ORGS start dates, each twice. */
START_TEST(test_many_days)
{
	struct summary_agg *a = new_week();
	struct summary_domain *d;
	const struct summary_day *x;
	unsigned i;

	for (int pass = 0; pass < 2; pass++) {
		for (i = 0; i < ORGS; i++) {
			int64_t t = DAY0 - (2 - pass) * 86400 + i;
			int64_t start =
				DAY0 -
				(int64_t)((i * 1237u) % ORGS + 10) * 86400;

			feed_org(a, 1, t, start + 7);
		}
	}
	d = g_hash_table_lookup(a->domains_h, "victim.example");
	ck_assert_ptr_nonnull(d);
	ck_assert_uint_eq(d->n_reporters, 1);
	ck_assert_uint_eq(d->n_days, ORGS);
	ck_assert_ptr_nonnull(d->cold);
	ck_assert_ptr_nonnull(d->cold->index);
	ck_assert_ptr_nonnull(d->cold->index->days);
	ck_assert_ptr_null(d->cold->index->reporters);
	x = d->days[ORGS - 1]; /* appended: the last new day is last */
	ck_assert_int_eq(x->day, DAY0 - (1763 + 10) * 86400);
	summary_agg_finish(a);
	ck_assert_ptr_null(d->cold->index->days);
	for (i = 0; i < ORGS; i++) {
		x = d->days[i];
		ck_assert_int_eq(x->day,
				 DAY0 - (int64_t)(ORGS + 9 - i) * 86400);
		ck_assert_int_eq(x->reports, 2);
		ck_assert_int_eq(x->c.successes, 2);
	}
	summary_agg_free(a);
}
END_TEST

#define VERSIONS 3000

/* Line n (0 or 1) of version i of the report "Org"/"the-id", or of the
 * given org and id. */
static void
version_line(struct tlsrpt_record *rec, const char *org, const char *id,
	     unsigned i, int n)
{
	static char digest[65];

	snprintf(digest, sizeof(digest), "%064x", i + 1);
	fixture_record(rec, org, id, DAY0 - 86400 + i, DAY0 - 2 * 86400,
		       DAY0 - 86400 - 1);
	rec->borrowed = 1; /* summary_held_take() takes a copy */
	rec->digest = digest;
	rec->policy_index = n;
	rec->policy_count = 2;
	rec->policy.type = TLSRPT_POLICY_NO_POLICY_FOUND;
	rec->policy.policy_type = (char *)"no-policy-found";
	rec->policy.policy_domain = (char *)"victim.example";
	rec->policy.total_successful_session_count = 1 + n;
}

START_TEST(test_many_versions)
{
	struct summary_agg *a = new_week();
	GHashTable *keys = NULL;
	struct summary_held *h;
	struct tlsrpt_record rec;
	const struct summary_conflict *cf;
	unsigned i;

	version_line(&rec, "Org", "the-id", 0, 0);
	summary_conflict_note(&keys, &rec);
	version_line(&rec, "Org\nthe", "id", 0, 0);
	summary_conflict_note(&keys, &rec);
	h = summary_held_new(keys);
	for (int n = 0; n < 2; n++) {
		for (i = 0; i < VERSIONS; i++) {
			version_line(&rec, "Org", "the-id", i, n);
			ck_assert_int_eq(summary_held_take(h, &rec), 1);
		}
	}
	/* "Org\nthe" + "id" and "Org" + "the\nid" are two keys. */
	version_line(&rec, "Org", "the\nid", 0, 0);
	ck_assert_int_eq(summary_held_take(h, &rec), 0);
	summary_held_resolve(h, a);
	summary_held_free(h);
	ck_assert_uint_eq(a->conflicts->len, 1);
	cf = g_ptr_array_index(a->conflicts, 0);
	ck_assert_str_eq(cf->org, "Org");
	ck_assert_uint_eq(cf->versions->len, VERSIONS);
	for (i = 0; i < VERSIONS; i++) {
		const struct summary_conflict_version *v =
			g_ptr_array_index(cf->versions, i);
		char want[65];

		snprintf(want, sizeof(want), "%064x", i + 1);
		ck_assert_str_eq(v->digest, want);
		ck_assert_int_eq(v->c.successes, 3); /* its two lines */
	}
	summary_agg_free(a);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("hash_flood");
	TCase *tc = tcase_create("core");

	tlsrpt_alloc_init();
	tcase_add_test(tc, test_str_hash_key_per_process);
	tcase_add_test(tc, test_str_hash_flood);
	tcase_add_test(tc, test_keyset_flood);
	tcase_add_test(tc, test_many_reporters);
	tcase_add_test(tc, test_many_days);
	tcase_add_test(tc, test_int64_hash_flood);
	tcase_add_test(tc, test_many_versions);
	suite_add_tcase(s, tc);
	return test_run(s);
}
