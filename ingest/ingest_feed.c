/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ingest_feed.c -- the pipe between the half of tlsrpt-ingest that reads
 * inputs and the half that stores them (see ingest_feed.h). A frame is a
 * header (name length, message length, host byte order: both ends are one
 * program), the name, the message.
 */
#include "ingest/ingest_feed.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/fileio.h"

#define FEED_NAME_MAX 4096

struct frame {
	uint32_t name_len;
	uint64_t len;
};

int
ingest_feed_send(int fd, const char *name, const unsigned char *buf, size_t len)
{
	struct frame h = {0, (uint64_t)len};
	size_t name_len = strlen(name);

	if (name_len > FEED_NAME_MAX)
		name_len = FEED_NAME_MAX; /* a name is for messages only */
	h.name_len = (uint32_t)name_len;
	if (tlsrpt_write_all(fd, &h, sizeof(h)) != 0 ||
	    tlsrpt_write_all(fd, name, name_len) != 0 ||
	    tlsrpt_write_all(fd, buf, len) != 0)
		return -1;
	return 0;
}

/* 1 when all of size was read, 0 at a clean end before any byte, -1 on an
 * error or an end in the middle. */
static int
read_exact(int fd, void *buf, size_t size)
{
	unsigned char *p = buf;
	size_t got = 0;

	while (got < size) {
		ssize_t n = read(fd, p + got, size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 && got == 0 ? 0 : -1;
		got += (size_t)n;
	}
	return 1;
}

int
ingest_feed_receive(int fd, size_t max_bytes, mailbox_message_fn *fn, void *ctx,
		    struct tlsrpt_error *err)
{
	char name[FEED_NAME_MAX + 1];
	unsigned char *buf = NULL;
	struct frame h;
	int rc = -1, got;

	while ((got = read_exact(fd, &h, sizeof(h))) == 1) {
		if (h.name_len > FEED_NAME_MAX || h.len > max_bytes ||
		    read_exact(fd, name, h.name_len) != 1)
			goto broken;
		name[h.name_len] = '\0';
		/* One byte more than empty, so an empty message has a buffer.
		 */
		buf = tlsrpt_malloc((size_t)h.len + 1);
		if (buf == NULL) {
			tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL,
					 "out of memory");
			goto out;
		}
		if (h.len > 0 && read_exact(fd, buf, (size_t)h.len) != 1)
			goto broken;
		if (fn(ctx, name, buf, (size_t)h.len, NULL) != 0) {
			tlsrpt_error_set(err, TLSRPT_ERR_INTERNAL, NULL,
					 "stopped");
			goto out;
		}
		tlsrpt_free(buf);
		buf = NULL;
	}
	if (got == 0) {
		rc = 0;
		goto out;
	}
broken:
	tlsrpt_error_set(err, TLSRPT_ERR_IO, NULL,
			 "the reading half of tlsrpt-ingest sent a message "
			 "that is cut short or over MaxMessageSize");
out:
	tlsrpt_free(buf);
	return rc;
}
