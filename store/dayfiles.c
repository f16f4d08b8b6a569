/* SPDX-License-Identifier: BSD-2-Clause */
/* dayfiles.c -- the one listing of a store directory's day files, and
 * the one way to open a store file for appending. */
#include "store/dayfiles.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/fileio.h"
#include "store/day.h"

static int
dayfile_cmp(const void *a, const void *b)
{
	const struct tlsrpt_dayfile *x = a, *y = b;

	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	return y->gz - x->gz; /* .gz first: it holds the older lines */
}

int
tlsrpt_store_opendir(int dirfd, const char *dir, DIR **out,
		     struct tlsrpt_error *err)
{
	/* A descriptor of its own: closedir() closes it, and the caller's
	 * stays open and at its position. */
	int dfd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dfd < 0 || (*out = fdopendir(dfd)) == NULL) {
		int e = errno;

		if (dfd >= 0)
			close(dfd);
		return tlsrpt_error_set(err, TLSRPT_ERR_IO, dir,
					"cannot list the store: %s",
					strerror(e));
	}
	return 0;
}

int
tlsrpt_store_open_append(int dirfd, const char *name, mode_t mode,
			 const char *what, const char *path, struct stat *st,
			 struct tlsrpt_error *err)
{
	int fd = openat(dirfd, name,
			O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC |
				O_NONBLOCK,
			mode);
	int e;

	if (fd < 0) {
		e = errno;
		return tlsrpt_error_set(
			err, TLSRPT_ERR_IO, path, "cannot open the %s: %s",
			what,
			e == ELOOP ? "it is a symbolic link; refusing to "
				     "follow it (remove it)"
				   : strerror(e));
	}
	if (tlsrpt_flock(fd, LOCK_EX) < 0 || fstat(fd, st) < 0) {
		tlsrpt_error_set(err, TLSRPT_ERR_IO, path,
				 "cannot lock the %s: %s", what,
				 strerror(errno));
		close(fd); /* and with it the lock */
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		tlsrpt_error_set(err, TLSRPT_ERR_IO, path,
				 "not a regular file; refusing to write to it");
		close(fd);
		return -1;
	}
	return fd;
}

int
tlsrpt_dayfiles_list(int dirfd, const char *dir, int64_t first, int64_t last,
		     struct tlsrpt_dayfile **out, size_t *n_out,
		     struct tlsrpt_error *err)
{
	struct tlsrpt_dayfile *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;

	*out = NULL;
	*n_out = 0;
	if (tlsrpt_store_opendir(dirfd, dir, &d, err) < 0)
		return -1;
	while ((de = readdir(d)) != NULL) {
		struct tlsrpt_dayfile f;

		if (!tlsrpt_day_file_match(de->d_name, &f.day, &f.gz) ||
		    f.day < first || f.day > last)
			continue;
		if (n == cap) {
			size_t ncap = cap == 0 ? 64 : cap * 2;
			struct tlsrpt_dayfile *nv =
				tlsrpt_reallocarray(v, ncap, sizeof(*v));

			if (nv == NULL) {
				closedir(d);
				tlsrpt_free(v);
				return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM,
							NULL, "out of memory");
			}
			v = nv;
			cap = ncap;
		}
		v[n++] = f;
	}
	closedir(d);
	if (n > 0)
		qsort(v, n, sizeof(*v), dayfile_cmp);
	*out = v;
	*n_out = n;
	return 0;
}

int
tlsrpt_dayfiles_list_all(int dirfd, const char *dir,
			 struct tlsrpt_dayfile **out, size_t *n,
			 struct tlsrpt_error *err)
{
	return tlsrpt_dayfiles_list(dirfd, dir, TLSRPT_DAY_MIN, TLSRPT_DAY_MAX,
				    out, n, err);
}
