/*
 * index.h -- the de-duplication index of a store (tlsrpt.index), and the
 * recovery position. Internal to store/; every call but open/close must be
 * made under the store lock (tlsrpt.lock, LOCK_EX).
 *
 * The index is an append-only JSON Lines file of two kinds of records:
 *   {"day":"2024-05-01","end":123,"org":"...","id":"..."}  a stored report
 *   {"day":"2024-05-01","pos":0}                            a position
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

#include "parser/error.h"
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
	uint64_t loaded;	   /* bytes of it read into keys */
	struct tlsrpt_keyset keys; /* value: day number of the report */
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

/* Record that the report key (tlsrpt_key_make) was stored in day's file,
 * ending at offset end, which becomes the position; end < 0: a key only
 * (from a compressed file), the position stays. */
int tlsrpt_index_add(struct tlsrpt_index *ix, const char *key, size_t len,
		     int64_t day, int64_t end, struct tlsrpt_error *err);

/* Record a position without a key. */
int tlsrpt_index_set_position(struct tlsrpt_index *ix, int64_t day,
			      uint64_t off, struct tlsrpt_error *err);

/* Rewrite the index keeping keys of day >= min_day and the position.
 * *kept and *dropped count keys. */
int tlsrpt_index_rewrite(struct tlsrpt_index *ix, int64_t min_day,
			 unsigned long *kept, unsigned long *dropped,
			 struct tlsrpt_error *err);

#endif
