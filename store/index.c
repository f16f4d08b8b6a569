/* SPDX-License-Identifier: BSD-2-Clause */
/* index.c -- the de-duplication index file and its in-memory key set. */
#include "store/index.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "store/day.h"
#include "store/digest.h"
#include "base/fileio.h"
#include "store/lines.h"

void
tlsrpt_index_init(struct tlsrpt_index *ix, int dirfd, mode_t mode,
		  int sync_writes)
{
	memset(ix, 0, sizeof(*ix));
	ix->dirfd = dirfd;
	ix->fd = -1;
	ix->mode = mode;
	ix->sync_writes = sync_writes;
}

void
tlsrpt_index_clear(struct tlsrpt_index *ix)
{
	ix->have_pos = 0;
	ix->legacy = 0;
	ix->have_ckpt = 0;
	ix->ckpt_unsynced = 0;
	ix->chain_broken = 0;
	ix->hold = 0;
	tlsrpt_keyset_clear(&ix->keys);
	tlsrpt_keyset_clear(&ix->versions);
	tlsrpt_keyset_clear(&ix->held);
}

/* Forget the file too: the next sync loads it from the start. */
static void
forget(struct tlsrpt_index *ix)
{
	if (ix->fd >= 0)
		close(ix->fd);
	ix->fd = -1;
	ix->loaded = 0;
	ix->ckpt_end = 0;
	ix->crc = 0;
	tlsrpt_index_clear(ix);
}

void
tlsrpt_index_close(struct tlsrpt_index *ix)
{
	forget(ix);
}

void
tlsrpt_index_move(struct tlsrpt_index *ix, int dirfd)
{
	forget(ix);
	ix->dirfd = dirfd;
	ix->created = 0;
}

static int
io_error(struct tlsrpt_error *err, const char *what)
{
	return tlsrpt_error_set(err, TLSRPT_ERR_IO, TLSRPT_INDEX_NAME, "%s: %s",
				what, strerror(errno));
}

/* org NUL id NUL digest (a version's key) into a new buffer, or NULL. */
static char *
version_key(const char *key, size_t len, const char *digest, size_t *vlen)
{
	size_t dl = strlen(digest);
	char *vk = tlsrpt_malloc(len + dl + 2);

	if (vk == NULL)
		return NULL;
	memcpy(vk, key, len);
	vk[len] = '\0';
	memcpy(vk + len + 1, digest, dl + 1);
	*vlen = len + 1 + dl;
	return vk;
}

/* Note in memory that key (with digest, NULL: unknown) was stored on day:
 * the key's latest day, the version's day, and the count of versions. */
static int
note_key(struct tlsrpt_index *ix, const char *key, size_t len,
	 const char *digest, int64_t day)
{
	struct tlsrpt_keyset_entry *e;
	int new_version = 0;

	if (digest != NULL) {
		size_t vlen;
		char *vk = version_key(key, len, digest, &vlen);
		int64_t *old;

		if (vk == NULL)
			return -1;
		old = tlsrpt_keyset_find(&ix->versions, vk, vlen);
		new_version = old == NULL;
		if ((old == NULL || *old < day) &&
		    tlsrpt_keyset_put(&ix->versions, vk, vlen, day) < 0) {
			tlsrpt_free(vk);
			return -1;
		}
		tlsrpt_free(vk);
	}
	e = tlsrpt_keyset_entry(&ix->keys, key, len);
	if (e == NULL) {
		if (tlsrpt_keyset_put(&ix->keys, key, len, day) < 0)
			return -1;
		e = tlsrpt_keyset_entry(&ix->keys, key, len);
	} else if (e->value < day)
		e->value = day;
	if (new_version)
		e->aux++;
	return 0;
}

int
tlsrpt_index_lookup(const struct tlsrpt_index *ix, const char *key, size_t len,
		    const char *digest, int64_t *key_day, int64_t *version_day,
		    int64_t *versions)
{
	struct tlsrpt_keyset_entry *e =
		tlsrpt_keyset_entry(&ix->keys, key, len);

	*key_day = e != NULL ? e->value : -1;
	*versions = e != NULL ? e->aux : 0;
	*version_day = -1;
	if (e != NULL && digest != NULL) {
		size_t vlen;
		char *vk = version_key(key, len, digest, &vlen);
		int64_t *v;

		if (vk == NULL)
			return -1;
		v = tlsrpt_keyset_find(&ix->versions, vk, vlen);
		if (v != NULL)
			*version_day = *v;
		tlsrpt_free(vk);
	}
	return 0;
}

