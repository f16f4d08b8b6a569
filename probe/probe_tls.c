/* SPDX-License-Identifier: BSD-2-Clause */
/* probe_tls.c -- the certificate chain an MX host sent, judged offline:
 * WebPKI now and N days ahead (X509_verify_cert with
 * X509_VERIFY_PARAM_set_time), the host name (X509_check_host) and, when
 * the host has TLSA records, DANE through OpenSSL's own DANE code
 * (SSL_dane_enable, SSL_dane_tlsa_add). The handshake itself never fails
 * on a bad certificate (probe_smtp.c): the chain says what is wrong. */
#include "probe/probe_tls.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "base/alloc.h"

struct probe_tls *
probe_tls_new(const struct probe_conf *c, struct tlsrpt_error *err)
{
	struct probe_tls *tls = tlsrpt_calloc(1, sizeof(*tls));

	if (tls == NULL) {
		tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL, "out of memory");
		return NULL;
	}
	tls->ctx = SSL_CTX_new(TLS_client_method());
	tls->store = X509_STORE_new();
	if (tls->ctx == NULL || tls->store == NULL ||
	    SSL_CTX_dane_enable(tls->ctx) <= 0) {
		tlsrpt_error_set(err, TLSRPT_ERR_INTERNAL, NULL,
				 "cannot set up OpenSSL");
		goto fail;
	}
	if (c->ca_file != NULL) {
		if (X509_STORE_load_file(tls->store, c->ca_file) != 1) {
			tlsrpt_error_set(err, TLSRPT_ERR_IO, c->ca_file,
					 "cannot read the CA file (PEM "
					 "certificates expected)");
			goto fail;
		}
	} else if (X509_STORE_set_default_paths(tls->store) != 1) {
		tlsrpt_error_set(err, TLSRPT_ERR_IO, NULL,
				 "cannot read the system trust store "
				 "(package ca-certificates)");
		goto fail;
	}
	return tls;
fail:
	probe_tls_free(tls);
	return NULL;
}

void
probe_tls_free(struct probe_tls *tls)
{
	if (tls == NULL)
		return;
	SSL_CTX_free(tls->ctx);
	X509_STORE_free(tls->store);
	tlsrpt_free(tls);
}

static void
time_text(const ASN1_TIME *a, char *buf, size_t size)
{
	struct tm tm;

	if (a == NULL || ASN1_TIME_to_tm(a, &tm) != 1) {
		snprintf(buf, size, "?");
		return;
	}
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
name_text(const X509_NAME *n, char *buf, size_t size)
{
	BIO *b = BIO_new(BIO_s_mem());
	int len;

	buf[0] = '\0';
	if (b == NULL)
		return;
	/* RFC 2253 escapes control characters and non-ASCII bytes: the
	 * text is printable whatever the certificate holds. */
	X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253);
	len = BIO_read(b, buf, (int)size - 1);
	buf[len > 0 ? len : 0] = '\0';
	BIO_free(b);
}

static void
spki_text(X509 *x, char *buf)
{
	unsigned char *der = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der);

	buf[0] = '\0';
	if (len > 0 &&
	    EVP_Digest(der, (size_t)len, md, &mdlen, EVP_sha256(), NULL) == 1)
		for (unsigned i = 0; i < mdlen; i++)
			snprintf(buf + 2 * i, 3, "%02x", md[i]);
	OPENSSL_free(der);
}

struct verify_state {
	unsigned bits;
	int first;
};

static int
verify_cb(int ok, X509_STORE_CTX *ctx)
{
	struct verify_state *vs = X509_STORE_CTX_get_app_data(ctx);
	int e = X509_STORE_CTX_get_error(ctx);

	if (ok)
		return 1;
	if (vs->first == 0)
		vs->first = e;
	switch (e) {
	case X509_V_ERR_CERT_HAS_EXPIRED: vs->bits |= PROBE_V_EXPIRED; break;
	case X509_V_ERR_CERT_NOT_YET_VALID: vs->bits |= PROBE_V_NOT_YET; break;
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_CERT_UNTRUSTED: vs->bits |= PROBE_V_UNTRUSTED; break;
	default: vs->bits |= PROBE_V_OTHER; break;
	}
	/* Go on: every problem of the chain is wanted, not the first. */
	return 1;
}

/* The WebPKI verdict on the chain at time when: PROBE_V_ bits. */
static unsigned
verify_at(X509_STORE *store, STACK_OF(X509) * chain, time_t when, char *text,
	  size_t size)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	struct verify_state vs = {0, 0};

	if (ctx == NULL || sk_X509_num(chain) < 1 ||
	    X509_STORE_CTX_init(ctx, store, sk_X509_value(chain, 0), chain) !=
		    1) {
		X509_STORE_CTX_free(ctx);
		if (text != NULL)
			snprintf(text, size, "cannot verify (out of memory)");
		return PROBE_V_OTHER;
	}
	X509_STORE_CTX_set_app_data(ctx, &vs);
	X509_STORE_CTX_set_verify_cb(ctx, verify_cb);
	X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER);
	X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), when);
	if (X509_verify_cert(ctx) != 1 && vs.bits == 0)
		vs.bits = PROBE_V_OTHER;
	if (text != NULL)
		snprintf(text, size, "%s",
			 vs.first != 0 ? X509_verify_cert_error_string(vs.first)
				       : "ok");
	X509_STORE_CTX_free(ctx);
	return vs.bits;
}

