/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rollup.h -- a compact binary copy, beside a complete day file, of what
 * tlsrpt-summary's aggregation reads from each of its lines.
 *
 * Decoding JSON is most of what a summary costs, and a 30-day view reads
 * 120 days. A rollup (rollup-YYYY-MM-DD.v1; of a .gz,
 * rollup-YYYY-MM-DD.gz.v1) holds, for one day file, every valid record
 * in line order with the fields the aggregation reads (the
 * report's organisation, id, digest, conflict mark, receipt time, DKIM
 * verdict, submitter, contact, dates, policy index and count; the policy's
 * type, domain, strings, MX hosts, session counts; each failure detail's
 * result type, sending IP, receiving MX host and IP and count), with the
 * strings that repeat stored once, and the damaged lines (how many, and
 * the first few with their line numbers and reasons). The store reader
 * (reader.h) replays it as if it had decoded the lines, so its
 * de-duplication across files and days, the window and every count come
 * out the same, and the summary's output is identical.
 *
 * The JSON Lines stay the truth. A rollup names the day file it was made
 * from (plain or gzip, size, inode, modification time) and the limits the
 * lines were decoded under; a rollup that does not match the day file as
 * it is now, or whose checksum (CRC-32 of everything after the header)
 * fails, or whose version is another, is not used: the lines are read and
 * a new rollup replaces it. Reading one is bounded: every length, count and
 * reference is checked against what is left of the file and the limits,
 * so a hostile rollup gives at worst wrong records of legal shape (as
 * hostile lines in the day file would), never a read out of bounds.
 *
 * Written atomically: a temporary file in the store directory, fsync,
 * rename over the name. Left out: the receipt's source, host, queue id,
 * file, message id and client address, the failure details' HELO,
 * additional information and reason code, and the quirks -- a record read
 * from a rollup has source "" and those NULL or zero.
 */
#ifndef TLSRPT_STORE_ROLLUP_H
#define TLSRPT_STORE_ROLLUP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "base/error.h"
#include "report/limits.h"
#include "store/reader.h"

#define TLSRPT_ROLLUP_VERSION 1
#define TLSRPT_ROLLUP_NAME_MAX 40

/* "rollup-YYYY-MM-DD.v1", of the .jsonl.gz "rollup-YYYY-MM-DD.gz.v1"
 * (a day may have both files), into buf (>= TLSRPT_ROLLUP_NAME_MAX
 * bytes). */
void tlsrpt_rollup_name(int64_t day, int gz, char *buf, size_t size);

/* What a rollup was made from: the day file (its fstat()) and whether it
 * is the .gz one. */
struct tlsrpt_rollup_source {
	int gz;
	uint64_t size, ino;
	int64_t mtime_sec, mtime_nsec;
	mode_t mode; /* its permission bits: the rollup gets the same */
};

void tlsrpt_rollup_source_of(const struct stat *st, int gz,
			     struct tlsrpt_rollup_source *src);

/* Writing, while the day file's lines are read. */
struct tlsrpt_rollup_writer;

/* Start the rollup of day file src of day in the store directory dirfd.
 * Returns 0 with *out, 1 when no rollup can be written there (a read-only
 * store, another owner: the summary goes on without), -1 out of memory. */
int tlsrpt_rollup_writer_begin(int dirfd, int64_t day,
			       const struct tlsrpt_rollup_source *src,
			       const struct tlsrpt_limits *limits,
			       struct tlsrpt_rollup_writer **out);

/* The next valid record of the day file (rec->line its line number), or
 * a damaged line skipped with the reason the reader gave. 0, or -1 when
 * the rollup cannot be finished (it is then only freed). */
int tlsrpt_rollup_writer_add(struct tlsrpt_rollup_writer *w,
			     const struct tlsrpt_record *rec,
			     unsigned long line);
int tlsrpt_rollup_writer_skip(struct tlsrpt_rollup_writer *w,
			      unsigned long line, const char *reason);

/* Finish: write, fsync, rename into place; always frees w. 0 or -1 (the
 * temporary file is removed then). */
int tlsrpt_rollup_writer_commit(struct tlsrpt_rollup_writer *w);

/* A rollup in memory rather than a file (tlsrpt-ship uploads one per
 * finished day, pg/blob.h): src says what it covers, in the caller's
 * terms (tlsrpt-ship: size the bytes and ino the lines of the day's
 * stream shipped, the rest 0). Lines as above; then finish: *data (the
 * caller's, tlsrpt_free()) and *len the whole rollup, header and
 * checksum as in a file. Begin: 0, or -1 out of memory; finish: 0, or -1
 * (w is freed either way). */
int tlsrpt_rollup_writer_begin_mem(const struct tlsrpt_rollup_source *src,
				   const struct tlsrpt_limits *limits,
				   struct tlsrpt_rollup_writer **out);
int tlsrpt_rollup_writer_finish_mem(struct tlsrpt_rollup_writer *w,
				    unsigned char **data, size_t *len);

/* Give up (the day file was not read to its end): frees w, NULL ok. */
void tlsrpt_rollup_writer_abort(struct tlsrpt_rollup_writer *w);

/* Reading. */
struct tlsrpt_rollup;

/* Open the rollup of day file src of day in the directory dirfd. 0 with
 * *out when there is one that matches src and limits and is whole; 1 when
 * not (missing, stale, damaged, another version: read the lines); -1 out
 * of memory. */
int tlsrpt_rollup_open(int dirfd, int64_t day,
		       const struct tlsrpt_rollup_source *src,
		       const struct tlsrpt_limits *limits,
		       struct tlsrpt_rollup **out);

/* Open a rollup held in memory (data, len: taken over, freed by
 * tlsrpt_rollup_close() or here on failure), made by
 * tlsrpt_rollup_writer_begin_mem(): the same checks as a file's (the
 * version, the limits, the checksum, every length and count while
 * decoding), with the day-file check replaced by the caller's: its
 * header must say it covers src->size bytes and src->ino lines. 0 with
 * *out; 1 when not usable (damaged, truncated, another version or
 * limits, or covering other lines); -1 out of memory. limits must
 * outlive the rollup (as for tlsrpt_rollup_open()). */
int tlsrpt_rollup_open_mem(unsigned char *data, size_t len,
			   const struct tlsrpt_rollup_source *src,
			   const struct tlsrpt_limits *limits,
			   struct tlsrpt_rollup **out);

/* The damaged lines of the day file: how many, and the first ones
 * (at most TLSRPT_READER_MAX_PROBLEMS): line number and reason. */
unsigned long tlsrpt_rollup_skipped(const struct tlsrpt_rollup *ru);
size_t tlsrpt_rollup_n_notes(const struct tlsrpt_rollup *ru);
const char *tlsrpt_rollup_note(const struct tlsrpt_rollup *ru, size_t i,
			       unsigned long *line);

/* The next record into rec (zeroed or cleared; cleared first) and *line
 * its line number. 1, 0 at the end, -1 with errno: ENOMEM, or EINVAL when
 * the file changed under us and no longer decodes. */
int tlsrpt_rollup_next(struct tlsrpt_rollup *ru, struct tlsrpt_record *rec,
		       unsigned long *line);

void tlsrpt_rollup_close(struct tlsrpt_rollup *ru); /* NULL ok */

#endif
