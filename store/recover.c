/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * recover.c -- finishing what a crashed writer left, under the store lock.
 *
 * A writer records the position (day file, size) before it writes lines
 * and the report's key after; so every report whose key might be missing
 * lies behind the position, in that one day file. Recovery reads that tail:
 * complete reports (policy-count consecutive lines, policy-index 0..n-1)
 * get their key recorded; a report cut short at the end (the writer died
 * inside write(), or before it could cut a failed write back) is cut off,
 * since its sender was never told it was stored. The cost is the tail
 * only, which is empty unless a writer crashed.
 *
 * Key records are synced only with checkpoints (index.h), so after a power
 * loss the records behind the last checkpoint may be lost, torn, or kept
 * out of order. A load from the start holds them back; recovery then reads
 * the checkpoint's tail of its day file instead of the position's: a report
 * there whose record is as written keeps it, one whose record is missing
 * gets one, and a held record of no report there is dropped (the index is
 * rewritten without it). The tail is short: a writer checkpoints at least
 * every second, every 64 groups and every 4 MiB of lines (append.c).
 */
#include "store/store_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "base/alloc.h"
#include "store/day.h"
#include "store/dayfiles.h"
#include "store/digest.h"
#include "base/fileio.h"
#include "store/keyset.h"
#include "store/lines.h"
#include "store/record.h"

/* The report whose lines are being collected. Lines written before there
 * were digests have none: the report is put back together from them (rep)
 * and its digest computed, as the writer would have. */
struct group {
	int active;
	char *key, *digest;
	size_t klen, count, have;
	uint64_t start;
	struct tlsrpt_report rep; /* policies so far; strings owned */
};

static void
group_reset(struct group *g)
{
	tlsrpt_free(g->key);
	tlsrpt_free(g->digest);
	tlsrpt_free(g->rep.organization_name);
	tlsrpt_free(g->rep.contact_info);
	tlsrpt_free(g->rep.report_id);
	for (size_t i = 0; i < g->rep.n_policies; i++)
		tlsrpt_policy_clear(&g->rep.policies[i]);
	tlsrpt_free(g->rep.policies);
	memset(g, 0, sizeof(*g));
}

/* Start group g with the first line rec (its strings are taken). */
static int
group_start(struct group *g, struct tlsrpt_record *rec, char *key, size_t klen,
	    uint64_t start)
{
	g->active = 1;
	g->key = key;
	g->klen = klen;
	g->count = rec->policy_count;
	g->start = start;
	g->digest = rec->digest;
	rec->digest = NULL;
	if (g->digest != NULL)
		return 0;
	g->rep.organization_name = rec->organization_name;
	g->rep.contact_info = rec->contact_info;
	g->rep.report_id = rec->report_id;
	rec->organization_name = rec->contact_info = rec->report_id = NULL;
	g->rep.start_time = rec->start_time;
	g->rep.end_time = rec->end_time;
	g->rep.policies = tlsrpt_calloc(g->count, sizeof(*g->rep.policies));
	return g->rep.policies == NULL ? -1 : 0;
}

/* Whether rec is the next line of g's report. */
static int
group_next(const struct group *g, const struct tlsrpt_record *rec,
	   const char *key, size_t klen)
{
	if (klen != g->klen || memcmp(key, g->key, klen) != 0 ||
	    rec->policy_count != g->count || rec->policy_index != g->have)
		return 0;
	if (g->digest == NULL || rec->digest == NULL)
		return g->digest == rec->digest;
	return strcmp(g->digest, rec->digest) == 0;
}

/* The digest of the complete report of g (computed when its lines had none):
 * borrowed from g, or NULL when out of memory. */
static const char *
group_digest(struct group *g)
{
	char hex[TLSRPT_DIGEST_HEX + 1];

	if (g->digest != NULL)
		return g->digest;
	g->rep.n_policies = g->count;
	if (tlsrpt_report_digest(&g->rep, hex) < 0)
		return NULL;
	g->digest = tlsrpt_strdup(hex);
	return g->digest;
}

/* Read the lines of a day file from base; record the keys of complete
 * reports; with cut, cut a report left incomplete at the end. */
