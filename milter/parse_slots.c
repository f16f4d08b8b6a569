/* SPDX-License-Identifier: BSD-2-Clause */
/* parse_slots.c -- at most MaxConcurrentParses parses at once. */
#include "milter/parse_slots.h"

void
parse_slots_init(struct parse_slots *s, unsigned max, unsigned wait_s)
{
	g_mutex_init(&s->mu);
	g_cond_init(&s->freed);
	s->busy = 0;
	s->max = max > 0 ? max : 1;
	s->wait_usec = (gint64)wait_s * G_TIME_SPAN_SECOND;
}

void
parse_slots_clear(struct parse_slots *s)
{
	g_cond_clear(&s->freed);
	g_mutex_clear(&s->mu);
}

void
parse_slots_set(struct parse_slots *s, unsigned max, unsigned wait_s)
{
	g_mutex_lock(&s->mu);
	s->max = max > 0 ? max : 1;
	s->wait_usec = (gint64)wait_s * G_TIME_SPAN_SECOND;
	g_cond_broadcast(&s->freed);
	g_mutex_unlock(&s->mu);
}

int
parse_slots_enter(struct parse_slots *s)
{
	/* A monotonic deadline: a clock step neither shortens nor stretches
	 * the wait. */
	gint64 deadline;
	int rc = 0;

	g_mutex_lock(&s->mu);
	deadline = g_get_monotonic_time() + s->wait_usec;
	while (s->busy >= s->max) {
		if (!g_cond_wait_until(&s->freed, &s->mu, deadline) &&
		    s->busy >= s->max) {
			rc = -1;
			break;
		}
	}
	if (rc == 0)
		s->busy++;
	g_mutex_unlock(&s->mu);
	return rc;
}

void
parse_slots_leave(struct parse_slots *s)
{
	g_mutex_lock(&s->mu);
	if (s->busy > 0)
		s->busy--;
	g_cond_signal(&s->freed);
	g_mutex_unlock(&s->mu);
}
