/* SPDX-License-Identifier: BSD-2-Clause */
/* probe_main.c -- tlsrpt-probe's command line: the domains (arguments or
 * --file), the options, the output (JSON or a short text) and the exit
 * status. A program of its own because it alone links OpenSSL and
 * libcurl: the milter, tlsrpt-ingest and tlsrpt-summary stay without. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "base/alloc.h"
#include "base/readfile.h"
#include "dns/dns_record.h"
#include "intake/config.h"
#include "probe/probe.h"
#include "probe/probe_store.h"

#define DOMAINS_FILE_MAX (1024 * 1024)

static void
usage(FILE *fp)
{
	fputs("usage: tlsrpt-probe [options] DOMAIN...\n"
	      "       tlsrpt-probe [options] --file FILE\n"
	      "Probe each domain's MX hosts as a strict sending MTA would\n"
	      "(SMTP STARTTLS, the certificate, MTA-STS, DANE) and name what\n"
	      "senders would report, with RFC 8460 result types.\n"
	      "  -f, --file FILE      domains, one a line ('#' comments)\n"
	      "  --format text|json   output (default text)\n"
	      "  --days N             also judge certificates N days ahead\n"
	      "                       (default 14; finding "
	      "certificate-expiring)\n"
	      "  --resolver ADDR[:PORT]  the DNS server to ask (IPv4, or IPv6\n"
	      "                       as ADDR or [ADDR]:PORT; default\n"
	      "                       /etc/resolv.conf); DNSSEC status comes\n"
	      "                       from its AD bit\n"
	      "  --ca-file FILE       trust anchors (PEM) instead of the\n"
	      "                       system's, for SMTP and HTTPS\n"
	      "  --smtp-port N        SMTP port of the MX hosts (default 25)\n"
	      "  --https-port N       HTTPS port of mta-sts.DOMAIN (default "
	      "443)\n"
	      "  --timeout SECONDS    per connect, read or write (default 10)\n"
	      "  --jobs N             hosts probed at once (default 8)\n"
	      "  --ehlo NAME          the name given in EHLO (default the\n"
	      "                       host's name)\n"
	      "  -c, --config FILE    store the findings and alert on them\n"
	      "                       as this configuration says\n"
	      "                       (StoreDirectory, AllowRoot, Alert*);\n"
	      "                       no DOMAIN: its Domains\n"
	      "  -d, --store DIR      store the findings in the store DIR\n"
	      "                       (probe-YYYY-MM-DD.jsonl); with -c or -d\n"
	      "                       a policy changed under the same\n"
	      "                       _mta-sts id since an earlier run is the\n"
	      "                       finding sts-policy-id-unchanged\n"
	      "  -h, --help           this text\n"
	      "  -V, --version        the version\n"
	      "Exit status: 0 no findings, 1 findings, 64 usage, 66 --file or\n"
	      "--ca-file unreadable, 70 internal error, 71 no resolver or no\n"
	      "memory, 73 the findings cannot be stored, 74 output error, 75 a "
	      "domain's MX lookup failed (DNS\n"
	      "unreachable or SERVFAIL: try again later), 78 a bad -c file.\n",
	      fp);
}

static int
number(const char *opt, const char *s, unsigned long min, unsigned long max,
       unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v < min ||
	    v > max) {
		fprintf(stderr,
			"tlsrpt-probe: %s \"%s\": a number from %lu to %lu\n",
			opt, s, min, max);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

struct domains {
	size_t n;
	char name[PROBE_DOMAINS_MAX][DNS_NAME_MAX + 1];
};

static int
add_domain(struct domains *d, const char *s, size_t len)
{
	char raw[DNS_NAME_MAX + 2];
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	if (d->n == PROBE_DOMAINS_MAX) {
		fprintf(stderr, "tlsrpt-probe: at most %d domains a run\n",
			PROBE_DOMAINS_MAX);
		return -1;
	}
	if (len >= sizeof(raw)) {
		fprintf(stderr, "tlsrpt-probe: \"%.40s...\": name too long\n",
			s);
		return -1;
	}
	memcpy(raw, s, len);
	raw[len] = '\0';
	if (dns_domain_check(raw, d->name[d->n], sizeof(d->name[0]), &err) <
	    0) {
		fprintf(stderr, "tlsrpt-probe: %s\n", err.text);
		return -1;
	}
	d->n++;
	return 0;
}

/* One domain a line; blank lines and '#' comments skipped. */
static int
read_domains(const char *path, struct domains *d)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	unsigned char *buf = NULL;
	size_t len = 0;
	int rc = 0;

	if (read_bounded_path(path, DOMAINS_FILE_MAX, &buf, &len, &err) < 0) {
		fprintf(stderr, "tlsrpt-probe: %s: %s\n", path, err.text);
		return EX_NOINPUT;
	}
	for (size_t i = 0; i < len && rc == 0;) {
		const char *l = (const char *)buf + i;
		const char *nl = memchr(l, '\n', len - i);
		size_t n = nl != NULL ? (size_t)(nl - l) : len - i;
		size_t s = 0, e = n;

		i += n + 1;
		while (s < e && (l[s] == ' ' || l[s] == '\t'))
			s++;
		while (e > s && (l[e - 1] == ' ' || l[e - 1] == '\t' ||
				 l[e - 1] == '\r'))
			e--;
		if (s == e || l[s] == '#')
			continue;
		if (add_domain(d, l + s, e - s) < 0)
			rc = EX_USAGE;
	}
	tlsrpt_free(buf);
	return rc;
}

