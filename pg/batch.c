/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * batch.c -- one batch, one transaction (batch.h). The typed columns are
 * taken from the jsonb line in SQL, in one place; only the times come
 * from the C decoder (store/record.h), which has checked them, so a cast
 * can never fail a batch.
 */
#include "pg/batch.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg/schema.h"
#include "store/findings.h"

/* How often a batch that lost a deadlock to another shipper is tried. */
#define BATCH_TRIES 8

static const char stage_sql[] =
	"CREATE TEMP TABLE IF NOT EXISTS tlsrpt_stage (seq bigint, "
	"received bigint, start_time bigint, end_time bigint, line jsonb) "
	"ON COMMIT DELETE ROWS;"
	"CREATE TEMP TABLE IF NOT EXISTS tlsrpt_fresh (organization text, "
	"report_id text, digest text, moved boolean NOT NULL DEFAULT false) "
	"ON COMMIT DELETE ROWS;"
	"CREATE TEMP TABLE IF NOT EXISTS tlsrpt_probe_stage (seq bigint, "
	"kind text, time bigint, domain text, error text, findings bigint, "
	"result_type text, mx_host text, address text, detail text, "
	"action text, line text) ON COMMIT DELETE ROWS";

static const char cursor_new_sql[] =
	"INSERT INTO tlsrpt_ship_cursor (ship_host, store, day, stream, "
	"bytes, lines) VALUES ($1, $2, $3, $4, 0, 0) ON CONFLICT DO NOTHING";
static const char cursor_lock_sql[] =
	"SELECT bytes FROM tlsrpt_ship_cursor WHERE ship_host = $1 "
	"AND store = $2 AND day = $3 AND stream = $4 FOR UPDATE";
/* A day's files back (a store restored) once they were seen gone: no
 * longer pruned. */
static const char cursor_move_sql[] =
	"UPDATE tlsrpt_ship_cursor SET bytes = $5, lines = $6, gz_size = $7, "
	"plain_size = $8, pruned = NULL, updated = now() "
	"WHERE ship_host = $1 AND store = $2 AND day = $3 AND stream = $4";

/* A findings file's new lines: each line once, at its place in its file
 * (a file read again from its start adds nothing). */
static const char probe_lines_sql[] =
	"INSERT INTO tlsrpt_probe_line (ship_host, store, day, line_number, "
	"kind, time, domain, error, findings, result_type, mx_host, address, "
	"detail, action, line) SELECT $1, $2, $3::date, seq, kind, "
	"to_timestamp(time), domain, error, findings, result_type, mx_host, "
	"address, detail, action, line FROM tlsrpt_probe_stage "
	"ON CONFLICT DO NOTHING";

/* Every report key of the batch, in one order for all shippers, so two
 * shippers of overlapping reports wait for each other instead of both
 * inserting a version of one key unseen by the other. The keys are taken
 * in 256 buckets: a lock per key ran a batch of 20,000 reports out of
 * the server's lock table (max_locks_per_transaction); two shippers whose
 * keys share a bucket merely wait for each other. */
static const char lock_keys_sql[] =
	"SELECT count(pg_advisory_xact_lock(845971, h)) FROM ("
	"SELECT DISTINCT hashtext((line->>'organization-name') || E'\\n' || "
	"(line->>'report-id')) & 255 AS h FROM tlsrpt_stage ORDER BY h) k";

/* The versions new to the database; their lines alone are inserted. */
static const char versions_sql[] =
	"WITH s AS (SELECT DISTINCT ON (o, i, d) "
	"line->>'organization-name' AS o, line->>'report-id' AS i, "
	"coalesce(line->>'report-digest', '') AS d, start_time, end_time, "
	"(line->>'policy-count')::integer AS pc, line->>'dkim' AS dk, "
	"line->>'dkim-domain' AS dd, received "
	"FROM tlsrpt_stage ORDER BY o, i, d, seq), "
	"ins AS (INSERT INTO tlsrpt_report_version (organization, report_id, "
	"digest, start_time, end_time, policy_count, dkim, dkim_domain, "
	"first_ship_host, first_received) "
	"SELECT o, i, d, to_timestamp(start_time), to_timestamp(end_time), "
	"pc, dk, dd, $1, to_timestamp(received) FROM s "
	"ON CONFLICT DO NOTHING RETURNING organization, report_id, digest) "
	"INSERT INTO tlsrpt_fresh (organization, report_id, digest) "
	"SELECT * FROM ins";

