/* SPDX-License-Identifier: BSD-2-Clause */
/* probe_run.c -- one domain: its MX hosts and their addresses, TLSA and
 * MTA-STS looked up in turn (one resolver, not shared between threads),
 * then every MX address probed by at most --jobs threads at once, then
 * the findings: the RFC 8460 result type a strict sender would report,
 * with what to do about it. */
#include "probe/probe.h"

#include <pthread.h>
#include <string.h>

#include <openssl/x509.h>

#include "base/alloc.h"

struct pool {
	const struct probe_conf *conf;
	struct probe_tls *tls;
	struct probe_target *targets;
	size_t n, next;
	pthread_mutex_t lock;
};

static void *
worker(void *arg)
{
	struct pool *p = arg;

	for (;;) {
		size_t i;

		pthread_mutex_lock(&p->lock);
		i = p->next < p->n ? p->next++ : p->n;
		pthread_mutex_unlock(&p->lock);
		if (i == p->n)
			return NULL;
		probe_smtp(p->conf, p->tls, &p->targets[i]);
	}
}

/* Probe every target, --jobs at a time; falls back to this thread when
 * no thread can be started. */
static void
run_pool(const struct probe_conf *c, struct probe_tls *tls,
	 struct probe_target *targets, size_t n)
{
	struct pool p = {c, tls, targets, n, 0, PTHREAD_MUTEX_INITIALIZER};
	size_t jobs = c->jobs < n ? c->jobs : n, started = 0;
	pthread_t *th = tlsrpt_calloc(jobs > 0 ? jobs : 1, sizeof(*th));

	for (; th != NULL && started < jobs; started++)
		if (pthread_create(&th[started], NULL, worker, &p) != 0)
			break;
	if (started == 0)
		worker(&p);
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	tlsrpt_free(th);
}

void
probe_finding(json_t *findings, const char *domain, const char *type,
	      const char *mx, const char *address, const char *detail,
	      const char *action)
{
	json_array_append_new(findings,
			      json_pack("{s:s, s:s, s:s?, s:s?, s:s, s:s}",
					"domain", domain, "result-type", type,
					"mx-host", mx, "address", address,
					"detail", detail, "action", action));
}

static json_t *
chain_json(const struct probe_target *t)
{
	json_t *a = json_array();

	for (size_t i = 0; i < t->n_chain; i++) {
		const struct probe_cert *pc = &t->chain[i];

		json_array_append_new(
			a, json_pack("{s:s, s:s, s:s, s:s, s:s}", "subject",
				     pc->subject, "issuer", pc->issuer,
				     "not-before", pc->not_before, "not-after",
				     pc->not_after, "spki-sha256",
				     pc->spki_sha256));
	}
	return a;
}

static json_t *
target_json(const struct probe_conf *c, const struct probe_target *t)
{
	const struct probe_mx *mx = t->mx;
	json_t *o = json_pack("{s:s, s:s, s:i, s:f}", "mx-host", mx->host,
			      "address", mx->addr[t->addr_index], "port",
			      (json_int_t)c->smtp_port, "seconds",
			      (double)(long)(t->seconds * 1000 + 0.5) / 1000);

	json_object_set_new(o, "error",
			    t->error[0] ? json_string(t->error) : json_null());
	json_object_set_new(o, "starttls",
			    t->ehlo_ok ? json_boolean(t->starttls)
				       : json_null());
	json_object_set_new(o, "tls-error",
			    t->tls_error[0] ? json_string(t->tls_error)
					    : json_null());
	if (!t->tls_ok) {
		json_object_set_new(o, "tls", json_null());
		return o;
	}
	json_object_set_new(o, "tls",
			    json_pack("{s:s, s:s}", "version", t->tls_version,
				      "cipher", t->cipher));
	json_object_set_new(o, "certificates", chain_json(t));
	json_object_set_new(o, "days-left", json_integer(t->days_left));
	json_object_set_new(
		o, "webpki",
		json_pack("{s:b, s:s, s:b, s:b, s:b, s:i, s:b}", "valid",
			  t->verify_now == 0, "verdict", t->verify_text,
			  "expired", (t->verify_now & PROBE_V_EXPIRED) != 0,
			  "trusted", (t->verify_now & PROBE_V_UNTRUSTED) == 0,
			  "host-match", t->host_match, "ahead-days",
			  (json_int_t)c->days, "valid-ahead",
			  t->verify_ahead == 0));
	if (t->dane_checked)
		json_object_set_new(
			o, "dane",
			json_pack("{s:b, s:s, s:o, s:b}", "matched", t->dane_ok,
				  "verdict", t->dane_text, "usage",
				  t->dane_usage >= 0
					  ? json_integer(t->dane_usage)
					  : json_null(),
				  "matched-ahead", t->dane_ok_ahead));
	else
		json_object_set_new(o, "dane", json_null());
	return o;
}

