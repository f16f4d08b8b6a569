/* SPDX-License-Identifier: BSD-2-Clause */
/* dns_lookup.c -- TXT lookups with the C library's resolver. Each resolver
 * has its own res_state (res_ninit), never the global _res. */
#include "dns/dns_lookup.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

#define ANSWER_MAX DNS_ANSWER_MAX
/* More TXT records than this at one name is a mistake; stop there. */
#define TXT_RECORDS_MAX 64
/* Seconds per try and tries per server: a dead resolver costs ~6 s, not
 * the library's default 5 s x 2 per query. */
#define LOOKUP_TIMEOUT 3
#define LOOKUP_TRIES 2

/* "ADDR", "ADDR:PORT" (IPv4), "V6ADDR" or "[V6ADDR]:PORT" into sa. 0 or
 * -1 with err. */
static int
parse_server(const char *server, struct sockaddr_storage *sa,
	     struct tlsrpt_error *err)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)sa;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)sa;
	const char *a = server, *port_text = NULL, *colon;
	char addr[INET6_ADDRSTRLEN];
	size_t al;
	unsigned long port = NS_DEFAULTPORT;

	memset(sa, 0, sizeof(*sa));
	colon = strchr(server, ':');
	if (server[0] == '[') {
		const char *close = strchr(server, ']');

		if (close == NULL || (close[1] != '\0' && close[1] != ':'))
			return tlsrpt_error_set(err, TLSRPT_ERR_INVALID,
						"--resolver",
						"\"%s\": an IPv6 address in "
						"brackets takes a port after "
						"\"]:\" ([ADDR]:PORT)",
						server);
		a = server + 1;
		al = (size_t)(close - a);
		port_text = close[1] == ':' ? close + 2 : NULL;
	} else if (colon != NULL && strchr(colon + 1, ':') == NULL) {
		al = (size_t)(colon - server); /* IPv4 with a port */
		port_text = colon + 1;
	} else {
		al = strlen(server); /* IPv4, or IPv6 without a port */
	}
	if (al >= sizeof(addr))
		al = sizeof(addr) - 1; /* too long for either: refused below */
	memcpy(addr, a, al);
	addr[al] = '\0';
	if (strchr(addr, ':') == NULL &&
	    inet_pton(AF_INET, addr, &sin->sin_addr) == 1)
		sin->sin_family = AF_INET;
	else if (strchr(addr, ':') != NULL &&
		 inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1)
		sin6->sin6_family = AF_INET6;
	else
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, "--resolver",
					"\"%s\" is not an IP address "
					"(ADDR[:PORT] or [IPV6ADDR]:PORT, "
					"e.g. 127.0.0.1:5353 or [::1]:5353)",
					server);
	if (port_text != NULL) {
		char *end;

		errno = 0;
		port = strtoul(port_text, &end, 10);
		if (errno != 0 || end == port_text || *end != '\0' ||
		    port_text[0] == '-' || port == 0 || port > 65535)
			return tlsrpt_error_set(err, TLSRPT_ERR_INVALID,
						"--resolver",
						"\"%s\": bad port", server);
	}
	if (sa->ss_family == AF_INET)
		sin->sin_port = htons((unsigned short)port);
	else
		sin6->sin6_port = htons((unsigned short)port);
	return 0;
}

int
dns_resolver_open(struct dns_resolver *r, const char *server,
		  struct tlsrpt_error *err)
{
	struct sockaddr_storage sa;

