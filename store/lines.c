/* lines.c -- bounded line reading from plain and gzip day files. */
#include "store/lines.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"

#define LINES_CHUNK 65536

void
tlsrpt_lines_init_fd(struct tlsrpt_lines *l, int fd, uint64_t base,
		     uint64_t limit, size_t max_line)
{
	memset(l, 0, sizeof(*l));
	l->fd = fd;
	l->left = limit;
	l->max_line = max_line;
	l->start = l->pos = base;
}

void
tlsrpt_lines_init_gz(struct tlsrpt_lines *l, gzFile gz, size_t max_line)
{
	memset(l, 0, sizeof(*l));
	l->fd = -1;
	l->gz = gz;
	l->max_line = max_line;
}

/* Read more bytes behind l->end. 0, or -1 with errno. */
static int
fill(struct tlsrpt_lines *l)
{
	size_t room;
	ssize_t n;

	if (l->beg > 0) {
		memmove(l->buf, l->buf + l->beg, l->end - l->beg);
		l->end -= l->beg;
		l->beg = 0;
	}
	if (l->end == l->cap) {
		size_t ncap = l->cap == 0 ? LINES_CHUNK : l->cap * 2;
		char *nb;

		if (ncap > l->max_line + LINES_CHUNK)
			ncap = l->max_line + LINES_CHUNK;
		if (ncap <= l->cap) {
			errno = ENOMEM;
			return -1;
		}
		nb = tlsrpt_realloc(l->buf, ncap);
		if (nb == NULL) {
			errno = ENOMEM;
			return -1;
		}
		l->buf = nb;
		l->cap = ncap;
	}
	room = l->cap - l->end;
	if (l->gz != NULL) {
		if (room > (1u << 30))
			room = 1u << 30;
		n = gzread(l->gz, l->buf + l->end, (unsigned)room);
		if (n < 0) {
			errno = EIO;
			return -1;
		}
	} else {
		if (room > l->left)
			room = (size_t)l->left;
		do
			n = room == 0 ? 0 : read(l->fd, l->buf + l->end, room);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return -1;
		l->left -= (uint64_t)n;
	}
	if (n == 0)
		l->eof = 1;
	l->end += (size_t)n;
	return 0;
}

int
tlsrpt_lines_next(struct tlsrpt_lines *l, const char **line, size_t *len,
		  unsigned *flags)
{
	for (;;) {
		char *nl = l->end > l->beg ? memchr(l->buf + l->beg, '\n',
						    l->end - l->beg)
					   : NULL;

		if (l->skipping && (nl != NULL || l->eof)) {
			size_t n = nl != NULL
					   ? (size_t)(nl - l->buf) + 1 - l->beg
					   : l->end - l->beg;

			l->pos += n;
			l->beg += n;
			l->skipping = 0;
			l->lineno++;
			*line = l->buf;
			*len = 0;
			*flags = TLSRPT_LINE_TOO_LONG |
				 (nl == NULL ? TLSRPT_LINE_UNTERMINATED : 0);
			return 1;
		}
		if (!l->skipping && nl != NULL) {
			l->start = l->pos;
			*line = l->buf + l->beg;
			*len = (size_t)(nl - (l->buf + l->beg));
			l->pos += *len + 1;
			l->beg += *len + 1;
			l->lineno++;
			*flags = 0;
			return 1;
		}
		if (l->eof) {
			if (l->end == l->beg)
				return 0;
			l->start = l->pos;
			*line = l->buf + l->beg;
			*len = l->end - l->beg;
			l->pos += *len;
			l->beg = l->end;
			l->lineno++;
			*flags = TLSRPT_LINE_UNTERMINATED;
			return 1;
		}
		if (l->skipping || l->end - l->beg >= l->max_line) {
			/* Too long: forget what we have, look for its end. */
			if (!l->skipping)
				l->start = l->pos;
			l->pos += l->end - l->beg;
			l->beg = l->end = 0;
			l->skipping = 1;
		}
		if (fill(l) < 0)
			return -1;
	}
}

void
tlsrpt_lines_free(struct tlsrpt_lines *l)
{
	tlsrpt_free(l->buf);
	l->buf = NULL;
	l->cap = l->beg = l->end = 0;
}
