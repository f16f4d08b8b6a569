/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * store_impl.h -- the inside of struct tlsrpt_store, shared by the files of
 * store/ that write (store.c, append.c, recover.c, prune.c). Not for other
 * folders.
 */
#ifndef TLSRPT_STORE_STORE_IMPL_H
#define TLSRPT_STORE_STORE_IMPL_H

#include <pthread.h>

#include "store/index.h"
#include "store/store.h"

#define TLSRPT_LOCK_NAME "tlsrpt.lock"

struct tlsrpt_append_req; /* append.c */
struct tlsrpt_run;	  /* append.c */

struct tlsrpt_store {
	pthread_mutex_t mu; /* threads of this process */
	/* Group commit (append.c): appends wait in the queue; one thread at
	 * a time (leading) takes the store and writes them all under one
	 * sync. Lock order: mu, then group_mu; never mu while group_mu is
	 * held. */
	pthread_mutex_t group_mu;
	pthread_cond_t group_cv;
	struct tlsrpt_append_req *queue, **queue_tail;
	int leading;
	unsigned flying; /* under group_mu: leaders' runs in flight */
	/* Runs in flight (append.c): lines written, day file being synced
	 * outside mu, keys to be written in ticket order. While one is, the
	 * process keeps tlsrpt.lock (lock_refs: holders). flight_cv goes
	 * with mu. A failed sync cuts the runs up to fail_upto. */
	pthread_cond_t flight_cv;
	struct tlsrpt_run *flights;
	unsigned inflight, lock_refs;
	uint64_t next_ticket, done_ticket, fail_upto;
	int fail_errno;
	/* A run's keys could not be recorded (append.c): no later run
	 * records its keys either -- their position would pass the lost
	 * ones, which recovery then never finds -- and nobody appends until
	 * the store is taken afresh and recovery records them all from the
	 * day file (store.c: begin). */
	int index_failed;
	/* A failed write or sync left bytes in the day file of torn_day past
	 * torn_off that could not be cut (append.c): no line may go behind
	 * them -- a reader would see a half line glued to a whole one, an
	 * acknowledged report there would be lost, the lines of a failed sync
	 * taken for stored ones -- so every append first cuts them
	 * (tlsrpt_store_cut_torn) and is refused while that fails. */
	int torn;
	int64_t torn_day;
	uint64_t torn_off;
	/* Since the last checkpoint written by append.c: runs, and when. */
	unsigned ckpt_runs;
	int64_t ckpt_ns;
	char *dir;
	int dirfd;
	dev_t dir_dev; /* of dirfd: a different inode at dir means the */
	ino_t dir_ino; /* directory was removed or replaced (see begin) */
	int lockfd;    /* tlsrpt.lock: flock(LOCK_EX) between processes */
	struct tlsrpt_index ix;
	unsigned dedup_days;
	enum tlsrpt_store_fsync fsync;
	mode_t mode;
	const struct tlsrpt_limits *limits;
	struct tlsrpt_limits default_limits;
};

/* Take the store (mutex, then the lock file), bring the index up to date
 * and finish what a crashed writer left. When the path dir no longer names
 * the directory held open (removed, made again, restored from a backup),
 * the store is first opened afresh there, as at tlsrpt_store_open. On
 * failure nothing is held. */
int tlsrpt_store_begin(struct tlsrpt_store *s, struct tlsrpt_error *err);
void tlsrpt_store_end(struct tlsrpt_store *s);

/* Cut the bytes of s->torn off their day file, if any (mu and the store
 * lock held, and held since they were left). 0, or -1 with err set when
 * they still cannot be cut. */
int tlsrpt_store_cut_torn(struct tlsrpt_store *s, struct tlsrpt_error *err);

/* Wait, with mu held, until no run is in flight (append.c). */
void tlsrpt_store_drain(struct tlsrpt_store *s);

/* Crash recovery (recover.c), under the store lock: index the complete
 * reports behind the index position in its day file and cut a torn report
 * off its end; when the index is new and empty, build it from every day
 * file of the directory. */
int tlsrpt_store_recover(struct tlsrpt_store *s, struct tlsrpt_error *err);

/* "dir/name" into buf for messages. */
const char *tlsrpt_store_path(const struct tlsrpt_store *s, const char *name,
			      char *buf, size_t size);

/* Make err->path (a store file's name) a full path. */
void tlsrpt_store_full_path(const struct tlsrpt_store *s,
			    struct tlsrpt_error *err);

/* Sync what the policy asks for: fdatasync(fd) under FSYNC_REPORT. */
int tlsrpt_store_sync_fd(const struct tlsrpt_store *s, int fd);

#endif
