/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_reader_dedup.c -- the store reader's de-duplication across day
 * files (store/reader.h), where the earlier files' fingerprints are a
 * sorted run (store/fprun.h) and the file being read a hash set: a
 * version met in an earlier file is a duplicate (all its lines), another
 * version of an earlier key is a conflict, lines without a digest go by
 * key, a digest-less line seen earlier (in an earlier file or in this one)
 * makes the same key's later version a duplicate, and the same version twice in
 * one file is returned twice (never looked for there). The same answers from
 * the lines, while the rollups are written, and replayed from the rollups; and
 * over 60 files, the run regrown many times, every repeat of an earlier report
 * found.
 */
#include <check.h>

#include "tests/unit/testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "store/reader.h"
#include "tests/unit/store_fixture.h"

#define DAY 86400
#define T0 1785542400 /* 2026-08-01T00:00:00Z */

/* Append one line (policy pi of pc) of report (org, id) to the day file of
 * day k; digest NULL: a line from before digests; conflict: marked so. */
static void
put(const char *dir, int k, const char *id, const char *digest, int pi, int pc,
    int conflict)
{
	char path[600], when[32], dg[100] = "";
	time_t t = T0 + (time_t)k * DAY + 3600;
	struct tm tm;
	FILE *f;

	gmtime_r(&t, &tm);
	snprintf(path, sizeof(path), "%s/tlsrpt-%04d-%02d-%02d.jsonl", dir,
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (digest != NULL)
		snprintf(dg, sizeof(dg), "\"report-digest\":\"%.64s\",",
			 digest);
	f = fopen(path, "a");
	ck_assert_ptr_nonnull(f);
	fprintf(f,
		"{\"v\":1,\"received\":\"%s\",\"source\":\"milter\","
		"\"dkim\":\"pass\",%s%s\"organization-name\":\"Org\","
		"\"contact-info\":\"tlsrpt@reporter.example\","
		"\"report-id\":\"%s\",\"date-range\":{\"start-datetime\":"
		"\"2026-07-31T00:00:00Z\",\"end-datetime\":"
		"\"2026-07-31T23:59:59Z\"},\"policy-index\":%d,"
		"\"policy-count\":%d,\"sts-mode\":\"enforce\",\"policy\":{"
		"\"policy-type\":\"sts\",\"policy-domain\":\"d%d.example\"},"
		"\"summary\":{\"total-successful-session-count\":1,"
		"\"total-failure-session-count\":0},\"failure-details\":[]}\n",
		when, conflict ? "\"conflict\":true," : "", dg, id, pi, pc, pi);
	ck_assert_int_eq(fclose(f), 0);
}

/* A digest of 64 hex digits from a number. */
static const char *
dg(unsigned n, char buf[65])
{
	for (int i = 0; i < 64; i++)
		buf[i] = "0123456789abcdef"[(n >> (4 * (i % 8))) & 15];
	buf[64] = '\0';
	return buf;
}

struct got {
	unsigned long records, duplicates, conflicts, rollups;
	char seen[64][48]; /* "id/digest-number/policy-index/conflict" */
	size_t n_seen;
};

static void
read_back(const char *dir, unsigned rollups, struct got *g)
{
	const char *dirs[1] = {dir};
	struct tlsrpt_store_reader *rd = NULL;
	struct tlsrpt_record rec;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	const struct tlsrpt_reader_stats *st;
	int rc;

	memset(g, 0, sizeof(*g));
	memset(&rec, 0, sizeof(rec));
	ck_assert_int_eq(
		tlsrpt_store_reader_open(dirs, 1, 0, 0, NULL, &rd, &err), 0);
	/* Every day complete: rollups are read or written. */
	tlsrpt_store_reader_rollups(rd, rollups, T0 + 400 * DAY);
	while ((rc = tlsrpt_store_reader_next(rd, &rec, &err)) == 1) {
		if (strncmp(rec.report_id, "bulk", 4) == 0 || g->n_seen == 64)
			continue;
		snprintf(g->seen[g->n_seen++], sizeof(g->seen[0]),
			 "%s/%.1s/%zu/%d", rec.report_id,
			 rec.digest != NULL ? rec.digest : "-",
			 rec.policy_index, rec.conflict);
	}
	ck_assert_int_eq(rc, 0);
	st = tlsrpt_store_reader_stats(rd);
	ck_assert_uint_eq(st->skipped, 0);
	g->records = st->records;
	g->duplicates = st->duplicates;
	g->conflicts = st->conflicts;
	g->rollups = st->rollups;
	tlsrpt_record_clear(&rec);
	tlsrpt_store_reader_close(rd);
}

START_TEST(test_across_files)
{
	char *dir = store_fixture_dir("check_reader_dedup");
	static const char *const want[] = {
		/* day 0 */
		"x/1/0/0",
		"y/-/0/0",
		"z/1/0/0",
		"z/1/1/0",
		"q/1/0/0",
		"t/1/1/0", /* a stray line */
		/* day 1: x's second version, a conflict by its key alone;
		 * w new */
		"x/2/0/1",
		"w/1/0/0",
		"r/1/0/0",
		"u/1/1/0",
		/* day 2: x's third version, marked; v twice in one file:
		 * returned twice, the second a conflict (its key was
		 * returned) */
		"x/3/0/1",
		"v/1/0/0",
		"v/1/0/1",
		"s/-/0/0",
		/* u's first line of another version than its stray line's:
		 * new (a stray line records no key) */
		"u/2/0/0",
	};
	char b[65];
	struct got g;
	unsigned long bulk = 0, bulk_dups = 0;

	put(dir, 0, "x", dg(1, b), 0, 1, 0);
	put(dir, 0, "y", NULL, 0, 1, 0);
	put(dir, 0, "z", dg(1, b), 0, 2, 0);
	put(dir, 0, "z", dg(1, b), 1, 2, 0);
	put(dir, 0, "q", dg(1, b), 0, 1, 0);
	/* A stray line: the second of t's two, its first never met. */
	put(dir, 0, "t", dg(1, b), 1, 2, 0);
	/* Day 1: x again (a duplicate), its second version, y again
	 * without a digest (a duplicate by key), z again (both lines
	 * duplicates), w new. */
	put(dir, 1, "x", dg(1, b), 0, 1, 0);
	put(dir, 1, "x", dg(2, b), 0, 1, 0);
	put(dir, 1, "y", NULL, 0, 1, 0);
	put(dir, 1, "z", dg(1, b), 0, 2, 0);
	put(dir, 1, "z", dg(1, b), 1, 2, 0);
	put(dir, 1, "w", dg(1, b), 0, 1, 0);
	/* A line without a digest after one with: a duplicate by its key,
	 * returned in an earlier file (q) or in this one (r). */
	put(dir, 1, "q", NULL, 0, 1, 0);
	put(dir, 1, "r", dg(1, b), 0, 1, 0);
	put(dir, 1, "r", NULL, 0, 1, 0);
	/* t whole: the version of day 0's stray line, a duplicate (both
	 * lines) though its key was never recorded; u stray. */
	put(dir, 1, "t", dg(1, b), 0, 2, 0);
	put(dir, 1, "t", dg(1, b), 1, 2, 0);
	put(dir, 1, "u", dg(1, b), 1, 2, 0);
	/* Day 2: y with a digest now (the same report as its old line: a
	 * duplicate), x's third version marked "conflict", w again, v
	 * twice. */
	put(dir, 2, "y", dg(1, b), 0, 1, 0);
	put(dir, 2, "x", dg(3, b), 0, 1, 1);
	put(dir, 2, "w", dg(1, b), 0, 1, 0);
	put(dir, 2, "v", dg(1, b), 0, 1, 0);
	put(dir, 2, "v", dg(1, b), 0, 1, 0);
	/* A line with a digest after one without, in one file: the same
	 * report (a duplicate). */
	put(dir, 2, "s", NULL, 0, 1, 0);
	put(dir, 2, "s", dg(1, b), 0, 1, 0);
	put(dir, 2, "u", dg(2, b), 0, 1, 0);
	/* 60 more days of 100 reports each, every day also repeating
	 * reports of earlier days. */
	for (int k = 3; k < 63; k++) {
		for (int i = 0; i < 100; i++) {
			char id[32];

			snprintf(id, sizeof(id), "bulk%d-%d", k, i);
			put(dir, k, id, dg((unsigned)(k * 1000 + i), b), 0, 1,
			    0);
			bulk++;
		}
		for (int j = 3; j < k; j += 7) {
			char id[32];

			snprintf(id, sizeof(id), "bulk%d-%d", j, k % 100);
			put(dir, k, id, dg((unsigned)(j * 1000 + k % 100), b),
			    0, 1, 0);
			bulk_dups++;
		}
	}
	for (unsigned pass = 0; pass < 3; pass++) {
		/* Lines; lines while the rollups are written; rollups. */
		unsigned use = pass == 0   ? 0
			       : pass == 1 ? TLSRPT_READER_ROLLUP_READ |
						     TLSRPT_READER_ROLLUP_WRITE
					   : TLSRPT_READER_ROLLUP_READ;

		read_back(dir, use, &g);
		ck_assert_uint_eq(g.rollups, pass == 2 ? 63 : 0);
		ck_assert_uint_eq(g.n_seen, sizeof(want) / sizeof(want[0]));
		for (size_t i = 0; i < g.n_seen; i++)
			ck_assert_str_eq(g.seen[i], want[i]);
		ck_assert_uint_eq(g.records, g.n_seen + bulk);
		/* x, y, z (2 lines), q, r, t (2 lines) on day 1; y, w, s
		 * on day 2; the bulk. */
		ck_assert_uint_eq(g.duplicates, 8 + 3 + bulk_dups);
		ck_assert_uint_eq(g.conflicts, 3);
	}
	store_fixture_remove(dir);
	free(dir);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("reader_dedup");
	TCase *tc = tcase_create("core");

	tlsrpt_alloc_init();
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_across_files);
	suite_add_tcase(s, tc);
	return test_run(s);
}
