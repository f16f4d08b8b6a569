/* SPDX-License-Identifier: BSD-2-Clause */
/* findings.c -- appending tlsrpt-probe's findings (findings.h). */
#include "store/findings.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fileio.h"
#include "store/day.h"
#include "store/dayfiles.h"

#define PREFIX "probe-"
#define PREFIX_LEN (sizeof(PREFIX) - 1)

void
tlsrpt_findings_file_name(int64_t day, char *buf, size_t size)
{
	char ymd[16];

	tlsrpt_day_format(day, ymd, sizeof(ymd));
	if (snprintf(buf, size, PREFIX "%s.jsonl", ymd) < 0 && size > 0)
		buf[0] = '\0';
}

int
tlsrpt_findings_file_match(const char *name, int64_t *day)
{
	if (strncmp(name, PREFIX, PREFIX_LEN) != 0 ||
	    strlen(name) != PREFIX_LEN + 10 + 6 ||
	    strcmp(name + PREFIX_LEN + 10, ".jsonl") != 0)
		return 0;
	return tlsrpt_day_parse(name + PREFIX_LEN, 10, day) == 0;
}

int
tlsrpt_findings_append(const char *dir, int64_t day, const void *lines,
		       size_t len, mode_t mode, struct tlsrpt_error *err)
{
	char name[TLSRPT_DAY_NAME_MAX], path[TLSRPT_ERROR_PATH_MAX];
	struct stat st;
	int dirfd, fd, e, rc = -1;

	tlsrpt_findings_file_name(day, name, sizeof(name));
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) < 0)
		path[0] = '\0';
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return tlsrpt_error_set(err, TLSRPT_ERR_IO, dir,
					"cannot open the store directory: %s",
					strerror(errno));
	/* O_NONBLOCK: a FIFO planted here must not hang us (see S_ISREG). */
	fd = openat(dirfd, name,
		    O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC |
			    O_NONBLOCK,
		    mode);
	if (fd < 0) {
		e = errno;
		tlsrpt_error_set(err, TLSRPT_ERR_IO, path,
				 "cannot open the findings file: %s",
				 e == ELOOP ? "it is a symbolic link; refusing "
					      "to follow it (remove it)"
					    : strerror(e));
		close(dirfd);
		return -1;
	}
	if (tlsrpt_flock(fd, LOCK_EX) < 0 || fstat(fd, &st) < 0) {
		tlsrpt_error_set(err, TLSRPT_ERR_IO, path,
				 "cannot lock the findings file: %s",
				 strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		tlsrpt_error_set(err, TLSRPT_ERR_IO, path,
				 "not a regular file; refusing to write to it");
		goto out;
	}
	/* All or nothing: a reader must never see half a line. */
	if (tlsrpt_write_all(fd, lines, len) < 0) {
		e = errno;
		if (ftruncate(fd, st.st_size) < 0)
			e = errno;
		tlsrpt_error_set(err, TLSRPT_ERR_IO, path,
				 "cannot write the findings: %s", strerror(e));
		goto out;
	}
	if (tlsrpt_fdatasync(fd) < 0) {
		tlsrpt_error_set(err, TLSRPT_ERR_IO, path,
				 "cannot sync the findings: %s",
				 strerror(errno));
		goto out;
	}
	if (st.st_size == 0)
		(void)tlsrpt_fsync_dir(dirfd);
	rc = 0;
out:
	close(fd);
	close(dirfd);
	return rc;
}

int
tlsrpt_findings_prune(int dirfd, const char *dir, int64_t before,
		      unsigned *deleted, struct tlsrpt_error *err)
{
	struct dirent *de;
	int64_t day;
	DIR *d;
	int rc = 0;

	if (tlsrpt_store_opendir(dirfd, dir, &d, err) < 0)
		return -1;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (!tlsrpt_findings_file_match(de->d_name, &day) ||
		    day >= before)
			continue;
		if (unlinkat(dirfd, de->d_name, 0) == 0)
			(*deleted)++;
		else if (errno != ENOENT)
			rc = tlsrpt_error_set(err, TLSRPT_ERR_IO, dir,
					      "cannot delete %s: %s",
					      de->d_name, strerror(errno));
	}
	closedir(d);
	return rc;
}
