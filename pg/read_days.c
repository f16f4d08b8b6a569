/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * read_days.c -- a window from the database day by day (read_days.h): the
 * current rollups of a day (blob.h), in the order of their host and store
 * ("C"), replayed by the store reader as it replays a day file's rollup;
 * then, for a day that has none, or one that is damaged or stale, or a
 * cursor without one, the stored lines received that day (read.c's COPY)
 * through the same reader, so that the de-duplication, the conflicts and
 * every counter are those of the day files in that order.
 */
#include "pg/read_days.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "pg/blob.h"
#include "report/sanitize.h"
#include "store/day.h"
#include "store/rollup.h"

/* A current rollup of the window, its data not fetched yet. */
struct meta {
	int64_t day;
	char *host, *store, *date, *bytes, *lines;
	int64_t len;
};

struct ready {
	struct tlsrpt_rollup *ru;
	char name[TLSRPT_ERROR_PATH_MAX];
};

struct pg_days {
	struct pg_read *r;
	PGconn *c;
	int64_t since, until, last;
	const struct tlsrpt_limits *limits;
	GHashTable *said;
	GPtrArray *metas; /* by day, host, store */
	guint next;
	GHashTable *blocked; /* days whose lines are read whatever */
	int64_t day;	     /* the day being fed */
	GPtrArray *ready;    /* the day's rollups, opened (struct ready) */
	guint taken;	     /* of them given to the reader */
	int loaded, need_lines, lines_fed;
	enum pg_read_failure why; /* of a feed that failed */
	struct tlsrpt_store_reader *rd;
};

static void
meta_free(gpointer p)
{
	struct meta *m = p;

	g_free(m->host);
	g_free(m->store);
	g_free(m->date);
	g_free(m->bytes);
	g_free(m->lines);
	g_free(m);
}

/* The current rollups of the days $1..$2 (day numbers). */
static const char *const window_sql =
	"SELECT r.day - date '1970-01-01', r.ship_host, r.store, r.day, "
	"r.bytes, r.lines, octet_length(r.rollup) FROM tlsrpt_rollup r "
	"WHERE r.day BETWEEN date '1970-01-01' + $1::integer AND "
	"date '1970-01-01' + $2::integer AND NOT EXISTS (SELECT 1 FROM "
	"tlsrpt_ship_cursor c WHERE c.ship_host = r.ship_host AND c.store "
	"= r.store AND c.stream = 'tlsrpt' AND c.day = r.day AND (c.bytes "
	"<> r.bytes OR c.lines <> r.lines)) ORDER BY r.day, r.ship_host "
	"COLLATE \"C\", r.store COLLATE \"C\"";

/* Days with a cursor that has no current rollup (a store's lines not in
 * any rollup: today, a day that grew, one not finished), or a host's
 * lines from before rollups (schema_v3.sql). */
static const char *const blocked_sql =
	"SELECT c.day - date '1970-01-01' FROM tlsrpt_ship_cursor c WHERE "
	"c.stream = 'tlsrpt' AND c.day BETWEEN date '1970-01-01' + "
	"$1::integer AND date '1970-01-01' + $2::integer AND NOT EXISTS "
	"(SELECT 1 FROM tlsrpt_rollup r WHERE r.ship_host = c.ship_host "
	"AND r.store = c.store AND r.day = c.day AND r.bytes = c.bytes AND "
	"r.lines = c.lines) UNION SELECT day - date '1970-01-01' FROM "
	"tlsrpt_rollup_gap WHERE day BETWEEN date '1970-01-01' + "
	"$1::integer AND date '1970-01-01' + $2::integer";

/* A day number for SQL (an integer of days). */
static void
day_param(int64_t d, char *buf, size_t size)
{
	snprintf(buf, size, "%" PRId64,
		 d < 0		  ? (int64_t)0
		 : d > 2000000000 ? (int64_t)2000000000
				  : d);
}

static int
plan(struct pg_days *d, int64_t first, enum pg_read_failure *why,
     struct tlsrpt_error *err)
{
	char a[24], b[24];
	const char *p[2] = {a, b};
	PGresult *res;

	day_param(first, a, sizeof(a));
	day_param(d->last, b, sizeof(b));
	res = PQexecParams(d->c, window_sql, 2, NULL, p, NULL, NULL, 0);
	if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK)
		goto fail;
	for (int i = 0; i < PQntuples(res); i++) {
		struct meta *m = g_new0(struct meta, 1);

		m->day = strtoll(PQgetvalue(res, i, 0), NULL, 10);
		m->host = g_strdup(PQgetvalue(res, i, 1));
		m->store = g_strdup(PQgetvalue(res, i, 2));
		m->date = g_strdup(PQgetvalue(res, i, 3));
		m->bytes = g_strdup(PQgetvalue(res, i, 4));
		m->lines = g_strdup(PQgetvalue(res, i, 5));
		m->len = strtoll(PQgetvalue(res, i, 6), NULL, 10);
		g_ptr_array_add(d->metas, m);
	}
	PQclear(res);
	res = PQexecParams(d->c, blocked_sql, 2, NULL, p, NULL, NULL, 0);
	if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK)
		goto fail;
	for (int i = 0; i < PQntuples(res); i++) {
		gint64 *day = g_new(gint64, 1);

		*day = strtoll(PQgetvalue(res, i, 0), NULL, 10);
		g_hash_table_add(d->blocked, day);
	}
	PQclear(res);
	return 0;
