/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns_fields.c -- the grammar the TLSRPT and MTA-STS records share: a
 * version tag, then "name=value" fields separated by ';', and the rule
 * that of all the TXT records at a name only those starting with the tag
 * count, and only when exactly one does. Apart from the two records
 * (dns_tlsrpt_record.c, dns_sts_record.c) so that both are read by the one
 * walk and say a grammar error the same way.
 */
#include "dns/dns_fields.h"

#include <stdio.h>
#include <string.h>

int
dns_fields_is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

int
dns_fields_is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

/* RFC 8460 and RFC 8461 share the extension grammar:
 * name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
 * value = 1*(%x21-3A / %x3C / %x3E-7E), i.e. no space, ';' or '='. */
static int
ext_name_ok(const char *s, size_t len)
{
	if (len == 0 || len > 32 || !dns_fields_is_alnum((unsigned char)s[0]))
		return 0;
	for (size_t i = 1; i < len; i++)
		if (!dns_fields_is_alnum((unsigned char)s[i]) && s[i] != '_' &&
		    s[i] != '-' && s[i] != '.')
			return 0;
	return 1;
}

static int
is_value_char(int c)
{
	return c >= 0x21 && c <= 0x7e && c != ';' && c != '=';
}

static int
starts_with(const char *s, size_t len, const char *tag)
{
	size_t tl = strlen(tag);

	return len >= tl && memcmp(s, tag, tl) == 0;
}

/* Case-insensitive search for needle in s[0..len). */
static int
contains_nocase(const char *s, size_t len, const char *needle)
{
	size_t nl = strlen(needle);

	for (size_t i = 0; i + nl <= len; i++)
		if (strncasecmp(s + i, needle, nl) == 0)
			return 1;
	return 0;
}

/* Skip a field delimiter (*WSP ";" *WSP) at s[*p]; 1 if there was one. */
static int
skip_delim(const char *s, size_t len, size_t *p)
{
	size_t i = *p;

	while (i < len && dns_fields_is_wsp(s[i]))
		i++;
	if (i >= len || s[i] != ';')
		return 0;
	i++;
	while (i < len && dns_fields_is_wsp(s[i]))
		i++;
	*p = i;
	return 1;
}

/* Report a byte that breaks the grammar at offset i. */
void
dns_fields_bad_at(struct dns_field_walk *w, size_t i, const char *what)
{
	char q[256];

	w->bad = 1;
	dns_finding_add(w->f, DNS_ERROR,
			"%s%s at offset %zu: \"%s\" (the record does not match "
			"the grammar, so senders ignore it)",
			w->prefix, what, i,
			dns_quote(w->rec + i, w->len - i, q, sizeof(q)));
}

/* What both records need before their fields: to start with the version
 * tag (its "v=" and value, without ';'), followed by ';' or white space,
 * and no NUL byte anywhere. Returns 0, or -1 after a finding. */
static int
check_version(struct dns_field_walk *w, const char *tag)
{
	size_t tl = strlen(tag);
	char what[64];

	if (!starts_with(w->rec, w->len, tag)) {
		dns_finding_add(w->f, DNS_ERROR,
				"%sthe record must start with exactly %s "
				"(case-sensitive)",
				w->prefix, tag);
		return -1;
	}
	for (size_t i = 0; i < w->len; i++)
		if (w->rec[i] == '\0') {
			dns_fields_bad_at(w, i, "a NUL byte");
			return -1;
		}
	if (w->len > tl && !dns_fields_is_wsp(w->rec[tl]) &&
	    w->rec[tl] != ';') {
		snprintf(what, sizeof(what), "';' expected after %s", tag);
		dns_fields_bad_at(w, tl, what);
		return -1;
	}
	return 0;
}

static void
walk_fields(struct dns_field_walk *w, size_t p, dns_field_fn on_field,
	    void *arg)
{
	const char *s = w->rec;

	for (;;) {
		size_t start, nlen;

		if (p >= w->len)
			return;
		if (!skip_delim(s, w->len, &p)) {
			size_t k = p;

			while (k < w->len && dns_fields_is_wsp(s[k]))
				k++;
			if (k == w->len)
				return; /* trailing spaces: harmless */
			dns_fields_bad_at(w, p, "';' expected between fields");
			return;
		}
		if (p >= w->len)
			return; /* a trailing ';' is allowed */
		start = p;
		while (p < w->len && s[p] != '=' && s[p] != ';' &&
		       !dns_fields_is_wsp(s[p]))
			p++;
		nlen = p - start;
		if (p >= w->len || s[p] != '=' ||
		    !ext_name_ok(s + start, nlen)) {
			dns_fields_bad_at(w, start,
					  "a name=value field expected");
			return;
		}
		p++;
		on_field(w, s + start, nlen, &p, arg);
		if (w->bad)
			return;
	}
}