/* A version the database has from a copy received later than this one
 * (mx2 shipped before mx1, which received it first): its lines are
 * replaced by this copy's, so a report counts on the day it first
 * arrived, as in the merged day files, whatever order hosts ship in. */
static const char moved_sql[] =
	"WITH s AS (SELECT DISTINCT ON (o, i, d) "
	"line->>'organization-name' AS o, line->>'report-id' AS i, "
	"coalesce(line->>'report-digest', '') AS d, received AS r, "
	"line->>'dkim' AS dk, line->>'dkim-domain' AS dd FROM tlsrpt_stage "
	"ORDER BY o, i, d, received, seq), "
	"m AS (UPDATE tlsrpt_report_version v SET "
	"first_received = to_timestamp(s.r), first_ship_host = $1, "
	"dkim = s.dk, dkim_domain = s.dd FROM s "
	"WHERE v.organization = s.o AND v.report_id = s.i AND v.digest = s.d "
	"AND to_timestamp(s.r) < v.first_received AND NOT EXISTS (SELECT 1 "
	"FROM tlsrpt_fresh f WHERE f.organization = s.o "
	"AND f.report_id = s.i AND f.digest = s.d) "
	"RETURNING v.organization, v.report_id, v.digest) "
	"INSERT INTO tlsrpt_fresh SELECT *, true FROM m";
static const char moved_lines_sql[] =
	"DELETE FROM tlsrpt_policy_line l USING tlsrpt_fresh f WHERE f.moved "
	"AND l.organization = f.organization AND l.report_id = f.report_id "
	"AND l.digest = f.digest";
static const char moved_details_sql[] =
	"DELETE FROM tlsrpt_failure_detail l USING tlsrpt_fresh f "
	"WHERE f.moved AND l.organization = f.organization "
	"AND l.report_id = f.report_id AND l.digest = f.digest";

/* Every version of a key that has more than one: kept, and flagged. */
static const char conflicts_sql[] =
	"UPDATE tlsrpt_report_version r SET conflict = true "
	"WHERE NOT r.conflict AND (r.organization, r.report_id) IN "
	"(SELECT organization, report_id FROM tlsrpt_fresh WHERE NOT moved) "
	"AND EXISTS (SELECT 1 FROM tlsrpt_report_version o "
	"WHERE o.organization = r.organization "
	"AND o.report_id = r.report_id AND o.digest <> r.digest)";

#define FRESH_JOIN                                          \
	"FROM tlsrpt_stage s JOIN tlsrpt_fresh f "          \
	"ON f.organization = s.line->>'organization-name' " \
	"AND f.report_id = s.line->>'report-id' "           \
	"AND f.digest = coalesce(s.line->>'report-digest', '') "

static const char lines_sql[] =
	"INSERT INTO tlsrpt_policy_line (received, organization, report_id, "
	"digest, policy_index, policy_count, start_time, end_time, "
	"policy_type, policy_domain, sts_mode, mx_host, successful, failed, "
	"dkim, dkim_domain, source, host, ship_host, line) "
	"SELECT to_timestamp(s.received), f.organization, f.report_id, "
	"f.digest, (s.line->>'policy-index')::integer, "
	"(s.line->>'policy-count')::integer, to_timestamp(s.start_time), "
	"to_timestamp(s.end_time), s.line->'policy'->>'policy-type', "
	"s.line->'policy'->>'policy-domain', s.line->>'sts-mode', "
	"CASE WHEN jsonb_typeof(s.line->'policy'->'mx-host') = 'array' THEN "
	"ARRAY(SELECT jsonb_array_elements_text(s.line->'policy'->'mx-host')) "
	"END, "
	"coalesce((s.line->'summary'->>'total-successful-session-count')"
	"::bigint, 0), "
	"coalesce((s.line->'summary'->>'total-failure-session-count')"
	"::bigint, 0), "
	"s.line->>'dkim', s.line->>'dkim-domain', s.line->>'source', "
	"s.line->>'host', $1, s.line " FRESH_JOIN "ON CONFLICT DO NOTHING";