/* The findings of one target (see tlsrpt-probe(8), FINDINGS). */
static void
target_findings(const struct probe_conf *c, const char *domain,
		const struct probe_target *t, int domain_has_tlsa,
		json_t *findings)
{
	const char *mx = t->mx->host, *addr = t->mx->addr[t->addr_index];
	/* The first certificate of the chain to expire (kept ones only). */
	const struct probe_cert *first =
		&t->chain[t->first_to_expire < t->n_chain ? t->first_to_expire
							  : 0];
	char d[640];

	if (t->error[0]) {
		snprintf(d, sizeof(d), "%s port %u: %s", addr, c->smtp_port,
			 t->error);
		probe_finding(findings, domain, "mx-unreachable", mx, addr, d,
			      "Make sure the host is up and its SMTP port is "
			      "open to the Internet, or remove it from the "
			      "MX set.");
		return;
	}
	if (domain_has_tlsa && t->mx->n_tlsa == 0)
		probe_finding(findings, domain, "dane-required", mx, addr,
			      "other MX hosts of the domain publish TLSA "
			      "records, this one none: DANE senders will "
			      "not deliver here",
			      "Publish a TLSA record at _25._tcp of this host "
			      "(3 1 1 with its spki-sha256), in a signed "
			      "zone.");
	if (!t->starttls) {
		probe_finding(findings, domain, "starttls-not-supported", mx,
			      addr, "the EHLO reply does not offer STARTTLS",
			      "Enable STARTTLS (Postfix: smtpd_tls_security_"
			      "level = may with a certificate and key).");
		return;
	}
	if (!t->tls_ok) {
		probe_finding(findings, domain, "validation-failure", mx, addr,
			      t->tls_error,
			      "Check the server's TLS setup (certificate, "
			      "key, protocols) in its log.");
		return;
	}
	if (t->verify_now & PROBE_V_EXPIRED) {
		snprintf(d, sizeof(d), "the certificate %s expired on %s",
			 first->subject, first->not_after);
		probe_finding(findings, domain, "certificate-expired", mx, addr,
			      d,
			      "Renew the certificate now and reload the mail "
			      "server; check why automatic renewal did not "
			      "run.");
	} else if (t->verify_ahead & PROBE_V_EXPIRED) {
		snprintf(d, sizeof(d),
			 "the certificate %s expires on %s, in %ld day(s), "
			 "within the %u days looked ahead",
			 first->subject, first->not_after, t->days_left,
			 c->days);
		probe_finding(findings, domain, "certificate-expiring", mx,
			      addr, d,
			      "Renew the certificate before it expires and "
			      "reload the mail server (and update TLSA "
			      "records if the key changes).");
	}
	if (t->verify_now & PROBE_V_UNTRUSTED) {
		snprintf(d, sizeof(d), "no chain to a trusted CA: %s",
			 t->verify_text);
		probe_finding(findings, domain, "certificate-not-trusted", mx,
			      addr, d,
			      "Use a certificate from a public CA and send "
			      "the whole chain (Postfix: "
			      "smtpd_tls_chain_files).");
	}
	if (t->verify_now & (PROBE_V_OTHER | PROBE_V_NOT_YET))
		probe_finding(findings, domain, "validation-failure", mx, addr,
			      t->verify_text,
			      "Replace the certificate with one valid for a "
			      "TLS server today.");
	if (!t->host_match) {
		snprintf(d, sizeof(d),
			 "the certificate does not name %s (subject %s)", mx,
			 t->n_chain > 0 ? t->chain[0].subject : "?");
		probe_finding(findings, domain, "certificate-host-mismatch", mx,
			      addr, d,
			      "Get a certificate whose subjectAltName holds "
			      "the MX host name.");
	}
	if (t->dane_checked && !t->dane_ok) {
		snprintf(d, sizeof(d),
			 "no TLSA record at _25._tcp.%s matches the chain: "
			 "%s",
			 mx, t->dane_text);
		probe_finding(findings, domain, "tlsa-invalid", mx, addr, d,
			      "Publish a TLSA record for the key in use (3 1 "
			      "1 with its spki-sha256) before removing the "
			      "old one.");
	}
}

