/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * reader.c -- iterating over the records of one or several stores in a
 * time window (see reader.h for the order and the de-duplication).
 */
#include "store/reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "base/alloc.h"
#include "store/day.h"
#include "store/dayfiles.h"
#include "base/fileio.h"
#include "store/fprun.h"
#include "store/fpset.h"
#include "store/lines.h"
#include "store/record.h"
#include "store/rollup.h"

struct rd_file {
	int64_t day;
	size_t dir;
	int gz;
};

struct tlsrpt_store_reader {
	char **dirs;
	int *dirfds;
	size_t n_dirs;
	int64_t since, until;
	const struct tlsrpt_limits *limits;
	struct tlsrpt_limits default_limits;
	struct rd_file *files;
	size_t n_files, next_file;
	/* The file being read. */
	int is_open, fd;
	gzFile gz;
	struct tlsrpt_lines ln;
	char path[TLSRPT_ERROR_PATH_MAX];
	/* De-duplication: fingerprints (fpset.h) of the reports returned from
	 * earlier files, and of those returned from the file being read (whose
	 * other lines are still to come). The second joins the first when the
	 * next file is opened: a sorted run (fprun.h), 6 bytes a report, as
	 * the earlier files are most of them and only looked up. */
	struct tlsrpt_sipkey fpkey;
	struct tlsrpt_fprun seen;
	struct tlsrpt_fpset seen_here;
	/* Keys (org + id) of every report returned, for conflicts, the same
	 * way; and what was decided for the report whose lines are being read
	 * (the decision is taken at its first line, policy-index 0). */
	struct tlsrpt_fprun keys;
	struct tlsrpt_fpset keys_here;
	uint64_t cur_fp;
	int cur_valid, cur_skip, cur_conflict;
	int saw_legacy; /* a line without a digest was returned */
	struct tlsrpt_reader_stats stats;
	/* Rollups (rollup.h): which to use (TLSRPT_READER_ROLLUP_*), the
	 * first incomplete day, the one the file being read is replayed
	 * from (and the line of its last record), or the one being written
	 * while its lines are read. */
	unsigned rollups;
	int64_t today;
	struct tlsrpt_rollup *ru;
	unsigned long ru_line;
	struct tlsrpt_rollup_writer *rw;
	/* A fed reader (tlsrpt_store_reader_open_feed()): where the sources
	 * come from, and the one being read. */
	tlsrpt_reader_feed_fn feed;
	void *feed_ctx;
	struct tlsrpt_reader_source src;
	/* What a record decoded from a line borrows (reader.h), emptied at
	 * the next line. */
	struct tlsrpt_scratch line_scratch;
};

