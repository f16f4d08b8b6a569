/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns_sts_record.c -- the MTA-STS record at _mta-sts.DOMAIN (RFC 8461
 * section 3.1): built from a policy id, and checked the way senders read
 * it. The policy file it announces is dns_policy.c's.
 */
#include "dns/dns_record.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "dns/dns_fields.h"

#define STS_VERSION_TAG "v=STSv1"

int
dns_sts_id_valid(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > DNS_STS_ID_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!dns_fields_is_alnum((unsigned char)id[i]))
			return 0;
	return 1;
}

int
dns_sts_build(const char *id, char **out, struct tlsrpt_error *err)
{
	size_t cap = sizeof(STS_VERSION_TAG "; id=") + DNS_STS_ID_MAX;

	*out = NULL;
	if (!dns_sts_id_valid(id))
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, "id",
					"\"%s\": the id is 1 to 32 letters and "
					"digits (RFC 8461 section 3.1)",
					id);
	*out = tlsrpt_malloc(cap);
	if (*out == NULL)
		return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL,
					"out of memory");
	snprintf(*out, cap, "%s; id=%s", STS_VERSION_TAG, id);
	return 0;
}

struct sts_fields {
	size_t n_id;
};

static void
sts_field(struct dns_field_walk *w, const char *name, size_t nlen, size_t *p,
	  void *arg)
{
	struct sts_fields *sf = arg;
	size_t start = *p;
	char q[256];

	if (dns_fields_value(w, p) < 0)
		return;
	if (nlen == 2 && memcmp(name, "id", 2) == 0) {
		size_t l = *p - start;
		int ok = l <= DNS_STS_ID_MAX;

		for (size_t i = start; i < *p && ok; i++)
			ok = dns_fields_is_alnum((unsigned char)w->rec[i]);
		sf->n_id++;
		if (!ok) {
			w->bad = 1;
			dns_finding_add(
				w->f, DNS_ERROR,
				"%sid=%s: the id is 1 to 32 letters and "
				"digits (RFC 8461 section 3.1)",
				w->prefix,
				dns_quote(w->rec + start, l, q, sizeof(q)));
		} else {
			dns_finding_add(w->f, DNS_OK,
					"%spolicy id %.*s (change it whenever "
					"the policy file changes)",
					w->prefix, (int)l, w->rec + start);
		}
		return;
	}
	dns_fields_extension(w, name, *p, "RFC 8461", "senders");
}

int
dns_sts_check(const char *rec, size_t len, const char *prefix,
	      struct dns_findings *f)
{
	struct dns_field_walk w = {rec, len, prefix, f, 0};
	struct sts_fields sf = {0};

	if (len > DNS_RECORD_MAX) {
		dns_finding_add(f, DNS_ERROR,
				"%srecord of %zu octets: not examined", prefix,
				len);
		return -1;
	}
	if (dns_fields_read(&w, STS_VERSION_TAG, sts_field, &sf) != 0)
		return -1;
	if (w.bad)
		return -1;
	if (sf.n_id == 0) {
		dns_finding_add(f, DNS_ERROR,
				"%sno id= field: senders cannot tell when the "
				"policy changes (RFC 8461 section 3.1)",
				prefix);
		return -1;
	}
	if (sf.n_id > 1) {
		dns_finding_add(f, DNS_ERROR, "%sid= appears %zu times", prefix,
				sf.n_id);
		return -1;
	}
	return 0;
}

int
dns_sts_check_set(const struct dns_txt *recs, size_t n, const char *owner,
		  struct dns_findings *f)
{
	static const struct dns_set_check sc = {
		STS_VERSION_TAG, "v=sts", "MTA-STS", "RFC 8461 section 3.1",
		dns_sts_check};
	if (dns_fields_count(recs, n, STS_VERSION_TAG) == 0) {
		size_t before = f->n_level[DNS_ERROR];

		(void)dns_fields_check_set(&sc, recs, n, owner, f);
		if (f->n_level[DNS_ERROR] > before)
			return -1;
		dns_finding_add(f, DNS_OK,
				"%s: no MTA-STS record: MTA-STS is not in use "
				"(optional; TLSRPT works without it)",
				owner);
		return 0;
	}
	return dns_fields_check_set(&sc, recs, n, owner, f);
}