static const char details_sql[] =
	"INSERT INTO tlsrpt_failure_detail (received, organization, "
	"report_id, digest, policy_index, detail_index, policy_domain, "
	"result_type, sending_mta_ip, receiving_mx_hostname, "
	"receiving_mx_helo, receiving_ip, failed_session_count, "
	"additional_information, failure_reason_code, detail) "
	"SELECT to_timestamp(s.received), f.organization, f.report_id, "
	"f.digest, (s.line->>'policy-index')::integer, d.n - 1, "
	"s.line->'policy'->>'policy-domain', d.x->>'result-type', "
	"d.x->>'sending-mta-ip', d.x->>'receiving-mx-hostname', "
	"d.x->>'receiving-mx-helo', d.x->>'receiving-ip', "
	"coalesce((d.x->>'failed-session-count')::bigint, 0), "
	"d.x->>'additional-information', d.x->>'failure-reason-code', "
	"d.x " FRESH_JOIN "CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN "
	"jsonb_typeof(s.line->'failure-details') = 'array' THEN "
	"s.line->'failure-details' ELSE '[]'::jsonb END) "
	"WITH ORDINALITY AS d(x, n) ON CONFLICT DO NOTHING";

int
pg_batch_setup(PGconn *c, struct tlsrpt_error *err)
{
	return pg_exec(c, stage_sql, PGRES_COMMAND_OK, err);
}

int
pg_batch_ensure_month(PGconn *c, const char *day, struct tlsrpt_error *err)
{
	const char *p[1] = {day};
	PGresult *res = PQexecParams(c, "SELECT tlsrpt_ensure_month($1)", 1,
				     NULL, p, NULL, NULL, 0);
	int ok = res != NULL && PQresultStatus(res) == PGRES_TUPLES_OK;

	if (!ok)
		pg_error(err, c, res, "making the month's partitions");
	PQclear(res);
	return ok ? 0 : -1;
}

void
pg_batch_row(GString *out, unsigned long seq, int64_t received, int64_t start,
	     int64_t end, const char *line, size_t len)
{
	g_string_append_printf(out,
			       "%lu\t%" PRId64 "\t%" PRId64 "\t%" PRId64 "\t",
			       seq, received, start, end);
	/* COPY's text format: a backslash is doubled, control characters
	 * escaped. jsonb refuses \u0000 in a string, which JSON allows:
	 * it becomes U+FFFD, so one such line cannot stop the shipping
	 * (the line's digest column keeps its identity). */
	for (size_t i = 0; i < len; i++) {
		char ch = line[i];

		if (ch == '\\') {
			if (i + 5 < len &&
			    memcmp(line + i + 1, "u0000", 5) == 0) {
				g_string_append(out, "\\\\ufffd");
				i += 5;
			} else if (i + 1 < len) {
				g_string_append(out, "\\\\");
				ch = line[++i];
				if (ch == '\\')
					g_string_append(out, "\\\\");
				else if ((unsigned char)ch >= 0x20)
					g_string_append_c(out, ch);
				else
					g_string_append_printf(out, "\\%03o",
							       (unsigned)ch);
			} else {
				g_string_append(out, "\\\\");
			}
		} else if ((unsigned char)ch < 0x20) {
			g_string_append_printf(out, "\\%03o", (unsigned)ch);
		} else {
			g_string_append_c(out, ch);
		}
	}
	g_string_append_c(out, '\n');
}

/* Run sql with the cursor key's parameters (n of them) and more. */
static PGresult *
run(PGconn *c, const char *sql, const struct pg_cursor_key *k, int n,
    const char *const *more)
{
	const char *p[8] = {k->ship_host, k->store, k->day, k->stream};

	for (int i = 4; i < n; i++)
		p[i] = more[i - 4];
	return PQexecParams(c, sql, n, NULL, p, NULL, NULL, 0);
}

static int
want(PGconn *c, PGresult *res, ExecStatusType status, const char *what,
     struct tlsrpt_error *err)
{
	int ok = res != NULL && PQresultStatus(res) == status;

	if (!ok)
		pg_error(err, c, res, what);
	return ok ? 0 : -1;
}

/* Whether res failed in a way that a new try can pass: a deadlock or a
 * serialisation failure against another shipper. */
static int
retryable(const PGresult *res)
{
	const char *state =
		res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	return state != NULL &&
	       (strcmp(state, "40P01") == 0 || strcmp(state, "40001") == 0);
}

static int
copy_in(PGconn *c, const char *sql, const char *copy, size_t len,
	struct tlsrpt_error *err)
{
	PGresult *res = PQexec(c, sql);
	int ok;

