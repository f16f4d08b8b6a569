/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tlsrpt-ingest -- parse and store TLS reports from files, mailboxes and
 * pipes: the same parse-and-store step the milter runs, for reports that
 * arrive some other way or already sit in a mailbox.
 *
 * --dry-run prints each report as a line of normalised JSON instead; it is
 * the way a postmaster inspects a report by hand.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "intake/alert_hook.h"
#include "ingest/cgi.h"
#include "ingest/cgi_request.h"
#include "intake/config.h"
#include "intake/event_line.h"
#include "ingest/dryrun.h"
#include "ingest/ingest_feed.h"
#include "ingest/ingest_owner.h"
#include "intake/intake.h"
#include "ingest/mailbox.h"
#include "base/alloc.h"
#include "report/input.h"
#include "report/sanitize.h"
#include "store/store.h"

struct ingest {
	int dry_run;
	int quiet;
	const char *store_arg; /* -d: the store itself, Chroot or not */
	struct config cfg;
	struct tlsrpt_limits limits;
	struct intake_config intake;
	struct tlsrpt_store *store;
	struct alert_hook alerts; /* run synchronously after storing */
	int status;		  /* the exit status so far */
	/* Root reading for the store's owner (ingest_feed.h): where the
	 * messages read go, and whether the other half went away. */
	int feed_fd;
	int feed_gone;
};

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: tlsrpt-ingest [-q] [-c CONFIG] [-d STOREDIR] "
		"[PATH...]\n"
		"       tlsrpt-ingest --dry-run [-c CONFIG] [PATH...]\n"
		"       tlsrpt-ingest --prune [-c CONFIG] [-d STOREDIR]\n"
		"       tlsrpt-ingest --cgi [-c CONFIG] [-d STOREDIR]\n"
		"\n"
		"Parse SMTP TLS reports (RFC 8460) from e-mail messages, .json "
		"or\n"
		".json.gz files, maildirs and mbox files, and store them. PATH "
		"\"-\"\n"
		"or no PATH reads one input from standard input.\n"
		"\n"
		"  -c, --config FILE  configuration "
		"(default " CONFIG_DEFAULT_PATH ")\n"
		"  -d, --store DIR    store directory (default: "
		"StoreDirectory,\n"
		"                     inside Chroot when that is set)\n"
		"  -n, --dry-run      print each report as one line of "
		"normalised\n"
		"                     JSON on standard output; store nothing\n"
		"      --prune        compress and delete old day files of the "
		"store\n"
		"                     (CompressAfterDays, RetentionDays)\n"
		"      --cgi          serve one HTTPS POST of a report as a "
		"CGI program\n"
		"                     (rua=https://...); the answer is the "
		"HTTP status\n"
		"  -q, --quiet        print only problems\n"
		"  -h, --help         show this help and exit\n"
		"  -V, --version      show the version and exit\n"
		"\n"
		"Exit status: 0 every input was stored or a duplicate, 65 some "
		"input\n"
		"held no valid report, 66 an input could not be read, 75 the "
		"store\n"
		"failed (try again later), 64 usage, 78 configuration error,\n"
		"77 run as root on a store no user owns (root writes a store "
		"as\n"
		"the store directory's owner; AllowRoot yes lets root write "
		"its own),\n"
		"71 standard output failed or root could not become the "
		"owner,\n"
		"70 (root, with paths) the storing process died of a signal.\n"
		"With --cgi: 0 whenever an HTTP answer was written, 74 "
		"otherwise.\n");
}

/* The exit status that matters most when inputs end differently: a store
 * failure (retry) beats unreadable input beats bad data. */
static int
worse(int a, int b)
{
	static const int order[] = {EX_TEMPFAIL, EX_OSERR, EX_IOERR, EX_NOINPUT,
				    EX_DATAERR};

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (a == order[i] || b == order[i])
			return order[i];
	return a != 0 ? a : b;
}

static const char *
error_text(const struct tlsrpt_error *err, char *buf, size_t size)
{
	return tlsrpt_error_format(err, buf, size);
}

/* "name: safe" on a terminal: safe has been through the terminal step
 * already (report/sanitize.h) -- once, or a backslash would be doubled --
 * and the name, which a file or a mailbox may choose, goes through it
 * here. */
static void
say_safe(FILE *out, const char *name, const char *safe)
{
	GString *line = g_string_new(NULL);

	if (name != NULL) {
		sanitize_text(line, name);
		g_string_append(line, ": ");
	}
	g_string_append(line, safe);
	g_string_append_c(line, '\n');
	fputs(line->str, out);
	g_string_free(line, TRUE);
}

/* "name: text" where text is raw (an error that may quote the input). */
static void
say(FILE *out, const char *name, const char *text)
{
	GString *safe = g_string_new(NULL);

	sanitize_text(safe, text);
	say_safe(out, name, safe->str);
	g_string_free(safe, TRUE);
}