/* The DANE verdict again, offline, at time when: OpenSSL's DANE state of
 * the connection (the TLSA records, the name) on a new verification. */
static int
dane_at(X509_STORE *store, SSL *ssl, STACK_OF(X509) * chain, time_t when)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int ok = 0;

	if (ctx != NULL &&
	    X509_STORE_CTX_init(ctx, store, sk_X509_value(chain, 0), chain) ==
		    1) {
		X509_VERIFY_PARAM *p = X509_STORE_CTX_get0_param(ctx);

		X509_STORE_CTX_set_default(ctx, "ssl_server");
		X509_VERIFY_PARAM_set1(p, SSL_get0_param(ssl));
		X509_VERIFY_PARAM_set_time(p, when);
		X509_STORE_CTX_set0_dane(ctx, SSL_get0_dane(ssl));
		ok = X509_verify_cert(ctx) == 1;
	}
	X509_STORE_CTX_free(ctx);
	return ok;
}

/* What the handshake gave: protocol, cipher, chain, verdicts. */
void
probe_tls_judge(const struct probe_conf *c, struct probe_tls *tls, SSL *ssl,
		struct probe_target *t)
{
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
	X509 *leaf;
	int n = chain != NULL ? sk_X509_num(chain) : 0;
	int first = 1;

	snprintf(t->tls_version, sizeof(t->tls_version), "%s",
		 SSL_get_version(ssl));
	snprintf(t->cipher, sizeof(t->cipher), "%s", SSL_get_cipher_name(ssl));
	if (n < 1) {
		snprintf(t->tls_error, sizeof(t->tls_error),
			 "the server sent no certificate");
		t->verify_now = t->verify_ahead = PROBE_V_OTHER;
		return;
	}
	leaf = sk_X509_value(chain, 0);
	for (int i = 0; i < n; i++) {
		X509 *x = sk_X509_value(chain, i);
		int days = 0, secs = 0;

		if ((size_t)i < PROBE_CHAIN_MAX) {
			struct probe_cert *pc = &t->chain[t->n_chain++];

			name_text(X509_get_subject_name(x), pc->subject,
				  sizeof(pc->subject));
			name_text(X509_get_issuer_name(x), pc->issuer,
				  sizeof(pc->issuer));
			time_text(X509_get0_notBefore(x), pc->not_before,
				  sizeof(pc->not_before));
			time_text(X509_get0_notAfter(x), pc->not_after,
				  sizeof(pc->not_after));
			spki_text(x, pc->spki_sha256);
		}
		/* Whole days from now to notAfter, rounded down: negative
		 * once past. */
		if (ASN1_TIME_diff(&days, &secs, NULL, X509_get0_notAfter(x)) ==
			    1 &&
		    (first || days - (secs < 0) < t->days_left)) {
			t->days_left = days - (secs < 0);
			t->first_to_expire = (size_t)i;
			first = 0;
		}
	}
	t->verify_now = verify_at(tls->store, chain, c->now, t->verify_text,
				  sizeof(t->verify_text));
	t->verify_ahead = verify_at(tls->store, chain,
				    c->now + (time_t)c->days * 86400, NULL, 0);
	t->host_match = X509_check_host(leaf, t->mx->host, 0, 0, NULL) == 1;
	if (t->dane_checked) {
		uint8_t usage, sel, mtype;
		long vr = SSL_get_verify_result(ssl);

		t->dane_ok = SSL_get0_dane_authority(ssl, NULL, NULL) >= 0 &&
			     vr == X509_V_OK;
		t->dane_usage = -1;
		if (t->dane_ok && SSL_get0_dane_tlsa(ssl, &usage, &sel, &mtype,
						     NULL, NULL) >= 0)
			t->dane_usage = usage;
		/* probe_tls_dane_setup's "no TLSA record is usable" says more.
		 */
		if (t->dane_text[0] == '\0')
			snprintf(t->dane_text, sizeof(t->dane_text), "%s",
				 X509_verify_cert_error_string(vr));
		t->dane_ok_ahead =
			t->dane_ok && dane_at(tls->store, ssl, chain,
					      c->now + (time_t)c->days * 86400);
	}
}

/* Hand the host's TLSA records to OpenSSL; the names it accepts are the
 * MX host (RFC 7672 section 3.2.2: the TLSA base domain). */
void
probe_tls_dane_setup(SSL *ssl, struct probe_target *t)
{
	const struct probe_mx *mx = t->mx;
	int usable = 0;

	if (mx->n_tlsa == 0 || SSL_dane_enable(ssl, mx->host) <= 0)
		return;
	for (size_t i = 0; i < mx->n_tlsa; i++)
		if (SSL_dane_tlsa_add(ssl, mx->tlsa[i].usage,
				      mx->tlsa[i].selector, mx->tlsa[i].mtype,
				      mx->tlsa[i].data, mx->tlsa[i].len) > 0)
			usable++;
	t->dane_checked = 1;
	if (usable == 0)
		snprintf(t->dane_text, sizeof(t->dane_text),
			 "no TLSA record is usable (unknown usage, selector "
			 "or matching type, or bad data)");
}
