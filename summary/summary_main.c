/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * summary_main.c -- tlsrpt-summary: what the stored TLS reports say, for a
 * postmaster, cron or monitoring. Exit status: 0 no domain's failures in
 * the window reach the noise threshold (summary/triage.h), 1 some do, 66
 * (EX_NOINPUT) a store file could not be read, so every count is short (the
 * summary is written all the same), sysexits(3) codes for other errors;
 * with -d DATABASE (pg/read.h) 75 it cannot be reached, 78 its schema is
 * missing or of another version, 77 the role may not read it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "intake/config.h"
#include "base/alloc.h"
#include "summary/aggregate.h"
#include "dns/dns.h"
#include "summary/render.h"
#include "pg/read.h"
#include "summary/render_mail.h"
#include "summary/source.h"
#include "summary/triage.h"
#include "summary/window.h"

#ifndef TLSRPT_DATADIR
#define TLSRPT_DATADIR "/usr/local/share/tlsrpt-milter"
#endif
#define KNOWN_REPORTERS TLSRPT_DATADIR "/known-reporters"

#define MAX_DIRS 64
#define MAX_DOMAINS 256
#define MAX_TO 64

struct args {
	const char *config, *since, *until, *now, *by, *format;
	const char *known; /* --known-reporters FILE */
	const char *dirs[MAX_DIRS];
	size_t n_dirs;
	const char *db; /* -d postgresql://...: tlsrpt-ship's database */
	const char *domains[MAX_DOMAINS];
	size_t n_domains;
	int verified_only;
	int no_rollups;
	int all;			      /* --all */
	const char *min_failures, *min_share; /* over the config file */
	/* --format mail */
	const char *to[MAX_TO];
	size_t n_to;
	const char *from, *subject;
	int only_problems;
	unsigned top_pairs; /* --prometheus-top; 0: the default */
};

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: tlsrpt-summary [-c CONFIG] [-d STOREDIR]... "
		"[--since WHEN] [--until WHEN]\n"
		"                      [--domain DOMAIN]... [--verified-only] "
		"[--by VIEW] [--all]\n"
		"                      [--format %s|mail] [--now WHEN]\n"
		"                      [--min-failures N] [--min-share "
		"PERCENT]\n"
		"                      [--to ADDR]... [--from ADDR] "
		"[--subject TEXT] [--only-problems]\n"
		"                      [--known-reporters FILE] "
		"[--prometheus-top N] [--no-rollups]\n"
		"       tlsrpt-summary -d postgresql://... [the options "
		"above]\n"
		"       tlsrpt-summary dns ...   (see tlsrpt-summary(1))\n"
		"WHEN: 2026-11-20, 2026-11-20T06:00:00Z, or back from now: "
		"90m 24h 7d 2w\n"
		"VIEW: domain org result mx sending-ip day report sender\n"
		"--all: list every healthy domain (cut after a few otherwise)\n"
		"--min-failures, --min-share: the noise threshold (default "
		"SummaryMinFailures,\n"
		"  SummaryMinShare): fewer failures of a domain are below "
		"threshold\n"
		"--no-rollups: read every day's lines (no rollup read or "
		"written; with -d DATABASE its lines, not its rollups)\n"
		"-d postgresql://HOST/DB, postgres://..., or a libpq "
		"\"service=NAME\" string:\n"
		"  read what tlsrpt-ship loaded there instead of store "
		"directories\n"
		"  (passwords: ~/.pgpass or the service file, never here)\n"
		"default store: %s\n"
		"default known reporters: %s\n",
		summary_renderer_names(), TLSRPT_LOCALSTATEDIR "/lib/tlsrpt",
		KNOWN_REPORTERS);
}

/* --prometheus-top N: 1..SUMMARY_PAIRS_MAX, the pairs the aggregation
 * keeps per domain. */
static int
parse_top(const char *s, unsigned *n)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v < 1 ||
	    v > SUMMARY_PAIRS_MAX) {
		fprintf(stderr,
			"tlsrpt-summary: --prometheus-top \"%s\": give a "
			"number from 1 to %d\n",
			s, SUMMARY_PAIRS_MAX);
		return -1;
	}
	*n = (unsigned)v;
	return 0;
}

