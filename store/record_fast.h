/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * record_fast.h -- decoding the store lines this program writes without
 * building a jansson tree (tlsrpt-summary reads a million lines a run).
 *
 * The fast path knows the line format (record.h) and takes only what it is
 * sure of: known keys, strings without escapes or bytes outside printable
 * ASCII, plain integers, no null, nothing over a limit. Whenever it is
 * unsure it gives up and tlsrpt_record_decode() does the full jansson decode,
 * which also words every error; so a line it accepts decodes exactly as the
 * full decode would, and a damaged line is judged by the full decode alone.
 */
#ifndef TLSRPT_STORE_RECORD_FAST_H
#define TLSRPT_STORE_RECORD_FAST_H

#include <stddef.h>

#include "base/scratch.h"
#include "report/limits.h"
#include "store/reader.h"

/* 0 with rec filled (rec must be zeroed); 1 when unsure or out of memory:
 * rec is cleared and the caller decodes the line the full way. With sc
 * NULL the record owns its strings and lists; otherwise they are cut from
 * sc and the record borrows them (rec->borrowed, reader.h) until the
 * caller resets sc. */
int tlsrpt_record_decode_fast(const char *line, size_t len,
			      const struct tlsrpt_limits *limits,
			      struct tlsrpt_scratch *sc,
			      struct tlsrpt_record *rec);

#endif
