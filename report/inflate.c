/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * inflate.c -- bounded gunzip (see inflate.h).
 *
 * Trailing bytes: after the last complete member, bytes that do not start
 * another gzip member (1f 8b) are ignored, as gzip(1) does. Each member's
 * CRC-32 and length have already proved its data complete, and mail
 * gateways and base64 decoders are known to leave padding (NULs, CRLF)
 * behind. Bytes that do start another member must form a whole, valid one.
 */
#include "report/inflate.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <zlib.h>

#include "base/alloc.h"
#include "base/buf.h"

/* zlib's allocations go through the seam, so the chaos test covers them. */
static voidpf
zalloc_seam(voidpf opaque, uInt items, uInt size)
{
	(void)opaque;
	return tlsrpt_reallocarray(NULL, items, size);
}

static void
zfree_seam(voidpf opaque, voidpf p)
{
	(void)opaque;
	tlsrpt_free(p);
}

/* The most output the input may produce: the smaller of the two bounds.
 * *by_ratio says which one it is, for the message. */
static size_t
output_limit(size_t in_len, const struct tlsrpt_limits *limits, int *by_ratio)
{
	size_t cap = limits->max_report_bytes;
	size_t ratio_cap;

	if (cap > SIZE_MAX - 1)
		cap = SIZE_MAX - 1;
	if (limits->max_inflate_ratio != 0 &&
	    in_len > (SIZE_MAX - 1) / limits->max_inflate_ratio)
		ratio_cap = SIZE_MAX - 1;
	else
		ratio_cap = in_len * limits->max_inflate_ratio;
	*by_ratio = ratio_cap < cap;
	return *by_ratio ? ratio_cap : cap;
}

static int
limit_error(struct tlsrpt_error *err, const struct tlsrpt_limits *limits,
	    size_t in_len, int by_ratio)
{
	if (by_ratio)
		return tlsrpt_error_set(
			err, TLSRPT_ERR_LIMIT, NULL,
			"compressed report of %zu bytes inflates to more than "
			"%u times its size (MaxInflateRatio %u): refused as a "
			"possible decompression bomb",
			in_len, limits->max_inflate_ratio,
			limits->max_inflate_ratio);
	return tlsrpt_error_set(err, TLSRPT_ERR_LIMIT, NULL,
				"inflated report is larger than %zu bytes "
				"(MaxReportSize)",
				limits->max_report_bytes);
}

static uInt
clamp_uint(size_t n)
{
	return n > UINT_MAX ? UINT_MAX : (uInt)n;
}

