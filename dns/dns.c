/* SPDX-License-Identifier: BSD-2-Clause */
/* dns.c -- `tlsrpt-summary dns`: print the TXT records (and MTA-STS policy)
 * to publish, or look up what is published and say what is wrong. */
#include "dns/dns.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "base/alloc.h"
#include "dns/dns_lookup.h"
#include "dns/dns_record.h"

#define MAX_RUA 16
#define MAX_MX 32

struct dns_opts {
	const char *domain;
	const char *rua[MAX_RUA];
	size_t n_rua;
	const char *mode;
	const char *mx[MAX_MX];
	size_t n_mx;
	const char *max_age;
	const char *id;
	const char *resolver;
	const char *policy_file;
	int check;
	int help;
};

static void
usage(FILE *fp)
{
	fputs("usage: tlsrpt-summary dns DOMAIN --rua URI [--rua URI]...\n"
	      "           [--mta-sts enforce|testing|none --mx PATTERN "
	      "[--mx PATTERN]...\n"
	      "            [--max-age SECONDS] [--id ID]]\n"
	      "       tlsrpt-summary dns --check DOMAIN [--resolver "
	      "ADDR[:PORT]]\n"
	      "       tlsrpt-summary dns --check-policy FILE|-\n",
	      fp);
}

static int usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static int
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("tlsrpt-summary dns: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	usage(stderr);
	return EX_USAGE;
}

/* "--name value" or "--name=value": the value, or NULL when opt is not
 * this option. *i moves past a separate value. */
static const char *
opt_value(int argc, char **argv, int *i, const char *name, int *missing)
{
	size_t nl = strlen(name);
	const char *a = argv[*i];

	if (strncmp(a, name, nl) != 0)
		return NULL;
	if (a[nl] == '=')
		return a + nl + 1;
	if (a[nl] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		*missing = 1;
		return NULL;
	}
	return argv[++*i];
}

/* An option with a value: one (n == NULL) or a list of up to max. */
struct value_opt {
	const char *name;
	const char **slot;
	size_t *n;
	size_t max;
};

/* Store the value of argv[*i] when it is one of opts. Returns 1 when it
 * was, 0 when it is none of them, -1 after a usage error. */
static int
value_option(int argc, char **argv, int *i, const struct value_opt *opts,
	     size_t n_opts)
{
	for (size_t k = 0; k < n_opts; k++) {
		const struct value_opt *op = &opts[k];
		int missing = 0;
		const char *v = opt_value(argc, argv, i, op->name, &missing);

		if (missing) {
			usage_error("%s needs a value", op->name);
			return -1;
		}
		if (v == NULL)
			continue;
		if (op->n == NULL) {
			*op->slot = v;
			return 1;
		}
		if (*op->n == op->max) {
			usage_error("at most %zu %s options", op->max,
				    op->name);
			return -1;
		}
		op->slot[(*op->n)++] = v;
		return 1;
	}
	return 0;
}

static int
parse_args(int argc, char **argv, struct dns_opts *o)
{
	const struct value_opt opts[] = {
		{"--rua", o->rua, &o->n_rua, MAX_RUA},
		{"--mx", o->mx, &o->n_mx, MAX_MX},
		{"--mta-sts", &o->mode, NULL, 1},
		{"--max-age", &o->max_age, NULL, 1},
		{"--id", &o->id, NULL, 1},
		{"--resolver", &o->resolver, NULL, 1},
		{"--check-policy", &o->policy_file, NULL, 1},
	};

	memset(o, 0, sizeof(*o));
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int r;

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			o->help = 1;
			return 0;
		}
		if (strcmp(a, "--check") == 0) {
			o->check = 1;
			continue;
		}
		r = value_option(argc, argv, &i, opts,
				 sizeof(opts) / sizeof(opts[0]));
		if (r < 0)
			return -1;
		if (r > 0)
			continue;
		if (a[0] == '-' && a[1] != '\0') {
			usage_error("unknown option %s", a);
			return -1;
		}
		if (o->domain != NULL) {
			usage_error("one DOMAIN only (extra: %s)", a);
			return -1;
		}
		o->domain = a;
	}
	return 0;
}

static void
print_findings(const struct dns_findings *f)
{
	for (size_t i = 0; i < f->n; i++)
		printf("%s: %s\n", dns_level_name(f->item[i].level),
		       f->item[i].text);
	if (f->dropped > 0)
		printf("WARNING: %zu more findings not shown\n", f->dropped);
}