	if (want(c, res, PGRES_COPY_IN, "starting COPY", err) < 0) {
		PQclear(res);
		return -1;
	}
	PQclear(res);
	while (len > 0) {
		/* PQputCopyData takes an int: send in pieces. */
		int n = len > (1u << 20) ? 1 << 20 : (int)len;

		if (PQputCopyData(c, copy, n) != 1)
			break;
		copy += n;
		len -= (size_t)n;
	}
	if (PQputCopyEnd(c, len > 0 ? "sending failed" : NULL) != 1)
		return pg_error(err, c, NULL, "COPY");
	res = PQgetResult(c);
	ok = want(c, res, PGRES_COMMAND_OK, "COPY", err) == 0;
	PQclear(res);
	while ((res = PQgetResult(c)) != NULL)
		PQclear(res);
	return ok ? 0 : -1;
}

/* What a batch stores, in the transaction that holds its cursor: the
 * stage rows copy (len bytes); fn stores them (0), or fails (-1 with err,
 * and *res the failed result or NULL). */
struct body {
	int (*fn)(PGconn *c, const struct pg_cursor_key *k,
		  const struct body *b, PGresult **res,
		  struct tlsrpt_error *err);
	const char *copy;
	size_t len;
	unsigned long *versions;
};

/* A day file's lines: their report versions, lines, failure details. */
static int
report_body(PGconn *c, const struct pg_cursor_key *k, const struct body *b,
	    PGresult **res, struct tlsrpt_error *err)
{
	/* Which steps name the ship host ($1). */
	const struct {
		const char *sql;
		int host;
	} steps[] = {{versions_sql, 1},	   {moved_sql, 1},
		     {moved_lines_sql, 0}, {moved_details_sql, 0},
		     {conflicts_sql, 0},   {lines_sql, 1},
		     {details_sql, 0}};

	if (copy_in(c,
		    "COPY tlsrpt_stage (seq, received, start_time, end_time, "
		    "line) FROM STDIN",
		    b->copy, b->len, err) < 0)
		return -1;
	*res = PQexec(c, lock_keys_sql);
	if (want(c, *res, PGRES_TUPLES_OK, "locking the report keys", err) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		PQclear(*res);
		*res = steps[i].host
			       ? PQexecParams(c, steps[i].sql, 1, NULL,
					      &k->ship_host, NULL, NULL, 0)
			       : PQexec(c, steps[i].sql);
		if (want(c, *res, PGRES_COMMAND_OK, "storing the batch", err) <
		    0)
			return -1;
		if (i == 0)
			*b->versions = strtoul(PQcmdTuples(*res), NULL, 10);
		/* No copy arrived earlier than the stored one (the usual
		 * case): nothing to delete, and the deletes would still visit
		 * every partition. */
		if (steps[i].sql == moved_sql &&
		    strcmp(PQcmdTuples(*res), "0") == 0)
			i += 2;
	}
	return 0;
}

/* A findings file's lines. */
static int
probe_body(PGconn *c, const struct pg_cursor_key *k, const struct body *b,
	   PGresult **res, struct tlsrpt_error *err)
{
	if (copy_in(c, "COPY tlsrpt_probe_stage FROM STDIN", b->copy, b->len,
		    err) < 0)
		return -1;
	*res = run(c, probe_lines_sql, k, 3, NULL);
	return want(c, *res, PGRES_COMMAND_OK, "storing the findings", err);
}

/* One try: 0 committed, 1 cursor elsewhere, 2 try again, -1 err. */
static int
attempt(PGconn *c, const struct pg_cursor_key *k, const struct pg_cursor *old,
	const struct pg_cursor *to, const struct body *b,
	struct tlsrpt_error *err)
{
	char bytes[24], lines[24], gz[24], plain[24];
	const char *more[4] = {bytes, lines, to->at_end ? gz : NULL,
			       to->at_end ? plain : NULL};
	PGresult *res = NULL;
	int rc = -1;

