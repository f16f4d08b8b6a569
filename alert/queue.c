/* SPDX-License-Identifier: BSD-2-Clause */
/* queue.c -- a ring of alert lists and the thread that sends them. */
#include "alert/queue.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <syslog.h>

#include "base/alloc.h"

struct slot {
	struct alert_list list;
	int64_t now;
};

struct alert_queue {
	const struct alert_dispatch *d;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	struct slot *ring;
	size_t cap, head, count;
	int busy; /* the thread is sending one */
	int stop;
};

static void *
worker(void *arg)
{
	struct alert_queue *q = arg;

	pthread_mutex_lock(&q->mu);
	for (;;) {
		struct slot s;

		while (!q->stop && q->count == 0)
			pthread_cond_wait(&q->cv, &q->mu);
		if (q->stop)
			break;
		s = q->ring[q->head];
		memset(&q->ring[q->head], 0, sizeof(q->ring[q->head]));
		q->head = (q->head + 1) % q->cap;
		q->count--;
		q->busy = 1;
		pthread_mutex_unlock(&q->mu);

		(void)alert_dispatch_list(q->d, &s.list, s.now);
		alert_list_clear(&s.list);

		pthread_mutex_lock(&q->mu);
		q->busy = 0;
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

int
alert_queue_start(const struct alert_dispatch *d, size_t capacity,
		  struct alert_queue **out, struct tlsrpt_error *err)
{
	struct alert_queue *q;
	int rc;

	*out = NULL;
	if (capacity == 0)
		capacity = 1;
	q = tlsrpt_calloc(1, sizeof(*q));
	if (q == NULL ||
	    (q->ring = tlsrpt_calloc(capacity, sizeof(*q->ring))) == NULL) {
		tlsrpt_free(q);
		return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, "alerts",
					"out of memory");
	}
	q->d = d;
	q->cap = capacity;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	if ((rc = pthread_create(&q->thread, NULL, worker, q)) != 0) {
		pthread_cond_destroy(&q->cv);
		pthread_mutex_destroy(&q->mu);
		tlsrpt_free(q->ring);
		tlsrpt_free(q);
		return tlsrpt_error_set(err, TLSRPT_ERR_INTERNAL, "alerts",
					"cannot start the alert thread: %s",
					strerror(rc));
	}
	*out = q;
	return 0;
}

/* Queued lists of sender. Called with the mutex held. */
static size_t
held_by(const struct alert_queue *q, const char *sender)
{
	size_t n = 0;

	for (size_t i = 0; i < q->count; i++)
		n += strcmp(q->ring[(q->head + i) % q->cap].list.sender,
			    sender) == 0;
	return n;
}

/*
 * The queue is full and l waits: which queued list gives way, as an index
 * from the head, or -1 for l itself. The newest list of the unauthenticated
 * reports gives way to an authenticated one; else the newest of the sender
 * holding the most, when that is more than l's sender holds. One sender's
 * flood thus never keeps another's alerts out. Called with the mutex held.
 */
static long
victim(const struct alert_queue *q, const struct alert_list *l)
{
	/* To give way, a sender must hold more than l's own sender does. */
	size_t most = held_by(q, l->sender);
	const char *heavy = NULL;

	if (l->sender[0] != '\0' && held_by(q, "") > 0) {
		heavy = "";
	} else {
		for (size_t i = 0; i < q->count; i++) {
			const char *s =
				q->ring[(q->head + i) % q->cap].list.sender;
			size_t n = held_by(q, s);

			if (n > most) {
				most = n;
				heavy = s;
			}
		}
	}
	if (heavy == NULL)
		return -1;
	for (size_t i = q->count; i-- > 0;)
		if (strcmp(q->ring[(q->head + i) % q->cap].list.sender,
			   heavy) == 0)
			return (long)i;
	return -1;
}

/* Take the list at index i from the head out of the ring into *out. */
static void
take_out(struct alert_queue *q, size_t i, struct slot *out)
{
	*out = q->ring[(q->head + i) % q->cap];
	for (; i + 1 < q->count; i++)
		q->ring[(q->head + i) % q->cap] =
			q->ring[(q->head + i + 1) % q->cap];
	memset(&q->ring[(q->head + q->count - 1) % q->cap], 0,
	       sizeof(q->ring[0]));
	q->count--;
}

static void
log_dropped(struct alert_queue *q, const struct alert_list *l)
{
	alert_log(q->d, LOG_ERR,
		  "alert queue full (%zu report mails waiting): %zu alerts "
		  "of a report mail %s%s dropped, first: %s",
		  q->cap, l->n, l->sender[0] != '\0' ? "from " : "",
		  l->sender[0] != '\0' ? l->sender : "not authenticated",
		  l->n > 0 ? l->items[0].sentence : "(none)");
}

int
alert_queue_push(struct alert_queue *q, struct alert_list *l, int64_t now)
{
	struct slot gone;
	long v = -1;

	if (l->n == 0 && l->n_dropped == 0) {
		alert_list_clear(l);
		return 0;
	}
	memset(&gone, 0, sizeof(gone));
	pthread_mutex_lock(&q->mu);
	if (q->stop) {
		v = -2;
	} else if (q->count == q->cap) {
		v = victim(q, l);
		if (v >= 0)
			take_out(q, (size_t)v, &gone);
	}
	if (v == -2 || (q->count == q->cap && v < 0)) {
		pthread_mutex_unlock(&q->mu);
		log_dropped(q, l);
		alert_list_clear(l);
		return -1;
	}
	{
		struct slot *s = &q->ring[(q->head + q->count) % q->cap];

		s->list = *l;
		s->now = now;
		memset(l, 0, sizeof(*l));
		q->count++;
		pthread_cond_signal(&q->cv);
	}
	pthread_mutex_unlock(&q->mu);
	if (v >= 0) {
		log_dropped(q, &gone.list);
		alert_list_clear(&gone.list);
	}
	return 0;
}

size_t
alert_queue_pending(struct alert_queue *q)
{
	size_t n;

	pthread_mutex_lock(&q->mu);
	n = q->count + (size_t)q->busy;
	pthread_mutex_unlock(&q->mu);
	return n;
}

void
alert_queue_stop(struct alert_queue *q)
{
	size_t dropped = 0;

	if (q == NULL)
		return;
	pthread_mutex_lock(&q->mu);
	q->stop = 1;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
	pthread_join(q->thread, NULL);
	for (size_t i = 0; i < q->count; i++) {
		struct slot *s = &q->ring[(q->head + i) % q->cap];

		dropped += s->list.n;
		alert_list_clear(&s->list);
	}
	if (dropped > 0)
		alert_log(q->d, LOG_NOTICE, "stopping: %zu alerts not sent",
			  dropped);
	pthread_cond_destroy(&q->cv);
	pthread_mutex_destroy(&q->mu);
	tlsrpt_free(q->ring);
	tlsrpt_free(q);
}
