/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * source.h -- where the summary's records come from: the store
 * directories (read.c) or a database tlsrpt-ship fills (read_db.c). Either
 * gives struct tlsrpt_record in the store reader's order with its
 * conflict marks (store/reader.h), so one reading loop (read.c) feeds the
 * aggregation, holds conflicting versions back and reads again, the same
 * way for both.
 */
#ifndef TLSRPT_SUMMARY_SOURCE_H
#define TLSRPT_SUMMARY_SOURCE_H

#include "summary/aggregate.h"

struct summary_source {
	/* Start a pass over [a->lookback, a->opt.until): 0, or -1 with
	 * err. */
	int (*begin)(void *ctx, const struct summary_agg *a,
		     struct tlsrpt_error *err);
	/* 1 with rec, 0 at the end of the pass, -1 with err. */
	int (*next)(void *ctx, struct tlsrpt_record *rec,
		    struct tlsrpt_error *err);
	/* The pass's counters; NULL when begin failed. */
	const struct tlsrpt_reader_stats *(*stats)(void *ctx);
	void (*end)(void *ctx); /* after every begin, failed or not */
	void *ctx;
};

/* Every record of src into a, in one pass, or two when the first meets
 * conflicting versions (conflicts.h). 0, or -1 with err. */
int summary_read_source(struct summary_agg *a, const struct summary_source *src,
			struct tlsrpt_error *err);

/* The database at conninfo (pg/read.h) into a (read_db.c), its probe
 * findings too (probe.h); *n_stores:
 * the stores shipped into it. 0, or -1 with err and *status, the exit
 * status: 75 unreachable, 78 no schema or another version, 77 not
 * allowed to read it, 74 anything else. */
int summary_read_db(struct summary_agg *a, const char *conninfo,
		    size_t *n_stores, int *status, struct tlsrpt_error *err);

#endif