/* Add a note to a list of at most TLSRPT_READER_MAX_PROBLEMS. */
static void note(char (*list)[TLSRPT_ERROR_TEXT_MAX], size_t *n,
		 const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

static void
note(char (*list)[TLSRPT_ERROR_TEXT_MAX], size_t *n, const char *fmt,
     va_list ap)
{
	char *dst;

	if (*n >= TLSRPT_READER_MAX_PROBLEMS)
		return;
	dst = list[(*n)++];
	if (vsnprintf(dst, TLSRPT_ERROR_TEXT_MAX, fmt, ap) < 0)
		dst[0] = '\0';
}

static void problem(struct tlsrpt_store_reader *rd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
problem(struct tlsrpt_store_reader *rd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	note(rd->stats.problems, &rd->stats.n_problems, fmt, ap);
	va_end(ap);
}

/* A day file not read (to its end): counted and named (reader.h). */
static void unreadable(struct tlsrpt_store_reader *rd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
unreadable(struct tlsrpt_store_reader *rd, const char *fmt, ...)
{
	va_list ap;

	rd->stats.unreadable++;
	va_start(ap, fmt);
	note(rd->stats.unreadable_files, &rd->stats.n_unreadable_files, fmt,
	     ap);
	va_end(ap);
}

static int
file_cmp(const void *a, const void *b)
{
	const struct rd_file *x = a, *y = b;

	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	if (x->dir != y->dir)
		return x->dir < y->dir ? -1 : 1;
	return y->gz - x->gz; /* .gz first: it holds the older lines */
}

/* Add the day files of store di in [first, last] to rd->files. */
static int
list_dir(struct tlsrpt_store_reader *rd, size_t di, int64_t first, int64_t last,
	 size_t *cap, struct tlsrpt_error *err)
{
	struct tlsrpt_dayfile *f;
	size_t nf;

	if (tlsrpt_dayfiles_list(rd->dirfds[di], rd->dirs[di], first, last, &f,
				 &nf, err) < 0)
		return -1;
	if (nf > *cap - rd->n_files) {
		size_t ncap = rd->n_files + nf;
		struct rd_file *nv =
			tlsrpt_reallocarray(rd->files, ncap, sizeof(*nv));

		if (nv == NULL) {
			tlsrpt_free(f);
			return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL,
						"out of memory");
		}
		rd->files = nv;
		*cap = ncap;
	}
	for (size_t i = 0; i < nf; i++) {
		struct rd_file *rf = &rd->files[rd->n_files++];

		rf->day = f[i].day;
		rf->gz = f[i].gz;
		rf->dir = di;
	}
	tlsrpt_free(f);
	return 0;
}

/* A reader of the window and limits, reading nothing yet; NULL out of
 * memory. */
static struct tlsrpt_store_reader *
reader_new(int64_t since, int64_t until, const struct tlsrpt_limits *limits)
{
	struct tlsrpt_store_reader *rd = tlsrpt_calloc(1, sizeof(*rd));

	if (rd == NULL)
		return NULL;
	rd->fd = -1;
	tlsrpt_sipkey_random(&rd->fpkey);
	rd->since = since;
	rd->until = until > 0 ? until : INT64_MAX;
	tlsrpt_limits_default(&rd->default_limits);
	rd->limits = limits != NULL ? limits : &rd->default_limits;
	return rd;
}

int
tlsrpt_store_reader_open(const char *const *dirs, size_t n_dirs, int64_t since,
			 int64_t until, const struct tlsrpt_limits *limits,
			 struct tlsrpt_store_reader **out,
			 struct tlsrpt_error *err)
{
	struct tlsrpt_store_reader *rd;
	int64_t first, last;
	size_t cap = 0;

	*out = NULL;
	rd = reader_new(since, until, limits);
	if (rd == NULL)
		goto nomem;
	rd->dirs = tlsrpt_calloc(n_dirs, sizeof(*rd->dirs));
	rd->dirfds = tlsrpt_calloc(n_dirs, sizeof(*rd->dirfds));
	if (rd->dirs == NULL || rd->dirfds == NULL)
		goto nomem;
	for (size_t i = 0; i < n_dirs; i++)
		rd->dirfds[i] = -1;
	rd->n_dirs = n_dirs;
	first = tlsrpt_day_of(since);
	last = tlsrpt_day_of(rd->until == INT64_MAX ? INT64_MAX - 86400
						    : rd->until - 1);
	for (size_t i = 0; i < n_dirs; i++) {
		rd->dirs[i] = tlsrpt_strdup(dirs[i]);
		if (rd->dirs[i] == NULL)
			goto nomem;
		rd->dirfds[i] =
			open(dirs[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (rd->dirfds[i] < 0) {
			tlsrpt_error_set(err, TLSRPT_ERR_IO, dirs[i],
					 "cannot open the store directory: %s",
					 strerror(errno));
			goto fail;
		}
		if (list_dir(rd, i, first, last, &cap, err) < 0)
			goto fail;
	}
	if (rd->n_files > 0)
		qsort(rd->files, rd->n_files, sizeof(*rd->files), file_cmp);
	*out = rd;
	return 0;
nomem:
	tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL,
			 "out of memory opening the store reader");
fail:
	tlsrpt_store_reader_close(rd);
	return -1;
}

static void
close_file(struct tlsrpt_store_reader *rd)
{
	if (!rd->is_open)
		return;
	tlsrpt_lines_free(&rd->ln);
	tlsrpt_rollup_close(rd->ru);
	tlsrpt_rollup_writer_abort(rd->rw);
	rd->ru = NULL;
	rd->rw = NULL;
	rd->src.next_line = NULL;
	if (rd->gz != NULL)
		gzclose(rd->gz); /* closes fd */
	else if (rd->fd >= 0)
		close(rd->fd);
	rd->gz = NULL;
	rd->fd = -1;
	rd->is_open = 0;
	rd->cur_valid = 0; /* a report's lines never span files */
}

/* A rollup opened to be replayed: counted, and the damaged lines of its
 * day file with it. */
static void
rollup_opened(struct tlsrpt_store_reader *rd)
{
	rd->stats.rollups++;
	rd->stats.skipped += tlsrpt_rollup_skipped(rd->ru);
	for (size_t i = 0; i < tlsrpt_rollup_n_notes(rd->ru); i++) {
		unsigned long line;
		const char *why = tlsrpt_rollup_note(rd->ru, i, &line);

		problem(rd, "%s:%lu: %s", rd->path, line, why);
	}
}

/* The day file just opened (st: as far as it is read) is replayed from its
 * rollup when it has a valid one, or gets one written while its lines are
 * read: only a complete day, whose file no longer grows. 0, or -1 out of
 * memory. */
static int
rollup_start(struct tlsrpt_store_reader *rd, const struct rd_file *f, int gz,
	     const struct stat *st)
{
	int dirfd = rd->dirfds[f->dir];
	int64_t day = f->day;
	struct tlsrpt_rollup_source src;
	int rc = 1;

	if (rd->rollups == 0 || day >= rd->today)
		return 0;
	tlsrpt_rollup_source_of(st, gz, &src);
	if ((rd->rollups & TLSRPT_READER_ROLLUP_READ) &&
	    (rc = tlsrpt_rollup_open(dirfd, day, &src, rd->limits, &rd->ru)) ==
		    0) {
		rollup_opened(rd);
		return 0;
	}
	if (rc < 0)
		return -1;
	if (rd->rollups & TLSRPT_READER_ROLLUP_WRITE)
		rc = tlsrpt_rollup_writer_begin(dirfd, day, &src, rd->limits,
						&rd->rw);
	return rc < 0 ? -1 : 0;
}

/* The next record of the rollup being replayed: 1, 0 at its end (the file
 * is closed), -1 out of memory. */
static int
rollup_step(struct tlsrpt_store_reader *rd, struct tlsrpt_record *rec)
{
	int rc = tlsrpt_rollup_next(rd->ru, rec, &rd->ru_line);

	if (rc < 0 && errno == ENOMEM)
		return -1;
	if (rc < 0) /* changed under us after its checksum was checked */
		unreadable(rd, "%s: its rollup changed while read", rd->path);
	if (rc <= 0)
		close_file(rd);
	return rc > 0;
}

/* Open day file f. 0 when open, 1 when skipped (gone, refused: a problem is
 * noted), -1 when out of memory. */
static int
open_file(struct tlsrpt_store_reader *rd, const struct rd_file *f)
{
	char name[TLSRPT_DAY_NAME_MAX];
	size_t max_line = tlsrpt_record_max_line(rd->limits);
	struct stat st;
	int gz = f->gz, fd;

	tlsrpt_day_file_name(f->day, gz, name, sizeof(name));
	fd = openat(rd->dirfds[f->dir], name,
		    O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 && errno == ENOENT && !gz) {
		/* Compressed since we listed the directory. */
		gz = 1;
		tlsrpt_day_file_name(f->day, gz, name, sizeof(name));
		fd = openat(rd->dirfds[f->dir], name,
			    O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	}
	if (snprintf(rd->path, sizeof(rd->path), "%s/%s", rd->dirs[f->dir],
		     name) < 0)
		rd->path[0] = '\0';
	if (fd < 0) {
		if (errno != ENOENT) /* deleted by retention: not a problem */
			unreadable(rd, "%s: cannot open: %s", rd->path,
				   errno == ELOOP ? "a symbolic link, refused"
						  : strerror(errno));
		return 1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		unreadable(rd, "%s: not a regular file", rd->path);
		close(fd);
		return 1;
	}
	rd->stats.files++;
	rd->is_open = 1;
	rd->fd = fd;
	if (gz) {
		rd->gz = gzdopen(fd, "rb");
		if (rd->gz == NULL) {
			close(fd);
			rd->fd = -1;
			rd->is_open = 0;
			return -1;
		}
		tlsrpt_lines_init_gz(&rd->ln, rd->gz, max_line);
		return rollup_start(rd, f, gz, &st);
	}
	/* Where the last complete write ends; then let writers go on. */
	if (tlsrpt_flock(fd, LOCK_SH) < 0 || fstat(fd, &st) < 0) {
		unreadable(rd, "%s: cannot lock: %s", rd->path,
			   strerror(errno));
		close_file(rd);
		return 1;
	}
	(void)tlsrpt_flock(fd, LOCK_UN);
	tlsrpt_lines_init_fd(&rd->ln, fd, 0, (uint64_t)st.st_size, max_line);
	return rollup_start(rd, f, gz, &st);
}

/* The next source of a fed reader: 0 when open, 1 at the end, -1 with
 * err. */
static int
open_fed(struct tlsrpt_store_reader *rd, struct tlsrpt_error *err)
{
	int rc;

	memset(&rd->src, 0, sizeof(rd->src));
	rc = rd->feed(rd->feed_ctx, &rd->src, err);
	if (rc <= 0)
		return rc < 0 ? -1 : 1;
	memcpy(rd->path, rd->src.name, sizeof(rd->path));
	memset(&rd->ln, 0, sizeof(rd->ln));
	rd->is_open = 1;
	rd->ru = rd->src.ru;
	rd->src.ru = NULL;
	if (rd->ru != NULL)
		rollup_opened(rd);
	return 0;
}

static void
skip(struct tlsrpt_store_reader *rd, const char *why)
{
	if (rd->rw != NULL &&
	    tlsrpt_rollup_writer_skip(rd->rw, rd->ln.lineno, why) < 0) {
		tlsrpt_rollup_writer_abort(rd->rw);
		rd->rw = NULL;
	}
	rd->stats.skipped++;
	problem(rd, "%s:%lu: %s", rd->path, rd->ln.lineno, why);
}

/* Add key kfp: 1 when new, 0 when a report of this key was returned
 * before, -1 when out of memory. */
static int
key_add(struct tlsrpt_store_reader *rd, uint64_t kfp)
{
	if (tlsrpt_fprun_has(&rd->keys, kfp))
		return 0;
	return tlsrpt_fpset_add(&rd->keys_here, kfp);
}

/* The first line met of a report (or a stray line): 1 to return it (with
 * rec->conflict set when another version of its org + id was returned
 * before), 0 when it is a duplicate, -1 when out of memory. A version met
 * in an earlier file is a duplicate; the same version twice in one file
 * cannot be written (the writer's index), so it is not looked for. */
static int
decide(struct tlsrpt_store_reader *rd, struct tlsrpt_record *rec, uint64_t kfp,
       uint64_t fp)
{
	uint64_t legacy;
	int dup = tlsrpt_fprun_has(&rd->seen, fp), added;

	if (rec->policy_index > 0) /* a stray line: as before */
		return dup					  ? 0
		       : tlsrpt_fpset_add(&rd->seen_here, fp) < 0 ? -1
								  : 1;
	if (!dup && rec->digest == NULL) /* old lines: the key alone */
		dup = tlsrpt_fprun_has(&rd->keys, kfp) ||
		      tlsrpt_fpset_has(&rd->keys_here, kfp);
	if (!dup && rd->saw_legacy && !rec->conflict) {
		/* An old line of this key: the same report, as far as anyone
		 * can tell (a conflict mark says otherwise). */
		legacy = tlsrpt_fp_version_of(kfp, NULL);
		dup = tlsrpt_fprun_has(&rd->seen, legacy) ||
		      tlsrpt_fpset_has(&rd->seen_here, legacy);
	}
	rd->cur_valid = 1;
	rd->cur_fp = fp;
	rd->cur_skip = dup;
	rd->cur_conflict = 0;
	if (dup)
		return 0;
	/* Added (a new key), or there already (a conflict). */
	if ((added = key_add(rd, kfp)) < 0 ||
	    tlsrpt_fpset_add(&rd->seen_here, fp) < 0)
		return -1;
	if (added == 0 || rec->conflict) {
		rd->cur_conflict = 1;
		rd->stats.conflicts++;
	}
	rec->conflict = rd->cur_conflict;
	rd->saw_legacy |= rec->digest == NULL;
	return 1;
}

int
tlsrpt_store_reader_next(struct tlsrpt_store_reader *rd,
			 struct tlsrpt_record *rec, struct tlsrpt_error *err)
{
	const char *line;
	size_t len;
	unsigned flags;
	uint64_t fp, kfp;
	int rc;

	tlsrpt_record_clear(rec);
	for (;;) {
		struct tlsrpt_error derr = TLSRPT_ERROR_INIT;

		if (!rd->is_open) {
			if (rd->feed == NULL && rd->next_file == rd->n_files)
				return 0;
			if (tlsrpt_fprun_absorb(&rd->seen, &rd->seen_here) <
				    0 ||
			    tlsrpt_fprun_absorb(&rd->keys, &rd->keys_here) < 0)
				goto nomem;
			if (rd->feed != NULL) {
				rc = open_fed(rd, err);
				if (rc < 0) {
					tlsrpt_record_clear(rec);
					return -1;
				}
				if (rc > 0)
					return 0;
				continue;
			}
			rc = open_file(rd, &rd->files[rd->next_file++]);
			if (rc < 0)
				goto nomem;
			continue;
		}
		if (rd->ru != NULL) {
			rc = rollup_step(rd, rec);
			if (rc < 0)
				goto nomem;
			if (rc == 0)
				continue;
			goto decoded;
		}
		if (rd->src.next_line != NULL) {
			/* A fed source's lines: whole, no longer than the
			 * bound the decoder checks. */
			rc = rd->src.next_line(rd->src.ctx, &line, &len, err);
			if (rc < 0) {
				tlsrpt_record_clear(rec);
				return -1;
			}
			if (rc == 0) {
				close_file(rd);
				continue;
			}
			rd->ln.lineno++;
			flags = 0;
		} else {
			rc = tlsrpt_lines_next(&rd->ln, &line, &len, &flags);
		}
		if (rc <= 0) {
			if (rc < 0 && errno == ENOMEM)
				goto nomem;
			if (rc < 0)
				unreadable(rd,
					   "%s:%lu: cannot read further: %s",
					   rd->path, rd->ln.lineno,
					   rd->gz != NULL ? "damaged gzip data"
							  : strerror(errno));
			else if (rd->rw != NULL) { /* read to its end */
				(void)tlsrpt_rollup_writer_commit(rd->rw);
				rd->rw = NULL;
			}
			close_file(rd); /* aborts a rollup not finished */
			continue;
		}
		if (flags & TLSRPT_LINE_TOO_LONG) {
			skip(rd, "line too long");
			continue;
		}
		if (flags & TLSRPT_LINE_UNTERMINATED) {
			skip(rd, "truncated last line");
			continue;
		}
		if (tlsrpt_record_decode_in(line, len, rd->limits,
					    &rd->line_scratch, rec,
					    &derr) < 0) {
			char msg[TLSRPT_ERROR_TEXT_MAX];

			if (derr.code == TLSRPT_ERR_NOMEM)
				goto nomem;
			skip(rd, tlsrpt_error_format(&derr, msg, sizeof(msg)));
			continue;
		}
		if (rd->rw != NULL &&
		    tlsrpt_rollup_writer_add(rd->rw, rec, rd->ln.lineno) < 0) {
			tlsrpt_rollup_writer_abort(rd->rw);
			rd->rw = NULL;
		}
	decoded:
		if (rec->received < rd->since || rec->received >= rd->until) {
			rd->stats.outside++;
			tlsrpt_record_clear(rec);
			continue;
		}
		kfp = tlsrpt_fp_report(&rd->fpkey, rec->organization_name,
				       rec->report_id);
		fp = tlsrpt_fp_version_of(kfp, rec->digest);
		if (rec->policy_index > 0 && rd->cur_valid &&
		    fp == rd->cur_fp) {
			/* A later line of the report decided at its first. */
			if (rd->cur_skip) {
				rd->stats.duplicates++;
				tlsrpt_record_clear(rec);
				continue;
			}
			rec->conflict |= rd->cur_conflict;
		} else {
			rc = decide(rd, rec, kfp, fp);
			if (rc < 0)
				goto nomem;
			if (rc == 0) {
				rd->stats.duplicates++;
				tlsrpt_record_clear(rec);
				continue;
			}
		}
		rec->path = rd->path;
		rec->line = rd->ru != NULL ? rd->ru_line : rd->ln.lineno;
		rd->stats.records++;
		return 1;
	}
nomem:
	tlsrpt_record_clear(rec);
	return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL,
				"out of memory reading the store");
}

int
tlsrpt_store_reader_open_feed(tlsrpt_reader_feed_fn feed, void *ctx,
			      int64_t since, int64_t until,
			      const struct tlsrpt_limits *limits,
			      struct tlsrpt_store_reader **out,
			      struct tlsrpt_error *err)
{
	struct tlsrpt_store_reader *rd;

	*out = NULL;
	rd = reader_new(since, until, limits);
	if (rd == NULL)
		return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL,
					"out of memory opening the reader");
	rd->feed = feed;
	rd->feed_ctx = ctx;
	*out = rd;
	return 0;
}

void
tlsrpt_store_reader_rollups(struct tlsrpt_store_reader *rd, unsigned use,
			    int64_t now)
{
	rd->rollups = use;
	rd->today = tlsrpt_day_of(now);
}

const struct tlsrpt_reader_stats *
tlsrpt_store_reader_stats(const struct tlsrpt_store_reader *rd)
{
	return &rd->stats;
}

void
tlsrpt_store_reader_close(struct tlsrpt_store_reader *rd)
{
	if (rd == NULL)
		return;
	close_file(rd);
	for (size_t i = 0; i < rd->n_dirs; i++) {
		if (rd->dirs != NULL)
			tlsrpt_free(rd->dirs[i]);
		if (rd->dirfds != NULL && rd->dirfds[i] >= 0)
			close(rd->dirfds[i]);
	}
	tlsrpt_free(rd->dirs);
	tlsrpt_free(rd->dirfds);
	tlsrpt_free(rd->files);
	tlsrpt_fprun_clear(&rd->seen);
	tlsrpt_fpset_clear(&rd->seen_here);
	tlsrpt_fprun_clear(&rd->keys);
	tlsrpt_fpset_clear(&rd->keys_here);
	tlsrpt_scratch_free(&rd->line_scratch);
	tlsrpt_free(rd);
}
