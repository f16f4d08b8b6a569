/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * index.h -- the de-duplication index of a store (tlsrpt.index), and the
 * recovery position. Internal to store/; every call but open/close must be
 * made under the store lock (tlsrpt.lock, LOCK_EX).
 *
 * The index is an append-only JSON Lines file of two kinds of records:
 *   {"day":"2024-05-01","end":123,"org":"...","id":"...","digest":"..."}
 *                                             a stored report (a version)
 *   {"day":"2024-05-01","pos":0}              a position
 * "digest" is the report's content digest (store/digest.h): a key may have
 * several versions (conflicts). An index written before digests existed
 * has key records without one; the first writer that loads it rebuilds it
 * from the day files (recover.c), so every key has its versions.
 * A record with "end" or "pos" sets the position: how far the day file of
 * "day" is covered by the index. Every report line a writer appends lies
 * behind the position, so after a crash the keys of reports written but not
 * recorded are found in that one day file's tail (see store/README).
 * Pruning rewrites the file (temp file, fsync, rename); other processes
 * notice the new inode and reload it.
 */
#ifndef TLSRPT_STORE_INDEX_H
#define TLSRPT_STORE_INDEX_H

#include <stdint.h>
#include <sys/types.h>

#include "base/error.h"
#include "store/keyset.h"

#define TLSRPT_INDEX_NAME "tlsrpt.index"
#define TLSRPT_INDEX_TMP ".tlsrpt.index.tmp"

/* Longest index line read; longer ones (only from damage) are skipped. */
#define TLSRPT_INDEX_LINE_MAX (64 * 1024)

struct tlsrpt_index {
	int dirfd; /* borrowed */
	int fd;	   /* the index, O_RDWR|O_APPEND; -1 before the first sync */
	dev_t dev;
	ino_t ino;
	uint64_t loaded; /* bytes of it read into keys */
	/* org NUL id -> value: latest day of any version; aux: versions */
	struct tlsrpt_keyset keys;
	/* org NUL id NUL digest -> value: day of that version */
	struct tlsrpt_keyset versions;
	int legacy; /* a key record without a digest was loaded */
	int have_pos;
	int64_t pos_day;
	uint64_t pos_off;
	mode_t mode;
	int sync_writes; /* fdatasync after each record */
	int created;	 /* the last sync created an empty index */
};

void tlsrpt_index_init(struct tlsrpt_index *ix, int dirfd, mode_t mode,
		       int sync_writes);
void tlsrpt_index_close(struct tlsrpt_index *ix);

/* Forget all that was loaded and use the index of dirfd from now on (the
 * store directory was replaced); the next sync loads it. */
void tlsrpt_index_move(struct tlsrpt_index *ix, int dirfd);

/* Bring keys and position up to date with the file: reopen it when it was
 * replaced, read what other writers appended, cut a torn last record. */
int tlsrpt_index_sync(struct tlsrpt_index *ix, struct tlsrpt_error *err);

/* Record that the report key (tlsrpt_key_make) with content digest (NULL:
 * unknown) was stored in day's file, ending at offset end, which becomes
 * the position; end < 0: a key only (from a compressed file), the position
 * stays. */
int tlsrpt_index_add(struct tlsrpt_index *ix, const char *key, size_t len,
		     const char *digest, int64_t day, int64_t end,
		     struct tlsrpt_error *err);

/* One key record of tlsrpt_index_add_keys: the arguments of
 * tlsrpt_index_add. */
struct tlsrpt_index_key {
	const char *key; /* org NUL id */
	size_t len;
	const char *digest;
	int64_t day;
	int64_t end;
};

/* tlsrpt_index_add for n keys at once, in this order, with one write and
 * one sync (group commit, store/append.c); the position becomes the last
 * end. All or none are written. */
int tlsrpt_index_add_keys(struct tlsrpt_index *ix,
			  const struct tlsrpt_index_key *k, size_t n,
			  struct tlsrpt_error *err);

/* What the index knows of key: *key_day the latest day of any version (-1:
 * none), *version_day that of the version with digest (-1: none),
 * *versions how many distinct versions. 0, or -1 when out of memory. */
int tlsrpt_index_lookup(const struct tlsrpt_index *ix, const char *key,
			size_t len, const char *digest, int64_t *key_day,
			int64_t *version_day, int64_t *versions);

/* Forget every key and position and empty the file: an index without
 * digests is rebuilt this way (recover.c). */
int tlsrpt_index_reset(struct tlsrpt_index *ix, struct tlsrpt_error *err);

/* Record a position without a key. */
int tlsrpt_index_set_position(struct tlsrpt_index *ix, int64_t day,
			      uint64_t off, struct tlsrpt_error *err);

/* Rewrite the index keeping keys of day >= min_day and the position.
 * *kept and *dropped count keys. */
int tlsrpt_index_rewrite(struct tlsrpt_index *ix, int64_t min_day,
			 unsigned long *kept, unsigned long *dropped,
			 struct tlsrpt_error *err);

#endif