/* Returns -1 to go on, else the exit status. */
static int
parse_args(int argc, char **argv, struct args *a)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"store", required_argument, NULL, 'd'},
		{"since", required_argument, NULL, 's'},
		{"until", required_argument, NULL, 'u'},
		{"domain", required_argument, NULL, 'D'},
		{"verified-only", no_argument, NULL, 'v'},
		{"by", required_argument, NULL, 'b'},
		{"format", required_argument, NULL, 'f'},
		{"now", required_argument, NULL, 'N'},
		{"to", required_argument, NULL, 'T'},
		{"from", required_argument, NULL, 'F'},
		{"subject", required_argument, NULL, 'S'},
		{"only-problems", no_argument, NULL, 'P'},
		{"known-reporters", required_argument, NULL, 'K'},
		{"all", no_argument, NULL, 'A'},
		{"min-failures", required_argument, NULL, 'M'},
		{"min-share", required_argument, NULL, 'm'},
		{"prometheus-top", required_argument, NULL, 'p'},
		{"no-rollups", no_argument, NULL, 'R'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	int c;

	memset(a, 0, sizeof(*a));
	a->format = "text";
	while ((c = getopt_long(argc, argv, "c:d:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': a->config = optarg; break;
		case 'd':
			if (pg_read_is_database(optarg)) {
				if (a->db != NULL) {
					fprintf(stderr,
						"tlsrpt-summary: one database "
						"at most (-d)\n");
					return EX_USAGE;
				}
				a->db = optarg;
				break;
			}
			if (a->n_dirs == MAX_DIRS) {
				fprintf(stderr,
					"tlsrpt-summary: at most %d -d\n",
					MAX_DIRS);
				return EX_USAGE;
			}
			a->dirs[a->n_dirs++] = optarg;
			break;
		case 's': a->since = optarg; break;
		case 'u': a->until = optarg; break;
		case 'D':
			if (a->n_domains == MAX_DOMAINS) {
				fprintf(stderr,
					"tlsrpt-summary: at most %d --domain\n",
					MAX_DOMAINS);
				return EX_USAGE;
			}
			a->domains[a->n_domains++] = optarg;
			break;
		case 'v': a->verified_only = 1; break;
		case 'R': a->no_rollups = 1; break;
		case 'b': a->by = optarg; break;
		case 'f': a->format = optarg; break;
		case 'N': a->now = optarg; break;
		case 'T':
			if (a->n_to == MAX_TO) {
				fprintf(stderr,
					"tlsrpt-summary: at most %d --to\n",
					MAX_TO);
				return EX_USAGE;
			}
			a->to[a->n_to++] = optarg;
			break;
		case 'F': a->from = optarg; break;
		case 'S': a->subject = optarg; break;
		case 'P': a->only_problems = 1; break;
		case 'K': a->known = optarg; break;
		case 'A': a->all = 1; break;
		case 'M': a->min_failures = optarg; break;
		case 'm': a->min_share = optarg; break;
		case 'p':
			if (parse_top(optarg, &a->top_pairs) != 0)
				return EX_USAGE;
			break;
		case 'h': usage(stdout); return EX_OK;
		case 'V':
			printf("tlsrpt-summary %s\n", TLSRPT_VERSION);
			return EX_OK;
		default: usage(stderr); return EX_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tlsrpt-summary: unexpected argument \"%s\"\n",
			argv[optind]);
		usage(stderr);
		return EX_USAGE;
	}
	return -1;
}

static int
check_dir(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) != 0) {
		fprintf(stderr, "tlsrpt-summary: store directory %s: %s\n", dir,
			strerror(errno));
		return errno == ENOENT || errno == ENOTDIR ? EX_NOINPUT
							   : EX_IOERR;
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr,
			"tlsrpt-summary: store directory %s: not a directory\n",
			dir);
		return EX_NOINPUT;
	}
	return 0;
}

/* The mail options go with --format mail and only with it. */
static int
check_mail_args(const struct args *a, int mail)
{
	if (!mail && (a->n_to > 0 || a->from != NULL || a->subject != NULL ||
		      a->only_problems)) {
		fprintf(stderr, "tlsrpt-summary: --to, --from, --subject and "
				"--only-problems go with --format mail\n");
		return EX_USAGE;
	}
	if (mail && a->n_to == 0) {
		fprintf(stderr,
			"tlsrpt-summary: --format mail needs --to ADDRESS\n");
		return EX_USAGE;
	}
	if (mail && a->by != NULL) {
		fprintf(stderr, "tlsrpt-summary: --format mail is the whole "
				"summary: leave out --by\n");
		return EX_USAGE;
	}
	return 0;
}

