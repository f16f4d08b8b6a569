/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * read.c -- the database's lines back as store records (read.h). One
 * COPY ... TO STDOUT (FORMAT binary) streams the stored lines in the
 * reader's order; the window and the domain filter are its WHERE, on the
 * month partitions and the indexes of schema_v1.sql. Each line is decoded
 * by the store's own decoder, so what the summary gets, and how every sink
 * neutralises its strings, is what it gets from a day file.
 */
#include "pg/read.h"

#include <glib.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/siphash.h"
#include "pg/read_days.h"
#include "pg/schema.h"
#include "store/fpset.h"
#include "store/record.h"

struct pg_read {
	PGconn *c;
	struct tlsrpt_limits default_limits;
	const struct tlsrpt_limits *limits;
	int copying, header_done;
	char *buf; /* the row being read (libpq's) */
	/* The reader's rules (store/reader.c decide()), in its compact
	 * sets: the report keys returned, those returned without a digest,
	 * and the version whose lines are being read. */
	struct tlsrpt_sipkey fpkey;
	struct tlsrpt_fpset seen, legacy;
	uint64_t cur_fp;
	int cur_valid, cur_skip, cur_conflict;
	struct tlsrpt_reader_stats stats;
	/* A pass from the finished days' rollups (read_days.h), and the
	 * damaged rollups said already (across passes). */
	struct pg_days *days;
	GHashTable *said;
};

int
pg_read_is_database(const char *s)
{
	const char *eq = strchr(s, '='), *slash = strchr(s, '/');

	if (strncmp(s, "postgresql://", 13) == 0 ||
	    strncmp(s, "postgres://", 11) == 0)
		return 1;
	return eq != NULL && eq != s && (slash == NULL || eq < slash);
}

/* err from a failed result (or the connection), and why: the connection
 * gone, the role not allowed (SQLSTATE 42501), or anything else. A server
 * that ends the session (terminated, shut down, crashed) closes the
 * connection after its last message, which libpq reads before it returns
 * the result: the status says it, whatever the SQLSTATE. */
int
pg_read_fail(PGconn *c, const PGresult *res, const char *what,
	     enum pg_read_failure *why, struct tlsrpt_error *err)
{
	const char *state =
		res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	char lost[128];

	if (PQstatus(c) != CONNECTION_OK) {
		*why = PG_READ_UNREACHABLE;
		/* libpq's text says what the socket saw, not what that
		 * means for the summary: nothing is written, run it again. */
		snprintf(lost, sizeof(lost),
			 "%s: lost the connection to the database, nothing "
			 "summarised (try again later)",
			 what);
		what = lost;
	} else if (state != NULL && strcmp(state, "42501") == 0)
		*why = PG_READ_DENIED;
	else
		*why = PG_READ_FAILED;
	pg_error(err, c, res, what);
	return -1;
}

static int
fail(struct pg_read *r, const PGresult *res, const char *what,
     enum pg_read_failure *why, struct tlsrpt_error *err)
{
	return pg_read_fail(r->c, res, what, why, err);
}

struct pg_read *
pg_read_connect(const char *conninfo, enum pg_read_failure *why,
		struct tlsrpt_error *err)
{
	const char *keys[] = {"dbname", "fallback_application_name", NULL};
	const char *vals[] = {conninfo, "tlsrpt-summary", NULL};
	struct pg_read *r;
	PGresult *res;

