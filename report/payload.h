/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * payload.h -- what kind of bytes a report payload is, decided by the bytes.
 */
#ifndef TLSRPT_REPORT_PAYLOAD_H
#define TLSRPT_REPORT_PAYLOAD_H

#include <stddef.h>

enum tlsrpt_payload_kind {
	TLSRPT_PAYLOAD_UNKNOWN,
	TLSRPT_PAYLOAD_GZIP, /* 1f 8b */
	TLSRPT_PAYLOAD_ZLIB, /* 78 01|5e|9c|da: some senders deflate without
				gzip */
	TLSRPT_PAYLOAD_ZIP,  /* PK 03 04 */
	TLSRPT_PAYLOAD_JSON, /* optional UTF-8 BOM and white space, then '{' */
};

enum tlsrpt_payload_kind tlsrpt_payload_sniff(const void *buf, size_t len);

/* "gzip", "zlib", "zip", "json", "unknown" */
const char *tlsrpt_payload_kind_name(enum tlsrpt_payload_kind kind);

#endif