static void
iso_time(time_t t, char *buf, size_t size)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

struct args {
	struct probe_conf conf;
	const char *format;
	const char *file;
	const char *config; /* -c */
	const char *store;  /* -d */
	struct domains *domains;
};

/* -1 to go on, else the exit status. */
static int
parse_args(int argc, char **argv, struct args *a)
{
	static const struct option longopts[] = {
		{"file", required_argument, NULL, 'f'},
		{"format", required_argument, NULL, 'F'},
		{"days", required_argument, NULL, 'n'},
		{"resolver", required_argument, NULL, 'r'},
		{"ca-file", required_argument, NULL, 'C'},
		{"smtp-port", required_argument, NULL, 'p'},
		{"https-port", required_argument, NULL, 'P'},
		{"timeout", required_argument, NULL, 't'},
		{"jobs", required_argument, NULL, 'j'},
		{"ehlo", required_argument, NULL, 'e'},
		{"config", required_argument, NULL, 'c'},
		{"store", required_argument, NULL, 'D'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct probe_conf *c = &a->conf;
	int o, bad = 0;

	while ((o = getopt_long(argc, argv, "c:d:f:hV", longopts, NULL)) !=
	       -1) {
		switch (o) {
		case 'f': a->file = optarg; break;
		case 'F': a->format = optarg; break;
		case 'n':
			bad |= number("--days", optarg, 0, 3650, &c->days);
			break;
		case 'r': c->resolver = optarg; break;
		case 'C': c->ca_file = optarg; break;
		case 'p':
			bad |= number("--smtp-port", optarg, 1, 65535,
				      &c->smtp_port);
			break;
		case 'P':
			bad |= number("--https-port", optarg, 1, 65535,
				      &c->https_port);
			break;
		case 't':
			bad |= number("--timeout", optarg, 1, 600, &c->timeout);
			break;
		case 'j':
			bad |= number("--jobs", optarg, 1, 64, &c->jobs);
			break;
		case 'e': c->ehlo = optarg; break;
		case 'c': a->config = optarg; break;
		case 'd':
		case 'D': a->store = optarg; break;
		case 'h': usage(stdout); return EX_OK;
		case 'V':
			printf("tlsrpt-probe %s\n", TLSRPT_VERSION);
			return EX_OK;
		default: usage(stderr); return EX_USAGE;
		}
	}
	if (bad)
		return EX_USAGE;
	/* The name goes into an SMTP command: letters, digits, '.', '-'. */
	if (c->ehlo != NULL &&
	    (c->ehlo[0] == '\0' ||
	     c->ehlo[strspn(c->ehlo,
			    "abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")] !=
		     '\0')) {
		fprintf(stderr, "tlsrpt-probe: --ehlo \"%s\": a host name\n",
			c->ehlo);
		return EX_USAGE;
	}
	if (strcmp(a->format, "text") != 0 && strcmp(a->format, "json") != 0) {
		fprintf(stderr, "tlsrpt-probe: --format \"%s\": text or json\n",
			a->format);
		return EX_USAGE;
	}
	for (int i = optind; i < argc; i++)
		if (add_domain(a->domains, argv[i], strlen(argv[i])) < 0)
			return EX_USAGE;
	if (a->file != NULL) {
		int rc = read_domains(a->file, a->domains);

		if (rc != 0)
			return rc;
	}
	/* With -c, none given means the configuration's Domains (configure). */
	if (a->domains->n == 0 && a->config == NULL) {
		fprintf(stderr, "tlsrpt-probe: no domain given\n");
		usage(stderr);
		return EX_USAGE;
	}
	return -1;
}

/* -c and -d into cfg: the file, then the store directory over it. 0, or
 * the exit status. */
static int
configure(const struct args *a, struct config *cfg)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	if (config_init(cfg, &err) != 0 ||
	    (a->config != NULL && config_load(cfg, a->config, 0, &err) != 0) ||
	    (a->store != NULL && config_set(cfg, "StoreDirectory", a->store,
					    "--store", &err) != 0) ||
	    config_finish(cfg, &err) != 0) {
		fprintf(stderr, "tlsrpt-probe: %s%s%s\n", err.path,
			err.path[0] ? ": " : "", err.text);
		return err.code == TLSRPT_ERR_IO ? EX_NOINPUT : EX_CONFIG;
	}
	/* Our domains, as the milter knows them (HostName without its first
	 * label when the file does not say): the timer's unit names none. */
	for (size_t i = 0; a->domains->n == 0 && i < cfg->domains.n; i++)
		if (add_domain(a->domains, cfg->domains.items[i],
			       strlen(cfg->domains.items[i])) < 0)
			return EX_CONFIG;
	if (a->domains->n == 0) {
		fprintf(stderr,
			"tlsrpt-probe: no domain given, and %s names "
			"none (Domains)\n",
			a->config);
		return EX_USAGE;
	}
	return 0;
}

static int
run(struct args *a, const struct config *cfg)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct dns_resolver r;
	struct probe_tls *tls;
	json_t *out, *domains, *findings;
	struct probe_prev *prev;
	char when[32];
	int rc = 0;

	if (dns_resolver_open(&r, a->conf.resolver, &err) < 0) {
		fprintf(stderr, "tlsrpt-probe: %s%s%s\n", err.path,
			err.path[0] ? ": " : "", err.text);
		return err.code == TLSRPT_ERR_INVALID ? EX_USAGE : EX_OSERR;
	}
	/* Ask for DNSSEC (DO bit) and keep the AD bit of the answers: glibc
	 * clears it unless told the resolver is trusted (RES_TRUSTAD). */
	r.res.options |= RES_USE_EDNS0 | RES_USE_DNSSEC | RES_TRUSTAD;
	tls = probe_tls_new(&a->conf, &err);
	if (tls == NULL) {
		fprintf(stderr, "tlsrpt-probe: %s%s%s\n", err.path,
			err.path[0] ? ": " : "", err.text);
		dns_resolver_close(&r);
		return err.code == TLSRPT_ERR_IO ? EX_NOINPUT : EX_SOFTWARE;
	}
	iso_time(a->conf.now, when, sizeof(when));
	domains = json_array();
	findings = json_array();
	out = json_pack("{s:i, s:s, s:i, s:{s:s?, s:b}}", "version", 1, "time",
			when, "days-ahead", (json_int_t)a->conf.days,
			"resolver", "server", a->conf.resolver, "validates",
			probe_dns_validates(&r));
	/* Before this run stores its own lines: the runs before it. */
	prev = tlsrpt_calloc(a->domains->n, sizeof(*prev));
	for (size_t i = 0; prev != NULL && i < a->domains->n; i++)
		prev[i].domain = a->domains->name[i];
	if (prev != NULL && cfg != NULL)
		probe_store_history(cfg, prev, a->domains->n, a->conf.now);
	for (size_t i = 0; i < a->domains->n; i++) {
		json_t *d = probe_domain(&a->conf, &r, tls, a->domains->name[i],
					 prev != NULL && cfg != NULL ? &prev[i]
								     : NULL,
					 findings);

		if (!json_is_null(json_object_get(d, "error")))
			rc = EX_TEMPFAIL;
		json_array_append_new(domains, d);
	}
	/* Every finding stands alone (a later step stores one a line). */
	for (size_t i = 0; i < json_array_size(findings); i++)
		json_object_set_new(json_array_get(findings, i), "time",
				    json_string(when));
	json_object_set_new(out, "domains", domains);
	json_object_set_new(out, "findings", findings);
	if (strcmp(a->format, "json") == 0) {
		json_dumpf(out, stdout,
			   JSON_INDENT(2) | JSON_SORT_KEYS |
				   JSON_REAL_PRECISION(6));
		fputc('\n', stdout);
	} else {
		probe_print_text(out, stdout);
	}
	if (rc == 0 && json_array_size(findings) > 0)
		rc = 1;
	if (cfg != NULL && probe_store(cfg, out, a->conf.now) != 0)
		rc = EX_CANTCREAT;
	if (fflush(stdout) != 0) {
		fprintf(stderr, "tlsrpt-probe: cannot write the output: %s\n",
			strerror(errno));
		rc = EX_IOERR;
	}
	json_decref(out);
	tlsrpt_free(prev);
	probe_tls_free(tls);
	dns_resolver_close(&r);
	return rc;
}

