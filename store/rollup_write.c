/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rollup_write.c -- writing a day file's rollup while its lines are read
 * (layout in rollup_impl.h): a temporary file, fsync, rename.
 */
#include "store/rollup.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "base/alloc.h"
#include "base/fileio.h"
#include "base/siphash.h"
#include "store/dayfiles.h"
#include "store/rollup_impl.h"

#define FLUSH_AT (256 * 1024)
/* A temporary rollup this old was left by a process that died: no writer
 * takes an hour over one day file. */
#define LEFTOVER_AGE 3600

struct tlsrpt_rollup_writer {
	int dirfd, fd;	 /* fd -1: in memory (buf holds the whole rollup) */
	struct stat dir; /* of dirfd when the writer began: whose it is */
	char name[TLSRPT_ROLLUP_NAME_MAX], tmp[TLSRPT_ROLLUP_NAME_MAX + 40];
	struct rollup_header h;
	unsigned char *buf;
	size_t len, cap;
	uint64_t off; /* file offset of buf[0] */
	uLong crc;
	int failed;
	/* Strings met before (string -> index + 1): stored once. GLib
	 * aborts when out of memory; the table is a day's distinct strings. */
	GHashTable *strings;
	guint n_strings;
	/* The report fields of the entry before, to write them only when
	 * they change (a report's lines follow one another). */
	struct tlsrpt_record prev;
	int have_prev;
	unsigned long line, records, skipped;
	size_t n_notes;
	unsigned long note_line[TLSRPT_READER_MAX_PROBLEMS];
	char note[TLSRPT_READER_MAX_PROBLEMS][TLSRPT_ERROR_TEXT_MAX];
};

static void writer_free(struct tlsrpt_rollup_writer *w);

static int
flush(struct tlsrpt_rollup_writer *w)
{
	if (w->failed)
		return -1;
	if (w->len == 0 || w->fd < 0) /* in memory: buf is the rollup */
		return 0;
	w->crc = crc32(w->crc, w->buf, (uInt)w->len);
	if (pwrite(w->fd, w->buf, w->len, (off_t)w->off) != (ssize_t)w->len) {
		w->failed = 1;
		return -1;
	}
	w->off += w->len;
	w->len = 0;
	return 0;
}

static int
put(struct tlsrpt_rollup_writer *w, const void *p, size_t n)
{
	if (w->failed)
		return -1;
	if (n > w->cap - w->len) {
		size_t ncap = w->cap * 2 > w->len + n ? w->cap * 2 : w->len + n;
		unsigned char *nb = tlsrpt_realloc(w->buf, ncap);

		if (nb == NULL) {
			w->failed = 1;
			return -1;
		}
		w->buf = nb;
		w->cap = ncap;
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
	return w->len >= FLUSH_AT ? flush(w) : 0;
}

static int
put_u(struct tlsrpt_rollup_writer *w, uint64_t v)
{
	unsigned char b[10];
	size_t n = 0;

	do {
		b[n] = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v != 0)
			b[n] |= 0x80;
		n++;
	} while (v != 0);
	return put(w, b, n);
}

static int
put_i(struct tlsrpt_rollup_writer *w, int64_t v)
{
	return put_u(w, rollup_zigzag(v));
}

/* A string; kept: one that may repeat (names, policy strings), which goes
 * into the table; the others (report id, digest) are written inline. */
static int
put_s(struct tlsrpt_rollup_writer *w, const char *s, int keep)
{
	size_t n;
	gpointer idx;

	if (s == NULL)
		return put_u(w, ROLLUP_STR_NULL);
	if (keep && (idx = g_hash_table_lookup(w->strings, s)) != NULL)
		return put_u(w, ((uint64_t)(GPOINTER_TO_UINT(idx) - 1) << 2) |
					ROLLUP_STR_REF);
	n = strlen(s);
	if (keep)
		g_hash_table_insert(w->strings, g_strdup(s),
				    GUINT_TO_POINTER(++w->n_strings));
	if (put_u(w, ((uint64_t)n << 2) |
			     (keep ? ROLLUP_STR_KEEP : ROLLUP_STR_INLINE)) < 0)
		return -1;
	return put(w, s, n);
}

/* Remove the temporary files of name (".NAME.PID.NS") that a crashed
 * writer left; those of a writer at work now are younger. */
static void
remove_leftovers(int dirfd, const char *name, time_t now)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	size_t n = strlen(name);
	struct dirent *de;
	struct stat st;
	DIR *d;

	if (tlsrpt_store_opendir(dirfd, ".", &d, &err) < 0)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] != '.' ||
		    strncmp(de->d_name + 1, name, n) != 0 ||
		    de->d_name[n + 1] != '.')
			continue;
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode) && st.st_mtime < now - LEFTOVER_AGE)
			(void)unlinkat(dirfd, de->d_name, 0);
	}
	closedir(d);
}

/* The header's fields of what the rollup is made from; the checksum and
 * the table of strings started. */
