/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rollup.c -- what the rollup writer and reader share: the name, the
 * source a rollup was made from, the header and the limits fingerprint
 * (layout in rollup_impl.h).
 */
#include "store/rollup.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "base/alloc.h"
#include "store/day.h"
#include "store/record.h"
#include "store/rollup_impl.h"

void
tlsrpt_rollup_name(int64_t day, int gz, char *buf, size_t size)
{
	char d[16];

	tlsrpt_day_format(day, d, sizeof(d));
	if (snprintf(buf, size, "rollup-%s%s.v%d", d, gz ? ".gz" : "",
		     TLSRPT_ROLLUP_VERSION) < 0)
		buf[0] = '\0';
}

void
tlsrpt_rollup_source_of(const struct stat *st, int gz,
			struct tlsrpt_rollup_source *src)
{
	src->gz = gz != 0;
	src->size = (uint64_t)st->st_size;
	src->ino = (uint64_t)st->st_ino;
	src->mtime_sec = (int64_t)st->st_mtim.tv_sec;
	src->mtime_nsec = (int64_t)st->st_mtim.tv_nsec;
	src->mode = st->st_mode & 0666;
}

void
rollup_header_encode(const struct rollup_header *h,
		     unsigned char out[ROLLUP_HDR])
{
	memset(out, 0, ROLLUP_HDR);
	memcpy(out, ROLLUP_MAGIC, 8);
	rollup_put(out + 8, h->version, 4);
	rollup_put(out + 12, h->gz, 4);
	rollup_put(out + 16, h->size, 8);
	rollup_put(out + 24, h->ino, 8);
	rollup_put(out + 32, (uint64_t)h->mtime_sec, 8);
	rollup_put(out + 40, (uint64_t)h->mtime_nsec, 8);
	rollup_put(out + 48, h->limits_fp, 8);
	rollup_put(out + 56, h->trailer, 8);
	rollup_put(out + 64, h->length, 8);
	rollup_put(out + 72, h->crc, 4);
}

int
rollup_header_decode(const unsigned char in[ROLLUP_HDR],
		     struct rollup_header *h)
{
	if (memcmp(in, ROLLUP_MAGIC, 8) != 0)
		return -1;
	h->version = rollup_get(in + 8, 4);
	h->gz = rollup_get(in + 12, 4);
	h->size = rollup_get(in + 16, 8);
	h->ino = rollup_get(in + 24, 8);
	h->mtime_sec = (int64_t)rollup_get(in + 32, 8);
	h->mtime_nsec = (int64_t)rollup_get(in + 40, 8);
	h->limits_fp = rollup_get(in + 48, 8);
	h->trailer = rollup_get(in + 56, 8);
	h->length = rollup_get(in + 64, 8);
	h->crc = rollup_get(in + 72, 4);
	if (h->version != TLSRPT_ROLLUP_VERSION || h->gz > 1 ||
	    h->trailer < ROLLUP_HDR || h->trailer > h->length)
		return -1;
	return 0;
}

uint64_t
rollup_limits_fp(const struct tlsrpt_limits *l)
{
	uint64_t v[] = {
		tlsrpt_record_max_line(l), l->max_message_bytes,
		l->max_report_bytes,	   l->max_inflate_ratio,
		l->max_json_depth,	   l->max_json_values,
		l->max_policies,	   l->max_failure_details,
		l->max_policy_strings,	   l->max_string_bytes,
		l->max_session_count,
	};
	unsigned char b[sizeof(v)];
	uLong c = crc32(0L, Z_NULL, 0), a = adler32(0L, Z_NULL, 0);

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		rollup_put(b + 8 * i, v[i], 8);
	c = crc32(c, b, sizeof(b));
	a = adler32(a, b, sizeof(b));
	return ((uint64_t)c << 32) | (uint64_t)(a & 0xffffffffu);
}

void
rollup_lend_report(struct tlsrpt_record *dst, const struct tlsrpt_record *src)
{
	dst->received = src->received;
	dst->dkim = src->dkim;
	dst->start_time = src->start_time;
	dst->end_time = src->end_time;
	dst->policy_count = src->policy_count;
	dst->organization_name = src->organization_name;
	dst->report_id = src->report_id;
	dst->digest = src->digest;
	dst->submitter = src->submitter;
	dst->contact_info = src->contact_info;
}

int
rollup_copy_report(struct tlsrpt_record *dst, const struct tlsrpt_record *src)
{
	rollup_lend_report(dst, src);
	dst->organization_name = tlsrpt_strdup(src->organization_name);
	dst->report_id = tlsrpt_strdup(src->report_id);
	dst->digest = tlsrpt_strdup(src->digest);
	dst->submitter = tlsrpt_strdup(src->submitter);
	dst->contact_info = tlsrpt_strdup(src->contact_info);
	if ((src->organization_name != NULL &&
	     dst->organization_name == NULL) ||
	    (src->report_id != NULL && dst->report_id == NULL) ||
	    (src->digest != NULL && dst->digest == NULL) ||
	    (src->submitter != NULL && dst->submitter == NULL) ||
	    (src->contact_info != NULL && dst->contact_info == NULL))
		return errno = ENOMEM, -1;
	return 0;
}

int
rollup_give_to_owner(const struct stat *dir, int fd)
{
	if (geteuid() != 0 || dir->st_uid == 0)
		return 0;
	return fchown(fd, dir->st_uid, dir->st_gid);
}
