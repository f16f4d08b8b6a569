/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_findings.c -- tlsrpt-probe's findings in the store
 * (store/findings.h): their file names are not day files' (so no reader
 * of reports sees them), appends are whole and refuse a symbolic link;
 * and their alerts (alert_list_add) carry the reports' key and obey the
 * rules' filters.
 */
#include <check.h>
#include <glib.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alert/rules.h"
#include "base/alloc.h"
#include "store/day.h"
#include "store/findings.h"
#include "store/reader.h"
#include "store/store.h"
#include "tests/unit/testutil.h"

static char dir[64];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/check_findings.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static int64_t
day(const char *ymd)
{
	int64_t d;

	ck_assert_int_eq(tlsrpt_day_parse(ymd, strlen(ymd), &d), 0);
	return d;
}

START_TEST(test_names)
{
	char name[TLSRPT_DAY_NAME_MAX];
	int64_t d = -1;
	int gz;

	tlsrpt_findings_file_name(day("2026-12-06"), name, sizeof(name));
	ck_assert_str_eq(name, "probe-2026-12-06.jsonl");
	ck_assert_int_eq(tlsrpt_findings_file_match(name, &d), 1);
	ck_assert_int_eq(d, day("2026-12-06"));
	/* Not a day file, to this reader or an older one. */
	ck_assert_int_eq(tlsrpt_day_file_match(name, &d, &gz), 0);
	ck_assert_int_eq(
		tlsrpt_findings_file_match("tlsrpt-2026-12-06.jsonl", &d), 0);
	ck_assert_int_eq(
		tlsrpt_findings_file_match("probe-2026-12-06.jsonl.gz", &d), 0);
	ck_assert_int_eq(
		tlsrpt_findings_file_match("probe-2026-02-30.jsonl", &d), 0);
	ck_assert_int_eq(
		tlsrpt_findings_file_match("probe-2026-12-06.json", &d), 0);
}
END_TEST

START_TEST(test_append)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	const char *a = "{\"v\":1,\"kind\":\"probe-run\"}\n";
	const char *b = "{\"v\":1,\"kind\":\"probe-finding\"}\n";
	char path[128], *got;
	struct stat st;
	size_t len;

	umask(022);
	ck_assert_int_eq(tlsrpt_findings_append(dir, day("2026-12-06"), a,
						strlen(a), 0640, &err),
			 0);
	ck_assert_int_eq(tlsrpt_findings_append(dir, day("2026-12-06"), b,
						strlen(b), 0640, &err),
			 0);
	got = test_read_file_in(dir, "probe-2026-12-06.jsonl", &len);
	ck_assert_ptr_nonnull(got);
	ck_assert_uint_eq(len, strlen(a) + strlen(b));
	ck_assert_int_eq(memcmp(got, a, strlen(a)), 0);
	ck_assert_int_eq(memcmp(got + strlen(a), b, strlen(b)), 0);
	free(got);
	snprintf(path, sizeof(path), "%s/probe-2026-12-06.jsonl", dir);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0640);
}
END_TEST

/* A symbolic link at the path is refused, naming the file; its target is
 * not written. */
START_TEST(test_symlink)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char link[128], target[128];
	struct stat st;

	snprintf(target, sizeof(target), "%s/elsewhere", dir);
	snprintf(link, sizeof(link), "%s/probe-2026-12-06.jsonl", dir);
	ck_assert_int_eq(symlink(target, link), 0);
	ck_assert_int_eq(tlsrpt_findings_append(dir, day("2026-12-06"), "x\n",
						2, 0640, &err),
			 -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_IO);
	ck_assert_str_eq(err.path, link);
	ck_assert_ptr_nonnull(strstr(err.text, "symbolic link"));
	ck_assert_int_ne(stat(target, &st), 0);
}
END_TEST

/* The store reader reads day files only: a findings file is neither a
 * record nor a damaged line. */
