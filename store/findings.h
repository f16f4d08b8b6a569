/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * findings.h -- tlsrpt-probe's findings, stored in the store directory
 * beside the reports, in files of their own: probe-YYYY-MM-DD.jsonl
 * (UTC day of the probe), one JSON object a line (tlsrpt-store(5),
 * "Probe findings").
 *
 * Files of their own, not lines in the day files: the day files hold
 * reports only, so the index positions, crash recovery (which reads a day
 * file's tail as report lines), de-duplication and every reader's counts
 * stay as they are, and a reader of an older version never sees a line it
 * would count as damaged: the name does not match a day file's
 * (tlsrpt_day_file_match() wants "tlsrpt-" and the date), nor the
 * tlsrpt-*.jsonl* globs of the jq examples in tlsrpt-store(5) and of
 * users' scripts. Retention deletes them with the day files (prune.c);
 * they are never compressed (a few hundred bytes a run).
 */
#ifndef TLSRPT_STORE_FINDINGS_H
#define TLSRPT_STORE_FINDINGS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/error.h"

/* "probe-YYYY-MM-DD.jsonl" into buf (>= TLSRPT_DAY_NAME_MAX). */
void tlsrpt_findings_file_name(int64_t day, char *buf, size_t size);

/* Whether name is a findings file name; sets *day. 1 yes, 0 no. */
int tlsrpt_findings_file_match(const char *name, int64_t *day);

/* Append the len bytes of lines (complete lines, each ending in '\n') to
 * the findings file of day in the store directory dir, creating it with
 * mode: one write(2) under an exclusive flock(2) on the file, cut back
 * when short, then fdatasync. O_NOFOLLOW and a regular-file check as for
 * the day files. Returns 0, or -1 with err naming the file. */
int tlsrpt_findings_append(const char *dir, int64_t day, const void *lines,
			   size_t len, mode_t mode, struct tlsrpt_error *err);

/* Retention: delete the findings files of days before before in the store
 * directory dirfd (named dir in errors), counting them in *deleted. Run by
 * tlsrpt_store_prune() under the store lock with the day files' retention.
 * Returns 0, or -1 with err. */
int tlsrpt_findings_prune(int dirfd, const char *dir, int64_t before,
			  unsigned *deleted, struct tlsrpt_error *err);

/* Reading. One line of a findings file, strings borrowed until the next
 * line (NULL when absent or JSON null). The strings are as the file has
 * them -- whoever could write to the store directory chose them -- valid
 * UTF-8 without NUL (jansson's checks) but otherwise unchecked: any
 * length up to the line bound, control characters, markup. The caller
 * neutralises them for its sink (report/sanitize.h). */
enum tlsrpt_finding_kind { TLSRPT_FINDING_RUN, TLSRPT_FINDING_ITEM };
struct tlsrpt_finding_line {
	enum tlsrpt_finding_kind kind;
	int64_t time; /* Unix seconds */
	const char *domain;
	const char *error; /* run: why not probed */
	int64_t findings;  /* run: how many lines */
	/* run: the _mta-sts id seen and the SHA-256 (hex) of the first
	 * policy the probe saw under it (tlsrpt-probe's memory of what
	 * senders cached); NULL in lines written before they existed. */
	const char *sts_id, *sts_id_policy_sha256;
	const char *result_type, *mx_host, *address; /* finding */
	const char *detail, *action;		     /* finding */
};

/* Bounds: a longer line is damaged; once LINES_MAX lines or BYTES_MAX
 * bytes (over all files of one tlsrpt_findings_read) are read, the rest
 * is left unread (each file cut counted in truncated) so a planted file
 * cannot take the reader's time: a probe line is a few hundred bytes. */
#define TLSRPT_FINDINGS_LINE_MAX 16384
#define TLSRPT_FINDINGS_LINES_MAX 1000000
#define TLSRPT_FINDINGS_BYTES_MAX ((uint64_t)1 << 30)

struct tlsrpt_findings_stats {
	uint64_t lines;	    /* lines given to the callback */
	uint64_t damaged;   /* not JSON, missing keys, too long, bad time */
	uint64_t skipped;   /* other version or kind: not ours to read */
	uint64_t truncated; /* files left unread, in part, past a bound */
	uint64_t files;
	uint64_t bytes; /* read */
};

typedef void (*tlsrpt_findings_fn)(const struct tlsrpt_finding_line *line,
				   void *ctx);

/* Give fn every probe-run and probe-finding line of the findings files of
 * days first..last (inclusive) in each of the n_dirs store directories,
 * day by day, in file order; counts into *st (zeroed first). A missing
 * file is no error; a truncated last line (no newline) is a run still
 * being written and is skipped uncounted. Returns 0, or -1 with err when a
 * file that exists cannot be opened or read. */
int tlsrpt_findings_read(const char *const *dirs, size_t n_dirs, int64_t first,
			 int64_t last, tlsrpt_findings_fn fn, void *ctx,
			 struct tlsrpt_findings_stats *st,
			 struct tlsrpt_error *err);

/* The findings files of the store directory dirfd (named dir in errors):
 * their days, ascending, into *days (tlsrpt_free()) and *n (tlsrpt-ship
 * follows them as it follows the day files). 0, or -1 with err. */
int tlsrpt_findings_list(int dirfd, const char *dir, int64_t **days, size_t *n,
			 struct tlsrpt_error *err);

/* One complete line (len bytes, no newline, at most
 * TLSRPT_FINDINGS_LINE_MAX) read as tlsrpt_findings_read() reads it:
 * given to fn when it is a probe-run or probe-finding line of version 1,
 * counted into *st either way (st->bytes aside). */
void tlsrpt_findings_parse(const char *line, size_t len, tlsrpt_findings_fn fn,
			   void *ctx, struct tlsrpt_findings_stats *st);

/* For findings kept elsewhere (tlsrpt-summary -d postgresql://, where
 * tlsrpt-ship put the files' lines): the lines of one file after another,
 * in tlsrpt_findings_read()'s order, each with the number of its file (a
 * new number: the next file), read as that function reads them -- the
 * same bounds, the same counts -- so the same lines give the same
 * findings. Zero it first, with st zeroed. */
struct tlsrpt_findings_feed {
	struct tlsrpt_findings_stats *st;
	uint64_t file;
	int started, stopped;
};
void tlsrpt_findings_feed(struct tlsrpt_findings_feed *f, uint64_t file,
			  const char *line, size_t len, tlsrpt_findings_fn fn,
			  void *ctx);

#endif
