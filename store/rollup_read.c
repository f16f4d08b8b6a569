/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rollup_read.c -- reading a day file's rollup back into records (layout
 * in rollup_impl.h), trusting nothing in it: the checksum is checked over
 * the whole file before the first record, and every number, length and
 * reference against what is left and the limits while decoding.
 */
#include "store/rollup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "base/alloc.h"
#include "base/scratch.h"
#include "store/day.h"
#include "store/record.h"
#include "store/rollup_impl.h"

#define CHUNK (256 * 1024)

struct tlsrpt_rollup {
	int fd;
	unsigned char *mem; /* a rollup in memory instead of fd */
	size_t mem_len;
	const struct tlsrpt_limits *limits;
	size_t max_str, max_items;
	/* The window on the file: buf[pos..len) is the file from off - (len
	 * - pos); reading stops at end. */
	unsigned char *buf;
	size_t pos, len, cap;
	uint64_t off, end;
	/* The table of strings: NUL-terminated in arena, at offsets. It is
	 * reserved at the file's size when the file is checked and never
	 * moves, so a record borrows its strings from it instead of a copy
	 * of each: a kept string takes its bytes and at least one byte of
	 * tag from the file, so it cannot need more. */
	char *arena;
	size_t arena_len, arena_cap;
	size_t *offs;
	size_t n_offs, offs_cap;
	/* What the record last returned borrows (reader.h): its report's
	 * fields from prev (whose strings are in report_scratch, emptied at
	 * the next report), the rest from scratch, emptied at the next. */
	struct tlsrpt_scratch scratch, report_scratch;
	/* The report fields of the entry before. */
	struct tlsrpt_record prev;
	int have_prev;
	unsigned long line, records, expect;
	/* The trailer. */
	unsigned long skipped;
	size_t n_notes;
	unsigned long note_line[TLSRPT_READER_MAX_PROBLEMS];
	char note[TLSRPT_READER_MAX_PROBLEMS][TLSRPT_ERROR_TEXT_MAX];
};

/* pread() of the file, or of the rollup in memory. */
static ssize_t
source_read(struct tlsrpt_rollup *ru, unsigned char *p, size_t n, uint64_t off)
{
	if (ru->mem == NULL)
		return pread(ru->fd, p, n, (off_t)off);
	if (off >= ru->mem_len)
		return 0;
	if (n > ru->mem_len - off)
		n = (size_t)(ru->mem_len - off);
	memcpy(p, ru->mem + off, n);
	return (ssize_t)n;
}

/* At least n bytes in buf[pos..len): 0, or -1 (EINVAL: the file ends
 * first; ENOMEM; or the read's errno). */
