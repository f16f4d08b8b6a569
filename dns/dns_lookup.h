/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns_lookup.h -- TXT lookups through the C library's resolver
 * (res_ninit/res_nquery, one res_state per resolver, no global state).
 */
#ifndef TLSRPT_DNS_DNS_LOOKUP_H
#define TLSRPT_DNS_DNS_LOOKUP_H

#include <resolv.h>
#include <stddef.h>

#include "base/error.h"
#include "dns/dns_record.h"

enum dns_lookup_status {
	DNS_LOOKUP_OK,	     /* answer with at least one TXT record */
	DNS_LOOKUP_NODATA,   /* the name exists, no record of that type */
	DNS_LOOKUP_NXDOMAIN, /* the name does not exist */
	DNS_LOOKUP_TEMPFAIL, /* no answer: unreachable, timeout, SERVFAIL */
	DNS_LOOKUP_FAIL,     /* refused, malformed answer, out of memory */
};

struct dns_resolver {
	struct __res_state res;
	int open;
};

/* Set up a resolver from /etc/resolv.conf; server ("ADDR" or "ADDR:PORT",
 * IPv4, port default 53), when not NULL, replaces its name servers.
 * 0 or -1 (err says why). Close with dns_resolver_close(). */
int dns_resolver_open(struct dns_resolver *r, const char *server,
		      struct tlsrpt_error *err);
void dns_resolver_close(struct dns_resolver *r);

/* The TXT records at name. On DNS_LOOKUP_OK *recs holds *n records (free
 * with dns_txt_free()); cname gets the alias target when the name was an
 * alias, else "". On failure err says why. */
enum dns_lookup_status dns_lookup_txt(struct dns_resolver *r, const char *name,
				      struct dns_txt **recs, size_t *n,
				      char *cname, size_t cname_size,
				      struct tlsrpt_error *err);

/* Whether name exists at all (asks for its SOA: NXDOMAIN or not). */
enum dns_lookup_status dns_lookup_exists(struct dns_resolver *r,
					 const char *name,
					 struct tlsrpt_error *err);

void dns_txt_free(struct dns_txt *recs, size_t n);

/* A DNS answer fits in a TCP DNS message: the size of ans below. */
#define DNS_ANSWER_MAX 65536

/* One query of any type (ns_t_mx, ns_t_tlsa...), for a caller that parses
 * the answer itself (tlsrpt-probe): the answer goes to ans (DNS_ANSWER_MAX
 * bytes); returns its length, or -1 with *st (never DNS_LOOKUP_OK) and err
 * saying why, worded as for the TXT lookups. */
int dns_lookup_raw(struct dns_resolver *r, const char *name, int type,
		   unsigned char *ans, enum dns_lookup_status *st,
		   struct tlsrpt_error *err);

#endif