fail:
	pg_read_fail(d->c, res, "reading the rollups of the window", why, err);
	PQclear(res);
	return -1;
}

/* Say once (across passes) that the rollup m is not used. */
static void
say(struct pg_days *d, const struct meta *m, const char *what)
{
	char *key = g_strdup_printf("%s\t%s\t%s", m->host, m->store, m->date);
	char *host, *store;

	if (g_hash_table_contains(d->said, key)) {
		g_free(key);
		return;
	}
	g_hash_table_add(d->said, key);
	/* The host and store are what another host's shipper wrote: no
	 * control character of theirs reaches this terminal. */
	host = sanitize_dup(sanitize_text, m->host);
	store = sanitize_dup(sanitize_text, m->store);
	fprintf(stderr,
		"tlsrpt-summary: the database's rollup of %s:%s day %s %s: "
		"its day is read from the lines instead\n",
		host, store, m->date, what);
	g_free(host);
	g_free(store);
}

/* The rollup of m into *ru: 0, 1 when not usable (said; the day's lines
 * are read), -1 with d->why and err. */
static int
fetch(struct pg_days *d, const struct meta *m, struct tlsrpt_rollup **ru,
      struct tlsrpt_error *err)
{
	const char *p[5] = {m->host, m->store, m->date, m->bytes, m->lines};
	struct tlsrpt_rollup_source src = {0};
	unsigned char *data;
	PGresult *res;
	size_t len;
	int rc;

	*ru = NULL;
	/* Bounded before it is fetched: another host's shipper wrote it. */
	if (m->len < 0 || (uint64_t)m->len > PG_ROLLUP_MAX) {
		say(d, m, "is larger than tlsrpt-summary accepts");
		return 1;
	}
	{
		char max[24];
		const char *q[6] = {p[0], p[1], p[2], p[3], p[4], max};

		snprintf(max, sizeof(max), "%u", (unsigned)PG_ROLLUP_MAX);
		res = PQexecParams(d->c,
				   "SELECT rollup FROM tlsrpt_rollup WHERE "
				   "ship_host = $1 AND store = $2 AND day = "
				   "$3::date AND bytes = $4 AND lines = $5 AND "
				   "octet_length(rollup) <= $6::bigint",
				   6, NULL, q, NULL, NULL, 1);
	}
	if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
		pg_read_fail(d->c, res, "reading a rollup", &d->why, err);
		PQclear(res);
		return -1;
	}
	if (PQntuples(res) != 1) { /* replaced since the plan */
		PQclear(res);
		say(d, m, "changed while read");
		return 1;
	}
	len = (size_t)PQgetlength(res, 0, 0);
	data = tlsrpt_malloc(len > 0 ? len : 1);
	if (data == NULL) {
		PQclear(res);
		d->why = PG_READ_FAILED;
		return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL,
					"out of memory");
	}
	memcpy(data, PQgetvalue(res, 0, 0), len);
	PQclear(res);
	/* It must say it covers what the cursor shipped. */
	src.size = strtoull(m->bytes, NULL, 10);
	src.ino = strtoull(m->lines, NULL, 10);
	rc = tlsrpt_rollup_open_mem(data, len, &src, d->limits, ru);
	if (rc < 0) {
		d->why = PG_READ_FAILED;
		return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL,
					"out of memory");
	}
	if (rc > 0)
		say(d, m,
		    "is damaged (its checksum or its length is wrong, or "
		    "it is of another version or limits)");
	return rc;
}

static int
copy_line(void *ctx, const char **line, size_t *len, struct tlsrpt_error *err)
{
	struct pg_days *d = ctx;

	return pg_read_copy_line(d->r, line, len, &d->why, err);
}

/* The current rollups of d->day into d->ready (all, or none when one is
 * not usable: the day's lines are read then). 0, or -1. */
static int
load_day(struct pg_days *d, struct tlsrpt_error *err)
{
	while (d->next < d->metas->len) {
		const struct meta *m = g_ptr_array_index(d->metas, d->next);
		struct ready *rd;
		struct tlsrpt_rollup *ru;
		int rc;

		if (m->day != d->day)
			break;
		d->next++;
		if (d->need_lines)
			continue; /* the whole day from the lines */
		rc = fetch(d, m, &ru, err);
		if (rc < 0)
			return -1;
		if (rc > 0) {
			d->need_lines = 1;
			continue;
		}
		rd = g_new0(struct ready, 1);
		rd->ru = ru;
		snprintf(rd->name, sizeof(rd->name), "%s:%s/rollup-%s", m->host,
			 m->store, m->date);
		g_ptr_array_add(d->ready, rd);
	}
	if (d->need_lines)
		g_ptr_array_set_size(d->ready, 0);
	return 0;
}

