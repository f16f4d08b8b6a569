/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_store_alloc.c -- every allocation failure in the store is survived:
 * for N = 1, 2, ... the Nth allocation (and every later one) fails during
 * tlsrpt_store_open + tlsrpt_store_append, and during a store reader's pass
 * over the records (what tlsrpt-summary reads before it aggregates), until
 * the call completes. Each failing run must end in a clean error (never a
 * crash; ASan/LSan and valgrind catch leaks), and must leave the store as
 * if the append had not happened or had happened whole: read back without
 * failures, every line is whole and the report is there at most once, and
 * appending again stores it or finds it a duplicate.
 *
 * tlsrpt-summary's aggregation (summary/aggregate.c) allocates with GLib,
 * which aborts on failure by design and does not go through the seam; its
 * input -- the reader -- is covered here.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "report/limits.h"
#include "report/report.h"
#include "store/reader.h"
#include "store/store.h"
#include "tests/unit/store_fixture.h"
#include "tests/unit/testutil.h"

#define MAX_ATTEMPTS 20000
#define RECEIVED 1795910400 /* 2026-11-28T00:00:00Z */

static struct tlsrpt_limits limits;

static const char report_json[] =
	"{\"organization-name\":\"Chaos Org\",\"date-range\":{"
	"\"start-datetime\":\"2026-11-27T00:00:00Z\",\"end-datetime\":"
	"\"2026-11-27T23:59:59Z\"},\"contact-info\":\"c@chaos.test\","
	"\"report-id\":\"%s\",\"policies\":[{\"policy\":{\"policy-type\":"
	"\"sts\",\"policy-string\":[\"version: STSv1\",\"mode: enforce\"],"
	"\"policy-domain\":\"example.org\",\"mx-host\":[\"mx1.example.org\"]},"
	"\"summary\":{\"total-successful-session-count\":5,"
	"\"total-failure-session-count\":2},\"failure-details\":[{"
	"\"result-type\":\"certificate-expired\",\"sending-mta-ip\":"
	"\"192.0.2.1\",\"receiving-mx-hostname\":\"mx1.example.org\","
	"\"failed-session-count\":2}]},{\"policy\":{\"policy-type\":"
	"\"no-policy-found\"},\"summary\":{\"total-successful-session-count\":"
	"1,\"total-failure-session-count\":0}}]}";

static struct tlsrpt_report *
make_report(const char *id)
{
	return store_fixture_report(report_json, id, &limits);
}

static void
receipt(struct tlsrpt_receipt *rc)
{
	memset(rc, 0, sizeof(*rc));
	rc->received = RECEIVED;
	rc->source = "file";
	rc->host = "mx.test";
	rc->file = "chaos.json";
}

/* Read dir back without failures: every line whole, and how many records
 * of report id. */
static unsigned long
count_records(const char *dir, const char *id)
{
	return store_fixture_count(dir, id, &limits, NULL);
}

START_TEST(test_open_append)
{
	struct tlsrpt_report *r = make_report("chaos-1"),
			     *r2 = make_report("chaos-2");
	struct tlsrpt_store_options o;
	struct tlsrpt_receipt rc;
	unsigned long n, failed = 0;
	int done = 0;

	receipt(&rc);
	for (n = 1; n < MAX_ATTEMPTS && !done; n++) {
		char *dir = store_fixture_dir("check_store_alloc");
		struct tlsrpt_store *s = NULL;
		struct tlsrpt_error err = TLSRPT_ERROR_INIT;
		enum tlsrpt_store_outcome out;
		int ret;
		unsigned long lines1, lines2;

		tlsrpt_store_options_default(&o);
		o.dir = dir;
		o.fsync = TLSRPT_STORE_FSYNC_NONE;
		o.limits = &limits;
		/* One report already there, so the index and recovery paths
		 * have something to load under failure. */
		ck_assert_int_eq(tlsrpt_store_open(&o, &s, &err), 0);
		ck_assert_int_eq(tlsrpt_store_append(s, r2, &rc, &out, &err),
				 0);
		tlsrpt_store_close(s);
		s = NULL;

		tlsrpt_alloc_fail_after(n);
		ret = tlsrpt_store_open(&o, &s, &err);
		if (ret == 0)
			ret = tlsrpt_store_append(s, r, &rc, &out, &err);
		tlsrpt_store_close(s);
		tlsrpt_alloc_fail_after(0);
		if (ret != 0) {
			ck_assert_msg(err.code == TLSRPT_ERR_NOMEM ||
					      err.code == TLSRPT_ERR_IO,
				      "allocation %lu failing gave %s: %s", n,
				      tlsrpt_status_name(err.code), err.text);
			failed++;
		} else {
			ck_assert_int_eq(out, TLSRPT_STORE_STORED);
			done = 1;
		}
		/* Whole or nothing; then the retry the sender makes. */
		lines1 = count_records(dir, "chaos-1");
		ck_assert_uint_le(lines1, 2); /* two policies, one report */
		ck_assert_msg(lines1 == 0 || lines1 == 2,
			      "allocation %lu: %lu of 2 lines stored", n,
			      lines1);
		ck_assert_uint_eq(count_records(dir, "chaos-2"), 2);
		ck_assert_int_eq(tlsrpt_store_open(&o, &s, &err), 0);
		ck_assert_int_eq(tlsrpt_store_append(s, r, &rc, &out, &err), 0);
		ck_assert_int_eq(out, lines1 == 0 ? TLSRPT_STORE_STORED
						  : TLSRPT_STORE_DUPLICATE);
		tlsrpt_store_close(s);
		lines2 = count_records(dir, "chaos-1");
		ck_assert_uint_eq(lines2, 2);
		store_fixture_remove(dir);
		free(dir);
	}
	ck_assert_msg(done, "open + append never completed");
	ck_assert_uint_gt(failed, 5);
	printf("store open + append: %lu allocation failures survived\n",
	       failed);
	tlsrpt_report_free(r);
	tlsrpt_report_free(r2);
}
END_TEST

