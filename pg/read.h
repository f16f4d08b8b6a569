/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * read.h -- the records tlsrpt-ship put into PostgreSQL, read back for
 * tlsrpt-summary: the same struct tlsrpt_record as store/reader.h gives,
 * in the same order and with the same conflict marks, so that the
 * aggregation gives the same answer from the database as from the day
 * files the lines came from.
 *
 * What the database holds is one copy of each report version (its
 * organisation, report id and digest: tlsrpt-ship(8)), with the receipt
 * of its first copy. Rows come back oldest receipt first (then by
 * organisation, report id, digest and policy index: a report's lines one
 * after another); each is the stored line decoded by
 * tlsrpt_record_decode(), as from a day file. A version whose
 * organisation and report id were met before in the window is marked
 * conflict, as the store reader marks it; lines from before digests
 * follow the store reader's rule too (reader.h).
 *
 * With query->rollups (read_days.h) the finished days come from the
 * rollups tlsrpt-ship uploaded (blob.h) instead: each day's current
 * rollups, host and store in "C" order, replayed through the store
 * reader's fed form (store/reader.h), so the order, the de-duplication
 * and the conflicts are those of the day files named in that order, and
 * none of the differences below applies to those days. A day with a
 * store that shipped lines of it and has no current rollup, or with a
 * damaged or oversized one (said once on stderr), is read from its lines
 * below, the whole day: the lines hold each report once, not per store.
 *
 * Where the lines differ from the merged day files (tlsrpt-summary(1)): two
 * copies of one report received on one day by two hosts count as the
 * first received, where the day files count the copy of the store named
 * first; a copy received before the look-back and another inside it is
 * outside (the day files count the later copy); reports received in one
 * second come by organisation, id and digest, where the day files give
 * them by store and by position in the file (a tie of the latest
 * policy may then go the other way).
 *
 * The findings of tlsrpt-probe come back as lines of their files, in the
 * files' reader's order and through its parser (pg_read_findings()).
 *
 * libpq is this file's alone: the header names no libpq type, so a
 * caller needs neither its headers nor its flags.
 */
#ifndef TLSRPT_PG_READ_H
#define TLSRPT_PG_READ_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "report/limits.h"
#include "store/findings.h"
#include "store/reader.h"

/* Why a call failed, for the caller's exit status. */
enum pg_read_failure {
	PG_READ_OK = 0,
	PG_READ_UNREACHABLE, /* no connection, or it went away: later */
	PG_READ_SCHEMA,	     /* no tlsrpt schema, or another version */
	PG_READ_DENIED,	     /* the role may not read the tables */
	PG_READ_FAILED,	     /* any other error (out of memory, SQL) */
};

/* Whether the -d argument s names a database rather than a store
 * directory: a postgresql:// or postgres:// URI, or a libpq keyword=value
 * string (a '=' before any '/': "service=tlsrpt", "dbname=tlsrpt
 * host=db1"). */
int pg_read_is_database(const char *s);

/* What to read: receipt in [since, until) (epoch seconds), and when
 * n_domains > 0 only lines whose policy domain is one of domains (ASCII
 * case aside; "(none)" is a line without one) -- and every line of a
 * report id with several versions, which the conflict rule needs whole
 * (the caller leaves out the other domains after it). limits bound each line
 * (NULL: the defaults) and must outlive the reader. */
struct pg_read_query {
	int64_t since, until;
	const char *const *domains;
	size_t n_domains;
	const struct tlsrpt_limits *limits;
	int rollups; /* the finished days from their rollups (below) */
};

struct pg_read;

/* Connect with libpq (conninfo: a URI or keyword=value string; the rest
 * from PGSERVICE, PGHOST..., the service file and ~/.pgpass) and check
 * the schema version as tlsrpt-ship does. NULL with *why and err. */
struct pg_read *pg_read_connect(const char *conninfo, enum pg_read_failure *why,
				struct tlsrpt_error *err);

/* The stores shipped into the database (host and store directory
 * pairs). 0, or -1 with *why and err. */
int pg_read_n_stores(struct pg_read *r, size_t *n, enum pg_read_failure *why,
		     struct tlsrpt_error *err);

/* Start reading the rows of q (again: a pass of its own, counters from
 * zero). 0, or -1 with *why and err. */
int pg_read_begin(struct pg_read *r, const struct pg_read_query *q,
		  enum pg_read_failure *why, struct tlsrpt_error *err);

/* The next record into rec (zeroed or cleared; cleared first): 1, 0 at
 * the end, -1 with *why and err. rec->path is NULL. */
int pg_read_next(struct pg_read *r, struct tlsrpt_record *rec,
		 enum pg_read_failure *why, struct tlsrpt_error *err);

/* The findings lines tlsrpt-ship stored for the days first..last (day
 * numbers, store/day.h) into fn, as tlsrpt_findings_read() gives those of
 * the store directories: day by day, within a day the files of each host
 * and store in the order of their names ("C"), each file's lines in
 * order; the same bounds and counts (tlsrpt_findings_feed()), into *st
 * (zeroed first). 0, or -1 with *why and err. */
int pg_read_findings(struct pg_read *r, int64_t first, int64_t last,
		     tlsrpt_findings_fn fn, void *ctx,
		     struct tlsrpt_findings_stats *st,
		     enum pg_read_failure *why, struct tlsrpt_error *err);

/* Counters of the pass, as the store reader's (files and unreadable
 * stay 0). Borrowed from r. */
const struct tlsrpt_reader_stats *pg_read_stats(const struct pg_read *r);

void pg_read_free(struct pg_read *r); /* NULL is a no-op */

#endif