/* The reader's next source (tlsrpt_reader_feed_fn): a day's rollups one
 * after another, or its lines -- the lines of a day that has no rollup,
 * a stale or damaged one, or a store's cursor without one. A day is
 * whole from one or from the other: the lines in the database hold each
 * report once, not per store, so that store's reports could not come in
 * their store's place among the others. */
static int
feed(void *ctx, struct tlsrpt_reader_source *src, struct tlsrpt_error *err)
{
	struct pg_days *d = ctx;

	for (; d->day <= d->last; d->day++) {
		int64_t e, from, to;

		if (!d->loaded) {
			d->need_lines =
				g_hash_table_contains(d->blocked, &d->day);
			if (load_day(d, err) < 0)
				return -1;
			d->loaded = 1;
			d->taken = 0;
		}
		if (d->taken < d->ready->len) {
			struct ready *rd =
				g_ptr_array_index(d->ready, d->taken++);

			src->ru = rd->ru;
			rd->ru = NULL; /* the reader's now */
			memcpy(src->name, rd->name, sizeof(src->name));
			return 1;
		}
		if (!d->lines_fed && d->ready->len == 0) {
			/* The lines of this day, and of the days after it
			 * with no rollup at all, in one COPY. */
			e = d->next < d->metas->len
				    ? ((const struct meta *)g_ptr_array_index(
					       d->metas, d->next))
						      ->day -
					      1
				    : d->last;
			if (e < d->day)
				e = d->day;
			/* The first day from since: a day number times
			 * 86400 only where it is inside the window (no
			 * overflow at the ends of int64). */
			from = d->day <= tlsrpt_day_of(d->since)
				       ? d->since
				       : d->day * 86400;
			to = e >= d->last ? d->until : (e + 1) * 86400;
			if (pg_read_copy_begin(d->r, from, to, &d->why, err) <
			    0)
				return -1;
			d->lines_fed = 1;
			d->day = e; /* the next call goes on after e */
			snprintf(src->name, sizeof(src->name), "the database");
			src->next_line = copy_line;
			src->ctx = d;
			return 1;
		}
		g_ptr_array_set_size(d->ready, 0);
		d->loaded = d->lines_fed = 0;
	}
	return 0;
}

static void
ready_free(gpointer p)
{
	struct ready *rd = p;

	tlsrpt_rollup_close(rd->ru);
	g_free(rd);
}

struct pg_days *
pg_days_begin(struct pg_read *r, int64_t since, int64_t until,
	      const struct tlsrpt_limits *limits, GHashTable *said,
	      enum pg_read_failure *why, struct tlsrpt_error *err)
{
	struct pg_days *d = g_new0(struct pg_days, 1);
	int64_t first;

	d->r = r;
	d->c = pg_read_conn(r);
	d->since = since;
	d->until = until > 0 ? until : INT64_MAX;
	d->limits = limits;
	d->said = said;
	d->metas = g_ptr_array_new_with_free_func(meta_free);
	d->blocked = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
					   NULL);
	first = tlsrpt_day_of(since);
	d->last = tlsrpt_day_of(d->until == INT64_MAX ? INT64_MAX - 86400
						      : d->until - 1);
	d->day = first;
	d->ready = g_ptr_array_new_with_free_func(ready_free);
	if (plan(d, first, why, err) < 0 ||
	    tlsrpt_store_reader_open_feed(feed, d, since, until, limits, &d->rd,
					  err) < 0) {
		if (err->code == TLSRPT_ERR_NOMEM)
			*why = PG_READ_FAILED;
		pg_days_free(d);
		return NULL;
	}
	return d;
}

int
pg_days_next(struct pg_days *d, struct tlsrpt_record *rec,
	     enum pg_read_failure *why, struct tlsrpt_error *err)
{
	int rc;

	d->why = PG_READ_FAILED; /* the store reader's only own failure */
	rc = tlsrpt_store_reader_next(d->rd, rec, err);
	if (rc < 0)
		*why = d->why;
	else if (rc > 0) {
		rec->path = NULL; /* no file's line (read.h) */
		rec->line = 0;
	}
	return rc;
}

const struct tlsrpt_reader_stats *
pg_days_stats(const struct pg_days *d)
{
	return tlsrpt_store_reader_stats(d->rd);
}

void
pg_days_free(struct pg_days *d)
{
	if (d == NULL)
		return;
	tlsrpt_store_reader_close(d->rd);
	g_ptr_array_free(d->metas, TRUE);
	g_hash_table_destroy(d->blocked);
	g_ptr_array_free(d->ready, TRUE);
	g_free(d);
}