/* Note every held record (a valid checkpoint vouches for them). */
static int
apply_held(struct tlsrpt_index *ix)
{
	for (size_t i = 0; i < ix->held.cap; i++) {
		const struct tlsrpt_keyset_entry *e = &ix->held.slots[i];
		const char *id, *digest;

		if (e->key == NULL || e->aux == -2)
			continue;
		id = e->key + strlen(e->key) + 1;
		digest = id + strlen(id) + 1;
		if (note_key(ix, e->key, (size_t)(digest - 1 - e->key), digest,
			     e->value) < 0)
			return -1;
	}
	tlsrpt_keyset_clear(&ix->held);
	return 0;
}

/* A checkpoint record (its "ckpt" member, 8 hex digits, in *crc): 1 when
 * it is valid, i.e. every checkpoint before it was and the bytes since the
 * last one are those it was written behind. */
static int
checkpoint_valid(struct tlsrpt_index *ix, const char *hex)
{
	unsigned long v;
	char *end;

	if (strlen(hex) != 8)
		return 0;
	errno = 0;
	v = strtoul(hex, &end, 16);
	if (*end != '\0' || errno != 0)
		return 0;
	if (ix->chain_broken || (uint32_t)v != ix->crc) {
		/* Behind a broken link nothing is vouched for: a later
		 * checkpoint only proves the bytes since the broken one. */
		ix->chain_broken = 1;
		return 0;
	}
	return 1;
}

/* Apply one index line. Damaged lines are ignored: they can only cost a
 * duplicate check, and the position is also kept by the next record. In a
 * load from the start (full), the records behind a valid checkpoint are
 * held for recovery to confirm; *ckpt is set for a valid checkpoint. */
static int
apply_line(struct tlsrpt_index *ix, const char *line, size_t len, int full,
	   int *ckpt)
{
	json_t *o = json_loadb(line, len, 0, NULL), *v;
	const char *dayname, *org, *id, *digest, *hex;
	int64_t day;
	int ret = 0;

	*ckpt = 0;
	if (o == NULL)
		return 0;
	v = json_object_get(o, "day");
	dayname = json_string_value(v);
	if (dayname == NULL ||
	    tlsrpt_day_parse(dayname, strlen(dayname), &day) < 0)
		goto out;
	hex = json_string_value(json_object_get(o, "ckpt"));
	v = json_object_get(o, "pos");
	if (hex != NULL && json_is_integer(v) && json_integer_value(v) >= 0 &&
	    checkpoint_valid(ix, hex)) {
		if (apply_held(ix) < 0) {
			ret = -1;
			goto out;
		}
		*ckpt = 1;
		ix->have_ckpt = 1;
		ix->ckpt_unsynced = 0;
		ix->ckpt_day = day;
		ix->ckpt_off = (uint64_t)json_integer_value(v);
		ix->hold = full;
		ix->have_pos = 1;
		ix->pos_day = day;
		ix->pos_off = ix->ckpt_off;
		goto out;
	}
	org = json_string_value(json_object_get(o, "org"));
	id = json_string_value(json_object_get(o, "id"));
	digest = json_string_value(json_object_get(o, "digest"));
	if (digest != NULL && !tlsrpt_digest_valid(digest))
		digest = NULL;
	if (org != NULL && id != NULL) {
		size_t klen;
		char *key = tlsrpt_key_make(org, id, &klen);

		if (key == NULL) {
			ret = -1;
			goto out;
		}
		if (digest == NULL)
			ix->legacy = 1; /* written before digests: rebuild */
		if (ix->hold && digest != NULL) {
			/* Written behind the last checkpoint: maybe not
			 * what was written, if power was lost. */
			size_t vlen;
			char *vk = version_key(key, klen, digest, &vlen);
			json_t *e = json_object_get(o, "end");
			struct tlsrpt_keyset_entry *h;

			ret = -1;
			if (vk != NULL &&
			    tlsrpt_keyset_put(&ix->held, vk, vlen, day) == 0 &&
			    (h = tlsrpt_keyset_entry(&ix->held, vk, vlen)) !=
				    NULL) {
				h->aux =
					json_is_integer(
						e) && json_integer_value(e) >= 0
						? json_integer_value(e)
						: -1;
				ret = 0;
			}
			tlsrpt_free(vk);
		} else
			ret = note_key(ix, key, klen, digest, day);
		tlsrpt_free(key);
	}
	if (ix->hold)
		goto out; /* the position stays at the checkpoint */
	v = json_object_get(o, "end");
	if (v == NULL)
		v = json_object_get(o, "pos");
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		ix->have_pos = 1;
		ix->pos_day = day;
		ix->pos_off = (uint64_t)json_integer_value(v);
	}
