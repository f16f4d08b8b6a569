/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * day.h -- UTC day numbers and the names of day files.
 *
 * A day number is floor(epoch seconds / 86400): day 0 is 1970-01-01. Day
 * files are named tlsrpt-YYYY-MM-DD.jsonl, compressed
 * tlsrpt-YYYY-MM-DD.jsonl.gz.
 */
#ifndef TLSRPT_STORE_DAY_H
#define TLSRPT_STORE_DAY_H

#include <stddef.h>
#include <stdint.h>

/* Days we accept: 1970-01-01 .. 9999-12-31. */
#define TLSRPT_DAY_MIN 0
#define TLSRPT_DAY_MAX 2932896

#define TLSRPT_DAY_NAME_MAX 40

int64_t tlsrpt_day_of(int64_t t); /* floor division */

/* "YYYY-MM-DD" into buf (>= 11 bytes). */
void tlsrpt_day_format(int64_t day, char *buf, size_t size);

/* Parse exactly "YYYY-MM-DD" (a real calendar date) into *day; 0 or -1. */
int tlsrpt_day_parse(const char *s, size_t len, int64_t *day);

/* "tlsrpt-YYYY-MM-DD.jsonl" (gz: with ".gz") into buf (>=
 * TLSRPT_DAY_NAME_MAX bytes). */
void tlsrpt_day_file_name(int64_t day, int gz, char *buf, size_t size);

/* Whether name is a day file name; sets *day and *gz. 1 yes, 0 no. */
int tlsrpt_day_file_match(const char *name, int64_t *day, int *gz);

#endif