/* Print one TXT record: the zone-file line and the bare value. */
static int
print_txt(const char *owner, const char *value, const char *what)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char *line = NULL;
	size_t len = strlen(value);

	tlsrpt_error_clear(&err);
	if (dns_zone_txt_line(owner, value, &line, &err) < 0) {
		fprintf(stderr, "tlsrpt-summary dns: %s\n", err.text);
		return -1;
	}
	printf("%s TXT record for %s:\n\n", what, owner);
	printf("  zone file line:\n    %s\n\n", line);
	printf("  TXT value (for a DNS provider's web form):\n    %s\n\n",
	       value);
	if (len > DNS_TXT_STRING_MAX)
		printf("  The value is %zu octets, more than one TXT "
		       "character-string holds (%d):\n"
		       "  the zone line splits it into %zu quoted strings, "
		       "which senders join with\n"
		       "  no separator. Most DNS web forms split long values "
		       "themselves.\n\n",
		       len, DNS_TXT_STRING_MAX,
		       (len + DNS_TXT_STRING_MAX - 1) / DNS_TXT_STRING_MAX);
	tlsrpt_free(line);
	return 0;
}

static int
build_tlsrpt(const struct dns_opts *o, const char *domain)
{
	char enc[MAX_RUA][DNS_URI_MAX * 3 + 1];
	const char *uris[MAX_RUA];
	char owner[DNS_NAME_MAX + 16], *rec = NULL;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct dns_findings *f = NULL;
	int rc = EX_SOFTWARE;

	tlsrpt_error_clear(&err);
	if (o->n_rua == 0)
		return usage_error("%s: give at least one --rua URI "
				   "(e.g. --rua mailto:tlsrpt@example.com)",
				   domain);
	for (size_t i = 0; i < o->n_rua; i++) {
		int changed = dns_uri_prepare(o->rua[i], enc[i], sizeof(enc[i]),
					      &err);

		if (changed < 0) {
			fprintf(stderr, "tlsrpt-summary dns: --rua: %s\n",
				err.text);
			return EX_USAGE;
		}
		if (changed)
			printf("note: --rua %s is written %s (characters "
			       "percent-encoded as RFC 8460 section 3 "
			       "requires)\n\n",
			       o->rua[i], enc[i]);
		uris[i] = enc[i];
	}
	snprintf(owner, sizeof(owner), "_smtp._tls.%s", domain);
	if (dns_tlsrpt_build(uris, o->n_rua, &rec, &err) < 0) {
		fprintf(stderr, "tlsrpt-summary dns: %s\n", err.text);
		rc = EX_USAGE;
		goto out;
	}
	/* What we print must pass our own check. */
	f = tlsrpt_malloc(sizeof(*f));
	if (f == NULL)
		goto out;
	dns_findings_init(f);
	if (dns_tlsrpt_check(rec, strlen(rec), "", f) < 0) {
		print_findings(f);
		goto out;
	}
	if (print_txt(owner, rec, "TLS reporting (RFC 8460)") < 0)
		goto out;
	rc = 0;
out:
	tlsrpt_free(f);
	tlsrpt_free(rec);
	return rc;
}

/* The MTA-STS part, built and checked before anything is printed. */
struct sts_out {
	enum dns_sts_mode mode;
	unsigned long max_age;
	char *rec;
	char *policy;
};

static int
prepare_sts(const struct dns_opts *o, struct sts_out *so)
{
	char pats[MAX_MX][DNS_NAME_MAX + 3], idbuf[32];
	const char *mx[MAX_MX], *id = o->id;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	tlsrpt_error_clear(&err);
	so->max_age = DNS_STS_MAX_AGE_DEFAULT;
	if (dns_sts_mode_parse(o->mode, &so->mode) < 0)
		return usage_error("--mta-sts %s: the mode is enforce, testing "
				   "or none",
				   o->mode);
	for (size_t i = 0; i < o->n_mx; i++) {
		if (dns_mx_pattern_check(o->mx[i], pats[i], sizeof(pats[i]),
					 &err) < 0) {
			fprintf(stderr, "tlsrpt-summary dns: --mx: %s\n",
				err.text);
			return EX_USAGE;
		}
		mx[i] = pats[i];
	}
	if (o->max_age != NULL) {
		char *end;

		so->max_age = strtoul(o->max_age, &end, 10);
		if (end == o->max_age || *end != '\0' || o->max_age[0] == '-' ||
		    so->max_age > DNS_STS_MAX_AGE_MAX)
			return usage_error(
				"--max-age %s: 0 to 31557600 seconds "
				"(RFC 8461 section 3.2)",
				o->max_age);
	}
	if (id == NULL) {
		/* A new id for a new policy: the time, letters and digits. */
		time_t now = time(NULL);
		struct tm tm;

		if (gmtime_r(&now, &tm) == NULL ||
		    strftime(idbuf, sizeof(idbuf), "%Y%m%d%H%M%S", &tm) == 0)
			return EX_SOFTWARE;
		id = idbuf;
	}
	if (dns_sts_build(id, &so->rec, &err) < 0) {
		fprintf(stderr, "tlsrpt-summary dns: --id: %s\n", err.text);
		return EX_USAGE;
	}
	if (dns_sts_policy_build(so->mode, mx, o->n_mx, so->max_age,
				 &so->policy, &err) < 0) {
		fprintf(stderr, "tlsrpt-summary dns: %s\n", err.text);
		return EX_USAGE;
	}
	return 0;
}

