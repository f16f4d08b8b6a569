/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_dns_record.c -- the pure part of `tlsrpt-summary dns`: TLSRPT and
 * MTA-STS TXT records (RFC 8460 section 3, RFC 8461 section 3.1) and the
 * MTA-STS policy file (RFC 8461 section 3.2), built and checked.
 */
#include <check.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "dns/dns_record.h"
#include "tests/unit/testutil.h"

/* 1 when some finding of that level contains needle. */
static int
has_finding(const struct dns_findings *f, enum dns_level level,
	    const char *needle)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->item[i].level == level &&
		    strstr(f->item[i].text, needle) != NULL)
			return 1;
	return 0;
}

static void
dump(const struct dns_findings *f)
{
	for (size_t i = 0; i < f->n; i++)
		fprintf(stderr, "  %s: %s\n", dns_level_name(f->item[i].level),
			f->item[i].text);
}

/* One TLSRPT record, and what dns_tlsrpt_check says of it. */
struct rec_case {
	const char *rec;
	int valid;
	const char *needle; /* in some finding, or NULL */
	enum dns_level level;
};

static const struct rec_case tlsrpt_cases[] = {
	/* RFC 8460 section 3 examples */
	{"v=TLSRPTv1; rua=mailto:reports@example.com", 1,
	 "reports go to mailto:reports@example.com", DNS_OK},
	{"v=TLSRPTv1; rua=https://reporting.example.com/v1/tlsrpt", 1,
	 "https://reporting.example.com/v1/tlsrpt", DNS_OK},
	/* spaces around ';', none at all, trailing ';' and spaces */
	{"v=TLSRPTv1;rua=mailto:a@example.com", 1, NULL, DNS_OK},
	{"v=TLSRPTv1 ;  rua=mailto:a@example.com ; ", 1, NULL, DNS_OK},
	{"v=TLSRPTv1;\trua=mailto:a@example.com;", 1, NULL, DNS_OK},
	/* several URIs, with spaces around the commas */
	{"v=TLSRPTv1; rua=mailto:a@example.com,https://r.example.net/x", 1,
	 "https://r.example.net/x", DNS_OK},
	{"v=TLSRPTv1; rua=mailto:a@example.com , mailto:b@example.org", 1,
	 "mailto:b@example.org", DNS_OK},
	/* percent-encoded , ! ; inside a URI */
	{"v=TLSRPTv1; rua=https://r.example.com/a%2Cb%21c%3Bd", 1, NULL,
	 DNS_OK},
	{"v=TLSRPTv1; rua=mailto:tls%21rpt@example.com", 1, NULL, DNS_OK},
	/* ports, query strings, mailto header fields */
	{"v=TLSRPTv1; rua=https://r.example.com:8443/p?d=example.com", 1, NULL,
	 DNS_OK},
	{"v=TLSRPTv1; rua=mailto:a@example.com?subject=tlsrpt", 1, NULL,
	 DNS_OK},
	/* extensions: fine, and mentioned */
	{"v=TLSRPTv1; rua=mailto:a@example.com; ext_1.x-y=val:ue", 1,
	 "extension ext_1.x-y=val:ue", DNS_OK},
	{"v=TLSRPTv1; foo=bar; rua=mailto:a@example.com", 1, "foo=bar", DNS_OK},
	/* the whole sentence (dns_fields.c writes it for both records) */
	{"v=TLSRPTv1; rua=mailto:a@example.com; x=1", 1,
	 "extension x=1 is not defined by RFC 8460; reporters ignore it",
	 DNS_OK},
	/* two rua fields: legal grammar, but say so */
	{"v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com", 1,
	 "rua= appears 2 times", DNS_WARNING},

	/* version: exact, case-sensitive, first, followed by a delimiter */
	{"v=tlsrptv1; rua=mailto:a@example.com", 0, "exactly v=TLSRPTv1",
	 DNS_ERROR},
	{"V=TLSRPTv1; rua=mailto:a@example.com", 0, "exactly v=TLSRPTv1",
	 DNS_ERROR},
	{" v=TLSRPTv1; rua=mailto:a@example.com", 0, "exactly v=TLSRPTv1",
	 DNS_ERROR},
	{"v=TLSRPTv2; rua=mailto:a@example.com", 0, "exactly v=TLSRPTv1",
	 DNS_ERROR},
	{"v=TLSRPTv10; rua=mailto:a@example.com", 0, "expected after",
	 DNS_ERROR},
	{"v=TLSRPTv1, rua=mailto:a@example.com", 0, "expected after",
	 DNS_ERROR},
	{"v=TLSRPTv1 rua=mailto:a@example.com", 0, "';' expected", DNS_ERROR},
	/* rua: required, case-sensitive, not empty */
	{"v=TLSRPTv1", 0, "no rua=", DNS_ERROR},
	{"v=TLSRPTv1;", 0, "no rua=", DNS_ERROR},
	{"v=TLSRPTv1; foo=bar", 0, "no rua=", DNS_ERROR},
	{"v=TLSRPTv1; RUA=mailto:a@example.com", 0, "case-sensitive",
	 DNS_ERROR},
	{"v=TLSRPTv1; rua=", 0, "empty URI", DNS_ERROR},
	{"v=TLSRPTv1; rua=mailto:a@example.com,", 0, "empty URI", DNS_ERROR},
	/* bad URIs */
	{"v=TLSRPTv1; rua=tlsrpt@example.com", 0, "no scheme", DNS_ERROR},
	{"v=TLSRPTv1; rua=http://r.example.com/x", 0, "never plain http",
	 DNS_ERROR},
	{"v=TLSRPTv1; rua=ftp://r.example.com/x", 0,
	 "only mailto: and https:", DNS_ERROR},
	{"v=TLSRPTv1; rua=mailto:example.com", 0, "no '@'", DNS_ERROR},
	{"v=TLSRPTv1; rua=mailto:a@localhost", 0, "fully qualified", DNS_ERROR},
	{"v=TLSRPTv1; rua=mailto:a..b@example.com", 0, "local part", DNS_ERROR},
	{"v=TLSRPTv1; rua=https:/r.example.com/x", 0, "needs a host",
	 DNS_ERROR},
	{"v=TLSRPTv1; rua=https://r.example.com:x/", 0, "bad port", DNS_ERROR},
	{"v=TLSRPTv1; rua=https://r.example.com/a!b", 0, "%21", DNS_ERROR},
	{"v=TLSRPTv1; rua=https://r.example.com/%zz", 0, "%XX", DNS_ERROR},
	{"v=TLSRPTv1; rua=mailto:a@exa_mple.com", 0, "not allowed", DNS_ERROR},
	/* broken extensions */
	{"v=TLSRPTv1; rua=mailto:a@example.com; foo=", 0, "malformed value",
	 DNS_ERROR},
	{"v=TLSRPTv1; rua=mailto:a@example.com; =bar", 0, "name=value",
	 DNS_ERROR},
	{"v=TLSRPTv1; rua=mailto:a@example.com; _x=bar", 0, "name=value",
	 DNS_ERROR},
	{"v=TLSRPTv1; rua=mailto:a@example.com; foo=b=r", 0, "expected",
	 DNS_ERROR},
};