int
dns_fields_read(struct dns_field_walk *w, const char *tag,
		dns_field_fn on_field, void *arg)
{
	if (check_version(w, tag) != 0)
		return -1;
	walk_fields(w, strlen(tag), on_field, arg);
	return 0;
}

int
dns_fields_value(struct dns_field_walk *w, size_t *p)
{
	size_t start = *p;

	while (*p < w->len && is_value_char((unsigned char)w->rec[*p]))
		(*p)++;
	if (*p == start) {
		dns_fields_bad_at(w, start, "an empty or malformed value");
		return -1;
	}
	return 0;
}

void
dns_fields_extension(struct dns_field_walk *w, const char *name, size_t end,
		     const char *rfc, const char *who)
{
	char q[256];

	dns_finding_add(
		w->f, DNS_OK,
		"%sextension %s is not defined by %s; %s ignore it", w->prefix,
		dns_quote(name, (size_t)(w->rec + end - name), q, sizeof(q)),
		rfc, who);
}

size_t
dns_fields_count(const struct dns_txt *recs, size_t n, const char *tag)
{
	size_t cand = 0;

	for (size_t i = 0; i < n; i++)
		if (starts_with(recs[i].text, recs[i].len, tag))
			cand++;
	return cand;
}

static void
report_split(const struct dns_txt *r, const char *prefix, int broken,
	     struct dns_findings *f)
{
	char q[256];

	if (r->nstrings <= 1)
		return;
	dns_finding_add(f, broken ? DNS_WARNING : DNS_OK,
			"%sthe record is split into %zu character-strings; "
			"senders join them with no separator, reading \"%s\"%s",
			prefix, r->nstrings,
			dns_quote(r->text, r->len, q, sizeof(q)),
			broken ? " -- check the split points" : "");
}

int
dns_fields_check_set(const struct dns_set_check *sc, const struct dns_txt *recs,
		     size_t n, const char *owner, struct dns_findings *f)
{
	size_t cand = 0, idx = 0;
	char q[256], prefix[48];
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		const struct dns_txt *r = &recs[i];

		if (starts_with(r->text, r->len, sc->tag)) {
			cand++;
			idx = i;
			continue;
		}
		if (contains_nocase(r->text, r->len, sc->loose)) {
			dns_finding_add(
				f, DNS_ERROR,
				"%s: \"%s\" is ignored by senders: a "
				"%s record must start with exactly %s "
				"(case-sensitive, nothing before it)",
				owner, dns_quote(r->text, r->len, q, sizeof(q)),
				sc->what, sc->tag);
			rc = -1;
		} else {
			dns_finding_add(
				f, DNS_OK,
				"%s: other TXT record ignored: \"%s\"", owner,
				dns_quote(r->text, r->len, q, sizeof(q)));
		}
	}
	if (cand == 0)
		return -1;
	if (cand > 1) {
		dns_finding_add(f, DNS_ERROR,
				"%s: %zu records start with %s; %s says that "
				"then none of them is used: keep exactly one",
				owner, cand, sc->tag, sc->section);
		for (size_t i = 0, k = 0; i < n; i++) {
			if (!starts_with(recs[i].text, recs[i].len, sc->tag))
				continue;
			snprintf(prefix, sizeof(prefix),
				 "%s record %zu: ", sc->what, ++k);
			(void)sc->check(recs[i].text, recs[i].len, prefix, f);
			report_split(&recs[i], prefix, 0, f);
		}
		return -1;
	}
	if (sc->check(recs[idx].text, recs[idx].len, "", f) < 0) {
		report_split(&recs[idx], "", 1, f);
		dns_finding_add(
			f, DNS_ERROR, "%s: the %s record is invalid: %s", owner,
			sc->what,
			dns_quote(recs[idx].text, recs[idx].len, q, sizeof(q)));
		return -1;
	}
	report_split(&recs[idx], "", 0, f);
	dns_finding_add(f, DNS_OK, "%s: valid %s record: \"%s\"", owner,
			sc->what,
			dns_quote(recs[idx].text, recs[idx].len, q, sizeof(q)));
	return rc;
}
