/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_silence_bound.c -- a reporter's report times are kept only while
 * they can decide its usual interval (summary/aggregate.h): whatever the
 * number and order of its reports, the interval and the silence verdict
 * equal those computed from every time (the median gap of the sorted
 * times, at least a day), and no reporter holds more than times_cap times.
 */
#include <check.h>

#include "tests/unit/testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "report/report.h"
#include "summary/aggregate.h"
#include "tests/unit/summary_fixture.h"

#define ONE_DAY 86400

#define UNTIL 1795737600LL /* 2026-11-27T00:00:00Z */

/* A small deterministic generator, so a failure can be replayed. */
static uint64_t
next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static struct summary_agg *
new_agg(int64_t window)
{
	struct summary_options o;

	summary_options_default(&o);
	o.until = UNTIL;
	o.since = UNTIL - window;
	return summary_agg_new(&o);
}

static void
feed(struct summary_agg *a, const char *org, int64_t t, unsigned n)
{
	struct tlsrpt_record rec;
	char id[64];

	snprintf(id, sizeof(id), "%s-%u", org, n);
	fixture_record(&rec, org, id, t, t - ONE_DAY, t - 1);
	rec.policy.type = TLSRPT_POLICY_NO_POLICY_FOUND;
	rec.policy.policy_type = (char *)"no-policy-found";
	rec.policy.policy_domain = (char *)"example.org";
	rec.policy.total_successful_session_count = 1;
	summary_agg_add(a, &rec);
}

static int
cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

	return a < b ? -1 : a > b;
}

/* The rule of tlsrpt-summary(1) on every time, as silence.c had it before
 * the times were bounded: consecutive equal times fed count once. */
static int64_t
exact_interval(const int64_t *fed, size_t n)
{
	int64_t *t = malloc((n + 1) * sizeof(*t)), *g, m;
	size_t k = 0, i;

	ck_assert_ptr_nonnull(t);
	for (i = 0; i < n; i++) {
		if (k == 0 || t[k - 1] != fed[i])
			t[k++] = fed[i];
	}
	if (k < SUMMARY_SILENCE_MIN_REPORTS) {
		free(t);
		return 0;
	}
	qsort(t, k, sizeof(*t), cmp_i64);
	g = malloc(k * sizeof(*g));
	ck_assert_ptr_nonnull(g);
	for (i = 1; i < k; i++)
		g[i - 1] = t[i] - t[i - 1];
	qsort(g, k - 1, sizeof(*g), cmp_i64);
	m = (k - 1) % 2 == 1 ? g[(k - 1) / 2]
			     : (g[(k - 1) / 2 - 1] + g[(k - 1) / 2]) / 2;
	free(t);
	free(g);
	return m < SUMMARY_SILENCE_MIN_INTERVAL ? SUMMARY_SILENCE_MIN_INTERVAL
						: m;
}

static const struct summary_reporter *
reporter(struct summary_agg *a, const char *org)
{
	struct summary_domain *d =
		g_hash_table_lookup(a->domains_h, "example.org");

	guint i;

	ck_assert_ptr_nonnull(d);
	for (i = 0; i < d->n_reporters; i++) {
		const struct summary_reporter *r = d->reporters[i];

		if (strcmp(r->org, org) == 0)
			return r;
	}
	return NULL;
}

/* Feed times[0..n) (in that order) as one reporter's reports and compare
 * with the exact rule. */
static void
check_times(const int64_t *times, size_t n, int64_t window, int want_dropped)
{
	struct summary_agg *a = new_agg(window);
	const struct summary_reporter *r;
	int64_t want, last = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		feed(a, "Reporter", times[i], (unsigned)i);
		if (times[i] > last)
			last = times[i];
		r = reporter(a, "Reporter");
		ck_assert(r->times_dropped || r->n_times <= a->times_cap);
	}
	summary_agg_finish(a);
	r = reporter(a, "Reporter");
	want = exact_interval(times, n);
	ck_assert_msg(r->interval == want, "interval %lld, want %lld (n %zu)",
		      (long long)r->interval, (long long)want, n);
	ck_assert_int_eq(r->silent,
			 want > 0 && UNTIL - last >
					     SUMMARY_SILENCE_INTERVALS * want);
	if (want_dropped >= 0)
		ck_assert_int_eq(r->times_dropped, want_dropped);
	summary_agg_free(a);
}