START_TEST(test_tlsrpt_record)
{
	const struct rec_case *c = &tlsrpt_cases[_i];
	struct dns_findings f;
	int rc;

	dns_findings_init(&f);
	rc = dns_tlsrpt_check(c->rec, strlen(c->rec), "", &f);
	if ((rc == 0) != c->valid ||
	    (c->needle != NULL && !has_finding(&f, c->level, c->needle))) {
		dump(&f);
		ck_abort_msg("\"%s\": rc %d, want %s with %s \"%s\"", c->rec,
			     rc, c->valid ? "valid" : "invalid",
			     dns_level_name(c->level),
			     c->needle ? c->needle : "");
	}
	ck_assert_uint_eq(f.n_level[DNS_ERROR] == 0, c->valid);
}
END_TEST

START_TEST(test_tlsrpt_nul_byte)
{
	static const char rec[] = "v=TLSRPTv1; rua=mailto:a@example.com\0x";
	struct dns_findings f;

	dns_findings_init(&f);
	ck_assert_int_eq(dns_tlsrpt_check(rec, sizeof(rec) - 1, "", &f), -1);
	ck_assert(has_finding(&f, DNS_ERROR, "NUL"));
}
END_TEST

static struct dns_txt
txt(const char *s, size_t nstrings)
{
	struct dns_txt t;

	t.text = (char *)s;
	t.len = strlen(s);
	t.nstrings = nstrings;
	return t;
}

