/*
 * tlsrpt-ingest -- parse TLS reports from files, mailboxes and pipes.
 *
 * --dry-run prints each report found as a line of normalised JSON; it is the
 * way a postmaster inspects a report by hand.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "dryrun.h"
#include "parser/alloc.h"
#include "parser/input.h"
#include "readfile.h"

struct ingest_options {
	int dry_run;
	struct tlsrpt_limits limits;
};

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: tlsrpt-ingest --dry-run [PATH...]\n"
		"\n"
		"Parse SMTP TLS reports (RFC 8460) from e-mail messages, .json or\n"
		".json.gz files. PATH \"-\" or no PATH reads standard input.\n"
		"\n"
		"  -n, --dry-run   print each report as one line of normalised JSON\n"
		"                  on standard output; store nothing\n"
		"  -h, --help      show this help and exit\n"
		"  -V, --version   show the version and exit\n"
		"\n"
		"Exit status: 0 every input held a valid report, 65 some input held\n"
		"none, 66 an input could not be read, 64 usage error.\n");
}

/* The worse of two exit statuses: unreadable input beats bad data. */
static int
worse(int a, int b)
{
	if (a == EX_NOINPUT || b == EX_NOINPUT)
		return EX_NOINPUT;
	return a != 0 ? a : b;
}

static void
print_error(const char *name, const struct tlsrpt_error *err)
{
	char text[TLSRPT_ERROR_PATH_MAX + TLSRPT_ERROR_TEXT_MAX + 8];

	fprintf(stderr, "%s: %s\n", name,
		tlsrpt_error_format(err, text, sizeof(text)));
}

/* Parse one input and print what it holds; returns an exit status. */
static int
dry_run_one(const struct ingest_options *opt, const char *path)
{
	const char *name = strcmp(path, "-") == 0 ? "(stdin)" : path;
	struct tlsrpt_input *in = NULL;
	struct tlsrpt_error err;
	unsigned char *buf = NULL;
	size_t len;
	int status = 0, found;

	tlsrpt_error_clear(&err);
	if (read_bounded_path(path, opt->limits.max_message_bytes, &buf, &len,
			      &err) != 0) {
		print_error(name, &err);
		return err.code == TLSRPT_ERR_IO ? EX_NOINPUT : EX_DATAERR;
	}
	found = tlsrpt_input_parse(buf, len, &opt->limits, &in, &err) == 0;
	if (in != NULL) {
		for (size_t i = 0; i < in->n_items; i++) {
			const struct tlsrpt_input_item *item = &in->items[i];

			if (item->report == NULL)
				print_error(name, &item->error);
			else if (dryrun_print_item(stdout, name, in, item) != 0)
				status = EX_OSERR;
		}
	}
	if (!found) {
		/* Part errors were printed above; say why nothing was found
		 * only when no part said it already. */
		if (in == NULL || in->n_items == 0)
			print_error(name, &err);
		status = worse(status, EX_DATAERR);
	}
	tlsrpt_input_free(in);
	tlsrpt_free(buf);
	return status;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"dry-run", no_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct ingest_options opt;
	int c, status = 0;

	memset(&opt, 0, sizeof(opt));
	tlsrpt_limits_default(&opt.limits);
	while ((c = getopt_long(argc, argv, "nhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			opt.dry_run = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("tlsrpt-ingest %s\n", TLSRPT_VERSION);
			return 0;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (!opt.dry_run) {
		fprintf(stderr, "tlsrpt-ingest: only --dry-run is available in "
				"this version\n");
		return EX_USAGE;
	}

	tlsrpt_parser_init();
	if (optind == argc) {
		status = dry_run_one(&opt, "-");
	} else {
		for (int i = optind; i < argc; i++)
			status = worse(status, dry_run_one(&opt, argv[i]));
	}
	if (fflush(stdout) != 0)
		status = worse(status, EX_IOERR);
	tlsrpt_parser_shutdown();
	return status;
}
