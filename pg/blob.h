/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * blob.h -- the rollup of a finished day, shipped beside its lines
 * (schema_v3.sql, tlsrpt_rollup), so that tlsrpt-summary -d replays a few
 * blobs a day instead of moving every line of its window (pg/read.h).
 *
 * A day is finished when it is older than today (UTC), its cursor read
 * its stream to the end and its files are as the cursor left them: no
 * milter writes into it any more (the store writes into the day of
 * receipt). Even so the blob is only ever taken for what it says it
 * covers: it is made from the day's stream from its start to the
 * cursor (the same lines the batches shipped, decoded the same way, the
 * damaged ones skipped and noted), stored with the cursor's lines and
 * bytes, and inserted only while the cursor is still there; a day that
 * grows later moves its cursor and the blob is stale (tlsrpt-summary
 * reads that day's lines) until the next run uploads it again.
 */
#ifndef TLSRPT_PG_BLOB_H
#define TLSRPT_PG_BLOB_H

#include <libpq-fe.h>
#include <stdint.h>

#include "base/error.h"
#include "report/limits.h"

/* The largest rollup tlsrpt-ship uploads and tlsrpt-summary accepts
 * (tlsrpt-summary(1)): a day of ~2x10^6 report lines is about a tenth
 * of it. Larger: the day's lines are read instead. */
#define PG_ROLLUP_MAX (256u * 1024 * 1024)

/* Upload the rollups the store's finished days lack (current ones are
 * left alone): the store dirfd (named dir, its real path store), shipped
 * as ship_host. *made: how many were uploaded. 0, or -1 with err (the
 * database; a day that cannot be read is said and skipped). */
int pg_blob_ship(PGconn *c, int dirfd, const char *dir, const char *store,
		 const char *ship_host, const struct tlsrpt_limits *limits,
		 int64_t today, unsigned long *made, struct tlsrpt_error *err);

#endif