START_TEST(test_set_one_among_others)
{
	struct dns_txt r[3] = {
		txt("v=spf1 -all", 1),
		txt("v=TLSRPTv1; rua=mailto:a@example.com", 1),
		txt("google-site-verification=abc", 1),
	};
	struct dns_findings f;

	dns_findings_init(&f);
	ck_assert_int_eq(dns_tlsrpt_check_set(r, 3, "_smtp._tls.x.example", &f),
			 0);
	ck_assert(has_finding(&f, DNS_OK, "other TXT record ignored"));
	ck_assert(has_finding(&f, DNS_OK, "valid TLSRPT record"));
	ck_assert_uint_eq(f.n_level[DNS_ERROR], 0);
}
END_TEST

START_TEST(test_set_two_records)
{
	struct dns_txt r[2] = {
		txt("v=TLSRPTv1; rua=mailto:a@example.com", 1),
		txt("v=TLSRPTv1; rua=mailto:b@example.com", 1),
	};
	struct dns_findings f;

	dns_findings_init(&f);
	ck_assert_int_eq(dns_tlsrpt_check_set(r, 2, "o", &f), -1);
	ck_assert(has_finding(&f, DNS_ERROR, "2 records start with"));
	ck_assert(has_finding(&f, DNS_OK, "record 2: reports go to"));
	ck_assert(!has_finding(&f, DNS_OK, "valid TLSRPT record"));
}
END_TEST

START_TEST(test_set_none)
{
	struct dns_txt r[1] = {txt("v=spf1 -all", 1)};
	struct dns_findings f;

	dns_findings_init(&f);
	ck_assert_int_eq(dns_tlsrpt_check_set(NULL, 0, "o", &f), -1);
	ck_assert(has_finding(&f, DNS_ERROR, "no TLSRPT record"));
	dns_findings_init(&f);
	ck_assert_int_eq(dns_tlsrpt_check_set(r, 1, "o", &f), -1);
	ck_assert(has_finding(&f, DNS_ERROR, "no TLSRPT record"));
}
END_TEST

START_TEST(test_set_near_miss)
{
	struct dns_txt r[2] = {
		txt("rua=mailto:a@example.com; v=TLSRPTv1", 1),
		txt("v=TLSRPTV1; rua=mailto:a@example.com", 1),
	};
	struct dns_findings f;

	dns_findings_init(&f);
	ck_assert_int_eq(dns_tlsrpt_check_set(r, 2, "o", &f), -1);
	ck_assert_uint_eq(f.n_level[DNS_ERROR], 3);
	ck_assert(has_finding(&f, DNS_ERROR, "ignored by senders"));
}
END_TEST

START_TEST(test_set_split)
{
	struct dns_txt ok[1] = {txt("v=TLSRPTv1;rua=mailto:a@example.com", 2)};
	struct dns_txt bad[1] = {txt(
		"v=TLSRPTv1; rua=mailto:a@example.commailto:b@example.com", 2)};
	struct dns_findings f;

	dns_findings_init(&f);
	ck_assert_int_eq(dns_tlsrpt_check_set(ok, 1, "o", &f), 0);
	ck_assert(has_finding(&f, DNS_OK, "split into 2 character-strings"));
	dns_findings_init(&f);
	ck_assert_int_eq(dns_tlsrpt_check_set(bad, 1, "o", &f), -1);
	ck_assert(has_finding(&f, DNS_WARNING, "check the split points"));
}
END_TEST

START_TEST(test_rdata)
{
	static const unsigned char two[] = "\x0bv=TLSRPTv1;\x05rua=x";
	static const unsigned char empty[] = "\x00";
	static const unsigned char bad[] = "\x09v=TLSRPT";
	struct dns_txt t;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	ck_assert_int_eq(dns_txt_from_rdata(two, sizeof(two) - 1, &t, &err), 0);
	ck_assert_str_eq(t.text, "v=TLSRPTv1;rua=x");
	ck_assert_uint_eq(t.nstrings, 2);
	dns_txt_clear(&t);
	ck_assert_int_eq(dns_txt_from_rdata(empty, 1, &t, &err), 0);
	ck_assert_uint_eq(t.len, 0);
	ck_assert_uint_eq(t.nstrings, 1);
	dns_txt_clear(&t);
	ck_assert_int_eq(dns_txt_from_rdata(bad, sizeof(bad) - 1, &t, &err),
			 -1);
	ck_assert_ptr_null(t.text);
	ck_assert(strstr(err.text, "past the end") != NULL);
}
END_TEST

struct name_case {
	const char *in;
	const char *out; /* NULL: refused */
	const char *needle;
};

