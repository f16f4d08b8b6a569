/* SPDX-License-Identifier: BSD-2-Clause */
/* state.c -- the alert de-duplication file: flock, temp file, rename. */
#include "alert/state.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/fileio.h"

/* Far above what ALERT_STATE_MAX_KEYS lines of real keys take; a larger
 * file was not written by us and is read only up to here. */
#define STATE_MAX_BYTES (8u * 1024 * 1024)

struct entry {
	int64_t t;
	char *key;    /* escaped */
	char *sender; /* escaped, "-" for none; NULL in an old file */
};

struct table {
	struct entry *e;
	size_t n, cap;
};

static void
table_free(struct table *tb)
{
	for (size_t i = 0; i < tb->n; i++) {
		tlsrpt_free(tb->e[i].key);
		tlsrpt_free(tb->e[i].sender);
	}
	tlsrpt_free(tb->e);
	memset(tb, 0, sizeof(*tb));
}

/* Takes ownership of key and sender (freed on failure too). */
static int
table_add(struct table *tb, int64_t t, char *key, char *sender)
{
	if (tb->n == tb->cap) {
		size_t cap = tb->cap ? tb->cap * 2 : 16;
		struct entry *e = tlsrpt_reallocarray(tb->e, cap, sizeof(*e));

		if (e == NULL) {
			tlsrpt_free(key);
			tlsrpt_free(sender);
			return -1;
		}
		tb->e = e;
		tb->cap = cap;
	}
	tb->e[tb->n].t = t;
	tb->e[tb->n].key = key;
	tb->e[tb->n].sender = sender;
	tb->n++;
	return 0;
}

static void
table_remove(struct table *tb, size_t i)
{
	tlsrpt_free(tb->e[i].key);
	tlsrpt_free(tb->e[i].sender);
	tb->e[i] = tb->e[--tb->n];
}

static struct entry *
table_find(struct table *tb, const char *key)
{
	for (size_t i = 0; i < tb->n; i++) {
		if (strcmp(tb->e[i].key, key) == 0)
			return &tb->e[i];
	}
	return NULL;
}

static char *
escape(const char *key)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t len = strlen(key);
	char *out = tlsrpt_malloc(len * 3 + 1), *o = out;

	if (out == NULL)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
		if (*p <= 0x20 || *p == 0x7f || *p == '%') {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		} else {
			*o++ = (char)*p;
		}
	}
	*o = '\0';
	return out;
}

static int
io_error(struct tlsrpt_error *err, const char *path, const char *what)
{
	return tlsrpt_error_set(err, TLSRPT_ERR_IO, path, "%s: %s", what,
				strerror(errno));
}

/* Open and lock PATH.lock; returns the descriptor (close to unlock). */
static int
lock_state(const char *path, struct tlsrpt_error *err)
{
	char lock[4096];
	int fd;

	if (snprintf(lock, sizeof(lock), "%s.lock", path) >= (int)sizeof(lock))
		return tlsrpt_error_set(err, TLSRPT_ERR_IO, path,
					"path too long");
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd < 0)
		return io_error(err, lock, "cannot open the alert lock file");
	if (tlsrpt_flock(fd, LOCK_EX) != 0) {
		io_error(err, lock, "cannot lock");
		close(fd);
		return -1;
	}
	return fd;
}

/* Parse "EPOCH KEY [SENDER]" lines of buf; a damaged line is skipped. */
static int
parse(char *buf, size_t len, struct table *tb)
{
	char *p = buf, *end = buf + len;

	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p)), *sp, *key;
		long long t;

		if (nl == NULL)
			break; /* a torn last line: not ours to trust */
		*nl = '\0';
		errno = 0;
		t = strtoll(p, &sp, 10);
		if (errno == 0 && sp != p && *sp == ' ' && sp[1] != '\0' &&
		    strpbrk(sp + 1, "\t\r") == NULL) {
			char *sender = strchr(sp + 1, ' '), *who = NULL;

			if (sender != NULL) {
				*sender++ = '\0';
				if (*sender == '\0' ||
				    strchr(sender, ' ') != NULL) {
					p = nl + 1;
					continue;
				}
				if ((who = tlsrpt_strdup(sender)) == NULL)
					return -1;
			}
			if ((key = tlsrpt_strdup(sp + 1)) == NULL) {
				tlsrpt_free(who);
				return -1;
			}
			if (table_add(tb, (int64_t)t, key, who) != 0)
				return -1;
		}
		p = nl + 1;
	}
	return 0;
}