START_TEST(test_reader_ignores)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	const char *line = "{\"v\":1,\"kind\":\"probe-run\"}\n";
	const char *dirs[] = {dir};
	struct tlsrpt_store_reader *rd;
	struct tlsrpt_record rec;
	const struct tlsrpt_reader_stats *st;

	ck_assert_int_eq(tlsrpt_findings_append(dir, day("2026-12-06"), line,
						strlen(line), 0640, &err),
			 0);
	ck_assert_int_eq(
		tlsrpt_store_reader_open(dirs, 1, 0, 0, NULL, &rd, &err), 0);
	memset(&rec, 0, sizeof(rec));
	ck_assert_int_eq(tlsrpt_store_reader_next(rd, &rec, &err), 0);
	st = tlsrpt_store_reader_stats(rd);
	ck_assert_uint_eq(st->files, 0);
	ck_assert_uint_eq(st->records, 0);
	ck_assert_uint_eq(st->skipped, 0);
	ck_assert_uint_eq(st->unreadable, 0);
	tlsrpt_store_reader_close(rd);
}
END_TEST

/* Retention deletes findings files with the day files: a day at the
 * retention age goes, the day after it stays. */
struct got {
	int runs, items;
	char last[256];
};

static void
collect(const struct tlsrpt_finding_line *l, void *ctx)
{
	struct got *g = ctx;

	if (l->kind == TLSRPT_FINDING_RUN)
		g->runs++;
	else
		g->items++;
	snprintf(g->last, sizeof(g->last), "%s %lld %lld %s %s", l->domain,
		 (long long)l->time, (long long)l->findings,
		 l->result_type ? l->result_type : "-",
		 l->mx_host ? l->mx_host : "-");
}

/* Run and finding lines of the window's days are given back; damaged
 * lines (not JSON, missing keys, too long) are counted, other versions
 * and kinds skipped, a truncated last line left for the writer, days
 * outside the window not read. */
START_TEST(test_read)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct tlsrpt_findings_stats st;
	const char *dirs[] = {dir};
	struct got g = {0, 0, ""};
	GString *lines = g_string_new(NULL);
	char *longline = g_strnfill(TLSRPT_FINDINGS_LINE_MAX + 10, 'x');

	g_string_append(
		lines,
		"{\"v\":1,\"kind\":\"probe-run\",\"time\":"
		"\"2026-12-06T10:00:00Z\",\"domain\":\"example.com\","
		"\"error\":null,\"findings\":1}\n"
		"{\"v\":1,\"kind\":\"probe-finding\",\"domain\":"
		"\"example.com\",\"result-type\":"
		"\"certificate-expired\",\"mx-host\":\"mx2.example.com\","
		"\"address\":\"127.0.0.1\",\"detail\":\"d\",\"action\":"
		"\"a\",\"time\":\"2026-12-06T10:00:00Z\"}\n"
		"not json\n"
		"{\"v\":1,\"kind\":\"probe-run\",\"domain\":\"x\"}\n"
		"{\"v\":2,\"kind\":\"probe-run\"}\n"
		"{\"v\":1,\"kind\":\"other\"}\n");
	g_string_append(lines, longline);
	g_string_append(lines, "\n{\"v\":1,\"kind\":\"probe-r");
	ck_assert_int_eq(tlsrpt_findings_append(dir, day("2026-12-06"),
						lines->str, lines->len, 0640,
						&err),
			 0);
	ck_assert_int_eq(tlsrpt_findings_append(dir, day("2026-12-08"),
						lines->str, lines->len, 0640,
						&err),
			 0);
	ck_assert_int_eq(tlsrpt_findings_read(dirs, 1, day("2026-12-05"),
					      day("2026-12-07"), collect, &g,
					      &st, &err),
			 0);
	ck_assert_int_eq(g.runs, 1);
	ck_assert_int_eq(g.items, 1);
	ck_assert_str_eq(g.last, "example.com 1796551200 0 "
				 "certificate-expired mx2.example.com");
	ck_assert_uint_eq(st.files, 1);
	ck_assert_uint_eq(st.lines, 2);
	ck_assert_uint_eq(st.damaged, 3);
	ck_assert_uint_eq(st.skipped, 2);
	ck_assert_uint_eq(st.truncated, 0);
	g_string_free(lines, TRUE);
	g_free(longline);
}
END_TEST

