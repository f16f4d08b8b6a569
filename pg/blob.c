/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * blob.c -- the rollups of a store's finished days into tlsrpt_rollup
 * (blob.h), made with the store's rollup writer from the day's stream up
 * to its cursor.
 */
#include "pg/blob.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "pg/daystream.h"
#include "pg/schema.h"
#include "store/day.h"
#include "store/record.h"
#include "store/rollup.h"

/* The rollup of the first `lines` lines (`bytes` bytes) of day's stream
 * into *data, *len. 0, 1 when the stream does not hold them as the
 * cursor says (changed since: left for the next run), -1 with err. */
static int
make(int dirfd, const char *dir, int64_t day, int64_t bytes, int64_t lines,
     const struct tlsrpt_limits *limits, unsigned char **data, size_t *len,
     struct tlsrpt_error *err)
{
	struct tlsrpt_rollup_source src = {0};
	struct tlsrpt_rollup_writer *w;
	struct pg_daystream ds;
	struct tlsrpt_record rec = {0};
	const char *line;
	size_t n;
	unsigned flags;
	uint64_t end = 0;
	unsigned long at = 0;
	int r = 0, changed = 0;

	src.size = (uint64_t)bytes;
	src.ino = (uint64_t)lines;
	if (tlsrpt_rollup_writer_begin_mem(&src, limits, &w) < 0)
		return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL,
					"out of memory making a rollup");
	pg_daystream_init(&ds, dirfd, dir, day, 0,
			  tlsrpt_record_max_line(limits));
	while (r == 0 && end < (uint64_t)bytes) {
		struct tlsrpt_error derr = TLSRPT_ERROR_INIT;
		char msg[TLSRPT_ERROR_TEXT_MAX];

		r = pg_daystream_next(&ds, &line, &n, &flags, &end, err);
		if (r <= 0) {
			changed = r == 0; /* shorter than the cursor */
			break;
		}
		at++;
		if (flags & TLSRPT_LINE_UNTERMINATED) {
			changed = 1; /* inside the cursor */
			break;
		}
		if (flags & TLSRPT_LINE_TOO_LONG)
			r = tlsrpt_rollup_writer_skip(w, at, "line too long");
		else if (tlsrpt_record_decode(line, n, limits, &rec, &derr) < 0)
			r = derr.code == TLSRPT_ERR_NOMEM
				    ? -1
				    : tlsrpt_rollup_writer_skip(
					      w, at,
					      tlsrpt_error_format(&derr, msg,
								  sizeof(msg)));
		else
			r = tlsrpt_rollup_writer_add(w, &rec, at);
		tlsrpt_record_clear(&rec);
		if (r < 0) /* the writer's only failure: memory */
			tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL,
					 "out of memory making a rollup");
	}
	pg_daystream_close(&ds);
	if (r < 0) {
		tlsrpt_rollup_writer_abort(w);
		return -1;
	}
	if (changed || end != (uint64_t)bytes || at != (unsigned long)lines) {
		tlsrpt_rollup_writer_abort(w);
		return 1;
	}
	if (tlsrpt_rollup_writer_finish_mem(w, data, len) < 0)
		return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL,
					"out of memory making a rollup");
	return 0;
}

/* Store it while the cursor still stands where it was made to. 0, or -1
 * with err. */
static int
upload(PGconn *c, const char *ship_host, const char *store, const char *day,
       const char *bytes, const char *lines, const unsigned char *data,
       size_t len, struct tlsrpt_error *err)
{
	const char *p[6] = {ship_host, store, day,
			    bytes,     lines, (const char *)data};
	int lens[6] = {0, 0, 0, 0, 0, (int)len};
	int fmts[6] = {0, 0, 0, 0, 0, 1};
	PGresult *res = PQexecParams(
		c,
		"INSERT INTO tlsrpt_rollup (ship_host, store, day, bytes, "
		"lines, rollup) SELECT $1, $2, $3::date, $4, $5, $6 WHERE "
		"EXISTS (SELECT 1 FROM tlsrpt_ship_cursor WHERE ship_host = "
		"$1 AND store = $2 AND stream = 'tlsrpt' AND day = $3::date "
		"AND bytes = $4 AND lines = $5) ON CONFLICT (ship_host, "
		"store, day) DO UPDATE SET bytes = excluded.bytes, lines = "
		"excluded.lines, rollup = excluded.rollup, made = now()",
		6, NULL, p, lens, fmts, 0);
	int ok = res != NULL && PQresultStatus(res) == PGRES_COMMAND_OK;

	if (!ok)
		pg_error(err, c, res, "storing a day's rollup");
	PQclear(res);
	return ok ? 0 : -1;
}