static const struct name_case domains[] = {
	{"example.com", "example.com", NULL},
	{"Example.COM.", "Example.COM", NULL},
	{"xn--bcher-kva.example", "xn--bcher-kva.example", NULL},
	{"a-b.c-d.example", "a-b.c-d.example", NULL},
	{"b\xc3\xbc"
	 "cher.example",
	 NULL, "A-label"},
	{"example", NULL, "fully qualified"},
	{"", NULL, "empty"},
	{"a..example", NULL, "empty label"},
	{".example.com", NULL, "empty label"},
	{"-a.example", NULL, "'-'"},
	{"a-.example", NULL, "'-'"},
	{"a_b.example", NULL, "not allowed"},
	{"192.0.2.1", NULL, "IP address"},
	{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
	 "example",
	 NULL, "63"},
};

START_TEST(test_domain)
{
	const struct name_case *c = &domains[_i];
	char out[DNS_NAME_MAX + 1];
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	int rc;

	tlsrpt_error_clear(&err);
	rc = dns_domain_check(c->in, out, sizeof(out), &err);
	if (c->out != NULL) {
		ck_assert_msg(rc == 0, "%s: %s", c->in, err.text);
		ck_assert_str_eq(out, c->out);
	} else {
		ck_assert_msg(rc == -1, "%s accepted", c->in);
		ck_assert_msg(strstr(err.text, c->needle) != NULL, "%s: %s",
			      c->in, err.text);
	}
}
END_TEST

START_TEST(test_domain_too_long)
{
	char name[300], out[DNS_NAME_MAX + 1];
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	/* 4 x 63 + 3 dots + ".ab" = 258 octets */
	memset(name, 'a', sizeof(name));
	for (int i = 63; i < 255; i += 64)
		name[i] = '.';
	memcpy(name + 255, ".ab", 4);
	ck_assert_int_eq(dns_domain_check(name, out, sizeof(out), &err), -1);
	ck_assert(strstr(err.text, "at most 253") != NULL);
}
END_TEST

static const struct name_case mx_cases[] = {
	{"mx1.example.com", "mx1.example.com", NULL},
	{"*.mail.example.com", "*.mail.example.com", NULL},
	{"mx.example.com.", "mx.example.com", NULL},
	{"*.example.com.", "*.example.com", NULL},
	{"mx*.example.com", NULL, "left-most"},
	{"*mx.example.com", NULL, "left-most"},
	{"a.*.example.com", NULL, "left-most"},
	{"*.*.example.com", NULL, "left-most"},
	{"*", NULL, "left-most"},
	{"*.", NULL, "left-most"},
	{"mx_1.example.com", NULL, "not allowed"},
};

START_TEST(test_mx_pattern)
{
	const struct name_case *c = &mx_cases[_i];
	char out[DNS_NAME_MAX + 3];
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	int rc;

	tlsrpt_error_clear(&err);
	rc = dns_mx_pattern_check(c->in, out, sizeof(out), &err);
	if (c->out != NULL) {
		ck_assert_msg(rc == 0, "%s: %s", c->in, err.text);
		ck_assert_str_eq(out, c->out);
	} else {
		ck_assert_msg(rc == -1, "%s accepted", c->in);
		ck_assert_msg(strstr(err.text, c->needle) != NULL, "%s: %s",
			      c->in, err.text);
	}
}
END_TEST

static const struct name_case prepare_cases[] = {
	{"mailto:tlsrpt@example.com", "mailto:tlsrpt@example.com", NULL},
	{"https://r.example.com/tls;rpt!a,b",
	 "https://r.example.com/tls%3Brpt%21a%2Cb", NULL},
	{"https://r.example.com/a b", "https://r.example.com/a%20b", NULL},
	{"https://r.example.com/100%", "https://r.example.com/100%25", NULL},
	{"https://r.example.com/%2C", "https://r.example.com/%2C", NULL},
	{"mailto:a@example.com,mailto:b@example.com", NULL, "own --rua"},
	{"mailto:a@example.com, https://r.example.com/", NULL, "own --rua"},
	{"mailto:a@example.com,b@example.com", NULL, "one address"},
	{"a@example.com", NULL, "no scheme"},
	{"mailto:a@b\xc3\xbc"
	 "cher.example",
	 NULL, "A-label"},
};

/* RFC 8461 section 4.1: an MX host against a policy's mx pattern. */
struct match_case {
	const char *pattern, *host;
	int match;
};

