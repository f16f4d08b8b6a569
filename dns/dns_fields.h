/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns_fields.h -- the grammar the TLSRPT and MTA-STS records share
 * (dns_fields.c), for the two records' files only: dns_record.h is the
 * public side. RFC 8460 section 3 and RFC 8461 section 3.1 both write a
 * record as a version tag, then "name=value" fields separated by *WSP ";"
 * *WSP; a record decides only what its own fields mean.
 */
#ifndef TLSRPT_DNS_DNS_FIELDS_H
#define TLSRPT_DNS_DNS_FIELDS_H

#include <stddef.h>

#include "dns/dns_record.h"

/* ASCII letters and digits; space and tab. */
int dns_fields_is_alnum(int c);
int dns_fields_is_wsp(int c);

/* Shared walk of "TAG; name=value; ..." records: grammar errors become
 * findings and set bad. */
struct dns_field_walk {
	const char *rec;
	size_t len;
	const char *prefix;
	struct dns_findings *f;
	int bad;
};

/* A finding that the byte at offset i breaks the grammar (what: "an empty
 * URI in rua="); sets w->bad. */
void dns_fields_bad_at(struct dns_field_walk *w, size_t i, const char *what);

/* Called for each name=value field, *p at the value: reads the value,
 * leaves *p after it, and counts what the record needs. */
typedef void (*dns_field_fn)(struct dns_field_walk *w, const char *name,
			     size_t nlen, size_t *p, void *arg);

/* What both records need before their fields -- to start with the version
 * tag, then ';' or white space, and no NUL byte -- then every field after
 * the tag, to the end or to the first grammar error (w->bad set). Returns
 * -1 when the version check failed (after its finding), else 0. */
int dns_fields_read(struct dns_field_walk *w, const char *tag,
		    dns_field_fn on_field, void *arg);

/* A plain value (the extension grammar: no space, ';' or '=') from *p on,
 * *p left after it. 0, or -1 after dns_fields_bad_at() when it is empty. */
int dns_fields_value(struct dns_field_walk *w, size_t *p);

/* The OK finding for an extension field the record's RFC does not define,
 * name up to offset end of the record: "extension x=y is not defined by
 * RFC 8460; reporters ignore it" (rfc "RFC 8460", who "reporters"). */
void dns_fields_extension(struct dns_field_walk *w, const char *name,
			  size_t end, const char *rfc, const char *who);

/* How many of the n records start with tag: the ones senders consider. */
size_t dns_fields_count(const struct dns_txt *recs, size_t n, const char *tag);

/* The TXT records at one name, filtered the way senders filter them. */
struct dns_set_check {
	const char *tag;     /* "v=TLSRPTv1" */
	const char *loose;   /* "v=tlsrpt": a near miss, said aloud */
	const char *what;    /* "TLSRPT" */
	const char *section; /* "RFC 8460 section 3" */
	int (*check)(const char *, size_t, const char *, struct dns_findings *);
};

/* Of the n records at owner, only those starting with sc->tag count, and
 * only when exactly one does; it is checked with sc->check. Near misses
 * (sc->loose anywhere) are errors, other records are said to be ignored.
 * 0 when the one record is valid, -1 otherwise (no finding when there is
 * no candidate at all: the caller says what that means). */
int dns_fields_check_set(const struct dns_set_check *sc,
			 const struct dns_txt *recs, size_t n,
			 const char *owner, struct dns_findings *f);

#endif
