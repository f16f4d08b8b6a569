/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * store.c -- opening a store and taking its lock (begin/end). Appending is
 * append.c. The design is in store/README.
 */
#include "store/store_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "store/day.h"
#include "store/digest.h"
#include "base/fileio.h"
#include "store/keyset.h"
#include "store/record.h"

void
tlsrpt_store_options_default(struct tlsrpt_store_options *o)
{
	memset(o, 0, sizeof(*o));
	o->dedup_days = 60;
	o->fsync = TLSRPT_STORE_FSYNC_REPORT;
	o->mode = 0640;
}

const char *
tlsrpt_store_path(const struct tlsrpt_store *s, const char *name, char *buf,
		  size_t size)
{
	if (snprintf(buf, size, "%s/%s", s->dir, name) < 0 && size > 0)
		buf[0] = '\0';
	return buf;
}

int
tlsrpt_store_sync_fd(const struct tlsrpt_store *s, int fd)
{
	if (s->fsync == TLSRPT_STORE_FSYNC_NONE)
		return 0;
	return tlsrpt_fdatasync(fd);
}

const char *
tlsrpt_store_dir(const struct tlsrpt_store *s)
{
	return s->dir;
}

/* Errors of index.c and recover.c name a file of the store: make it a
 * path a postmaster can use. */
void
tlsrpt_store_full_path(const struct tlsrpt_store *s, struct tlsrpt_error *err)
{
	char full[TLSRPT_ERROR_PATH_MAX];

	if (err == NULL || err->path[0] == '\0' || strchr(err->path, '/'))
		return;
	tlsrpt_store_path(s, err->path, full, sizeof(full));
	memcpy(err->path, full, sizeof(err->path));
}

/* Open the directory at s->dir, creating it if missing, and its lock file.
 * The path itself may be a symbolic link (a configured one is followed);
 * the lock file may not. */
static int
open_dir(const struct tlsrpt_store *s, int *dirfd, int *lockfd, struct stat *st,
	 struct tlsrpt_error *err)
{
	char path[512];
	int dfd, lfd;

	if (mkdir(s->dir, 0750) < 0 && errno != EEXIST)
		return tlsrpt_error_set(err, TLSRPT_ERR_IO, s->dir,
					"cannot create the store directory: %s",
					strerror(errno));
	dfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fstat(dfd, st) < 0) {
		tlsrpt_error_set(err, TLSRPT_ERR_IO, s->dir,
				 "cannot open the store directory: %s",
				 strerror(errno));
		if (dfd >= 0)
			close(dfd);
		return -1;
	}
	lfd = openat(dfd, TLSRPT_LOCK_NAME,
		     O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, s->mode);
	if (lfd < 0) {
		int e = errno;

		tlsrpt_error_set(err, TLSRPT_ERR_IO,
				 tlsrpt_store_path(s, TLSRPT_LOCK_NAME, path,
						   sizeof(path)),
				 "cannot open the lock file: %s%s", strerror(e),
				 e == ELOOP ? " (a symbolic link, refused)"
					    : "");
		close(dfd);
		return -1;
	}
	*dirfd = dfd;
	*lockfd = lfd;
	return 0;
}

/* A directory removed under us still works through its descriptor, but
 * nothing can be created in it, and a directory made again (or restored
 * from a backup) under the same name is not the one we hold: every append
 * would fail until a restart. So check with one stat per call, and when
 * the path names another directory, or none, start over there as a
 * restart would: its own lock file and index, rebuilt from its day files
 * if missing. The mutex is held. On failure the old descriptors stay
 * (the next call tries again). */
static int
follow_dir(struct tlsrpt_store *s, struct tlsrpt_error *err)
{
	struct stat st;
	int dfd, lfd;

	if (stat(s->dir, &st) == 0) {
		if (st.st_dev == s->dir_dev && st.st_ino == s->dir_ino)
			return 0;
	} else if (errno != ENOENT && errno != ENOTDIR)
		return 0; /* cannot tell (EACCES...): keep what we have */
	if (open_dir(s, &dfd, &lfd, &st, err) < 0)
		return -1;
	tlsrpt_index_move(&s->ix, dfd);
	s->torn = 0; /* in the old directory, which we no longer write */
	close(s->lockfd);
	close(s->dirfd);
	s->dirfd = dfd;
	s->lockfd = lfd;
	s->dir_dev = st.st_dev;
	s->dir_ino = st.st_ino;
	return 0;
}

