/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * milter-load.c -- a load driver speaking the milter protocol (libmilter's
 * wire protocol, version 6, as in <libmilter/mfdef.h>) to a running milter,
 * over N parallel connections, the way an MTA would.
 *
 * usage: milter-load -s HOST:PORT [-c CONNS] [-n MESSAGES] [-r RCPT]
 *                    [-P PID] [-R COUNT]... [FILE.eml...]
 *   -s  the milter's inet socket
 *   -c  parallel connections (default 4)
 *   -n  messages to send in all (default 1000)
 *   -r  recipient (default user@example.org)
 *   -P  the milter's pid: with -R, its VmRSS is read from /proc when COUNT
 *       messages are done (several -R allowed)
 *   FILE.eml  messages to send, in turn; without them an ordinary 4 KB
 *       mail (not a report) is sent every time
 *
 * Each message is MAIL, RCPT, DATA, the headers, EOH, the body in chunks
 * of at most 65535 bytes and EOB (end of message), each step left out when
 * the milter negotiated it away, and not waited for when the milter asked
 * for no reply; a message ends early when the milter accepts, rejects,
 * discards or tempfails it. The macros of MAIL, RCPT, DATA, EOH and EOB
 * are sent before each of those steps is reached, whether or not the step
 * itself was negotiated away: Postfix (milter8_event) and Sendmail
 * (milter_command) both do that, so a milter that skips a step still pays
 * for reading its macros. Prints one line of key=value figures: messages,
 * seconds, msgs_per_s, MB_per_s (message bytes offered), body_chunks and
 * body_bytes (body the milter made the driver send), and the outcome of the
 * messages. Exit 0 when every message got an answer, 1 on a protocol or
 * connection failure, 64 on usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* From mfdef.h, so the driver needs no libmilter headers. */
#define C_ABORT 'A'
#define C_BODY 'B'
#define C_CONNECT 'C'
#define C_MACRO 'D'
#define C_BODYEOB 'E'
#define C_HELO 'H'
#define C_HEADER 'L'
#define C_MAIL 'M'
#define C_EOH 'N'
#define C_OPTNEG 'O'
#define C_QUIT 'Q'
#define C_RCPT 'R'
#define C_DATA 'T'
#define P_NOCONNECT 0x1ul
#define P_NOHELO 0x2ul
#define P_NOMAIL 0x4ul
#define P_NORCPT 0x8ul
#define P_NOBODY 0x10ul
#define P_NOHDRS 0x20ul
#define P_NOEOH 0x40ul
#define P_NR_HDR 0x80ul
#define P_NOUNKNOWN 0x100ul
#define P_NODATA 0x200ul
#define P_SKIP 0x400ul
#define P_NR_CONN 0x1000ul
#define P_NR_HELO 0x2000ul
#define P_NR_MAIL 0x4000ul
#define P_NR_RCPT 0x8000ul
#define P_NR_DATA 0x10000ul
#define P_NR_UNKN 0x20000ul
#define P_NR_EOH 0x40000ul
#define P_NR_BODY 0x80000ul
/* What this "MTA" can do: every step and no-reply flag, SKIP; not the
 * leading-space header form nor rejected recipients. */
#define P_OFFER 0x000FF7FFul
#define CHUNK_MAX 65535
#define REPLY_MAX (1u << 20)
#define MAX_RSS_AT 8

struct header {
	char *name, *value;
};

struct message {
	struct header *h;
	size_t n_h;
	char *body; /* CRLF lines */
	size_t body_len, size;
};

enum outcome { O_ACCEPT, O_CONTINUE, O_REJECT, O_TEMPFAIL, O_DISCARD, O_N };
static const char *const outcome_name[O_N] = {"accept", "continue", "reject",
					      "tempfail", "discard"};

struct load {
	struct sockaddr_in addr;
	const char *rcpt;
	struct message *msgs;
	size_t n_msgs;
	unsigned long total;
	atomic_ulong next, done, body_chunks, body_bytes, offered;
	atomic_ulong outcome[O_N], accepted_before_body;
	atomic_int failed;
	atomic_ulong pflags; /* as negotiated (the last connection's) */
	long pid;
	unsigned long rss_at[MAX_RSS_AT];
	atomic_long rss_kb[MAX_RSS_AT];
	size_t n_rss;
};

