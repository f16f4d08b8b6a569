/* SPDX-License-Identifier: BSD-2-Clause */
/* probe_smtp.c -- one MX host at one address, as a sending MTA sees it:
 * connect, EHLO, STARTTLS and the TLS handshake (OpenSSL), each bounded
 * in time; the chain it gives is judged by probe_tls.c.
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
#include <openssl/ssl.h>

#include "base/alloc.h"
#include "probe/probe_tls.h"

/* An SMTP reply longer than this is not one a sending MTA would wait
 * for. */
#define REPLY_MAX 8192

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
	probe_tls_dane_setup(ssl, t);
	if (handshake_bounded(ssl, fd, deadline, t) < 0)
		goto done;
	t->tls_ok = 1;
	probe_tls_judge(c, tls, ssl, t);
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
