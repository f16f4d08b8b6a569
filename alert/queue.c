/* queue.c -- a ring of alert lists and the thread that sends them. */
#include "queue.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <syslog.h>

#include "parser/alloc.h"

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

int
alert_queue_push(struct alert_queue *q, struct alert_list *l, int64_t now)
{
	size_t n = l->n;

	if (n == 0 && l->n_dropped == 0) {
		alert_list_clear(l);
		return 0;
	}
	pthread_mutex_lock(&q->mu);
	if (q->count < q->cap && !q->stop) {
		struct slot *s = &q->ring[(q->head + q->count) % q->cap];

		s->list = *l;
		s->now = now;
		memset(l, 0, sizeof(*l));
		q->count++;
		pthread_cond_signal(&q->cv);
		pthread_mutex_unlock(&q->mu);
		return 0;
	}
	pthread_mutex_unlock(&q->mu);
	alert_log(q->d, LOG_ERR,
		  "alert queue full (%zu reports waiting): %zu alerts "
		  "dropped, first: %s",
		  q->cap, n, n > 0 ? l->items[0].sentence : "(none)");
	alert_list_clear(l);
	return -1;
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
