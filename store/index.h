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
 *   {"day":"2024-05-01","pos":0,"ckpt":"89abcdef"}   a checkpoint
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
 *
 * Only checkpoints are synced (group commit acknowledges a report once its
 * day file is synced). A checkpoint is also a position; "ckpt" is the
 * CRC-32 of the index bytes since the previous valid checkpoint (or the
 * start), so a checkpoint vouches for every record before it however the
 * unsynced bytes fared in a power loss. Every report line outside the
 * checkpoint's day file tail has its key before the checkpoint (a writer
 * syncs a checkpoint before it writes lines to another day file). So a load
 * from the start holds back the records behind the last valid checkpoint:
 * recovery (recover.c) confirms them against that tail, re-adds keys whose
 * records were lost, and drops records whose report is not there.
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
	int sync_writes; /* fdatasync checkpoints (Fsync report) */
	int created;	 /* the last sync created an empty index */
	int memory_only; /* add and set_position only note in memory */
	/* The last valid checkpoint, and the CRC-32 of the bytes after it. */
	int have_ckpt;
	int64_t ckpt_day;
	uint64_t ckpt_off, ckpt_end; /* its position; the offset behind it */
	uint32_t crc;		     /* of [ckpt_end, loaded) */
	int chain_broken;	     /* a checkpoint failed its CRC */
	int ckpt_unsynced;	     /* its sync failed: write another */
	/* Records behind the last valid checkpoint of a load from the start:
	 * org NUL id NUL digest -> value: day, aux: end (-2: confirmed). */
	struct tlsrpt_keyset held;
	int hold; /* loading from the start, past a valid checkpoint */
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

/* Forget every key, position and checkpoint in memory (the file stays): an
 * index without digests is rebuilt this way (recover.c), in memory, then
 * written with tlsrpt_index_rewrite. */
void tlsrpt_index_clear(struct tlsrpt_index *ix);

/* Recovery found the complete report key/digest in day's file ending at end
 * (< 0: a compressed file): confirm a held record of it, or record it
 * unless the index knows that version on that day already. */
int tlsrpt_index_recovered(struct tlsrpt_index *ix, const char *key, size_t len,
			   const char *digest, int64_t day, int64_t end,
			   struct tlsrpt_error *err);

/* After recovery read the checkpoint's tail: note the held records of other
 * days (written by an older writer, which synced each one), and drop those
 * of the checkpoint's day file that recovery did not confirm (*dropped
 * counts them). 0, or -1 when out of memory. */
int tlsrpt_index_settle(struct tlsrpt_index *ix, unsigned long *dropped,
			struct tlsrpt_error *err);

/* Append a checkpoint at (day, off), which becomes the position, and sync
 * the index (Fsync report). */
int tlsrpt_index_checkpoint(struct tlsrpt_index *ix, int64_t day, uint64_t off,
			    struct tlsrpt_error *err);

/* Record a position without a key. */
int tlsrpt_index_set_position(struct tlsrpt_index *ix, int64_t day,
			      uint64_t off, struct tlsrpt_error *err);

/* Rewrite the index keeping keys of day >= min_day, ending in a checkpoint
 * at the position.
 * *kept and *dropped count keys. */
int tlsrpt_index_rewrite(struct tlsrpt_index *ix, int64_t min_day,
			 unsigned long *kept, unsigned long *dropped,
			 struct tlsrpt_error *err);

#endif
