/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * digest.h -- the content digest of a report: what tells a duplicate (the
 * same report again) from a conflict (another report under the same
 * organization-name and report-id, e.g. a forgery sent first with a
 * predictable id).
 *
 * The digest is SHA-256 (GLib's GChecksum) of the normalised report JSON
 * (report_json.h) dumped compact with sorted keys: the parsed model, not the
 * bytes sent, so the same report re-compressed, re-indented or with its
 * members in another order has the same digest. Arrays keep their order:
 * the same policies or failure details listed in another order give
 * another digest, so such a copy is kept as a conflict -- an extra version
 * shown to the postmaster, never a genuine report dropped as a duplicate.
 * The receipt (when, from whom) is not part of it. It is computed once, at
 * store time, and kept as 64 lower-case hex digits in every line of the report
 * ("report-digest").
 */
#ifndef TLSRPT_STORE_DIGEST_H
#define TLSRPT_STORE_DIGEST_H

#include <stddef.h>

#include "report/report.h"

#define TLSRPT_DIGEST_HEX 64

/* The digest of r into out (TLSRPT_DIGEST_HEX + 1 bytes). 0, or -1 when out
 * of memory. */
int tlsrpt_report_digest(const struct tlsrpt_report *r,
			 char out[TLSRPT_DIGEST_HEX + 1]);

/* 1 when s is a digest as written (64 lower-case hex digits). */
int tlsrpt_digest_valid(const char *s);

#endif
