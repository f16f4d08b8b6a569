/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_rollup.c -- daily rollups (store/rollup.h) through the store
 * reader: written while a complete day's lines are read, replayed with the
 * same records (every field a rollup carries, the line numbers, the
 * damaged lines and their reasons); none for today; stale after the day
 * file or the limits change; a rollup damaged anywhere (every byte
 * flipped in turn, cut anywhere, random bodies under a valid checksum) is
 * refused or decodes to records of legal shape, never read past. A
 * rollup in memory (tlsrpt-ship's) replays the same records through a
 * fed reader, and is refused with a wrong checksum, cut short, or
 * covering other lines.
 */
#include <check.h>
#include <fcntl.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "base/alloc.h"
#include "store/reader.h"
#include "store/record.h"
#include "store/rollup.h"
#include "tests/unit/store_fixture.h"
#include "tests/unit/testutil.h"

#define DAY_T 1792540800LL /* 2026-10-21T00:00:00Z */
#define NOW (DAY_T + 40 * 86400LL)
#define DAY_FILE "tlsrpt-2026-10-21.jsonl"
#define ROLLUP "rollup-2026-10-21.v1"

static const char *const lines[] = {
	/* a report of two policies, with failure details */
	"{\"v\":1,\"received\":\"2026-10-21T08:00:00Z\",\"source\":\"milter\","
	"\"dkim\":\"pass\",\"submitter\":\"google.com\",\"report-digest\":"
	"\"1111111111111111111111111111111111111111111111111111111111111111\","
	"\"organization-name\":\"Google "
	"Inc.\",\"contact-info\":\"x@y.example\","
	"\"report-id\":\"r1\",\"date-range\":{\"start-datetime\":"
	"\"2026-10-20T00:00:00Z\",\"end-datetime\":\"2026-10-20T23:59:59Z\"},"
	"\"policy-index\":0,\"policy-count\":2,\"sts-mode\":\"testing\","
	"\"policy\":{\"policy-type\":\"sts\",\"policy-string\":[\"version: "
	"STSv1\",\"mode: testing\",\"mx: *.a.example\"],\"policy-domain\":"
	"\"a.example\",\"mx-host\":[\"mx1.a.example\"]},\"summary\":{"
	"\"total-successful-session-count\":100,"
	"\"total-failure-session-count\":5},\"failure-details\":[{"
	"\"result-type\":\"certificate-expired\",\"sending-mta-ip\":"
	"\"192.0.2.1\",\"receiving-mx-hostname\":\"mx1.a.example\","
	"\"receiving-ip\":\"198.51.100.1\",\"failed-session-count\":5,"
	"\"additional-information\":\"x\",\"failure-reason-code\":\"y\"}]}",
	"{\"v\":1,\"received\":\"2026-10-21T08:00:00Z\",\"source\":\"milter\","
	"\"dkim\":\"pass\",\"submitter\":\"google.com\",\"report-digest\":"
	"\"1111111111111111111111111111111111111111111111111111111111111111\","
	"\"organization-name\":\"Google "
	"Inc.\",\"contact-info\":\"x@y.example\","
	"\"report-id\":\"r1\",\"date-range\":{\"start-datetime\":"
	"\"2026-10-20T00:00:00Z\",\"end-datetime\":\"2026-10-20T23:59:59Z\"},"
	"\"policy-index\":1,\"policy-count\":2,\"policy\":{\"policy-type\":"
	"\"x-new\",\"policy-domain\":\"b.example\"},\"summary\":{"
	"\"total-successful-session-count\":7,"
	"\"total-failure-session-count\":0},\"failure-details\":[]}",
	"not json",
	/* a line from before digests, and a conflicting version */
	"{\"v\":1,\"received\":\"2026-10-21T09:00:00Z\",\"source\":\"file\","
	"\"organization-name\":\"Old Org\",\"report-id\":\"r2\",\"date-range\":"
	"{\"start-datetime\":\"2026-10-20T00:00:00Z\",\"end-datetime\":"
	"\"2026-10-20T23:59:59Z\"},\"policy-index\":0,\"policy-count\":1,"
	"\"policy\":{\"policy-type\":\"no-policy-found\"},\"summary\":{"
	"\"total-successful-session-count\":3,"
	"\"total-failure-session-count\":0}}",
	"{\"v\":1,\"received\":\"2026-10-21T10:00:00Z\",\"source\":\"milter\","
	"\"dkim\":\"fail\",\"conflict\":true,\"report-digest\":"
	"\"2222222222222222222222222222222222222222222222222222222222222222\","
	"\"organization-name\":\"Google Inc.\",\"report-id\":\"r1\","
	"\"date-range\":{\"start-datetime\":\"2026-10-20T00:00:00Z\","
	"\"end-datetime\":\"2026-10-20T23:59:59Z\"},\"policy-index\":0,"
	"\"policy-count\":1,\"policy\":{\"policy-type\":\"tlsa\","
	"\"policy-string\":[\"3 1 1 00\"],\"policy-domain\":\"a.example\"},"
	"\"summary\":{\"total-successful-session-count\":1,"
	"\"total-failure-session-count\":9},\"failure-details\":[{"
	"\"result-type\":\"tlsa-invalid\",\"receiving-ip\":\"198.51.100.2\","
	"\"failed-session-count\":9}]}",
	"{\"v\":1,\"received\":\"2026-10-21T1",
};

static char *dir;

static void
write_day(const char *name, int with_tail)
{
	char path[512];
	FILE *f;
	size_t n = sizeof(lines) / sizeof(lines[0]);

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%s", lines[i],
			i + 1 < n || with_tail ? "\n" : "");
	ck_assert_int_eq(fclose(f), 0);
}

