/* SPDX-License-Identifier: BSD-2-Clause */
/* probe_sts.c -- MTA-STS (RFC 8461) as a sender reads it: the _mta-sts TXT
 * record (checked by dns/), then the policy fetched with libcurl from
 * https://mta-sts.DOMAIN/.well-known/mta-sts.txt with the certificate
 * validated, redirects refused, size and time bounded (section 3.3), the
 * policy checked by dns/ and its mx patterns matched against the MX set
 * (section 4.1). The policy host's address comes from our resolver
 * (CURLOPT_RESOLVE), as every other lookup of the probe. */
#include "probe/probe.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "base/alloc.h"
#include "base/buf.h"

/* RFC 8461 section 3.3: a sender need not read past 64 KiB. */
#define POLICY_MAX DNS_POLICY_MAX

struct body {
	struct tlsrpt_buf buf;
	int too_big;
};

static size_t
on_data(char *p, size_t size, size_t n, void *arg)
{
	struct body *b = arg;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	size_t len = size * n; /* curl promises size 1 */

	if (tlsrpt_buf_append(&b->buf, p, len, &err) < 0) {
		b->too_big = err.code == TLSRPT_ERR_LIMIT;
		return 0; /* curl stops: CURLE_WRITE_ERROR */
	}
	return len;
}

/* The id= of a v=STSv1 record (already checked by dns/), or "". */
static void
record_id(const char *rec, char *id, size_t size)
{
	const char *p = rec;

	id[0] = '\0';
	while ((p = strstr(p, "id=")) != NULL) {
		if (p == rec || p[-1] == ';' || p[-1] == ' ' || p[-1] == '\t') {
			size_t n = strspn(p + 3, "abcdefghijklmnopqrstuvwxyz"
						 "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
						 "0123456789");

			snprintf(id, size, "%.*s", (int)n, p + 3);
			return;
		}
		p += 3;
	}
}

/* The values of a policy, as dns_sts_policy_parse() read them. */
static json_t *
policy_json(const struct dns_sts_policy *p)
{
	json_t *mx = json_array();

	for (size_t i = 0; i < p->n_mx; i++)
		json_array_append_new(mx, json_string(p->mx[i]));
	return json_pack("{s:s, s:I, s:o}", "mode", dns_sts_mode_name(p->mode),
			 "max_age", (json_int_t)p->max_age, "mx", mx);
}

static json_t *
digest_json(const unsigned char *p, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char hex[2 * EVP_MAX_MD_SIZE + 1];

	if (EVP_Digest(p != NULL ? p : (const unsigned char *)"", len, md, &n,
		       EVP_sha256(), NULL) != 1)
		return json_null();
	for (unsigned int i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	hex[2 * n] = '\0';
	return json_string(hex);
}

/* The first ERROR of a check, as the detail of a finding. */
static const char *
first_error(const struct dns_findings *f)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->item[i].level == DNS_ERROR)
			return f->item[i].text;
	return "invalid";
}

/* Fetch the policy: 0 with the body, or -1 with o's fetch-error set and
 * a finding added. */