int
pg_blob_ship(PGconn *c, int dirfd, const char *dir, const char *store,
	     const char *ship_host, const struct tlsrpt_limits *limits,
	     int64_t today, unsigned long *made, struct tlsrpt_error *err)
{
	char t[24];
	const char *p[3] = {ship_host, store, t};
	PGresult *res;
	int rc = 0;

	snprintf(t, sizeof(t), "%" PRId64, today);
	/* The finished days without a current rollup: read to the end
	 * (sizes recorded), not pruned, before today. */
	res = PQexecParams(
		c,
		"SELECT c.day - date '1970-01-01', c.day, c.bytes, c.lines, "
		"c.gz_size, c.plain_size FROM tlsrpt_ship_cursor c LEFT JOIN "
		"tlsrpt_rollup r ON r.ship_host = c.ship_host AND r.store = "
		"c.store AND r.day = c.day WHERE c.ship_host = $1 AND c.store "
		"= $2 AND c.stream = 'tlsrpt' AND c.gz_size IS NOT NULL AND "
		"c.pruned IS NULL AND c.day < date '1970-01-01' + "
		"$3::integer AND (r.day IS NULL OR r.bytes <> c.bytes OR "
		"r.lines <> c.lines) ORDER BY c.day",
		3, NULL, p, NULL, NULL, 0);
	if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
		pg_error(err, c, res, "reading the days without a rollup");
		PQclear(res);
		return -1;
	}
	for (int i = 0; rc == 0 && i < PQntuples(res); i++) {
		int64_t day = strtoll(PQgetvalue(res, i, 0), NULL, 10);
		int64_t bytes = strtoll(PQgetvalue(res, i, 2), NULL, 10);
		int64_t lines = strtoll(PQgetvalue(res, i, 3), NULL, 10);
		int64_t gz, plain;
		unsigned char *data = NULL;
		size_t len = 0;
		int r;

		/* The files as the cursor left them at their end. */
		pg_daystream_sizes(dirfd, day, &gz, &plain);
		if (gz != strtoll(PQgetvalue(res, i, 4), NULL, 10) ||
		    plain != strtoll(PQgetvalue(res, i, 5), NULL, 10))
			continue;
		r = make(dirfd, dir, day, bytes, lines, limits, &data, &len,
			 err);
		if (r < 0 && err->code == TLSRPT_ERR_IO &&
		    PQstatus(c) == CONNECTION_OK) {
			/* A day file that cannot be read: its lines are in
			 * the database; the summary reads them. */
			char msg[TLSRPT_ERROR_TEXT_MAX];

			fprintf(stderr,
				"tlsrpt-ship: %s: no rollup of day %s: %s\n",
				dir, PQgetvalue(res, i, 1),
				tlsrpt_error_format(err, msg, sizeof(msg)));
			tlsrpt_error_clear(err);
			continue;
		}
		if (r < 0) {
			rc = -1;
			break;
		}
		if (r == 0 && len <= PG_ROLLUP_MAX) {
			rc = upload(c, ship_host, store, PQgetvalue(res, i, 1),
				    PQgetvalue(res, i, 2),
				    PQgetvalue(res, i, 3), data, len, err);
			if (rc == 0)
				(*made)++;
		} else if (r == 0) {
			fprintf(stderr,
				"tlsrpt-ship: %s: the rollup of day %s is "
				"%zu bytes, over %u: tlsrpt-summary reads "
				"its lines\n",
				dir, PQgetvalue(res, i, 1), len,
				(unsigned)PG_ROLLUP_MAX);
		}
		tlsrpt_free(data);
	}
	PQclear(res);
	return rc;
}