START_TEST(test_reader)
{
	struct tlsrpt_store_options o;
	struct tlsrpt_store *s = NULL;
	struct tlsrpt_receipt rc;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	enum tlsrpt_store_outcome out;
	char *dir = store_fixture_dir("check_store_alloc");
	const char *dirs[1] = {dir};
	unsigned long n, failed = 0;
	int done = 0;

	receipt(&rc);
	tlsrpt_store_options_default(&o);
	o.dir = dir;
	o.fsync = TLSRPT_STORE_FSYNC_NONE;
	ck_assert_int_eq(tlsrpt_store_open(&o, &s, &err), 0);
	for (int i = 0; i < 3; i++) {
		char id[32];
		struct tlsrpt_report *r;

		snprintf(id, sizeof(id), "read-%d", i);
		r = make_report(id);
		rc.received = RECEIVED + i * 86400; /* three day files */
		ck_assert_int_eq(tlsrpt_store_append(s, r, &rc, &out, &err), 0);
		tlsrpt_report_free(r);
	}
	tlsrpt_store_close(s);

	for (n = 1; n < MAX_ATTEMPTS && !done; n++) {
		struct tlsrpt_store_reader *rd = NULL;
		struct tlsrpt_record rec;
		unsigned long records = 0;
		int ret;

		memset(&rec, 0, sizeof(rec));
		tlsrpt_error_clear(&err);
		tlsrpt_alloc_fail_after(n);
		ret = tlsrpt_store_reader_open(dirs, 1, 0, 0, &limits, &rd,
					       &err);
		while (ret == 0 &&
		       (ret = tlsrpt_store_reader_next(rd, &rec, &err)) == 1) {
			records++;
			ret = 0;
		}
		tlsrpt_record_clear(&rec);
		if (rd != NULL && ret == 0) {
			/* A day file the reader could not take in (out of
			 * memory while opening it) is counted, not hidden. */
			const struct tlsrpt_reader_stats *st =
				tlsrpt_store_reader_stats(rd);

			if (records == 6)
				done = 1;
			else
				ck_assert_msg(st->n_problems > 0 ||
						      st->skipped > 0 ||
						      st->unreadable > 0,
					      "allocation %lu: %lu of 6 "
					      "records, no problem counted",
					      n, records);
		}
		tlsrpt_store_reader_close(rd);
		tlsrpt_alloc_fail_after(0);
		if (!done) {
			if (ret != 0)
				ck_assert_msg(err.code == TLSRPT_ERR_NOMEM ||
						      err.code == TLSRPT_ERR_IO,
					      "allocation %lu failing gave %s: "
					      "%s",
					      n, tlsrpt_status_name(err.code),
					      err.text);
			failed++;
		}
	}
	ck_assert_msg(done, "the reader never completed");
	ck_assert_uint_gt(failed, 5);
	printf("store reader: %lu allocation failures survived\n", failed);
	store_fixture_remove(dir);
	free(dir);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("store_alloc");
	TCase *tc = tcase_create("chaos");

	tlsrpt_alloc_init();
	tlsrpt_limits_default(&limits);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_open_append);
	tcase_add_test(tc, test_reader);
	suite_add_tcase(s, tc);
	return test_run(s);
}
