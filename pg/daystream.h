/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daystream.h -- the lines of one day of a store, as one stream that only
 * ever grows, for tlsrpt-ship's cursor.
 *
 * A day is tlsrpt-DAY.jsonl.gz (older lines) followed by tlsrpt-DAY.jsonl
 * (newer ones): retention compresses the .jsonl by appending it to the .gz
 * as another gzip member and unlinking it, and a report received later for
 * that day starts a new .jsonl. So "the .gz's bytes, then the .jsonl's" is
 * the same sequence before and after compression, and a byte offset into
 * it is a cursor that survives rotation. Plain files are read up to the
 * size seen under a shared lock, as store/reader.c does, so a report
 * being written is never half read. Only the one window in which prune
 * has renamed the new .gz but not yet unlinked the .jsonl shows the
 * .jsonl's lines twice; tlsrpt-ship's database key makes the second copy
 * a no-op, and a cursor past the end afterwards is started again (see
 * ship.c).
 */
#ifndef TLSRPT_PG_DAYSTREAM_H
#define TLSRPT_PG_DAYSTREAM_H

#include <stdint.h>
#include <zlib.h>

#include "base/error.h"
#include "store/lines.h"

struct pg_daystream {
	int dirfd;
	int64_t day;
	const char *dir; /* for errors; borrowed */
	int part;	 /* 0: the .gz, 1: the .jsonl, 2: done */
	int probe;	 /* the day's findings file, its one part */
	uint64_t from;	 /* skip lines ending at or before this offset */
	uint64_t base;	 /* stream offset where the current part starts */
	int fd;
	gzFile gz;
	int open;
	struct tlsrpt_lines ln;
	char path[TLSRPT_ERROR_PATH_MAX];
};

/* The sizes of tlsrpt-DAY.jsonl.gz and tlsrpt-DAY.jsonl in dirfd (-1 when
 * absent): tlsrpt-ship skips a day whose sizes are those it read to the
 * end of last time. */
void pg_daystream_sizes(int dirfd, int64_t day, int64_t *gz_size,
			int64_t *plain_size);

/* Start reading day of the store directory dirfd (named dir) at stream
 * offset from (a line boundary tlsrpt-ship stored). */
void pg_daystream_init(struct pg_daystream *ds, int dirfd, const char *dir,
		       int64_t day, uint64_t from, size_t max_line);

/* The same for the findings file probe-DAY.jsonl of day
 * (store/findings.h): appended to with one write under LOCK_EX, never
 * compressed, so one plain part; its size (-1 when absent) into *size. */
void pg_daystream_init_probe(struct pg_daystream *ds, int dirfd,
			     const char *dir, int64_t day, uint64_t from,
			     size_t max_line);
void pg_daystream_probe_size(int dirfd, int64_t day, int64_t *size);

/* 1 with the next line at or after from (*line, *len, no '\n'; *flags as
 * tlsrpt_lines_next(); *end the stream offset just past it), 0 at the end
 * of the stream, -1 with err when a file cannot be read. */
int pg_daystream_next(struct pg_daystream *ds, const char **line, size_t *len,
		      unsigned *flags, uint64_t *end, struct tlsrpt_error *err);

/* Bytes of the stream seen so far (its length after next() returned 0). */
uint64_t pg_daystream_length(const struct pg_daystream *ds);

void pg_daystream_close(struct pg_daystream *ds);

#endif
