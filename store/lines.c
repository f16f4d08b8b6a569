/* SPDX-License-Identifier: BSD-2-Clause */
/* lines.c -- bounded line reading from plain and gzip day files. */
#include "store/lines.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"

#define LINES_CHUNK 65536

/* The window holds a line of max_line bytes and a chunk read behind it. */
static void
window_init(struct tlsrpt_lines *l)
{
	size_t max = l->max_line > SIZE_MAX - LINES_CHUNK
			     ? SIZE_MAX
			     : l->max_line + LINES_CHUNK;

	tlsrpt_buf_init(&l->buf, max, NULL);
}

void
tlsrpt_lines_init_fd(struct tlsrpt_lines *l, int fd, uint64_t base,
		     uint64_t limit, size_t max_line)
{
	memset(l, 0, sizeof(*l));
	l->fd = fd;
	l->left = limit;
	l->max_line = max_line;
	window_init(l);
	l->start = l->pos = base;
}

void
tlsrpt_lines_init_gz(struct tlsrpt_lines *l, gzFile gz, size_t max_line)
{
	memset(l, 0, sizeof(*l));
	l->fd = -1;
	l->gz = gz;
	l->max_line = max_line;
	window_init(l);
}

/* Read more bytes behind the window's end. 0, or -1 with errno. */
static int
fill(struct tlsrpt_lines *l)
{
	size_t room;
	ssize_t n;
	char *buf;

	if (l->beg > 0) {
		tlsrpt_buf_consume(&l->buf, l->beg);
		l->beg = 0;
	}
	/* Read a chunk at a time; grow only when a line fills the window. */
	if (tlsrpt_buf_room(&l->buf) == 0 &&
	    tlsrpt_buf_reserve(&l->buf,
			       l->buf.data == NULL ? LINES_CHUNK - 1 : 1,
			       NULL) < 0) {
		errno = ENOMEM;
		return -1;
	}
	room = tlsrpt_buf_room(&l->buf);
	buf = (char *)l->buf.data + l->buf.len;
	if (l->gz != NULL) {
		if (room > (1u << 30))
			room = 1u << 30;
		n = gzread(l->gz, buf, (unsigned)room);
		if (n < 0) {
			errno = EIO;
			return -1;
		}
	} else {
		if (room > l->left)
			room = (size_t)l->left;
		do
			n = room == 0 ? 0 : read(l->fd, buf, room);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return -1;
		l->left -= (uint64_t)n;
	}
	if (n == 0)
		l->eof = 1;
	tlsrpt_buf_commit(&l->buf, (size_t)n);
	return 0;
}

int
tlsrpt_lines_next(struct tlsrpt_lines *l, const char **line, size_t *len,
		  unsigned *flags)
{
	for (;;) {
		/* The window moves when fill() reads: look again each time. */
		const char *d = (const char *)l->buf.data;
		const char *nl =
			l->buf.len > l->beg
				? memchr(d + l->beg, '\n', l->buf.len - l->beg)
				: NULL;

		if (l->skipping && (nl != NULL || l->eof)) {
			size_t n = nl != NULL ? (size_t)(nl - d) + 1 - l->beg
					      : l->buf.len - l->beg;

			l->pos += n;
			l->beg += n;
			l->skipping = 0;
			l->lineno++;
			*line = d;
			*len = 0;
			*flags = TLSRPT_LINE_TOO_LONG |
				 (nl == NULL ? TLSRPT_LINE_UNTERMINATED : 0);
			return 1;
		}
		if (!l->skipping && nl != NULL) {
			l->start = l->pos;
			*line = d + l->beg;
			*len = (size_t)(nl - (d + l->beg));
			l->pos += *len + 1;
			l->beg += *len + 1;
			l->lineno++;
			*flags = 0;
			return 1;
		}
		if (l->eof) {
			if (l->buf.len == l->beg)
				return 0;
			l->start = l->pos;
			*line = d + l->beg;
			*len = l->buf.len - l->beg;
			l->pos += *len;
			l->beg = l->buf.len;
			l->lineno++;
			*flags = TLSRPT_LINE_UNTERMINATED;
			return 1;
		}
		if (l->skipping || l->buf.len - l->beg >= l->max_line) {
			/* Too long: forget what we have, look for its end. */
			if (!l->skipping)
				l->start = l->pos;
			l->pos += l->buf.len - l->beg;
			l->beg = 0;
			tlsrpt_buf_reset(&l->buf);
			l->skipping = 1;
		}
		if (fill(l) < 0)
			return -1;
	}
}

void
tlsrpt_lines_free(struct tlsrpt_lines *l)
{
	tlsrpt_buf_free(&l->buf);
	l->beg = 0;
}
