/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * append.c -- appending reports, with group commit.
 *
 * An append encodes its lines without any lock and queues itself. A thread
 * that finds no leader leads: it takes the store (store.c: begin), takes
 * every append queued by then, and does for them what each would have done
 * alone (store/README, "Append protocol") except that the syncs are
 * shared: the appends to one day file form a run; each writes its lines
 * with its own write(), then the day file is synced once and the run's key
 * records go to the index in one write(), not synced. A thread returns
 * when the run holding its report is synced; appends queued meanwhile wait
 * for the next leader, one of them. With N threads appending at once the
 * syncs per report fall from 1 towards 1/N.
 *
 * The position is moved to the end of the day file before a run's first
 * line, the run's lines all lie behind it until their keys are recorded,
 * and the keys are written only after the day file is synced. So kill -9
 * at any moment leaves what one writer's crash left before (recover.c
 * indexes complete reports behind the position, cuts a torn one). The
 * index is synced with a checkpoint (index.h): before the first line goes
 * to a day file other than the checkpoint's, and lazily -- a second, 64
 * groups or 4 MiB of lines after the last one. A power loss may take or
 * tear the key records behind the checkpoint, never the lines of a report
 * acknowledged: recovery finds their keys again in that day file's tail,
 * which those bounds keep short. No thread is told "stored" before its
 * lines are synced.
 *
 * A run ends before an append to another day (the position may only move
 * once the keys behind it are recorded) and before an append whose key is
 * already in the run (so that its look-up sees the first one's key, which
 * is noted in memory when recorded). After a failure that may leave the
 * index or the day file behind what memory says (a key record that could
 * not be written, a failed write that could not be cut back), the leader
 * releases the store and takes it again, so recovery runs as it would
 * before the next single append. Bytes a failed write or sync left and
 * could not cut are cut before any later line goes to a day file, by
 * whichever thread writes next (a run in flight keeps the store, so
 * recovery would not run); while they cannot be, appends are refused.
 */
#include "store/store_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/fileio.h"
#include "store/day.h"
#include "store/dayfiles.h"
#include "store/digest.h"
#include "store/keyset.h"
#include "store/record.h"

/* Appends of one run (one day file, one sync of it). The milter has a
 * thread per SMTP connection, so runs are short anyway. */
#define RUN_MAX 64

/* Runs whose syncs may overlap (on the disk measured, syncs issued
 * together take little longer than one). More make the groups, and so the
 * syncs saved, smaller: 4 and 8 measured no faster than 2 within noise
 * (BENCHMARKS.md) and took 40% more syncs. */
#define FLIGHT_MAX 2

/* A checkpoint after this many runs, bytes of lines or nanoseconds: what
 * recovery reads after a power loss. */
#define CKPT_RUNS 64
#define CKPT_BYTES (4u << 20)
#define CKPT_NS 1000000000LL

struct tlsrpt_append_req {
	const struct tlsrpt_report *r;
	struct tlsrpt_receipt with; /* the caller's receipt, with digest */
	char digest[TLSRPT_DIGEST_HEX + 1];
	char *buf, *key; /* the encoded lines; org NUL id */
	size_t len, klen;
	int64_t day;
	uint64_t end; /* size of the day file behind its lines */
	int ret;      /* of tlsrpt_store_append */
	enum tlsrpt_store_outcome outcome;
	struct tlsrpt_error err;
	int done; /* under group_mu: ret, outcome and err are final */
	struct tlsrpt_append_req *next;
};

/* The day file being written by the leader; then in flight (its sync
 * running outside the store mutex) until its keys are written. */
struct tlsrpt_run {
	int fd; /* open and locked; -1: no run */
	int64_t day;
	uint64_t start, size; /* of the file at the run's start, and now */
	char path[512];
	struct tlsrpt_append_req *req[RUN_MAX];
	size_t n;
	uint64_t ticket;		/* keys are written in this order */
	struct tlsrpt_run *next_flight; /* in s->flights */
};

/* A failed write or sync of the day file (errno e): cut it back to size
 * and say so in err. Returns 0, or -1 when it could not be cut: then no
 * line goes behind what it left until it is (s->torn; the earliest such
 * size, should a later one fail too). */
