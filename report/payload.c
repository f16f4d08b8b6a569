/* SPDX-License-Identifier: BSD-2-Clause */
/* payload.c -- what a report payload is, decided by its first bytes. */
#include "report/payload.h"

#include <string.h>

/* A zlib header as deflate writes it: 32 KiB window, one of the four
 * compression levels. Other legal headers are so rare that treating them as
 * text is safer than mistaking a message for compressed data. */
static int
is_zlib(const unsigned char *b, size_t len)
{
	if (len < 2 || b[0] != 0x78)
		return 0;
	return b[1] == 0x01 || b[1] == 0x5e || b[1] == 0x9c || b[1] == 0xda;
}

enum tlsrpt_payload_kind
tlsrpt_payload_sniff(const void *buf, size_t len)
{
	const unsigned char *b = buf;
	size_t i = 0;

	if (b == NULL || len == 0)
		return TLSRPT_PAYLOAD_UNKNOWN;
	if (len >= 2 && b[0] == 0x1f && b[1] == 0x8b)
		return TLSRPT_PAYLOAD_GZIP;
	if (len >= 4 && memcmp(b, "PK\3\4", 4) == 0)
		return TLSRPT_PAYLOAD_ZIP;
	if (is_zlib(b, len))
		return TLSRPT_PAYLOAD_ZLIB;
	if (len >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf)
		i = 3;
	while (i < len &&
	       (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n'))
		i++;
	if (i < len && b[i] == '{')
		return TLSRPT_PAYLOAD_JSON;
	return TLSRPT_PAYLOAD_UNKNOWN;
}

const char *
tlsrpt_payload_kind_name(enum tlsrpt_payload_kind kind)
{
	switch (kind) {
	case TLSRPT_PAYLOAD_UNKNOWN: return "unknown";
	case TLSRPT_PAYLOAD_GZIP: return "gzip";
	case TLSRPT_PAYLOAD_ZLIB: return "zlib";
	case TLSRPT_PAYLOAD_ZIP: return "zip";
	case TLSRPT_PAYLOAD_JSON: return "json";
	}
	return "unknown";
}