int
tlsrpt_store_cut_torn(struct tlsrpt_store *s, struct tlsrpt_error *err)
{
	char name[TLSRPT_DAY_NAME_MAX], path[512];
	struct stat st;
	int fd, ret = -1;

	if (!s->torn)
		return 0;
	tlsrpt_day_file_name(s->torn_day, 0, name, sizeof(name));
	tlsrpt_store_path(s, name, path, sizeof(path));
	fd = openat(s->dirfd, name,
		    O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 && errno == ENOENT) {
		s->torn = 0; /* removed: nothing left to cut */
		return 0;
	}
	/* Only what lies past torn_off (a failed sync's cut may have gone
	 * further). Synced, as recovery's cut is: the next lines may go to
	 * another day file, and a power loss must not bring these back where
	 * no recovery looks. */
	if (fd < 0 || tlsrpt_flock(fd, LOCK_EX) < 0 || fstat(fd, &st) < 0 ||
	    ((uint64_t)st.st_size > s->torn_off &&
	     (ftruncate(fd, (off_t)s->torn_off) < 0 ||
	      tlsrpt_store_sync_fd(s, fd) < 0)))
		tlsrpt_error_set(err, TLSRPT_ERR_IO, path,
				 "cannot cut what a failed write left in the "
				 "day file: %s; the store takes no report "
				 "until it can",
				 strerror(errno));
	else {
		s->torn = 0;
		ret = 0;
	}
	if (fd >= 0) {
		(void)tlsrpt_flock(fd, LOCK_UN);
		close(fd);
	}
	return ret;
}

/* Bring the index up to date; *alone: nobody else wrote to it since our
 * last look (no other process appended or recovered meanwhile). */
static int
sync_index(struct tlsrpt_store *s, int *alone, struct tlsrpt_error *err)
{
	dev_t dev = s->ix.dev;
	ino_t ino = s->ix.ino;
	uint64_t loaded = s->ix.loaded;
	int was_open = s->ix.fd >= 0;

	if (tlsrpt_index_sync(&s->ix, err) < 0)
		return -1;
	*alone = was_open && s->ix.fd >= 0 && s->ix.dev == dev &&
		 s->ix.ino == ino && s->ix.loaded == loaded;
	return 0;
}

int
tlsrpt_store_begin(struct tlsrpt_store *s, struct tlsrpt_error *err)
{
	char path[512];
	int alone;

	pthread_mutex_lock(&s->mu);
	if (s->lock_refs > 0) {
		/* A run of ours is in flight (append.c): the lock has been
		 * ours since before it, so only our threads changed the
		 * store, and memory knows it all -- unless keys could not be
		 * recorded: then wait for recovery (the MTA tries again). */
		if (s->index_failed) {
			pthread_mutex_unlock(&s->mu);
			return tlsrpt_error_set(
				err, TLSRPT_ERR_IO, TLSRPT_INDEX_NAME,
				"a key record could not be written; the "
				"store takes no report until it is recovered");
		}
		s->lock_refs++;
		return 0;
	}
	if (follow_dir(s, err) < 0) {
		pthread_mutex_unlock(&s->mu);
		return -1;
	}
	if (tlsrpt_flock(s->lockfd, LOCK_EX) < 0) {
		tlsrpt_error_set(err, TLSRPT_ERR_IO,
				 tlsrpt_store_path(s, TLSRPT_LOCK_NAME, path,
						   sizeof(path)),
				 "cannot lock the store: %s", strerror(errno));
		pthread_mutex_unlock(&s->mu);
		return -1;
	}
	s->lock_refs = 1;
	if (sync_index(s, &alone, err) < 0)
		goto fail;
	/* Bytes our failed write or sync left: cut them before recovery,
	 * which would take the whole lines of a failed sync for stored
	 * reports -- unless another process wrote since we let the lock go:
	 * its recovery dealt with them, and it may have written behind. */
	if (!alone)
		s->torn = 0;
	if (tlsrpt_store_cut_torn(s, err) < 0 ||
	    tlsrpt_store_recover(s, err) < 0)
		goto fail;
	s->index_failed = 0; /* recovery recorded the lost keys */
	return 0;
fail:
	tlsrpt_store_full_path(s, err);
	tlsrpt_store_end(s);
	return -1;
}