out:
	json_decref(o);
	return ret;
}

static int
open_index(struct tlsrpt_index *ix, struct tlsrpt_error *err)
{
	struct stat st;

	ix->fd = openat(ix->dirfd, TLSRPT_INDEX_NAME,
			O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
			ix->mode);
	if (ix->fd < 0)
		return io_error(err, "cannot open the de-duplication index");
	if (fstat(ix->fd, &st) < 0)
		return io_error(err, "cannot stat the index");
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		return io_error(err, "not a regular file");
	}
	ix->dev = st.st_dev;
	ix->ino = st.st_ino;
	ix->created = st.st_size == 0;
	return 0;
}

/* Add the bytes [start, end) of fd to *crc (a line too long to be
 * returned). 0, or -1 with errno. */
static int
crc_range(int fd, uint64_t start, uint64_t end, uint32_t *crc)
{
	unsigned char buf[65536];

	while (start < end) {
		size_t want = end - start < sizeof(buf) ? (size_t)(end - start)
							: sizeof(buf);
		ssize_t n = pread(fd, buf, want, (off_t)start);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		*crc = (uint32_t)crc32(*crc, buf, (uInt)n);
		start += (uint64_t)n;
	}
	return 0;
}

int
tlsrpt_index_sync(struct tlsrpt_index *ix, struct tlsrpt_error *err)
{
	struct tlsrpt_lines ln;
	struct stat st;
	const char *line;
	size_t len;
	unsigned flags;
	int rc, ret = -1, full, ckpt;

	ix->created = 0;
	if (ix->fd >= 0 && (fstatat(ix->dirfd, TLSRPT_INDEX_NAME, &st,
				    AT_SYMLINK_NOFOLLOW) < 0 ||
			    st.st_dev != ix->dev || st.st_ino != ix->ino))
		forget(ix); /* replaced by a prune, or removed */
	if (ix->fd < 0 && open_index(ix, err) < 0) {
		forget(ix);
		return -1;
	}
	if (fstat(ix->fd, &st) < 0)
		return io_error(err, "cannot stat the index");
	if ((uint64_t)st.st_size == ix->loaded)
		return 0;
	if ((uint64_t)st.st_size < ix->loaded) {
		/* Cut by hand, or emptied to be rebuilt: start over. */
		tlsrpt_keyset_clear(&ix->keys);
		tlsrpt_keyset_clear(&ix->versions);
		ix->loaded = 0;
		ix->ckpt_end = 0;
		ix->crc = 0;
		tlsrpt_index_clear(ix);
	}
	/* From the start, what lies behind the last checkpoint is held for
	 * recovery; what a later look finds was written since, in this boot
	 * (we were running), and is as it was written. */
	full = ix->loaded == 0;
	ix->hold = 0;
	if (lseek(ix->fd, (off_t)ix->loaded, SEEK_SET) < 0)
		return io_error(err, "cannot seek in the index");
	tlsrpt_lines_init_fd(&ln, ix->fd, ix->loaded,
			     (uint64_t)st.st_size - ix->loaded,
			     TLSRPT_INDEX_LINE_MAX);
	while ((rc = tlsrpt_lines_next(&ln, &line, &len, &flags)) > 0) {
		if (flags & TLSRPT_LINE_UNTERMINATED) {
			/* A writer died in the middle of a record; we hold the
			 * lock, so nobody is writing it now. */
			if (ftruncate(ix->fd, (off_t)ln.start) < 0) {
				io_error(err, "cannot cut a torn record");
				goto out;
			}
			ln.pos = ln.start;
			break;
		}
		ckpt = 0;
		if (!(flags & TLSRPT_LINE_TOO_LONG) &&
		    apply_line(ix, line, len, full, &ckpt) < 0) {
			tlsrpt_error_set(err, TLSRPT_ERR_NOMEM,
					 TLSRPT_INDEX_NAME,
					 "out of memory loading the index");
			goto out;
		}
		if (ckpt) {
			ix->crc = 0; /* the next checkpoint covers from here */
			ix->ckpt_end = ln.pos;
		} else if (flags & TLSRPT_LINE_TOO_LONG) {
			if (crc_range(ix->fd, ln.start, ln.pos, &ix->crc) < 0) {
				io_error(err, "cannot read the index");
				goto out;
			}
		} else {
			ix->crc = (uint32_t)crc32(ix->crc, (const Bytef *)line,
						  (uInt)len);
			ix->crc = (uint32_t)crc32(ix->crc, (const Bytef *)"\n",
						  1);
		}
	}
	if (rc < 0) {
		if (errno == ENOMEM)
			tlsrpt_error_set(err, TLSRPT_ERR_NOMEM,
					 TLSRPT_INDEX_NAME,
					 "out of memory loading the index");
		else
			io_error(err, "cannot read the index");
		goto out;
	}
	ix->loaded = ln.pos;
	ret = 0;
out:
	ix->hold = 0;
	tlsrpt_lines_free(&ln);
	if (ret < 0)
		forget(ix); /* reload from scratch next time */
	return ret;
}