	r = tlsrpt_calloc(1, sizeof(*r));
	if (r == NULL) {
		*why = PG_READ_FAILED;
		tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL, "out of memory");
		return NULL;
	}
	tlsrpt_sipkey_random(&r->fpkey);
	r->c = PQconnectdbParams(keys, vals, 1);
	if (r->c == NULL || PQstatus(r->c) != CONNECTION_OK) {
		*why = PG_READ_UNREACHABLE;
		if (r->c == NULL)
			tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL,
					 "out of memory");
		else
			pg_error(err, r->c, NULL,
				 "cannot connect to the database");
		goto fail;
	}
	if (pg_schema_check(r->c, err) < 0) {
		*why = PQstatus(r->c) != CONNECTION_OK ? PG_READ_UNREACHABLE
						       : PG_READ_SCHEMA;
		/* pg_schema_check() says "cannot read the version" alike
		 * for a table this role may not read: say that instead. */
		res = PQexec(r->c,
			     "SELECT 1 FROM tlsrpt_schema_version LIMIT 0");
		if (res != NULL && PQresultStatus(res) == PGRES_FATAL_ERROR) {
			const char *st =
				PQresultErrorField(res, PG_DIAG_SQLSTATE);

			if (st != NULL && strcmp(st, "42501") == 0) {
				tlsrpt_error_clear(err);
				fail(r, res, "reading the schema version", why,
				     err);
			}
		}
		PQclear(res);
		goto fail;
	}
	tlsrpt_limits_default(&r->default_limits);
	*why = PG_READ_OK;
	return r;
fail:
	pg_read_free(r);
	return NULL;
}

int
pg_read_n_stores(struct pg_read *r, size_t *n, enum pg_read_failure *why,
		 struct tlsrpt_error *err)
{
	PGresult *res =
		PQexec(r->c, "SELECT count(*) FROM (SELECT DISTINCT "
			     "ship_host, store FROM tlsrpt_ship_cursor) s");

	if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
		fail(r, res, "counting the stores shipped", why, err);
		PQclear(res);
		return -1;
	}
	*n = (size_t)strtoull(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return 0;
}

/* Stop a COPY being read (an error half-way): cancelled, then read to
 * its end, which libpq wants before the next query. */
static void
end_copy(struct pg_read *r)
{
	PGresult *res;

	if (r->buf != NULL)
		PQfreemem(r->buf);
	r->buf = NULL;
	if (r->copying) {
		PGcancel *cn = PQgetCancel(r->c);
		char why[256], *b;
		int n;

		if (cn != NULL) {
			(void)PQcancel(cn, why, sizeof(why));
			PQfreeCancel(cn);
		}
		while ((n = PQgetCopyData(r->c, &b, 0)) > 0)
			PQfreemem(b);
		while ((res = PQgetResult(r->c)) != NULL)
			PQclear(res);
	}
	r->copying = 0;
}

/* A time for SQL: to_timestamp() refuses what is past its range. */
static long long
clamp_time(int64_t t)
{
	const int64_t lim = INT64_C(200000000000); /* the years -4368..8307 */

	return (long long)(t < -lim ? -lim : t > lim ? lim : t);
}

/* The COPY of q's lines (the window and the domains): 0, or -1. */
static int
start_copy(struct pg_read *r, const struct pg_read_query *q,
	   enum pg_read_failure *why, struct tlsrpt_error *err)
{
	GString *sql = g_string_new(NULL);
	PGresult *res;
	int rc = 0;

