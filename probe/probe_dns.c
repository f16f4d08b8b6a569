/* SPDX-License-Identifier: BSD-2-Clause */
/* probe_dns.c -- the MX set, the addresses and the TLSA records of a
 * domain through dns/'s resolver (the C library's res_nquery on a
 * res_state of our own): the resolver a test or a site names with
 * --resolver answers every lookup, including the addresses, which
 * getaddrinfo() would take from /etc/hosts and nsswitch instead. */
#include "probe/probe.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"

/* Parse an answer; -1 on a malformed one. */
static int
parse(const unsigned char *ans, int len, ns_msg *msg)
{
	return ns_initparse(ans, len, msg);
}

static int
by_preference(const void *a, const void *b)
{
	const struct probe_mx *x = a, *y = b;

	if (x->preference != y->preference)
		return x->preference < y->preference ? -1 : 1;
	return strcasecmp(x->host, y->host);
}

int
probe_dns_mx(struct dns_resolver *r, const char *domain, struct probe_mx **mx,
	     size_t *n, struct tlsrpt_error *err)
{
	unsigned char *ans = tlsrpt_malloc(DNS_ANSWER_MAX);
	struct probe_mx *out = NULL;
	size_t nout = 0;
	enum dns_lookup_status st = DNS_LOOKUP_OK;
	ns_msg msg;
	int len, rc = -1;

	*mx = NULL;
	*n = 0;
	out = tlsrpt_calloc(PROBE_MX_MAX, sizeof(*out));
	if (ans == NULL || out == NULL) {
		tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL, "out of memory");
		goto done;
	}
	len = dns_lookup_raw(r, domain, ns_t_mx, ans, &st, err);
	if (len < 0 && st == DNS_LOOKUP_NODATA) {
		/* RFC 5321 section 5.1: no MX, the domain is its own. */
		snprintf(out[0].host, sizeof(out[0].host), "%s", domain);
		out[0].implicit = 1;
		nout = 1;
		rc = 0;
		goto done;
	}
	if (len < 0)
		goto done;
	if (parse(ans, len, &msg) < 0) {
		tlsrpt_error_set(err, TLSRPT_ERR_INVALID, domain,
				 "malformed DNS answer to the MX query");
		goto done;
	}
	for (int i = 0; i < ns_msg_count(msg, ns_s_an); i++) {
		ns_rr rr;
		struct probe_mx *m;

		if (ns_parserr(&msg, ns_s_an, i, &rr) < 0 ||
		    ns_rr_type(rr) != ns_t_mx || ns_rr_rdlen(rr) < 3)
			continue;
		if (nout == PROBE_MX_MAX)
			break;
		m = &out[nout];
		m->preference = ns_get16(ns_rr_rdata(rr));
		if (ns_name_uncompress(ns_msg_base(msg), ns_msg_end(msg),
				       ns_rr_rdata(rr) + 2, m->host,
				       sizeof(m->host)) < 0)
			continue;
		/* RFC 7505 null MX: the domain takes no mail at all. */
		if (m->host[0] == '\0' || strcmp(m->host, ".") == 0)
			continue;
		nout++;
	}
	qsort(out, nout, sizeof(*out), by_preference);
	rc = 0;
done:
	tlsrpt_free(ans);
	if (rc < 0) {
		tlsrpt_free(out);
		return -1;
	}
	*mx = out;
	*n = nout;
	return 0;
}

static void
addrs_of(struct dns_resolver *r, struct probe_mx *mx, int type,
	 unsigned char *ans)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	enum dns_lookup_status st = DNS_LOOKUP_OK;
	int family = type == ns_t_a ? AF_INET : AF_INET6;
	size_t want = type == ns_t_a ? 4 : 16;
	ns_msg msg;
	int len = dns_lookup_raw(r, mx->host, type, ans, &st, &err);

	if (len < 0) {
		/* No AAAA (or no A) is normal; anything else is said. */
		if (st != DNS_LOOKUP_NODATA && mx->addr_error[0] == '\0')
			snprintf(mx->addr_error, sizeof(mx->addr_error),
				 "%s: %s", mx->host, err.text);
		return;
	}
	if (parse(ans, len, &msg) < 0)
		return;
	for (int i = 0; i < ns_msg_count(msg, ns_s_an); i++) {
		ns_rr rr;

		if (mx->n_addr == PROBE_ADDR_MAX)
			break;
		if (ns_parserr(&msg, ns_s_an, i, &rr) < 0 ||
		    (int)ns_rr_type(rr) != type || ns_rr_rdlen(rr) != want)
			continue;
		if (inet_ntop(family, ns_rr_rdata(rr), mx->addr[mx->n_addr],
			      sizeof(mx->addr[0])) == NULL)
			continue;
		mx->family[mx->n_addr++] = family;
	}
}