static int
scan(struct tlsrpt_store *s, int fd, gzFile gz, int64_t day, uint64_t base,
     uint64_t limit, int cut, struct tlsrpt_error *err)
{
	struct tlsrpt_lines ln;
	struct group g = {0};
	struct tlsrpt_record rec;
	const char *line;
	size_t len;
	unsigned flags;
	int rc, ret = -1;
	uint64_t cut_at = UINT64_MAX;
	size_t max_line = tlsrpt_record_max_line(s->limits);

	memset(&rec, 0, sizeof(rec));
	if (gz != NULL)
		tlsrpt_lines_init_gz(&ln, gz, max_line);
	else
		tlsrpt_lines_init_fd(&ln, fd, base, limit, max_line);
	while ((rc = tlsrpt_lines_next(&ln, &line, &len, &flags)) > 0) {
		struct tlsrpt_error derr = TLSRPT_ERROR_INIT;

		if (flags & TLSRPT_LINE_UNTERMINATED) {
			cut_at = g.active ? g.start : ln.start;
			break;
		}
		if ((flags & TLSRPT_LINE_TOO_LONG) ||
		    tlsrpt_record_decode(line, len, s->limits, &rec, &derr) <
			    0) {
			if (!(flags & TLSRPT_LINE_TOO_LONG) &&
			    derr.code == TLSRPT_ERR_NOMEM) {
				tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL,
						 "out of memory in recovery");
				goto out;
			}
			group_reset(&g); /* damage breaks the report */
			continue;
		}
		size_t klen;
		char *key = tlsrpt_key_make(rec.organization_name,
					    rec.report_id, &klen);

		if (key == NULL) {
			tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL,
					 "out of memory in recovery");
			goto out;
		}
		if (g.active && !group_next(&g, &rec, key, klen))
			group_reset(&g);
		if (!g.active) {
			/* A stray line, or a policy-count no report may
			 * have (a damaged line must not make recovery
			 * allocate for it, nor fail every append). */
			if (rec.policy_index != 0 ||
			    rec.policy_count > s->limits->max_policies) {
				tlsrpt_free(key);
				tlsrpt_record_clear(&rec);
				continue;
			}
			if (group_start(&g, &rec, key, klen, ln.start) < 0) {
				tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL,
						 "out of memory in recovery");
				goto out;
			}
		} else
			tlsrpt_free(key);
		if (g.rep.policies != NULL) { /* no digest: keep the policy */
			g.rep.policies[g.have] = rec.policy;
			memset(&rec.policy, 0, sizeof(rec.policy));
		}
		tlsrpt_record_clear(&rec);
		if (++g.have == g.count) {
			const char *digest = group_digest(&g);

			if (digest == NULL) {
				tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL,
						 "out of memory in recovery");
				goto out;
			}
			if (tlsrpt_index_recovered(
				    &s->ix, g.key, g.klen, digest, day,
				    gz != NULL ? -1 : (int64_t)ln.pos, err) < 0)
				goto out;
			group_reset(&g);
		}
	}
	if (rc < 0) {
		tlsrpt_error_set(
			err, errno == ENOMEM ? TLSRPT_ERR_NOMEM : TLSRPT_ERR_IO,
			NULL, "cannot read a day file in recovery: %s",
			strerror(errno));
		goto out;
	}
	if (rc == 0 && g.active)
		cut_at = g.start;
	if (cut && cut_at != UINT64_MAX) {
		if (ftruncate(fd, (off_t)cut_at) < 0 ||
		    tlsrpt_store_sync_fd(s, fd) < 0) {
			tlsrpt_error_set(
				err, TLSRPT_ERR_IO, NULL,
				"cannot cut an incomplete report off a "
				"day file: %s",
				strerror(errno));
			goto out;
		}
	}
	ret = 0;
out:
	tlsrpt_record_clear(&rec);
	group_reset(&g);
	tlsrpt_lines_free(&ln);
	return ret;
}

/* Name the day file in err->path when recovery fails on it. */
static int
fail_on(struct tlsrpt_store *s, int64_t day, int gz, struct tlsrpt_error *err)
{
	char name[TLSRPT_DAY_NAME_MAX], path[TLSRPT_ERROR_PATH_MAX];

	tlsrpt_day_file_name(day, gz, name, sizeof(name));
	if (err != NULL)
		memcpy(err->path,
		       tlsrpt_store_path(s, name, path, sizeof(path)),
		       sizeof(err->path));
	return -1;
}

/* Scan a plain day file from base under its lock; with cut, cut and move
 * the position to its end. A file that is gone or not a regular file has
 * nothing to recover. */
static int
scan_plain(struct tlsrpt_store *s, int64_t day, uint64_t base, int cut,
	   struct tlsrpt_error *err)
{
	char name[TLSRPT_DAY_NAME_MAX];
	struct stat st;
	int fd, ret = -1;

	tlsrpt_day_file_name(day, 0, name, sizeof(name));
	fd = openat(s->dirfd, name,
		    O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT || errno == ELOOP)
			return 0;
		tlsrpt_error_set(err, TLSRPT_ERR_IO, NULL,
				 "cannot open for recovery: %s",
				 strerror(errno));
		return fail_on(s, day, 0, err);
	}
	if (tlsrpt_flock(fd, LOCK_EX) < 0 || fstat(fd, &st) < 0) {
		tlsrpt_error_set(err, TLSRPT_ERR_IO, NULL,
				 "cannot lock for recovery: %s",
				 strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size <= base) {
		ret = 0;
		goto out;
	}
	if (lseek(fd, (off_t)base, SEEK_SET) < 0) {
		tlsrpt_error_set(err, TLSRPT_ERR_IO, NULL, "cannot seek: %s",
				 strerror(errno));
		goto out;
	}
	if (scan(s, fd, NULL, day, base, (uint64_t)st.st_size - base, cut,
		 err) < 0)
		goto out;
	if (cut) {
		if (fstat(fd, &st) < 0) {
			tlsrpt_error_set(err, TLSRPT_ERR_IO, NULL,
					 "cannot stat: %s", strerror(errno));
			goto out;
		}
		if (!s->ix.have_pos || s->ix.pos_day != day ||
		    s->ix.pos_off != (uint64_t)st.st_size)
			if (tlsrpt_index_set_position(
				    &s->ix, day, (uint64_t)st.st_size, err) < 0)
				goto out;
	}
	ret = 0;
out:
	(void)tlsrpt_flock(fd, LOCK_UN);
	close(fd);
	if (ret < 0)
		fail_on(s, day, 0, err);
	return ret;
}

