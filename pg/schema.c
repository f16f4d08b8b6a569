/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * schema.c -- versions of tlsrpt-ship's schema (schema.h). The SQL of each
 * version is pg/schema_vN.sql, compiled in by pg/module.mk, so a binary
 * and the schema it reads can never come from two installations.
 */
#include "pg/schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* pg/schema_vN.sql as strings (generated: $(BUILD)/pg/schema_sql.c):
 * migrations[v] takes the schema from version v to v + 1. */
extern const char pg_schema_v1_sql[], pg_schema_v2_sql[], pg_schema_v3_sql[];

static const char *const migrations[PG_SCHEMA_VERSION] = {
	pg_schema_v1_sql,
	pg_schema_v2_sql,
	pg_schema_v3_sql,
};

int
pg_error(struct tlsrpt_error *err, PGconn *c, const PGresult *res,
	 const char *what)
{
	const char *msg = res != NULL ? PQresultErrorMessage(res) : "";
	size_t n;

	if (msg == NULL || *msg == '\0')
		msg = PQerrorMessage(c);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		n--;
	return tlsrpt_error_set(err, TLSRPT_ERR_IO, NULL, "%s: %.*s", what,
				(int)n, msg);
}

int
pg_exec(PGconn *c, const char *sql, ExecStatusType want,
	struct tlsrpt_error *err)
{
	PGresult *res = PQexec(c, sql);
	int ok = res != NULL && PQresultStatus(res) == want;

	if (!ok)
		pg_error(err, c, res, "the database");
	PQclear(res);
	return ok ? 0 : -1;
}

int
pg_schema_version(PGconn *c, int *version, struct tlsrpt_error *err)
{
	PGresult *res;

	*version = 0;
	res = PQexec(c, "SELECT to_regclass('tlsrpt_schema_version') IS NULL");
	if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
		pg_error(err, c, res, "reading the schema version");
		PQclear(res);
		return -1;
	}
	if (strcmp(PQgetvalue(res, 0, 0), "t") == 0) {
		PQclear(res);
		return 0;
	}
	PQclear(res);
	res = PQexec(c, "SELECT coalesce(max(version), 0) "
			"FROM tlsrpt_schema_version");
	if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
		pg_error(err, c, res, "reading the schema version");
		PQclear(res);
		return -1;
	}
	*version = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

int
pg_schema_migrate(PGconn *c, int create, int *from, struct tlsrpt_error *err)
{
	char sql[128];
	int v;

	if (pg_exec(c, "BEGIN", PGRES_COMMAND_OK, err) < 0)
		return -1;
	/* Two --migrate at once: the second waits, then finds it done. */
	snprintf(sql, sizeof(sql), "SELECT pg_advisory_xact_lock(%d, %d)",
		 PG_LOCK_CLASS, PG_LOCK_SCHEMA);
	if (pg_exec(c, sql, PGRES_TUPLES_OK, err) < 0 ||
	    pg_schema_version(c, &v, err) < 0)
		goto fail;
	*from = v;
	if (v == 0 && !create) {
		tlsrpt_error_set(err, TLSRPT_ERR_INVALID, NULL,
				 "the database has no tlsrpt schema: "
				 "tlsrpt-ship --init makes it");
		goto fail;
	}
	if (v > PG_SCHEMA_VERSION) {
		tlsrpt_error_set(err, TLSRPT_ERR_INVALID, NULL,
				 "the database's schema is version %d, newer "
				 "than this tlsrpt-ship's %d: upgrade it",
				 v, PG_SCHEMA_VERSION);
		goto fail;
	}
	for (; v < PG_SCHEMA_VERSION; v++) {
		if (pg_exec(c, migrations[v], PGRES_COMMAND_OK, err) < 0)
			goto fail;
		snprintf(sql, sizeof(sql),
			 "INSERT INTO tlsrpt_schema_version (version) "
			 "VALUES (%d)",
			 v + 1);
		if (pg_exec(c, sql, PGRES_COMMAND_OK, err) < 0)
			goto fail;
	}
	return pg_exec(c, "COMMIT", PGRES_COMMAND_OK, err);
fail:
	PQclear(PQexec(c, "ROLLBACK"));
	return -1;
}

int
pg_schema_check(PGconn *c, struct tlsrpt_error *err)
{
	int v;

	if (pg_schema_version(c, &v, err) < 0)
		return -1;
	if (v == PG_SCHEMA_VERSION)
		return 0;
	if (v == 0)
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, NULL,
					"the database has no tlsrpt schema: "
					"run tlsrpt-ship --init");
	if (v < PG_SCHEMA_VERSION)
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, NULL,
					"the database's schema is version "
					"%d, this tlsrpt-ship needs %d: run "
					"tlsrpt-ship --migrate",
					v, PG_SCHEMA_VERSION);
	return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, NULL,
				"the database's schema is version %d, newer "
				"than this tlsrpt-ship's %d: upgrade it",
				v, PG_SCHEMA_VERSION);
}