	memset(r, 0, sizeof(*r));
	if (server != NULL && parse_server(server, &sa, err) < 0)
		return -1;
	if (res_ninit(&r->res) < 0)
		return tlsrpt_error_set(err, TLSRPT_ERR_IO, NULL,
					"cannot set up the resolver (check "
					"/etc/resolv.conf)");
	r->open = 1;
	if (server != NULL) {
		/* glibc keeps IPv6 servers (read from resolv.conf) in
		 * malloc'ed _u._ext.nsaddrs, freed by res_nclose() only up
		 * to nscount: free them before nscount becomes 1. */
		for (int i = 0; i < MAXNS; i++) {
			free(r->res._u._ext.nsaddrs[i]);
			r->res._u._ext.nsaddrs[i] = NULL;
		}
		r->res.nscount = 1;
		memset(&r->res.nsaddr_list[0], 0,
		       sizeof(r->res.nsaddr_list[0]));
		if (sa.ss_family == AF_INET) {
			/* Setting sin_family makes the library use this
			 * entry, not an IPv6 server it may hold for slot 0
			 * internally. */
			memcpy(&r->res.nsaddr_list[0], &sa,
			       sizeof(struct sockaddr_in));
		} else {
			/* An IPv6 server goes in _u._ext.nsaddrs[0], with
			 * nsaddr_list[0].sin_family 0 saying so (glibc's
			 * res_send.c, get_nsaddr); res_nclose() frees it. */
			struct sockaddr_in6 *s6 = malloc(sizeof(*s6));

			if (s6 == NULL) {
				dns_resolver_close(r);
				return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM,
							NULL, "out of memory");
			}
			memcpy(s6, &sa, sizeof(*s6));
			r->res._u._ext.nsaddrs[0] = s6;
		}
	}
	r->res.retrans = LOOKUP_TIMEOUT;
	r->res.retry = LOOKUP_TRIES;
	return 0;
}

void
dns_resolver_close(struct dns_resolver *r)
{
	if (r == NULL || !r->open)
		return;
	res_nclose(&r->res);
	r->open = 0;
}

void
dns_txt_free(struct dns_txt *recs, size_t n)
{
	if (recs == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		dns_txt_clear(&recs[i]);
	tlsrpt_free(recs);
}

static const char *
server_text(const struct dns_resolver *r, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];
	const struct sockaddr_in *s = &r->res.nsaddr_list[0];
	const struct sockaddr_in6 *s6 = r->res._u._ext.nsaddrs[0];

	if (r->res.nscount >= 1 && s->sin_family == AF_INET &&
	    inet_ntop(AF_INET, &s->sin_addr, a, sizeof(a)) != NULL)
		snprintf(buf, size, "%s port %u", a, ntohs(s->sin_port));
	else if (r->res.nscount >= 1 && s->sin_family == 0 && s6 != NULL &&
		 s6->sin6_family == AF_INET6 &&
		 inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a)) != NULL)
		snprintf(buf, size, "%s port %u", a, ntohs(s6->sin6_port));
	else
		snprintf(buf, size, "the configured name server");
	return buf;
}

/* res_nquery's failures, as a status and a sentence. */
static enum dns_lookup_status
query_failed(struct dns_resolver *r, const char *name, int saved_errno,
	     struct tlsrpt_error *err)
{
	char srv[80];

	server_text(r, srv, sizeof(srv));
	switch (r->res.res_h_errno) {
	case HOST_NOT_FOUND:
		tlsrpt_error_set(err, TLSRPT_ERR_INVALID, name,
				 "no such name (NXDOMAIN)");
		return DNS_LOOKUP_NXDOMAIN;
	case NO_DATA:
		tlsrpt_error_set(err, TLSRPT_ERR_INVALID, name,
				 "the name exists but has no such record");
		return DNS_LOOKUP_NODATA;
	case NO_RECOVERY:
		tlsrpt_error_set(err, TLSRPT_ERR_IO, name,
				 "%s refused the query or sent a bad answer",
				 srv);
		return DNS_LOOKUP_FAIL;
	default: break;
	}
	if (saved_errno == ECONNREFUSED)
		tlsrpt_error_set(err, TLSRPT_ERR_IO, name,
				 "nothing answers DNS at %s (connection "
				 "refused)",
				 srv);
	else
		tlsrpt_error_set(err, TLSRPT_ERR_IO, name,
				 "no usable answer from the resolver at %s: "
				 "it timed out or failed (SERVFAIL or REFUSED)",
				 srv);
	return DNS_LOOKUP_TEMPFAIL;
}

static int
query(struct dns_resolver *r, const char *name, int type, unsigned char *ans,
      enum dns_lookup_status *st, struct tlsrpt_error *err)
{
	int len;