static int
scan_gz(struct tlsrpt_store *s, int64_t day, struct tlsrpt_error *err)
{
	char name[TLSRPT_DAY_NAME_MAX];
	int fd, ret;
	gzFile gz;

	tlsrpt_day_file_name(day, 1, name, sizeof(name));
	fd = openat(s->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 0; /* gone or refused: nothing to index */
	gz = gzdopen(fd, "rb");
	if (gz == NULL) {
		close(fd);
		return 0;
	}
	ret = scan(s, -1, gz, day, 0, 0, 0, err);
	gzclose(gz);
	/* A damaged compressed day costs keys, not the store. */
	if (ret < 0 && err != NULL && err->code == TLSRPT_ERR_NOMEM)
		return fail_on(s, day, 1, err);
	return 0;
}

/* The index is empty: build it from every day file (the index was deleted,
 * or this is a new store), in memory, then write it whole (temp file, sync,
 * rename) with a checkpoint at its end: a power loss meanwhile leaves the
 * old file, never a part of the new one. */
static int
rebuild(struct tlsrpt_store *s, struct tlsrpt_error *err)
{
	struct tlsrpt_dayfile *v = NULL;
	size_t n = 0;
	int64_t last_plain = -1;
	unsigned long kept, dropped;
	int ret = -1;

	tlsrpt_index_clear(&s->ix);
	s->ix.memory_only = 1;
	/* In day order, a day's .gz before its .jsonl: the order the lines
	 * were written. */
	if (tlsrpt_dayfiles_list_all(s->dirfd, s->dir, &v, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!v[i].gz)
			last_plain = v[i].day;
	for (size_t i = 0; i < n; i++) {
		int rc = v[i].gz ? scan_gz(s, v[i].day, err)
				 : scan_plain(s, v[i].day, 0,
					      v[i].day == last_plain, err);

		if (rc < 0)
			goto out;
	}
	/* Always leave a position, so an empty index means a new one. */
	if (!s->ix.have_pos && tlsrpt_index_set_position(&s->ix, 0, 0, err) < 0)
		goto out;
	s->ix.memory_only = 0;
	ret = tlsrpt_index_rewrite(&s->ix, INT64_MIN, &kept, &dropped, err);
out:
	s->ix.memory_only = 0;
	if (ret < 0)
		tlsrpt_index_close(&s->ix); /* load it again next time */
	tlsrpt_free(v);
	return ret;
}

/* A load from the start found records behind the last checkpoint: a writer
 * is running or was killed, or power was lost. Read the checkpoint's tail;
 * rewrite the index when it held a record of no report there, or a
 * checkpoint that is not as written (the next one could not be valid). */
static int
recover_held(struct tlsrpt_store *s, struct tlsrpt_error *err)
{
	unsigned long dropped, kept, gone;

	if (scan_plain(s, s->ix.ckpt_day, s->ix.ckpt_off, 1, err) < 0 ||
	    tlsrpt_index_settle(&s->ix, &dropped, err) < 0)
		return -1;
	if (dropped == 0 && !s->ix.chain_broken)
		return 0;
	return tlsrpt_index_rewrite(&s->ix, INT64_MIN, &kept, &gone, err);
}

int
tlsrpt_store_recover(struct tlsrpt_store *s, struct tlsrpt_error *err)
{
	/* An index from before content digests: without them a forged report
	 * stored first would still make the real one a "duplicate". Rebuild
	 * it from the day files, which computes the digests of old reports
	 * from their lines (scan). Once; the new index has digests. */
	if (s->ix.legacy || (s->ix.chain_broken && !s->ix.have_ckpt))
		return rebuild(s, err);
	if (s->ix.held.n > 0 || s->ix.chain_broken)
		return recover_held(s, err);
	if (s->ix.have_pos) {
		if (scan_plain(s, s->ix.pos_day, s->ix.pos_off, 1, err) < 0)
			return -1;
	} else if (s->ix.loaded == 0)
		return rebuild(s, err);
	/* An index of an older version: its writers synced every record,
	 * so all of it is vouched for by a first checkpoint. */
	if (!s->ix.have_ckpt && s->ix.have_pos &&
	    tlsrpt_index_checkpoint(&s->ix, s->ix.pos_day, s->ix.pos_off, err) <
		    0)
		return -1;
	return 0;
}