static const struct match_case match_cases[] = {
	{"mx.example.com", "mx.example.com", 1},
	{"mx.example.com", "MX.Example.COM", 1},  /* case-insensitive */
	{"mx.example.com.", "mx.example.com", 1}, /* trailing dots */
	{"mx.example.com", "mx.example.com.", 1},
	{"mx.example.com", "mx2.example.com", 0},
	{"mx.example.com", "x.mx.example.com", 0},
	/* "*." stands for exactly one leftmost label */
	{"*.example.com", "mx.example.com", 1},
	{"*.example.com", "MX.EXAMPLE.com", 1},
	{"*.example.com", "example.com", 0},
	{"*.example.com", "a.b.example.com", 0},
	{"*.example.com", ".example.com", 0},
	{"*.example.com", "mxexample.com", 0},
	{"*.example.com", "mx.example.com.", 1},
	/* a wildcard anywhere else is a literal, matching nothing real */
	{"mx.*.example.com", "mx.a.example.com", 0},
	{"*", "example", 0},
	{"*.", "a.", 0},
};

START_TEST(test_mx_match)
{
	const struct match_case *c = &match_cases[_i];

	ck_assert_msg(dns_mx_pattern_match(c->pattern, c->host) == c->match,
		      "pattern \"%s\", host \"%s\": want %d", c->pattern,
		      c->host, c->match);
}
END_TEST

START_TEST(test_uri_prepare)
{
	const struct name_case *c = &prepare_cases[_i];
	char out[DNS_URI_MAX * 3 + 1];
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	int rc;

	tlsrpt_error_clear(&err);
	rc = dns_uri_prepare(c->in, out, sizeof(out), &err);
	if (c->out != NULL) {
		ck_assert_msg(rc >= 0, "%s: %s", c->in, err.text);
		ck_assert_str_eq(out, c->out);
		ck_assert_int_eq(rc, strcmp(c->in, c->out) != 0);
	} else {
		ck_assert_msg(rc == -1, "%s accepted as %s", c->in, out);
		ck_assert_msg(strstr(err.text, c->needle) != NULL, "%s: %s",
			      c->in, err.text);
	}
}
END_TEST

START_TEST(test_build_tlsrpt)
{
	const char *uris[] = {"mailto:a@example.com",
			      "https://r.example.com/x%2Cy"};
	char *rec = NULL;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct dns_findings f;

	ck_assert_int_eq(dns_tlsrpt_build(uris, 2, &rec, &err), 0);
	ck_assert_str_eq(rec, "v=TLSRPTv1; rua=mailto:a@example.com,"
			      "https://r.example.com/x%2Cy");
	dns_findings_init(&f);
	ck_assert_int_eq(dns_tlsrpt_check(rec, strlen(rec), "", &f), 0);
	tlsrpt_free(rec);
	ck_assert_int_eq(dns_tlsrpt_build(uris, 0, &rec, &err), -1);
	ck_assert_ptr_null(rec);
}
END_TEST

START_TEST(test_zone_line)
{
	char value[600], *line = NULL, *p;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	size_t quotes = 0;

	ck_assert_int_eq(dns_zone_txt_line("_smtp._tls.example.com",
					   "v=TLSRPTv1; rua=mailto:a@x.example",
					   &line, &err),
			 0);
	ck_assert_str_eq(line, "_smtp._tls.example.com. IN TXT "
			       "\"v=TLSRPTv1; rua=mailto:a@x.example\"");
	tlsrpt_free(line);

	/* 600 octets: strings of 255, 255 and 90 */
	memset(value, 'a', sizeof(value) - 1);
	value[sizeof(value) - 1] = '\0';
	ck_assert_int_eq(dns_zone_txt_line("o", value, &line, &err), 0);
	for (p = line; *p != '\0'; p++)
		quotes += *p == '"';
	ck_assert_uint_eq(quotes, 6);
	p = strchr(line, '"');
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_eq(strchr(p + 1, '"'), p + 1 + 255);
	tlsrpt_free(line);

	ck_assert_int_eq(dns_zone_txt_line("o", "a\"b\\c", &line, &err), 0);
	ck_assert_str_eq(line, "o. IN TXT \"a\\\"b\\\\c\"");
	tlsrpt_free(line);
}
END_TEST

