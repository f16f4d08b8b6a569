/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns_tlsrpt_record.c -- the TLSRPT record at _smtp._tls.DOMAIN (RFC 8460
 * section 3): built from rua URIs, and checked the way reporters read it,
 * each URI of rua= on its own.
 */
#include "dns/dns_record.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "dns/dns_fields.h"

#define TLSRPT_VERSION_TAG "v=TLSRPTv1"

int
dns_tlsrpt_build(const char *const *uris, size_t n, char **out,
		 struct tlsrpt_error *err)
{
	size_t cap = sizeof(TLSRPT_VERSION_TAG "; rua="), o;
	char *buf;

	*out = NULL;
	if (n == 0)
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, "rua",
					"at least one rua URI is needed "
					"(--rua mailto:tlsrpt@example.com)");
	for (size_t i = 0; i < n; i++) {
		if (dns_uri_check(uris[i], strlen(uris[i]), err) < 0)
			return -1;
		cap += strlen(uris[i]) + 1;
	}
	buf = tlsrpt_malloc(cap);
	if (buf == NULL)
		return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL,
					"out of memory");
	o = (size_t)snprintf(buf, cap, "%s; rua=", TLSRPT_VERSION_TAG);
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(uris[i]);

		if (i > 0)
			buf[o++] = ',';
		memcpy(buf + o, uris[i], l);
		o += l;
	}
	buf[o] = '\0';
	*out = buf;
	return 0;
}

/* Parse the rua value starting at *p: URIs separated by *WSP "," *WSP. */
static void
parse_rua(struct dns_field_walk *w, size_t *p, size_t *n_uris)
{
	const char *s = w->rec;
	size_t i = *p;

	for (;;) {
		size_t start = i;
		struct tlsrpt_error err = TLSRPT_ERROR_INIT;
		char q[256];

		while (i < w->len && !dns_fields_is_wsp(s[i]) && s[i] != ',' &&
		       s[i] != ';')
			i++;
		if (i == start) {
			dns_fields_bad_at(w, i, "an empty URI in rua=");
			break;
		}
		tlsrpt_error_clear(&err);
		if (dns_uri_check(s + start, i - start, &err) < 0) {
			w->bad = 1;
			dns_finding_add(w->f, DNS_ERROR, "%srua URI: %s",
					w->prefix, err.text);
		} else {
			dns_finding_add(
				w->f, DNS_OK, "%sreports go to %s", w->prefix,
				dns_quote(s + start, i - start, q, sizeof(q)));
		}
		(*n_uris)++;
		{
			size_t k = i;

			while (k < w->len && dns_fields_is_wsp(s[k]))
				k++;
			if (k < w->len && s[k] == ',') {
				k++;
				while (k < w->len && dns_fields_is_wsp(s[k]))
					k++;
				i = k;
				continue;
			}
		}
		break;
	}
	*p = i;
}

struct tlsrpt_fields {
	size_t n_rua, n_uris;
};

static void
tlsrpt_field(struct dns_field_walk *w, const char *name, size_t nlen, size_t *p,
	     void *arg)
{
	struct tlsrpt_fields *tf = arg;

	if (nlen == 3 && memcmp(name, "rua", 3) == 0) {
		tf->n_rua++;
		parse_rua(w, p, &tf->n_uris);
		return;
	}
	if (dns_fields_value(w, p) < 0)
		return;
	if (nlen == 3 && strncasecmp(name, "rua", 3) == 0) {
		w->bad = 1;
		dns_finding_add(w->f, DNS_ERROR,
				"%s\"%.3s=\": field names are case-sensitive; "
				"write rua=",
				w->prefix, name);
		return;
	}
	dns_fields_extension(w, name, *p, "RFC 8460", "reporters");
}

int
dns_tlsrpt_check(const char *rec, size_t len, const char *prefix,
		 struct dns_findings *f)
{
	struct dns_field_walk w = {rec, len, prefix, f, 0};
	struct tlsrpt_fields tf = {0, 0};

	if (len > DNS_RECORD_MAX) {
		dns_finding_add(f, DNS_ERROR,
				"%srecord of %zu octets: far longer than any "
				"TLSRPT record needs; not examined",
				prefix, len);
		return -1;
	}
	if (dns_fields_read(&w, TLSRPT_VERSION_TAG, tlsrpt_field, &tf) != 0)
		return -1;
	if (tf.n_rua == 0 && !w.bad) {
		w.bad = 1;
		dns_finding_add(f, DNS_ERROR,
				"%sno rua= field: reporters have nowhere to "
				"send reports",
				prefix);
	}
	if (tf.n_rua > 1)
		dns_finding_add(
			f, DNS_WARNING,
			"%srua= appears %zu times; senders may use only "
			"one: list every URI in one rua=, separated by "
			"commas",
			prefix, tf.n_rua);
	return w.bad ? -1 : 0;
}

int
dns_tlsrpt_check_set(const struct dns_txt *recs, size_t n, const char *owner,
		     struct dns_findings *f)
{
	static const struct dns_set_check sc = {TLSRPT_VERSION_TAG, "v=tlsrpt",
						"TLSRPT", "RFC 8460 section 3",
						dns_tlsrpt_check};
	size_t cand = dns_fields_count(recs, n, TLSRPT_VERSION_TAG);

	if (dns_fields_check_set(&sc, recs, n, owner, f) == 0)
		return 0;
	/* Say plainly what the lack of any candidate means. */
	if (cand == 0)
		dns_finding_add(
			f, DNS_ERROR,
			"%s: no TLSRPT record: senders send no reports; "
			"publish one (tlsrpt-summary dns DOMAIN --rua "
			"URI prints it)",
			owner);
	return -1;
}
