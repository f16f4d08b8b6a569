/* read.c -- the store directories into an aggregation. */
#include "summary/aggregate.h"

#include <string.h>

int
summary_read_stores(struct summary_agg *a, const char *const *dirs,
		    size_t n_dirs, struct tlsrpt_error *err)
{
	struct tlsrpt_store_reader *rd = NULL;
	struct tlsrpt_record rec;
	int rc = -1, got;

	memset(&rec, 0, sizeof(rec));
	if (tlsrpt_store_reader_open(dirs, n_dirs, a->lookback, a->opt.until,
				     NULL, &rd, err) != 0)
		goto out;
	while ((got = tlsrpt_store_reader_next(rd, &rec, err)) == 1)
		summary_agg_add(a, &rec);
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