static int
print_sts(const struct sts_out *so, const char *domain)
{
	char owner[DNS_NAME_MAX + 16];

	snprintf(owner, sizeof(owner), "_mta-sts.%s", domain);
	if (print_txt(owner, so->rec, "MTA-STS (RFC 8461)") < 0)
		return EX_SOFTWARE;
	printf("  Change the id whenever the policy file changes: senders "
	       "refetch the policy\n  only when the id changes.\n\n");
	printf("MTA-STS policy file, to serve at\n"
	       "  https://mta-sts.%s/.well-known/mta-sts.txt\n"
	       "over HTTPS with a certificate valid for mta-sts.%s, as "
	       "text/plain, with\nCRLF line ends (RFC 8461 section 3.2; the "
	       "lines below end in CRLF):\n\n",
	       domain, domain);
	fputs(so->policy, stdout);
	printf("\n");
	if (so->max_age < DNS_STS_MAX_AGE_MAX)
		printf("max_age %lu: fine while you test; raise it to "
		       "31557600 (a year) once the\npolicy is stable, and "
		       "change the id when you do.\n",
		       so->max_age);
	if (so->mode == DNS_STS_TESTING)
		printf("mode testing: senders only report. Switch to enforce "
		       "once the TLS reports\nshow no failures "
		       "(tlsrpt-summary tells you when).\n");
	return 0;
}

static int
do_build(const struct dns_opts *o)
{
	char domain[DNS_NAME_MAX + 1];
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct sts_out so = {DNS_STS_NONE, 0, NULL, NULL};
	int rc;

	tlsrpt_error_clear(&err);
	if (o->resolver != NULL)
		return usage_error("%s", "--resolver goes with --check");
	if (o->mode == NULL &&
	    (o->n_mx > 0 || o->max_age != NULL || o->id != NULL))
		return usage_error("%s", "--mx, --max-age and --id go with "
					 "--mta-sts MODE");
	if (dns_domain_check(o->domain, domain, sizeof(domain), &err) < 0) {
		fprintf(stderr, "tlsrpt-summary dns: %s\n", err.text);
		return EX_USAGE;
	}
	/* _smtp._tls. is the longest prefix we put before the domain. */
	if (strlen(domain) + 11 > DNS_NAME_MAX) {
		fprintf(stderr,
			"tlsrpt-summary dns: %s: too long for "
			"_smtp._tls.%s to be a name\n",
			domain, domain);
		return EX_USAGE;
	}
	if (o->mode != NULL && (rc = prepare_sts(o, &so)) != 0)
		goto out;
	rc = build_tlsrpt(o, domain);
	if (rc == 0 && o->mode != NULL)
		rc = print_sts(&so, domain);
out:
	tlsrpt_free(so.rec);
	tlsrpt_free(so.policy);
	return rc;
}

/* Exit status for a lookup that got no answer worth checking. */
static int
lookup_status_exit(enum dns_lookup_status st)
{
	return st == DNS_LOOKUP_TEMPFAIL ? EX_TEMPFAIL : EX_UNAVAILABLE;
}

/* A lookup that failed (not "no such record"): say why; the exit status. */
static int
lookup_failed(enum dns_lookup_status st, const struct tlsrpt_error *err)
{
	char text[TLSRPT_ERROR_PATH_MAX + TLSRPT_ERROR_TEXT_MAX + 8];

	printf("ERROR: %s\n", tlsrpt_error_format(err, text, sizeof(text)));
	return lookup_status_exit(st);
}

/* An owner that is an alias: its target's records were read. */
static void
note_alias(struct dns_findings *f, const char *owner, const char *cname)
{
	if (cname[0] != '\0')
		dns_finding_add(f, DNS_OK,
				"%s is an alias (CNAME) of %s; its records "
				"are used",
				owner, cname);
}

