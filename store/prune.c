/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * prune.c -- retention: compress old day files, delete expired ones, drop
 * expired keys from the index. All under the store lock, so no writer
 * appends to a file being compressed; readers keep reading what they have
 * open (a rename or unlink does not disturb an open file) and a reader that
 * finds a listed .jsonl gone reads the day's .jsonl.gz instead.
 *
 * Compressing day D: the .jsonl is gzipped into a temp file behind any
 * existing .jsonl.gz of D (gzip members concatenate), synced, renamed over
 * the .jsonl.gz, then the .jsonl is removed. A crash between the rename and
 * the removal leaves both; the next prune sees that the .jsonl.gz already
 * ends with the .jsonl's bytes and only removes the .jsonl (and readers skip
 * the second copy as duplicates meanwhile).
 */
#include "store/store_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "base/alloc.h"
#include "store/day.h"
#include "store/dayfiles.h"
#include "store/rollup.h"
#include "store/findings.h"
#include "base/fileio.h"

#define COPY_CHUNK 65536

struct pday {
	int64_t day;
	int plain, gz;
};

/* The days that have files, in order, each with which of its two files
 * exist. */
static int
list_days(struct tlsrpt_store *s, struct pday **out, size_t *n_out,
	  struct tlsrpt_error *err)
{
	struct tlsrpt_dayfile *f;
	struct pday *v;
	size_t nf, n = 0;

	*out = NULL;
	*n_out = 0;
	if (tlsrpt_dayfiles_list_all(s->dirfd, s->dir, &f, &nf, err) < 0)
		return -1;
	v = tlsrpt_calloc(nf, sizeof(*v));
	if (v == NULL) {
		tlsrpt_free(f);
		return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL,
					"out of memory");
	}
	/* Sorted by day: a day's two files are neighbours. */
	for (size_t i = 0; i < nf; i++) {
		if (n == 0 || v[n - 1].day != f[i].day)
			v[n++].day = f[i].day;
		if (f[i].gz)
			v[n - 1].gz = 1;
		else
			v[n - 1].plain = 1;
	}
	tlsrpt_free(f);
	*out = v;
	*n_out = n;
	return 0;
}

/* Whether the uncompressed contents of the gzip file gzname end with the
 * size bytes of plain (read from offset 0). 1 yes, 0 no or unreadable. */
static int
gz_ends_with(struct tlsrpt_store *s, const char *gzname, int plain,
	     uint64_t size)
{
	char *a = NULL, *b = NULL;
	uint64_t total = 0, skip;
	int fd, n, same = 0;
	gzFile gz;

	a = tlsrpt_malloc(COPY_CHUNK);
	b = tlsrpt_malloc(COPY_CHUNK);
	if (a == NULL || b == NULL)
		goto out;
	for (int pass = 0; pass < 2; pass++) {
		fd = openat(s->dirfd, gzname,
			    O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || (gz = gzdopen(fd, "rb")) == NULL) {
			if (fd >= 0)
				close(fd);
			goto out;
		}
		if (pass == 0) {
			while ((n = gzread(gz, a, COPY_CHUNK)) > 0)
				total += (uint64_t)n;
			gzclose(gz);
			if (n < 0 || total < size)
				goto out;
			continue;
		}
		skip = total - size;
		while (skip > 0 &&
		       (n = gzread(gz, a,
				   skip < COPY_CHUNK ? (unsigned)skip
						     : COPY_CHUNK)) > 0)
			skip -= (uint64_t)n;
		same = skip == 0 && lseek(plain, 0, SEEK_SET) == 0;
		while (same && (n = gzread(gz, a, COPY_CHUNK)) > 0) {
			if (read(plain, b, (size_t)n) != n ||
			    memcmp(a, b, (size_t)n) != 0)
				same = 0;
		}
		gzclose(gz);
	}
out:
	tlsrpt_free(a);
	tlsrpt_free(b);
	return same;
}