static int
load(const char *path, struct table *tb, struct tlsrpt_error *err)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	ssize_t n;
	int fd, ret = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return io_error(err, path, "cannot open the alert state");
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		tlsrpt_error_set(err, TLSRPT_ERR_IO, path,
				 "the alert state is not a regular file");
		goto out;
	}
	if ((buf = tlsrpt_malloc(STATE_MAX_BYTES)) == NULL)
		goto nomem;
	while (len < STATE_MAX_BYTES &&
	       (n = read(fd, buf + len, STATE_MAX_BYTES - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			io_error(err, path, "cannot read the alert state");
			goto out;
		}
		len += (size_t)n;
	}
	if (parse(buf, len, tb) != 0)
		goto nomem;
	ret = 0;
	goto out;
nomem:
	tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, path, "out of memory");
out:
	tlsrpt_free(buf);
	close(fd);
	return ret;
}

/* Write tb to PATH.tmp, fsync, rename over PATH. */
static int
save(const char *path, const struct table *tb, struct tlsrpt_error *err)
{
	char tmp[4096];
	char *buf = NULL;
	size_t used = 0, cap = 0;
	int fd = -1, ret = -1;

	for (size_t i = 0; i < tb->n; i++)
		cap += strlen(tb->e[i].key) + 26 +
		       (tb->e[i].sender != NULL ? strlen(tb->e[i].sender) : 0);
	if ((buf = tlsrpt_malloc(cap + 1)) == NULL)
		return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, path,
					"out of memory");
	for (size_t i = 0; i < tb->n; i++)
		used += (size_t)snprintf(
			buf + used, cap + 1 - used, "%" PRId64 " %s%s%s\n",
			tb->e[i].t, tb->e[i].key,
			tb->e[i].sender != NULL ? " " : "",
			tb->e[i].sender != NULL ? tb->e[i].sender : "");
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		tlsrpt_error_set(err, TLSRPT_ERR_IO, path, "path too long");
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		  0640);
	if (fd < 0) {
		io_error(err, tmp, "cannot create");
		goto out;
	}
	if (tlsrpt_write_all(fd, buf, used) != 0 || fsync(fd) != 0) {
		io_error(err, tmp, "cannot write");
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		io_error(err, tmp, "cannot write");
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		io_error(err, path, "cannot replace");
		goto out;
	}
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	if (ret != 0)
		(void)unlink(tmp);
	tlsrpt_free(buf);
	return ret;
}

/* Keys whose interval is over suppress nothing: forget them. */
static void
expire(struct table *tb, int64_t now, int64_t interval)
{
	for (size_t i = tb->n; i-- > 0;) {
		if (tb->e[i].t <= now && now - tb->e[i].t >= interval)
			table_remove(tb, i);
	}
}

static void
drop_oldest(struct table *tb)
{
	size_t oldest = 0;

	for (size_t i = 1; i < tb->n; i++) {
		if (tb->e[i].t < tb->e[oldest].t)
			oldest = i;
	}
	table_remove(tb, oldest);
}

/* A clock that went back counts the same distance as one that went on. */
static int
recent(int64_t t, int64_t now, int64_t interval)
{
	int64_t d = now >= t ? now - t : t - now;

	return d < interval;
}

/* Escape key into *esc, lock the state and load it into tb. Returns the
 * lock's descriptor, or -1 (then state_close() still frees what was
 * taken). */
