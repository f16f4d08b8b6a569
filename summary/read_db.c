/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * read_db.c -- a database tlsrpt-ship fills as the summary's source
 * (source.h, pg/read.h). Apart from read.c so that only tlsrpt-summary,
 * which calls it, links libpq; the unit tests of the aggregation do not.
 */
#include "summary/source.h"

#include <sysexits.h>

#include "pg/read.h"
#include "summary/probe.h"

struct db {
	struct pg_read *r;
	enum pg_read_failure why;
	int begun;
};

static int
db_begin(void *ctx, const struct summary_agg *a, struct tlsrpt_error *err)
{
	struct db *d = ctx;
	const struct pg_read_query q = {
		a->lookback, a->opt.until, a->opt.domains, a->opt.n_domains,
		NULL,
		/* as the store directories' (read.c): --by report wants
		 * every field of a line, which a rollup leaves out */
		!a->opt.collect_reports &&
			(a->opt.rollups & TLSRPT_READER_ROLLUP_READ) != 0};

	d->begun = pg_read_begin(d->r, &q, &d->why, err) == 0;
	return d->begun ? 0 : -1;
}

static int
db_next(void *ctx, struct tlsrpt_record *rec, struct tlsrpt_error *err)
{
	struct db *d = ctx;

	return pg_read_next(d->r, rec, &d->why, err);
}

static const struct tlsrpt_reader_stats *
db_stats(void *ctx)
{
	struct db *d = ctx;

	return d->begun ? pg_read_stats(d->r) : NULL;
}

static void
db_end(void *ctx)
{
	(void)ctx; /* the next begin ends what is left of a pass */
}

/* The findings tlsrpt-ship stored (summary_findings_source). */
static int
db_findings(void *src, int64_t first, int64_t last, tlsrpt_findings_fn fn,
	    void *ctx, struct tlsrpt_findings_stats *st,
	    struct tlsrpt_error *err)
{
	struct db *d = src;

	return pg_read_findings(d->r, first, last, fn, ctx, st, &d->why, err);
}

static int
exit_status(enum pg_read_failure why)
{
	switch (why) {
	case PG_READ_UNREACHABLE: return EX_TEMPFAIL;
	case PG_READ_SCHEMA: return EX_CONFIG;
	case PG_READ_DENIED: return EX_NOPERM;
	default: return EX_IOERR;
	}
}

int
summary_read_db(struct summary_agg *a, const char *conninfo, size_t *n_stores,
		int *status, struct tlsrpt_error *err)
{
	struct db d = {NULL, PG_READ_OK, 0};
	const struct summary_source src = {db_begin, db_next, db_stats, db_end,
					   &d};
	int rc = -1;

	*status = 0;
	*n_stores = 0;
	if ((d.r = pg_read_connect(conninfo, &d.why, err)) == NULL ||
	    pg_read_n_stores(d.r, n_stores, &d.why, err) != 0 ||
	    summary_read_source(a, &src, err) != 0 ||
	    summary_probe_read_from(a, db_findings, &d, err) != 0)
		*status = exit_status(d.why);
	else
		rc = 0;
	pg_read_free(d.r);
	return rc;
}