static int
write_error(struct tlsrpt_store *s, struct tlsrpt_run *run, uint64_t size,
	    int e, struct tlsrpt_error *err)
{
	/* Leave the file as it was: no half report for a reader. */
	if (ftruncate(run->fd, (off_t)size) < 0) {
		tlsrpt_error_set(err, TLSRPT_ERR_IO, run->path,
				 "cannot write the report: %s (and cannot cut "
				 "the partial write: %s; the store takes no "
				 "report until it is cut)",
				 strerror(e), strerror(errno));
		if (!s->torn || size < s->torn_off) {
			s->torn = 1;
			s->torn_day = run->day;
			s->torn_off = size;
		}
		return -1;
	}
	tlsrpt_error_set(err, TLSRPT_ERR_IO, run->path,
			 "cannot write the report: %s%s", strerror(e),
			 e == EFBIG ? " (file size limit)" : "");
	return 0;
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* A checkpoint was written: count the next interval from here. */
static void
checkpoint_done(struct tlsrpt_store *s)
{
	s->ckpt_runs = 0;
	s->ckpt_ns = now_ns();
}

/* After a run's keys: a checkpoint if one is due. Its failure is not the
 * run's (the reports are stored); the next run tries again. */
static void
checkpoint_lazily(struct tlsrpt_store *s, const struct tlsrpt_run *run)
{
	struct tlsrpt_error cerr = TLSRPT_ERROR_INIT;

	if (++s->ckpt_runs < CKPT_RUNS &&
	    run->size - s->ix.ckpt_off < CKPT_BYTES &&
	    now_ns() - s->ckpt_ns < CKPT_NS)
		return;
	if (tlsrpt_index_checkpoint(&s->ix, run->day, run->size, &cerr) == 0)
		checkpoint_done(s);
}

/* Open and lock the day file of day for a run, and move the position to
 * its end if it is elsewhere (lines are only ever written behind it). */
static int
run_open(struct tlsrpt_store *s, struct tlsrpt_run *run, int64_t day,
	 struct tlsrpt_error *err)
{
	char name[TLSRPT_DAY_NAME_MAX];
	struct stat st;
	int fd;

	/* A checkpoint below must cover the keys of the runs in flight.
	 * Wait for them before the day file is locked: the wait releases
	 * mu, and an old leader finishing its batch may take mu and then
	 * wait for this file's lock (a deadlock), or write to it (a stale
	 * size). Nothing can change the condition while mu is held. */
	if (!s->ix.have_ckpt || s->ix.ckpt_day != day || s->ix.ckpt_unsynced)
		tlsrpt_store_drain(s);
	/* What a failed write or sync could not cut (maybe while this thread
	 * drained) goes first: no line behind a torn one. */
	if (tlsrpt_store_cut_torn(s, err) < 0)
		return -1;
	tlsrpt_day_file_name(day, 0, name, sizeof(name));
	tlsrpt_store_path(s, name, run->path, sizeof(run->path));
	fd = tlsrpt_store_open_append(s->dirfd, name, s->mode, "day file",
				      run->path, &st, err);
	if (fd < 0)
		return -1;
	/* Lines are only ever written behind the position (see index.h), and
	 * lines behind a checkpoint only into its day file: a power loss must
	 * find the keys of every other file before the checkpoint. */
	if (!s->ix.have_ckpt || s->ix.ckpt_day != day || s->ix.ckpt_unsynced) {
		if (tlsrpt_index_checkpoint(&s->ix, day, (uint64_t)st.st_size,
					    err) < 0) {
			tlsrpt_store_full_path(s, err);
			goto fail;
		}
		checkpoint_done(s);
	} else if (s->inflight == 0 &&
		   (!s->ix.have_pos || s->ix.pos_day != day ||
		    s->ix.pos_off != (uint64_t)st.st_size)) {
		/* (With runs in flight the position stays before their
		 * lines, which their keys move it past in order.) */
		if (tlsrpt_index_set_position(&s->ix, day, (uint64_t)st.st_size,
					      err) < 0) {
			tlsrpt_store_full_path(s, err);
			goto fail;
		}
	}
	run->fd = fd;
	run->day = day;
	run->start = run->size = (uint64_t)st.st_size;
	run->n = 0;
	return 0;
fail:
	(void)tlsrpt_flock(fd, LOCK_UN);
	close(fd);
	return -1;
}

/* Give up leading: another thread may take the queue (mu not held).
 * flying: the leader's last run is in flight, counted until it lands. */
static void
release_leader(struct tlsrpt_store *s, int *leader, int flying)
{
	if (!*leader)
		return;
	*leader = 0;
	pthread_mutex_lock(&s->group_mu);
	s->leading = 0;
	s->flying += (unsigned)flying;
	pthread_cond_broadcast(&s->group_cv);
	pthread_mutex_unlock(&s->group_mu);
}

void
tlsrpt_store_drain(struct tlsrpt_store *s)
{
	while (s->inflight > 0)
		pthread_cond_wait(&s->flight_cv, &s->mu);
}

/* The run's reports are refused: its sync failed with errno e (own: cut
 * the day file back to the run's start, which takes the later runs in
 * flight with it) or an earlier run's did (and cut these lines). */
static void
run_fail(struct tlsrpt_store *s, struct tlsrpt_run *run, int e, int own)
{
	if (own) {
		struct tlsrpt_error cut = TLSRPT_ERROR_INIT;

		(void)tlsrpt_flock(run->fd, LOCK_EX);
		(void)write_error(s, run, run->start, e, &cut);
		(void)tlsrpt_flock(run->fd, LOCK_UN);
		s->fail_upto = s->next_ticket - 1;
		s->fail_errno = e;
	}
	for (size_t i = 0; i < run->n; i++) {
		struct tlsrpt_error err = TLSRPT_ERROR_INIT;

		tlsrpt_error_set(&err, TLSRPT_ERR_IO, run->path,
				 "cannot write the report: %s", strerror(e));
		run->req[i]->err = err;
		run->req[i]->ret = -1;
	}
	run->n = 0;
}

/* Finish the run (mu held, store begun): sync its day file with the store
 * mutex released, so that the next leader writes its lines meanwhile and
 * the syncs of several runs overlap (this thread stops leading); then, in
 * the order the runs were written, record its keys (one write, not
 * synced), checkpoint if due, and close it. Each append of the run gets its
 * result. Returns 0, or -1 when the store must be taken again before the
 * next append (the sync failed, or the keys could not be recorded:
 * recovery records them). */
static int
run_finish(struct tlsrpt_store *s, struct tlsrpt_run *run, int *leader)
{
	struct tlsrpt_index_key keys[RUN_MAX];
	int ret = 0, e = 0, counted = *leader;

	if (run->fd < 0)
		return 0;
	/* Its lines are whole: readers may see them. The store lock stays
	 * with this process while a run is in flight (store.c: begin). */
	(void)tlsrpt_flock(run->fd, LOCK_UN);
	run->ticket = s->next_ticket++;
	run->next_flight = s->flights;
	s->flights = run;
	s->inflight++;
	pthread_mutex_unlock(&s->mu);
	release_leader(s, leader, 1);
	if (run->n > 0 && tlsrpt_store_sync_fd(s, run->fd) < 0)
		e = errno != 0 ? errno : EIO;
	pthread_mutex_lock(&s->mu);
	while (s->done_ticket != run->ticket)
		pthread_cond_wait(&s->flight_cv, &s->mu);
	if (s->fail_errno != 0 && run->ticket <= s->fail_upto) {
		run_fail(s, run, s->fail_errno, 0);
		ret = -1;
	} else if (e != 0) {
		run_fail(s, run, e, 1);
		ret = -1;
	}
	if (run->n > 0) {
		struct tlsrpt_error ierr = TLSRPT_ERROR_INIT;

		if (run->start == 0 && s->fsync != TLSRPT_STORE_FSYNC_NONE)
			(void)tlsrpt_fsync_dir(s->dirfd);
		for (size_t i = 0; i < run->n; i++) {
			struct tlsrpt_append_req *q = run->req[i];

			/* The report is stored. Should recording its key
			 * fail, recovery records it (it lies behind the
			 * position: index_failed) when the store is taken
			 * again. */
			q->ret = 0;
			keys[i].key = q->key;
			keys[i].len = q->klen;
			keys[i].digest = q->digest;
			keys[i].day = run->day;
			keys[i].end = (int64_t)q->end;
		}
		if (s->index_failed ||
		    tlsrpt_index_add_keys(&s->ix, keys, run->n, &ierr) < 0) {
			s->index_failed = 1;
			ret = -1;
		} else {
			checkpoint_lazily(s, run);
		}
	}
	for (struct tlsrpt_run **p = &s->flights; *p != NULL;
	     p = &(*p)->next_flight)
		if (*p == run) {
			*p = run->next_flight;
			break;
		}
	s->inflight--;
	s->done_ticket++;
	pthread_cond_broadcast(&s->flight_cv);
	if (counted) {
		/* (group_mu inside mu: nobody takes mu holding group_mu.) */
		pthread_mutex_lock(&s->group_mu);
		s->flying--;
		pthread_cond_broadcast(&s->group_cv);
		pthread_mutex_unlock(&s->group_mu);
	}
	close(run->fd);
	run->fd = -1;
	run->n = 0;
	return ret;
}

/* Whether q's key is in a run in flight (its look-up must wait for the
 * keys of that run). */
static int
in_flight(const struct tlsrpt_store *s, const struct tlsrpt_append_req *q)
{
	for (const struct tlsrpt_run *r = s->flights; r != NULL;
	     r = r->next_flight)
		for (size_t i = 0; i < r->n; i++)
			if (r->req[i]->klen == q->klen &&
			    memcmp(r->req[i]->key, q->key, q->klen) == 0)
				return 1;
	return 0;
}

/* Whether q's key is in the run already. */
static int
in_run(const struct tlsrpt_run *run, const struct tlsrpt_append_req *q)
{
	for (size_t i = 0; i < run->n; i++) {
		const struct tlsrpt_append_req *p = run->req[i];

		if (p->klen == q->klen && memcmp(p->key, q->key, q->klen) == 0)
			return 1;
	}
	return 0;
}

/* Look q up in the index. Returns 1 when it is to be written (encoded
 * again with the conflict mark if need be), 0 when q is done (duplicate,
 * too many versions, or an error). */
static int
decide(struct tlsrpt_store *s, struct tlsrpt_append_req *q)
{
	/* The same key and content is a duplicate; the same key with other
	 * content is not (a forgery sent first with a predictable id must
	 * not make the real report a duplicate): it is stored, marked. */
	int64_t since = q->day - (int64_t)s->dedup_days, key_day, version_day,
		versions;

	q->ret = 0;
	if (tlsrpt_index_lookup(&s->ix, q->key, q->klen, q->digest, &key_day,
				&version_day, &versions) < 0) {
		q->ret = tlsrpt_error_set(&q->err, TLSRPT_ERR_NOMEM, NULL,
					  "store: out of memory");
		return 0;
	}
	if (version_day > since) {
		q->outcome = TLSRPT_STORE_DUPLICATE;
		return 0;
	}
	if (key_day > since) {
		/* The cap keeps a flood of variants off the disk; a version
		 * our verifier saw signed is stored whatever came first, or
		 * forgers could pre-empt the genuine report after all. */
		if (versions >= TLSRPT_STORE_MAX_VERSIONS &&
		    q->with.dkim != TLSRPT_DKIM_PASS) {
			q->outcome = TLSRPT_STORE_TOO_MANY_VERSIONS;
			return 0;
		}
		/* Rare: encode again, with the mark, under the lock. */
		q->with.conflict = 1;
		tlsrpt_free(q->buf);
		q->buf = NULL;
		if (tlsrpt_record_encode(q->r, &q->with, &q->buf, &q->len,
					 &q->err) < 0) {
			q->ret = -1;
			return 0;
		}
	}
	q->outcome =
		q->with.conflict ? TLSRPT_STORE_CONFLICT : TLSRPT_STORE_STORED;
	return 1;
}

/* Write q's lines behind the run's; its result comes with the flush.
 * Returns 0, or -1 when the run must end (a failed write left bytes that
 * could not be cut back: no run writes until they are, s->torn). */
static int
run_write(struct tlsrpt_store *s, struct tlsrpt_run *run,
	  struct tlsrpt_append_req *q)
{
	if (tlsrpt_write_all(run->fd, q->buf, q->len) < 0) {
		q->ret = -1;
		/* Cut back, the run goes on. */
		return write_error(s, run, run->size, errno, &q->err);
	}
	run->size += q->len;
	q->end = run->size;
	q->ret = -1; /* until the run is synced */
	run->req[run->n++] = q;
	return 0;
}

/* The leader's work: every append of batch, under the store lock. It
 * stops leading when its last run's sync starts (or at the end). */
static void
lead(struct tlsrpt_store *s, struct tlsrpt_append_req *batch)
{
	struct tlsrpt_run run;
	int locked = 0, leader = 1;

	run.fd = -1;
	run.n = 0;
	for (struct tlsrpt_append_req *q = batch; q != NULL; q = q->next) {
		/* (A run in flight with q's key: end this one first, so that
		 * no open run's lines wait through another's failure.) */
		if (run.fd >= 0 && (run.day != q->day || run.n == RUN_MAX ||
				    in_run(&run, q) || in_flight(s, q))) {
			if (run_finish(s, &run, &leader) < 0) {
				/* Recovery, with nothing in flight. */
				tlsrpt_store_drain(s);
				tlsrpt_store_end(s);
				locked = 0;
			}
		}
		if (!locked) {
			if (tlsrpt_store_begin(s, &q->err) < 0) {
				q->ret = -1;
				continue;
			}
			locked = 1;
		}
		if (in_flight(s, q))
			tlsrpt_store_drain(s);
		if (!decide(s, q))
			continue;
		if (run.fd < 0 && run_open(s, &run, q->day, &q->err) < 0) {
			q->ret = -1;
			continue;
		}
		if (run_write(s, &run, q) < 0) {
			(void)run_finish(s, &run, &leader);
			tlsrpt_store_drain(s);
			tlsrpt_store_end(s);
			locked = 0;
		}
	}
	if (run.fd >= 0)
		(void)run_finish(s, &run, &leader);
	if (locked)
		tlsrpt_store_end(s);
	release_leader(s, &leader, 0);
}

/* Queue q and wait until a leader -- maybe this thread -- has done it. */
static void
commit(struct tlsrpt_store *s, struct tlsrpt_append_req *q)
{
	pthread_mutex_lock(&s->group_mu);
	q->next = NULL;
	*s->queue_tail = q;
	s->queue_tail = &q->next;
	while (!q->done) {
		struct tlsrpt_append_req *batch, *p, *next;

		/* q may be in a batch in flight, the queue empty; and while
		 * FLIGHT_MAX runs are, the queue grows into a bigger group. */
		if (s->leading || s->queue == NULL || s->flying >= FLIGHT_MAX) {
			pthread_cond_wait(&s->group_cv, &s->group_mu);
			continue;
		}
		batch = s->queue;
		s->queue = NULL;
		s->queue_tail = &s->queue;
		s->leading = 1;
		pthread_mutex_unlock(&s->group_mu);
		lead(s, batch); /* stops leading on the way */
		pthread_mutex_lock(&s->group_mu);
		for (p = batch; p != NULL; p = next) {
			next = p->next; /* p may be gone once done is seen */
			p->done = 1;
		}
		pthread_cond_broadcast(&s->group_cv);
	}
	pthread_mutex_unlock(&s->group_mu);
}

int
tlsrpt_store_append(struct tlsrpt_store *s, const struct tlsrpt_report *r,
		    const struct tlsrpt_receipt *rc,
		    enum tlsrpt_store_outcome *outcome,
		    struct tlsrpt_error *err)
{
	struct tlsrpt_append_req q;
	int ret = -1;

	memset(&q, 0, sizeof(q));
	q.err = (struct tlsrpt_error)TLSRPT_ERROR_INIT;
	q.r = r;
	q.day = tlsrpt_day_of(rc->received);
	if (q.day < TLSRPT_DAY_MIN || q.day > TLSRPT_DAY_MAX)
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, NULL,
					"store: received time %lld is out of "
					"range",
					(long long)rc->received);
	/* Encoding needs no lock; keep the locked part short. */
	q.with = *rc;
	q.with.digest = q.digest;
	q.with.conflict = 0;
	if (tlsrpt_report_digest(r, q.digest) < 0) {
		tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL,
				 "store: out of memory");
		goto out;
	}
	if (tlsrpt_record_encode(r, &q.with, &q.buf, &q.len, err) < 0)
		goto out;
	q.key = tlsrpt_key_make(r->organization_name, r->report_id, &q.klen);
	if (q.key == NULL) {
		tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL,
				 "store: out of memory");
		goto out;
	}
	commit(s, &q);
	ret = q.ret;
	if (ret == 0)
		*outcome = q.outcome;
	else if (err != NULL && !tlsrpt_error_is_set(err))
		*err = q.err;
out:
	tlsrpt_free(q.key);
	tlsrpt_free(q.buf);
	return ret;
}
