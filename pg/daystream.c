/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daystream.c -- one day of a store as one growing stream (daystream.h).
 */
#include "pg/daystream.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fileio.h"
#include "store/day.h"
#include "store/findings.h"

static int64_t
size_of(int dirfd, const char *name)
{
	struct stat st;

	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0
		       ? (int64_t)st.st_size
		       : -1;
}

void
pg_daystream_sizes(int dirfd, int64_t day, int64_t *gz_size,
		   int64_t *plain_size)
{
	char name[TLSRPT_DAY_NAME_MAX];

	/* The .jsonl first: prune makes the .gz before it unlinks the
	 * .jsonl, so a day seen without either has neither. */
	tlsrpt_day_file_name(day, 0, name, sizeof(name));
	*plain_size = size_of(dirfd, name);
	tlsrpt_day_file_name(day, 1, name, sizeof(name));
	*gz_size = size_of(dirfd, name);
}

void
pg_daystream_probe_size(int dirfd, int64_t day, int64_t *size)
{
	char name[TLSRPT_DAY_NAME_MAX];

	tlsrpt_findings_file_name(day, name, sizeof(name));
	*size = size_of(dirfd, name);
}

void
pg_daystream_init(struct pg_daystream *ds, int dirfd, const char *dir,
		  int64_t day, uint64_t from, size_t max_line)
{
	memset(ds, 0, sizeof(*ds));
	ds->dirfd = dirfd;
	ds->dir = dir;
	ds->day = day;
	ds->from = from;
	ds->fd = -1;
	ds->ln.max_line = max_line; /* kept here until a part is opened */
}

void
pg_daystream_init_probe(struct pg_daystream *ds, int dirfd, const char *dir,
			int64_t day, uint64_t from, size_t max_line)
{
	pg_daystream_init(ds, dirfd, dir, day, from, max_line);
	ds->probe = 1;
	ds->part = 1;
}

static void
close_part(struct pg_daystream *ds)
{
	if (!ds->open)
		return;
	ds->base = ds->ln.pos; /* where the next part starts */
	tlsrpt_lines_free(&ds->ln);
	if (ds->gz != NULL)
		gzclose(ds->gz); /* closes fd */
	else if (ds->fd >= 0)
		close(ds->fd);
	ds->gz = NULL;
	ds->fd = -1;
	ds->open = 0;
}

/* "dir/name" into path, for messages only (the file is opened by name
 * under the store's descriptor). A store path too long for it is cut in
 * its middle, as "start.../name": the message still names the day file
 * and where the store's path begins, never a path cut short as if it
 * were another one. */
static void
path_of(char *path, size_t size, const char *dir, const char *name)
{
	int n = snprintf(path, size, "%s/%s", dir, name);
	size_t keep;

	if (n >= 0 && (size_t)n < size)
		return;
	keep = strlen(name) + 5 < size ? size - strlen(name) - 5 : 0;
	snprintf(path, size, "%.*s.../%s", (int)keep, dir, name);
}

/* Open part ds->part. 1 when open, 0 when the file is not there, -1 with
 * err. */
static int
open_part(struct pg_daystream *ds, size_t max_line, struct tlsrpt_error *err)
{
	char name[TLSRPT_DAY_NAME_MAX];
	int gz = ds->part == 0, fd;
	struct stat st;
	uint64_t skip = 0;

	if (ds->probe)
		tlsrpt_findings_file_name(ds->day, name, sizeof(name));
	else
		tlsrpt_day_file_name(ds->day, gz, name, sizeof(name));
	path_of(ds->path, sizeof(ds->path), ds->dir, name);
	fd = openat(ds->dirfd, name,
		    O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return tlsrpt_error_set(
			err, TLSRPT_ERR_IO, ds->path, "cannot open: %s",
			errno == ELOOP ? "a symbolic link, refused"
				       : strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return tlsrpt_error_set(err, TLSRPT_ERR_IO, ds->path,
					"not a regular file");
	}
	ds->fd = fd;
	ds->open = 1;
	if (gz) {
		ds->gz = gzdopen(fd, "rb");
		if (ds->gz == NULL) {
			close(fd);
			ds->fd = -1;
			ds->open = 0;
			return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL,
						"out of memory");
		}
		tlsrpt_lines_init_gz(&ds->ln, ds->gz, max_line);
		return 1;
	}
	/* Where the last complete write ends (store/reader.c does the
	 * same): a writer holds LOCK_EX while it writes and cuts back. */
	if (tlsrpt_flock(fd, LOCK_SH) < 0 || fstat(fd, &st) < 0) {
		close(fd);
		ds->fd = -1;
		ds->open = 0;
		return tlsrpt_error_set(err, TLSRPT_ERR_IO, ds->path,
					"cannot lock: %s", strerror(errno));
	}
	(void)tlsrpt_flock(fd, LOCK_UN);
	/* Plain files are where the cursor usually is: seek, never reread. */
	if (ds->from > ds->base) {
		skip = ds->from - ds->base;
		if (skip > (uint64_t)st.st_size)
			skip = (uint64_t)st.st_size;
		if (lseek(fd, (off_t)skip, SEEK_SET) < 0) {
			close(fd);
			ds->fd = -1;
			ds->open = 0;
			return tlsrpt_error_set(err, TLSRPT_ERR_IO, ds->path,
						"cannot seek: %s",
						strerror(errno));
		}
	}
	tlsrpt_lines_init_fd(&ds->ln, fd, ds->base + skip,
			     (uint64_t)st.st_size - skip, max_line);
	return 1;
}

int
pg_daystream_next(struct pg_daystream *ds, const char **line, size_t *len,
		  unsigned *flags, uint64_t *end, struct tlsrpt_error *err)
{
	size_t max_line = ds->ln.max_line;

	while (ds->part < 2) {
		int r;

		if (!ds->open) {
			r = open_part(ds, max_line, err);
			if (r < 0)
				return -1;
			if (r == 0) {
				ds->part++;
				continue;
			}
		}
		r = tlsrpt_lines_next(&ds->ln, line, len, flags);
		if (r < 0)
			return tlsrpt_error_set(
				err, TLSRPT_ERR_IO, ds->path, "cannot read: %s",
				errno == EIO ? "damaged gzip data"
					     : strerror(errno));
		if (r == 0) {
			close_part(ds);
			ds->ln.max_line = max_line;
			ds->part++;
			continue;
		}
		*end = ds->ln.pos;
		if (*end <= ds->from)
			continue; /* shipped before */
		return 1;
	}
	return 0;
}

uint64_t
pg_daystream_length(const struct pg_daystream *ds)
{
	return ds->open ? ds->ln.pos : ds->base;
}

void
pg_daystream_close(struct pg_daystream *ds)
{
	close_part(ds);
}
