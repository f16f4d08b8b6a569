/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * batch.h -- one batch of store lines into the database: one
 * transaction holding the lines, their report versions and failure
 * details, and the cursor past them (ship.h says why this is exactly
 * once).
 */
#ifndef TLSRPT_PG_BATCH_H
#define TLSRPT_PG_BATCH_H

#include <glib.h>
#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

/* Which cursor a batch moves. stream: PG_STREAM_DAY (the day files) or
 * PG_STREAM_PROBE (the findings file). */
#define PG_STREAM_DAY "tlsrpt"
#define PG_STREAM_PROBE "probe"
struct pg_cursor_key {
	const char *ship_host;
	const char *store;
	const char *stream;
	char day[16]; /* YYYY-MM-DD */
};

/* Where a cursor is. sizes: the .gz and .jsonl sizes (-1: absent) when
 * the day was read to its end with nothing left over, else at_end 0. */
struct pg_cursor {
	int64_t bytes, lines;
	int at_end;
	int64_t gz_size, plain_size;
};

/* The temporary tables of a connection. 0, or -1 with err. */
int pg_batch_setup(PGconn *c, struct tlsrpt_error *err);

/* The month partitions for the day YYYY-MM-DD, in a transaction of their
 * own (making one waits for every open batch). 0, or -1 with err. */
int pg_batch_ensure_month(PGconn *c, const char *day, struct tlsrpt_error *err);

/* Append one stage row (COPY text format) to out: the line's receipt and
 * report range (epoch seconds) and the line itself. */
void pg_batch_row(GString *out, unsigned long seq, int64_t received,
		  int64_t start, int64_t end, const char *line, size_t len);

/* Commit copy (stage rows) and move the cursor k from old->bytes to *to.
 * 0 when committed (*versions: report versions new to the database), 1
 * when the cursor was not at old->bytes (another tlsrpt-ship for the same
 * host and store; nothing done), -1 with err. Deadlocks between shippers
 * are retried. */
int pg_batch_commit(PGconn *c, const struct pg_cursor_key *k,
		    const struct pg_cursor *old, const struct pg_cursor *to,
		    const char *copy, size_t len, unsigned long *versions,
		    struct tlsrpt_error *err);

/* Append one findings stage row to out: the line's number in its file and
 * the line. 0, or -1 when the line cannot be stored as text (not UTF-8,
 * a NUL, longer than TLSRPT_FINDINGS_LINE_MAX): it is damaged, and
 * tlsrpt-summary would count it so, then skip it. */
int pg_batch_probe_row(GString *out, unsigned long seq, const char *line,
		       size_t len);

/* pg_batch_commit() for findings lines (stage rows of
 * pg_batch_probe_row()) into tlsrpt_probe_line. */
int pg_batch_commit_probe(PGconn *c, const struct pg_cursor_key *k,
			  const struct pg_cursor *old,
			  const struct pg_cursor *to, const char *copy,
			  size_t len, struct tlsrpt_error *err);

#endif