static json_t *
mx_json(const struct probe_mx *mx)
{
	json_t *o =
		json_pack("{s:s, s:i, s:b}", "host", mx->host, "preference",
			  (json_int_t)mx->preference, "implicit", mx->implicit);
	json_t *a = json_array(), *tl = json_array();

	for (size_t i = 0; i < mx->n_addr; i++)
		json_array_append_new(a, json_string(mx->addr[i]));
	json_object_set_new(o, "addresses", a);
	json_object_set_new(o, "address-error",
			    mx->addr_error[0] ? json_string(mx->addr_error)
					      : json_null());
	for (size_t i = 0; i < mx->n_tlsa; i++) {
		const struct probe_tlsa *r = &mx->tlsa[i];
		char *hex = tlsrpt_malloc(2 * r->len + 1);

		if (hex == NULL)
			break;
		for (size_t j = 0; j < r->len; j++)
			snprintf(hex + 2 * j, 3, "%02x", r->data[j]);
		hex[2 * r->len] = '\0';
		json_array_append_new(
			tl, json_pack("{s:i, s:i, s:i, s:s}", "usage",
				      (json_int_t)r->usage, "selector",
				      (json_int_t)r->selector, "matching-type",
				      (json_int_t)r->mtype, "data", hex));
		tlsrpt_free(hex);
	}
	json_object_set_new(o, "tlsa", tl);
	json_object_set_new(o, "tlsa-dnssec",
			    mx->n_tlsa > 0 ? json_boolean(mx->tlsa_ad)
					   : json_null());
	json_object_set_new(
		o, "tlsa-error",
		mx->tlsa_error[0] && mx->tlsa_status != DNS_LOOKUP_NODATA &&
				mx->tlsa_status != DNS_LOOKUP_NXDOMAIN
			? json_string(mx->tlsa_error)
			: json_null());
	json_object_set_new(o, "sts-match",
			    mx->sts_match[0] ? json_string(mx->sts_match)
					     : json_null());
	return o;
}

json_t *
probe_domain(const struct probe_conf *c, struct dns_resolver *r,
	     struct probe_tls *tls, const char *domain,
	     const struct probe_prev *prev, json_t *findings)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct probe_mx *mx = NULL;
	struct probe_target *targets = NULL;
	size_t n_mx = 0, n_t = 0;
	int has_tlsa = 0;
	json_t *o = json_pack("{s:s}", "domain", domain), *a;

	if (probe_dns_mx(r, domain, &mx, &n_mx, &err) < 0) {
		json_object_set_new(o, "error", json_string(err.text));
		return o;
	}
	json_object_set_new(o, "error", json_null());
	for (size_t i = 0; i < n_mx; i++) {
		probe_dns_addrs(r, &mx[i]);
		probe_dns_tlsa(r, &mx[i]);
		n_t += mx[i].n_addr;
		has_tlsa |= mx[i].n_tlsa > 0;
	}
	json_object_set_new(o, "mta-sts",
			    probe_sts(c, r, domain, mx, n_mx, prev, findings));
	targets = tlsrpt_calloc(n_t > 0 ? n_t : 1, sizeof(*targets));
	if (targets == NULL) {
		json_object_set_new(o, "error", json_string("out of memory"));
		probe_mx_free(mx, n_mx);
		return o;
	}
	n_t = 0;
	for (size_t i = 0; i < n_mx; i++) {
		if (mx[i].n_addr == 0)
			probe_finding(findings, domain, "mx-unreachable",
				      mx[i].host, NULL, mx[i].addr_error,
				      "Publish an A or AAAA record for the MX "
				      "host, or remove it from the MX set.");
		for (size_t j = 0; j < mx[i].n_addr; j++) {
			targets[n_t].mx = &mx[i];
			targets[n_t++].addr_index = j;
		}
	}
	run_pool(c, tls, targets, n_t);
	a = json_array();
	for (size_t i = 0; i < n_mx; i++)
		json_array_append_new(a, mx_json(&mx[i]));
	json_object_set_new(o, "mx", a);
	a = json_array();
	for (size_t i = 0; i < n_t; i++) {
		json_array_append_new(a, target_json(c, &targets[i]));
		target_findings(c, domain, &targets[i], has_tlsa, findings);
	}
	json_object_set_new(o, "hosts", a);
	tlsrpt_free(targets);
	probe_mx_free(mx, n_mx);
	return o;
}
