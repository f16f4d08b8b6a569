/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lines.h -- reading lines from a plain day file (up to a byte limit) or a
 * gzip one, with a bound on line length.
 */
#ifndef TLSRPT_STORE_LINES_H
#define TLSRPT_STORE_LINES_H

#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#include "base/buf.h"

#define TLSRPT_LINE_UNTERMINATED 1u /* the last line, with no '\n' */
#define TLSRPT_LINE_TOO_LONG 2u	    /* longer than the bound; len is 0 */

struct tlsrpt_lines {
	int fd;	       /* plain file, read from its current offset; or -1 */
	gzFile gz;     /* gzip file; or NULL */
	uint64_t left; /* plain: bytes still to read */
	struct tlsrpt_buf buf; /* the window: beg..buf.len unread */
	size_t beg, max_line;
	int eof, skipping;
	uint64_t start;	      /* offset of the line returned last */
	uint64_t pos;	      /* offset just past it (its '\n' included) */
	unsigned long lineno; /* 1-based number of the line returned last */
};

/* Read at most limit bytes of fd from its current offset (which the caller
 * calls offset 0, or base). Lines longer than max_line are skipped. */
void tlsrpt_lines_init_fd(struct tlsrpt_lines *l, int fd, uint64_t base,
			  uint64_t limit, size_t max_line);
void tlsrpt_lines_init_gz(struct tlsrpt_lines *l, gzFile gz, size_t max_line);

/* 1 with a line in *line (*len bytes, no '\n', not NUL-terminated, valid
 * until the next call) and *flags; 0 at the end; -1 on a read error (errno
 * set; EIO for a damaged gzip stream) or no memory (ENOMEM). */
int tlsrpt_lines_next(struct tlsrpt_lines *l, const char **line, size_t *len,
		      unsigned *flags);

void tlsrpt_lines_free(struct tlsrpt_lines *l); /* the fd/gz stay open */

#endif
