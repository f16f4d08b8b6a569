/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * probe.h -- tlsrpt-probe: look at our own MX hosts the way a strict
 * sending MTA would (SMTP STARTTLS, the certificate, MTA-STS, DANE) and
 * say, with the RFC 8460 result types, what senders will report.
 *
 * The parts, one file each: probe_dns.c (MX, A/AAAA and TLSA records
 * through dns/'s resolver), probe_smtp.c (one MX address: EHLO, STARTTLS,
 * the handshake), probe_tls.c (the certificate verdicts), probe_sts.c (the
 * MTA-STS policy over HTTPS with libcurl), probe_run.c (a domain: the lookups,
 * the hosts in parallel, the findings), probe_history.c (a domain's MTA-STS id
 * and policy remembered from the previous run in the store), probe_json.c (the
 * output) and probe_main.c (options).
 */
#ifndef TLSRPT_PROBE_PROBE_H
#define TLSRPT_PROBE_PROBE_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <jansson.h>

#include "base/error.h"
#include "dns/dns_lookup.h"
#include "dns/dns_record.h"

/* Domains a run. */
#define PROBE_DOMAINS_MAX 256
/* How many days of findings files a run reads back for each domain's
 * previous run (probe_history.c). */
#define PROBE_HISTORY_DAYS 31

/* Bounds on what one domain can make us do. */
#define PROBE_MX_MAX 16	   /* MX hosts probed per domain */
#define PROBE_ADDR_MAX 8   /* addresses per MX host (A and AAAA) */
#define PROBE_CHAIN_MAX 10 /* certificates kept per chain */
#define PROBE_TLSA_MAX 16  /* TLSA records per MX host */

struct probe_conf {
	const char *resolver; /* "ADDR[:PORT]" or NULL: /etc/resolv.conf */
	const char *ca_file;  /* trust anchors, or NULL: the system's */
	unsigned smtp_port;   /* 25 */
	unsigned https_port;  /* 443 */
	unsigned timeout;     /* seconds per connect, read or write */
	unsigned jobs;	      /* hosts probed at once */
	unsigned days;	      /* "would this still pass in N days" */
	const char *ehlo;     /* the name we give in EHLO */
	time_t now;
};

struct probe_tlsa {
	unsigned char usage, selector, mtype;
	unsigned char *data; /* owned */
	size_t len;
};

struct probe_mx {
	char host[DNS_NAME_MAX + 1];
	unsigned preference;
	int implicit; /* no MX record: the domain itself (RFC 5321 5.1) */
	size_t n_addr;
	char addr[PROBE_ADDR_MAX][INET6_ADDRSTRLEN];
	int family[PROBE_ADDR_MAX];
	char addr_error[TLSRPT_ERROR_TEXT_MAX + DNS_NAME_MAX +
			8]; /* "" or why */
	/* TLSA at _25._tcp.HOST: lookup status, records, the AD bit. */
	enum dns_lookup_status tlsa_status;
	char tlsa_error[TLSRPT_ERROR_TEXT_MAX];
	int tlsa_ad;
	size_t n_tlsa;
	struct probe_tlsa tlsa[PROBE_TLSA_MAX];
	/* The MTA-STS policy pattern that matches, "" when none does. */
	char sts_match[DNS_NAME_MAX + 3];
};

struct probe_cert {
	char subject[256];
	char issuer[256];
	char not_before[32]; /* ISO 8601, UTC */
	char not_after[32];
	char spki_sha256[65]; /* what a TLSA 3 1 1 (or 2 1 1) record holds */
};

/* X.509 verification outcome, as bits: every problem seen, not only the
 * first (the verify callback goes on after each). */
enum {
	PROBE_V_EXPIRED = 1,   /* a certificate's notAfter has passed */
	PROBE_V_NOT_YET = 2,   /* a certificate's notBefore is ahead */
	PROBE_V_UNTRUSTED = 4, /* no path to a trust anchor */
	PROBE_V_OTHER = 8,     /* anything else (signature, purpose...) */
};