static void
header_of(struct tlsrpt_rollup_writer *w,
	  const struct tlsrpt_rollup_source *src,
	  const struct tlsrpt_limits *limits)
{
	w->h.version = TLSRPT_ROLLUP_VERSION;
	w->h.gz = (uint32_t)src->gz;
	w->h.size = src->size;
	w->h.ino = src->ino;
	w->h.mtime_sec = src->mtime_sec;
	w->h.mtime_nsec = src->mtime_nsec;
	w->h.limits_fp = rollup_limits_fp(limits);
	w->crc = crc32(0L, Z_NULL, 0);
	w->strings = g_hash_table_new_full(tlsrpt_str_hash, g_str_equal, g_free,
					   NULL);
}

int
tlsrpt_rollup_writer_begin(int dirfd, int64_t day,
			   const struct tlsrpt_rollup_source *src,
			   const struct tlsrpt_limits *limits,
			   struct tlsrpt_rollup_writer **out)
{
	struct tlsrpt_rollup_writer *w;
	struct stat dst;
	unsigned char zero[ROLLUP_HDR];
	struct timespec ts;

	*out = NULL;
	/* Only the store's owner writes into it, or root, who gives the file
	 * to that owner (rollup_give_to_owner()): a rollup left by another
	 * user would be a file the owner's tools could not replace. */
	if (fstat(dirfd, &dst) < 0 ||
	    (dst.st_uid != geteuid() && geteuid() != 0))
		return 1;
	w = tlsrpt_calloc(1, sizeof(*w));
	if (w == NULL)
		return -1;
	w->dirfd = dirfd;
	w->dir = dst;
	tlsrpt_rollup_name(day, src->gz, w->name, sizeof(w->name));
	(void)clock_gettime(CLOCK_REALTIME, &ts);
	remove_leftovers(dirfd, w->name, ts.tv_sec);
	/* Not a day file name (dayfiles.h), so no reader lists it. */
	if (snprintf(w->tmp, sizeof(w->tmp), ".%s.%ld.%ld", w->name,
		     (long)getpid(), (long)ts.tv_nsec) < 0) {
		tlsrpt_free(w);
		return 1;
	}
	w->fd = openat(dirfd, w->tmp,
		       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		       src->mode != 0 ? src->mode : 0640);
	if (w->fd < 0) {
		tlsrpt_free(w);
		return errno == ENOMEM ? -1 : 1;
	}
	header_of(w, src, limits);
	memset(zero, 0, sizeof(zero));
	if (pwrite(w->fd, zero, sizeof(zero), 0) != (ssize_t)sizeof(zero)) {
		tlsrpt_rollup_writer_abort(w);
		return 1;
	}
	w->off = ROLLUP_HDR;
	*out = w;
	return 0;
}

int
tlsrpt_rollup_writer_begin_mem(const struct tlsrpt_rollup_source *src,
			       const struct tlsrpt_limits *limits,
			       struct tlsrpt_rollup_writer **out)
{
	struct tlsrpt_rollup_writer *w;
	unsigned char zero[ROLLUP_HDR];

	*out = NULL;
	w = tlsrpt_calloc(1, sizeof(*w));
	if (w == NULL)
		return -1;
	w->dirfd = w->fd = -1;
	header_of(w, src, limits);
	/* The header's room first: buf is the rollup from its byte 0. */
	memset(zero, 0, sizeof(zero));
	if (put(w, zero, sizeof(zero)) < 0) {
		writer_free(w);
		return -1;
	}
	*out = w;
	return 0;
}

static int
same_report(const struct tlsrpt_record *a, const struct tlsrpt_record *b)
{
	return a->received == b->received && a->dkim == b->dkim &&
	       a->start_time == b->start_time && a->end_time == b->end_time &&
	       a->policy_count == b->policy_count &&
	       g_strcmp0(a->organization_name, b->organization_name) == 0 &&
	       g_strcmp0(a->report_id, b->report_id) == 0 &&
	       g_strcmp0(a->digest, b->digest) == 0 &&
	       g_strcmp0(a->submitter, b->submitter) == 0 &&
	       g_strcmp0(a->contact_info, b->contact_info) == 0;
}

static int
remember(struct tlsrpt_rollup_writer *w, const struct tlsrpt_record *rec)
{
	tlsrpt_record_clear(&w->prev);
	w->have_prev = 1;
	if (rollup_copy_report(&w->prev, rec) < 0) {
		w->failed = 1;
		return -1;
	}
	return 0;
}

/* Every put below is sequenced by ||: the order of the bytes matters. */
static int
put_policy(struct tlsrpt_rollup_writer *w, const struct tlsrpt_policy *p)
{
	if (put_u(w, (uint64_t)p->type) || put_s(w, p->policy_type, 1) ||
	    put_s(w, p->policy_domain, 1) || put_u(w, p->n_policy_strings))
		return -1;
	for (size_t i = 0; i < p->n_policy_strings; i++)
		if (put_s(w, p->policy_strings[i], 1))
			return -1;
	if (put_u(w, p->n_mx_hosts))
		return -1;
	for (size_t i = 0; i < p->n_mx_hosts; i++)
		if (put_s(w, p->mx_hosts[i], 1))
			return -1;
	if (put_u(w, (uint64_t)p->total_successful_session_count) ||
	    put_u(w, (uint64_t)p->total_failure_session_count) ||
	    put_u(w, p->n_failure_details))
		return -1;
	for (size_t i = 0; i < p->n_failure_details; i++) {
		const struct tlsrpt_failure_detail *fd = &p->failure_details[i];

		if (put_s(w, fd->result_type, 1) ||
		    put_s(w, fd->sending_mta_ip, 1) ||
		    put_s(w, fd->receiving_mx_hostname, 1) ||
		    put_s(w, fd->receiving_ip, 1) ||
		    put_u(w, (uint64_t)fd->failed_session_count))
			return -1;
	}
	return 0;
}