/* Returns the exit status. */
static int
write_mail(const struct args *a, const struct summary_agg *agg,
	   const struct summary_render_ctx *ctx)
{
	struct summary_mail_options mo;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char msg[TLSRPT_ERROR_TEXT_MAX + TLSRPT_ERROR_PATH_MAX];
	int written = 0, rc;

	memset(&mo, 0, sizeof(mo));
	mo.to = a->to;
	mo.n_to = a->n_to;
	mo.from = a->from;
	mo.subject = a->subject;
	mo.only_problems = a->only_problems;
	tlsrpt_error_clear(&err);
	g_mime_init();
	rc = summary_render_mail(stdout, agg, ctx, &mo, &written, &err);
	g_mime_shutdown();
	if (rc != 0) {
		fprintf(stderr, "tlsrpt-summary: %s\n",
			tlsrpt_error_format(&err, msg, sizeof(msg)));
		return err.code == TLSRPT_ERR_INVALID ? EX_USAGE : EX_IOERR;
	}
	/* Nothing written: nothing wrong either, whatever the window held. */
	if (!written)
		return 0;
	return summary_n_failing(agg) > 0 || summary_trust_problems(agg) ? 1
									 : 0;
}

/* Day files not read: said on standard error whatever the format (a CSV
 * or a Prometheus scrape has no place for prose), besides the warning in
 * the output itself; the exit status is EX_NOINPUT. Returns rc or that. */
static int
warn_unreadable(const struct summary_agg *agg, int rc)
{
	const struct summary_problems *p = &agg->problems;
	char *w = summary_unreadable_text(p);

	if (w == NULL)
		return rc;
	fprintf(stderr, "tlsrpt-summary: warning: %s:\n", w);
	for (size_t i = 0; i < p->n_unreadable_files; i++)
		fprintf(stderr, "tlsrpt-summary:   %s\n",
			p->unreadable_files[i]);
	g_free(w);
	return rc == 0 || rc == 1 ? EX_NOINPUT : rc;
}

/* The known reporters: --known-reporters must be readable; the installed
 * file may be missing (then no name is known, nothing is impersonation).
 * Returns 0 or the exit status. */
static int
load_known(const struct args *a, struct summary_known **out)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char msg[TLSRPT_ERROR_TEXT_MAX + TLSRPT_ERROR_PATH_MAX];
	const char *path = a->known != NULL ? a->known : KNOWN_REPORTERS;

	tlsrpt_error_clear(&err);
	if (a->known == NULL && access(path, F_OK) != 0)
		return 0;
	if (summary_known_load(path, out, &err) == 0)
		return 0;
	fprintf(stderr, "tlsrpt-summary: %s\n",
		tlsrpt_error_format(&err, msg, sizeof(msg)));
	return err.code == TLSRPT_ERR_IO ? EX_NOINPUT : EX_DATAERR;
}

/* The store the milter fills, read from the configuration file at path
 * (none: the built-in defaults) by the milter's own reader, so a file
 * means here what it means to tlsrpt-milter and tlsrpt-ingest: Chroot +
 * StoreDirectory (config_store_path()). Keys the summary does not use are
 * read and checked all the same. Returns 0 or the exit status. */
static int
store_from_config(const char *path, struct config *cfg)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char msg[TLSRPT_ERROR_TEXT_MAX + TLSRPT_ERROR_PATH_MAX];

	tlsrpt_error_clear(&err);
	if (config_init(cfg, &err) == 0 &&
	    (path == NULL || config_load(cfg, path, 0, &err) == 0) &&
	    config_finish(cfg, &err) == 0)
		return 0;
	fprintf(stderr, "tlsrpt-summary: %s\n",
		tlsrpt_error_format(&err, msg, sizeof(msg)));
	switch (err.code) {
	case TLSRPT_ERR_IO: return EX_NOINPUT;
	case TLSRPT_ERR_NOMEM: return EX_OSERR;
	default: return EX_CONFIG;
	}
}

/* The noise threshold: the options over the configuration file, checked
 * by the file's own rules (config_set()). Returns 0 or the exit status. */
static int
threshold(const struct args *a, struct config *cfg, struct summary_options *o)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char msg[TLSRPT_ERROR_TEXT_MAX + TLSRPT_ERROR_PATH_MAX];
	uint32_t ppm = 0;

	tlsrpt_error_clear(&err);
	if ((a->min_failures != NULL &&
	     config_set(cfg, "SummaryMinFailures", a->min_failures,
			"--min-failures", &err) != 0) ||
	    (a->min_share != NULL &&
	     config_set(cfg, "SummaryMinShare", a->min_share, "--min-share",
			&err) != 0)) {
		fprintf(stderr, "tlsrpt-summary: %s\n",
			tlsrpt_error_format(&err, msg, sizeof(msg)));
		return EX_USAGE;
	}
	/* config_check_share() let it in, so it parses. */
	(void)config_share_ppm(cfg->summary_min_share, &ppm);
	o->min_failures = cfg->summary_min_failures;
	o->min_share_ppm = ppm;
	return 0;
}