static int
fill(struct tlsrpt_rollup *ru, size_t n)
{
	size_t have = ru->len - ru->pos, want;
	ssize_t got;

	if (have >= n)
		return 0;
	if (n - have > ru->end - ru->off)
		return errno = EINVAL, -1;
	if (have > 0)
		memmove(ru->buf, ru->buf + ru->pos, have);
	ru->pos = 0;
	ru->len = have;
	want = n > CHUNK ? n : CHUNK;
	if (want > ru->cap) {
		unsigned char *nb = tlsrpt_realloc(ru->buf, want);

		if (nb == NULL)
			return errno = ENOMEM, -1;
		ru->buf = nb;
		ru->cap = want;
	}
	while (ru->len < n) {
		size_t room = ru->cap - ru->len;

		if (room > ru->end - ru->off)
			room = (size_t)(ru->end - ru->off);
		got = source_read(ru, ru->buf + ru->len, room, ru->off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return errno = got == 0 ? EINVAL : errno, -1;
		ru->len += (size_t)got;
		ru->off += (uint64_t)got;
	}
	return 0;
}

static int
get_u_long(struct tlsrpt_rollup *ru, uint64_t *v)
{
	*v = 0;
	for (unsigned shift = 0; shift < 64; shift += 7) {
		unsigned char b;

		if (ru->pos == ru->len && fill(ru, 1) < 0)
			return -1;
		b = ru->buf[ru->pos++];
		if (shift == 63 && (b & 0x7e) != 0)
			break; /* over 64 bits */
		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return 0;
	}
	return errno = EINVAL, -1;
}

/* Most numbers (string references, counts, types) are one byte: read
 * here without the loop, the rest by get_u_long(). */
static inline int
get_u(struct tlsrpt_rollup *ru, uint64_t *v)
{
	if (ru->pos < ru->len && !(ru->buf[ru->pos] & 0x80)) {
		*v = ru->buf[ru->pos++];
		return 0;
	}
	return get_u_long(ru, v);
}

/* A number in [0, max]. */
static int
get_max(struct tlsrpt_rollup *ru, uint64_t max, uint64_t *v)
{
	if (get_u(ru, v) < 0)
		return -1;
	return *v > max ? (errno = EINVAL, -1) : 0;
}

static int
get_i(struct tlsrpt_rollup *ru, int64_t *v)
{
	uint64_t u;

	if (get_u(ru, &u) < 0)
		return -1;
	*v = rollup_unzigzag(u);
	return 0;
}

/* Keep s (n bytes, read from the file) in the table of strings: 0, or -1
 * with errno ENOMEM. The table has room (check()): what a part of the
 * file keeps is never more than that part's bytes, so EINVAL here is a
 * guard, not a way a damaged file takes. */
static int
keep(struct tlsrpt_rollup *ru, const unsigned char *s, size_t n)
{
	if (n + 1 > ru->arena_cap - ru->arena_len)
		return errno = EINVAL, -1;
	if (ru->n_offs == ru->offs_cap) {
		size_t ncap = ru->offs_cap * 2 + 64;
		size_t *no = tlsrpt_reallocarray(ru->offs, ncap, sizeof(*no));

		if (no == NULL)
			return errno = ENOMEM, -1;
		ru->offs = no;
		ru->offs_cap = ncap;
	}
	ru->offs[ru->n_offs++] = ru->arena_len;
	memcpy(ru->arena + ru->arena_len, s, n);
	ru->arena[ru->arena_len + n] = '\0';
	ru->arena_len += n + 1;
	return 0;
}

/* A string's bytes (*s, *n; *s NULL for NULL): in the table of strings
 * (*kept 1: NUL-terminated, until ru closes), or in buf until the next
 * read from ru (pos is moved past them). A string never holds a NUL: a line's
 * JSON strings do not (the record decoder refuses \u0000). */
static int
get_bytes(struct tlsrpt_rollup *ru, const char **s, size_t *n, int *kept)
{
	uint64_t t, len;
	const unsigned char *p;

	*s = NULL;
	*n = 0;
	*kept = 0;
	if (get_u(ru, &t) < 0)
		return -1;
	if (t == 0)
		return 0;
	len = t >> 2;
	if ((t & 3) == ROLLUP_STR_REF) {
		if (len >= ru->n_offs)
			return errno = EINVAL, -1;
		/* Kept one after another, each with its NUL: the next one's
		 * offset (or the arena's end) says the length. */
		*s = ru->arena + ru->offs[len];
		*n = (len + 1 < ru->n_offs ? ru->offs[len + 1]
					   : ru->arena_len) -
		     ru->offs[len] - 1;
		*kept = 1;
		return 0;
	}
	if ((t & 3) == 0 || len > ru->max_str || fill(ru, (size_t)len) < 0)
		return errno = errno == ENOMEM ? ENOMEM : EINVAL, -1;
	p = ru->buf + ru->pos;
	if (memchr(p, '\0', (size_t)len) != NULL)
		return errno = EINVAL, -1;
	*s = (const char *)p;
	*n = (size_t)len;
	if ((t & 3) == ROLLUP_STR_KEEP) {
		if (keep(ru, p, (size_t)len) < 0)
			return -1;
		*s = ru->arena + ru->offs[ru->n_offs - 1];
		*kept = 1;
	}
	ru->pos += (size_t)len;
	return 0;
}

/* A string into *out (NULL for NULL): new, or borrowed by the record --
 * from the table of strings, else cut from the scratch region at
 * *region. A borrower reads the string, never writes it: the table's
 * copy serves every later entry that names it. */
static int
get_str(struct tlsrpt_rollup *ru, char **out, struct tlsrpt_scratch *region)
{
	const char *s;
	size_t n;
	int kept;

	*out = NULL;
	if (get_bytes(ru, &s, &n, &kept) < 0)
		return -1;
	if (s == NULL)
		return 0;
	if (region != NULL && kept) {
		*out = (char *)s;
		return 0;
	}
	*out = region != NULL ? tlsrpt_scratch_alloc(region, n + 1)
			      : tlsrpt_malloc(n + 1);
	if (*out == NULL)
		return errno = ENOMEM, -1;
	memcpy(*out, s, n);
	(*out)[n] = '\0';
	return 0;
}

static int
get_s(struct tlsrpt_rollup *ru, char **out)
{
	return get_str(ru, out, NULL);
}

static int
get_b(struct tlsrpt_rollup *ru, char **out)
{
	return get_str(ru, out, &ru->scratch);
}

static int
get_strings(struct tlsrpt_rollup *ru, char ***v, size_t *n)
{
	uint64_t count;

	if (get_max(ru, ru->max_items, &count) < 0)
		return -1;
	if (count == 0)
		return 0;
	if (count > SIZE_MAX / sizeof(**v))
		return errno = EINVAL, -1;
	*v = tlsrpt_scratch_alloc(&ru->scratch, (size_t)count * sizeof(**v));
	if (*v == NULL)
		return errno = ENOMEM, -1;
	for (*n = 0; *n < count; (*n)++) {
		if (get_b(ru, &(*v)[*n]) < 0)
			return -1;
		if ((*v)[*n] == NULL) /* none is NULL (report.h) */
			return errno = EINVAL, -1;
	}
	return 0;
}

static int
get_count(struct tlsrpt_rollup *ru, int64_t *v)
{
	uint64_t u;

	if (get_max(ru, ru->limits->max_session_count, &u) < 0)
		return -1;
	*v = (int64_t)u;
	return 0;
}

static int
get_policy(struct tlsrpt_rollup *ru, struct tlsrpt_policy *p)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	uint64_t type, n;

	if (get_max(ru, TLSRPT_POLICY_OTHER, &type) < 0 ||
	    get_b(ru, &p->policy_type) < 0 ||
	    get_b(ru, &p->policy_domain) < 0 ||
	    get_strings(ru, &p->policy_strings, &p->n_policy_strings) < 0 ||
	    get_strings(ru, &p->mx_hosts, &p->n_mx_hosts) < 0 ||
	    get_count(ru, &p->total_successful_session_count) < 0 ||
	    get_count(ru, &p->total_failure_session_count) < 0 ||
	    get_max(ru, ru->max_items, &n) < 0)
		return -1;
	p->type = (enum tlsrpt_policy_type)type;
	if (p->policy_type == NULL) /* never NULL (report.h) */
		return errno = EINVAL, -1;
	if (n > 0) {
		if (n > SIZE_MAX / sizeof(*p->failure_details))
			return errno = EINVAL, -1;
		p->failure_details = tlsrpt_scratch_alloc(
			&ru->scratch, (size_t)n * sizeof(*p->failure_details));
		if (p->failure_details == NULL)
			return errno = ENOMEM, -1;
		memset(p->failure_details, 0,
		       (size_t)n * sizeof(*p->failure_details));
	}
	for (p->n_failure_details = 0; p->n_failure_details < n;
	     p->n_failure_details++) {
		struct tlsrpt_failure_detail *fd =
			&p->failure_details[p->n_failure_details];

		if (get_b(ru, &fd->result_type) < 0 ||
		    get_b(ru, &fd->sending_mta_ip) < 0 ||
		    get_b(ru, &fd->receiving_mx_hostname) < 0 ||
		    get_b(ru, &fd->receiving_ip) < 0 ||
		    get_count(ru, &fd->failed_session_count) < 0 ||
		    fd->result_type == NULL) {
			if (errno != ENOMEM)
				errno = EINVAL;
			return -1;
		}
	}
	/* The bounds a line's decoding puts on the counts. */
	if (tlsrpt_policy_check_counts(p, ru->limits, &err) < 0)
		return errno = EINVAL, -1;
	return 0;
}