static void
print_error(const char *name, const struct tlsrpt_error *err)
{
	char text[TLSRPT_ERROR_PATH_MAX + TLSRPT_ERROR_TEXT_MAX + 8];

	say(stderr, name, error_text(err, text, sizeof(text)));
}

/* --dry-run: print every report of one input. */
static void
dry_run_one(struct ingest *ing, const char *name, const unsigned char *buf,
	    size_t len)
{
	struct tlsrpt_input *in = NULL;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	int found;

	tlsrpt_error_clear(&err);
	found = tlsrpt_input_parse(buf, len, &ing->limits, &in, &err) == 0;
	for (size_t i = 0; in != NULL && i < in->n_items; i++) {
		const struct tlsrpt_input_item *item = &in->items[i];

		if (item->report == NULL)
			print_error(name, &item->error);
		else if (dryrun_print_item(stdout, name, in, item) != 0)
			ing->status = worse(ing->status, EX_OSERR);
	}
	if (!found) {
		/* Part errors were printed above; say why nothing was found
		 * only when no part said it already, or why the rest of the
		 * input was not read. */
		if (in == NULL || in->n_items == 0 ||
		    in->stop.code != TLSRPT_OK)
			print_error(name, &err);
		ing->status = worse(ing->status, EX_DATAERR);
	}
	tlsrpt_input_free(in);
}

/* The one line printed for an input: one part per report. Cut at a
 * bound, as a terminal line should be. */
#define LINE_MAX_BYTES 1023

/* One report's part of the line (intake/event_line.h). */
static void
on_report(void *ctx, const struct intake_report_event *ev)
{
	GString *line = ctx;

	if (line->len > 0)
		g_string_append(line, "; ");
	intake_event_line(line, ev, INTAKE_LINE_BRIEF);
}

static int
exit_status_of(enum intake_outcome o)
{
	switch (o) {
	case INTAKE_STORED:
	case INTAKE_DUPLICATE: return 0;
	case INTAKE_STORE_FAILED: return EX_TEMPFAIL;
	default: return EX_DATAERR;
	}
}

/* Store every report of one input and print one line about it. */
static void
store_one(struct ingest *ing, const char *name, const unsigned char *buf,
	  size_t len)
{
	struct intake_origin origin = {
		.source = "file",
		.host = ing->cfg.host_name,
		.file = name,
		.received = time(NULL),
	};
	struct intake_result res;
	GString *line = g_string_new(NULL);
	char text[TLSRPT_ERROR_PATH_MAX + TLSRPT_ERROR_TEXT_MAX + 8];
	int status;

	intake_run(&ing->intake, &origin, buf, len, on_report, line, &res);
	status = exit_status_of(res.outcome);
	if (line->len == 0) { /* no report part at all: say why */
		g_string_append_printf(
			line, "%s: ", intake_outcome_name(res.outcome));
		sanitize_text(line, error_text(&res.error, text, sizeof(text)));
	}
	if (line->len > LINE_MAX_BYTES) /* on a character's boundary */
		g_string_truncate(
			line, (gsize)(g_utf8_find_prev_char(
					      line->str,
					      line->str + LINE_MAX_BYTES + 1) -
				      line->str));
	if (status != 0)
		say_safe(stderr, name, line->str);
	else if (!ing->quiet)
		say_safe(stdout, name, line->str);
	g_string_free(line, TRUE);
	ing->status = worse(ing->status, status);
}

static int
on_message(void *ctx, const char *name, const unsigned char *buf, size_t len,
	   const struct tlsrpt_error *err)
{
	struct ingest *ing = ctx;

	if (buf == NULL) {
		print_error(name, err);
		ing->status = worse(ing->status, err->code == TLSRPT_ERR_IO
							 ? EX_NOINPUT
							 : EX_DATAERR);
		return 0;
	}
	if (ing->feed_fd >= 0) {
		if (ingest_feed_send(ing->feed_fd, name, buf, len) == 0)
			return 0;
		ing->feed_gone = 1; /* its exit status says why */
		return -1;
	}
	if (ing->dry_run)
		dry_run_one(ing, name, buf, len);
	else
		store_one(ing, name, buf, len);
	return 0;
}

static void
walk(struct ingest *ing, const char *path)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	tlsrpt_error_clear(&err);
	if (mailbox_walk(path, ing->limits.max_message_bytes, on_message, ing,
			 &err) != 0 &&
	    !ing->feed_gone) {
		print_error(strcmp(path, "-") == 0 ? "(stdin)" : path, &err);
		ing->status = worse(ing->status, err.code == TLSRPT_ERR_NOMEM
							 ? EX_OSERR
							 : EX_NOINPUT);
	}
}