	end_copy(r);
	r->header_done = 0;
	/* The window on received: the partitions outside it are pruned and
	 * the received index read in order. The order is the store
	 * reader's (read.h); "C" so that it is one order on any server. */
	g_string_append_printf(
		sql,
		"COPY (SELECT line::text FROM tlsrpt_policy_line "
		"WHERE received >= to_timestamp(%lld) "
		"AND received < to_timestamp(%lld)",
		clamp_time(q->since),
		clamp_time(q->until > 0 ? q->until : INT64_MAX));
	if (q->n_domains > 0) {
		/* lower() on both sides: a superset of the ASCII-caseless
		 * match the summary applies again to every line. Every line
		 * of a report id with several versions comes too, whatever
		 * its domain: which version is a conflict or a duplicate is
		 * decided at a version's first line (decide()), before the
		 * summary leaves out the domains not asked for, as the
		 * store reader decides it. */
		g_string_append(sql, " AND ((organization, report_id) IN "
				     "(SELECT organization, report_id FROM "
				     "tlsrpt_report_version WHERE conflict) OR "
				     "lower(coalesce(policy_domain, "
				     "'(none)')) IN (");
		for (size_t i = 0; i < q->n_domains; i++) {
			char *lit = PQescapeLiteral(r->c, q->domains[i],
						    strlen(q->domains[i]));

			if (lit == NULL) {
				rc = fail(r, NULL, "quoting a domain", why,
					  err);
				goto out;
			}
			g_string_append_printf(sql, "%slower(%s)",
					       i > 0 ? ", " : "", lit);
			PQfreemem(lit);
		}
		g_string_append(sql, "))");
	}
	g_string_append(sql, " ORDER BY received, organization COLLATE \"C\", "
			     "report_id COLLATE \"C\", digest COLLATE \"C\", "
			     "policy_index) TO STDOUT (FORMAT binary)");
	res = PQexec(r->c, sql->str);
	if (res == NULL || PQresultStatus(res) != PGRES_COPY_OUT)
		rc = fail(r, res, "reading the reports", why, err);
	else
		r->copying = 1;
	PQclear(res);
out:
	g_string_free(sql, TRUE);
	return rc;
}

int
pg_read_begin(struct pg_read *r, const struct pg_read_query *q,
	      enum pg_read_failure *why, struct tlsrpt_error *err)
{
	end_copy(r);
	pg_days_free(r->days);
	r->days = NULL;
	memset(&r->stats, 0, sizeof(r->stats));
	tlsrpt_fpset_reset(&r->seen);
	tlsrpt_fpset_reset(&r->legacy);
	r->cur_valid = 0;
	r->limits = q->limits != NULL ? q->limits : &r->default_limits;
	/* The rollups where there are (--domain: the lines, whose SQL
	 * narrows them). */
	if (q->rollups && q->n_domains == 0) {
		if (r->said == NULL)
			r->said = g_hash_table_new_full(
				tlsrpt_str_hash, g_str_equal, g_free, NULL);
		r->days = pg_days_begin(r, q->since, q->until, r->limits,
					r->said, why, err);
		return r->days != NULL ? 0 : -1;
	}
	return start_copy(r, q, why, err);
}

PGconn *
pg_read_conn(struct pg_read *r)
{
	return r->c;
}

int
pg_read_copy_begin(struct pg_read *r, int64_t since, int64_t until,
		   enum pg_read_failure *why, struct tlsrpt_error *err)
{
	const struct pg_read_query q = {since, until, NULL, 0, NULL, 0};

	return start_copy(r, &q, why, err);
}

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* The end of the COPY: its result. 0, or -1. */
static int
finish_copy(struct pg_read *r, enum pg_read_failure *why,
	    struct tlsrpt_error *err)
{
	PGresult *res = PQgetResult(r->c);
	int ok = res != NULL && PQresultStatus(res) == PGRES_COMMAND_OK;

	if (!ok)
		fail(r, res, "reading the reports", why, err);
	PQclear(res);
	while ((res = PQgetResult(r->c)) != NULL)
		PQclear(res);
	r->copying = 0;
	return ok ? 0 : -1;
}

/* The next stored line: 1 with it in *line, *len; 0 at the end; -1. */
int
pg_read_copy_line(struct pg_read *r, const char **line, size_t *len,
		  enum pg_read_failure *why, struct tlsrpt_error *err)
{
	static const unsigned char sig[11] = "PGCOPY\n\377\r\n";

