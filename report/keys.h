/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * keys.h -- member names as real senders misspell them.
 *
 * A sender writes "receiving-mx-host-name" for "receiving-mx-hostname":
 * dropping the member as unknown would lose the MX of every failure it
 * reports. A member whose name differs from exactly one RFC 8460 name of
 * its object only in case, '-', '_' or ' ' (or is a known older name, as
 * the drafts' failure-error-code) is read under the RFC name and counted
 * as a quirk, unless the RFC name is there too or two members would take
 * the same name (then nothing is renamed: ambiguity is not guessed at).
 */
#ifndef TLSRPT_REPORT_KEYS_H
#define TLSRPT_REPORT_KEYS_H

#include <jansson.h>
#include <stddef.h>

#include "report/report.h"

/* Rename the misspelt members of obj (an object) to the names in
 * known[0..n) and count them in q. 0, or -1 with err set when out of
 * memory. */
int tlsrpt_canonical_keys(json_t *obj, const char *const *known, size_t n,
			  struct tlsrpt_quirks *q, struct tlsrpt_error *err);

/* Count from's quirks in to as well (to keeps its first). */
void tlsrpt_quirks_add(struct tlsrpt_quirks *to,
		       const struct tlsrpt_quirks *from);

#endif
