/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * reader.h -- reading the records of one or several stores in a time
 * window, in day order, tolerant of damage.
 *
 * Day files are read oldest day first; for one day, each directory in the
 * order given, and in a directory the .jsonl.gz before the .jsonl. A line
 * that is not a valid record (bad JSON, missing key, truncated last line,
 * longer than the bound) is skipped and counted, never fatal. A report
 * (organization-name + report-id + content digest) is returned from the
 * first day file it is met in; its lines in any other file (another store
 * directory holding the same report, or a crash leftover) are skipped and
 * counted as duplicates. Another version of a report -- same org and id,
 * another digest -- is returned too, with rec->conflict set: the caller
 * decides which counts (tlsrpt-summary: summary/conflicts.c). Lines from
 * before digests (no "report-digest") are de-duplicated by org + id alone,
 * as they were, unless the later one is marked "conflict".
 *
 * Readers take a shared flock() on a plain day file only long enough to see
 * where its last complete write ends, so they never see half a report being
 * written and never hold writers up for a whole file.
 */
#ifndef TLSRPT_STORE_READER_H
#define TLSRPT_STORE_READER_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "report/authres.h"
#include "report/limits.h"
#include "report/report.h"

/* One line of a store: one policy of one report, with its receipt. All
 * strings are owned by the record (NULL when the line does not have the
 * key) and freed by tlsrpt_record_clear() -- unless borrowed is set: a
 * record the store reader returns (replayed from a rollup, or a line its
 * fast decode took: record.h tlsrpt_record_decode_in) borrows its strings
 * and lists from the reader (no allocation per line), valid until the
 * reader's next call; tlsrpt_record_clear() then only zeroes it, and one
 * who keeps the record longer takes its own copy with tlsrpt_record_own()
 * first. */
struct tlsrpt_record {
	int version;	  /* "v", 1 */
	int64_t received; /* epoch seconds UTC */
	char *source;	  /* never NULL */
	char *host;
	char *queue_id;
	char *file;
	char *message_id;
	enum tlsrpt_dkim dkim; /* "dkim", TLSRPT_DKIM_UNKNOWN when absent */
	char *client_addr;
	char *submitter;
	/* "report-digest" (store/digest.h), or NULL in lines written before
	 * there was one; "conflict": another version of this org + report-id
	 * was stored before this one (or, set by the reader, was returned
	 * before this one from another file). */
	char *digest;
	int conflict;
	char *organization_name; /* never NULL */
	char *contact_info;
	char *report_id; /* never NULL */
	int64_t start_time;
	int64_t end_time;
	size_t policy_index; /* 0-based */
	size_t policy_count; /* lines (policies) of this report, >= 1 */
	struct tlsrpt_policy policy;
	/* Where the line was read: the day file's path (borrowed from the
	 * reader, valid until the next call) and its 1-based line number. */
	const char *path;
	unsigned long line;
	int borrowed; /* see above */
};

/* Free what rec owns and zero it. NULL and a zeroed record are fine. */
void tlsrpt_record_clear(struct tlsrpt_record *rec);

/* Make a borrowed record own its strings and lists (a no-op for one that
 * does): 0, or -1 when out of memory (rec is then zeroed). */
int tlsrpt_record_own(struct tlsrpt_record *rec);

#define TLSRPT_READER_MAX_PROBLEMS 5

struct tlsrpt_reader_stats {
	unsigned long files;	  /* day files opened */
	unsigned long records;	  /* records returned */
	unsigned long skipped;	  /* damaged lines skipped */
	unsigned long duplicates; /* lines of reports already returned */
	unsigned long conflicts;  /* reports returned with conflict set */
	unsigned long outside;	  /* valid lines outside [since, until) */
	unsigned long rollups;	  /* day files replayed from rollups */
	/* "path:line: reason" of the first skipped lines;
	 * n_problems <= TLSRPT_READER_MAX_PROBLEMS. */
	char problems[TLSRPT_READER_MAX_PROBLEMS][TLSRPT_ERROR_TEXT_MAX];
	size_t n_problems;
	/* Day files that could not be read, or not to their end (no
	 * permission, I/O error, damaged gzip data, not a regular file, a
	 * symbolic link): their reports are missing from every count, so a
	 * caller must say so. "path: reason" of the first ones. A file
	 * deleted by retention meanwhile is not one. */
	unsigned long unreadable;
	char unreadable_files[TLSRPT_READER_MAX_PROBLEMS]
			     [TLSRPT_ERROR_TEXT_MAX];
	size_t n_unreadable_files;
};