	while (r->copying) {
		const unsigned char *p, *end;
		int n;

		if (r->buf != NULL)
			PQfreemem(r->buf);
		r->buf = NULL;
		n = PQgetCopyData(r->c, &r->buf, 0);
		if (n == -1)
			return finish_copy(r, why, err);
		if (n < 0) {
			r->copying = 0;
			return fail(r, NULL, "reading the reports", why, err);
		}
		p = (const unsigned char *)r->buf;
		end = p + n;
		/* The binary format's header comes before the first row. */
		if (!r->header_done) {
			if (n < 19 || memcmp(p, sig, sizeof(sig)) != 0 ||
			    (size_t)(end - p - 19) < be32(p + 15))
				goto bad;
			p += 19 + be32(p + 15);
			r->header_done = 1;
		}
		if (end - p < 2)
			continue;
		if (p[0] == 0xff && p[1] == 0xff)
			continue; /* the trailer; the end comes next */
		/* One field (the line): its length, then its bytes. */
		if (end - p < 6 || p[0] != 0 || p[1] != 1 ||
		    be32(p + 2) != (uint32_t)(end - p - 6))
			goto bad;
		*line = (const char *)p + 6;
		*len = (size_t)(end - p - 6);
		return 1;
	}
	return 0;
bad:
	end_copy(r);
	*why = PG_READ_FAILED;
	return tlsrpt_error_set(err, TLSRPT_ERR_IO, NULL,
				"reading the reports: a COPY row that is not "
				"one line");
}

/* store/reader.c's decide() and its later lines, on rows that hold each
 * report version once: 1 to return rec (its conflict mark set), 0 to skip
 * it (a version without a digest met before: a duplicate), -1 out of
 * memory. */
static int
decide(struct pg_read *r, struct tlsrpt_record *rec)
{
	uint64_t kfp = tlsrpt_fp_report(&r->fpkey, rec->organization_name,
					rec->report_id);
	uint64_t fp = tlsrpt_fp_version_of(kfp, rec->digest);
	int seen, dup;

	if (rec->policy_index > 0 && r->cur_valid && fp == r->cur_fp) {
		/* A later line of the report decided at its first. */
		rec->conflict |= r->cur_conflict;
		return !r->cur_skip;
	}
	if (rec->policy_index > 0) /* a stray line: as it is */
		return 1;
	seen = tlsrpt_fpset_has(&r->seen, kfp);
	dup = (rec->digest == NULL && seen) ||
	      (tlsrpt_fpset_has(&r->legacy, kfp) && !rec->conflict);
	r->cur_valid = 1;
	r->cur_fp = fp;
	r->cur_skip = dup;
	r->cur_conflict = 0;
	if (dup)
		return 0;
	if (seen || rec->conflict) {
		r->cur_conflict = 1;
		r->stats.conflicts++;
	}
	rec->conflict = r->cur_conflict;
	if (tlsrpt_fpset_add(&r->seen, kfp) < 0 ||
	    (rec->digest == NULL && tlsrpt_fpset_add(&r->legacy, kfp) < 0))
		return -1;
	return 1;
}

int
pg_read_next(struct pg_read *r, struct tlsrpt_record *rec,
	     enum pg_read_failure *why, struct tlsrpt_error *err)
{
	const char *line = NULL;
	size_t len = 0;
	int got;

	tlsrpt_record_clear(rec);
	if (r->days != NULL)
		return pg_days_next(r->days, rec, why, err);
	while ((got = pg_read_copy_line(r, &line, &len, why, err)) == 1) {
		struct tlsrpt_error derr = TLSRPT_ERROR_INIT;

		if (tlsrpt_record_decode(line, len, r->limits, rec, &derr) <
		    0) {
			char msg[TLSRPT_ERROR_TEXT_MAX];

			if (derr.code == TLSRPT_ERR_NOMEM) {
				*why = PG_READ_FAILED;
				return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM,
							NULL, "out of memory");
			}
			/* tlsrpt-ship stored only lines that decoded; a
			 * line changed in the database since is skipped
			 * and counted, as a damaged line of a day file. */
			r->stats.skipped++;
			if (r->stats.n_problems < TLSRPT_READER_MAX_PROBLEMS)
				snprintf(r->stats.problems
						 [r->stats.n_problems++],
					 TLSRPT_ERROR_TEXT_MAX,
					 "the database, row %lu: %s",
					 r->stats.records + r->stats.skipped +
						 r->stats.duplicates,
					 tlsrpt_error_format(&derr, msg,
							     sizeof(msg)));
			continue;
		}
		if ((got = decide(r, rec)) < 0) {
			*why = PG_READ_FAILED;
			return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL,
						"out of memory");
		}
		if (got == 0) {
			r->stats.duplicates++;
			tlsrpt_record_clear(rec);
			continue;
		}
		rec->path = NULL;
		rec->line = 0;
		r->stats.records++;
		return 1;
	}
	return got;
}