/* Copy the whole file src (by name) into fd. 0 or -1 with errno. */
static int
copy_raw(struct tlsrpt_store *s, const char *src, int fd)
{
	char buf[COPY_CHUNK];
	int in = openat(s->dirfd, src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n;
	int ret = 0;

	if (in < 0)
		return -1;
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -1;
			break;
		}
		if (tlsrpt_write_all(fd, buf, (size_t)n) < 0) {
			ret = -1;
			break;
		}
	}
	close(in);
	return ret;
}

/* gzip plain (from offset 0) onto the end of fd. */
static int
deflate_into(int plain, int fd)
{
	char buf[COPY_CHUNK];
	int dfd = dup(fd), ok = 1;
	gzFile gz;
	ssize_t n;

	if (dfd < 0)
		return -1;
	gz = gzdopen(dfd, "ab9");
	if (gz == NULL) {
		close(dfd);
		return -1;
	}
	if (lseek(plain, 0, SEEK_SET) != 0)
		ok = 0;
	while (ok && (n = read(plain, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno != EINTR)
				ok = 0;
			continue;
		}
		if (gzwrite(gz, buf, (unsigned)n) != (int)n)
			ok = 0;
	}
	if (gzclose(gz) != Z_OK)
		ok = 0;
	if (!ok && errno == 0)
		errno = EIO;
	return ok ? 0 : -1;
}

static int
compress_day(struct tlsrpt_store *s, const struct pday *pd,
	     struct tlsrpt_prune_stats *st, struct tlsrpt_error *err)
{
	char plain_name[TLSRPT_DAY_NAME_MAX], gz_name[TLSRPT_DAY_NAME_MAX];
	char tmp_name[TLSRPT_DAY_NAME_MAX + 8], path[512];
	struct stat sb;
	int fd, tfd = -1, ret = -1;