void
tlsrpt_store_end(struct tlsrpt_store *s)
{
	if (--s->lock_refs == 0)
		(void)tlsrpt_flock(s->lockfd, LOCK_UN);
	pthread_mutex_unlock(&s->mu);
}

int
tlsrpt_store_open(const struct tlsrpt_store_options *o,
		  struct tlsrpt_store **out, struct tlsrpt_error *err)
{
	struct tlsrpt_store *s = NULL;
	struct stat st;
	int ret = -1, mutex_ok = 0;

	*out = NULL;
	if (o->dir == NULL || o->dir[0] == '\0' || o->dedup_days == 0 ||
	    (o->fsync != TLSRPT_STORE_FSYNC_NONE &&
	     o->fsync != TLSRPT_STORE_FSYNC_REPORT))
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, NULL,
					"store: no directory, or bad options");
	s = tlsrpt_calloc(1, sizeof(*s));
	if (s == NULL)
		goto nomem;
	s->dirfd = s->lockfd = -1;
	/* calloc made it 0: an early failure must not close stdin. */
	s->ix.fd = -1;
	s->dir = tlsrpt_strdup(o->dir);
	if (s->dir == NULL)
		goto nomem;
	if (pthread_mutex_init(&s->mu, NULL) != 0)
		goto nomem;
	if (pthread_mutex_init(&s->group_mu, NULL) != 0) {
		pthread_mutex_destroy(&s->mu);
		goto nomem;
	}
	if (pthread_cond_init(&s->group_cv, NULL) != 0) {
		pthread_mutex_destroy(&s->group_mu);
		pthread_mutex_destroy(&s->mu);
		goto nomem;
	}
	if (pthread_cond_init(&s->flight_cv, NULL) != 0) {
		pthread_cond_destroy(&s->group_cv);
		pthread_mutex_destroy(&s->group_mu);
		pthread_mutex_destroy(&s->mu);
		goto nomem;
	}
	s->queue_tail = &s->queue;
	mutex_ok = 1;
	s->dedup_days = o->dedup_days;
	s->fsync = o->fsync;
	s->mode = o->mode != 0 ? o->mode : 0640;
	tlsrpt_limits_default(&s->default_limits);
	s->limits = o->limits != NULL ? o->limits : &s->default_limits;
	if (open_dir(s, &s->dirfd, &s->lockfd, &st, err) < 0)
		goto out;
	s->dir_dev = st.st_dev;
	s->dir_ino = st.st_ino;
	tlsrpt_index_init(&s->ix, s->dirfd, s->mode,
			  s->fsync == TLSRPT_STORE_FSYNC_REPORT);
	/* Load the index and recover now, so that problems show at start. */
	if (tlsrpt_store_begin(s, err) < 0)
		goto out;
	tlsrpt_store_end(s);
	*out = s;
	s = NULL;
	ret = 0;
	goto out;
nomem:
	tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL,
			 "store: out of memory opening %s", o->dir);
out:
	if (s != NULL) {
		if (!mutex_ok) {
			tlsrpt_free(s->dir);
			tlsrpt_free(s);
		} else
			tlsrpt_store_close(s);
	}
	return ret;
}

void
tlsrpt_store_close(struct tlsrpt_store *s)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	if (s == NULL)
		return;
	/* Sync what we appended behind the last checkpoint, so the next
	 * opener need not confirm it against the day file. Best effort:
	 * recovery does without. */
	if (s->ix.fd >= 0 && s->ix.have_pos && s->ix.loaded > s->ix.ckpt_end &&
	    tlsrpt_store_begin(s, &err) == 0) {
		if (s->ix.loaded > s->ix.ckpt_end)
			(void)tlsrpt_index_checkpoint(&s->ix, s->ix.pos_day,
						      s->ix.pos_off, &err);
		tlsrpt_store_end(s);
	}
	tlsrpt_index_close(&s->ix);
	if (s->lockfd >= 0)
		close(s->lockfd);
	if (s->dirfd >= 0)
		close(s->dirfd);
	pthread_cond_destroy(&s->flight_cv);
	pthread_cond_destroy(&s->group_cv);
	pthread_mutex_destroy(&s->group_mu);
	pthread_mutex_destroy(&s->mu);
	tlsrpt_free(s->dir);
	tlsrpt_free(s);
}
