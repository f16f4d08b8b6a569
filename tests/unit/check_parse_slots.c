/* SPDX-License-Identifier: BSD-2-Clause */
/* check_parse_slots.c -- MaxConcurrentParses: at most max parses at once;
 * one past the cap waits, and gives up after ParseWait (issue 15, case 7:
 * libmilter starts a thread per connection with no cap). */
#include <check.h>
#include <glib.h>
#include <time.h>

#include "milter/parse_slots.h"
#include "tests/unit/testutil.h"

struct worker {
	struct parse_slots *slots;
	gint *inside, *most;
	int rc;
};

/* Take a slot, stay 50 ms, note how many were inside at once. */
static gpointer
work(gpointer p)
{
	struct worker *w = p;
	gint now;

	w->rc = parse_slots_enter(w->slots);
	if (w->rc != 0)
		return NULL;
	now = g_atomic_int_add(w->inside, 1) + 1;
	for (gint m = g_atomic_int_get(w->most); now > m;
	     m = g_atomic_int_get(w->most))
		if (g_atomic_int_compare_and_exchange(w->most, m, now))
			break;
	g_usleep(50000);
	g_atomic_int_add(w->inside, -1);
	parse_slots_leave(w->slots);
	return NULL;
}

/* 8 at once through 3 slots: never more than 3 inside, all get through. */
START_TEST(test_cap)
{
	struct parse_slots slots;
	struct worker w[8];
	GThread *t[8];
	gint inside = 0, most = 0;

	parse_slots_init(&slots, 3, 10);
	for (int i = 0; i < 8; i++) {
		w[i] = (struct worker){&slots, &inside, &most, -2};
		t[i] = g_thread_new("w", work, &w[i]);
	}
	for (int i = 0; i < 8; i++) {
		g_thread_join(t[i]);
		ck_assert_int_eq(w[i].rc, 0);
	}
	ck_assert_int_eq(most, 3);
	ck_assert_uint_eq(slots.busy, 0);
	parse_slots_clear(&slots);
}
END_TEST

/* Every slot taken: the next waits ParseWait, then is refused; a slot
 * given back lets the next one in. */
START_TEST(test_wait_then_refuse)
{
	struct parse_slots slots;
	struct timespec a, b;
	double waited;

	parse_slots_init(&slots, 1, 1);
	ck_assert_int_eq(parse_slots_enter(&slots), 0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	ck_assert_int_eq(parse_slots_enter(&slots), -1);
	clock_gettime(CLOCK_MONOTONIC, &b);
	waited = (double)(b.tv_sec - a.tv_sec) +
		 (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	ck_assert_msg(waited >= 0.99 && waited < 5, "waited %.2f s", waited);
	parse_slots_leave(&slots);
	ck_assert_int_eq(parse_slots_enter(&slots), 0);
	parse_slots_leave(&slots);
	ck_assert_uint_eq(slots.busy, 0);
	parse_slots_clear(&slots);

	/* 0 slots is taken as 1, and ParseWait 0 refuses at once. */
	parse_slots_init(&slots, 0, 0);
	ck_assert_int_eq(parse_slots_enter(&slots), 0);
	ck_assert_int_eq(parse_slots_enter(&slots), -1);
	parse_slots_leave(&slots);
	parse_slots_clear(&slots);
}
END_TEST

/* A reload changes the bound: a waiting parse gets in when the bound
 * grows, running ones keep their slots when it shrinks. */
START_TEST(test_set)
{
	struct parse_slots slots;

	parse_slots_init(&slots, 1, 0);
	ck_assert_int_eq(parse_slots_enter(&slots), 0);
	ck_assert_int_eq(parse_slots_enter(&slots), -1);
	parse_slots_set(&slots, 2, 0);
	ck_assert_int_eq(parse_slots_enter(&slots), 0);
	ck_assert_uint_eq(slots.busy, 2);
	parse_slots_set(&slots, 1, 0);
	ck_assert_int_eq(parse_slots_enter(&slots), -1);
	parse_slots_leave(&slots);
	ck_assert_int_eq(parse_slots_enter(&slots), -1);
	parse_slots_leave(&slots);
	ck_assert_int_eq(parse_slots_enter(&slots), 0);
	parse_slots_leave(&slots);
	ck_assert_uint_eq(slots.busy, 0);
	parse_slots_clear(&slots);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("parse_slots");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_cap);
	tcase_add_test(tc, test_wait_then_refuse);
	tcase_add_test(tc, test_set);
	suite_add_tcase(s, tc);
	return test_run(s);
}