static int
fetch(const struct probe_conf *c, struct dns_resolver *r, const char *domain,
      json_t *o, struct body *b, json_t *findings)
{
	char host[DNS_NAME_MAX + 16], url[DNS_NAME_MAX + 64];
	char resolve[DNS_NAME_MAX + 80], errbuf[CURL_ERROR_SIZE];
	struct curl_slist *rl = NULL;
	struct probe_mx *addr = tlsrpt_calloc(1, sizeof(*addr));
	const char *type = "sts-policy-fetch-error";
	char detail[1024];
	CURL *curl = NULL;
	CURLcode rc;
	long status = 0;
	int ret = -1;

	snprintf(host, sizeof(host), "mta-sts.%s", domain);
	snprintf(url, sizeof(url), "https://%s:%u/.well-known/mta-sts.txt",
		 host, c->https_port);
	json_object_set_new(o, "url", json_string(url));
	if (addr == NULL) {
		snprintf(detail, sizeof(detail), "out of memory");
		goto done;
	}
	if (strlen(host) >= sizeof(addr->host)) {
		snprintf(detail, sizeof(detail), "%s: name too long", host);
		goto done;
	}
	memcpy(addr->host, host, strlen(host) + 1);
	probe_dns_addrs(r, addr);
	if (addr->n_addr == 0) {
		snprintf(detail, sizeof(detail), "%s", addr->addr_error);
		goto done;
	}
	/* One address, as our resolver gave it; IPv6 in brackets. */
	snprintf(resolve, sizeof(resolve),
		 addr->family[0] == AF_INET6 ? "%s:%u:[%s]" : "%s:%u:%s", host,
		 c->https_port, addr->addr[0]);
	rl = curl_slist_append(NULL, resolve);
	curl = curl_easy_init();
	if (rl == NULL || curl == NULL) {
		snprintf(detail, sizeof(detail), "cannot set up libcurl");
		goto done;
	}
	errbuf[0] = '\0';
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_RESOLVE, rl);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https");
	/* Section 3.3: HTTP redirects MUST NOT be followed (the default). */
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
	if (c->ca_file != NULL)
		curl_easy_setopt(curl, CURLOPT_CAINFO, c->ca_file);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, (long)c->timeout);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)c->timeout);
	curl_easy_setopt(curl, CURLOPT_MAXFILESIZE, (long)POLICY_MAX);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, b);
	rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	json_object_set_new(o, "http-status",
			    status != 0 ? json_integer(status) : json_null());
	if (b->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		snprintf(detail, sizeof(detail),
			 "%s: the policy is larger than %d bytes; senders "
			 "stop reading (RFC 8461 section 3.3)",
			 url, POLICY_MAX);
	} else if (rc == CURLE_PEER_FAILED_VERIFICATION ||
		   rc == CURLE_SSL_CACERT_BADFILE) {
		type = "sts-webpki-invalid";
		snprintf(detail, sizeof(detail),
			 "%s: the certificate does not validate: %s", url,
			 errbuf[0] ? errbuf : curl_easy_strerror(rc));
	} else if (rc != CURLE_OK) {
		snprintf(detail, sizeof(detail), "%s: %s", url,
			 errbuf[0] ? errbuf : curl_easy_strerror(rc));
	} else if (status >= 300 && status < 400) {
		snprintf(detail, sizeof(detail),
			 "%s: HTTP %ld, a redirect; senders do not follow "
			 "redirects (RFC 8461 section 3.3)",
			 url, status);
	} else if (status != 200) {
		snprintf(detail, sizeof(detail), "%s: HTTP %ld, not 200", url,
			 status);
	} else {
		ret = 0;
	}
done:
	if (ret < 0) {
		json_object_set_new(o, "fetch-error", json_string(detail));
		probe_finding(findings, domain, type, NULL, NULL, detail,
			      strcmp(type, "sts-webpki-invalid") == 0
				      ? "Serve the policy host with a "
					"certificate from a public CA that "
					"names it."
				      : "Serve the policy at that URL with "
					"HTTP 200, at most 64 KiB, without "
					"redirects.");
	} else {
		json_object_set_new(o, "fetch-error", json_null());
	}
	curl_easy_cleanup(curl);
	curl_slist_free_all(rl);
	probe_mx_free(addr, 1);
	return ret;
}

