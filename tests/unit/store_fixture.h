/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * store_fixture.h -- helpers of the store tests that write a throwaway
 * store and read it back (check_store_alloc.c, check_store_group.c).
 */
#ifndef TLSRPT_TESTS_UNIT_STORE_FIXTURE_H
#define TLSRPT_TESTS_UNIT_STORE_FIXTURE_H

#include "report/limits.h"
#include "report/report.h"

/* The report json_fmt (a JSON text with one %s for the report-id) with id
 * put in; fails the current test when it does not parse. */
struct tlsrpt_report *store_fixture_report(const char *json_fmt, const char *id,
					   const struct tlsrpt_limits *limits);

/* A new directory /tmp/NAME.XXXXXX (free() the name), and its removal with
 * all it holds. */
char *store_fixture_dir(const char *name);
void store_fixture_remove(const char *dir);

/* Read the store dir back, failing the current test on any error or
 * skipped (damaged) line: how many records of report id (NULL: all);
 * *duplicates (may be NULL) gets the reader's count of duplicates. */
unsigned long store_fixture_count(const char *dir, const char *id,
				  const struct tlsrpt_limits *limits,
				  unsigned long *duplicates);

#endif