/* Append records (text, len bytes, each ending in a newline) with one
 * write; a failed write is cut back. */
static int
append_text(struct tlsrpt_index *ix, const char *text, size_t len,
	    struct tlsrpt_error *err)
{
	if (tlsrpt_write_all(ix->fd, text, len) < 0) {
		int e = errno;

		if (ftruncate(ix->fd, (off_t)ix->loaded) < 0) {
			/* Left torn: the next sync cuts it. */
		}
		errno = e;
		return io_error(err, "cannot write to the index");
	}
	/* Not synced: a checkpoint syncs it, and until then recovery can
	 * find every key behind the checkpoint in its day file. */
	ix->crc = (uint32_t)crc32(ix->crc, (const Bytef *)text, (uInt)len);
	ix->loaded += len;
	return 0;
}

/* Add record o's text and a newline to b. */
static int
add_record_text(struct tlsrpt_buf *b, json_t *o, struct tlsrpt_error *err)
{
	char *text = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
	int ret;

	json_decref(o);
	if (text == NULL)
		return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM,
					TLSRPT_INDEX_NAME, "out of memory");
	ret = tlsrpt_buf_append(b, text, strlen(text), err) < 0 ||
			      tlsrpt_buf_append(b, "\n", 1, err) < 0
		      ? -1
		      : 0;
	tlsrpt_free(text);
	return ret;
}

/* Append record o (taken) as one write. */
static int
append_record(struct tlsrpt_index *ix, json_t *o, struct tlsrpt_error *err)
{
	struct tlsrpt_buf b;
	int ret;

	tlsrpt_buf_init(&b, SIZE_MAX - 1, NULL);
	ret = add_record_text(&b, o, err);
	if (ret == 0)
		ret = append_text(ix, (const char *)b.data, b.len, err);
	tlsrpt_buf_free(&b);
	return ret;
}

