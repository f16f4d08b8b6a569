/* SPDX-License-Identifier: BSD-2-Clause */
/* probe_smtp.c -- one MX host at one address, as a sending MTA sees it:
 * connect, EHLO, STARTTLS, the TLS handshake (OpenSSL), then the
 * certificate chain judged offline: WebPKI now and N days ahead
 * (X509_verify_cert with X509_VERIFY_PARAM_set_time), the host name
 * (X509_check_host) and, when the host has TLSA records, DANE through
 * OpenSSL's own DANE code (SSL_dane_enable, SSL_dane_tlsa_add).
 *
 * The handshake itself never fails on a bad certificate (SSL_VERIFY_NONE):
 * we want the chain to say what is wrong with it, as a report would. */
#include "probe/probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "base/alloc.h"

/* An SMTP reply longer than this is not one a sending MTA would wait
 * for. */
#define REPLY_MAX 8192

struct probe_tls {
	SSL_CTX *ctx;
	X509_STORE *store; /* the trust anchors for the offline verdicts */
};

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

/* strerror() for the worker threads: strerror_r (GNU form) into the
 * caller's buffer, never a buffer shared between threads. */
static const char *
errtext(int e, char *buf, size_t size)
{
	return strerror_r(e, buf, size);
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
set_io_timeout(int fd, unsigned seconds)
{
	struct timeval tv = {.tv_sec = (time_t)seconds, .tv_usec = 0};

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
		return -1;
	return 0;
}

/* A TCP connection bounded by the timeout; -1 with t->error. */
static int
connect_bounded(const struct probe_conf *c, struct probe_target *t)
{
	const char *addr = t->mx->addr[t->addr_index];
	struct sockaddr_storage ss;
	socklen_t sl;
	struct pollfd pfd;
	int fd, flags, soerr = 0;
	socklen_t el = sizeof(soerr);
	char eb[128];

	memset(&ss, 0, sizeof(ss));
	if (t->mx->family[t->addr_index] == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)c->smtp_port);
		inet_pton(AF_INET, addr, &s4->sin_addr);
		sl = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)c->smtp_port);
		inet_pton(AF_INET6, addr, &s6->sin6_addr);
		sl = sizeof(*s6);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(t->error, sizeof(t->error), "cannot open a socket: %s",
			 errtext(errno, eb, sizeof(eb)));
		return -1;
	}
	flags = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	if (connect(fd, (struct sockaddr *)&ss, sl) < 0 &&
	    errno != EINPROGRESS) {
		soerr = errno;
		goto failed;
	}
	pfd.fd = fd;
	pfd.events = POLLOUT;
	if (poll(&pfd, 1, (int)c->timeout * 1000) != 1) {
		snprintf(t->error, sizeof(t->error),
			 "no connection to port %u within %u s (a firewall "
			 "dropping packets, or the host is down)",
			 c->smtp_port, c->timeout);
		close(fd);
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &el) < 0)
		soerr = errno;
	if (soerr != 0)
		goto failed;
	fcntl(fd, F_SETFL, flags);
	if (set_io_timeout(fd, c->timeout) < 0) {
		soerr = errno;
		goto failed;
	}
	return fd;
failed:
	snprintf(t->error, sizeof(t->error), "cannot connect to port %u: %s",
		 c->smtp_port, errtext(soerr, eb, sizeof(eb)));
	close(fd);
	return -1;
}

/* The three-digit code a reply line starts with (RFC 5321 section 4.2),
 * or -1: atoi() would take "-99" or "abc" from a hostile host, and a
 * negative code reads as an error that never got its text. */
static int
reply_code(const char *line)
{
	for (int i = 0; i < 3; i++)
		if (line[i] < '0' || line[i] > '9')
			return -1;
	return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
}

/* Read one SMTP reply (all its lines) into buf; its code, or -1 with
 * t->error. The last line is "NNN " (RFC 5321 section 4.2.1). */