static void
setup(void)
{
	dir = store_fixture_dir("check_rollup");
	write_day(DAY_FILE, 0);
}

static void
teardown(void)
{
	store_fixture_remove(dir);
	free(dir);
}

static void
put_s(GString *g, const char *s)
{
	g_string_append_printf(g, "%s|", s != NULL ? s : "(null)");
}

/* Every field of rec a rollup carries, as a line of g. */
static void
put_record(GString *g, const struct tlsrpt_record *rec)
{
	const struct tlsrpt_policy *p = &rec->policy;

	g_string_append_printf(
		g, "%lu %lld %d %d %lld %lld %zu/%zu %d %lld %lld|", rec->line,
		(long long)rec->received, rec->dkim, rec->conflict,
		(long long)rec->start_time, (long long)rec->end_time,
		rec->policy_index, rec->policy_count, p->type,
		(long long)p->total_successful_session_count,
		(long long)p->total_failure_session_count);
	put_s(g, rec->organization_name);
	put_s(g, rec->report_id);
	put_s(g, rec->digest);
	put_s(g, rec->submitter);
	put_s(g, rec->contact_info);
	put_s(g, p->policy_type);
	put_s(g, p->policy_domain);
	for (size_t i = 0; i < p->n_policy_strings; i++)
		put_s(g, p->policy_strings[i]);
	for (size_t i = 0; i < p->n_mx_hosts; i++)
		put_s(g, p->mx_hosts[i]);
	for (size_t i = 0; i < p->n_failure_details; i++) {
		const struct tlsrpt_failure_detail *fd = &p->failure_details[i];

		put_s(g, fd->result_type);
		put_s(g, fd->sending_mta_ip);
		put_s(g, fd->receiving_mx_hostname);
		put_s(g, fd->receiving_ip);
		g_string_append_printf(g, "%lld|",
				       (long long)fd->failed_session_count);
	}
	g_string_append_c(g, '\n');
}

/* Every field a rollup carries, and the reader's counts and notes; rd
 * closed. */
static char *
dump(struct tlsrpt_store_reader *rd, unsigned long *rollups)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct tlsrpt_record rec;
	const struct tlsrpt_reader_stats *st;
	GString *g = g_string_new(NULL);
	int rc;

	memset(&rec, 0, sizeof(rec));
	while ((rc = tlsrpt_store_reader_next(rd, &rec, &err)) == 1)
		put_record(g, &rec);
	ck_assert_int_eq(rc, 0);
	st = tlsrpt_store_reader_stats(rd);
	g_string_append_printf(g,
			       "files %lu records %lu skipped %lu dup %lu "
			       "conflicts %lu unreadable %lu\n",
			       st->files, st->records, st->skipped,
			       st->duplicates, st->conflicts, st->unreadable);
	for (size_t i = 0; i < st->n_problems; i++)
		g_string_append_printf(g, "%s\n", st->problems[i]);
	*rollups = st->rollups;
	tlsrpt_record_clear(&rec);
	tlsrpt_store_reader_close(rd);
	return g_string_free(g, FALSE);
}

