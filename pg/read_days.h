/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * read_days.h -- pg/read.c's pass over a window from the finished days'
 * rollups (blob.h): read.h says what it gives. Internal to pg/.
 */
#ifndef TLSRPT_PG_READ_DAYS_H
#define TLSRPT_PG_READ_DAYS_H

#include <glib.h>
#include <libpq-fe.h>

#include "pg/read.h"

struct pg_days;

/* A pass over [since, until) on c: the current rollups of each day
 * replayed, the lines of the days that have none (or a damaged one,
 * said once on stderr: said remembers which across passes). NULL with
 * *why and err. */
struct pg_days *pg_days_begin(struct pg_read *r, int64_t since, int64_t until,
			      const struct tlsrpt_limits *limits,
			      GHashTable *said, enum pg_read_failure *why,
			      struct tlsrpt_error *err);

/* As pg_read_next(). */
int pg_days_next(struct pg_days *d, struct tlsrpt_record *rec,
		 enum pg_read_failure *why, struct tlsrpt_error *err);

const struct tlsrpt_reader_stats *pg_days_stats(const struct pg_days *d);

void pg_days_free(struct pg_days *d); /* NULL ok */

/* read.c's connection, and its COPY of the stored lines received in
 * [since, until) in its order (read.h): begin (0, or -1), then each line
 * (1 with it, valid until the next call; 0 at the end; -1). */
PGconn *pg_read_conn(struct pg_read *r);
int pg_read_copy_begin(struct pg_read *r, int64_t since, int64_t until,
		       enum pg_read_failure *why, struct tlsrpt_error *err);
int pg_read_copy_line(struct pg_read *r, const char **line, size_t *len,
		      enum pg_read_failure *why, struct tlsrpt_error *err);

/* read.c's error of a failed result: *why from the connection's state and
 * the SQLSTATE, err "what: the server's message". -1. */
int pg_read_fail(PGconn *c, const PGresult *res, const char *what,
		 enum pg_read_failure *why, struct tlsrpt_error *err);

#endif
