/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rollup_impl.h -- the layout of a rollup file (rollup.h), shared by its
 * writer (rollup_write.c) and reader (rollup_read.c). Documented for
 * people in tlsrpt-store(5).
 *
 * Header (ROLLUP_HDR bytes, integers little-endian): magic "TLSRPTRU",
 * u32 version, u32 gz, u64 size, u64 inode, i64 mtime seconds, i64 mtime
 * nanoseconds (of the day file), u64 limits fingerprint, u64 offset of the
 * trailer, u64 length of the file, u32 CRC-32 of bytes [ROLLUP_HDR, length),
 * u32 0. A rollup in memory (tlsrpt-ship's, pg/blob.h) has the same
 * layout; its size and inode are what the caller says it covers (the
 * bytes and lines of a day's stream), its times and gz 0.
 *
 * Then one entry per valid line, in line order; then the trailer: records,
 * damaged lines, number of notes, and each note's line and reason. Numbers
 * are LEB128 varints (signed ones zigzag). A string is a varint tag: 0
 * NULL; (len << 2) | 1 bytes that follow; (len << 2) | 2 bytes that follow
 * and join the file's table of strings; (index << 2) | 3 a string of that
 * table. An entry: varint (line delta << 2 | new report << 1 | conflict);
 * with "new report" the report's fields (received, organization, id,
 * digest, submitter, contact, dkim, start, end, policy count), else those
 * of the entry before; then policy index, policy type, policy-type,
 * policy-domain, the policy strings and MX hosts (a count, then strings),
 * successes, failures, and the failure details (a count, then result type,
 * sending IP, receiving MX host, receiving IP, failed sessions).
 */
#ifndef TLSRPT_STORE_ROLLUP_IMPL_H
#define TLSRPT_STORE_ROLLUP_IMPL_H

#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "report/limits.h"

#define ROLLUP_MAGIC "TLSRPTRU"
#define ROLLUP_HDR 80

#define ROLLUP_STR_NULL 0u
#define ROLLUP_STR_INLINE 1u
#define ROLLUP_STR_KEEP 2u
#define ROLLUP_STR_REF 3u

#define ROLLUP_E_CONFLICT 1u
#define ROLLUP_E_REPORT 2u

struct rollup_header {
	uint32_t version, gz;
	uint64_t size, ino;
	int64_t mtime_sec, mtime_nsec;
	uint64_t limits_fp, trailer, length;
	uint32_t crc;
};

/* n bytes of v, little-endian. */
static inline void
rollup_put(unsigned char *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static inline uint64_t
rollup_get(const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* The report fields of src (not its policy) into dst: what an entry
 * without them repeats. _lend: dst points at src's strings; _copy: dst,
 * a cleared record, gets its own (0, or -1 out of memory). */
struct tlsrpt_record;
void rollup_lend_report(struct tlsrpt_record *dst,
			const struct tlsrpt_record *src);
int rollup_copy_report(struct tlsrpt_record *dst,
		       const struct tlsrpt_record *src);

void rollup_header_encode(const struct rollup_header *h,
			  unsigned char out[ROLLUP_HDR]);
/* 0, or -1 when the bytes are not a rollup header of this version. */
int rollup_header_decode(const unsigned char in[ROLLUP_HDR],
			 struct rollup_header *h);

/* Run as root (the daily digest from cron): the file fd, still under its
 * temporary name, is given to the owner of the store directory (dir, as
 * the writer stat'ed it when it began), so that its owner's tools can
 * replace it. 0, or -1. */
int rollup_give_to_owner(const struct stat *dir, int fd);

/* What a line decodes to depends on the limits: a rollup made under other
 * ones is stale. */
uint64_t rollup_limits_fp(const struct tlsrpt_limits *l);

static inline uint64_t
rollup_zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t
rollup_unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

#endif
