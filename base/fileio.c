/* SPDX-License-Identifier: BSD-2-Clause */
/* fileio.c -- system-call helpers of the store. */
#include "base/fileio.h"

#include <errno.h>
#include <sys/file.h>
#include <unistd.h>

int
tlsrpt_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			errno = ENOSPC;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
tlsrpt_flock(int fd, int op)
{
	int rc;

	do
		rc = flock(fd, op);
	while (rc < 0 && errno == EINTR);
	return rc;
}

int
tlsrpt_fsync_dir(int dirfd)
{
	int rc;

	do
		rc = fsync(dirfd);
	while (rc < 0 && errno == EINTR);
	/* Some file systems cannot sync a directory; nothing more to do. */
	if (rc < 0 && (errno == EINVAL || errno == EBADF))
		return 0;
	return rc;
}

int
tlsrpt_fdatasync(int fd)
{
	int rc;

	do
		rc = fdatasync(fd);
	while (rc < 0 && errno == EINTR);
	return rc;
}