/* One MX host at one address: filled by probe_smtp() in a worker thread. */
struct probe_target {
	const struct probe_mx *mx;
	size_t addr_index;
	/* Results. error is "" when the host answered SMTP. */
	char error[TLSRPT_ERROR_TEXT_MAX];
	int ehlo_ok;
	int starttls;			       /* offered in the EHLO reply */
	char tls_error[TLSRPT_ERROR_TEXT_MAX]; /* "" or why TLS failed */
	int tls_ok;			       /* handshake done */
	char tls_version[32];
	char cipher[96];
	size_t n_chain;
	struct probe_cert chain[PROBE_CHAIN_MAX];
	long days_left; /* the first certificate to expire; < 0: expired */
	size_t first_to_expire;		   /* its index in the chain */
	unsigned verify_now, verify_ahead; /* PROBE_V_ bits */
	char verify_text[160]; /* OpenSSL's words for the first problem */
	int host_match;	       /* X509_check_host with the MX name */
	/* DANE (when the host has TLSA records): matched, and how. */
	int dane_checked, dane_ok;
	int dane_ok_ahead; /* still matched at now + --days */
	char dane_text[160];
	int dane_usage; /* of the matching record, -1 when none */
	double seconds; /* wall time of this probe */
};

/* probe_dns.c. Each returns 0, or -1 with err (DNS failure). */
int probe_dns_mx(struct dns_resolver *r, const char *domain,
		 struct probe_mx **mx, size_t *n, struct tlsrpt_error *err);
void probe_dns_addrs(struct dns_resolver *r, struct probe_mx *mx);
void probe_dns_tlsa(struct dns_resolver *r, struct probe_mx *mx);
/* 1 when the resolver sets the AD bit on the root zone's SOA: it
 * validates DNSSEC; 0 when not (dnsmasq without --dnssec, most stubs). */
int probe_dns_validates(struct dns_resolver *r);
void probe_mx_free(struct probe_mx *mx, size_t n);

/* probe_tls.c. ctx and store are shared, read-only, by the threads. */
struct probe_tls;
struct probe_tls *probe_tls_new(const struct probe_conf *c,
				struct tlsrpt_error *err);
void probe_tls_free(struct probe_tls *tls);
/* probe_smtp.c */
void probe_smtp(const struct probe_conf *c, struct probe_tls *tls,
		struct probe_target *t);

/* What an earlier run stored of a domain's MTA-STS (probe_history.c). */
struct probe_prev {
	const char *domain; /* set by the caller */
	int found;	    /* a probe-run line of the domain was read */
	int64_t time;	    /* of that run */
	char sts_id[DNS_STS_ID_MAX + 1]; /* "" when it saw none */
	char sha256[65]; /* the first policy seen under sts_id, or "" */
};

/* Fill prev[0..n) from the latest probe-run line of each domain (without
 * an error) in the findings files of the store directory dir, today and
 * up to PROBE_HISTORY_DAYS - 1 days back, within the findings reader's
 * bounds. 0, or -1 with err (a file that cannot be read). */
int probe_history_read(const char *dir, int64_t today, struct probe_prev *prev,
		       size_t n, struct tlsrpt_error *err);

/* Set the mta-sts object sts (with a record) against prev (NULL: no
 * store, nothing remembered): "previous", "note" and "id-policy-sha256"
 * (what a sender that fetched under this id holds), and the finding
 * sts-policy-id-unchanged when the policy changed under the same id. */
void probe_history_compare(const struct probe_prev *prev, const char *domain,
			   json_t *sts, json_t *findings);

/* probe_sts.c: the MTA-STS record and policy of a domain, as JSON
 * ("mta-sts" of the output); findings appended to findings. The MX
 * hosts' sts_match are set from the policy's patterns. prev: as for
 * probe_history_compare(). */
json_t *probe_sts(const struct probe_conf *c, struct dns_resolver *r,
		  const char *domain, struct probe_mx *mx, size_t n_mx,
		  const struct probe_prev *prev, json_t *findings);

/* probe_run.c: probe one domain, its JSON object; findings (one object
 * each, see tlsrpt-probe(8)) appended to findings. */
json_t *probe_domain(const struct probe_conf *c, struct dns_resolver *r,
		     struct probe_tls *tls, const char *domain,
		     const struct probe_prev *prev, json_t *findings);

/* A finding object: domain, result-type, mx-host, address (may be NULL),
 * detail, action. Appended to findings. */
void probe_finding(json_t *findings, const char *domain, const char *type,
		   const char *mx, const char *address, const char *detail,
		   const char *action);

/* probe_json.c: the short text form of the whole output. */
void probe_print_text(const json_t *out, FILE *fp);

#endif
