/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * store.h -- the rotating flat-file store of TLS reports: opening a store,
 * appending a report (de-duplicated, crash-safe), and retention.
 *
 * A store is a directory holding one JSON Lines file per UTC day of receipt
 * (tlsrpt-YYYY-MM-DD.jsonl, older days maybe .jsonl.gz), one line per policy
 * of a report, plus tlsrpt.index (the de-duplication index) and tlsrpt.lock.
 * The design (locking, index, crash recovery) is described in store/README
 * and the format in tlsrpt-store(5). Reading is in store/reader.h.
 *
 * Threads: one struct tlsrpt_store may be used by any number of threads at
 * once (calls are serialised inside; appends made at the same time share
 * their syncs, see append.c). Processes: any number of processes may
 * open the same directory at once. Do not carry an open store across fork():
 * open it in the child (flock() locks belong to the open file description).
 */
#ifndef TLSRPT_STORE_STORE_H
#define TLSRPT_STORE_STORE_H

#include <stdint.h>
#include <sys/types.h>

#include "base/error.h"
#include "report/authres.h"
#include "report/limits.h"
#include "report/report.h"

enum tlsrpt_store_fsync {
	TLSRPT_STORE_FSYNC_NONE,   /* leave it to the kernel (tests, bulk) */
	TLSRPT_STORE_FSYNC_REPORT, /* fdatasync the day file before an
				      append returns (shared by appends made
				      at the same time); the index by
				      checkpoints (tlsrpt-store(5)) */
};

struct tlsrpt_store_options {
	const char *dir;     /* store directory; created (mode 0750) if missing,
				its parent must exist */
	unsigned dedup_days; /* a report (org + report-id) is stored once within
				this many days; default 60, at least 1 */
	enum tlsrpt_store_fsync fsync; /* default TLSRPT_STORE_FSYNC_REPORT */
	mode_t mode;		       /* of files created; default 0640 */
	/* Bounds used when reading lines back (recovery); NULL: defaults. */
	const struct tlsrpt_limits *limits;
};

/* Fill o with the defaults above (dir NULL: the caller must set it). */
void tlsrpt_store_options_default(struct tlsrpt_store_options *o);

struct tlsrpt_store;

/* Open (and create if missing) the store directory o->dir, taking the store
 * lock once to load the de-duplication index and recover from a crash of an
 * earlier writer. *out is a new store the caller closes with
 * tlsrpt_store_close(). Errors: TLSRPT_ERR_IO (message names the path and the
 * system error), TLSRPT_ERR_NOMEM, TLSRPT_ERR_INVALID (bad options). The
 * options are copied; o->limits must stay valid while the store is open. */
int tlsrpt_store_open(const struct tlsrpt_store_options *o,
		      struct tlsrpt_store **out, struct tlsrpt_error *err);

void tlsrpt_store_close(struct tlsrpt_store *s); /* NULL is a no-op */

/* The directory the store was opened with. Borrowed from s. */
const char *tlsrpt_store_dir(const struct tlsrpt_store *s);

/* Where a report came from; copied into every line of it. Every string may
 * be NULL (the key is then left out of the line) except source. Strings
 * need not be valid UTF-8: invalid bytes are stored as U+FFFD. */
struct tlsrpt_receipt {
	int64_t received;	/* epoch seconds (the caller's clock); also
				   chooses the day file (UTC) */
	const char *source;	/* "milter", "file" or "http" */
	const char *host;	/* this host's name */
	const char *queue_id;	/* MTA queue id (milter) */
	const char *file;	/* input file name (file) */
	const char *message_id; /* Message-ID of the report mail */
	/* The DKIM verdict; TLSRPT_DKIM_UNKNOWN: not applicable. */
	enum tlsrpt_dkim dkim;
	const char *dkim_domain; /* the signing domain that passed, or NULL */
	size_t authres_forged;	 /* ignored Authentication-Results headers
				    with a trusted authserv-id; 0: left out */
	const char *client_addr; /* HTTP client address (http) */
	const char *submitter;	 /* TLS-Report-Submitter or sender domain */
	/* Filled by tlsrpt_store_append (callers leave them 0): the report's
	 * content digest (store/digest.h) and whether another version with the
	 * same organization-name + report-id was stored before it. */
	const char *digest;
	int conflict;
};

enum tlsrpt_store_outcome {
	TLSRPT_STORE_STORED,	/* all lines written (and synced per policy) */
	TLSRPT_STORE_DUPLICATE, /* the same report (org + report-id + content
				   digest) already stored in window */
	/* Stored, but another report with the same org + report-id and other
	 * content was stored before (a forgery, or a reporter's correction):
	 * its lines say "conflict", and tlsrpt-summary decides which counts. */
	TLSRPT_STORE_CONFLICT,
	/* Not stored: TLSRPT_STORE_MAX_VERSIONS reports with this org +
	 * report-id are stored already, so a flood of variants cannot fill
	 * the disk. Deliver the mail; nothing is lost that a person needs. */
	TLSRPT_STORE_TOO_MANY_VERSIONS,
};

/* The most versions (distinct content digests) of one org + report-id
 * kept within the de-duplication window. */
#define TLSRPT_STORE_MAX_VERSIONS 4

/* Append report r with receipt rc: all its lines in one write() to the day
 * file of rc->received, unless the same report -- organization-name +
 * report-id + content digest -- was stored within dedup_days. Same key with
 * another digest is a conflict: stored and marked, up to
 * TLSRPT_STORE_MAX_VERSIONS versions (a version with rc->dkim "pass" is
 * stored whatever came before). Returns 0 and sets *outcome, or -1:
 * TLSRPT_ERR_IO when the store cannot be written (disk full, file size limit,
 * I/O error, a symlink at a file's path); the day file is then left exactly
 * as it was and the caller should ask the sender to retry. A duplicate is
 * not an error. Callers that may hit RLIMIT_FSIZE should ignore SIGXFSZ
 * (the write then fails with EFBIG and is reported). */
int tlsrpt_store_append(struct tlsrpt_store *s, const struct tlsrpt_report *r,
			const struct tlsrpt_receipt *rc,
			enum tlsrpt_store_outcome *outcome,
			struct tlsrpt_error *err);

struct tlsrpt_prune_stats {
	unsigned compressed; /* day files gzip-compressed */
	unsigned deleted;    /* day files (.jsonl, .jsonl.gz, probe-) removed */
	unsigned long keys_dropped; /* index keys older than dedup_days */
	unsigned long keys_kept;
};

/* Retention, safe while other threads and processes write and read:
 * - gzip day files at least compress_after_days days before the UTC day of
 *   now (0: never compress; today's file is never compressed);
 * - delete day files at least delete_after_days days before today (0: never);
 * - rewrite the index without keys older than dedup_days.
 * stats may be NULL. On error some days may have been done already; running
 * it again finishes the job. */
int tlsrpt_store_prune(struct tlsrpt_store *s, int64_t now,
		       unsigned compress_after_days, unsigned delete_after_days,
		       struct tlsrpt_prune_stats *stats,
		       struct tlsrpt_error *err);

#endif
