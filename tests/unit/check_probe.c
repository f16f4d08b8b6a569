/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_probe.c -- tlsrpt-probe's pure part: the memory of a domain's
 * _mta-sts id and policy between runs (probe_history.c: read back from
 * the store, and compared). Matching MX hosts against the policy's
 * patterns is dns/'s (check_dns_record.c); the probing itself runs
 * against real servers in tests/scripts/t-probe.sh.
 */
#include <check.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "probe/probe.h"
#include "store/day.h"
#include "store/findings.h"
#include "tests/unit/testutil.h"

#define SHA_X "1111111111111111111111111111111111111111111111111111111111111111"
#define SHA_Y "2222222222222222222222222222222222222222222222222222222222222222"

/* One comparison: what an earlier run stored (found, id, digest), what
 * this run saw (record valid, id, policy valid, its digest), and what
 * must come of it. */
struct compare_case {
	int found;
	const char *pid, *psha;
	int record_valid;
	const char *id;
	int policy_valid;
	const char *sha;
	int finding;	  /* sts-policy-id-unchanged */
	const char *base; /* id-policy-sha256, NULL for null */
	const char *note; /* the start of the note, NULL for none */
};

static const struct compare_case compare_cases[] = {
	/* Nothing remembered: no finding, the policy is the baseline. */
	{0, "", "", 1, "A", 1, SHA_X, 0, SHA_X, NULL},
	/* Same id, same policy. */
	{1, "A", SHA_X, 1, "A", 1, SHA_X, 0, SHA_X, NULL},
	/* Same id, another policy: the finding; the baseline stays. */
	{1, "A", SHA_X, 1, "A", 1, SHA_Y, 1, SHA_X, NULL},
	/* Same id, the policy not fetched or invalid now: carried on. */
	{1, "A", SHA_X, 1, "A", 0, NULL, 0, SHA_X, NULL},
	{1, "A", SHA_X, 1, "A", 0, SHA_Y, 0, SHA_X, NULL},
	/* A new id and a new policy: what it is for. */
	{1, "A", SHA_X, 1, "B", 1, SHA_Y, 0, SHA_Y, NULL},
	/* A new id, the same policy: a note only. */
	{1, "A", SHA_X, 1, "B", 1, SHA_X, 0, SHA_X,
	 "the _mta-sts id changed from A to B (since the run of "
	 "2026-12-06T10:00:00Z) with the same policy"},
	/* An invalid record has no id a sender follows: nothing kept. */
	{1, "A", SHA_X, 0, "", 1, SHA_Y, 0, NULL, NULL},
	/* The earlier run saw no record, or could not fetch the policy. */
	{1, "", "", 1, "A", 1, SHA_X, 0, SHA_X, NULL},
	{1, "A", "", 1, "A", 1, SHA_Y, 0, SHA_Y, NULL},
};

START_TEST(test_compare)
{
	const struct compare_case *c = &compare_cases[_i];
	struct probe_prev prev;
	json_t *findings = json_array();
	json_t *sts = json_pack("{s:s, s:s, s:b, s:s}", "record", "v=STSv1",
				"id", c->id, "record-valid", c->record_valid,
				"url", "https://mta-sts.example.com/x");
	json_t *base, *note, *p;

	memset(&prev, 0, sizeof(prev));
	prev.domain = "example.com";
	prev.found = c->found;
	prev.time = 1796551200; /* 2026-12-06T10:00:00Z */
	snprintf(prev.sts_id, sizeof(prev.sts_id), "%s", c->pid);
	snprintf(prev.sha256, sizeof(prev.sha256), "%s", c->psha);
	json_object_set_new(sts, "policy",
			    c->policy_valid ? json_object() : json_null());
	if (c->sha != NULL)
		json_object_set_new(sts, "policy-sha256", json_string(c->sha));
	probe_history_compare(c->found ? &prev : NULL, "example.com", sts,
			      findings);
	ck_assert_uint_eq(json_array_size(findings), (size_t)c->finding);
	if (c->finding) {
		json_t *f = json_array_get(findings, 0);

		ck_assert_str_eq(
			json_string_value(json_object_get(f, "result-type")),
			"sts-policy-id-unchanged");
		ck_assert(json_is_null(json_object_get(f, "mx-host")));
		ck_assert_ptr_nonnull(
			strstr(json_string_value(json_object_get(f, "detail")),
			       "but the _mta-sts id is still A"));
	}
	base = json_object_get(sts, "id-policy-sha256");
	if (c->base == NULL)
		ck_assert(json_is_null(base));
	else
		ck_assert_str_eq(json_string_value(base), c->base);
	note = json_object_get(sts, "note");
	if (c->note == NULL)
		ck_assert(json_is_null(note));
	else
		ck_assert_msg(strncmp(json_string_value(note), c->note,
				      strlen(c->note)) == 0,
			      "note \"%s\"", json_string_value(note));
	p = json_object_get(sts, "previous");
	if (!c->found) {
		ck_assert(json_is_null(p));
	} else {
		ck_assert_str_eq(json_string_value(json_object_get(p, "time")),
				 "2026-12-06T10:00:00Z");
		ck_assert(c->pid[0] ? json_is_string(json_object_get(p, "id"))
				    : json_is_null(json_object_get(p, "id")));
	}
	json_decref(sts);
	json_decref(findings);
}
END_TEST