int
main(int argc, char **argv)
{
	struct args a;
	struct config cfg;
	int have_cfg = 0;
	char host[256];
	int rc;

	tlsrpt_alloc_init();
	/* OpenSSL writes to the socket with write(2) (an alert, QUIT, the
	 * close_notify): a host that has reset the connection must cost its
	 * own probe an error, not the whole run a SIGPIPE. Output to a closed
	 * pipe is then EPIPE, said and exit 74. */
	signal(SIGPIPE, SIG_IGN);
	memset(&a, 0, sizeof(a));
	a.format = "text";
	a.conf.smtp_port = 25;
	a.conf.https_port = 443;
	a.conf.timeout = 10;
	a.conf.jobs = 8;
	a.conf.days = 14;
	a.conf.now = time(NULL);
	a.domains = tlsrpt_calloc(1, sizeof(*a.domains));
	if (a.domains == NULL) {
		fprintf(stderr, "tlsrpt-probe: out of memory\n");
		return EX_OSERR;
	}
	rc = parse_args(argc, argv, &a);
	if (rc < 0) {
		if (a.conf.ehlo == NULL) {
			if (gethostname(host, sizeof(host)) != 0 ||
			    strchr(host, '.') == NULL)
				snprintf(host, sizeof(host), "localhost");
			host[sizeof(host) - 1] = '\0';
			a.conf.ehlo = host;
		}
		/* Before probing: a bad file must not cost a run. */
		if (a.config != NULL || a.store != NULL) {
			have_cfg = 1;
			rc = configure(&a, &cfg);
		} else {
			rc = 0;
		}
		if (rc == 0) {
			curl_global_init(CURL_GLOBAL_DEFAULT);
			rc = run(&a, have_cfg ? &cfg : NULL);
			curl_global_cleanup();
		}
		if (have_cfg)
			config_free(&cfg);
	}
	tlsrpt_free(a.domains);
	return rc;
}