struct tlsrpt_store_reader;

/* Open a reader over the records with since <= received < until (epoch
 * seconds; until <= 0 means no end) in the store directories dirs[0..n_dirs).
 * A directory that does not exist is an error; one with no day files is
 * not. limits bound each line (NULL: defaults) and must outlive the reader.
 * Caller closes *out with tlsrpt_store_reader_close(). */
int tlsrpt_store_reader_open(const char *const *dirs, size_t n_dirs,
			     int64_t since, int64_t until,
			     const struct tlsrpt_limits *limits,
			     struct tlsrpt_store_reader **out,
			     struct tlsrpt_error *err);

/* Read the next record into rec (which the caller zeroed or cleared; it is
 * cleared first). Returns 1 with a record, 0 at the end, -1 on an error that
 * stops reading (out of memory; a day file that vanished or cannot be read
 * is skipped and counted in problems instead). */
int tlsrpt_store_reader_next(struct tlsrpt_store_reader *rd,
			     struct tlsrpt_record *rec,
			     struct tlsrpt_error *err);

/* Day files of complete days (before the day of now) replayed from their
 * rollups when they have valid ones (READ), and given one while their
 * lines are read when not (WRITE) -- store/rollup.h. Records replayed
 * carry only the fields rollup.h names: for tlsrpt-summary's aggregation,
 * which gives the same output either way. Call before the first
 * tlsrpt_store_reader_next(); default: neither. */
#define TLSRPT_READER_ROLLUP_READ 1u
#define TLSRPT_READER_ROLLUP_WRITE 2u
void tlsrpt_store_reader_rollups(struct tlsrpt_store_reader *rd, unsigned use,
				 int64_t now);

/* A reader over sources its caller hands it one after another instead
 * of store directories: tlsrpt-summary -d of a database (pg/read.h),
 * whose finished days are rollups held in memory and whose other days
 * are lines. Each source is read as a day file is -- a rollup replayed,
 * lines decoded, damaged ones skipped and counted -- and the
 * de-duplication, the conflicts, the window and every counter are the
 * same as over the day files in the same order. */
struct tlsrpt_rollup;
struct tlsrpt_reader_source {
	char name[TLSRPT_ERROR_PATH_MAX]; /* problems and rec->path say it */
	struct tlsrpt_rollup *ru; /* replayed (the reader closes it), or */
	/* NULL: the lines, 1 with *line and *len (valid until the next
	 * call), 0 at their end, -1 with err (the reader stops there). */
	int (*next_line)(void *ctx, const char **line, size_t *len,
			 struct tlsrpt_error *err);
	void *ctx;
};
/* The next source into *src (zeroed): 1, 0 when there is none left, -1
 * with err. */
typedef int (*tlsrpt_reader_feed_fn)(void *ctx,
				     struct tlsrpt_reader_source *src,
				     struct tlsrpt_error *err);
int tlsrpt_store_reader_open_feed(tlsrpt_reader_feed_fn feed, void *ctx,
				  int64_t since, int64_t until,
				  const struct tlsrpt_limits *limits,
				  struct tlsrpt_store_reader **out,
				  struct tlsrpt_error *err);

/* Counters so far. Borrowed from rd. */
const struct tlsrpt_reader_stats *
tlsrpt_store_reader_stats(const struct tlsrpt_store_reader *rd);

void tlsrpt_store_reader_close(struct tlsrpt_store_reader *rd); /* NULL ok */

#endif
