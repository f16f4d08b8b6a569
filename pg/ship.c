/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ship.c -- a store's new lines into PostgreSQL, whole reports at a time
 * (ship.h). Batches end only where a report ends: a report cut short at
 * the end of a plain day file (a writer killed inside its write; the next
 * writer cuts it away, store/README) is never shipped, and the cursor
 * stays before it.
 */
#include "pg/ship.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/siphash.h"
#include "pg/batch.h"
#include "pg/blob.h"
#include "pg/daystream.h"
#include "pg/schema.h"
#include "store/day.h"
#include "store/dayfiles.h"
#include "store/findings.h"
#include "store/record.h"

struct pg_ship {
	PGconn *c;
	struct pg_ship_opts opts;
	GHashTable *months; /* "YYYY-MM" whose partitions exist */
	GString *copy;	    /* the batch being built, COPY text */
};

/* The batch of one day being built: what is in s->copy, and the last
 * report boundary in it (only up to there is ever sent). */
struct day_batch {
	struct pg_cursor_key key;
	struct pg_cursor done; /* the cursor in the database */
	struct pg_cursor at;   /* after the last line read */
	struct pg_cursor mark; /* after the last whole report */
	size_t mark_len;       /* bytes of s->copy up to mark */
	size_t lines, mark_lines;
	int open;  /* a report's lines are being read */
	int probe; /* the findings file: every line whole by itself */
};

struct pg_ship *
pg_ship_new(PGconn *c, const struct pg_ship_opts *opts,
	    struct tlsrpt_error *err)
{
	struct pg_ship *s;

	if (pg_batch_setup(c, err) < 0)
		return NULL;
	s = tlsrpt_calloc(1, sizeof(*s));
	if (s == NULL) {
		tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL, "out of memory");
		return NULL;
	}
	s->c = c;
	s->opts = *opts;
	if (s->opts.batch == 0)
		s->opts.batch = 1;
	s->months = g_hash_table_new_full(tlsrpt_str_hash, g_str_equal, g_free,
					  NULL);
	s->copy = g_string_new(NULL);
	return s;
}

void
pg_ship_free(struct pg_ship *s)
{
	if (s == NULL)
		return;
	g_hash_table_destroy(s->months);
	g_string_free(s->copy, TRUE);
	tlsrpt_free(s);
}

/* The cursors of this host, store and stream: day number -> struct
 * pg_cursor. */
static GHashTable *
load_cursors(struct pg_ship *s, const char *store, const char *stream,
	     struct tlsrpt_error *err)
{
	const char *p[3] = {s->opts.ship_host, store, stream};
	PGresult *res = PQexecParams(
		s->c,
		"SELECT day - date '1970-01-01', bytes, lines, gz_size, "
		"plain_size FROM tlsrpt_ship_cursor "
		"WHERE ship_host = $1 AND store = $2 AND stream = $3",
		3, NULL, p, NULL, NULL, 0);
	GHashTable *h;

	if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
		pg_error(err, s->c, res, "reading the ship cursors");
		PQclear(res);
		return NULL;
	}
	h = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	for (int i = 0; i < PQntuples(res); i++) {
		gint64 *day = g_new(gint64, 1);
		struct pg_cursor *cur = g_new0(struct pg_cursor, 1);

		*day = strtoll(PQgetvalue(res, i, 0), NULL, 10);
		cur->bytes = strtoll(PQgetvalue(res, i, 1), NULL, 10);
		cur->lines = strtoll(PQgetvalue(res, i, 2), NULL, 10);
		cur->at_end = !PQgetisnull(res, i, 3);
		cur->gz_size = strtoll(PQgetvalue(res, i, 3), NULL, 10);
		cur->plain_size = strtoll(PQgetvalue(res, i, 4), NULL, 10);
		g_hash_table_replace(h, day, cur);
	}
	PQclear(res);
	return h;
}

