/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * summary_fixture.h -- the test stores of tlsrpt-summary's tests
 * (check_aggregate, check_digest, check_render, ...): the scenario clock and
 * store directories filled from the report templates in
 * tests/data/summary/.
 *
 * The building functions run before the tests, outside Check: on failure
 * they print why and exit(2).
 */
#ifndef TLSRPT_TESTS_UNIT_SUMMARY_FIXTURE_H
#define TLSRPT_TESTS_UNIT_SUMMARY_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

/* day(n) = 2026-11-n 00:00 UTC; the scenarios' window is
 * [DAY(23), DAY(30)). */
#define DAY0 1795737600LL /* 2026-11-27T00:00:00Z */
#define DAY(n) (DAY0 + ((int64_t)(n)-27) * 86400)
#define HOUR 3600

/* Store the template tests/data/summary/tmpl into the store dir as the
 * report of day n (id "tmpl-domain-n", covering day n), received at
 * received with the given DKIM verdict (NULL: none). org and domain, when
 * not NULL, replace the organisation and every policy domain. */
void fixture_add(const char *dir, const char *tmpl, const char *org,
		 const char *domain, int n, int64_t received, const char *dkim);

/* The same with everything a test may set: id (NULL: as fixture_add
 * makes it), the receipt's submitter (NULL: none), and failures (-1: as
 * in the template; else every policy's failure total).
 * Returns the store's outcome. */
struct fixture_report {
	const char *tmpl, *org, *domain, *id, *dkim, *submitter;
	int n;
	int64_t received, failures;
};
int fixture_store(const char *dir, const struct fixture_report *fr);

/* rec zeroed, then filled as a report with one policy that the tests
 * feed to summary_agg_add() without a store: version 1, from the milter,
 * DKIM pass, from org with id, received at received, covering
 * [start, end]. The caller sets the policy (rec->policy); the strings stay
 * the caller's. */
struct tlsrpt_record;
void fixture_record(struct tlsrpt_record *rec, const char *org, const char *id,
		    int64_t received, int64_t start, int64_t end);

/* mkdtemp(3) on tmpl ("/tmp/NAME.XXXXXX"). */
void fixture_mkdtemp(char *tmpl);

/* Append one damaged (truncated JSON) line to the store file at path. */
void fixture_damage(const char *path);

/* Remove the directory tree top (the test stores) when the tests are
 * done; a failure is only reported. */
void fixture_remove(const char *top);

#endif