/* The report fields of an entry that starts a report, into ru->prev (its
 * strings in report_scratch: the report's later lines borrow them too). */
static int
get_report(struct tlsrpt_rollup *ru)
{
	struct tlsrpt_record *r = &ru->prev;
	struct tlsrpt_scratch *rs = &ru->report_scratch;
	uint64_t dkim, count;

	memset(r, 0, sizeof(*r));
	r->borrowed = 1;
	ru->have_prev = 0;
	tlsrpt_scratch_reset(rs);
	if (get_i(ru, &r->received) < 0 ||
	    get_str(ru, &r->organization_name, rs) < 0 ||
	    get_str(ru, &r->report_id, rs) < 0 ||
	    get_str(ru, &r->digest, rs) < 0 ||
	    get_str(ru, &r->submitter, rs) < 0 ||
	    get_str(ru, &r->contact_info, rs) < 0 ||
	    get_max(ru, TLSRPT_DKIM_FAIL, &dkim) < 0 ||
	    get_i(ru, &r->start_time) < 0 || get_i(ru, &r->end_time) < 0 ||
	    get_max(ru, ru->max_items, &count) < 0)
		return -1;
	r->dkim = (enum tlsrpt_dkim)dkim;
	r->policy_count = (size_t)count;
	if (r->organization_name == NULL || r->report_id == NULL || count == 0)
		return errno = EINVAL, -1;
	ru->have_prev = 1;
	return 0;
}