/* The partitions for the month of day exist (made once per connection). */
static int
ensure_month(struct pg_ship *s, int64_t day, struct tlsrpt_error *err)
{
	char ymd[16];

	tlsrpt_day_format(day, ymd, sizeof(ymd));
	ymd[7] = '\0';
	if (g_hash_table_contains(s->months, ymd))
		return 0;
	ymd[7] = '-';
	if (pg_batch_ensure_month(s->c, ymd, err) < 0)
		return -1;
	ymd[7] = '\0';
	g_hash_table_add(s->months, g_strdup(ymd));
	return 0;
}

/* Send s->copy up to the mark. 0, 1 when the cursor was moved by another
 * shipper (the day must be read again from the database's cursor), -1. */
static int
flush(struct pg_ship *s, struct day_batch *b, struct pg_ship_stats *st,
      struct tlsrpt_error *err)
{
	unsigned long versions = 0;
	int rc;

	if (b->mark.bytes == b->done.bytes &&
	    (!b->mark.at_end ||
	     (b->done.at_end && b->done.gz_size == b->mark.gz_size &&
	      b->done.plain_size == b->mark.plain_size)))
		return 0; /* nothing new, not even the sizes */
	if (b->probe)
		rc = pg_batch_commit_probe(s->c, &b->key, &b->done, &b->mark,
					   s->copy->str, b->mark_len, err);
	else
		rc = pg_batch_commit(s->c, &b->key, &b->done, &b->mark,
				     s->copy->str, b->mark_len, &versions, err);
	if (rc != 0)
		return rc;
	if (b->mark_lines > 0) {
		st->batches++;
		if (b->probe)
			st->probe_lines += b->mark_lines;
		else
			st->lines += b->mark_lines;
		st->versions += versions;
	}
	b->done = b->mark;
	g_string_erase(s->copy, 0, (gssize)b->mark_len);
	b->lines -= b->mark_lines;
	b->mark_len = 0;
	b->mark_lines = 0;
	return 0;
}

static void
set_mark(struct pg_ship *s, struct day_batch *b)
{
	b->mark = b->at;
	b->mark_len = s->copy->len;
	b->mark_lines = b->lines;
}

/* One line read behind b->at, ending at stream offset end: staged, b->at
 * moved past it, and the mark moved where a report ends (after the line)
 * or begins (before it). 0, or -1 with err (out of memory, a partition
 * not made). */
static int
take_line(struct pg_ship *s, struct day_batch *b, const char *line, size_t len,
	  unsigned flags, uint64_t end, struct pg_ship_stats *st,
	  struct tlsrpt_error *err)
{
	struct tlsrpt_error derr = TLSRPT_ERROR_INIT;
	struct tlsrpt_record rec = {0};

	if ((flags & TLSRPT_LINE_TOO_LONG) ||
	    tlsrpt_record_decode(line, len, s->opts.limits, &rec, &derr) < 0) {
		if (derr.code == TLSRPT_ERR_NOMEM)
			return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL,
						"out of memory");
		/* Damaged: skipped, as tlsrpt-summary skips it. */
		st->damaged++;
		b->at.lines++;
		b->at.bytes = (int64_t)end;
		if (!b->open)
			set_mark(s, b);
		return 0;
	}
	/* A report's first line: what came before it is whole. */
	if (rec.policy_index == 0)
		set_mark(s, b);
	if (ensure_month(s, tlsrpt_day_of(rec.received), err) < 0) {
		tlsrpt_record_clear(&rec);
		return -1;
	}
	pg_batch_row(s->copy, (unsigned long)b->at.lines, rec.received,
		     rec.start_time, rec.end_time, line, len);
	b->lines++;
	b->at.lines++;
	b->at.bytes = (int64_t)end;
	b->open = rec.policy_index + 1 < rec.policy_count;
	if (!b->open)
		set_mark(s, b);
	tlsrpt_record_clear(&rec);
	return 0;
}

/* One line of a findings file, as take_line(): each is whole by itself.
 * A line that cannot be stored as text (pg_batch_probe_row()) is skipped
 * and counted damaged, as tlsrpt-summary would count it; an empty line,
 * which it skips uncounted, is no row. */