static int
open_store(struct ingest *ing)
{
	struct tlsrpt_store_options so;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	/* The store the milter fills: inside its Chroot when one is set. */
	config_store_options(&ing->cfg, CONFIG_OUTSIDE_CHROOT, &so);
	if (ing->store_arg != NULL)
		so.dir = ing->store_arg;
	if (tlsrpt_store_open(&so, &ing->store, &err) != 0) {
		print_error("tlsrpt-ingest", &err);
		return -1;
	}
	return 0;
}

static int
prune(struct ingest *ing)
{
	struct tlsrpt_prune_stats st;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	if (tlsrpt_store_prune(ing->store, time(NULL),
			       ing->cfg.compress_after_days,
			       ing->cfg.retention_days, &st, &err) != 0) {
		print_error(tlsrpt_store_dir(ing->store), &err);
		return EX_IOERR;
	}
	if (!ing->quiet)
		printf("%s: %u day files compressed, %u deleted, %lu "
		       "de-duplication keys dropped, %lu kept\n",
		       tlsrpt_store_dir(ing->store), st.compressed, st.deleted,
		       st.keys_dropped, st.keys_kept);
	return 0;
}

/* The store directory this run writes: -d, else the one the milter fills
 * (Chroot + StoreDirectory). */
static const char *
store_dir(const struct ingest *ing)
{
	return ing->store_arg != NULL ? ing->store_arg
				      : config_store_path(&ing->cfg);
}

/* Root writes the store as its owner (ingest_owner.h): find it, or say
 * why not. Returns 0 or the exit status. */
static int
find_owner(const struct ingest *ing, struct ingest_owner *owner)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	tlsrpt_error_clear(&err);
	if (ingest_owner_of(store_dir(ing), ing->cfg.allow_root, owner, &err) ==
	    0)
		return 0;
	print_error("tlsrpt-ingest", &err);
	return EX_NOPERM;
}

static int
become_owner(const struct ingest_owner *owner)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	tlsrpt_error_clear(&err);
	if (ingest_owner_become(owner, &err) == 0)
		return 0;
	print_error("tlsrpt-ingest", &err);
	return EX_OSERR;
}

/* The root half of a root-run ingest with paths (ingest_feed.h): read
 * every input, send its messages down fd to the half that became the
 * store's owner (pid). Returns the exit status of both. */
static int
feed_inputs(struct ingest *ing, int fd, pid_t pid, char **paths, int n)
{
	int wstatus, child;

	signal(SIGPIPE, SIG_IGN); /* a gone reader is EPIPE, then its status */
	ing->feed_fd = fd;
	for (int i = 0; i < n && !ing->feed_gone; i++)
		walk(ing, paths[i]);
	close(fd);
	ing->feed_fd = -1;
	while (waitpid(pid, &wstatus, 0) < 0)
		if (errno != EINTR) {
			perror("tlsrpt-ingest: waitpid");
			return worse(ing->status, EX_OSERR);
		}
	if (WIFEXITED(wstatus)) {
		child = WEXITSTATUS(wstatus);
	} else {
		fprintf(stderr,
			"tlsrpt-ingest: the storing process died of signal "
			"%d\n",
			WTERMSIG(wstatus));
		child = EX_SOFTWARE;
	}
	return worse(ing->status, child);
}

/* The owner's half: store what the root half read. */
static void
receive(struct ingest *ing, int fd)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	tlsrpt_error_clear(&err);
	if (ingest_feed_receive(fd, ing->limits.max_message_bytes, on_message,
				ing, &err) != 0) {
		print_error("tlsrpt-ingest", &err);
		ing->status = worse(ing->status, err.code == TLSRPT_ERR_NOMEM
							 ? EX_OSERR
							 : EX_IOERR);
	}
	close(fd);
}

static void
alert_log_stderr(void *ctx, int prio, const char *line)
{
	const struct ingest *ing = ctx;

	if (prio <= LOG_NOTICE || (prio <= LOG_INFO && !ing->quiet))
		say(stderr, "tlsrpt-ingest", line);
}

/* Alerts for what is newly stored (never in a dry run: nothing is). */
static int
alerts_on(struct ingest *ing)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	if (alert_hook_setup(&ing->alerts, &ing->cfg, 0, alert_log_stderr, ing,
			     &ing->intake, &err) != 0) {
		print_error("tlsrpt-ingest", &err);
		return -1;
	}
	return 0;
}

static int
configure(struct ingest *ing, const char *config_path)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	if (config_init(&ing->cfg, &err) != 0 ||
	    config_load(&ing->cfg,
			config_path != NULL ? config_path : CONFIG_DEFAULT_PATH,
			config_path == NULL, &err) != 0 ||
	    /* -d is checked as StoreDirectory is (an absolute path). */
	    (ing->store_arg != NULL &&
	     config_set(&ing->cfg, "StoreDirectory", ing->store_arg, "-d",
			&err) != 0) ||
	    config_finish(&ing->cfg, &err) != 0) {
		print_error("tlsrpt-ingest", &err);
		return -1;
	}
	config_limits(&ing->cfg, &ing->limits);
	return 0;
}

