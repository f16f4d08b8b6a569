/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tlsrpt-ship -- load the reports of one or more stores into PostgreSQL,
 * exactly once across hosts (pg/ship.h), and make or migrate the schema
 * (pg/schema.h). The day files stay the system of record: this reads
 * them, and nothing on the mail path ever waits for the database.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"
#include "pg/schema.h"
#include "pg/ship.h"
#include "report/limits.h"

#ifndef TLSRPT_LOCALSTATEDIR
#define TLSRPT_LOCALSTATEDIR "/var"
#endif
#define DEFAULT_STORE TLSRPT_LOCALSTATEDIR "/lib/tlsrpt"

struct options {
	const char *conninfo;
	const char *host;
	size_t batch;
	int follow, interval, verbose;
	int init, migrate;
	char *const *dirs;
	int n_dirs;
};

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: tlsrpt-ship [-v] [-D CONNINFO] [--host NAME] "
		"[--batch N]\n"
		"                   [--follow [--interval SECONDS]] "
		"[STOREDIR...]\n"
		"       tlsrpt-ship --init | --migrate [-D CONNINFO]\n"
		"\n"
		"Load the lines of the stores (default " DEFAULT_STORE ") "
		"that are new\n"
		"since the last run into PostgreSQL, one transaction a batch, "
		"each\n"
		"report once however many hosts ship it, and tlsrpt-probe's "
		"findings\n"
		"files as this host's own.\n"
		"\n"
		"  -D, --database CONNINFO  libpq connection string or URI "
		"(default:\n"
		"                     PGSERVICE, PGHOST, PGDATABASE... and "
		"~/.pgpass)\n"
		"      --host NAME    this host's name in the database "
		"(default: the\n"
		"                     host name)\n"
		"      --batch N      lines a transaction, about (default "
		"1000)\n"
		"      --follow       keep shipping; every SECONDS (default "
		"30)\n"
		"      --interval SECONDS\n"
		"      --init         make the schema, or migrate it\n"
		"      --migrate      migrate an existing schema to this "
		"version\n"
		"  -v, --verbose      say what was shipped\n"
		"  -h, --help         show this help and exit\n"
		"  -V, --version      show the version and exit\n"
		"\n"
		"Exit status: 0 done, 64 usage, 66 a store cannot be read, "
		"75 the\n"
		"database cannot be reached or went away (try again later), "
		"78 the\n"
		"database's schema is missing or of another version.\n");
}

static void
print_error(const struct tlsrpt_error *err)
{
	char buf[TLSRPT_ERROR_TEXT_MAX + TLSRPT_ERROR_PATH_MAX + 64];

	fprintf(stderr, "tlsrpt-ship: %s\n",
		tlsrpt_error_format(err, buf, sizeof(buf)));
}

static int
parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longs[] = {
		{"database", required_argument, NULL, 'D'},
		{"host", required_argument, NULL, 'H'},
		{"batch", required_argument, NULL, 'b'},
		{"follow", no_argument, NULL, 'f'},
		{"interval", required_argument, NULL, 'i'},
		{"init", no_argument, NULL, 'I'},
		{"migrate", no_argument, NULL, 'M'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	int ch;
	char *end;
	long v;

	while ((ch = getopt_long(argc, argv, "D:vhV", longs, NULL)) != -1) {
		switch (ch) {
		case 'D': o->conninfo = optarg; break;
		case 'H': o->host = optarg; break;
		case 'b':
		case 'i':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || v < 1 ||
			    v > 1000000) {
				fprintf(stderr,
					"tlsrpt-ship: --%s: a number from 1 "
					"to 1000000, not \"%s\"\n",
					ch == 'b' ? "batch" : "interval",
					optarg);
				return EX_USAGE;
			}
			if (ch == 'b')
				o->batch = (size_t)v;
			else
				o->interval = (int)v;
			break;
		case 'f': o->follow = 1; break;
		case 'I': o->init = 1; break;
		case 'M': o->migrate = 1; break;
		case 'v': o->verbose = 1; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("tlsrpt-ship %s\n", TLSRPT_VERSION); exit(0);
		default: usage(stderr); return EX_USAGE;
		}
	}
	if ((o->init || o->migrate) &&
	    (o->init + o->migrate > 1 || o->follow || optind < argc)) {
		fprintf(stderr, "tlsrpt-ship: --init and --migrate take no "
				"store and no other mode\n");
		return EX_USAGE;
	}
	o->dirs = argv + optind;
	o->n_dirs = argc - optind;
	return 0;
}

/* A connection; NULL after saying why. */
static PGconn *
connect_db(const struct options *o)
{
	const char *keys[] = {"dbname", "fallback_application_name", NULL};
	const char *vals[] = {o->conninfo, "tlsrpt-ship", NULL};
	PGconn *c = PQconnectdbParams(keys, vals, 1);

	if (c == NULL || PQstatus(c) != CONNECTION_OK) {
		const char *m = c != NULL ? PQerrorMessage(c) : "out of memory";
		size_t n = strlen(m);

		while (n > 0 && m[n - 1] == '\n')
			n--;
		fprintf(stderr,
			"tlsrpt-ship: cannot connect to the database: "
			"%.*s\n",
			(int)n, m);
		PQfinish(c);
		return NULL;
	}
	return c;
}