	if (pg_exec(c, "BEGIN", PGRES_COMMAND_OK, err) < 0)
		return -1;
	res = run(c, cursor_new_sql, k, 4, NULL);
	if (want(c, res, PGRES_COMMAND_OK, "the ship cursor", err) < 0)
		goto out;
	PQclear(res);
	res = run(c, cursor_lock_sql, k, 4, NULL);
	if (want(c, res, PGRES_TUPLES_OK, "the ship cursor", err) < 0)
		goto out;
	if (PQntuples(res) != 1 ||
	    strtoll(PQgetvalue(res, 0, 0), NULL, 10) != old->bytes) {
		rc = 1;
		goto out;
	}
	PQclear(res);
	res = NULL;
	if (b->fn(c, k, b, &res, err) < 0)
		goto out;
	PQclear(res);
	snprintf(bytes, sizeof(bytes), "%" PRId64, to->bytes);
	snprintf(lines, sizeof(lines), "%" PRId64, to->lines);
	snprintf(gz, sizeof(gz), "%" PRId64, to->gz_size);
	snprintf(plain, sizeof(plain), "%" PRId64, to->plain_size);
	res = run(c, cursor_move_sql, k, 8, more);
	if (want(c, res, PGRES_COMMAND_OK, "moving the ship cursor", err) < 0)
		goto out;
	PQclear(res);
	res = PQexec(c, "COMMIT");
	if (want(c, res, PGRES_COMMAND_OK, "committing the batch", err) < 0)
		goto out;
	rc = 0;
out:
	if (rc != 0 && PQstatus(c) == CONNECTION_OK) {
		if (rc < 0 && retryable(res)) {
			tlsrpt_error_clear(err);
			rc = 2;
		}
		PQclear(PQexec(c, "ROLLBACK"));
	}
	PQclear(res);
	return rc;
}

static int
commit(PGconn *c, const struct pg_cursor_key *k, const struct pg_cursor *old,
       const struct pg_cursor *to, const struct body *b,
       struct tlsrpt_error *err)
{
	for (int i = 0; i < BATCH_TRIES; i++) {
		int rc = attempt(c, k, old, to, b, err);

		if (rc != 2)
			return rc;
	}
	return tlsrpt_error_set(err, TLSRPT_ERR_IO, NULL,
				"the batch lost a deadlock %d times in a row",
				BATCH_TRIES);
}

int
pg_batch_commit(PGconn *c, const struct pg_cursor_key *k,
		const struct pg_cursor *old, const struct pg_cursor *to,
		const char *copy, size_t len, unsigned long *versions,
		struct tlsrpt_error *err)
{
	const struct body b = {report_body, copy, len, versions};

	*versions = 0;
	return commit(c, k, old, to, &b, err);
}

int
pg_batch_commit_probe(PGconn *c, const struct pg_cursor_key *k,
		      const struct pg_cursor *old, const struct pg_cursor *to,
		      const char *copy, size_t len, struct tlsrpt_error *err)
{
	unsigned long none = 0;
	const struct body b = {probe_body, copy, len, &none};

	return commit(c, k, old, to, &b, err);
}

/* A text field of a COPY row (text format), or NULL: \N. */
static void
copy_field(GString *out, const char *s, int last)
{
	if (s == NULL)
		g_string_append(out, "\\N");
	for (; s != NULL && *s != '\0'; s++) {
		if (*s == '\\')
			g_string_append(out, "\\\\");
		else if ((unsigned char)*s < 0x20)
			g_string_append_printf(out, "\\%03o",
					       (unsigned)(unsigned char)*s);
		else
			g_string_append_c(out, *s);
	}
	g_string_append_c(out, last ? '\n' : '\t');
}

/* The typed columns of a line tlsrpt-summary reads. */
static void
probe_columns(const struct tlsrpt_finding_line *l, void *ctx)
{
	GString *out = ctx;
	int run = l->kind == TLSRPT_FINDING_RUN;

	copy_field(out, run ? "probe-run" : "probe-finding", 0);
	g_string_append_printf(out, "%" PRId64 "\t", l->time);
	copy_field(out, l->domain, 0);
	copy_field(out, l->error, 0);
	if (run)
		g_string_append_printf(out, "%" PRId64 "\t", l->findings);
	else
		g_string_append(out, "\\N\t");
	copy_field(out, l->result_type, 0);
	copy_field(out, l->mx_host, 0);
	copy_field(out, l->address, 0);
	copy_field(out, l->detail, 0);
	copy_field(out, l->action, 0);
}

int
pg_batch_probe_row(GString *out, unsigned long seq, const char *line,
		   size_t len)
{
	struct tlsrpt_findings_stats st = {0};
	size_t at;
	char *text;

	/* A text column takes UTF-8 without NUL (g_utf8_validate() with a
	 * length refuses a NUL). */
	if (len > TLSRPT_FINDINGS_LINE_MAX || !g_utf8_validate(line, len, NULL))
		return -1;
	g_string_append_printf(out, "%lu\t", seq);
	at = out->len;
	tlsrpt_findings_parse(line, len, probe_columns, out, &st);
	if (out->len == at) /* not a line the summary reads: no columns */
		for (int i = 0; i < 10; i++)
			g_string_append(out, "\\N\t");
	text = g_strndup(line, len);
	copy_field(out, text, 1);
	g_free(text);
	return 0;
}
