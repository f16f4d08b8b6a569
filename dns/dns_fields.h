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

/* ASCII letters and digits, space and tab, and the bytes an extension
 * value may hold (%x21-7E but ';' and '='). */
int dns_fields_is_alnum(int c);
int dns_fields_is_wsp(int c);
int dns_fields_is_value_char(int c);

/* 1 when s[0..len) starts with tag (case-sensitive). */
int dns_fields_starts_with(const char *s, size_t len, const char *tag);

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

/* What both records need before their fields: to start with the version
 * tag, then ';' or white space, and no NUL byte. 0, or -1 after a finding. */
int dns_fields_check_version(struct dns_field_walk *w, const char *tag);

/* Walk the fields after the version tag; on_field reads each value from
 * *p on and counts what the record needs. */
typedef void (*dns_field_fn)(struct dns_field_walk *w, const char *name,
			     size_t nlen, size_t *p, void *arg);

/* From offset p (just after the tag) to the end, or to the first grammar
 * error (w->bad set). */
void dns_fields_walk(struct dns_field_walk *w, size_t p, dns_field_fn on_field,
		     void *arg);

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
