/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fileio.h -- small system-call helpers of the store: retrying on EINTR,
 * whole writes, flock, and making a directory entry durable.
 */
#ifndef TLSRPT_BASE_FILEIO_H
#define TLSRPT_BASE_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

/* write() all of buf at the current offset. Returns 0, or -1 with errno set
 * (a short write that cannot go on reports ENOSPC). */
int tlsrpt_write_all(int fd, const void *buf, size_t len);

/* flock(fd, op) retried on EINTR. Returns 0 or -1 with errno. */
int tlsrpt_flock(int fd, int op);

/* fsync() the directory dirfd, so that a created or renamed entry survives
 * a crash. Returns 0 or -1 with errno. */
int tlsrpt_fsync_dir(int dirfd);

/* fdatasync() retried on EINTR. */
int tlsrpt_fdatasync(int fd);

#endif
