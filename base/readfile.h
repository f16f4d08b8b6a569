/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * readfile.h -- read a whole input into memory, bounded.
 */
#ifndef TLSRPT_BASE_READFILE_H
#define TLSRPT_BASE_READFILE_H

#include <stddef.h>

#include "base/error.h"

/* Read fd to its end into a new buffer (caller frees with tlsrpt_free()).
 * More than max bytes is a TLSRPT_ERR_LIMIT error naming MaxMessageSize;
 * a read error is TLSRPT_ERR_IO. name (may be NULL) becomes err->path. */
int read_bounded_fd(int fd, const char *name, size_t max, unsigned char **out,
		    size_t *out_len, struct tlsrpt_error *err);

/* The same for a path; "-" is standard input. */
int read_bounded_path(const char *path, size_t max, unsigned char **out,
		      size_t *out_len, struct tlsrpt_error *err);

#endif
