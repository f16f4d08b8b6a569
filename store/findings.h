/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * findings.h -- tlsrpt-probe's findings, stored in the store directory
 * beside the reports, in files of their own: probe-YYYY-MM-DD.jsonl
 * (UTC day of the probe), one JSON object a line (tlsrpt-store(5),
 * "Probe findings").
 *
 * Files of their own, not lines in the day files: the day files hold
 * reports only, so the index positions, crash recovery (which reads a day
 * file's tail as report lines), de-duplication and every reader's counts
 * stay as they are, and a reader of an older version never sees a line it
 * would count as damaged: the name does not match a day file's
 * (tlsrpt_day_file_match() wants "tlsrpt-" and the date), nor the
 * tlsrpt-*.jsonl* globs of the jq examples in tlsrpt-store(5) and of
 * users' scripts. Retention deletes them with the day files (prune.c);
 * they are never compressed (a few hundred bytes a run).
 */
#ifndef TLSRPT_STORE_FINDINGS_H
#define TLSRPT_STORE_FINDINGS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/error.h"

/* "probe-YYYY-MM-DD.jsonl" into buf (>= TLSRPT_DAY_NAME_MAX). */
void tlsrpt_findings_file_name(int64_t day, char *buf, size_t size);

/* Whether name is a findings file name; sets *day. 1 yes, 0 no. */
int tlsrpt_findings_file_match(const char *name, int64_t *day);

/* Append the len bytes of lines (complete lines, each ending in '\n') to
 * the findings file of day in the store directory dir, creating it with
 * mode: one write(2) under an exclusive flock(2) on the file, cut back
 * when short, then fdatasync. O_NOFOLLOW and a regular-file check as for
 * the day files. Returns 0, or -1 with err naming the file. */
int tlsrpt_findings_append(const char *dir, int64_t day, const void *lines,
			   size_t len, mode_t mode, struct tlsrpt_error *err);

/* Retention: delete the findings files of days before before in the store
 * directory dirfd (named dir in errors), counting them in *deleted. Run by
 * tlsrpt_store_prune() under the store lock with the day files' retention.
 * Returns 0, or -1 with err. */
int tlsrpt_findings_prune(int dirfd, const char *dir, int64_t before,
			  unsigned *deleted, struct tlsrpt_error *err);

#endif