int
tlsrpt_rollup_next(struct tlsrpt_rollup *ru, struct tlsrpt_record *rec,
		   unsigned long *line)
{
	uint64_t head, idx;

	tlsrpt_record_clear(rec);
	tlsrpt_scratch_reset(&ru->scratch);
	if (ru->records == ru->expect)
		return ru->pos == ru->len && ru->off == ru->end
			       ? 0
			       : (errno = EINVAL, -1);
	if (get_u(ru, &head) < 0 || (head >> 2) == 0 ||
	    (head >> 2) > ULONG_MAX - ru->line)
		goto bad;
	ru->line += (unsigned long)(head >> 2);
	rec->borrowed = 1;
	if ((head & ROLLUP_E_REPORT) && get_report(ru) < 0)
		goto bad;
	if (!ru->have_prev)
		goto bad;
	rollup_lend_report(rec, &ru->prev); /* rec borrows them */
	rec->conflict = (head & ROLLUP_E_CONFLICT) != 0;
	rec->version = 1;
	rec->source = (char *)""; /* never NULL (reader.h) */
	if (get_max(ru, rec->policy_count - 1, &idx) < 0 ||
	    get_policy(ru, &rec->policy) < 0)
		goto bad;
	rec->policy_index = (size_t)idx;
	ru->records++;
	*line = ru->line;
	return 1;
bad:
	if (errno != ENOMEM)
		errno = EINVAL;
	tlsrpt_record_clear(rec);
	return -1;
}

/* The checksum over [ROLLUP_HDR, length), then the trailer. 0 whole, 1
 * damaged, -1 out of memory. */
static int
check(struct tlsrpt_rollup *ru, const struct rollup_header *h)
{
	uLong crc = crc32(0L, Z_NULL, 0);
	uint64_t v, n;

	ru->off = ROLLUP_HDR;
	ru->end = h->length;
	while (ru->off < ru->end) {
		size_t want = ru->end - ru->off < CHUNK
				      ? (size_t)(ru->end - ru->off)
				      : CHUNK;

		ru->pos = ru->len = 0;
		if (fill(ru, want) < 0)
			return errno == ENOMEM ? -1 : 1;
		crc = crc32(crc, ru->buf, (uInt)ru->len);
	}
	if ((uint32_t)crc != h->crc)
		return 1;
	/* The table of strings, at the most the file's strings can take. */
	if (h->length - ROLLUP_HDR >= SIZE_MAX)
		return 1;
	ru->arena = tlsrpt_malloc((size_t)(h->length - ROLLUP_HDR) + 1);
	if (ru->arena == NULL)
		return errno = ENOMEM, -1;
	ru->arena_cap = (size_t)(h->length - ROLLUP_HDR) + 1;
	ru->pos = ru->len = 0;
	ru->off = h->trailer;
	if (get_max(ru, h->trailer, &v) < 0) /* entries take a byte each */
		return 1;
	ru->expect = (unsigned long)v;
	if (get_max(ru, ULONG_MAX, &v) < 0 ||
	    get_max(ru, TLSRPT_READER_MAX_PROBLEMS, &n) < 0)
		return 1;
	ru->skipped = (unsigned long)v;
	for (ru->n_notes = 0; ru->n_notes < n; ru->n_notes++) {
		char *s;

		if (get_max(ru, ULONG_MAX, &v) < 0 || get_s(ru, &s) < 0)
			return errno == ENOMEM ? -1 : 1;
		ru->note_line[ru->n_notes] = (unsigned long)v;
		snprintf(ru->note[ru->n_notes], TLSRPT_ERROR_TEXT_MAX, "%s",
			 s != NULL ? s : "");
		tlsrpt_free(s);
	}
	if (ru->pos != ru->len || ru->off != ru->end)
		return 1;
	/* Back to the first entry. */
	ru->pos = ru->len = 0;
	ru->off = ROLLUP_HDR;
	ru->end = h->trailer;
	ru->n_offs = ru->arena_len = 0; /* the notes kept nothing anyway */
	return 0;
}