START_TEST(test_cap_follows_lookback)
{
	struct summary_agg *a = new_agg(7 * ONE_DAY);

	/* A 7-day window reads 30 days back: at most 30 gaps of a day. */
	ck_assert_int_eq(a->lookback, UNTIL - 30 * ONE_DAY);
	ck_assert_uint_eq(a->times_cap, 61);
	summary_agg_free(a);
	a = new_agg(60 * ONE_DAY); /* 4 windows: 240 days */
	ck_assert_uint_eq(a->times_cap, 481);
	summary_agg_free(a);
}
END_TEST

START_TEST(test_many_a_day_shuffled)
{
	size_t n = 30 * 24, i;
	int64_t *t = malloc(n * sizeof(*t));
	uint64_t s = 88172645463325252ULL;

	ck_assert_ptr_nonnull(t);
	for (i = 0; i < n; i++)
		t[i] = UNTIL - 30 * ONE_DAY + (int64_t)i * HOUR;
	for (i = n - 1; i > 0; i--) { /* out of order, as several stores */
		size_t j = next_rand(&s) % (i + 1);
		int64_t x = t[i];

		t[i] = t[j];
		t[j] = x;
	}
	check_times(t, n, 7 * ONE_DAY, 1);
	/* Stopped long ago: silent, with the minimum interval. */
	for (i = 0; i < n; i++)
		t[i] = UNTIL - 30 * ONE_DAY + (int64_t)(i % 300) * 60;
	check_times(t, n, 7 * ONE_DAY, 1);
	free(t);
}
END_TEST

START_TEST(test_sparse_kept_exact)
{
	int64_t t[12];

	for (size_t i = 0; i < 12; i++)
		t[i] = UNTIL - 29 * ONE_DAY + (int64_t)i * (5 * ONE_DAY / 2);
	check_times(t, 12, 7 * ONE_DAY, 0); /* 2.5 days */
}
END_TEST

/* As many gaps under a day as over: the median is the mean of the longest
 * short gap and the shortest long one, above a day. */
START_TEST(test_straddle)
{
	const int64_t b = UNTIL - 20 * ONE_DAY;
	const int64_t t[] = {b, b + 23 * HOUR, b + 23 * HOUR + 2 * ONE_DAY,
			     b + 46 * HOUR + 2 * ONE_DAY,
			     b + 46 * HOUR + 4 * ONE_DAY};

	check_times(t, 5, 7 * ONE_DAY, 0);
	ck_assert_int_eq(exact_interval(t, 5), (23 * HOUR + 2 * ONE_DAY) / 2);
}
END_TEST

/* Near the bound: 57 times in the 30-day look-back whose median gap is
 * still over a day (28 gaps just over a day, 27 of a minute and one just
 * under a day): every one must be kept, in any order. */
START_TEST(test_straddle_near_cap)
{
	int64_t t[57], now = UNTIL - 30 * ONE_DAY;
	size_t n = 0;
	uint64_t s = 12345;

	t[n++] = now;
	for (int i = 0; i < 28; i++) {
		now += i == 0 ? ONE_DAY - 1 : 60;
		t[n++] = now;
		now += ONE_DAY + 100;
		t[n++] = now;
	}
	ck_assert_uint_eq(n, 57);
	ck_assert_int_lt(t[56], UNTIL);
	ck_assert_int_eq(exact_interval(t, n),
			 (ONE_DAY - 1 + ONE_DAY + 100) / 2);
	check_times(t, n, 7 * ONE_DAY, 0);
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = next_rand(&s) % (i + 1);
		int64_t x = t[i];

		t[i] = t[j];
		t[j] = x;
	}
	check_times(t, n, 7 * ONE_DAY, 0);
}
END_TEST