static const struct rec_case sts_cases[] = {
	{"v=STSv1; id=20160831085700Z", 1, "policy id 20160831085700Z", DNS_OK},
	{"v=STSv1;id=1", 1, NULL, DNS_OK},
	{"v=STSv1; id=abc; ", 1, NULL, DNS_OK},
	{"v=STSv1; id=abc; ext=1", 1, "ext=1", DNS_OK},
	{"v=STSv1; id=abc; ext=1", 1,
	 "extension ext=1 is not defined by RFC 8461; senders ignore it",
	 DNS_OK},
	{"v=STSv1; id=abc; ext=", 0,
	 "value at offset 21: \"\" (the record does not", DNS_ERROR},
	{"v=STSv1; id=", 0, "an empty or malformed value at offset 12",
	 DNS_ERROR},
	{"v=STSv1; id=abcdefghijklmnopqrstuvwxyz012345", 1, NULL, DNS_OK},
	{"v=STSv1; id=abcdefghijklmnopqrstuvwxyz0123456", 0, "1 to 32",
	 DNS_ERROR},
	{"v=STSv1; id=2024-01-01", 0, "1 to 32", DNS_ERROR},
	{"v=STSv1", 0, "no id=", DNS_ERROR},
	{"v=STSv1; id=1; id=2", 0, "2 times", DNS_ERROR},
	{"v=stsv1; id=1", 0, "exactly v=STSv1", DNS_ERROR},
	{"v=STSv1 id=1", 0, "';' expected", DNS_ERROR},
};

START_TEST(test_sts_record)
{
	const struct rec_case *c = &sts_cases[_i];
	struct dns_findings f;
	int rc;

	dns_findings_init(&f);
	rc = dns_sts_check(c->rec, strlen(c->rec), "", &f);
	if ((rc == 0) != c->valid ||
	    (c->needle != NULL && !has_finding(&f, c->level, c->needle))) {
		dump(&f);
		ck_abort_msg("\"%s\": rc %d", c->rec, rc);
	}
}
END_TEST

START_TEST(test_sts_set)
{
	struct dns_txt one[1] = {txt("v=STSv1; id=1", 1)};
	struct dns_txt other[1] = {txt("hello", 1)};
	struct dns_txt two[2] = {txt("v=STSv1; id=1", 1),
				 txt("v=STSv1; id=2", 1)};
	struct dns_findings f;

	dns_findings_init(&f);
	ck_assert_int_eq(dns_sts_check_set(NULL, 0, "o", &f), 0);
	ck_assert(has_finding(&f, DNS_OK, "not in use"));
	dns_findings_init(&f);
	ck_assert_int_eq(dns_sts_check_set(other, 1, "o", &f), 0);
	ck_assert(has_finding(&f, DNS_OK, "not in use"));
	dns_findings_init(&f);
	ck_assert_int_eq(dns_sts_check_set(one, 1, "o", &f), 0);
	ck_assert(has_finding(&f, DNS_OK, "valid MTA-STS record"));
	dns_findings_init(&f);
	ck_assert_int_eq(dns_sts_check_set(two, 2, "o", &f), -1);
	ck_assert(has_finding(&f, DNS_ERROR, "2 records start with v=STSv1"));
}
END_TEST

START_TEST(test_sts_build)
{
	char *rec = NULL;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	ck_assert_int_eq(dns_sts_build("20261129120000", &rec, &err), 0);
	ck_assert_str_eq(rec, "v=STSv1; id=20261129120000");
	tlsrpt_free(rec);
	ck_assert_int_eq(dns_sts_build("2026-11-29", &rec, &err), -1);
	ck_assert_int_eq(dns_sts_build("", &rec, &err), -1);
	ck_assert(dns_sts_id_valid("A1"));
	ck_assert(!dns_sts_id_valid("T 1"));
}
END_TEST

START_TEST(test_policy_build)
{
	const char *mx[] = {"mx1.example.com", "*.mx.example.com"};
	char *p = NULL;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct dns_findings f;

	ck_assert_int_eq(
		dns_sts_policy_build(DNS_STS_TESTING, mx, 2, 604800, &p, &err),
		0);
	ck_assert_str_eq(p, "version: STSv1\r\nmode: testing\r\n"
			    "mx: mx1.example.com\r\nmx: *.mx.example.com\r\n"
			    "max_age: 604800\r\n");
	dns_findings_init(&f);
	ck_assert_int_eq(dns_sts_policy_check(p, strlen(p), &f), 0);
	ck_assert(has_finding(&f, DNS_OK, "raise it to 31557600"));
	ck_assert_uint_eq(f.n_level[DNS_WARNING], 0);
	tlsrpt_free(p);
	ck_assert_int_eq(
		dns_sts_policy_build(DNS_STS_ENFORCE, mx, 0, 86400, &p, &err),
		-1);
	ck_assert_int_eq(
		dns_sts_policy_build(DNS_STS_NONE, mx, 0, 86400, &p, &err), 0);
	tlsrpt_free(p);
	ck_assert_int_eq(dns_sts_policy_build(DNS_STS_ENFORCE, mx, 1,
					      31557601UL, &p, &err),
			 -1);
}
END_TEST

