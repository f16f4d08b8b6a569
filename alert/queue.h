/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * queue.h -- the milter's alert thread: a bounded queue of reports' alert
 * lists, one thread that dispatches them (dispatch.h). A milter callback
 * only pushes, which takes a mutex held for a few instructions and never
 * waits on the program, the state file or the queue: when it is full the
 * alerts are dropped and logged, and mail goes on.
 */
#ifndef TLSRPT_ALERT_QUEUE_H
#define TLSRPT_ALERT_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "alert/dispatch.h"

struct alert_queue;

/* Start the thread. d (and what it points to) must outlive the queue.
 * capacity: most reports waiting. Returns 0, or -1 with err filled. */
int alert_queue_start(const struct alert_dispatch *d, size_t capacity,
		      struct alert_queue **out, struct tlsrpt_error *err);

/* Take over the alerts of l (l is emptied whatever happens), to be sent as
 * of now. Returns 0, or -1 when the queue was full (dropped, logged). */
int alert_queue_push(struct alert_queue *q, struct alert_list *l, int64_t now);

/* Reports waiting or being sent (for tests). */
size_t alert_queue_pending(struct alert_queue *q);

/* Stop and join the thread and free q (NULL is a no-op). Lists still
 * waiting are dropped (logged); a program running is let finish, which
 * AlertTimeout bounds. */
void alert_queue_stop(struct alert_queue *q);

#endif