static int
run(struct args *a)
{
	const struct summary_renderer *rdr;
	struct summary_options o;
	struct summary_render_ctx ctx = {SUMMARY_VIEW_ALL, 0, 0};
	struct summary_agg *agg = NULL;
	struct summary_known *known = NULL;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct config cfg = {0}; /* its store path is in a->dirs */
	char msg[TLSRPT_ERROR_TEXT_MAX + TLSRPT_ERROR_PATH_MAX];
	int64_t now = (int64_t)time(NULL);
	int rc = EX_USAGE, mail = strcmp(a->format, "mail") == 0;
	size_t i;

	tlsrpt_error_clear(&err);
	summary_options_default(&o);
	rdr = mail ? NULL : summary_renderer_find(a->format);
	if (!mail && rdr == NULL) {
		fprintf(stderr,
			"tlsrpt-summary: unknown format \"%s\" (%s|mail)\n",
			a->format, summary_renderer_names());
		goto out;
	}
	if (check_mail_args(a, mail) != 0)
		goto out;
	/* Never the connection string in a message: it may hold a
	 * password. */
	if (a->db != NULL && a->n_dirs > 0) {
		fprintf(stderr,
			"tlsrpt-summary: -d: a database and store directories "
			"in one run: ship the stores into the database with "
			"tlsrpt-ship, or read one or the other\n");
		goto out;
	}
	if (a->by != NULL && summary_view_parse(a->by, &ctx.view) != 0) {
		fprintf(stderr,
			"tlsrpt-summary: unknown view \"%s\" (domain org "
			"result mx sending-ip day report sender)\n",
			a->by);
		goto out;
	}
	if ((a->now != NULL &&
	     summary_parse_when(a->now, now, &now, &err) != 0) ||
	    summary_window(a->since, a->until, now, &o.since, &o.until, &err) !=
		    0) {
		fprintf(stderr, "tlsrpt-summary: %s\n",
			tlsrpt_error_format(&err, msg, sizeof(msg)));
		goto out;
	}
	/* Read even with -d: the noise threshold is in it too. */
	if ((rc = store_from_config(a->config, &cfg)) != 0)
		goto out;
	if ((rc = threshold(a, &cfg, &o)) != 0)
		goto out;
	if (a->n_dirs == 0 && a->db == NULL)
		a->dirs[a->n_dirs++] = config_store_path(&cfg);
	for (i = 0; i < a->n_dirs; i++) {
		if ((rc = check_dir(a->dirs[i])) != 0)
			goto out;
	}
	if ((rc = load_known(a, &known)) != 0)
		goto out;
	o.known = known;
	o.domains = a->domains;
	o.n_domains = a->n_domains;
	o.verified_only = a->verified_only;
	if (a->no_rollups)
		o.rollups = 0;
	o.list_all = a->all;
	if (a->top_pairs > 0)
		o.top_pairs = a->top_pairs;
	o.collect_reports = ctx.view == SUMMARY_VIEW_REPORT;
	/* The mail's HTML part charts them. */
	o.domain_days = mail || rdr->domain_days;
	ctx.now = now;
	ctx.n_dirs = a->n_dirs;
	agg = summary_agg_new(&o);
	if (a->db != NULL
		    ? summary_read_db(agg, a->db, &ctx.n_dirs, &rc, &err)
		    : summary_read_stores(agg, a->dirs, a->n_dirs, &err)) {
		fprintf(stderr, "tlsrpt-summary: %s\n",
			tlsrpt_error_format(&err, msg, sizeof(msg)));
		if (err.code == TLSRPT_ERR_NOMEM)
			rc = EX_OSERR;
		else if (a->db == NULL)
			rc = EX_IOERR;
		goto out;
	}
	summary_agg_finish(agg);
	if (mail) {
		rc = warn_unreadable(agg, write_mail(a, agg, &ctx));
		goto out;
	}
	if (rdr->render(stdout, agg, &ctx) != 0) {
		fprintf(stderr, "tlsrpt-summary: writing the summary: %s\n",
			strerror(errno));
		rc = EX_IOERR;
		goto out;
	}
	rc = summary_n_failing(agg) > 0 || summary_trust_problems(agg) ? 1 : 0;
	rc = warn_unreadable(agg, rc);
out:
	summary_agg_free(agg);
	summary_known_free(known);
	config_free(&cfg);
	return rc;
}

int
main(int argc, char **argv)
{
	struct args a;
	int rc;

	tlsrpt_alloc_init();
	if (argc > 1 && strcmp(argv[1], "dns") == 0)
		return dns_command(argc - 1, argv + 1);
	if ((rc = parse_args(argc, argv, &a)) >= 0)
		return rc;
	return run(&a);
}