static const struct rec_case policy_cases[] = {
	{"version: STSv1\r\nmode: enforce\r\nmx: mx.example.com\r\n"
	 "max_age: 31557600\r\n",
	 1, "valid, mode enforce, 1 mx", DNS_OK},
	{"version: STSv1\nmode: testing\nmx: mx.example.com\nmax_age: 86400", 1,
	 "bare LF", DNS_WARNING},
	{"version: STSv1\r\nmode: none\r\nmax_age: 86400\r\n", 1, NULL, DNS_OK},
	{"version: STSv1\r\nmode:testing\r\nmx:*.example.com\r\n"
	 "max_age:86400\r\nfoo: bar baz\r\n",
	 1, "extension", DNS_OK},
	{"version: STSv1\r\nmode: testing\r\nmx: mx.example.com\r\n"
	 "max_age: 60\r\n",
	 1, "under a day", DNS_WARNING},
	{"mode: enforce\r\nversion: STSv1\r\nmx: mx.example.com\r\n"
	 "max_age: 86400\r\n",
	 0, "first line", DNS_ERROR},
	{"version: STSv2\r\nmode: enforce\r\nmx: mx.example.com\r\n"
	 "max_age: 86400\r\n",
	 0, "STSv1", DNS_ERROR},
	{"version: STSv1\r\nmode: Enforce\r\nmx: mx.example.com\r\n"
	 "max_age: 86400\r\n",
	 0, "not enforce, testing or none", DNS_ERROR},
	{"version: STSv1\r\nmode: enforce\r\nmax_age: 86400\r\n", 0,
	 "without any mx", DNS_ERROR},
	{"version: STSv1\r\nmode: enforce\r\nmx: mx.*.example.com\r\n"
	 "max_age: 86400\r\n",
	 0, "left-most", DNS_ERROR},
	{"version: STSv1\r\nmode: enforce\r\nmx: mx.example.com\r\n"
	 "max_age: 31557601\r\n",
	 0, "max_age must be", DNS_ERROR},
	{"version: STSv1\r\nmode: enforce\r\nmx: mx.example.com\r\n"
	 "max_age: -1\r\n",
	 0, "max_age must be", DNS_ERROR},
	{"version: STSv1\r\nmode: enforce\r\nmx: mx.example.com\r\n", 0,
	 "no max_age", DNS_ERROR},
	{"version: STSv1\r\nmode: enforce\r\nmode: testing\r\n"
	 "mx: mx.example.com\r\nmax_age: 1\r\n",
	 0, "repeated", DNS_ERROR},
	{"version: STSv1\r\nhello\r\n", 0, "key: value", DNS_ERROR},
};

START_TEST(test_policy_check)
{
	const struct rec_case *c = &policy_cases[_i];
	struct dns_findings f;
	int rc;

	dns_findings_init(&f);
	rc = dns_sts_policy_check(c->rec, strlen(c->rec), &f);
	if ((rc == 0) != c->valid ||
	    (c->needle != NULL && !has_finding(&f, c->level, c->needle))) {
		dump(&f);
		ck_abort_msg("policy case %d: rc %d", _i, rc);
	}
}
END_TEST

/* One reading gives the check's verdict and the values a sender uses:
 * the mx patterns in file order (more than one allocation's worth),
 * without their trailing dot; nothing to free when invalid. */
START_TEST(test_policy_parse)
{
	struct dns_findings f;
	struct dns_sts_policy p;
	GString *text = g_string_new("version: STSv1\r\nmode: testing\r\n");
	const char *bad = "version: STSv1\r\nmode: enforce\r\nmx: "
			  "ok.example\r\nmx: a.b.*\r\n"
			  "max_age: 86400\r\n";

	for (int i = 0; i < 20; i++)
		g_string_append_printf(text, "mx: mx%d.example.com.\r\n", i);
	g_string_append(text, "mx: *.example.net\r\nmax_age: 604800\r\n");
	dns_findings_init(&f);
	ck_assert_int_eq(dns_sts_policy_parse(text->str, text->len, &f, &p), 0);
	ck_assert_int_eq(p.mode, DNS_STS_TESTING);
	ck_assert_uint_eq(p.max_age, 604800);
	ck_assert_uint_eq(p.n_mx, 21);
	ck_assert_str_eq(p.mx[0], "mx0.example.com");
	ck_assert_str_eq(p.mx[19], "mx19.example.com");
	ck_assert_str_eq(p.mx[20], "*.example.net");
	dns_sts_policy_free(&p);
	dns_findings_init(&f);
	ck_assert_int_eq(dns_sts_policy_parse(bad, strlen(bad), &f, &p), -1);
	ck_assert_uint_eq(p.n_mx, 0);
	ck_assert_ptr_null(p.mx);
	g_string_free(text, TRUE);
}
END_TEST