	tlsrpt_day_file_name(pd->day, 0, plain_name, sizeof(plain_name));
	tlsrpt_day_file_name(pd->day, 1, gz_name, sizeof(gz_name));
	if (snprintf(tmp_name, sizeof(tmp_name), ".%s.tmp", gz_name) < 0)
		return tlsrpt_error_set(err, TLSRPT_ERR_INTERNAL, NULL,
					"snprintf");
	tlsrpt_store_path(s, plain_name, path, sizeof(path));
	fd = openat(s->dirfd, plain_name,
		    O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return tlsrpt_error_set(err, TLSRPT_ERR_IO, path,
					"cannot open to compress: %s",
					strerror(errno));
	if (tlsrpt_flock(fd, LOCK_EX) < 0 || fstat(fd, &sb) < 0 ||
	    !S_ISREG(sb.st_mode)) {
		tlsrpt_error_set(err, TLSRPT_ERR_IO, path,
				 "cannot lock to compress, or not a file");
		goto out;
	}
	if (sb.st_size == 0 ||
	    (pd->gz && gz_ends_with(s, gz_name, fd, (uint64_t)sb.st_size)))
		goto drop_plain; /* nothing new, or a crash leftover */
	tfd = openat(s->dirfd, tmp_name,
		     O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		     s->mode);
	if (tfd < 0 || (pd->gz && copy_raw(s, gz_name, tfd) < 0) ||
	    deflate_into(fd, tfd) < 0 || tlsrpt_fdatasync(tfd) < 0) {
		tlsrpt_error_set(err, TLSRPT_ERR_IO, path,
				 "cannot compress into %s: %s", tmp_name,
				 strerror(errno));
		(void)unlinkat(s->dirfd, tmp_name, 0);
		goto out;
	}
	if (renameat(s->dirfd, tmp_name, s->dirfd, gz_name) < 0) {
		tlsrpt_error_set(err, TLSRPT_ERR_IO, path,
				 "cannot rename the compressed file: %s",
				 strerror(errno));
		(void)unlinkat(s->dirfd, tmp_name, 0);
		goto out;
	}
	(void)tlsrpt_fsync_dir(s->dirfd);
drop_plain:
	if (unlinkat(s->dirfd, plain_name, 0) < 0) {
		tlsrpt_error_set(err, TLSRPT_ERR_IO, path,
				 "compressed, but cannot remove: %s",
				 strerror(errno));
		goto out;
	}
	(void)tlsrpt_fsync_dir(s->dirfd);
	st->compressed++;
	ret = 0;
out:
	if (tfd >= 0)
		close(tfd);
	(void)tlsrpt_flock(fd, LOCK_UN);
	close(fd);
	return ret;
}

static int
delete_day(struct tlsrpt_store *s, const struct pday *pd,
	   struct tlsrpt_prune_stats *st, struct tlsrpt_error *err)
{
	for (int gz = 0; gz < 2; gz++) {
		char name[TLSRPT_DAY_NAME_MAX], path[512];

		if (!(gz ? pd->gz : pd->plain))
			continue;
		tlsrpt_day_file_name(pd->day, gz, name, sizeof(name));
		if (unlinkat(s->dirfd, name, 0) < 0 && errno != ENOENT)
			return tlsrpt_error_set(
				err, TLSRPT_ERR_IO,
				tlsrpt_store_path(s, name, path, sizeof(path)),
				"cannot delete: %s", strerror(errno));
		st->deleted++;
	}
	for (int gz = 0; gz < 2; gz++) { /* rollups: caches of its lines */
		char name[TLSRPT_ROLLUP_NAME_MAX];

		tlsrpt_rollup_name(pd->day, gz, name, sizeof(name));
		(void)unlinkat(s->dirfd, name, 0);
	}
	return 0;
}

int
tlsrpt_store_prune(struct tlsrpt_store *s, int64_t now,
		   unsigned compress_after_days, unsigned delete_after_days,
		   struct tlsrpt_prune_stats *stats, struct tlsrpt_error *err)
{
	struct tlsrpt_prune_stats local;
	struct pday *days = NULL;
	size_t n = 0;
	int64_t today = tlsrpt_day_of(now);
	int ret = -1;

	if (stats == NULL)
		stats = &local;
	memset(stats, 0, sizeof(*stats));
	if (tlsrpt_store_begin(s, err) < 0)
		return -1;
	tlsrpt_store_drain(s); /* appends of other threads */
	/* Nor compress what a failed write left in a day file. */
	if (tlsrpt_store_cut_torn(s, err) < 0)
		goto out;
	if (list_days(s, &days, &n, err) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		int64_t age = today - days[i].day;

		if (delete_after_days != 0 &&
		    age >= (int64_t)delete_after_days) {
			if (delete_day(s, &days[i], stats, err) < 0)
				goto out;
		} else if (compress_after_days != 0 && age >= 1 &&
			   age >= (int64_t)compress_after_days &&
			   days[i].plain) {
			if (compress_day(s, &days[i], stats, err) < 0)
				goto out;
		}
	}
	/* The probe's findings go with the reports of their days. */
	if (delete_after_days != 0 &&
	    tlsrpt_findings_prune(s->dirfd, s->dir,
				  today - (int64_t)delete_after_days + 1,
				  &stats->deleted, err) < 0)
		goto out;
	if (tlsrpt_index_rewrite(&s->ix, today - (int64_t)s->dedup_days + 1,
				 &stats->keys_kept, &stats->keys_dropped,
				 err) < 0) {
		char path[TLSRPT_ERROR_PATH_MAX];

		memcpy(err->path,
		       tlsrpt_store_path(s, TLSRPT_INDEX_NAME, path,
					 sizeof(path)),
		       sizeof(err->path));
		goto out;
	}
	ret = 0;
out:
	tlsrpt_store_end(s);
	tlsrpt_free(days);
	return ret;
}