int
tlsrpt_inflate(const void *in, size_t in_len,
	       const struct tlsrpt_limits *limits, unsigned char **out,
	       size_t *out_len, struct tlsrpt_error *err)
{
	const unsigned char *src = in;
	z_stream zs;
	struct tlsrpt_buf buf;
	size_t first, pos = 0, limit;
	int by_ratio, ret, rc = -1, zinit = 0;

	*out = NULL;
	*out_len = 0;
	tlsrpt_buf_init(&buf, 0, NULL);
	if (in_len == 0) {
		tlsrpt_error_set(err, TLSRPT_ERR_INVALID, NULL,
				 "compressed report is empty");
		goto out;
	}
	limit = output_limit(in_len, limits, &by_ratio);
	/* One byte past the limit proves it exceeded. */
	tlsrpt_buf_init(&buf, limit + 1, NULL);
	/* Reports compress about 8:1: most need no growth at all. */
	first = in_len < buf.max / 8 ? in_len * 8 : buf.max;
	if (tlsrpt_buf_reserve(&buf, first, NULL) < 0) {
		tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL,
				 "out of memory inflating the report");
		goto out;
	}

	memset(&zs, 0, sizeof(zs));
	zs.zalloc = zalloc_seam;
	zs.zfree = zfree_seam;
	ret = inflateInit2(&zs, 32 + MAX_WBITS);
	if (ret != Z_OK) {
		tlsrpt_error_set(err,
				 ret == Z_MEM_ERROR ? TLSRPT_ERR_NOMEM
						    : TLSRPT_ERR_INTERNAL,
				 NULL, "cannot start zlib: %s",
				 zs.msg != NULL ? zs.msg : zError(ret));
		goto out;
	}
	zinit = 1;

	for (;;) {
		if (zs.avail_in == 0 && pos < in_len) {
			zs.next_in = (Bytef *)(uintptr_t)(src + pos);
			zs.avail_in = clamp_uint(in_len - pos);
			pos += zs.avail_in;
		}
		if (tlsrpt_buf_room(&buf) == 0) {
			if (buf.len >= buf.max) {
				limit_error(err, limits, in_len, by_ratio);
				goto out;
			}
			/* Below max: only memory can fail. */
			if (tlsrpt_buf_reserve(&buf, 1, NULL) < 0) {
				tlsrpt_error_set(
					err, TLSRPT_ERR_NOMEM, NULL,
					"out of memory inflating the report");
				goto out;
			}
		}
		zs.next_out = buf.data + buf.len;
		zs.avail_out = clamp_uint(tlsrpt_buf_room(&buf));
		ret = inflate(&zs, Z_NO_FLUSH);
		tlsrpt_buf_commit(&buf,
				  (size_t)(zs.next_out - (buf.data + buf.len)));
		if (ret == Z_OK)
			continue;
		if (ret == Z_STREAM_END) {
			size_t consumed = pos - zs.avail_in;

			/* Another gzip member follows: inflate it too. */
			if (in_len - consumed >= 2 && src[consumed] == 0x1f &&
			    src[consumed + 1] == 0x8b) {
				if (inflateReset(&zs) != Z_OK) {
					tlsrpt_error_set(
						err, TLSRPT_ERR_INTERNAL, NULL,
						"cannot restart zlib");
					goto out;
				}
				continue;
			}
			break;
		}
		if (ret == Z_BUF_ERROR && tlsrpt_buf_room(&buf) == 0)
			continue; /* only out of output space */
		if (ret == Z_BUF_ERROR) {
			tlsrpt_error_set_at(
				err, TLSRPT_ERR_INVALID, NULL, (long)in_len,
				"compressed report is truncated: the "
				"data ends after %zu bytes before "
				"the end of the compressed stream",
				in_len);
			goto out;
		}
		if (ret == Z_DATA_ERROR) {
			tlsrpt_error_set_at(err, TLSRPT_ERR_INVALID, NULL,
					    (long)(pos - zs.avail_in),
					    "compressed report is corrupt: %s",
					    zs.msg != NULL ? zs.msg
							   : "invalid data");
			goto out;
		}
		if (ret == Z_NEED_DICT) {
			/* A zlib header with FDICT set: the input's fault. */
			tlsrpt_error_set_at(err, TLSRPT_ERR_INVALID, NULL,
					    (long)(pos - zs.avail_in),
					    "compressed report is corrupt: it "
					    "needs a preset dictionary");
			goto out;
		}
		if (ret == Z_MEM_ERROR) {
			tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL,
					 "out of memory inflating the report");
			goto out;
		}
		tlsrpt_error_set(err, TLSRPT_ERR_INTERNAL, NULL,
				 "zlib failed: %s",
				 zs.msg != NULL ? zs.msg : zError(ret));
		goto out;
	}

	if (buf.len > limit) { /* the last byte past the limit ended it */
		limit_error(err, limits, in_len, by_ratio);
		goto out;
	}
	*out = tlsrpt_buf_steal(&buf, out_len);
	if (*out == NULL) {
		tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL,
				 "out of memory inflating the report");
		goto out;
	}
	rc = 0;
out:
	if (zinit)
		inflateEnd(&zs);
	tlsrpt_buf_free(&buf);
	return rc;
}