START_TEST(test_findings_bounded)
{
	struct dns_findings f;
	char q[64];

	dns_findings_init(&f);
	for (int i = 0; i < DNS_FINDINGS_MAX + 5; i++)
		dns_finding_add(&f, DNS_WARNING, "w%d", i);
	ck_assert_uint_eq(f.n, DNS_FINDINGS_MAX);
	ck_assert_uint_eq(f.dropped, 5);
	ck_assert_uint_eq(f.n_level[DNS_WARNING], DNS_FINDINGS_MAX + 5);
	ck_assert_str_eq(dns_quote("a\x01"
				   "b",
				   3, q, sizeof(q)),
			 "a\\x01b");
}
END_TEST

/* Every allocation failure is survived without a leak. */
START_TEST(test_alloc_failures)
{
	const char *uris[] = {"mailto:a@example.com"};
	const char *mx[] = {"mx.example.com"};
	static const unsigned char rd[] = "\x03"
					  "abc";
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char *out;
	struct dns_txt t;

	tlsrpt_alloc_fail_after(1);
	ck_assert_int_eq(dns_tlsrpt_build(uris, 1, &out, &err), -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_NOMEM);
	ck_assert_int_eq(dns_sts_build("1", &out, &err), -1);
	ck_assert_int_eq(
		dns_sts_policy_build(DNS_STS_ENFORCE, mx, 1, 1, &out, &err),
		-1);
	ck_assert_int_eq(dns_zone_txt_line("o", "v", &out, &err), -1);
	ck_assert_int_eq(dns_txt_from_rdata(rd, 4, &t, &err), -1);
	ck_assert_ptr_null(t.text);
	tlsrpt_alloc_fail_after(0);
}
END_TEST

static Suite *
dns_suite(void)
{
	Suite *s = suite_create("dns_record");
	TCase *tc = tcase_create("records");

	tcase_add_loop_test(tc, test_tlsrpt_record, 0,
			    sizeof(tlsrpt_cases) / sizeof(tlsrpt_cases[0]));
	tcase_add_test(tc, test_tlsrpt_nul_byte);
	tcase_add_test(tc, test_set_one_among_others);
	tcase_add_test(tc, test_set_two_records);
	tcase_add_test(tc, test_set_none);
	tcase_add_test(tc, test_set_near_miss);
	tcase_add_test(tc, test_set_split);
	tcase_add_test(tc, test_rdata);
	tcase_add_loop_test(tc, test_domain, 0,
			    sizeof(domains) / sizeof(domains[0]));
	tcase_add_test(tc, test_domain_too_long);
	tcase_add_loop_test(tc, test_mx_pattern, 0,
			    sizeof(mx_cases) / sizeof(mx_cases[0]));
	tcase_add_loop_test(tc, test_mx_match, 0,
			    sizeof(match_cases) / sizeof(match_cases[0]));
	tcase_add_loop_test(tc, test_uri_prepare, 0,
			    sizeof(prepare_cases) / sizeof(prepare_cases[0]));
	tcase_add_test(tc, test_build_tlsrpt);
	tcase_add_test(tc, test_zone_line);
	tcase_add_loop_test(tc, test_sts_record, 0,
			    sizeof(sts_cases) / sizeof(sts_cases[0]));
	tcase_add_test(tc, test_sts_set);
	tcase_add_test(tc, test_sts_build);
	tcase_add_test(tc, test_policy_build);
	tcase_add_loop_test(tc, test_policy_check, 0,
			    sizeof(policy_cases) / sizeof(policy_cases[0]));
	tcase_add_test(tc, test_policy_parse);
	tcase_add_test(tc, test_findings_bounded);
	tcase_add_test(tc, test_alloc_failures);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	tlsrpt_alloc_init();
	return test_run(dns_suite());
}