static void
take_probe_line(struct pg_ship *s, struct day_batch *b, const char *line,
		size_t len, unsigned flags, uint64_t end,
		struct pg_ship_stats *st)
{
	if ((flags & TLSRPT_LINE_TOO_LONG) ||
	    (len > 0 && pg_batch_probe_row(s->copy, (unsigned long)b->at.lines,
					   line, len) < 0))
		st->damaged++;
	else if (len > 0)
		b->lines++;
	b->at.lines++;
	b->at.bytes = (int64_t)end;
	set_mark(s, b);
}

/* The sizes a cursor read to its end remembers: the .gz and the .jsonl,
 * or for findings none and the file. */
static void
stream_sizes(int dirfd, int64_t day, int probe, int64_t *gz, int64_t *plain)
{
	if (probe) {
		*gz = -1;
		pg_daystream_probe_size(dirfd, day, plain);
	} else {
		pg_daystream_sizes(dirfd, day, gz, plain);
	}
}

/* Ship one day of the store whose cursor in the database is cur, reading
 * from cur (or from the start: from0). 0 done, 1 to be read again from
 * the database's cursor (another shipper moved it), 2 from the start (the
 * stream is shorter than the cursor), -1 with err. */
static int
ship_day(struct pg_ship *s, int dirfd, const char *dir, const char *store,
	 int probe, int64_t day, const struct pg_cursor *cur, int from0,
	 struct pg_ship_stats *st, struct tlsrpt_error *err)
{
	struct day_batch b = {0};
	struct pg_daystream ds;
	const char *line;
	size_t len, max_line = tlsrpt_record_max_line(s->opts.limits);
	unsigned flags;
	uint64_t end;
	int64_t gz_size, plain_size;
	int r, cut = 0;
	unsigned long before = st->lines + st->probe_lines;

	b.probe = probe;
	b.key.ship_host = s->opts.ship_host;
	b.key.store = store;
	b.key.stream = probe ? PG_STREAM_PROBE : PG_STREAM_DAY;
	tlsrpt_day_format(day, b.key.day, sizeof(b.key.day));
	b.done = *cur;
	b.at = b.mark = *cur;
	b.at.at_end = b.mark.at_end = 0;
	if (from0)
		b.at.bytes = b.at.lines = b.mark.bytes = b.mark.lines = 0;
	/* The sizes before reading: a file that grows meanwhile differs
	 * next time and is read again, never skipped. */
	stream_sizes(dirfd, day, probe, &gz_size, &plain_size);
	g_string_truncate(s->copy, 0);
	if (probe)
		pg_daystream_init_probe(&ds, dirfd, dir, day,
					(uint64_t)b.at.bytes,
					TLSRPT_FINDINGS_LINE_MAX);
	else
		pg_daystream_init(&ds, dirfd, dir, day, (uint64_t)b.at.bytes,
				  max_line);
	while ((r = pg_daystream_next(&ds, &line, &len, &flags, &end, err)) ==
	       1) {
		if (flags & TLSRPT_LINE_UNTERMINATED) {
			cut = 1; /* being written, or a torn tail */
			r = 0;
			break;
		}
		if (probe)
			take_probe_line(s, &b, line, len, flags, end, st);
		else if (take_line(s, &b, line, len, flags, end, st, err) < 0) {
			r = -1;
			break;
		}
		if (b.mark_lines >= s->opts.batch &&
		    (r = flush(s, &b, st, err)) != 0)
			break;
	}
	if (r == 0 && !cut && pg_daystream_length(&ds) < (uint64_t)b.at.bytes) {
		/* Shorter than what was shipped: prune was caught between
		 * renaming the .gz and unlinking the .jsonl, whose lines
		 * the stream then held twice. Read it again from the start;
		 * the database's key makes every line already there a
		 * no-op. */
		fprintf(stderr,
			"tlsrpt-ship: %s: %s %s is shorter than shipped; "
			"reading it again from its start\n",
			dir, probe ? "the findings of" : "day", b.key.day);
		st->restarts++;
		r = 2;
	}
	pg_daystream_close(&ds);
	if (r == 0) {
		if (!cut && !b.open && b.mark.bytes == b.at.bytes) {
			b.mark.at_end = 1;
			b.mark.gz_size = gz_size;
			b.mark.plain_size = plain_size;
		}
		r = flush(s, &b, st, err);
	}
	if (st->lines + st->probe_lines > before)
		st->days++;
	g_string_truncate(s->copy, 0);
	return r;
}

