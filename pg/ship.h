/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ship.h -- loading a store's new lines into PostgreSQL, exactly once.
 *
 * For each day of the store (daystream.h) the cursor in
 * tlsrpt_ship_cursor (ship host, store path, day) says how far it was
 * shipped. New lines are read from there, whole reports at a time, and
 * sent in batches of about opts->batch lines: COPY into a temporary
 * staging table, then in the same transaction the report versions, their
 * lines and failure details are inserted and the cursor moved. A kill at
 * any point leaves either the whole batch and the cursor past it, or
 * neither. The same report shipped from another host (or again from
 * here) is the same row of tlsrpt_report_version, taken under an
 * advisory lock on its key, so it adds no line; another version of the
 * same organisation and report id is stored too, and every version of it
 * flagged conflict.
 *
 * tlsrpt-probe's findings files (store/findings.h) are the "probe"
 * stream of the same cursors: their lines go into tlsrpt_probe_line,
 * keyed by where they are (host, store, day, line number), each line
 * whole by itself. The cursor of a day whose files retention deleted is
 * dropped when the day was read to its end, else kept and said once.
 */
#ifndef TLSRPT_PG_SHIP_H
#define TLSRPT_PG_SHIP_H

#include <libpq-fe.h>
#include <stddef.h>

#include "base/error.h"
#include "report/limits.h"

struct pg_ship_opts {
	const char *ship_host; /* --host: who ships (the cursor's key) */
	size_t batch;	       /* lines a transaction, about */
	const struct tlsrpt_limits *limits;
};

struct pg_ship_stats {
	unsigned long days;	   /* days with new lines */
	unsigned long lines;	   /* lines sent */
	unsigned long batches;	   /* transactions committed */
	unsigned long versions;	   /* report versions new to the database */
	unsigned long damaged;	   /* lines skipped: not a valid record */
	unsigned long restarts;	   /* days read again from their start */
	unsigned long probe_lines; /* findings lines sent */
	unsigned long pruned;	   /* cursors of deleted days dropped */
	unsigned long lost;	   /* days deleted before all was shipped */
	unsigned long rollups;	   /* finished days' rollups uploaded */
};

struct pg_ship;

/* A shipper on the connection c (borrowed; at the current schema
 * version): makes its temporary tables. NULL with err. */
struct pg_ship *pg_ship_new(PGconn *c, const struct pg_ship_opts *opts,
			    struct tlsrpt_error *err);

/* Ship what is new in the store directory dir (its real path is the
 * cursor's key). 0, or -1 with err; PQstatus() of the connection then
 * says whether the database went away (try again later). */
int pg_ship_store(struct pg_ship *s, const char *dir,
		  struct pg_ship_stats *stats, struct tlsrpt_error *err);

void pg_ship_free(struct pg_ship *s); /* NULL is a no-op */

#endif
