/* SPDX-License-Identifier: BSD-2-Clause */
/* readfile.c -- read a whole input into memory, never more than a bound. */
#include "base/readfile.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/buf.h"

/* read(2) restarted after a signal: bytes read, 0 at the end, -1. */
static ssize_t
read_some(int fd, void *p, size_t n)
{
	ssize_t got;

	do
		got = read(fd, p, n);
	while (got < 0 && errno == EINTR);
	return got;
}

int
read_bounded_fd(int fd, const char *name, size_t max, unsigned char **out,
		size_t *out_len, struct tlsrpt_error *err)
{
	struct tlsrpt_buf b;
	struct tlsrpt_error e;
	unsigned char extra;
	ssize_t got;

	*out = NULL;
	*out_len = 0;
	tlsrpt_error_clear(&e);
	tlsrpt_buf_init(&b, max, "MaxMessageSize");
	for (;;) {
		if (b.len == b.max) {
			/* Full: one more byte tells "too large" from
			 * "exactly max". */
			got = read_some(fd, &extra, 1);
			if (got == 0)
				break;
			if (got > 0) {
				(void)tlsrpt_buf_reserve(&b, 1, &e);
				goto fail;
			}
		} else {
			if (tlsrpt_buf_reserve(&b, 1, &e) < 0)
				goto fail;
			got = read_some(fd, b.data + b.len,
					tlsrpt_buf_room(&b));
			if (got == 0)
				break;
			if (got > 0) {
				tlsrpt_buf_commit(&b, (size_t)got);
				continue;
			}
		}
		tlsrpt_error_set(&e, TLSRPT_ERR_IO, NULL, "cannot read: %s",
				 strerror(errno));
		goto fail;
	}
	*out = tlsrpt_buf_steal(&b, out_len);
	if (*out != NULL)
		return 0;
	tlsrpt_error_set(&e, TLSRPT_ERR_NOMEM, NULL, "out of memory");
fail:
	tlsrpt_buf_free(&b);
	/* The error names the input. */
	return tlsrpt_error_set(err, e.code, name, "%s", e.text);
}

int
read_bounded_path(const char *path, size_t max, unsigned char **out,
		  size_t *out_len, struct tlsrpt_error *err)
{
	int fd, rc;

	if (strcmp(path, "-") == 0)
		return read_bounded_fd(STDIN_FILENO, NULL, max, out, out_len,
				       err);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return tlsrpt_error_set(err, TLSRPT_ERR_IO, NULL,
					"cannot open: %s", strerror(errno));
	rc = read_bounded_fd(fd, NULL, max, out, out_len, err);
	close(fd);
	return rc;
}