/* Whether the cursor says the day is shipped and its files are the same. */
static int
unchanged(int dirfd, int64_t day, int probe, const struct pg_cursor *cur)
{
	int64_t gz, plain;

	if (!cur->at_end)
		return 0;
	stream_sizes(dirfd, day, probe, &gz, &plain);
	return gz == cur->gz_size && plain == cur->plain_size;
}

/* Run sql on the cursor (host, store, stream, day): the rows it
 * touched, or -1 with err. */
static long
cursor_sql(struct pg_ship *s, const char *sql, const char *store,
	   const char *stream, const char *day, struct tlsrpt_error *err)
{
	const char *p[4] = {s->opts.ship_host, store, stream, day};
	PGresult *res = PQexecParams(s->c, sql, 4, NULL, p, NULL, NULL, 0);
	long n = -1;

	if (res != NULL && (PQresultStatus(res) == PGRES_COMMAND_OK ||
			    PQresultStatus(res) == PGRES_TUPLES_OK))
		n = strtol(PQcmdTuples(res), NULL, 10);
	else
		pg_error(err, s->c, res, "the ship cursor of a deleted day");
	PQclear(res);
	return n;
}

/* Cursors of days whose files retention deleted: one read to its end is
 * done with and dropped; one that was not is said once (its lines past
 * the cursor never reached the database) and kept, marked pruned, as the
 * database's record of it. The day's files are looked for again first:
 * a day missing from a listing read while prune renamed its files may
 * still be there. 0, or -1 with err. */
static int
prune_cursors(struct pg_ship *s, int dirfd, const char *dir, const char *store,
	      int probe, GHashTable *cursors, GHashTable *listed,
	      struct pg_ship_stats *st, struct tlsrpt_error *err)
{
	const char *stream = probe ? PG_STREAM_PROBE : PG_STREAM_DAY;
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, cursors);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		const struct pg_cursor *cur = v;
		int64_t gz, plain;
		char day[16];
		long n;

		if (g_hash_table_contains(listed, k))
			continue;
		stream_sizes(dirfd, *(gint64 *)k, probe, &gz, &plain);
		if (gz >= 0 || plain >= 0)
			continue;
		tlsrpt_day_format(*(gint64 *)k, day, sizeof(day));
		if (cur->at_end) {
			/* A day's cursor goes only with a rollup of all it
			 * shipped (blob.h): else it stays, and says to
			 * tlsrpt-summary that the day's lines are to be
			 * read. */
			n = cursor_sql(
				s,
				"DELETE FROM tlsrpt_ship_cursor c WHERE "
				"ship_host = $1 AND store = $2 AND "
				"stream = $3 AND day = $4 AND gz_size "
				"IS NOT NULL AND (stream <> 'tlsrpt' OR "
				"EXISTS (SELECT 1 FROM tlsrpt_rollup r "
				"WHERE r.ship_host = c.ship_host AND "
				"r.store = c.store AND r.day = c.day AND "
				"r.bytes = c.bytes AND r.lines = "
				"c.lines))",
				store, stream, day, err);
			if (n < 0)
				return -1;
			st->pruned += (unsigned long)n;
			continue;
		}
		n = cursor_sql(s,
			       "UPDATE tlsrpt_ship_cursor SET pruned = now() "
			       "WHERE ship_host = $1 AND store = $2 AND "
			       "stream = $3 AND day = $4 AND gz_size IS NULL "
			       "AND pruned IS NULL",
			       store, stream, day, err);
		if (n < 0)
			return -1;
		if (n > 0) {
			st->lost++;
			fprintf(stderr,
				"tlsrpt-ship: %s: %s %s was deleted before it "
				"was all shipped: what came after its line "
				"%" PRId64 " never reached the database "
				"(its cursor is kept, marked pruned)\n",
				dir, probe ? "the findings file of" : "day",
				day, cur->lines);
		}
	}
	return 0;
}