/* Random reporters: clusters of reports within hours, separated by days,
 * duplicated times, any order; the interval always equals the exact one. */
START_TEST(test_random_against_exact)
{
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	int64_t t[400];

	for (int round = 0; round < 3000; round++) {
		size_t n = 0, want = 3 + next_rand(&s) % 180;
		int64_t now = UNTIL - 30 * ONE_DAY +
			      (int64_t)(next_rand(&s) % ONE_DAY);
		int shuffle = next_rand(&s) % 2;

		while (n < want && now < UNTIL) {
			size_t burst = 1 + next_rand(&s) % 6;

			for (size_t k = 0; k < burst && n < want; k++) {
				t[n++] = now;
				if (next_rand(&s) % 5 == 0 && n < want)
					t[n++] = now; /* the same second */
				now += (int64_t)(next_rand(&s) % (20 * HOUR));
			}
			now += ONE_DAY +
			       (int64_t)(next_rand(&s) % (3 * ONE_DAY));
		}
		for (size_t i = n; shuffle && i > 1; i--) {
			size_t j = next_rand(&s) % i;
			int64_t x = t[i - 1];

			t[i - 1] = t[j];
			t[j] = x;
		}
		for (size_t i = 0; i < n; i++) /* inside the look-back */
			if (t[i] >= UNTIL)
				t[i] = UNTIL - 1;
		check_times(t, n, 7 * ONE_DAY, -1);
	}
}
END_TEST

/* Several reporters of one domain are bounded independently. */
START_TEST(test_reporters_independent)
{
	struct summary_agg *a = new_agg(7 * ONE_DAY);
	const struct summary_reporter *r;

	for (unsigned i = 0; i < 500; i++)
		feed(a, "Busy", UNTIL - 30 * ONE_DAY + (int64_t)i * HOUR, i);
	for (unsigned i = 0; i < 5; i++)
		feed(a, "Quiet",
		     UNTIL - 30 * ONE_DAY + (int64_t)i * 3 * ONE_DAY, i);
	summary_agg_finish(a);
	r = reporter(a, "Busy");
	ck_assert_int_eq(r->times_dropped, 1);
	ck_assert_int_eq(r->interval, ONE_DAY);
	ck_assert_int_eq(r->silent, 1);
	r = reporter(a, "Quiet");
	ck_assert_int_eq(r->times_dropped, 0);
	ck_assert_uint_eq(r->n_times, 5);
	ck_assert_int_eq(r->interval, 3 * ONE_DAY);
	ck_assert_int_eq(r->silent, 1);
	summary_agg_free(a);
}
END_TEST

/* A time takes 4 bytes: the first two in the reporter itself (no heap),
 * as offsets from the look-back's start; a third moves them to the heap.
 * Once judged (finish), the usual interval takes their place. */
START_TEST(test_times_compact)
{
	struct summary_agg *a = new_agg(7 * ONE_DAY);
	const struct summary_reporter *r;
	int64_t t0 = UNTIL - 20 * ONE_DAY + 5, t1 = UNTIL - 10 * ONE_DAY + 7;

	ck_assert_uint_eq(a->times_wide, 0);
	ck_assert_uint_eq(sizeof(r->times), 2 * sizeof(uint32_t));
	feed(a, "R", t1, 0);
	feed(a, "R", t0, 1);
	r = reporter(a, "R");
	ck_assert_uint_eq(r->n_times, 2);
	ck_assert_uint_eq(r->times_heap, 0);
	ck_assert_uint_eq(r->times.in[0], (uint32_t)(t1 - a->lookback));
	ck_assert_uint_eq(r->times.in[1], (uint32_t)(t0 - a->lookback));
	feed(a, "R", UNTIL - 1, 2);
	ck_assert_uint_eq(r->times_heap, 1);
	summary_reporter_sort_times(a, (struct summary_reporter *)r);
	ck_assert_int_eq(summary_reporter_time(a, r, 0), t0);
	ck_assert_int_eq(summary_reporter_time(a, r, 1), t1);
	ck_assert_int_eq(summary_reporter_time(a, r, 2), UNTIL - 1);
	summary_agg_finish(a);
	ck_assert_uint_eq(r->times_heap, 0);
	ck_assert_int_eq(r->interval,
			 ((t1 - t0) + (UNTIL - 1 - t1)) / 2); /* median of 2 */
	summary_agg_free(a);
}
END_TEST