static int
state_open(const char *path, const char *key, struct table *tb, char **esc,
	   struct tlsrpt_error *err)
{
	int fd;

	if ((*esc = escape(key)) == NULL)
		return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, path,
					"out of memory");
	if ((fd = lock_state(path, err)) < 0)
		return -1;
	if (load(path, tb, err) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Unlock and free what state_open() took. */
static void
state_close(int fd, struct table *tb, char *esc)
{
	if (fd >= 0)
		close(fd);
	table_free(tb);
	tlsrpt_free(esc);
}

/* Which hourly bound sending now for sender (escaped) would pass, or 0. */
static int
over_rate(const struct table *tb, const char *sender, int64_t now,
	  const struct alert_rate *rate)
{
	unsigned total = 0, same = 0;

	if (rate == NULL)
		return 0;
	for (size_t i = 0; i < tb->n; i++) {
		const struct entry *e = &tb->e[i];

		if (e->t > now || now - e->t >= 3600)
			continue;
		total++;
		same += e->sender != NULL && strcmp(e->sender, sender) == 0;
	}
	if (rate->per_hour > 0 && total >= rate->per_hour)
		return ALERT_STATE_OVER_TOTAL;
	if (rate->per_sender_hour > 0 && same >= rate->per_sender_hour)
		return ALERT_STATE_OVER_SENDER;
	return 0;
}

int
alert_state_claim(const char *path, const char *key, int64_t now,
		  int64_t interval, struct tlsrpt_error *err)
{
	return alert_state_claim_rated(path, key, NULL, now, interval, NULL,
				       err);
}

int
alert_state_claim_rated(const char *path, const char *key, const char *sender,
			int64_t now, int64_t interval,
			const struct alert_rate *rate, struct tlsrpt_error *err)
{
	struct table tb = {NULL, 0, 0};
	struct entry *e;
	char *esc = NULL, *who = NULL;
	int fd, ret = -1, over;

	if ((fd = state_open(path, key, &tb, &esc, err)) < 0)
		goto out;
	/* No sender (no rate): the line keeps the old two fields. */
	if (sender != NULL &&
	    (who = escape(sender[0] != '\0' ? sender : "-")) == NULL) {
		tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, path, "out of memory");
		goto out;
	}
	e = table_find(&tb, esc);
	if (e != NULL && recent(e->t, now, interval)) {
		ret = 0;
		goto out;
	}
	if ((over = over_rate(&tb, who != NULL ? who : "-", now, rate)) != 0) {
		ret = over;
		goto out;
	}
	/* What the hourly bounds count must outlive a shorter interval. */
	expire(&tb, now, rate != NULL && interval < 3600 ? 3600 : interval);
	if ((e = table_find(&tb, esc)) != NULL) {
		e->t = now;
		tlsrpt_free(e->sender);
		e->sender = who;
		who = NULL;
	} else {
		while (tb.n >= ALERT_STATE_MAX_KEYS)
			drop_oldest(&tb);
		if (table_add(&tb, now, esc, who) != 0) {
			esc = who = NULL;
			tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, path,
					 "out of memory");
			goto out;
		}
		esc = who = NULL;
	}
	if (save(path, &tb, err) != 0)
		goto out;
	ret = 1;
out:
	tlsrpt_free(who);
	state_close(fd, &tb, esc);
	return ret;
}

int
alert_state_release(const char *path, const char *key, int64_t claimed_at,
		    struct tlsrpt_error *err)
{
	struct table tb = {NULL, 0, 0};
	struct entry *e;
	char *esc = NULL;
	int fd, ret = -1;

	if ((fd = state_open(path, key, &tb, &esc, err)) < 0)
		goto out;
	e = table_find(&tb, esc);
	if (e != NULL && e->t == claimed_at) {
		table_remove(&tb, (size_t)(e - tb.e));
		if (save(path, &tb, err) != 0)
			goto out;
	}
	ret = 0;
out:
	state_close(fd, &tb, esc);
	return ret;
}
