/* SPDX-License-Identifier: BSD-2-Clause */
/* mailbox.c -- one message at a time from a file, a maildir or an mbox. */
#include "ingest/mailbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/readfile.h"

/* Read one whole file and hand it to fn. */
static int
walk_file(const char *path, size_t max_bytes, mailbox_message_fn *fn, void *ctx)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	unsigned char *buf = NULL;
	size_t len = 0;
	int rc;

	tlsrpt_error_clear(&err);
	if (read_bounded_path(path, max_bytes, &buf, &len, &err) != 0)
		return fn(ctx, path, NULL, 0, &err);
	rc = fn(ctx, path, buf, len, NULL);
	tlsrpt_free(buf);
	return rc;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of dir, in name order (maildir names start with the
 * delivery time, so this is arrival order). */
static int
walk_maildir_folder(const char *dir, size_t max_bytes, mailbox_message_fn *fn,
		    void *ctx, struct tlsrpt_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL, **grown, path[4096];
	size_t n = 0;
	int rc = 0;

	if (d == NULL) {
		if (errno == ENOENT)
			return 0;
		return tlsrpt_error_set(err, TLSRPT_ERR_IO, dir,
					"cannot open maildir folder: %s",
					strerror(errno));
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		grown = tlsrpt_reallocarray(names, n + 1, sizeof(*names));
		if (grown == NULL)
			goto nomem;
		names = grown;
		names[n] = tlsrpt_strdup(de->d_name);
		if (names[n] == NULL)
			goto nomem;
		n++;
	}
	closedir(d);
	d = NULL;
	if (n > 0)
		qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct stat st;

		if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >=
		    (int)sizeof(path))
			continue;
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		rc = walk_file(path, max_bytes, fn, ctx);
	}
	goto out;
nomem:
	rc = tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, dir, "out of memory");
out:
	if (d != NULL)
		closedir(d);
	for (size_t i = 0; i < n; i++)
		tlsrpt_free(names[i]);
	tlsrpt_free(names);
	return rc;
}

/* An mbox message under construction: bytes up to the bound, then only a
 * note that it was too large, so memory never grows with the input. */
struct mbox_message {
	struct tlsrpt_buf body;
	int too_large;
	unsigned long number, first_line;
};

/* 0, or -1 when out of memory. */
static int
mbox_append(struct mbox_message *m, const char *line, size_t n)
{
	struct tlsrpt_error err;

	if (m->too_large)
		return 0;
	tlsrpt_error_clear(&err);
	if (tlsrpt_buf_append(&m->body, line, n, &err) == 0)
		return 0;
	if (err.code != TLSRPT_ERR_LIMIT)
		return -1;
	m->too_large = 1;
	return 0;
}

static int
mbox_deliver(const char *path, const struct mbox_message *m, size_t max_bytes,
	     mailbox_message_fn *fn, void *ctx)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char name[4200];

	snprintf(name, sizeof(name), "%s, message %lu (line %lu)", path,
		 m->number, m->first_line);
	if (m->too_large) {
		tlsrpt_error_set(&err, TLSRPT_ERR_LIMIT, NULL,
				 "larger than %zu bytes (MaxMessageSize)",
				 max_bytes);
		return fn(ctx, name, NULL, 0, &err);
	}
	/* An empty message is still a message: never NULL, which says
	 * "error" to fn. */
	return fn(ctx, name,
		  m->body.data != NULL ? m->body.data
				       : (const unsigned char *)"",
		  m->body.len, NULL);
}

/* mboxrd: a "From " line at the start of a line after a blank line (or at
 * the start of the file) begins a message; ">From " lines lose one '>'. */
static int
walk_mbox(FILE *f, const char *path, size_t max_bytes, mailbox_message_fn *fn,
	  void *ctx, struct tlsrpt_error *err)
{
	struct mbox_message m = {0};
	char *line = NULL;
	size_t linecap = 0;
	ssize_t n;
	unsigned long lineno = 0;
	int in_message = 0, prev_blank = 1, rc = 0;

	tlsrpt_buf_init(&m.body, max_bytes, "MaxMessageSize");
	while ((n = getline(&line, &linecap, f)) > 0) {
		const char *p = line;

		lineno++;
		if (prev_blank && n >= 5 && memcmp(line, "From ", 5) == 0) {
			if (in_message)
				rc = mbox_deliver(path, &m, max_bytes, fn, ctx);
			if (rc != 0)
				goto out;
			tlsrpt_buf_reset(&m.body);
			m.too_large = 0;
			m.number++;
			m.first_line = lineno;
			in_message = 1;
			prev_blank = 0;
			continue;
		}
		prev_blank = (n == 1 && line[0] == '\n') ||
			     (n == 2 && line[0] == '\r' && line[1] == '\n');
		if (!in_message)
			continue;
		/* Undo the mboxrd quoting of ">From ", ">>From ", ... */
		if (line[0] == '>') {
			size_t q = 0;

			while (q < (size_t)n && line[q] == '>')
				q++;
			if ((size_t)n - q >= 5 &&
			    memcmp(line + q, "From ", 5) == 0) {
				p = line + 1;
				n--;
			}
		}
		if (mbox_append(&m, p, (size_t)n) != 0) {
			rc = tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, path,
					      "out of memory");
			goto out;
		}
	}
	if (ferror(f)) {
		rc = tlsrpt_error_set(err, TLSRPT_ERR_IO, path,
				      "cannot read: %s", strerror(errno));
		goto out;
	}
	if (in_message)
		rc = mbox_deliver(path, &m, max_bytes, fn, ctx);
out:
	free(line); /* getline() allocates with malloc, not the seam */
	tlsrpt_buf_free(&m.body);
	return rc;
}

static int
has_maildir_folders(const char *path)
{
	static const char *const folders[] = {"cur", "new"};
	char sub[4096];
	struct stat st;

	for (size_t i = 0; i < 2; i++) {
		snprintf(sub, sizeof(sub), "%s/%s", path, folders[i]);
		if (stat(sub, &st) == 0 && S_ISDIR(st.st_mode))
			return 1;
	}
	return 0;
}

int
mailbox_walk(const char *path, size_t max_bytes, mailbox_message_fn *fn,
	     void *ctx, struct tlsrpt_error *err)
{
	struct stat st;
	char sub[4096], head[5];
	FILE *f;
	int rc;

	if (strcmp(path, "-") == 0)
		return walk_file(path, max_bytes, fn, ctx);
	if (stat(path, &st) != 0)
		return tlsrpt_error_set(err, TLSRPT_ERR_IO, path,
					"cannot open: %s", strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		if (!has_maildir_folders(path))
			return tlsrpt_error_set(err, TLSRPT_ERR_IO, path,
						"a directory but not a maildir "
						"(no cur/ or new/)");
		snprintf(sub, sizeof(sub), "%s/cur", path);
		rc = walk_maildir_folder(sub, max_bytes, fn, ctx, err);
		if (rc != 0)
			return rc;
		snprintf(sub, sizeof(sub), "%s/new", path);
		return walk_maildir_folder(sub, max_bytes, fn, ctx, err);
	}
	f = fopen(path, "rb");
	if (f == NULL)
		return tlsrpt_error_set(err, TLSRPT_ERR_IO, path,
					"cannot open: %s", strerror(errno));
	if (fread(head, 1, sizeof(head), f) == sizeof(head) &&
	    memcmp(head, "From ", 5) == 0) {
		rewind(f);
		rc = walk_mbox(f, path, max_bytes, fn, ctx, err);
		fclose(f);
		return rc;
	}
	fclose(f);
	return walk_file(path, max_bytes, fn, ctx);
}