int
tlsrpt_rollup_writer_add(struct tlsrpt_rollup_writer *w,
			 const struct tlsrpt_record *rec, unsigned long line)
{
	int fresh = !w->have_prev || !same_report(&w->prev, rec);
	uint64_t head;

	if (w->failed || line <= w->line)
		return w->failed = 1, -1;
	head = ((uint64_t)(line - w->line) << 2) |
	       (fresh ? ROLLUP_E_REPORT : 0) |
	       (rec->conflict ? ROLLUP_E_CONFLICT : 0);
	w->line = line;
	w->records++;
	if (put_u(w, head) < 0)
		return -1;
	if (fresh &&
	    (remember(w, rec) || put_i(w, rec->received) ||
	     put_s(w, rec->organization_name, 1) ||
	     put_s(w, rec->report_id, 0) || put_s(w, rec->digest, 0) ||
	     put_s(w, rec->submitter, 1) || put_s(w, rec->contact_info, 1) ||
	     put_u(w, (uint64_t)rec->dkim) || put_i(w, rec->start_time) ||
	     put_i(w, rec->end_time) || put_u(w, rec->policy_count)))
		return -1;
	if (put_u(w, rec->policy_index) < 0)
		return -1;
	return put_policy(w, &rec->policy);
}

int
tlsrpt_rollup_writer_skip(struct tlsrpt_rollup_writer *w, unsigned long line,
			  const char *reason)
{
	if (w->failed)
		return -1;
	w->skipped++;
	if (w->n_notes < TLSRPT_READER_MAX_PROBLEMS) {
		w->note_line[w->n_notes] = line;
		g_strlcpy(w->note[w->n_notes], reason, TLSRPT_ERROR_TEXT_MAX);
		w->n_notes++;
	}
	return 0;
}

static void
writer_free(struct tlsrpt_rollup_writer *w)
{
	if (w->fd >= 0)
		close(w->fd);
	if (w->strings != NULL)
		g_hash_table_destroy(w->strings);
	tlsrpt_record_clear(&w->prev);
	tlsrpt_free(w->buf);
	tlsrpt_free(w);
}

/* The trailer after the last entry; h.trailer and h.length set. 0, or
 * -1. */
static int
put_trailer(struct tlsrpt_rollup_writer *w)
{
	int rc;

	if (flush(w) < 0)
		return -1;
	w->h.trailer = w->off + w->len; /* a file's len is 0 here */
	rc = put_u(w, w->records) || put_u(w, w->skipped) ||
	     put_u(w, w->n_notes);
	for (size_t i = 0; !rc && i < w->n_notes; i++)
		rc = put_u(w, w->note_line[i]) || put_s(w, w->note[i], 0);
	if (rc != 0 || flush(w) < 0)
		return -1;
	w->h.length = w->off + w->len;
	return 0;
}

int
tlsrpt_rollup_writer_finish_mem(struct tlsrpt_rollup_writer *w,
				unsigned char **data, size_t *len)
{
	int rc = -1;

	*data = NULL;
	*len = 0;
	if (put_trailer(w) == 0) {
		w->h.crc = (uint32_t)crc32_z(crc32(0L, Z_NULL, 0),
					     w->buf + ROLLUP_HDR,
					     w->len - ROLLUP_HDR);
		rollup_header_encode(&w->h, w->buf);
		*data = w->buf;
		*len = w->len;
		w->buf = NULL;
		rc = 0;
	}
	writer_free(w);
	return rc;
}

int
tlsrpt_rollup_writer_commit(struct tlsrpt_rollup_writer *w)
{
	unsigned char hdr[ROLLUP_HDR];

	if (put_trailer(w) < 0)
		goto fail;
	w->h.crc = (uint32_t)w->crc;
	rollup_header_encode(&w->h, hdr);
	if (pwrite(w->fd, hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr) ||
	    rollup_give_to_owner(&w->dir, w->fd) < 0 ||
	    tlsrpt_fdatasync(w->fd) < 0 ||
	    renameat(w->dirfd, w->tmp, w->dirfd, w->name) < 0)
		goto fail;
	writer_free(w);
	return 0;
fail:
	tlsrpt_rollup_writer_abort(w);
	return -1;
}

void
tlsrpt_rollup_writer_abort(struct tlsrpt_rollup_writer *w)
{
	if (w == NULL)
		return;
	if (w->fd >= 0)
		(void)unlinkat(w->dirfd, w->tmp, 0);
	writer_free(w);
}