static int
read_reply(int fd, char *buf, size_t size, double deadline,
	   struct probe_target *t, const char *after)
{
	size_t len = 0;
	char eb[128];

	for (;;) {
		ssize_t got;
		char *line = buf;

		if (now_seconds() > deadline) {
			snprintf(t->error, sizeof(t->error),
				 "the reply after %s took too long", after);
			return -1;
		}
		got = recv(fd, buf + len, size - 1 - len, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			snprintf(t->error, sizeof(t->error), "%s after %s",
				 got == 0 ? "connection closed"
				 : errno == EAGAIN || errno == EWOULDBLOCK
					 ? "no reply in time"
					 : errtext(errno, eb, sizeof(eb)),
				 after);
			return -1;
		}
		len += (size_t)got;
		buf[len] = '\0';
		/* Look for a complete last line. */
		for (;;) {
			char *nl = strchr(line, '\n');

			if (nl == NULL)
				break;
			int last = (nl - line >= 4 && line[3] == ' ') ||
				   /* A code alone: "250\r\n" or "250\n". */
				   (nl - line == 4 && line[3] == '\r') ||
				   nl - line == 3;

			if (last && reply_code(line) >= 0)
				return reply_code(line);
			if (last) {
				snprintf(t->error, sizeof(t->error),
					 "the reply after %s is not SMTP (no "
					 "three-digit code)",
					 after);
				return -1;
			}
			line = nl + 1;
		}
		if (len >= size - 1) {
			snprintf(t->error, sizeof(t->error),
				 "reply after %s longer than %d bytes", after,
				 REPLY_MAX);
			return -1;
		}
	}
}

static int
send_line(int fd, const char *line, struct probe_target *t)
{
	size_t n = strlen(line);
	char eb[128];

	while (n > 0) {
		ssize_t w = send(fd, line, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			snprintf(t->error, sizeof(t->error),
				 "cannot send a command: %s",
				 errtext(errno, eb, sizeof(eb)));
			return -1;
		}
		line += w;
		n -= (size_t)w;
	}
	return 0;
}

/* STARTTLS among the EHLO keywords (one per line after the first). */
static int
offers_starttls(const char *reply)
{
	for (const char *l = reply; l != NULL && *l != '\0';) {
		const char *nl = strchr(l, '\n');

		if (strlen(l) >= 12 && strncasecmp(l + 4, "STARTTLS", 8) == 0 &&
		    (l[12] == '\r' || l[12] == '\n' || l[12] == ' ' ||
		     l[12] == '\0'))
			return 1;
		l = nl != NULL ? nl + 1 : NULL;
	}
	return 0;
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
static void
judge(const struct probe_conf *c, struct probe_tls *tls, SSL *ssl,
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
		/* dane_setup's "no TLSA record is usable" says more. */
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
static void
dane_setup(SSL *ssl, struct probe_target *t)
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

static void
tls_error_text(struct probe_target *t, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[200];
	char eb[128];

	if (e != 0)
		ERR_error_string_n(e, buf, sizeof(buf));
	else
		snprintf(buf, sizeof(buf), "%s",
			 errno != 0 ? errtext(errno, eb, sizeof(eb))
				    : "connection closed");
	snprintf(t->tls_error, sizeof(t->tls_error), "%s: %s", what, buf);
	ERR_clear_error();
}

/* SSL_connect bounded by the deadline. SO_RCVTIMEO bounds each read, not
 * the handshake: a host that drips its certificate a byte at a time would
 * hold a worker for days. So the socket is non-blocking while OpenSSL
 * asks for bytes, and poll() waits only for what is left of the
 * deadline. 0, or -1 with t->tls_error. */
static int
handshake_bounded(SSL *ssl, int fd, double deadline, struct probe_target *t)
{
	int flags = fcntl(fd, F_GETFL), rc;

	fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = 0, .revents = 0};
		double left = deadline - now_seconds();
		int e;

		errno = 0;
		rc = SSL_connect(ssl);
		if (rc == 1)
			break;
		e = SSL_get_error(ssl, rc);
		if (e == SSL_ERROR_WANT_READ)
			pfd.events = POLLIN;
		else if (e == SSL_ERROR_WANT_WRITE)
			pfd.events = POLLOUT;
		else {
			tls_error_text(t, "TLS handshake failed");
			break;
		}
		if (left <= 0) {
			ERR_clear_error();
			snprintf(t->tls_error, sizeof(t->tls_error),
				 "TLS handshake failed: not done in time "
				 "(the host sends too slowly)");
			break;
		}
		/* A timeout or EINTR: the loop looks at the clock again. */
		(void)poll(&pfd, 1, (int)(left * 1000) + 1);
	}
	fcntl(fd, F_SETFL, flags);
	return rc == 1 ? 0 : -1;
}

