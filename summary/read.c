/* SPDX-License-Identifier: BSD-2-Clause */
/* read.c -- the store directories into an aggregation. */
#include "summary/aggregate.h"

#include <string.h>
#include <time.h>

#include "summary/conflicts.h"
#include "summary/probe.h"

/* One pass over the stores. With held, the versions of conflicting ids are
 * held back; with keys, the ids of conflicting reports are noted. */
static int
read_pass(struct summary_agg *a, const char *const *dirs, size_t n_dirs,
	  struct summary_held *held, GHashTable **keys,
	  struct tlsrpt_error *err)
{
	struct tlsrpt_store_reader *rd = NULL;
	struct tlsrpt_record rec;
	int rc = -1, got;

	memset(&rec, 0, sizeof(rec));
	if (tlsrpt_store_reader_open(dirs, n_dirs, a->lookback, a->opt.until,
				     NULL, &rd, err) != 0)
		goto out;
	/* Complete by the clock, not by --now: what matters is whether the
	 * day file can still grow. */
	if (!a->opt.collect_reports)
		tlsrpt_store_reader_rollups(rd, a->opt.rollups, time(NULL));
	while ((got = tlsrpt_store_reader_next(rd, &rec, err)) == 1) {
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
	if (rd != NULL)
		summary_agg_set_stats(a, tlsrpt_store_reader_stats(rd));
	tlsrpt_record_clear(&rec);
	tlsrpt_store_reader_close(rd);
	return rc;
}

int
summary_read_stores(struct summary_agg *a, const char *const *dirs,
		    size_t n_dirs, struct tlsrpt_error *err)
{
	GHashTable *keys = NULL;
	struct summary_held *held;
	int rc = read_pass(a, dirs, n_dirs, NULL, &keys, err);

	if (rc != 0 || keys == NULL) {
		if (keys != NULL)
			g_hash_table_destroy(keys);
		return rc != 0 ? rc : summary_probe_read(a, dirs, n_dirs, err);
	}
	/* Conflicts: the first version of each was counted before anyone
	 * knew. Start over, holding every version of those ids back. */
	summary_agg_restart(a);
	held = summary_held_new(keys);
	rc = read_pass(a, dirs, n_dirs, held, NULL, err);
	if (rc == 0)
		summary_held_resolve(held, a);
	summary_held_free(held);
	/* After the passes: a restart would drop what was read. */
	return rc != 0 ? rc : summary_probe_read(a, dirs, n_dirs, err);
}
