/* SPDX-License-Identifier: BSD-2-Clause */
/* store_fixture.c -- see store_fixture.h. */
#include "tests/unit/store_fixture.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/reader.h"

struct tlsrpt_report *
store_fixture_report(const char *json_fmt, const char *id,
		     const struct tlsrpt_limits *limits)
{
	const char *at = strstr(json_fmt, "%s");
	size_t size = strlen(json_fmt) + strlen(id) + 1;
	char *json = malloc(size);
	struct tlsrpt_report *r = NULL;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	/* Only failures reach Check: a passing ck_assert writes a record to
	 * Check's message file, and writers killed with SIGKILL at random
	 * (test_sigkill_group) would leave a torn one behind. */
	if (at == NULL || json == NULL)
		ck_abort_msg("store_fixture_report: no %%s in the template, or "
			     "out of memory");
	snprintf(json, size, "%.*s%s%s", (int)(at - json_fmt), json_fmt, id,
		 at + 2);
	if (tlsrpt_report_parse(json, strlen(json), limits, &r, &err) != 0)
		ck_abort_msg("store_fixture_report: %s", err.text);
	free(json);
	return r;
}

char *
store_fixture_dir(const char *name)
{
	char *d = malloc(strlen(name) + 16);

	ck_assert_ptr_nonnull(d);
	sprintf(d, "/tmp/%s.XXXXXX", name);
	ck_assert_ptr_nonnull(mkdtemp(d));
	return d;
}

void
store_fixture_remove(const char *dir)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

unsigned long
store_fixture_count(const char *dir, const char *id,
		    const struct tlsrpt_limits *limits,
		    unsigned long *duplicates)
{
	const char *dirs[1] = {dir};
	struct tlsrpt_store_reader *rd = NULL;
	struct tlsrpt_record rec;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	unsigned long n = 0;
	int rc;

	ck_assert_int_eq(
		tlsrpt_store_reader_open(dirs, 1, 0, 0, limits, &rd, &err), 0);
	memset(&rec, 0, sizeof(rec));
	while ((rc = tlsrpt_store_reader_next(rd, &rec, &err)) == 1)
		n += id == NULL || strcmp(rec.report_id, id) == 0;
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(tlsrpt_store_reader_stats(rd)->skipped, 0);
	if (duplicates != NULL)
		*duplicates = tlsrpt_store_reader_stats(rd)->duplicates;
	tlsrpt_record_clear(&rec);
	tlsrpt_store_reader_close(rd);
	return n;
}