void
probe_smtp(const struct probe_conf *c, struct probe_tls *tls,
	   struct probe_target *t)
{
	double start = now_seconds();
	/* A host that drips its replies byte by byte still ends here. */
	double deadline = start + 4.0 * c->timeout;
	char *buf = tlsrpt_malloc(REPLY_MAX);
	char cmd[DNS_NAME_MAX + 16];
	SSL *ssl = NULL;
	int fd = -1, code;

	t->days_left = 0;
	t->dane_usage = -1;
	if (buf == NULL) {
		snprintf(t->error, sizeof(t->error), "out of memory");
		goto done;
	}
	fd = connect_bounded(c, t);
	if (fd < 0)
		goto done;
	code = read_reply(fd, buf, REPLY_MAX, deadline, t, "connecting");
	if (code < 0)
		goto done;
	if (code != 220) {
		snprintf(t->error, sizeof(t->error),
			 "greeting %d, not 220: the server refuses mail", code);
		goto done;
	}
	snprintf(cmd, sizeof(cmd), "EHLO %s\r\n", c->ehlo);
	if (send_line(fd, cmd, t) < 0 ||
	    (code = read_reply(fd, buf, REPLY_MAX, deadline, t, "EHLO")) < 0)
		goto done;
	if (code != 250) {
		snprintf(t->error, sizeof(t->error),
			 "EHLO answered %d, not 250", code);
		goto done;
	}
	t->ehlo_ok = 1;
	t->starttls = offers_starttls(buf);
	if (!t->starttls)
		goto quit;
	if (send_line(fd, "STARTTLS\r\n", t) < 0 ||
	    (code = read_reply(fd, buf, REPLY_MAX, deadline, t, "STARTTLS")) <
		    0)
		goto done;
	if (code != 220) {
		snprintf(t->tls_error, sizeof(t->tls_error),
			 "STARTTLS answered %d, not 220", code);
		goto quit;
	}
	ssl = SSL_new(tls->ctx);
	if (ssl == NULL || SSL_set_fd(ssl, fd) != 1) {
		tls_error_text(t, "cannot set up TLS");
		goto done;
	}
	SSL_set_tlsext_host_name(ssl, t->mx->host);
	SSL_set_verify(ssl, SSL_VERIFY_NONE, NULL);
	dane_setup(ssl, t);
	if (handshake_bounded(ssl, fd, deadline, t) < 0)
		goto done;
	t->tls_ok = 1;
	judge(c, tls, ssl, t);
	/* Polite, best effort: the verdicts are in. */
	SSL_write(ssl, "QUIT\r\n", 6);
	SSL_shutdown(ssl);
	goto done;
quit:
	/* Best effort, and never an error of the host's: the answers are in. */
	(void)!send(fd, "QUIT\r\n", 6, MSG_NOSIGNAL);
done:
	SSL_free(ssl);
	if (fd >= 0)
		close(fd);
	tlsrpt_free(buf);
	t->seconds = now_seconds() - start;
}