int
main(int argc, char **argv)
{
	enum { OPT_PRUNE = 256, OPT_CGI };
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"store", required_argument, NULL, 'd'},
		{"dry-run", no_argument, NULL, 'n'},
		{"prune", no_argument, NULL, OPT_PRUNE},
		{"cgi", no_argument, NULL, OPT_CGI},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct ingest ing;
	struct ingest_owner owner;
	const char *config_path = NULL;
	int c, do_prune = 0, do_cgi = 0, feed_in = -1;
	pid_t pid;

	memset(&ing, 0, sizeof(ing));
	memset(&owner, 0, sizeof(owner));
	ing.feed_fd = -1;
	while ((c = getopt_long(argc, argv, "c:d:nqhV", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 'c': config_path = optarg; break;
		case 'd': ing.store_arg = optarg; break;
		case 'n': ing.dry_run = 1; break;
		case 'q': ing.quiet = 1; break;
		case OPT_PRUNE: do_prune = 1; break;
		case OPT_CGI: do_cgi = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V':
			printf("tlsrpt-ingest %s\n", TLSRPT_VERSION);
			return 0;
		default: usage(stderr); return EX_USAGE;
		}
	}
	if ((do_prune || do_cgi) &&
	    (ing.dry_run || optind < argc || (do_prune && do_cgi))) {
		fprintf(stderr,
			"tlsrpt-ingest: --prune and --cgi take no PATH, "
			"no --dry-run and not each other\n");
		return EX_USAGE;
	}

	/* A file size limit must fail the write (and be reported), not kill
	 * the process halfway through a store append. */
	signal(SIGXFSZ, SIG_IGN);
	tlsrpt_parser_init();
	if (configure(&ing, config_path) != 0) {
		/* The web server logs stderr; the sender gets a 503 and
		 * retries. */
		if (do_cgi)
			ing.status =
				cgi_unavailable(stdout) == 0 ? 0 : EX_IOERR;
		else
			ing.status = EX_CONFIG;
		goto out;
	}
	/* Root never writes the store as root: it becomes the store's owner
	 * first. Inputs only root may read (a user's Maildir) are read by a
	 * root half that parses nothing and hands the bytes over (feed). */
	if (do_cgi) {
		/* A store refused is a store down: the sender gets a 503
		 * (and a GET its 405) from cgi_serve, as always. */
		if (find_owner(&ing, &owner) != 0 ||
		    become_owner(&owner) != 0 || open_store(&ing) != 0)
			ing.store = NULL;
		config_intake(&ing.cfg, ing.store, &ing.intake);
		(void)alerts_on(&ing); /* stored all the same */
		ing.status = cgi_serve(&ing.cfg, &ing.intake,
				       (int64_t)time(NULL), stdin, stdout);
		goto out;
	}
	if (!ing.dry_run && (ing.status = find_owner(&ing, &owner)) != 0)
		goto out;
	if (owner.become && !do_prune && optind < argc) {
		int p[2];

		fflush(NULL);
		if (pipe(p) != 0) {
			perror("tlsrpt-ingest: pipe");
			ing.status = EX_OSERR;
			goto out;
		}
		if ((pid = fork()) < 0) {
			perror("tlsrpt-ingest: fork");
			close(p[0]);
			close(p[1]);
			ing.status = EX_OSERR;
			goto out;
		}
		if (pid > 0) {
			close(p[0]);
			ing.status = feed_inputs(&ing, p[1], pid, argv + optind,
						 argc - optind);
			goto out;
		}
		close(p[1]);
		feed_in = p[0];
	}
	if ((ing.status = become_owner(&owner)) != 0)
		goto out;
	if (!ing.dry_run && open_store(&ing) != 0) {
		ing.status = EX_TEMPFAIL;
		goto out;
	}
	config_intake(&ing.cfg, ing.store, &ing.intake);
	if (!ing.dry_run && !do_prune && alerts_on(&ing) != 0) {
		ing.status = EX_CONFIG;
		goto out;
	}

	if (do_prune)
		ing.status = prune(&ing);
	else if (feed_in >= 0)
		receive(&ing, feed_in);
	else if (optind == argc)
		walk(&ing, "-");
	else
		for (int i = optind; i < argc; i++)
			walk(&ing, argv[i]);
	if (fflush(stdout) != 0)
		ing.status = worse(ing.status, EX_IOERR);
out:
	alert_hook_free(&ing.alerts);
	tlsrpt_store_close(ing.store);
	config_free(&ing.cfg);
	tlsrpt_parser_shutdown();
	return ing.status;
}
