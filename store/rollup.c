/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rollup.c -- what the rollup writer and reader share: the name, the
 * source a rollup was made from, the header and the limits fingerprint
 * (layout in rollup_impl.h).
 */
#include "store/rollup.h"

#include <stdio.h>
#include <zlib.h>

#include "store/day.h"
#include "store/record.h"
#include "store/rollup_impl.h"

void
tlsrpt_rollup_name(int64_t day, char *buf, size_t size)
{
	char d[16];

	tlsrpt_day_format(day, d, sizeof(d));
	if (snprintf(buf, size, "rollup-%s.v%d", d, TLSRPT_ROLLUP_VERSION) < 0)
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
	rollup_put32(out + 8, h->version);
	rollup_put32(out + 12, h->gz);
	rollup_put64(out + 16, h->size);
	rollup_put64(out + 24, h->ino);
	rollup_put64(out + 32, (uint64_t)h->mtime_sec);
	rollup_put64(out + 40, (uint64_t)h->mtime_nsec);
	rollup_put64(out + 48, h->limits_fp);
	rollup_put64(out + 56, h->trailer);
	rollup_put64(out + 64, h->length);
	rollup_put32(out + 72, h->crc);
}

int
rollup_header_decode(const unsigned char in[ROLLUP_HDR],
		     struct rollup_header *h)
{
	if (memcmp(in, ROLLUP_MAGIC, 8) != 0)
		return -1;
	h->version = rollup_get32(in + 8);
	h->gz = rollup_get32(in + 12);
	h->size = rollup_get64(in + 16);
	h->ino = rollup_get64(in + 24);
	h->mtime_sec = (int64_t)rollup_get64(in + 32);
	h->mtime_nsec = (int64_t)rollup_get64(in + 40);
	h->limits_fp = rollup_get64(in + 48);
	h->trailer = rollup_get64(in + 56);
	h->length = rollup_get64(in + 64);
	h->crc = rollup_get32(in + 72);
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
		rollup_put64(b + 8 * i, v[i]);
	c = crc32(c, b, sizeof(b));
	a = adler32(a, b, sizeof(b));
	return ((uint64_t)c << 32) | (uint64_t)(a & 0xffffffffu);
}