/* The bounds, then the checksum and trailer of ru (its header h): 0 with
 * *out, or ru closed and 1 (damaged) or -1 (out of memory). */
static int
start(struct tlsrpt_rollup *ru, const struct rollup_header *h,
      const struct tlsrpt_limits *limits, struct tlsrpt_rollup **out)
{
	int rc;

	ru->limits = limits;
	/* No string or list of a record is longer than the line it came
	 * from. */
	ru->max_str = tlsrpt_record_max_line(limits);
	ru->max_items = ru->max_str;
	rc = check(ru, h);
	if (rc != 0) {
		tlsrpt_rollup_close(ru);
		return rc;
	}
	*out = ru;
	return 0;
}

int
tlsrpt_rollup_open(int dirfd, int64_t day,
		   const struct tlsrpt_rollup_source *src,
		   const struct tlsrpt_limits *limits,
		   struct tlsrpt_rollup **out)
{
	char name[TLSRPT_ROLLUP_NAME_MAX];
	unsigned char hb[ROLLUP_HDR];
	struct rollup_header h;
	struct tlsrpt_rollup *ru;
	struct stat st;
	int fd;

	*out = NULL;
	tlsrpt_rollup_name(day, src->gz, name, sizeof(name));
	fd = openat(dirfd, name,
		    O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOMEM ? -1 : 1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    pread(fd, hb, sizeof(hb), 0) != (ssize_t)sizeof(hb) ||
	    rollup_header_decode(hb, &h) < 0 ||
	    h.length != (uint64_t)st.st_size || h.gz != (uint32_t)src->gz ||
	    h.size != src->size || h.ino != src->ino ||
	    h.mtime_sec != src->mtime_sec || h.mtime_nsec != src->mtime_nsec ||
	    h.limits_fp != rollup_limits_fp(limits)) {
		close(fd);
		return 1;
	}
	ru = tlsrpt_calloc(1, sizeof(*ru));
	if (ru == NULL) {
		close(fd);
		return -1;
	}
	ru->fd = fd;
	return start(ru, &h, limits, out);
}

int
tlsrpt_rollup_open_mem(unsigned char *data, size_t len,
		       const struct tlsrpt_rollup_source *src,
		       const struct tlsrpt_limits *limits,
		       struct tlsrpt_rollup **out)
{
	struct rollup_header h;
	struct tlsrpt_rollup *ru;

	*out = NULL;
	if (len < ROLLUP_HDR || rollup_header_decode(data, &h) < 0 ||
	    h.length != (uint64_t)len || h.size != src->size ||
	    h.ino != src->ino || h.limits_fp != rollup_limits_fp(limits)) {
		tlsrpt_free(data);
		return 1;
	}
	ru = tlsrpt_calloc(1, sizeof(*ru));
	if (ru == NULL) {
		tlsrpt_free(data);
		return -1;
	}
	ru->fd = -1;
	ru->mem = data;
	ru->mem_len = len;
	return start(ru, &h, limits, out);
}

unsigned long
tlsrpt_rollup_skipped(const struct tlsrpt_rollup *ru)
{
	return ru->skipped;
}

size_t
tlsrpt_rollup_n_notes(const struct tlsrpt_rollup *ru)
{
	return ru->n_notes;
}

const char *
tlsrpt_rollup_note(const struct tlsrpt_rollup *ru, size_t i,
		   unsigned long *line)
{
	*line = ru->note_line[i];
	return ru->note[i];
}

void
tlsrpt_rollup_close(struct tlsrpt_rollup *ru)
{
	if (ru == NULL)
		return;
	if (ru->fd >= 0)
		close(ru->fd);
	tlsrpt_scratch_free(&ru->scratch);
	tlsrpt_scratch_free(&ru->report_scratch);
	tlsrpt_free(ru->mem);
	tlsrpt_free(ru->buf);
	tlsrpt_free(ru->arena);
	tlsrpt_free(ru->offs);
	tlsrpt_free(ru);
}