/* Ship the days (ascending) of one stream of the store, then see to the
 * cursors of days no longer there. 0, or -1 with err. */
static int
ship_stream(struct pg_ship *s, int dirfd, const char *dir, const char *store,
	    int probe, const int64_t *days, size_t n, struct pg_ship_stats *st,
	    struct tlsrpt_error *err)
{
	const char *stream = probe ? PG_STREAM_PROBE : PG_STREAM_DAY;
	GHashTable *cursors, *listed;
	int rc = -1;

	if ((cursors = load_cursors(s, store, stream, err)) == NULL)
		return -1;
	listed = g_hash_table_new(g_int64_hash, g_int64_equal);
	for (size_t i = 0; i < n; i++) {
		gint64 day = days[i];
		struct pg_cursor zero = {0}, *cur;
		int tries = 0, from0 = 0, r;

		g_hash_table_add(listed, (gpointer)&days[i]);
		cur = g_hash_table_lookup(cursors, &day);
		if (cur == NULL)
			cur = &zero;
		if (unchanged(dirfd, day, probe, cur))
			continue;
		while ((r = ship_day(s, dirfd, dir, store, probe, day, cur,
				     from0, st, err)) > 0 &&
		       ++tries < 3) {
			/* Another shipper moved it, or it shrank: from the
			 * database's cursor, or from the start. */
			GHashTable *again = load_cursors(s, store, stream, err);

			if (again == NULL)
				goto out;
			g_hash_table_destroy(cursors);
			cursors = again;
			from0 = r == 2;
			cur = g_hash_table_lookup(cursors, &day);
			if (cur == NULL)
				cur = &zero;
		}
		if (r < 0)
			goto out;
		if (r > 0)
			fprintf(stderr,
				"tlsrpt-ship: %s: %s%" PRId64
				" left for the next run: its cursor keeps "
				"moving\n",
				dir, probe ? "the findings of day " : "day ",
				(int64_t)day);
	}
	rc = prune_cursors(s, dirfd, dir, store, probe, cursors, listed, st,
			   err);
out:
	g_hash_table_destroy(listed);
	g_hash_table_destroy(cursors);
	return rc;
}

int
pg_ship_store(struct pg_ship *s, const char *dir, struct pg_ship_stats *st,
	      struct tlsrpt_error *err)
{
	char store[PATH_MAX];
	struct tlsrpt_dayfile *files = NULL;
	int64_t *days = NULL;
	size_t n = 0, nd = 0;
	int dirfd, rc = -1;

	/* The cursor's key: the same store under another spelling is the
	 * same store. */
	if (realpath(dir, store) == NULL)
		return tlsrpt_error_set(err, TLSRPT_ERR_IO, dir,
					"cannot find the store: %s",
					strerror(errno));
	dirfd = open(store, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return tlsrpt_error_set(err, TLSRPT_ERR_IO, dir,
					"cannot open the store: %s",
					strerror(errno));
	if (tlsrpt_dayfiles_list_all(dirfd, dir, &files, &n, err) < 0)
		goto out;
	/* The .gz and the .jsonl of a day: one stream. */
	days = tlsrpt_calloc(n > 0 ? n : 1, sizeof(*days));
	if (days == NULL) {
		tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (nd == 0 || days[nd - 1] != files[i].day)
			days[nd++] = files[i].day;
	if (ship_stream(s, dirfd, dir, store, 0, days, nd, st, err) < 0 ||
	    pg_blob_ship(s->c, dirfd, dir, store, s->opts.ship_host,
			 s->opts.limits, tlsrpt_day_of((int64_t)time(NULL)),
			 &st->rollups, err) < 0)
		goto out;
	tlsrpt_free(days);
	days = NULL;
	/* Then the findings of tlsrpt-probe, after the reports they go
	 * with. */
	if (tlsrpt_findings_list(dirfd, dir, &days, &nd, err) < 0 ||
	    ship_stream(s, dirfd, dir, store, 1, days, nd, st, err) < 0)
		goto out;
	rc = 0;
out:
	tlsrpt_free(days);
	tlsrpt_free(files);
	close(dirfd);
	return rc;
}