static json_t *
record(int64_t day, const char *org, const char *id, const char *digest,
       const char *offkey, uint64_t off)
{
	char name[16];
	json_t *o = json_object();
	int rc = 0;

	if (o == NULL)
		return NULL;
	tlsrpt_day_format(day, name, sizeof(name));
	rc |= json_object_set_new(o, "day", json_string(name));
	if (offkey != NULL)
		rc |= json_object_set_new(o, offkey,
					  json_integer((json_int_t)off));
	if (org != NULL) {
		rc |= json_object_set_new(o, "org", json_string(org));
		rc |= json_object_set_new(o, "id", json_string(id));
		if (digest != NULL)
			rc |= json_object_set_new(o, "digest",
						  json_string(digest));
	}
	if (rc != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int
tlsrpt_index_add(struct tlsrpt_index *ix, const char *key, size_t len,
		 const char *digest, int64_t day, int64_t end,
		 struct tlsrpt_error *err)
{
	struct tlsrpt_index_key k = {key, len, digest, day, end};

	return tlsrpt_index_add_keys(ix, &k, 1, err);
}

int
tlsrpt_index_add_keys(struct tlsrpt_index *ix, const struct tlsrpt_index_key *k,
		      size_t n, struct tlsrpt_error *err)
{
	struct tlsrpt_buf b;
	int ret = -1;

	tlsrpt_buf_init(&b, SIZE_MAX - 1, NULL);
	for (size_t i = 0; i < n && !ix->memory_only; i++) {
		/* key is org NUL id */
		if (add_record_text(&b,
				    record(k[i].day, k[i].key,
					   k[i].key + strlen(k[i].key) + 1,
					   k[i].digest,
					   k[i].end >= 0 ? "end" : NULL,
					   (uint64_t)k[i].end),
				    err) < 0)
			goto out;
	}
	if (n == 0 || (!ix->memory_only &&
		       append_text(ix, (const char *)b.data, b.len, err) < 0))
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (k[i].end >= 0) {
			ix->have_pos = 1;
			ix->pos_day = k[i].day;
			ix->pos_off = (uint64_t)k[i].end;
		}
		if (note_key(ix, k[i].key, k[i].len, k[i].digest, k[i].day) <
		    0) {
			/* On disk but not in memory: reload it all next
			 * time. */
			forget(ix);
			tlsrpt_error_set(err, TLSRPT_ERR_NOMEM,
					 TLSRPT_INDEX_NAME, "out of memory");
			goto out;
		}
	}
	ret = 0;
out:
	tlsrpt_buf_free(&b);
	return ret;
}

int
tlsrpt_index_set_position(struct tlsrpt_index *ix, int64_t day, uint64_t off,
			  struct tlsrpt_error *err)
{
	if (!ix->memory_only &&
	    append_record(ix, record(day, NULL, NULL, NULL, "pos", off), err) <
		    0)
		return -1;
	ix->have_pos = 1;
	ix->pos_day = day;
	ix->pos_off = off;
	return 0;
}

int
tlsrpt_index_checkpoint(struct tlsrpt_index *ix, int64_t day, uint64_t off,
			struct tlsrpt_error *err)
{
	char hex[9];
	json_t *o = record(day, NULL, NULL, NULL, "pos", off);

	snprintf(hex, sizeof(hex), "%08lx", (unsigned long)ix->crc);
	if (o != NULL && json_object_set_new(o, "ckpt", json_string(hex)) < 0) {
		json_decref(o);
		o = NULL;
	}
	if (append_record(ix, o, err) < 0)
		return -1;
	/* In the file now: what memory says must match what a load finds. */
	ix->crc = 0;
	ix->ckpt_end = ix->loaded;
	ix->have_ckpt = 1;
	ix->ckpt_day = ix->pos_day = day;
	ix->ckpt_off = ix->pos_off = off;
	ix->have_pos = 1;
	ix->ckpt_unsynced = 0;
	if (ix->sync_writes && tlsrpt_fdatasync(ix->fd) < 0) {
		/* Not known durable: the next one that matters (before lines
		 * go to another day file) is written and synced again. */
		ix->ckpt_unsynced = 1;
		return io_error(err, "cannot sync the index");
	}
	return 0;
}

int
tlsrpt_index_recovered(struct tlsrpt_index *ix, const char *key, size_t len,
		       const char *digest, int64_t day, int64_t end,
		       struct tlsrpt_error *err)
{
	struct tlsrpt_keyset_entry *h = NULL;
	int64_t key_day, version_day, versions;
	size_t vlen;
	char *vk;

	if (ix->held.n > 0) {
		vk = version_key(key, len, digest, &vlen);
		if (vk == NULL)
			goto nomem;
		h = tlsrpt_keyset_entry(&ix->held, vk, vlen);
		tlsrpt_free(vk);
	}
	if (h != NULL && h->value == day && h->aux == end) {
		/* Its record is as written: keep it, no second one. */
		h->aux = -2;
		if (note_key(ix, key, len, digest, day) < 0)
			goto nomem;
		return 0;
	}
	if (tlsrpt_index_lookup(ix, key, len, digest, &key_day, &version_day,
				&versions) < 0)
		goto nomem;
	if (version_day >= day)
		return 0; /* known: its record was read */
	return tlsrpt_index_add(ix, key, len, digest, day, end, err);
nomem:
	return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, TLSRPT_INDEX_NAME,
				"out of memory");
}