/* A day number for SQL's date arithmetic (an integer of days). */
static long long
clamp_day(int64_t d)
{
	return (long long)(d < 0 ? 0 : d > 2000000000 ? 2000000000 : d);
}

int
pg_read_findings(struct pg_read *r, int64_t first, int64_t last,
		 tlsrpt_findings_fn fn, void *ctx,
		 struct tlsrpt_findings_stats *st, enum pg_read_failure *why,
		 struct tlsrpt_error *err)
{
	struct tlsrpt_findings_feed feed = {st, 0, 0, 0};
	char from[24], to[24];
	const char *p[2] = {from, to};
	PGresult *res;
	int rc = 0;

	memset(st, 0, sizeof(*st));
	end_copy(r);
	snprintf(from, sizeof(from), "%lld", clamp_day(first));
	snprintf(to, sizeof(to), "%lld", clamp_day(last));
	/* Row by row (single-row mode): a million lines are never held at
	 * once. The file number: the rank of (day, host, store). */
	if (!PQsendQueryParams(
		    r->c,
		    "SELECT dense_rank() OVER (ORDER BY day, ship_host "
		    "COLLATE \"C\", store COLLATE \"C\"), line "
		    "FROM tlsrpt_probe_line WHERE day BETWEEN "
		    "date '1970-01-01' + $1::integer AND "
		    "date '1970-01-01' + $2::integer ORDER BY day, "
		    "ship_host COLLATE \"C\", store COLLATE \"C\", "
		    "line_number",
		    2, NULL, p, NULL, NULL, 0))
		return fail(r, NULL, "reading the probe findings", why, err);
	(void)PQsetSingleRowMode(r->c);
	while ((res = PQgetResult(r->c)) != NULL) {
		ExecStatusType status = PQresultStatus(res);

		if (status == PGRES_SINGLE_TUPLE && rc == 0)
			tlsrpt_findings_feed(
				&feed,
				strtoull(PQgetvalue(res, 0, 0), NULL, 10),
				PQgetvalue(res, 0, 1),
				(size_t)PQgetlength(res, 0, 1), fn, ctx);
		else if (status != PGRES_SINGLE_TUPLE &&
			 status != PGRES_TUPLES_OK && rc == 0)
			rc = fail(r, res, "reading the probe findings", why,
				  err);
		PQclear(res);
	}
	if (rc == 0 && PQstatus(r->c) != CONNECTION_OK)
		rc = fail(r, NULL, "reading the probe findings", why, err);
	return rc;
}

const struct tlsrpt_reader_stats *
pg_read_stats(const struct pg_read *r)
{
	if (r->days != NULL)
		return pg_days_stats(r->days);
	return &r->stats;
}

void
pg_read_free(struct pg_read *r)
{
	if (r == NULL)
		return;
	if (r->c != NULL)
		end_copy(r);
	pg_days_free(r->days);
	if (r->said != NULL)
		g_hash_table_destroy(r->said);
	PQfinish(r->c);
	tlsrpt_fpset_clear(&r->seen);
	tlsrpt_fpset_clear(&r->legacy);
	tlsrpt_free(r);
}