/* Past the line budget the reader stops: the rest of the file and later
 * files are left unread (one truncated each), not read through line by
 * line, which would cost the time the budget is there to save. */
START_TEST(test_read_budget)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct tlsrpt_findings_stats st;
	const char *dirs[] = {dir};
	struct got g = {0, 0, ""};
	const char *run = "{\"v\":1,\"kind\":\"probe-run\",\"time\":"
			  "\"2026-12-06T10:00:00Z\",\"domain\":\"a.example\","
			  "\"error\":null,\"findings\":0}\n";
	GString *lines = g_string_new(NULL);

	for (size_t i = 0; i < TLSRPT_FINDINGS_LINES_MAX; i++)
		g_string_append(lines, "x\n");
	g_string_append(lines, run);
	ck_assert_int_eq(tlsrpt_findings_append(dir, day("2026-12-06"),
						lines->str, lines->len, 0640,
						&err),
			 0);
	g_string_assign(lines, run);
	g_string_append(lines, run);
	ck_assert_int_eq(tlsrpt_findings_append(dir, day("2026-12-07"),
						lines->str, lines->len, 0640,
						&err),
			 0);
	ck_assert_int_eq(tlsrpt_findings_read(dirs, 1, day("2026-12-06"),
					      day("2026-12-07"), collect, &g,
					      &st, &err),
			 0);
	ck_assert_int_eq(g.runs, 0);
	ck_assert_uint_eq(st.lines, 0);
	ck_assert_uint_eq(st.damaged, TLSRPT_FINDINGS_LINES_MAX);
	ck_assert_uint_eq(st.truncated, 2);
	ck_assert_uint_eq(st.bytes, 2 * (uint64_t)TLSRPT_FINDINGS_LINES_MAX);
	g_string_free(lines, TRUE);
}
END_TEST

/* tlsrpt_findings_feed() of the files' complete lines, one file after
 * another (what tlsrpt-ship stores, read back by tlsrpt-summary -d),
 * gives what tlsrpt_findings_read() gives: the same lines to fn, the
 * same counts, past the line budget too. */
static void
feed_files(const char *const *names, size_t n, struct got *g,
	   struct tlsrpt_findings_stats *st)
{
	struct tlsrpt_findings_feed f = {st, 0, 0, 0};

	memset(st, 0, sizeof(*st));
	for (size_t i = 0; i < n; i++) {
		char *path = g_strdup_printf("%s/%s", dir, names[i]), *text;
		gsize len;
		const char *p, *nl;

		ck_assert(g_file_get_contents(path, &text, &len, NULL));
		for (p = text; (nl = memchr(p, '\n', len - (size_t)(p - text)));
		     p = nl + 1)
			if (nl > p) /* an empty line is no row */
				tlsrpt_findings_feed(&f, i + 1, p,
						     (size_t)(nl - p), collect,
						     g);
		g_free(text);
		g_free(path);
	}
}

