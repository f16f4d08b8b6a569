/* SPDX-License-Identifier: BSD-2-Clause */
/* findings.c -- appending and reading tlsrpt-probe's findings
 * (findings.h). */
#include "store/findings.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "base/alloc.h"
#include "base/fileio.h"
#include "report/report.h"
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
	fd = tlsrpt_store_open_append(dirfd, name, mode, "findings file", path,
				      &st, err);
	if (fd < 0) {
		close(dirfd);
		return -1;
	}
	/* All or nothing: a reader must never see half a line. */
	if (tlsrpt_write_all(fd, lines, len) < 0) {
		e = errno;
		/* The write's errno says why (disk full); the cut's, if it
		 * fails too, is said beside it, not instead. */
		if (ftruncate(fd, st.st_size) < 0)
			tlsrpt_error_set(err, TLSRPT_ERR_IO, path,
					 "cannot write the findings: %s (and "
					 "cannot cut the partial write: %s)",
					 strerror(e), strerror(errno));
		else
			tlsrpt_error_set(err, TLSRPT_ERR_IO, path,
					 "cannot write the findings: %s",
					 strerror(e));
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

static const char *
str_of(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

void
tlsrpt_findings_parse(const char *buf, size_t len, tlsrpt_findings_fn fn,
		      void *ctx, struct tlsrpt_findings_stats *st)
{
	struct tlsrpt_finding_line l;
	const char *kind, *t;
	json_t *o, *n;

	memset(&l, 0, sizeof(l));
	o = json_loadb(buf, len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(o)) {
		st->damaged++;
		goto out;
	}
	kind = str_of(o, "kind");
	if (json_integer_value(json_object_get(o, "v")) != 1 || kind == NULL ||
	    (strcmp(kind, "probe-run") != 0 &&
	     strcmp(kind, "probe-finding") != 0)) {
		st->skipped++;
		goto out;
	}
	l.kind = strcmp(kind, "probe-run") == 0 ? TLSRPT_FINDING_RUN
						: TLSRPT_FINDING_ITEM;
	l.domain = str_of(o, "domain");
	t = str_of(o, "time");
	n = json_object_get(o, "findings");
	if (l.domain == NULL || t == NULL ||
	    tlsrpt_parse_datetime(t, &l.time) != 0 ||
	    (l.kind == TLSRPT_FINDING_RUN &&
	     (!json_is_integer(n) || json_integer_value(n) < 0))) {
		st->damaged++;
		goto out;
	}
	l.findings = json_integer_value(n);
	l.error = str_of(o, "error");
	l.sts_id = str_of(o, "sts-id");
	l.sts_id_policy_sha256 = str_of(o, "sts-id-policy-sha256");
	l.result_type = str_of(o, "result-type");
	l.mx_host = str_of(o, "mx-host");
	l.address = str_of(o, "address");
	l.detail = str_of(o, "detail");
	l.action = str_of(o, "action");
	if (l.kind == TLSRPT_FINDING_ITEM && l.result_type == NULL) {
		st->damaged++;
		goto out;
	}
	st->lines++;
	fn(&l, ctx);
out:
	json_decref(o);
}

/* Whether the reading budget is spent before the byte at st->bytes +
 * ahead: the rest of a file is then left unread. */
static int
spent(const struct tlsrpt_findings_stats *st, uint64_t ahead)
{
	return st->bytes + ahead >= TLSRPT_FINDINGS_BYTES_MAX ||
	       st->lines + st->damaged + st->skipped >=
		       TLSRPT_FINDINGS_LINES_MAX;
}

/* One findings file; 0, or -1 with err (a missing file is no error). */
static int
read_file(const char *dir, int64_t day, char *buf, tlsrpt_findings_fn fn,
	  void *ctx, struct tlsrpt_findings_stats *st, struct tlsrpt_error *err)
{
	char name[TLSRPT_DAY_NAME_MAX], path[TLSRPT_ERROR_PATH_MAX];
	size_t len = 0;
	int fd, c, over = 0;
	FILE *f;

	tlsrpt_findings_file_name(day, name, sizeof(name));
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) < 0)
		path[0] = '\0';
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0 || (f = fdopen(fd, "r")) == NULL) {
		tlsrpt_error_set(err, TLSRPT_ERR_IO, path,
				 "cannot open the findings file: %s",
				 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	st->files++;
	/* Byte by byte through stdio's buffer: a line longer than the bound
	 * is read past, never held. Once the budget of lines or bytes is
	 * spent the rest is left unread: reading past it would cost the time
	 * the bound is there to save. */
	while ((c = getc(f)) != EOF) {
		if (spent(st, 0)) {
			st->truncated++;
			break;
		}
		st->bytes++;
		if (c != '\n') {
			if (len < TLSRPT_FINDINGS_LINE_MAX)
				buf[len++] = (char)c;
			else
				over = 1;
			continue;
		}
		if (over)
			st->damaged++;
		else if (len > 0)
			tlsrpt_findings_parse(buf, len, fn, ctx, st);
		len = 0;
		over = 0;
	}
	if (ferror(f)) {
		tlsrpt_error_set(err, TLSRPT_ERR_IO, path,
				 "cannot read the findings file: %s",
				 strerror(errno));
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

int
tlsrpt_findings_read(const char *const *dirs, size_t n_dirs, int64_t first,
		     int64_t last, tlsrpt_findings_fn fn, void *ctx,
		     struct tlsrpt_findings_stats *st, struct tlsrpt_error *err)
{
	char *buf = tlsrpt_malloc(TLSRPT_FINDINGS_LINE_MAX);
	int rc = 0;

	memset(st, 0, sizeof(*st));
	for (int64_t d = first; rc == 0 && d <= last; d++)
		for (size_t i = 0; rc == 0 && i < n_dirs; i++)
			rc = read_file(dirs[i], d, buf, fn, ctx, st, err);
	tlsrpt_free(buf);
	return rc;
}

void
tlsrpt_findings_feed(struct tlsrpt_findings_feed *f, uint64_t file,
		     const char *line, size_t len, tlsrpt_findings_fn fn,
		     void *ctx)
{
	struct tlsrpt_findings_stats *st = f->st;

	if (!f->started || file != f->file) {
		f->started = 1;
		f->file = file;
		f->stopped = 0;
		st->files++;
	}
	if (f->stopped)
		return;
	/* read_file() checks the budget before each byte, the newline
	 * too: a line whose last byte is past it is left unread. */
	if (spent(st, len)) {
		st->truncated++;
		f->stopped = 1;
		return;
	}
	st->bytes += len + 1;
	if (len > TLSRPT_FINDINGS_LINE_MAX)
		st->damaged++;
	else if (len > 0)
		tlsrpt_findings_parse(line, len, fn, ctx, st);
}

static int
cmp_day(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

	return a < b ? -1 : a > b;
}

int
tlsrpt_findings_list(int dirfd, const char *dir, int64_t **days, size_t *n,
		     struct tlsrpt_error *err)
{
	struct dirent *de;
	size_t cap = 0;
	int64_t day, *v = NULL;
	DIR *d;

	*days = NULL;
	*n = 0;
	if (tlsrpt_store_opendir(dirfd, dir, &d, err) < 0)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (!tlsrpt_findings_file_match(de->d_name, &day))
			continue;
		if (*n == cap) {
			int64_t *w;

			cap = cap == 0 ? 16 : cap * 2;
			w = tlsrpt_reallocarray(v, cap, sizeof(*v));
			if (w == NULL) {
				closedir(d);
				tlsrpt_free(v);
				*n = 0;
				return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM,
							NULL, "out of memory");
			}
			v = w;
		}
		v[(*n)++] = day;
	}
	closedir(d);
	if (*n > 0)
		qsort(v, *n, sizeof(*v), cmp_day);
	*days = v;
	return 0;
}