void
probe_dns_addrs(struct dns_resolver *r, struct probe_mx *mx)
{
	unsigned char *ans = tlsrpt_malloc(DNS_ANSWER_MAX);

	if (ans == NULL) {
		snprintf(mx->addr_error, sizeof(mx->addr_error),
			 "out of memory");
		return;
	}
	addrs_of(r, mx, ns_t_a, ans);
	addrs_of(r, mx, ns_t_aaaa, ans);
	if (mx->n_addr == 0 && mx->addr_error[0] == '\0')
		snprintf(mx->addr_error, sizeof(mx->addr_error),
			 "%s has no A or AAAA record", mx->host);
	tlsrpt_free(ans);
}

void
probe_dns_tlsa(struct dns_resolver *r, struct probe_mx *mx)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	unsigned char *ans = tlsrpt_malloc(DNS_ANSWER_MAX);
	char name[DNS_NAME_MAX + 16];
	ns_msg msg;
	int len;

	mx->tlsa_status = DNS_LOOKUP_FAIL;
	if (ans == NULL)
		return;
	snprintf(name, sizeof(name), "_25._tcp.%s", mx->host);
	mx->tlsa_status = DNS_LOOKUP_OK;
	len = dns_lookup_raw(r, name, ns_t_tlsa, ans, &mx->tlsa_status, &err);
	if (len < 0) {
		snprintf(mx->tlsa_error, sizeof(mx->tlsa_error), "%s",
			 err.text);
		goto done;
	}
	if (parse(ans, len, &msg) < 0) {
		mx->tlsa_status = DNS_LOOKUP_FAIL;
		snprintf(mx->tlsa_error, sizeof(mx->tlsa_error),
			 "%s: malformed DNS answer", name);
		goto done;
	}
	mx->tlsa_ad = ns_msg_getflag(msg, ns_f_ad);
	for (int i = 0; i < ns_msg_count(msg, ns_s_an); i++) {
		ns_rr rr;
		struct probe_tlsa *t;
		size_t rdlen;

		if (mx->n_tlsa == PROBE_TLSA_MAX)
			break;
		if (ns_parserr(&msg, ns_s_an, i, &rr) < 0 ||
		    ns_rr_type(rr) != ns_t_tlsa || ns_rr_rdlen(rr) < 4)
			continue;
		rdlen = ns_rr_rdlen(rr);
		t = &mx->tlsa[mx->n_tlsa];
		t->usage = ns_rr_rdata(rr)[0];
		t->selector = ns_rr_rdata(rr)[1];
		t->mtype = ns_rr_rdata(rr)[2];
		t->len = rdlen - 3;
		t->data = tlsrpt_malloc(t->len);
		if (t->data == NULL)
			break;
		memcpy(t->data, ns_rr_rdata(rr) + 3, t->len);
		mx->n_tlsa++;
	}
	if (mx->n_tlsa == 0)
		mx->tlsa_status = DNS_LOOKUP_NODATA;
done:
	tlsrpt_free(ans);
}

int
probe_dns_validates(struct dns_resolver *r)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	enum dns_lookup_status st = DNS_LOOKUP_OK;
	unsigned char *ans = tlsrpt_malloc(DNS_ANSWER_MAX);
	ns_msg msg;
	int len, ad = 0;

	if (ans == NULL)
		return 0;
	/* The root zone is signed: a validating resolver marks its SOA. */
	len = dns_lookup_raw(r, ".", ns_t_soa, ans, &st, &err);
	if (len >= 0 && parse(ans, len, &msg) == 0)
		ad = ns_msg_getflag(msg, ns_f_ad);
	tlsrpt_free(ans);
	return ad;
}

void
probe_mx_free(struct probe_mx *mx, size_t n)
{
	if (mx == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < mx[i].n_tlsa; j++)
			tlsrpt_free(mx[i].tlsa[j].data);
	tlsrpt_free(mx);
}