json_t *
probe_sts(const struct probe_conf *c, struct dns_resolver *r,
	  const char *domain, struct probe_mx *mx, size_t n_mx,
	  const struct probe_prev *prev, json_t *findings)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct dns_txt *recs = NULL;
	size_t n = 0;
	char owner[DNS_NAME_MAX + 16], id[DNS_STS_ID_MAX + 1], detail[640];
	struct dns_findings *f = tlsrpt_calloc(1, sizeof(*f));
	struct body b;
	json_t *o = NULL;
	struct dns_sts_policy pol;
	const struct dns_txt *rec = NULL;
	char quoted[DNS_RECORD_MAX];
	enum dns_lookup_status st;

	memset(&b, 0, sizeof(b));
	tlsrpt_buf_init(&b.buf, POLICY_MAX, "RFC 8461 section 3.3");
	if (f == NULL)
		return json_null();
	snprintf(owner, sizeof(owner), "_mta-sts.%s", domain);
	st = dns_lookup_txt(r, owner, &recs, &n, NULL, 0, &err);
	for (size_t i = 0; i < n && rec == NULL; i++)
		if (recs[i].len >= 7 && memcmp(recs[i].text, "v=STSv1", 7) == 0)
			rec = &recs[i];
	if (st != DNS_LOOKUP_OK || rec == NULL) {
		/* No MTA-STS: nothing a sender would enforce. A lookup that
		 * failed is said, not a finding. */
		o = json_pack("{s:n, s:s?}", "record", "lookup-error",
			      st == DNS_LOOKUP_TEMPFAIL || st == DNS_LOOKUP_FAIL
				      ? err.text
				      : NULL);
		goto done;
	}
	dns_findings_init(f);
	record_id(rec->text, id, sizeof(id));
	/* The record as published, quoted: any byte may be in a TXT record,
	 * and JSON strings are UTF-8. */
	dns_quote(rec->text, rec->len, quoted, sizeof(quoted));
	o = json_pack("{s:s, s:s, s:b}", "record", quoted, "id", id,
		      "record-valid",
		      dns_sts_check_set(recs, n, owner, f) == 0);
	if (!json_is_true(json_object_get(o, "record-valid"))) {
		snprintf(detail, sizeof(detail), "%s: %s", owner,
			 first_error(f));
		probe_finding(findings, domain, "sts-policy-invalid", NULL,
			      NULL, detail,
			      "Publish one TXT record \"v=STSv1; id=...\" "
			      "with an id of 1 to 32 letters and digits.");
	}
	json_object_set_new(o, "policy", json_null());
	if (fetch(c, r, domain, o, &b, findings) < 0)
		goto done;
	/* The policy's digest: a later run (or the store) sees the policy
	 * change while the record's id stays, which senders never notice
	 * (RFC 8461 section 3.1: they refetch only for a new id). */
	json_object_set_new(o, "policy-sha256",
			    digest_json(b.buf.data, b.buf.len));
	dns_findings_init(f);
	if (dns_sts_policy_parse((const char *)b.buf.data, b.buf.len, f, &pol) <
	    0) {
		snprintf(detail, sizeof(detail), "%s", first_error(f));
		probe_finding(findings, domain, "sts-policy-invalid", NULL,
			      NULL, detail,
			      "Fix the policy file as RFC 8461 section 3.2 "
			      "says (tlsrpt-summary dns --check-policy).");
		goto done;
	}
	json_object_set_new(o, "policy", policy_json(&pol));
	for (size_t i = 0; i < n_mx; i++) {
		for (size_t j = 0; j < pol.n_mx; j++) {
			if (dns_mx_pattern_match(pol.mx[j], mx[i].host)) {
				snprintf(mx[i].sts_match,
					 sizeof(mx[i].sts_match), "%s",
					 pol.mx[j]);
				break;
			}
		}
		if (mx[i].sts_match[0] == '\0' && pol.mode != DNS_STS_NONE) {
			snprintf(detail, sizeof(detail),
				 "MX host %s matches no mx: pattern of the "
				 "policy: senders enforcing it will not "
				 "deliver there",
				 mx[i].host);
			probe_finding(findings, domain, "sts-policy-invalid",
				      mx[i].host, NULL, detail,
				      "Add an mx: line for this host to the "
				      "policy, and change the id of the "
				      "_mta-sts TXT record.");
		}
	}
	dns_sts_policy_free(&pol);
done:
	if (json_object_get(o, "record-valid") != NULL) /* a record */
		probe_history_compare(prev, domain, o, findings);
	tlsrpt_buf_free(&b.buf);
	dns_txt_free(recs, n);
	tlsrpt_free(f);
	return o;
}