START_TEST(test_feed_same)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct tlsrpt_findings_stats rs, fs;
	const char *dirs[] = {dir};
	const char *names[] = {"probe-2026-12-06.jsonl",
			       "probe-2026-12-07.jsonl"};
	struct got rg = {0, 0, ""}, fg = {0, 0, ""};
	char *longline = g_strnfill(TLSRPT_FINDINGS_LINE_MAX + 10, 'x');
	const char *run = "{\"v\":1,\"kind\":\"probe-run\",\"time\":"
			  "\"2026-12-06T10:00:00Z\",\"domain\":\"a.example\","
			  "\"error\":null,\"findings\":0}\n";
	GString *lines = g_string_new(NULL);

	/* Both days: runs, a damaged line, another kind, a line over the
	 * bound, a torn last line; then, with budget enough for the first
	 * day only, half the second day's lines left unread. */
	for (int budget = 0; budget < 2; budget++) {
		g_string_assign(lines, run);
		g_string_append(lines, "not json\n{\"v\":1,\"kind\":\"x\"}\n");
		g_string_append(lines, longline);
		g_string_append(lines, "\n");
		for (size_t i = 0;
		     budget && i < TLSRPT_FINDINGS_LINES_MAX / 2 + 1; i++)
			g_string_append(lines, "y\n");
		g_string_append(lines, run);
		g_string_append(lines, "{\"v\":1,\"kind\":\"probe-r");
		ck_assert_int_eq(tlsrpt_findings_append(dir, day("2026-12-06"),
							lines->str, lines->len,
							0640, &err),
				 0);
		ck_assert_int_eq(tlsrpt_findings_append(dir, day("2026-12-07"),
							lines->str, lines->len,
							0640, &err),
				 0);
		ck_assert_int_eq(tlsrpt_findings_read(dirs, 1,
						      day("2026-12-06"),
						      day("2026-12-07"),
						      collect, &rg, &rs, &err),
				 0);
		feed_files(names, 2, &fg, &fs);
		ck_assert_int_eq(fg.runs, rg.runs);
		ck_assert_int_eq(fg.items, rg.items);
		ck_assert_str_eq(fg.last, rg.last);
		ck_assert_uint_eq(fs.lines, rs.lines);
		ck_assert_uint_eq(fs.damaged, rs.damaged);
		ck_assert_uint_eq(fs.skipped, rs.skipped);
		ck_assert_uint_eq(fs.truncated, rs.truncated);
		ck_assert_uint_eq(fs.files, rs.files);
		ck_assert_uint_eq(fs.truncated, (budget ? 1 : 0));
		ck_assert_uint_eq(rs.lines, (budget ? 5 : 4));
	}
	g_string_free(lines, TRUE);
	g_free(longline);
}
END_TEST

/* The MTA-STS memory of a run line (tlsrpt-probe's sts-id and
 * sts-id-policy-sha256) is read back; a line written before they existed
 * reads as before, with them NULL. */
static void
sts_of(const struct tlsrpt_finding_line *l, void *ctx)
{
	GString *g = ctx;

	g_string_append_printf(
		g, "%s %s %s;", l->domain, l->sts_id ? l->sts_id : "-",
		l->sts_id_policy_sha256 ? l->sts_id_policy_sha256 : "-");
}

START_TEST(test_read_sts)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct tlsrpt_findings_stats st;
	const char *dirs[] = {dir};
	GString *g = g_string_new(NULL);
	const char *lines =
		"{\"v\":1,\"kind\":\"probe-run\",\"time\":"
		"\"2026-12-06T10:00:00Z\",\"domain\":\"old.example\","
		"\"error\":null,\"findings\":0}\n"
		"{\"v\":1,\"kind\":\"probe-run\",\"time\":"
		"\"2026-12-06T11:00:00Z\",\"domain\":\"new.example\","
		"\"error\":null,\"findings\":0,\"sts-id\":\"20261206\","
		"\"sts-policy-sha256\":\"bb\",\"sts-id-policy-sha256\":"
		"\"aa\"}\n"
		"{\"v\":1,\"kind\":\"probe-run\",\"time\":"
		"\"2026-12-06T12:00:00Z\",\"domain\":\"none.example\","
		"\"error\":null,\"findings\":0,\"sts-id\":null,"
		"\"sts-policy-sha256\":null,\"sts-id-policy-sha256\":null}\n";

	ck_assert_int_eq(tlsrpt_findings_append(dir, day("2026-12-06"), lines,
						strlen(lines), 0640, &err),
			 0);
	ck_assert_int_eq(tlsrpt_findings_read(dirs, 1, day("2026-12-06"),
					      day("2026-12-06"), sts_of, g, &st,
					      &err),
			 0);
	ck_assert_str_eq(g->str, "old.example - -;new.example 20261206 aa;"
				 "none.example - -;");
	ck_assert_uint_eq(st.lines, 3);
	ck_assert_uint_eq(st.damaged, 0);
	g_string_free(g, TRUE);
}
END_TEST