static void
put(const char *dir, int64_t day, const char *lines)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	ck_assert_int_eq(tlsrpt_findings_append(dir, day, lines, strlen(lines),
						0640, &err),
			 0);
}

static char *
run_line(const char *time, const char *domain, const char *error,
	 const char *id, const char *sha)
{
	return g_strdup_printf(
		"{\"v\":1,\"kind\":\"probe-run\",\"time\":\"%s\","
		"\"domain\":\"%s\",\"error\":%s,\"findings\":0,"
		"\"sts-id\":\"%s\",\"sts-policy-sha256\":null,"
		"\"sts-id-policy-sha256\":\"%s\"}\n",
		time, domain, error, id, sha);
}

/* The latest run without an error, newest day first; ids and digests
 * that are not what we write are not acted on; days before the window
 * are not read. */
START_TEST(test_history_read)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char dir[] = "/tmp/check_probe.XXXXXX", cmd[64];
	struct probe_prev prev[5];
	const char *names[] = {"a.example", "B.example", "far.example",
			       "gone.example", "none.example"};
	int64_t today;
	char *l[7];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(tlsrpt_day_parse("2026-12-06", 10, &today), 0);
	l[0] = run_line("2026-12-06T10:00:00Z", "a.example", "null", "A2",
			SHA_Y);
	l[1] = run_line("2026-12-06T11:00:00Z", "a.example", "\"no MX answer\"",
			"", "");
	l[2] = run_line("2026-12-06T12:00:00Z", "b.example", "null", "bad id",
			"zz");
	l[3] = run_line("2026-12-05T10:00:00Z", "a.example", "null", "A1",
			SHA_X);
	l[4] = run_line("2026-11-06T10:00:00Z", "far.example", "null", "F",
			SHA_X);
	l[5] = run_line("2026-11-05T10:00:00Z", "gone.example", "null", "G",
			SHA_X);
	l[6] = g_strconcat(l[0], l[1], l[2], NULL);
	put(dir, today, l[6]);
	put(dir, today - 1, l[3]);
	put(dir, today - 30, l[4]);
	put(dir, today - PROBE_HISTORY_DAYS, l[5]);
	for (size_t i = 0; i < 5; i++)
		prev[i].domain = names[i];
	ck_assert_int_eq(probe_history_read(dir, today, prev, 5, &err), 0);
	ck_assert_int_eq(prev[0].found, 1);
	ck_assert_str_eq(prev[0].sts_id, "A2");
	ck_assert_str_eq(prev[0].sha256, SHA_Y);
	ck_assert_int_eq(prev[0].time, 1796551200);
	ck_assert_int_eq(prev[1].found, 1); /* names match as DNS does */
	ck_assert_str_eq(prev[1].sts_id, "");
	ck_assert_str_eq(prev[1].sha256, "");
	ck_assert_int_eq(prev[2].found, 1);
	ck_assert_str_eq(prev[2].sts_id, "F");
	ck_assert_int_eq(prev[3].found, 0);
	ck_assert_int_eq(prev[4].found, 0);
	for (size_t i = 0; i < 7; i++)
		g_free(l[i]);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

static Suite *
probe_suite(void)
{
	Suite *s = suite_create("probe");
	TCase *tc = tcase_create("history");

	tlsrpt_alloc_init();
	tcase_add_loop_test(tc, test_compare, 0,
			    sizeof(compare_cases) / sizeof(compare_cases[0]));
	tcase_add_test(tc, test_history_read);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return test_run(probe_suite());
}