static char *
read_all(unsigned use, const struct tlsrpt_limits *limits,
	 unsigned long *rollups)
{
	const char *dirs[1] = {dir};
	struct tlsrpt_store_reader *rd = NULL;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	ck_assert_int_eq(
		tlsrpt_store_reader_open(dirs, 1, 0, 0, limits, &rd, &err), 0);
	tlsrpt_store_reader_rollups(rd, use, NOW);
	return dump(rd, rollups);
}

static int
exists(const char *name)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return lstat(path, &st) == 0;
}

static char *
slurp(const char *name, size_t *len)
{
	char path[512];
	gchar *s = NULL;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert(g_file_get_contents(path, &s, len, NULL));
	return s;
}

static void
spit(const char *name, const void *s, size_t len)
{
	char path[512];
	FILE *f;

	/* not g_file_set_contents(): it fsyncs, a thousand times here */
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(s, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(test_write_then_read)
{
	unsigned long ru;
	char *lines_only = read_all(0, NULL, &ru);
	char *written, *replayed;

	ck_assert_uint_eq(ru, 0);
	ck_assert(!exists(ROLLUP));
	written =
		read_all(TLSRPT_READER_ROLLUP_READ | TLSRPT_READER_ROLLUP_WRITE,
			 NULL, &ru);
	ck_assert_uint_eq(ru, 0);
	ck_assert(exists(ROLLUP));
	replayed = read_all(TLSRPT_READER_ROLLUP_READ, NULL, &ru);
	ck_assert_uint_eq(ru, 1);
	ck_assert_str_eq(written, lines_only);
	ck_assert_str_eq(replayed, lines_only);
	/* the damaged lines, with their reasons, came through */
	ck_assert_ptr_nonnull(strstr(replayed, "skipped 2 "));
	ck_assert_ptr_nonnull(strstr(replayed, DAY_FILE ":3: not JSON"));
	ck_assert_ptr_nonnull(strstr(replayed, ":6: truncated last line"));
	g_free(lines_only);
	g_free(written);
	g_free(replayed);
}
END_TEST

/* Records replayed from a rollup borrow the reader's memory (no
 * allocation per line); tlsrpt_record_own() gives one that outlives the
 * reader, field for field the same (under ASan a shallow copy is a use
 * after free). */
START_TEST(test_borrowed_own)
{
	const char *dirs[1] = {dir};
	struct tlsrpt_store_reader *rd = NULL;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct tlsrpt_record rec, kept[8];
	unsigned long ru;
	char *lines_only = read_all(0, NULL, &ru);
	GString *g = g_string_new(NULL);
	size_t n = 0;
	int rc;

	g_free(read_all(TLSRPT_READER_ROLLUP_READ | TLSRPT_READER_ROLLUP_WRITE,
			NULL, &ru));
	ck_assert_int_eq(
		tlsrpt_store_reader_open(dirs, 1, 0, 0, NULL, &rd, &err), 0);
	tlsrpt_store_reader_rollups(rd, TLSRPT_READER_ROLLUP_READ, NOW);
	memset(&rec, 0, sizeof(rec));
	while ((rc = tlsrpt_store_reader_next(rd, &rec, &err)) == 1) {
		ck_assert_int_eq(rec.borrowed, 1);
		ck_assert_uint_lt(n, sizeof(kept) / sizeof(kept[0]));
		kept[n] = rec;
		ck_assert_int_eq(tlsrpt_record_own(&kept[n]), 0);
		ck_assert_int_eq(kept[n].borrowed, 0);
		ck_assert_ptr_ne(kept[n].organization_name,
				 rec.organization_name);
		n++;
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(tlsrpt_store_reader_stats(rd)->rollups, 1);
	tlsrpt_record_clear(&rec);
	tlsrpt_store_reader_close(rd);
	for (size_t i = 0; i < n; i++) {
		put_record(g, &kept[i]);
		tlsrpt_record_clear(&kept[i]);
	}
	/* (lines_only goes on with the counts and notes) */
	ck_assert_int_eq(strncmp(lines_only, g->str, g->len), 0);
	ck_assert_int_eq(lines_only[g->len], 'f');
	g_string_free(g, TRUE);
	g_free(lines_only);
}
END_TEST

/* A record whose strings and lists take several of the reader's scratch
 * blocks (4 KiB the first): every pointer into the earlier ones stays good
 * while the later ones are cut, and the next record starts again. */
START_TEST(test_borrowed_big_record)
{
	GString *line = g_string_new(NULL), *day = g_string_new(NULL);
	char path[512];
	unsigned long ru;
	char *lines_only, *written, *replayed;
	FILE *f;

	g_string_append(line,
			"{\"v\":1,\"received\":\"2026-10-21T08:00:00Z\","
			"\"source\":\"milter\",\"report-digest\":"
			"\"3333333333333333333333333333333333333333333333333333"
			"333333333333\",\"organization-name\":\"Big\","
			"\"report-id\":\"big\",\"date-range\":{"
			"\"start-datetime\":\"2026-10-20T00:00:00Z\","
			"\"end-datetime\":\"2026-10-20T23:59:59Z\"},"
			"\"policy-index\":0,\"policy-count\":1,\"policy\":{"
			"\"policy-type\":\"sts\",\"policy-domain\":"
			"\"big.example\",\"mx-host\":[");
	for (int i = 0; i < 600; i++)
		g_string_append_printf(line, "%s\"mx%04d.big.example\"",
				       i > 0 ? "," : "", i);
	g_string_append(line, "]},\"summary\":{"
			      "\"total-successful-session-count\":1,"
			      "\"total-failure-session-count\":600},"
			      "\"failure-details\":[");
	for (int i = 0; i < 600; i++)
		g_string_append_printf(
			line,
			"%s{\"result-type\":\"certificate-expired\","
			"\"receiving-mx-hostname\":\"mx%04d.big.example\","
			"\"sending-mta-ip\":\"192.0.2.%d\","
			"\"failed-session-count\":1}",
			i > 0 ? "," : "", i, i % 250);
	g_string_append(line, "]}");
	/* the big report between two small ones */
	g_string_append_printf(day, "%s\n%s\n%s\n", lines[3], line->str,
			       lines[3]);
	snprintf(path, sizeof(path), "%s/%s", dir, DAY_FILE);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(day->str, 1, day->len, f), day->len);
	ck_assert_int_eq(fclose(f), 0);
	lines_only = read_all(0, NULL, &ru);
	ck_assert_ptr_nonnull(strstr(lines_only, "mx0599.big.example"));
	written =
		read_all(TLSRPT_READER_ROLLUP_READ | TLSRPT_READER_ROLLUP_WRITE,
			 NULL, &ru);
	replayed = read_all(TLSRPT_READER_ROLLUP_READ, NULL, &ru);
	ck_assert_uint_eq(ru, 1);
	ck_assert_str_eq(written, lines_only);
	ck_assert_str_eq(replayed, lines_only);
	g_free(lines_only);
	g_free(written);
	g_free(replayed);
	g_string_free(line, TRUE);
	g_string_free(day, TRUE);
}
END_TEST

START_TEST(test_today)
{
	unsigned long ru;
	char *s;

	s = read_all(TLSRPT_READER_ROLLUP_READ | TLSRPT_READER_ROLLUP_WRITE,
		     NULL, &ru);
	g_free(s);
	ck_assert(exists(ROLLUP));
	{
		char path[512];

		snprintf(path, sizeof(path), "%s/%s", dir, ROLLUP);
		ck_assert_int_eq(unlink(path), 0);
	}
	{
		const char *dirs[1] = {dir};
		struct tlsrpt_store_reader *rd = NULL;
		struct tlsrpt_error err = TLSRPT_ERROR_INIT;
		struct tlsrpt_record rec;

		ck_assert_int_eq(tlsrpt_store_reader_open(dirs, 1, 0, 0, NULL,
							  &rd, &err),
				 0);
		tlsrpt_store_reader_rollups(rd,
					    TLSRPT_READER_ROLLUP_READ |
						    TLSRPT_READER_ROLLUP_WRITE,
					    DAY_T + 3600);
		/* today's file grows: never a rollup */
		memset(&rec, 0, sizeof(rec));
		while (tlsrpt_store_reader_next(rd, &rec, &err) == 1)
			;
		tlsrpt_record_clear(&rec);
		tlsrpt_store_reader_close(rd);
	}
	ck_assert(!exists(ROLLUP));
}
END_TEST

START_TEST(test_stale)
{
	unsigned long ru;
	char *before, *after, *s;
	struct tlsrpt_limits lim;

	g_free(read_all(TLSRPT_READER_ROLLUP_READ | TLSRPT_READER_ROLLUP_WRITE,
			NULL, &ru));
	/* other limits: the lines might decode otherwise */
	tlsrpt_limits_default(&lim);
	lim.max_session_count = 50;
	s = read_all(TLSRPT_READER_ROLLUP_READ, &lim, &ru);
	ck_assert_uint_eq(ru, 0);
	ck_assert_ptr_nonnull(strstr(s, "MaxSessionCount"));
	g_free(s);
	/* the day file completed (its last line ended): read, rewritten */
	before = read_all(0, NULL, &ru);
	write_day(DAY_FILE, 1);
	after = read_all(0, NULL, &ru);
	ck_assert_str_ne(before, after);
	s = read_all(TLSRPT_READER_ROLLUP_READ | TLSRPT_READER_ROLLUP_WRITE,
		     NULL, &ru);
	ck_assert_uint_eq(ru, 0);
	ck_assert_str_eq(s, after);
	g_free(s);
	s = read_all(TLSRPT_READER_ROLLUP_READ, NULL, &ru);
	ck_assert_uint_eq(ru, 1);
	ck_assert_str_eq(s, after);
	g_free(s);
	g_free(before);
	g_free(after);
}
END_TEST

/* Rollups belong to the store directory's owner: root reading a user's
 * store (the daily digest) writes them and gives them to that user, so
 * that nothing is left the user could not replace. As another user, the
 * store is the other user's. */
START_TEST(test_not_owner)
{
	unsigned long ru;
	char *want = read_all(0, NULL, &ru), *s;
	char path[512];
	struct stat st;

	if (geteuid() == 0)
		ck_assert_int_eq(chown(dir, 4242, (gid_t)-1), 0);
	else
		ck_assert_int_eq(chown(dir, geteuid(), (gid_t)-1), 0);
	s = read_all(TLSRPT_READER_ROLLUP_READ | TLSRPT_READER_ROLLUP_WRITE,
		     NULL, &ru);
	ck_assert_str_eq(s, want);
	snprintf(path, sizeof(path), "%s/%s", dir, ROLLUP);
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert_uint_eq(st.st_uid, geteuid() == 0 ? 4242 : geteuid());
	g_free(s);
	g_free(want);
}
END_TEST

/* A temporary rollup left by a crashed writer goes when the day's rollup
 * is next written; one as young as a writer at work stays. */
START_TEST(test_leftovers)
{
	unsigned long ru;
	char old[512], young[512];
	struct timespec times[2] = {{.tv_sec = 1000000000},
				    {.tv_sec = 1000000000}};
	FILE *f;

	snprintf(old, sizeof(old), "%s/." ROLLUP ".123.456", dir);
	snprintf(young, sizeof(young), "%s/." ROLLUP ".124.457", dir);
	ck_assert_ptr_nonnull(f = fopen(old, "w"));
	fclose(f);
	ck_assert_ptr_nonnull(f = fopen(young, "w"));
	fclose(f);
	ck_assert_int_eq(utimensat(AT_FDCWD, old, times, 0), 0);
	g_free(read_all(TLSRPT_READER_ROLLUP_READ | TLSRPT_READER_ROLLUP_WRITE,
			NULL, &ru));
	ck_assert(exists(ROLLUP));
	ck_assert(!exists("." ROLLUP ".123.456"));
	ck_assert(exists("." ROLLUP ".124.457"));
}
END_TEST

/* A damaged rollup: refused (and the lines read), or the same records. */
static void
check_damaged(const char *want, const char *what)
{
	unsigned long ru;
	char *s = read_all(TLSRPT_READER_ROLLUP_READ, NULL, &ru);

	ck_assert_msg(strcmp(s, want) == 0, "%s: %s", what, s);
	g_free(s);
}

START_TEST(test_damage_every_byte)
{
	unsigned long ru;
	char *want, *orig, *copy;
	size_t len;

	want = read_all(TLSRPT_READER_ROLLUP_READ | TLSRPT_READER_ROLLUP_WRITE,
			NULL, &ru);
	orig = slurp(ROLLUP, &len);
	copy = g_malloc(len);
	for (size_t i = 0; i < len; i++) {
		char what[64];

		memcpy(copy, orig, len);
		copy[i] ^= (char)(1u << (i % 8));
		spit(ROLLUP, copy, len);
		snprintf(what, sizeof(what), "byte %zu flipped", i);
		check_damaged(want, what);
		spit(ROLLUP, orig, i); /* cut there */
		snprintf(what, sizeof(what), "cut at %zu", i);
		check_damaged(want, what);
	}
	g_free(copy);
	g_free(orig);
	g_free(want);
}
END_TEST

/* A valid rollup with a few bytes of its entries changed and its
 * checksum fixed up: the decoder alone stands between them and the
 * reader. Run under ASan: nothing is read out of bounds; the reader goes
 * on, with records of legal shape or the file counted unreadable. */
START_TEST(test_hostile_body)
{
	unsigned long ru;
	unsigned char *orig, *f;
	size_t len, trailer;
	unsigned seed = 12345;
	int refused = 0, records = 0;

	g_free(read_all(TLSRPT_READER_ROLLUP_READ | TLSRPT_READER_ROLLUP_WRITE,
			NULL, &ru));
	orig = (unsigned char *)slurp(ROLLUP, &len);
	ck_assert_uint_gt(len, 80);
	trailer = 0;
	for (int b = 0; b < 8; b++)
		trailer |= (size_t)orig[56 + b] << (8 * b);
	ck_assert_uint_gt(trailer, 80);
	f = g_malloc(len);
	for (int round = 0; round < 500; round++) {
		int n = 1 + rand_r(&seed) % 3;
		uLong crc;
		char *s;

		memcpy(f, orig, len);
		for (int k = 0; k < n; k++) {
			size_t at = 80 + (size_t)rand_r(&seed) % (trailer - 80);
			unsigned r = (unsigned)rand_r(&seed);

			f[at] = (unsigned char)(r % 2 ? r >> 8 : f[at] ^ 0x80);
		}
		crc = crc32(crc32(0L, Z_NULL, 0), f + 80, (uInt)(len - 80));
		for (int b = 0; b < 4; b++)
			f[72 + b] = (unsigned char)(crc >> (8 * b));
		spit(ROLLUP, f, len);
		s = read_all(TLSRPT_READER_ROLLUP_READ, NULL, &ru);
		ck_assert_uint_eq(ru, 1); /* taken: its checksum matches */
		refused += strstr(s, "unreadable 1\n") != NULL;
		records += strstr(s, "records 0 ") == NULL;
		g_free(s);
	}
	g_free(f);
	g_free(orig);
	/* both: the decoder refused some, and got past its first checks */
	ck_assert_int_gt(refused, 0);
	ck_assert_int_gt(records, 0);
}
END_TEST

/* A rollup in memory (tlsrpt-ship's, pg/blob.h) of the day's lines,
 * made as tlsrpt-ship makes it: the lines decoded, the damaged ones
 * skipped with the reader's reasons; size 1000 bytes and ino the lines
 * it covers. */
static unsigned char *
mem_rollup(size_t *len)
{
	struct tlsrpt_rollup_source src = {0};
	struct tlsrpt_rollup_writer *w;
	struct tlsrpt_limits lim;
	unsigned char *data;
	size_t n = sizeof(lines) / sizeof(lines[0]);

	tlsrpt_limits_default(&lim);
	src.size = 1000;
	src.ino = n;
	ck_assert_int_eq(tlsrpt_rollup_writer_begin_mem(&src, &lim, &w), 0);
	for (size_t i = 0; i < n; i++) {
		struct tlsrpt_error err = TLSRPT_ERROR_INIT;
		struct tlsrpt_record rec = {0};
		char msg[TLSRPT_ERROR_TEXT_MAX];

		if (i + 1 == n) /* the file's torn last line */
			ck_assert_int_eq(
				tlsrpt_rollup_writer_skip(
					w, i + 1, "truncated last line"),
				0);
		else if (tlsrpt_record_decode(lines[i], strlen(lines[i]), &lim,
					      &rec, &err) < 0)
			ck_assert_int_eq(
				tlsrpt_rollup_writer_skip(
					w, i + 1,
					tlsrpt_error_format(&err, msg,
							    sizeof(msg))),
				0);
		else
			ck_assert_int_eq(
				tlsrpt_rollup_writer_add(w, &rec, i + 1), 0);
		tlsrpt_record_clear(&rec);
	}
	ck_assert_int_eq(tlsrpt_rollup_writer_finish_mem(w, &data, len), 0);
	return data;
}

struct one_feed {
	struct tlsrpt_rollup *ru;
	int given;
};

static int
feed_one(void *ctx, struct tlsrpt_reader_source *src, struct tlsrpt_error *err)
{
	struct one_feed *f = ctx;

	(void)err;
	if (f->given++)
		return 0;
	snprintf(src->name, sizeof(src->name), "%s/%s", dir, DAY_FILE);
	src->ru = f->ru;
	return 1;
}

/* Opened from a copy of data[0..len) covering ino lines: 0 or 1. */
static int
open_copy(const unsigned char *data, size_t len, uint64_t ino,
	  struct tlsrpt_rollup **ru)
{
	/* The limits must outlive the rollup, which keeps them. */
	static struct tlsrpt_limits lim;
	struct tlsrpt_rollup_source src = {0};
	unsigned char *copy = tlsrpt_malloc(len > 0 ? len : 1);

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, data, len);
	tlsrpt_limits_default(&lim);
	src.size = 1000;
	src.ino = ino;
	return tlsrpt_rollup_open_mem(copy, len, &src, &lim, ru);
}

START_TEST(test_mem)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct tlsrpt_store_reader *rd;
	struct one_feed f = {NULL, 0};
	const size_t n = sizeof(lines) / sizeof(lines[0]);
	unsigned long ru;
	unsigned char *data;
	size_t len;
	char *want, *got;

	/* The records of the lines, replayed from the rollup in memory
	 * through a fed reader: the same, but for the file opened. */
	want = read_all(0, NULL, &ru);
	data = mem_rollup(&len);
	ck_assert_int_eq(open_copy(data, len, n, &f.ru), 0);
	ck_assert_int_eq(tlsrpt_store_reader_open_feed(feed_one, &f, 0, 0, NULL,
						       &rd, &err),
			 0);
	got = dump(rd, &ru);
	ck_assert_uint_eq(ru, 1);
	ck_assert_ptr_nonnull(strstr(want, "files 1 "));
	memcpy(strstr(want, "files 1 "), "files 0 ", 8);
	ck_assert_str_eq(got, want);
	g_free(got);
	g_free(want);
	/* Refused: the checksum (a byte of the body flipped), cut short
	 * anywhere, covering other lines than the caller's. */
	for (size_t i = 80; i < len; i++) {
		struct tlsrpt_rollup *r = NULL;

		data[i] ^= 0x10;
		ck_assert_int_eq(open_copy(data, len, n, &r), 1);
		ck_assert_ptr_null(r);
		data[i] ^= 0x10;
	}
	for (size_t cut = 0; cut < len; cut++) {
		struct tlsrpt_rollup *r = NULL;

		ck_assert_int_eq(open_copy(data, cut, n, &r), 1);
		ck_assert_ptr_null(r);
	}
	{
		struct tlsrpt_rollup *r = NULL;

		ck_assert_int_eq(open_copy(data, len, n + 1, &r), 1);
		ck_assert_int_eq(open_copy(data, len, n, &r), 0);
		tlsrpt_rollup_close(r);
	}
	tlsrpt_free(data);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("rollup");
	TCase *tc = tcase_create("core");

	tlsrpt_alloc_init();
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_write_then_read);
	tcase_add_test(tc, test_borrowed_own);
	tcase_add_test(tc, test_borrowed_big_record);
	tcase_add_test(tc, test_today);
	tcase_add_test(tc, test_stale);
	tcase_add_test(tc, test_not_owner);
	tcase_add_test(tc, test_leftovers);
	tcase_add_test(tc, test_damage_every_byte);
	tcase_add_test(tc, test_hostile_body);
	tcase_add_test(tc, test_mem);
	suite_add_tcase(s, tc);
	return test_run(s);
}