static int
do_check(const struct dns_opts *o)
{
	char domain[DNS_NAME_MAX + 1], owner[DNS_NAME_MAX + 16];
	char cname[DNS_NAME_MAX + 2];
	struct dns_resolver *r = NULL;
	struct dns_findings *f = NULL;
	struct dns_txt *recs = NULL;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	enum dns_lookup_status st;
	size_t n = 0;
	int rc = EX_UNAVAILABLE, sts_ok;

	tlsrpt_error_clear(&err);
	if (o->n_rua > 0 || o->mode != NULL || o->n_mx > 0)
		return usage_error("%s", "--check takes only DOMAIN and "
					 "--resolver");
	if (dns_domain_check(o->domain, domain, sizeof(domain), &err) < 0) {
		fprintf(stderr, "tlsrpt-summary dns: %s\n", err.text);
		return EX_USAGE;
	}
	r = tlsrpt_malloc(sizeof(*r));
	f = tlsrpt_malloc(sizeof(*f));
	if (r == NULL || f == NULL) {
		rc = EX_OSERR;
		goto out;
	}
	dns_findings_init(f);
	if (dns_resolver_open(r, o->resolver, &err) < 0) {
		fprintf(stderr, "tlsrpt-summary dns: %s\n", err.text);
		rc = err.code == TLSRPT_ERR_INVALID ? EX_USAGE : EX_UNAVAILABLE;
		goto out;
	}

	snprintf(owner, sizeof(owner), "_smtp._tls.%s", domain);
	st = dns_lookup_txt(r, owner, &recs, &n, cname, sizeof(cname), &err);
	if (st == DNS_LOOKUP_NXDOMAIN) {
		/* No record is an answer, not an error: each lookup after
		 * it starts clean (the first error would win). */
		tlsrpt_error_clear(&err);
		st = dns_lookup_exists(r, domain, &err);
		if (st == DNS_LOOKUP_NXDOMAIN) {
			printf("ERROR: %s: the domain does not exist "
			       "(NXDOMAIN)\n",
			       domain);
			rc = EX_NOHOST;
			goto out;
		}
		if (st == DNS_LOOKUP_NODATA)
			st = DNS_LOOKUP_OK;
	}
	if (st == DNS_LOOKUP_TEMPFAIL || st == DNS_LOOKUP_FAIL) {
		rc = lookup_failed(st, &err);
		goto out;
	}
	note_alias(f, owner, cname);
	(void)dns_tlsrpt_check_set(recs, n, owner, f);
	dns_txt_free(recs, n);
	recs = NULL;
	n = 0;

	snprintf(owner, sizeof(owner), "_mta-sts.%s", domain);
	tlsrpt_error_clear(&err);
	st = dns_lookup_txt(r, owner, &recs, &n, cname, sizeof(cname), &err);
	if (st == DNS_LOOKUP_TEMPFAIL || st == DNS_LOOKUP_FAIL) {
		print_findings(f);
		rc = lookup_failed(st, &err);
		goto out;
	}
	note_alias(f, owner, cname);
	sts_ok = dns_sts_check_set(recs, n, owner, f);
	if (sts_ok == 0 && n > 0 && f->n_level[DNS_ERROR] == 0)
		dns_finding_add(f, DNS_OK,
				"the MTA-STS policy file is not fetched here; "
				"check it with: curl -sS "
				"https://mta-sts.%s/.well-known/mta-sts.txt | "
				"tlsrpt-summary dns --check-policy -",
				domain);
	print_findings(f);
	rc = f->n_level[DNS_ERROR] > 0 ? 1 : 0;
out:
	dns_txt_free(recs, n);
	if (r != NULL)
		dns_resolver_close(r);
	tlsrpt_free(r);
	tlsrpt_free(f);
	return rc;
}

static int
do_check_policy(const char *path)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	struct dns_findings *f = NULL;
	char *buf = NULL;
	size_t len;
	int rc = EX_NOINPUT;

	if (fp == NULL) {
		fprintf(stderr, "tlsrpt-summary dns: %s: cannot open\n", path);
		return EX_NOINPUT;
	}
	buf = tlsrpt_malloc(DNS_POLICY_MAX + 1);
	f = tlsrpt_malloc(sizeof(*f));
	if (buf == NULL || f == NULL) {
		rc = EX_OSERR;
		goto out;
	}
	/* One octet more than allowed tells a too-long file apart. */
	len = fread(buf, 1, DNS_POLICY_MAX + 1, fp);
	if (ferror(fp)) {
		fprintf(stderr, "tlsrpt-summary dns: %s: read error\n", path);
		goto out;
	}
	dns_findings_init(f);
	(void)dns_sts_policy_check(buf, len, f);
	print_findings(f);
	rc = f->n_level[DNS_ERROR] > 0 ? 1 : 0;
out:
	if (fp != stdin)
		fclose(fp);
	tlsrpt_free(buf);
	tlsrpt_free(f);
	return rc;
}

int
dns_command(int argc, char **argv)
{
	struct dns_opts o;

	if (parse_args(argc, argv, &o) < 0)
		return EX_USAGE;
	if (o.help) {
		usage(stdout);
		return 0;
	}
	if (o.policy_file != NULL) {
		if (o.domain != NULL || o.check)
			return usage_error("%s", "--check-policy takes only "
						 "FILE");
		return do_check_policy(o.policy_file);
	}
	if (o.domain == NULL)
		return usage_error("%s", "DOMAIN is missing");
	if (o.check)
		return do_check(&o);
	return do_build(&o);
}