static int
run_schema(const struct options *o)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	PGconn *c = connect_db(o);
	int from;

	if (c == NULL)
		return EX_TEMPFAIL;
	if (pg_schema_migrate(c, o->init, &from, &err) < 0) {
		print_error(&err);
		int bad = PQstatus(c) != CONNECTION_OK;
		PQfinish(c);
		return bad ? EX_TEMPFAIL : EX_CONFIG;
	}
	if (from == PG_SCHEMA_VERSION)
		printf("tlsrpt-ship: the schema is at version %d already\n",
		       from);
	else
		printf("tlsrpt-ship: the schema went from version %d to %d\n",
		       from, PG_SCHEMA_VERSION);
	PQfinish(c);
	return 0;
}

/* One pass over every store on c. 0, or an exit status. */
static int
ship_all(PGconn *c, const struct options *o, const char *host)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct tlsrpt_limits limits;
	struct pg_ship_opts so = {host, o->batch, &limits};
	const char *const def[] = {DEFAULT_STORE};
	const char *const *dirs =
		o->n_dirs > 0 ? (const char *const *)o->dirs : def;
	int n = o->n_dirs > 0 ? o->n_dirs : 1, status = 0;
	struct pg_ship *s;

	tlsrpt_limits_default(&limits);
	if (pg_schema_check(c, &err) < 0) {
		print_error(&err);
		return PQstatus(c) != CONNECTION_OK ? EX_TEMPFAIL : EX_CONFIG;
	}
	if ((s = pg_ship_new(c, &so, &err)) == NULL) {
		print_error(&err);
		return EX_TEMPFAIL;
	}
	for (int i = 0; i < n; i++) {
		struct pg_ship_stats st = {0};

		tlsrpt_error_clear(&err);
		if (pg_ship_store(s, dirs[i], &st, &err) < 0) {
			print_error(&err);
			if (PQstatus(c) != CONNECTION_OK ||
			    err.code != TLSRPT_ERR_IO || err.path[0] == '\0') {
				status = EX_TEMPFAIL;
				break;
			}
			status = EX_NOINPUT;
			continue;
		}
		if (o->verbose)
			printf("tlsrpt-ship: %s: %lu lines in %lu "
			       "transactions from %lu days, %lu new report "
			       "versions, %lu damaged lines skipped, %lu "
			       "findings lines, %lu cursors of deleted days "
			       "dropped, %lu days deleted before shipped, "
			       "%lu rollups of finished days\n",
			       dirs[i], st.lines, st.batches, st.days,
			       st.versions, st.damaged, st.probe_lines,
			       st.pruned, st.lost, st.rollups);
		else if (st.damaged > 0)
			fprintf(stderr,
				"tlsrpt-ship: %s: %lu damaged lines skipped\n",
				dirs[i], st.damaged);
	}
	pg_ship_free(s);
	return status;
}

/* --follow: ship, wait, again, until SIGTERM or SIGINT; a lost database
 * is reconnected to. The signals are blocked and waited for, so the wait
 * is the only place they end the program. */
static int
follow(const struct options *o, const char *host)
{
	sigset_t set;
	PGconn *c = NULL;
	struct timespec ts = {o->interval, 0};

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (;;) {
		if (c == NULL || PQstatus(c) != CONNECTION_OK) {
			PQfinish(c);
			c = connect_db(o);
		}
		if (c != NULL) {
			int st = ship_all(c, o, host);

			if (st == EX_CONFIG) {
				PQfinish(c);
				return st;
			}
		}
		fflush(stdout);
		if (sigtimedwait(&set, NULL, &ts) >= 0)
			break;
	}
	PQfinish(c);
	return 0;
}

int
main(int argc, char **argv)
{
	struct options o = {"", NULL, 1000, 0, 30, 0, 0, 0, NULL, 0};
	char hostname[HOST_NAME_MAX + 1];
	PGconn *c;
	int st;

	if ((st = parse_args(argc, argv, &o)) != 0)
		return st;
	if (o.init || o.migrate)
		return run_schema(&o);
	if (o.host == NULL) {
		if (gethostname(hostname, sizeof(hostname)) < 0) {
			perror("tlsrpt-ship: gethostname");
			return EX_OSERR;
		}
		hostname[sizeof(hostname) - 1] = '\0';
		o.host = hostname;
	}
	if (o.follow)
		return follow(&o, o.host);
	if ((c = connect_db(&o)) == NULL)
		return EX_TEMPFAIL;
	st = ship_all(c, &o, o.host);
	PQfinish(c);
	return st;
}
