/* SPDX-License-Identifier: BSD-2-Clause */
/* read.c -- the store directories, or any source.h, into an aggregation. */
#include "summary/aggregate.h"

#include <string.h>
#include <time.h>

#include "summary/conflicts.h"
#include "summary/probe.h"
#include "summary/source.h"

/* One pass over the source. With held, the versions of conflicting ids
 * are held back; with keys, the ids of conflicting reports are noted. */
static int
read_pass(struct summary_agg *a, const struct summary_source *src,
	  struct summary_held *held, GHashTable **keys,
	  struct tlsrpt_error *err)
{
	const struct tlsrpt_reader_stats *st;
	struct tlsrpt_record rec;
	int rc = -1, got;

	memset(&rec, 0, sizeof(rec));
	if (src->begin(src->ctx, a, err) != 0)
		goto out;
	while ((got = src->next(src->ctx, &rec, err)) == 1) {
		if (held != NULL && summary_held_take(held, &rec))
			continue;
		if (keys != NULL && rec.conflict)
			summary_conflict_note(keys, &rec);
		summary_agg_add(a, &rec);
	}
	if (got < 0)
		goto out;
	rc = 0;
out:
	if ((st = src->stats(src->ctx)) != NULL)
		summary_agg_set_stats(a, st);
	tlsrpt_record_clear(&rec);
	src->end(src->ctx);
	return rc;
}

int
summary_read_source(struct summary_agg *a, const struct summary_source *src,
		    struct tlsrpt_error *err)
{
	GHashTable *keys = NULL;
	struct summary_held *held;
	int rc = read_pass(a, src, NULL, &keys, err);

	if (rc != 0 || keys == NULL) {
		if (keys != NULL)
			g_hash_table_destroy(keys);
		return rc;
	}
	/* Conflicts: the first version of each was counted before anyone
	 * knew. Start over, holding every version of those ids back. */
	summary_agg_restart(a);
	held = summary_held_new(keys);
	rc = read_pass(a, src, held, NULL, err);
	if (rc == 0)
		summary_held_resolve(held, a);
	summary_held_free(held);
	return rc;
}

/* The store directories as a source. */
struct stores {
	const char *const *dirs;
	size_t n_dirs;
	struct tlsrpt_store_reader *rd;
};

static int
stores_begin(void *ctx, const struct summary_agg *a, struct tlsrpt_error *err)
{
	struct stores *s = ctx;

	if (tlsrpt_store_reader_open(s->dirs, s->n_dirs, a->lookback,
				     a->opt.until, NULL, &s->rd, err) != 0)
		return -1;
	/* Complete by the clock, not by --now: what matters is whether the
	 * day file can still grow. */
	if (!a->opt.collect_reports)
		tlsrpt_store_reader_rollups(s->rd, a->opt.rollups, time(NULL));
	return 0;
}

static int
stores_next(void *ctx, struct tlsrpt_record *rec, struct tlsrpt_error *err)
{
	return tlsrpt_store_reader_next(((struct stores *)ctx)->rd, rec, err);
}

static const struct tlsrpt_reader_stats *
stores_stats(void *ctx)
{
	struct stores *s = ctx;

	return s->rd != NULL ? tlsrpt_store_reader_stats(s->rd) : NULL;
}

static void
stores_end(void *ctx)
{
	struct stores *s = ctx;

	tlsrpt_store_reader_close(s->rd);
	s->rd = NULL;
}

int
summary_read_stores(struct summary_agg *a, const char *const *dirs,
		    size_t n_dirs, struct tlsrpt_error *err)
{
	struct stores s = {dirs, n_dirs, NULL};
	const struct summary_source src = {stores_begin, stores_next,
					   stores_stats, stores_end, &s};

	/* After the passes: a restart would drop what was read. */
	if (summary_read_source(a, &src, err) != 0)
		return -1;
	return summary_probe_read(a, dirs, n_dirs, err);
}
