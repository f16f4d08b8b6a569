/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * parse_slots.h -- a bound on how many messages tlsrpt-milter parses at
 * once (MaxConcurrentParses). libmilter runs one thread per connection with
 * no cap, and a parse may take tens of megabytes (MaxJSONValues), so N
 * report mails at once would take N times that. A message past the cap
 * waits for a slot at most ParseWait seconds; then the caller tempfails it
 * and the sending MTA retries later.
 */
#ifndef TLSRPT_MILTER_PARSE_SLOTS_H
#define TLSRPT_MILTER_PARSE_SLOTS_H

#include <glib.h>

struct parse_slots {
	GMutex mu;
	GCond freed;
	unsigned busy;	  /* slots taken */
	unsigned max;	  /* MaxConcurrentParses, >= 1 */
	gint64 wait_usec; /* ParseWait */
};

/* Set up s for max slots (0 is taken as 1) and a wait of wait_s seconds.
 * Free with parse_slots_clear(). */
void parse_slots_init(struct parse_slots *s, unsigned max, unsigned wait_s);
void parse_slots_clear(struct parse_slots *s);

/* Change the bounds (a reload); parses running keep their slots, and
 * waiting ones wake to look at the new bound. */
void parse_slots_set(struct parse_slots *s, unsigned max, unsigned wait_s);

/* Take a slot, waiting for one at most the configured time. Returns 0 with
 * the slot taken (give it back with parse_slots_leave()), or -1 when none
 * came free in time. */
int parse_slots_enter(struct parse_slots *s);
void parse_slots_leave(struct parse_slots *s);

#endif