	errno = 0;
	len = res_nquery(&r->res, name, ns_c_in, type, ans, ANSWER_MAX);
	if (len < 0)
		*st = query_failed(r, name, errno, err);
	return len;
}

int
dns_lookup_raw(struct dns_resolver *r, const char *name, int type,
	       unsigned char *ans, enum dns_lookup_status *st,
	       struct tlsrpt_error *err)
{
	return query(r, name, type, ans, st, err);
}

enum dns_lookup_status
dns_lookup_txt(struct dns_resolver *r, const char *name, struct dns_txt **recs,
	       size_t *n, char *cname, size_t cname_size,
	       struct tlsrpt_error *err)
{
	enum dns_lookup_status st = DNS_LOOKUP_FAIL;
	unsigned char *ans;
	struct dns_txt *out = NULL;
	size_t nout = 0;
	ns_msg msg;
	int len, count;

	*recs = NULL;
	*n = 0;
	if (cname_size > 0)
		cname[0] = '\0';
	ans = tlsrpt_malloc(ANSWER_MAX);
	if (ans == NULL) {
		tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL, "out of memory");
		goto out;
	}
	len = query(r, name, ns_t_txt, ans, &st, err);
	if (len < 0)
		goto out;
	if (ns_initparse(ans, len, &msg) < 0) {
		tlsrpt_error_set(err, TLSRPT_ERR_INVALID, name,
				 "malformed DNS answer");
		st = DNS_LOOKUP_FAIL;
		goto out;
	}
	count = ns_msg_count(msg, ns_s_an);
	out = tlsrpt_calloc(TXT_RECORDS_MAX, sizeof(*out));
	if (out == NULL) {
		tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL, "out of memory");
		st = DNS_LOOKUP_FAIL;
		goto out;
	}
	for (int i = 0; i < count && nout < TXT_RECORDS_MAX; i++) {
		ns_rr rr;

		if (ns_parserr(&msg, ns_s_an, i, &rr) < 0) {
			tlsrpt_error_set(err, TLSRPT_ERR_INVALID, name,
					 "malformed record in the DNS answer");
			st = DNS_LOOKUP_FAIL;
			goto out;
		}
		if (ns_rr_class(rr) != ns_c_in)
			continue;
		if (ns_rr_type(rr) == ns_t_cname && cname_size > 0) {
			if (ns_name_uncompress(ns_msg_base(msg),
					       ns_msg_end(msg), ns_rr_rdata(rr),
					       cname, cname_size) < 0)
				cname[0] = '\0';
			continue;
		}
		if (ns_rr_type(rr) != ns_t_txt)
			continue;
		if (dns_txt_from_rdata(ns_rr_rdata(rr), ns_rr_rdlen(rr),
				       &out[nout], err) < 0) {
			tlsrpt_error_prefix_path(err, name);
			st = DNS_LOOKUP_FAIL;
			goto out;
		}
		nout++;
	}
	if (nout == 0) {
		tlsrpt_error_set(err, TLSRPT_ERR_INVALID, name,
				 "the name exists but has no TXT record");
		st = DNS_LOOKUP_NODATA;
		goto out;
	}
	*recs = out;
	*n = nout;
	out = NULL;
	st = DNS_LOOKUP_OK;
out:
	dns_txt_free(out, nout);
	tlsrpt_free(ans);
	return st;
}

enum dns_lookup_status
dns_lookup_exists(struct dns_resolver *r, const char *name,
		  struct tlsrpt_error *err)
{
	enum dns_lookup_status st = DNS_LOOKUP_OK;
	unsigned char *ans = tlsrpt_malloc(ANSWER_MAX);

	if (ans == NULL) {
		tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL, "out of memory");
		return DNS_LOOKUP_FAIL;
	}
	if (query(r, name, ns_t_soa, ans, &st, err) < 0 &&
	    st == DNS_LOOKUP_NODATA)
		st = DNS_LOOKUP_OK;
	tlsrpt_free(ans);
	return st;
}