int
tlsrpt_index_settle(struct tlsrpt_index *ix, unsigned long *dropped,
		    struct tlsrpt_error *err)
{
	*dropped = 0;
	for (size_t i = 0; i < ix->held.cap; i++) {
		struct tlsrpt_keyset_entry *e = &ix->held.slots[i];

		if (e->key == NULL || e->aux == -2)
			continue;
		/* Only the checkpoint's day file can hold lines written
		 * behind it; recovery read it and did not find these. */
		if (ix->have_ckpt && e->value == ix->ckpt_day && e->aux >= 0) {
			e->aux = -2;
			(*dropped)++;
		}
	}
	if (apply_held(ix) < 0)
		return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM,
					TLSRPT_INDEX_NAME, "out of memory");
	return 0;
}

int
tlsrpt_index_rewrite(struct tlsrpt_index *ix, int64_t min_day,
		     unsigned long *kept, unsigned long *dropped,
		     struct tlsrpt_error *err)
{
	struct tlsrpt_index tmp;
	int fd = -1, ret = -1;

	*kept = *dropped = 0;
	tlsrpt_index_init(&tmp, ix->dirfd, ix->mode, 0);
	fd = openat(ix->dirfd, TLSRPT_INDEX_TMP,
		    O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		    ix->mode);
	if (fd < 0) {
		io_error(err, "cannot create " TLSRPT_INDEX_TMP);
		goto out;
	}
	tmp.fd = fd;
	/* Every version, then keys of no known version (only an index from
	 * before digests has those, and it is rebuilt before any prune). */
	for (int pass = 0; pass < 2; pass++) {
		const struct tlsrpt_keyset *ks =
			pass == 0 ? &ix->versions : &ix->keys;

		for (size_t i = 0; i < ks->cap; i++) {
			const struct tlsrpt_keyset_entry *e = &ks->slots[i];
			const char *id, *digest = NULL;
			json_t *o;
			int rc;

			if (e->key == NULL || (pass == 1 && e->aux > 0))
				continue;
			if (e->value < min_day) {
				(*dropped)++;
				continue;
			}
			id = e->key + strlen(e->key) + 1;
			if (pass == 0)
				digest = id + strlen(id) + 1;
			o = record(e->value, e->key, id, digest, NULL, 0);
			if (o == NULL) {
				tlsrpt_error_set(err, TLSRPT_ERR_NOMEM,
						 TLSRPT_INDEX_NAME,
						 "out of memory");
				goto out;
			}
			rc = append_record(&tmp, o, err);
			if (rc < 0)
				goto out;
			(*kept)++;
		}
	}
	if (ix->have_pos &&
	    tlsrpt_index_checkpoint(&tmp, ix->pos_day, ix->pos_off, err) < 0)
		goto out;
	if (tlsrpt_fdatasync(fd) < 0) {
		io_error(err, "cannot sync " TLSRPT_INDEX_TMP);
		goto out;
	}
	if (renameat(ix->dirfd, TLSRPT_INDEX_TMP, ix->dirfd,
		     TLSRPT_INDEX_NAME) < 0) {
		io_error(err, "cannot replace the index");
		goto out;
	}
	(void)tlsrpt_fsync_dir(ix->dirfd);
	forget(ix);
	ret = tlsrpt_index_sync(ix, err);
out:
	if (fd >= 0)
		close(fd);
	if (ret < 0)
		(void)unlinkat(ix->dirfd, TLSRPT_INDEX_TMP, 0);
	return ret;
}