/* Times past the first two go to a chunk of 4 slots cut from the slab,
 * past 4 to malloc; a chunk of 4 left behind as a reporter grows, or freed
 * when its times are dropped, serves the next reporter's third time, and
 * none is shared: every reporter still reads its own times. */
START_TEST(test_times_chunks_recycled)
{
	struct summary_agg *a = new_agg(7 * ONE_DAY);
	const size_t rsize = (sizeof(struct summary_reporter) + 7) & ~7u;
	const struct summary_reporter *r, *q, *busy;
	const int64_t t0 = UNTIL - 25 * ONE_DAY;
	size_t used;
	unsigned i;

	/* R: 9 times, through a chunk of 4 into malloc's. */
	for (i = 0; i < 9; i++)
		feed(a, "R", t0 + (int64_t)i * 2 * ONE_DAY, i);
	r = reporter(a, "R");
	ck_assert_uint_eq(r->times_heap, 1);
	used = summary_slab_used(a->slab);
	/* Q: 8 times (on R's days) take the chunk of 4 that R left:
	 * nothing new in the slab but Q itself. */
	for (i = 0; i < 8; i++)
		feed(a, "Q", t0 + (int64_t)i * 2 * ONE_DAY + 1, i);
	q = reporter(a, "Q");
	ck_assert_uint_eq(summary_slab_used(a->slab), used + rsize);
	/* Busy: more than times_cap, then dropped: its chunks go back,
	 * and R's and Q's times are untouched by its writes. */
	for (i = 0; i < a->times_cap + 1; i++)
		feed(a, "Busy", t0 + (int64_t)i * HOUR, i);
	busy = reporter(a, "Busy");
	ck_assert_int_eq(busy->times_dropped, 1);
	ck_assert_uint_eq(busy->times_heap, 0);
	used = summary_slab_used(a->slab);
	for (i = 0; i < 5; i++)
		feed(a, "S", t0 + (int64_t)i * 4 * ONE_DAY + 2, i);
	ck_assert_uint_eq(summary_slab_used(a->slab),
			  used + rsize); /* the chunk of 4 Busy left */
	ck_assert_uint_eq(r->n_times, 9);
	ck_assert_uint_eq(q->n_times, 8);
	for (i = 0; i < 9; i++)
		ck_assert_int_eq(summary_reporter_time(a, r, i),
				 t0 + (int64_t)i * 2 * ONE_DAY);
	for (i = 0; i < 8; i++)
		ck_assert_int_eq(summary_reporter_time(a, q, i),
				 t0 + (int64_t)i * 2 * ONE_DAY + 1);
	summary_agg_finish(a);
	ck_assert_int_eq(r->interval, 2 * ONE_DAY);
	ck_assert_int_eq(q->interval, 2 * ONE_DAY);
	ck_assert_int_eq(reporter(a, "S")->interval, 4 * ONE_DAY);
	summary_agg_free(a);
}
END_TEST

/* Daily senders' times grow in step: every reporter passes 4 times on
 * the same day. Each keeps one chunk of 4 in the slab at most (on the free
 * list once it has grown past), not one chunk of every size it passed
 * through: the slab grows by the new days and 16 bytes a reporter. */