START_TEST(test_prune)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct tlsrpt_store_options o;
	struct tlsrpt_prune_stats st;
	struct tlsrpt_store *s;
	int64_t today = day("2026-12-06");
	char path[128];

	const int64_t ages[] = {31, 30, 29, 0};

	for (size_t i = 0; i < sizeof(ages) / sizeof(ages[0]); i++)
		ck_assert_int_eq(tlsrpt_findings_append(dir, today - ages[i],
							"x\n", 2, 0640, &err),
				 0);
	tlsrpt_store_options_default(&o);
	o.dir = dir;
	ck_assert_int_eq(tlsrpt_store_open(&o, &s, &err), 0);
	ck_assert_int_eq(
		tlsrpt_store_prune(s, today * 86400 + 3600, 0, 30, &st, &err),
		0);
	tlsrpt_store_close(s);
	ck_assert_uint_eq(st.deleted, 2);
	snprintf(path, sizeof(path), "%s/probe-2026-11-05.jsonl", dir);
	ck_assert_int_eq(test_exists(path), 0);
	snprintf(path, sizeof(path), "%s/probe-2026-11-06.jsonl", dir);
	ck_assert_int_eq(test_exists(path), 0);
	snprintf(path, sizeof(path), "%s/probe-2026-11-07.jsonl", dir);
	ck_assert_int_eq(test_exists(path), 1);
	snprintf(path, sizeof(path), "%s/probe-2026-12-06.jsonl", dir);
	ck_assert_int_eq(test_exists(path), 1);
}
END_TEST

/* A finding's alert has a report's key ("domain result-type mx",
 * lower-cased), its document as one line, and the rules' filters. */
START_TEST(test_alert_add)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char *types[] = {"certificate-expired"}, *domains[] = {"example.org"};
	struct alert_rules rules;
	struct alert_list l;
	json_t *doc = json_pack("{s:s}", "source", "tlsrpt-probe");

	memset(&rules, 0, sizeof(rules));
	memset(&l, 0, sizeof(l));
	ck_assert_int_eq(alert_list_add(&l, &rules, "Example.ORG",
					"certificate-expiring",
					"MX2.example.org", "our probe: x\ny",
					doc, &err),
			 1);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.items[0].key,
			 "example.org certificate-expiring mx2.example.org");
	ck_assert_str_eq(l.items[0].mx, "MX2.example.org");
	ck_assert_ptr_null(strchr(l.items[0].sentence, '\n'));
	ck_assert_str_eq(l.items[0].json, "{\"source\":\"tlsrpt-probe\"}\n");
	ck_assert_uint_eq(l.items[0].json_len, strlen(l.items[0].json));
	rules.result_types = types;
	rules.n_result_types = 1;
	ck_assert_int_eq(alert_list_add(&l, &rules, "example.org",
					"certificate-expiring", "", "s", doc,
					&err),
			 0);
	rules.n_result_types = 0;
	rules.domains = domains;
	rules.n_domains = 1;
	ck_assert_int_eq(alert_list_add(&l, &rules, "example.net",
					"certificate-expired", "", "s", doc,
					&err),
			 0);
	ck_assert_int_eq(alert_list_add(&l, &rules, "EXAMPLE.org",
					"certificate-expired", "", "s", doc,
					&err),
			 1);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.items[1].key, "example.org certificate-expired ");
	alert_list_clear(&l);
	json_decref(doc);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("findings");
	TCase *tc = tcase_create("findings");

	tlsrpt_alloc_init();
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_append);
	tcase_add_test(tc, test_symlink);
	tcase_add_test(tc, test_reader_ignores);
	tcase_add_test(tc, test_read);
	tcase_add_test(tc, test_read_budget);
	tcase_add_test(tc, test_read_sts);
	tcase_add_test(tc, test_feed_same);
	tcase_add_test(tc, test_prune);
	tcase_add_test(tc, test_alert_add);
	suite_add_tcase(s, tc);
	return test_run(s);
}