struct conn {
	struct load *ld;
	int fd;
	unsigned long pflags; /* the milter's answer to OPTNEG */
	char *out;
	size_t out_len, out_cap;
};

static void
die(const char *what)
{
	fprintf(stderr, "milter-load: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void *
xmalloc(size_t n)
{
	void *p = malloc(n == 0 ? 1 : n);

	if (p == NULL)
		die("malloc");
	return p;
}

/* Commands are queued and written together before each wait for a reply:
 * what an MTA with no-reply steps does (one write, not one per header). */
static void
put(struct conn *c, char cmd, const void *data, size_t len)
{
	uint32_t n = htonl((uint32_t)len + 1);

	if (c->out_len + len + 5 > c->out_cap) {
		c->out_cap = (c->out_len + len + 5) * 2;
		c->out = realloc(c->out, c->out_cap);
		if (c->out == NULL)
			die("realloc");
	}
	memcpy(c->out + c->out_len, &n, 4);
	c->out[c->out_len + 4] = cmd;
	memcpy(c->out + c->out_len + 5, data, len);
	c->out_len += len + 5;
}

static int
flush(struct conn *c)
{
	size_t off = 0;

	while (off < c->out_len) {
		ssize_t w = write(c->fd, c->out + off, c->out_len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	c->out_len = 0;
	return 0;
}

static int
read_all(int fd, void *buf, size_t n)
{
	size_t off = 0;

	while (off < n) {
		ssize_t r = read(fd, (char *)buf + off, n - off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		off += (size_t)r;
	}
	return 0;
}

/* Send what is queued and read one reply: its command, data in buf. */
static int
reply(struct conn *c, char *cmd, char *buf, size_t *len)
{
	uint32_t n;

	if (flush(c) < 0 || read_all(c->fd, &n, 4) < 0)
		return -1;
	n = ntohl(n);
	if (n == 0 || n > REPLY_MAX || read_all(c->fd, cmd, 1) < 0)
		return -1;
	*len = n - 1;
	return read_all(c->fd, buf, n - 1);
}

static int
negotiate(struct conn *c)
{
	unsigned char d[12], buf[256];
	uint32_t v[3] = {htonl(6), htonl(0x1FF), htonl(P_OFFER)};
	char cmd;
	size_t len;

	memcpy(d, v, 12);
	put(c, C_OPTNEG, d, 12);
	if (reply(c, &cmd, (char *)buf, &len) < 0 || cmd != C_OPTNEG ||
	    len < 12)
		return -1;
	memcpy(v, buf, 12);
	c->pflags = ntohl(v[2]);
	return 0;
}

/* A final answer: 1 when the message goes on, 0 when it is decided. */
static int
answer(struct conn *c, char cmd, int before_body)
{
	struct load *ld = c->ld;
	enum outcome o;

	switch (cmd) {
	case 'c': return 1;
	case 'a': o = O_ACCEPT; break;
	case 'r':
	case 'y': o = O_REJECT; break;
	case 't': o = O_TEMPFAIL; break;
	case 'd': o = O_DISCARD; break;
	default: return -1;
	}
	atomic_fetch_add(&ld->outcome[o], 1);
	if (o == O_ACCEPT && before_body)
		atomic_fetch_add(&ld->accepted_before_body, 1);
	return 0;
}

/* Wait for the answer to a step unless it was negotiated away. */
static int
step(struct conn *c, unsigned long no_reply, int before_body)
{
	char cmd, buf[4096];
	size_t len;

	if (c->pflags & no_reply)
		return 1;
	do {
		if (reply(c, &cmd, buf, &len) < 0)
			return -1;
	} while (cmd == 'p');
	return answer(c, cmd, before_body);
}

static void
macro(struct conn *c, char stage, const char *name, const char *value)
{
	char buf[256];
	int n = snprintf(buf, sizeof(buf), "%c%s%c%s", stage, name, 0, value);

	put(c, C_MACRO, buf, (size_t)n + 1);
}

/* One message through the milter: 0 when it got its answer. */
static int
send_message(struct conn *c, const struct message *m, unsigned long id)
{
	char qid[32], buf[4096], cmd;
	size_t len, off;
	int rc = 1;

	snprintf(qid, sizeof(qid), "4B%08lX", id);
	macro(c, C_MAIL, "{mail_addr}", "sender@reporter.example");
	if (!(c->pflags & P_NOMAIL)) {
		put(c, C_MAIL, "<sender@reporter.example>", 26);
		if ((rc = step(c, P_NR_MAIL, 1)) <= 0)
			return rc;
	}
	macro(c, C_RCPT, "{rcpt_addr}", c->ld->rcpt);
	if (!(c->pflags & P_NORCPT)) {
		char r[300];
		int n = snprintf(r, sizeof(r), "<%s>", c->ld->rcpt);

		put(c, C_RCPT, r, (size_t)n + 1);
		if ((rc = step(c, P_NR_RCPT, 1)) <= 0)
			return rc;
	}
	macro(c, C_DATA, "i", qid);
	if (!(c->pflags & P_NODATA)) {
		put(c, C_DATA, NULL, 0);
		if ((rc = step(c, P_NR_DATA, 1)) <= 0)
			return rc;
	}
	for (size_t i = 0; !(c->pflags & P_NOHDRS) && i < m->n_h; i++) {
		size_t nl = strlen(m->h[i].name), vl = strlen(m->h[i].value);
		char *hb = xmalloc(nl + vl + 2);

		memcpy(hb, m->h[i].name, nl + 1);
		memcpy(hb + nl + 1, m->h[i].value, vl + 1);
		put(c, C_HEADER, hb, nl + vl + 2);
		free(hb);
		if ((rc = step(c, P_NR_HDR, 1)) <= 0)
			return rc;
	}
	macro(c, C_EOH, "i", qid);
	if (!(c->pflags & P_NOEOH)) {
		put(c, C_EOH, NULL, 0);
		if ((rc = step(c, P_NR_EOH, 1)) <= 0)
			return rc;
	}
	for (off = 0; !(c->pflags & P_NOBODY) && off < m->body_len;) {
		size_t n = m->body_len - off > CHUNK_MAX ? CHUNK_MAX
							 : m->body_len - off;

		put(c, C_BODY, m->body + off, n);
		atomic_fetch_add(&c->ld->body_chunks, 1);
		atomic_fetch_add(&c->ld->body_bytes, n);
		off += n;
		if (c->pflags & P_NR_BODY)
			continue;
		if (reply(c, &cmd, buf, &len) < 0)
			return -1;
		if (cmd == 's' && (c->pflags & P_SKIP))
			break;
		if ((rc = answer(c, cmd, 0)) <= 0)
			return rc;
	}
	macro(c, C_BODYEOB, "i", qid);
	put(c, C_BODYEOB, NULL, 0);
	/* Modifications (headers, quarantine...) come before the answer. */
	for (;;) {
		if (reply(c, &cmd, buf, &len) < 0)
			return -1;
		if (strchr("hmiq+-2ebpl", cmd) != NULL)
			continue;
		if (cmd == 'c') {
			atomic_fetch_add(&c->ld->outcome[O_CONTINUE], 1);
			return 0;
		}
		return answer(c, cmd, 0) == 0 ? 0 : -1;
	}
}

static void
note_rss(struct load *ld, unsigned long done)
{
	char path[64], line[256];
	FILE *f;

	for (size_t i = 0; i < ld->n_rss; i++) {
		if (ld->rss_at[i] != done)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/status", ld->pid);
		f = fopen(path, "r");
		if (f == NULL)
			return;
		while (fgets(line, sizeof(line), f) != NULL)
			if (strncmp(line, "VmRSS:", 6) == 0)
				atomic_store(&ld->rss_kb[i],
					     strtol(line + 6, NULL, 10));
		fclose(f);
	}
}

static void *
worker(void *arg)
{
	struct conn c = {.ld = arg, .fd = -1};
	struct load *ld = c.ld;
	int one = 1;

	c.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c.fd < 0 ||
	    connect(c.fd, (struct sockaddr *)&ld->addr, sizeof(ld->addr)) < 0)
		goto fail;
	(void)setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (negotiate(&c) < 0)
		goto fail;
	atomic_store(&ld->pflags, c.pflags);
	if (!(c.pflags & P_NOCONNECT)) {
		static const char conn[] = "client.example\0004\0\031127.0.0.1";

		put(&c, C_CONNECT, conn, sizeof(conn));
		if (step(&c, P_NR_CONN, 1) != 1)
			goto fail;
	}
	if (!(c.pflags & P_NOHELO)) {
		put(&c, C_HELO, "client.example", 15);
		if (step(&c, P_NR_HELO, 1) != 1)
			goto fail;
	}
	for (;;) {
		unsigned long i = atomic_fetch_add(&ld->next, 1), d;
		const struct message *m;

		if (i >= ld->total)
			break;
		m = &ld->msgs[i % ld->n_msgs];
		atomic_fetch_add(&ld->offered, m->size);
		if (send_message(&c, m, i) < 0)
			goto fail;
		d = atomic_fetch_add(&ld->done, 1) + 1;
		if (ld->n_rss > 0)
			note_rss(ld, d);
	}
	put(&c, C_QUIT, NULL, 0);
	(void)flush(&c);
	close(c.fd);
	free(c.out);
	return NULL;
fail:
	fprintf(stderr, "milter-load: connection failed: %s\n",
		errno != 0 ? strerror(errno) : "protocol error");
	atomic_store(&ld->failed, 1);
	if (c.fd >= 0)
		close(c.fd);
	free(c.out);
	return NULL;
}

/* A message file into headers (folded values keep their LF, as Postfix
 * hands them over) and a CRLF body. */
static void
load_message(const char *path, struct message *m)
{
	FILE *f = fopen(path, "rb");
	char *text, *p, *end;
	long size;
	size_t cap = 16, bl = 0;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0)
		die(path);
	text = xmalloc((size_t)size + 1);
	if (fread(text, 1, (size_t)size, f) != (size_t)size)
		die(path);
	fclose(f);
	text[size] = '\0';
	memset(m, 0, sizeof(*m));
	m->size = (size_t)size;
	m->h = xmalloc(cap * sizeof(*m->h));
	p = text;
	end = text + size;
	while (p < end && *p != '\n' && !(*p == '\r' && p[1] == '\n')) {
		char *colon = strchr(p, ':'), *e = p, *v, *o;

		/* The header runs to a newline not followed by blanks. */
		while (e < end &&
		       !(*e == '\n' &&
			 (e + 1 >= end || (e[1] != ' ' && e[1] != '\t'))))
			e++;
		if (colon == NULL || colon > e)
			break;
		if (m->n_h == cap) {
			cap *= 2;
			m->h = realloc(m->h, cap * sizeof(*m->h));
			if (m->h == NULL)
				die("realloc");
		}
		m->h[m->n_h].name = strndup(p, (size_t)(colon - p));
		v = colon + 1;
		while (v < e && (*v == ' ' || *v == '\t'))
			v++;
		o = m->h[m->n_h].value = xmalloc((size_t)(e - v) + 1);
		for (; v < e; v++)
			if (*v != '\r')
				*o++ = *v;
		*o = '\0';
		m->n_h++;
		p = e < end ? e + 1 : end;
	}
	p += (*p == '\r') ? 2 : 1;
	m->body = xmalloc((size_t)(end > p ? end - p : 0) * 2 + 1);
	for (; p < end; p++) {
		if (*p == '\n' && (bl == 0 || m->body[bl - 1] != '\r'))
			m->body[bl++] = '\r';
		m->body[bl++] = *p;
	}
	m->body_len = bl;
	free(text);
}

/* An ordinary mail: not a report, 4 KB of text. */
static void
ordinary_message(struct message *m)
{
	static const char *const hv[][2] = {
		{"Received", "from client.example (client.example [192.0.2.9])"
			     "\n\tby mx.example.org (Postfix) with ESMTPS"},
		{"From", "Someone <someone@client.example>"},
		{"To", "user@example.org"},
		{"Subject", "Lunch on Thursday?"},
		{"Date", "Fri, 27 Nov 2026 09:12:44 +0000"},
		{"Message-ID", "<20261127091244.1234@client.example>"},
		{"MIME-Version", "1.0"},
		{"Content-Type", "text/plain; charset=utf-8"},
		{"Content-Transfer-Encoding", "8bit"},
		{"DKIM-Signature", "v=1; a=rsa-sha256; d=client.example; "
				   "s=s1; h=from:to:subject:date; "
				   "bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3"
				   "hSuFU=; b=dGVzdA=="},
		{"X-Mailer", "bench"},
		{"Authentication-Results", "mx.example.org; dkim=pass"},
	};
	size_t n = sizeof(hv) / sizeof(hv[0]);

	memset(m, 0, sizeof(*m));
	m->h = xmalloc(n * sizeof(*m->h));
	for (size_t i = 0; i < n; i++) {
		m->h[i].name = strdup(hv[i][0]);
		m->h[i].value = strdup(hv[i][1]);
		m->size += strlen(hv[i][0]) + strlen(hv[i][1]) + 4;
	}
	m->n_h = n;
	m->body_len = 4096;
	m->body = xmalloc(m->body_len);
	for (size_t i = 0; i < m->body_len; i++)
		m->body[i] = (i % 72 == 70)   ? '\r'
			     : (i % 72 == 71) ? '\n'
					      : (char)('a' + i % 26);
	m->size += m->body_len;
}

int
main(int argc, char **argv)
{
	static struct load ld;
	const char *sock = NULL;
	unsigned conns = 4;
	pthread_t *th;
	struct timespec t0, t1;
	double secs;
	int opt;

	ld.total = 1000;
	ld.rcpt = "user@example.org";
	while ((opt = getopt(argc, argv, "s:c:n:r:P:R:")) != -1) {
		switch (opt) {
		case 's': sock = optarg; break;
		case 'c': conns = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'n': ld.total = strtoul(optarg, NULL, 10); break;
		case 'r': ld.rcpt = optarg; break;
		case 'P': ld.pid = strtol(optarg, NULL, 10); break;
		case 'R':
			if (ld.n_rss < MAX_RSS_AT)
				ld.rss_at[ld.n_rss++] =
					strtoul(optarg, NULL, 10);
			break;
		default: goto usage;
		}
	}
	if (sock == NULL || conns == 0 || conns > 256 ||
	    strchr(sock, ':') == NULL)
		goto usage;
	ld.addr.sin_family = AF_INET;
	ld.addr.sin_port = htons((uint16_t)atoi(strchr(sock, ':') + 1));
	{
		char host[64];

		snprintf(host, sizeof(host), "%.*s",
			 (int)(strchr(sock, ':') - sock), sock);
		if (inet_pton(AF_INET, host, &ld.addr.sin_addr) != 1)
			goto usage;
	}
	ld.n_msgs = argc > optind ? (size_t)(argc - optind) : 1;
	ld.msgs = xmalloc(ld.n_msgs * sizeof(*ld.msgs));
	if (argc > optind)
		for (size_t i = 0; i < ld.n_msgs; i++)
			load_message(argv[optind + (int)i], &ld.msgs[i]);
	else
		ordinary_message(&ld.msgs[0]);
	th = xmalloc(conns * sizeof(*th));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned i = 0; i < conns; i++)
		if (pthread_create(&th[i], NULL, worker, &ld) != 0)
			die("pthread_create");
	for (unsigned i = 0; i < conns; i++)
		pthread_join(th[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("messages=%lu seconds=%.3f msgs_per_s=%.0f MB_per_s=%.2f "
	       "body_chunks=%lu body_bytes=%lu accepted_before_body=%lu",
	       atomic_load(&ld.done), secs,
	       (double)atomic_load(&ld.done) / secs,
	       (double)atomic_load(&ld.offered) / secs / 1e6,
	       atomic_load(&ld.body_chunks), atomic_load(&ld.body_bytes),
	       atomic_load(&ld.accepted_before_body));
	for (int o = 0; o < O_N; o++)
		printf(" %s=%lu", outcome_name[o], atomic_load(&ld.outcome[o]));
	for (size_t i = 0; i < ld.n_rss; i++)
		printf(" rss_kb_at_%lu=%ld", ld.rss_at[i],
		       atomic_load(&ld.rss_kb[i]));
	printf(" protocol=0x%lx\n", atomic_load(&ld.pflags));
	return atomic_load(&ld.failed) || atomic_load(&ld.done) != ld.total;
usage:
	fprintf(stderr, "usage: milter-load -s HOST:PORT [-c CONNS] "
			"[-n MESSAGES] [-r RCPT] [-P PID] [-R COUNT]... "
			"[FILE.eml...]\n");
	return 64;
}