START_TEST(test_times_in_step)
{
	struct summary_agg *a =
		new_agg(30 * ONE_DAY); /* every day in the window */
	const size_t dsize = (sizeof(struct summary_day) + 7) & ~7u;
	const int64_t t0 = UNTIL - 25 * ONE_DAY;
	const unsigned n = 64, days = 20;
	char org[16];
	size_t used;
	unsigned i, j;

	for (i = 0; i < days; i++) {
		if (i == 2)
			used = summary_slab_used(a->slab);
		for (j = 0; j < n; j++) {
			snprintf(org, sizeof(org), "R%u", j);
			feed(a, org, t0 + (int64_t)i * ONE_DAY + j, i);
		}
	}
	ck_assert_uint_eq(summary_slab_used(a->slab),
			  used + n * 4 * sizeof(uint32_t) + (days - 2) * dsize);
	for (j = 0; j < n; j++) {
		snprintf(org, sizeof(org), "R%u", j);
		ck_assert_uint_eq(reporter(a, org)->n_times, days);
		ck_assert_int_eq(
			summary_reporter_time(a, reporter(a, org), days - 1),
			t0 + (int64_t)(days - 1) * ONE_DAY + j);
	}
	summary_agg_free(a);
}
END_TEST

/* A reporter's last report is exact whatever the order, in 4 bytes from
 * the look-back's start, and aside when the look-back spans more than
 * 2^32 seconds. */
START_TEST(test_last_exact)
{
	const int64_t year = 365 * ONE_DAY, big = (int64_t)UINT32_MAX + 1;
	struct summary_agg *a = new_agg(7 * ONE_DAY);
	const struct summary_reporter *r;
	int64_t lb = a->lookback;

	feed(a, "R", UNTIL - 3 * ONE_DAY, 0);
	feed(a, "R", UNTIL - 1, 1);
	feed(a, "R", lb, 2);
	r = reporter(a, "R");
	ck_assert_int_eq(summary_reporter_last(a, r), UNTIL - 1);
	ck_assert_uint_eq(r->last_off, (uint32_t)(UNTIL - 1 - lb));
	ck_assert_ptr_null(a->last_wide);
	summary_agg_free(a);

	a = new_agg(80 * year);
	lb = a->lookback;
	ck_assert_uint_eq(a->times_wide, 1);
	feed(a, "R", lb + big + 5, 0);
	feed(a, "R", lb + 2 * big + 9, 1);
	feed(a, "R", lb + 1, 2);
	r = reporter(a, "R");
	ck_assert_int_eq(summary_reporter_last(a, r), lb + 2 * big + 9);
	ck_assert_uint_eq(r->last_off, 0);
	summary_agg_free(a);
}
END_TEST

/* A look-back of over 2^32 seconds (a window of 80 years reads 320): the
 * times take two slots each and stay exact, and so does a usual interval
 * of over 2^32 seconds. */
START_TEST(test_times_wide)
{
	const int64_t year = 365 * ONE_DAY, window = 80 * year;
	const int64_t big = (int64_t)UINT32_MAX + 1;
	struct summary_agg *a = new_agg(window);
	const int64_t lb = a->lookback;
	const int64_t t[] = {lb + 2 * big + 9, lb + 1, UNTIL - 1, lb + big + 7};
	const size_t n = sizeof(t) / sizeof(t[0]);

	ck_assert_int_gt(UNTIL - lb, big);
	ck_assert_uint_eq(a->times_wide, 1);
	summary_agg_free(a);
	/* Gaps 2^32 + 6, 2^32 + 2 and the rest up to UNTIL: the median is
	 * 2^32 + 2, more than 32 bits. */
	ck_assert_int_eq(exact_interval(t, n), big + 2);
	check_times(t, n, window, 0);
	check_times(t, 3, window, 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("silence_bound");
	TCase *tc = tcase_create("core");

	tlsrpt_alloc_init();
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_cap_follows_lookback);
	tcase_add_test(tc, test_many_a_day_shuffled);
	tcase_add_test(tc, test_sparse_kept_exact);
	tcase_add_test(tc, test_straddle);
	tcase_add_test(tc, test_straddle_near_cap);
	tcase_add_test(tc, test_random_against_exact);
	tcase_add_test(tc, test_reporters_independent);
	tcase_add_test(tc, test_times_compact);
	tcase_add_test(tc, test_times_chunks_recycled);
	tcase_add_test(tc, test_times_in_step);
	tcase_add_test(tc, test_last_exact);
	tcase_add_test(tc, test_times_wide);
	suite_add_tcase(s, tc);
	return test_run(s);
}
