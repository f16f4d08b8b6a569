/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * probe_tls.h -- inside probe/: the OpenSSL context every probe shares
 * and the offline verdicts on the chain a handshake gave (probe_tls.c),
 * apart from the SMTP dialogue that gets there (probe_smtp.c).
 */
#ifndef TLSRPT_PROBE_PROBE_TLS_H
#define TLSRPT_PROBE_PROBE_TLS_H

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "probe/probe.h"

struct probe_tls {
	SSL_CTX *ctx;
	X509_STORE *store; /* the trust anchors for the offline verdicts */
};

/* Hand t's TLSA records to OpenSSL before the handshake; sets
 * t->dane_checked, and t->dane_text when none is usable. */
void probe_tls_dane_setup(SSL *ssl, struct probe_target *t);

/* What the handshake on ssl gave, into t: protocol, cipher, the chain,
 * WebPKI now and c->days ahead, the host name, DANE. */
void probe_tls_judge(const struct probe_conf *c, struct probe_tls *tls,
		     SSL *ssl, struct probe_target *t);

#endif
