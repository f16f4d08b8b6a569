/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * schema.h -- tlsrpt-ship's database schema: its versions, compiled in,
 * applied by --init and --migrate, checked before every run.
 *
 * The tables and views are described in tlsrpt-ship(8). Each version is
 * one SQL script applied in one transaction together with its row in
 * tlsrpt_schema_version, under an advisory lock, so concurrent --migrate
 * runs and a crash half-way leave the schema at one version or the next.
 */
#ifndef TLSRPT_PG_SCHEMA_H
#define TLSRPT_PG_SCHEMA_H

#include <libpq-fe.h>

#include "base/error.h"

/* The version this build writes and reads. */
#define PG_SCHEMA_VERSION 3

/* Advisory lock keys (classid, objid) of tlsrpt-ship: the first number
 * is ours alone; objid 0 serialises migrations and partition creation,
 * objid 1 with the report key's hash the shipping of one report key. */
#define PG_LOCK_CLASS 845970
#define PG_LOCK_SCHEMA 0

/* The schema version in the database: 0 when there is none. -1 with err. */
int pg_schema_version(PGconn *c, int *version, struct tlsrpt_error *err);

/* Bring the schema to PG_SCHEMA_VERSION. create: make it when there is
 * none (--init); otherwise a database without it is an error (--migrate,
 * so that a mistyped database name is not filled). *from gets the version
 * found. Idempotent. 0, or -1 with err. */
int pg_schema_migrate(PGconn *c, int create, int *from,
		      struct tlsrpt_error *err);

/* 0 when the database is at PG_SCHEMA_VERSION, else -1 with err saying
 * what to run. */
int pg_schema_check(PGconn *c, struct tlsrpt_error *err);

/* The ship's SQL errors, one shape: "what: the server's message". */
int pg_error(struct tlsrpt_error *err, PGconn *c, const PGresult *res,
	     const char *what);

/* Run sql (no parameters) and want status; PQclear()s. 0 or -1 with err. */
int pg_exec(PGconn *c, const char *sql, ExecStatusType want,
	    struct tlsrpt_error *err);

#endif
