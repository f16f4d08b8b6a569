/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dryrun.h -- the normalised JSON line `tlsrpt-ingest --dry-run` prints for
 * each report found: the report in RFC 8460 member names plus a "source"
 * object saying where it came from.
 */
#ifndef TLSRPT_INGEST_DRYRUN_H
#define TLSRPT_INGEST_DRYRUN_H

#include <stdio.h>

#include "report/input.h"

/* Write one compact JSON line for item (which has a report) to out.
 * Returns 0, or -1 when out of memory or the write failed. */
int dryrun_print_item(FILE *out, const char *file,
		      const struct tlsrpt_input *in,
		      const struct tlsrpt_input_item *item);

#endif
