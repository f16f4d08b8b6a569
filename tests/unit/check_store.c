/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_store.c -- the flat-file store: round trip of every field, day
 * rotation, compressed days, retention, de-duplication (window, restarts,
 * a lost index), refused symlinks, a store directory removed or replaced
 * while open, damaged lines, several stores read as
 * one, a full disk, and the stress tests: 8 processes x 4 threads writing
 * at once with a reader, SIGKILLed writers, pruning while writing.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "base/alloc.h"
#include "report/report.h"
#include "report/report_json.h"
#include "store/digest.h"
#include "store/reader.h"
#include "store/record.h"
#include "store/store.h"
#include "tests/unit/testutil.h"

#define DAY 86400
/* 2024-05-01T00:00:00Z */
#define T0 1714521600LL

static struct tlsrpt_limits limits;

/* ---- helpers ---- */

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
rm_tree(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static char *
make_tmpdir(void)
{
	char tmpl[] = "/tmp/check_store.XXXXXX";
	char *d = mkdtemp(tmpl);

	ck_assert_ptr_nonnull(d);
	return strdup(d);
}

static struct tlsrpt_store *
open_store(const char *dir, enum tlsrpt_store_fsync fs)
{
	struct tlsrpt_store_options o;
	struct tlsrpt_store *s = NULL;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char msg[512];

	tlsrpt_store_options_default(&o);
	o.dir = dir;
	o.fsync = fs;
	if (tlsrpt_store_open(&o, &s, &err) != 0)
		ck_abort_msg("open %s: %s", dir,
			     tlsrpt_error_format(&err, msg, sizeof(msg)));
	return s;
}

/* A report of npol policies, each with ndet failure details. */
static struct tlsrpt_report *
make_report(const char *org, const char *id, int npol, int ndet)
{
	json_t *pols = json_array(), *o;
	struct tlsrpt_report *r = NULL;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char *text;

	for (int i = 0; i < npol; i++) {
		json_t *det = json_array();
		char dom[64];

		snprintf(dom, sizeof(dom), "d%d.example.net", i);
		for (int k = 0; k < ndet; k++)
			json_array_append_new(
				det,
				json_pack("{s:s, s:s, s:s, s:i, s:s}",
					  "result-type", "validation-failure",
					  "sending-mta-ip", "192.0.2.1",
					  "receiving-mx-hostname",
					  "mx.example.net",
					  "failed-session-count", k + 1,
					  "additional-information",
					  "padding padding padding padding"));
		json_array_append_new(
			pols, json_pack("{s:{s:s, s:[s,s,s], s:s, s:[s]}, "
					"s:{s:i, s:i}, s:o}",
					"policy", "policy-type", "sts",
					"policy-string", "version: STSv1",
					"mode: enforce", "mx: mx.example.net",
					"policy-domain", dom, "mx-host",
					"mx.example.net", "summary",
					"total-successful-session-count",
					10 + i, "total-failure-session-count",
					ndet, "failure-details", det));
	}
	o = json_pack(
		"{s:s, s:{s:s, s:s}, s:s, s:s, s:o}", "organization-name", org,
		"date-range", "start-datetime", "2024-04-30T00:00:00Z",
		"end-datetime", "2024-04-30T23:59:59Z", "contact-info",
		"mailto:tlsrpt@example.org", "report-id", id, "policies", pols);
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	/* No ck_assert on success here: every passing one writes a record to
	 * Check's message file, and the writers of the crash tests are killed
	 * with SIGKILL at random -- a kill inside that write leaves a torn
	 * record and the whole test program fails ("Bad message type"). */
	if (text == NULL)
		ck_abort_msg("json_dumps failed");
	if (tlsrpt_report_parse(text, strlen(text), &limits, &r, &err) != 0)
		ck_abort_msg("report_parse: %s", err.text);
	free(text);
	return r;
}

static int
append_signed(struct tlsrpt_store *s, const struct tlsrpt_report *r,
	      int64_t when, const char *dkim, enum tlsrpt_store_outcome *oc,
	      struct tlsrpt_error *err)
{
	struct tlsrpt_receipt rc = {
		.received = when,
		.source = "file",
		.host = "mx1.example.com",
		.file = "/var/tmp/report.eml",
		.message_id = "<m1@example.org>",
		.dkim = test_dkim(dkim),
		.submitter = "example.org",
	};

	return tlsrpt_store_append(s, r, &rc, oc, err);
}

static int
append(struct tlsrpt_store *s, const struct tlsrpt_report *r, int64_t when,
       enum tlsrpt_store_outcome *oc, struct tlsrpt_error *err)
{
	return append_signed(s, r, when, "pass", oc, err);
}

/* Append r with DKIM verdict dkim and expect outcome want. */
static void
append_dkim_ok(struct tlsrpt_store *s, const struct tlsrpt_report *r,
	       int64_t when, const char *dkim, enum tlsrpt_store_outcome want)
{
	enum tlsrpt_store_outcome oc;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char msg[512];

	if (append_signed(s, r, when, dkim, &oc, &err) != 0)
		ck_abort_msg("append: %s",
			     tlsrpt_error_format(&err, msg, sizeof(msg)));
	ck_assert_int_eq(oc, want);
}

static void
append_ok(struct tlsrpt_store *s, const struct tlsrpt_report *r, int64_t when,
	  enum tlsrpt_store_outcome want)
{
	append_dkim_ok(s, r, when, "pass", want);
}

/* Counters of a whole read of dirs in [since, until). */
struct tally {
	unsigned long records, skipped, duplicates;
	json_t *lines; /* "org\tid\tdigest" -> number of lines seen */
	int bad_group; /* a report with the wrong number of lines */
};

static void
read_all(const char *const *dirs, size_t n, int64_t since, int64_t until,
	 struct tally *t)
{
	struct tlsrpt_store_reader *rd;
	struct tlsrpt_record rec;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	const char *key;
	json_t *v;
	int rc;

	memset(t, 0, sizeof(*t));
	memset(&rec, 0, sizeof(rec));
	t->lines = json_object();
	ck_assert_int_eq(tlsrpt_store_reader_open(dirs, n, since, until, NULL,
						  &rd, &err),
			 0);
	while ((rc = tlsrpt_store_reader_next(rd, &rec, &err)) == 1) {
		char k[512];

		/* A version of a report is its key and its digest. */
		snprintf(k, sizeof(k), "%s\t%s\t%s", rec.organization_name,
			 rec.report_id, rec.digest != NULL ? rec.digest : "");
		v = json_object_get(t->lines, k);
		if (v == NULL)
			json_object_set_new(
				t->lines, k,
				json_pack("[i,i]", 1, (int)rec.policy_count));
		else
			json_array_set_new(
				v, 0,
				json_integer(json_integer_value(
						     json_array_get(v, 0)) +
					     1));
	}
	ck_assert_int_eq(rc, 0);
	tlsrpt_record_clear(&rec);
	t->records = tlsrpt_store_reader_stats(rd)->records;
	t->skipped = tlsrpt_store_reader_stats(rd)->skipped;
	t->duplicates = tlsrpt_store_reader_stats(rd)->duplicates;
	tlsrpt_store_reader_close(rd);
	json_object_foreach(t->lines, key, v)
	{
		if (json_integer_value(json_array_get(v, 0)) !=
		    json_integer_value(json_array_get(v, 1)))
			t->bad_group = 1;
	}
}

static void
tally_free(struct tally *t)
{
	json_decref(t->lines);
	t->lines = NULL;
}

static char *
day_path(const char *dir, int64_t t, int gz)
{
	char *p;
	struct tm tm;
	time_t tt = (time_t)t;

	gmtime_r(&tt, &tm);
	ck_assert_int_ge(asprintf(&p, "%s/tlsrpt-%04d-%02d-%02d.jsonl%s", dir,
				  tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
				  gz ? ".gz" : ""),
			 0);
	return p;
}

static off_t
file_size(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return -1;
	return st.st_size;
}

/* Every line of a plain file parses as JSON and the file ends in '\n'. */
static void
assert_all_lines_valid(const char *path)
{
	size_t len;
	char *buf = test_read_file(path, &len), *p = buf;

	ck_assert(len == 0 || buf[len - 1] == '\n');
	while (p < buf + len) {
		char *nl = memchr(p, '\n', (size_t)(buf + len - p));
		json_t *j;

		ck_assert_ptr_nonnull(nl);
		j = json_loadb(p, (size_t)(nl - p), 0, NULL);
		ck_assert_msg(j != NULL, "bad line in %s", path);
		json_decref(j);
		p = nl + 1;
	}
	free(buf);
}

/* ---- round trip ---- */

static void
check_record(const struct tlsrpt_record *rec, const struct tlsrpt_report *r,
	     const struct tlsrpt_receipt *rc)
{
	json_t *a, *b;

	ck_assert_int_eq(rec->version, 1);
	ck_assert_int_eq(rec->received, rc->received);
	ck_assert_str_eq(rec->source, rc->source);
	ck_assert_pstr_eq(rec->host, rc->host);
	ck_assert_pstr_eq(rec->queue_id, rc->queue_id);
	ck_assert_pstr_eq(rec->file, rc->file);
	ck_assert_pstr_eq(rec->message_id, rc->message_id);
	ck_assert_int_eq(rec->dkim, rc->dkim);
	ck_assert_pstr_eq(rec->client_addr, rc->client_addr);
	ck_assert_pstr_eq(rec->submitter, rc->submitter);
	ck_assert_str_eq(rec->organization_name, r->organization_name);
	ck_assert_pstr_eq(rec->contact_info, r->contact_info);
	ck_assert_str_eq(rec->report_id, r->report_id);
	ck_assert_int_eq(rec->start_time, r->start_time);
	ck_assert_int_eq(rec->end_time, r->end_time);
	ck_assert_uint_eq(rec->policy_count, r->n_policies);
	ck_assert_uint_lt(rec->policy_index, r->n_policies);
	/* Every policy field, through the normalised JSON form. */
	a = tlsrpt_policy_to_json(&rec->policy);
	b = tlsrpt_policy_to_json(&r->policies[rec->policy_index]);
	ck_assert_ptr_nonnull(a);
	ck_assert_msg(json_equal(a, b), "policy %zu of %s differs",
		      rec->policy_index, r->report_id);
	ck_assert_int_eq(rec->policy.type, r->policies[rec->policy_index].type);
	json_decref(a);
	json_decref(b);
}

START_TEST(test_round_trip_fixtures)
{
	char *dir = make_tmpdir(), cases[512];
	struct tlsrpt_store *s = open_store(dir, TLSRPT_STORE_FSYNC_REPORT);
	struct tlsrpt_report *reports[128];
	struct tlsrpt_receipt rcs[128];
	char ids[128][32];
	size_t n_names, n = 0;
	char **names;
	const char *dirs[1] = {dir};
	struct tlsrpt_store_reader *rd;
	struct tlsrpt_record rec;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	unsigned long lines = 0, want_lines = 0;
	int rc;

	snprintf(cases, sizeof(cases), "%s/cases", test_data_dir());
	names = test_list_dir(cases, &n_names);
	for (size_t i = 0; i < n_names && n < 128; i++) {
		char sub[600], in[700];
		size_t len;
		char *json;
		enum tlsrpt_store_outcome oc;

		if (strstr(names[i], "-valid-") == NULL)
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", cases, names[i]);
		snprintf(in, sizeof(in), "%s/input.json", sub);
		if (!test_exists(in))
			continue;
		json = test_read_file_in(sub, "input.json", &len);
		if (tlsrpt_report_parse(json, len, &limits, &reports[n],
					&err) != 0) {
			free(json);
			continue;
		}
		free(json);
		/* Fixtures share report ids; make each one distinct. */
		snprintf(ids[n], sizeof(ids[n]), "fixture-%zu", n);
		tlsrpt_free(reports[n]->report_id);
		reports[n]->report_id = tlsrpt_strdup(ids[n]);
		memset(&rcs[n], 0, sizeof(rcs[n]));
		rcs[n].received = T0 + (int64_t)n * 3600; /* over 2+ days */
		rcs[n].source = n % 3 == 0   ? "milter"
				: n % 3 == 1 ? "file"
					     : "http";
		rcs[n].host = "mx1.example.com";
		rcs[n].queue_id = n % 3 == 0 ? "4VqXyZ1abc" : NULL;
		rcs[n].file = n % 3 == 1 ? "/srv/in/r\xffport.eml" : NULL;
		rcs[n].message_id = "<report@reporter.example>";
		rcs[n].dkim =
			n % 3 == 2 ? TLSRPT_DKIM_UNKNOWN : TLSRPT_DKIM_PASS;
		rcs[n].client_addr = n % 3 == 2 ? "203.0.113.9" : NULL;
		rcs[n].submitter = "reporter.example";
		ck_assert_int_eq(
			tlsrpt_store_append(s, reports[n], &rcs[n], &oc, &err),
			0);
		ck_assert_int_eq(oc, TLSRPT_STORE_STORED);
		want_lines += reports[n]->n_policies;
		n++;
	}
	test_free_names(names, n_names);
	ck_assert_uint_ge(n, 20);
	/* Invalid UTF-8 in a receipt string is stored as U+FFFD. */
	for (size_t i = 0; i < n; i++)
		if (rcs[i].file != NULL)
			rcs[i].file = "/srv/in/r\xef\xbf\xbdport.eml";

	memset(&rec, 0, sizeof(rec));
	ck_assert_int_eq(
		tlsrpt_store_reader_open(dirs, 1, 0, 0, &limits, &rd, &err), 0);
	while ((rc = tlsrpt_store_reader_next(rd, &rec, &err)) == 1) {
		size_t k = (size_t)atoi(rec.report_id + strlen("fixture-"));

		ck_assert_uint_lt(k, n);
		check_record(&rec, reports[k], &rcs[k]);
		ck_assert_ptr_nonnull(strstr(rec.path, "/tlsrpt-2024-05-0"));
		lines++;
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(lines, want_lines);
	ck_assert_uint_eq(tlsrpt_store_reader_stats(rd)->skipped, 0);
	tlsrpt_record_clear(&rec);
	tlsrpt_store_reader_close(rd);
	for (size_t i = 0; i < n; i++)
		tlsrpt_report_free(reports[i]);
	tlsrpt_store_close(s);
	rm_tree(dir);
	free(dir);
}
END_TEST

START_TEST(test_line_format)
{
	char *dir = make_tmpdir(), *path, *text;
	struct tlsrpt_store *s = open_store(dir, TLSRPT_STORE_FSYNC_NONE);
	struct tlsrpt_report *r = make_report("Org \"A\"", "id-1", 2, 1);
	size_t len;
	json_t *j;

	append_ok(s, r, T0 + 3661, TLSRPT_STORE_STORED);
	path = day_path(dir, T0, 0);
	text = test_read_file(path, &len);
	ck_assert_ptr_nonnull(strchr(text, '\n'));
	*strchr(text, '\n') = '\0';
	/* Keys in a stable order, self-contained, greppable. */
	{
		const char *head =
			"{\"v\":1,\"received\":\"2024-05-01T01:01:01Z\","
			"\"source\":\"file\",\"host\":\"mx1.example.com\","
			"\"file\":\"/var/tmp/report.eml\",\"message-id\":";

		ck_assert_msg(strncmp(text, head, strlen(head)) == 0, "%s",
			      text);
	}
	j = json_loads(text, 0, NULL);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(json_object_get(j, "dkim")), "pass");
	ck_assert_str_eq(
		json_string_value(json_object_get(j, "organization-name")),
		"Org \"A\"");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "policy-index")),
			 0);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "policy-count")),
			 2);
	ck_assert_str_eq(json_string_value(json_object_get(j, "sts-mode")),
			 "enforce");
	ck_assert_str_eq(
		json_string_value(json_object_get(json_object_get(j, "policy"),
						  "policy-domain")),
		"d0.example.net");
	ck_assert_ptr_nonnull(json_object_get(j, "summary"));
	ck_assert_int_eq(json_array_size(json_object_get(j, "failure-details")),
			 1);
	ck_assert_ptr_null(json_object_get(j, "queue-id"));
	json_decref(j);
	free(text);
	/* Mode 0640 whatever the umask allows. */
	{
		struct stat st;

		ck_assert_int_eq(stat(path, &st), 0);
		ck_assert_int_eq(st.st_mode & 0777, 0640);
	}
	free(path);
	tlsrpt_report_free(r);
	tlsrpt_store_close(s);
	rm_tree(dir);
	free(dir);
}
END_TEST

/* Issue 15, case 8: 8 KB report-level strings on 1,000 policy lines wrote
 * ~1,000 times the report's JSON. The lines of one report are held to 8
 * times its JSON plus 256 KiB, refused as a limit before they are built;
 * a real report with 1,000 policies passes. */
START_TEST(test_line_bound)
{
	char *dir = make_tmpdir(), *path, *big = malloc(8001), *text;
	struct tlsrpt_store *s = open_store(dir, TLSRPT_STORE_FSYNC_NONE);
	struct tlsrpt_report *r;
	enum tlsrpt_store_outcome oc;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	size_t len;

	ck_assert_ptr_nonnull(big);
	memset(big, 'A', 8000);
	big[8000] = '\0';
	r = make_report(big, "id-big", 1000, 0);
	ck_assert_int_eq(append(s, r, T0, &oc, &err), -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_LIMIT);
	ck_assert_ptr_nonnull(strstr(err.text, "repeat on every line"));
	path = day_path(dir, T0, 0);
	ck_assert(!test_exists(path));
	tlsrpt_report_free(r);

	/* 1,000 policies with real-sized strings: stored, within 4x. */
	r = make_report("Big Mailbox Provider Inc.", "id-real", 1000, 1);
	append_ok(s, r, T0, TLSRPT_STORE_STORED);
	text = test_read_file(path, &len);
	ck_assert_uint_le(len, 4 * r->json_bytes);
	free(text);

	/* The bound is the report's own: the same lines from 10 KB of JSON,
	 * or sent as 1 KB of gzip, would be refused. */
	r->json_bytes = 10000;
	ck_assert_int_eq(append(s, r, T0, &oc, &err), -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_LIMIT);
	ck_assert_uint_eq(tlsrpt_record_max_bytes(r), 8 * 10000 + 16 * 1024);
	r->json_bytes = 10000000;
	r->sent_bytes = 1000;
	ck_assert_uint_eq(tlsrpt_record_max_bytes(r), 256 * 1000 + 16 * 1024);
	tlsrpt_error_clear(&err);
	ck_assert_int_eq(append(s, r, T0, &oc, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.text, "1000 bytes it was sent as"));
	r->sent_bytes = 0; /* not known: the JSON's bound alone */
	ck_assert_uint_eq(tlsrpt_record_max_bytes(r), 80000000 + 16 * 1024);
	tlsrpt_report_free(r);
	free(path);
	free(big);
	tlsrpt_store_close(s);
	rm_tree(dir);
	free(dir);
}
END_TEST

/* ---- de-duplication ---- */

START_TEST(test_dedup_window_restart_lost_index)
{
	char *dir = make_tmpdir(), idx[600];
	struct tlsrpt_store *s = open_store(dir, TLSRPT_STORE_FSYNC_REPORT);
	struct tlsrpt_report *r = make_report("Org", "dup-1", 3, 0);
	struct tlsrpt_report *other = make_report("Org2", "dup-1", 1, 0);
	struct tally t;
	const char *dirs[1] = {dir};

	append_ok(s, r, T0, TLSRPT_STORE_STORED);
	append_ok(s, r, T0 + 10, TLSRPT_STORE_DUPLICATE);
	append_ok(s, other, T0 + 10, TLSRPT_STORE_STORED); /* org differs */
	append_ok(s, r, T0 + 59 * DAY, TLSRPT_STORE_DUPLICATE);
	tlsrpt_store_close(s);
	/* A restart keeps the keys. */
	s = open_store(dir, TLSRPT_STORE_FSYNC_REPORT);
	append_ok(s, r, T0 + DAY, TLSRPT_STORE_DUPLICATE);
	tlsrpt_store_close(s);
	/* A lost index is rebuilt from the day files. */
	snprintf(idx, sizeof(idx), "%s/tlsrpt.index", dir);
	ck_assert_int_eq(unlink(idx), 0);
	s = open_store(dir, TLSRPT_STORE_FSYNC_REPORT);
	append_ok(s, r, T0 + 2 * DAY, TLSRPT_STORE_DUPLICATE);
	append_ok(s, other, T0 + 2 * DAY, TLSRPT_STORE_DUPLICATE);
	/* Past the window (60 days) the same key is a new report. */
	append_ok(s, r, T0 + 60 * DAY, TLSRPT_STORE_STORED);
	tlsrpt_store_close(s);
	read_all(dirs, 1, T0, T0 + DAY, &t);
	ck_assert_uint_eq(t.records, 4);
	ck_assert_int_eq(t.bad_group, 0);
	tally_free(&t);
	rm_tree(dir);
	free(dir);
	tlsrpt_report_free(r);
	tlsrpt_report_free(other);
}
END_TEST

/* The digest is of the report read, not of the bytes sent: indentation,
 * member order, an "mx:" prefix or a zone offset do not change it; a
 * count does. */
START_TEST(test_digest_canonical)
{
	static const char *const same[] = {
		"{\"organization-name\":\"Org\",\"date-range\":{\"start-"
		"datetime\":"
		"\"2024-04-30T00:00:00Z\",\"end-datetime\":\"2024-04-30T23:59:"
		"59Z"
		"\"},\"contact-info\":\"c@org.example\",\"report-id\":\"r1\","
		"\"policies\":[{\"policy\":{\"policy-type\":\"sts\","
		"\"policy-domain\":\"d.example\",\"mx-host\":[\"mx.d.example\"]"
		"},"
		"\"summary\":{\"total-successful-session-count\":5,"
		"\"total-failure-session-count\":0}}]}",
		"{ \"report-id\" : \"r1\",\n  \"policies\" : [ { \"summary\" : "
		"{"
		" \"total-failure-session-count\" : 0,\n"
		" \"total-successful-session-count\" : 5 }, \"policy\" : {"
		" \"mx-host\" : [ \"mx: mx.d.example\" ], \"policy-domain\" :"
		" \"d.example\", \"policy-type\" : \"sts\" } } ],\n"
		"  \"contact-info\" : \"c@org.example\", \"date-range\" : {"
		" \"end-datetime\" : \"2024-05-01T01:59:59+02:00\","
		" \"start-datetime\" : \"2024-04-30T00:00:00Z\" },"
		" \"organization-name\" : \"Org\" }\n",
	};
	char d[2][TLSRPT_DIGEST_HEX + 1], other[TLSRPT_DIGEST_HEX + 1];
	struct tlsrpt_report *r;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	for (int i = 0; i < 2; i++) {
		ck_assert_msg(tlsrpt_report_parse(same[i], strlen(same[i]),
						  &limits, &r, &err) == 0,
			      "%s", err.text);
		ck_assert_int_eq(tlsrpt_report_digest(r, d[i]), 0);
		ck_assert(tlsrpt_digest_valid(d[i]));
		if (i == 1) { /* one session more: another report */
			r->policies[0].total_successful_session_count++;
			ck_assert_int_eq(tlsrpt_report_digest(r, other), 0);
		}
		tlsrpt_report_free(r);
	}
	ck_assert_str_eq(d[0], d[1]);
	ck_assert_str_ne(d[0], other);
}
END_TEST

/* ---- conflicts: the same key with other content ---- */

/* Drop member name from every JSON line of path (a store or index as an
 * older version wrote it). */
static void
strip_member(const char *path, const char *name)
{
	size_t len;
	char *text = test_read_file(path, &len), *line, *save = NULL;
	FILE *f;

	ck_assert_ptr_nonnull(text);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		json_t *o = json_loads(line, 0, NULL);
		char *out;

		ck_assert_ptr_nonnull(o);
		json_object_del(o, name);
		out = json_dumps(o, JSON_COMPACT);
		fprintf(f, "%s\n", out);
		free(out);
		json_decref(o);
	}
	ck_assert_int_eq(fclose(f), 0);
	free(text);
}

/* Google's report ids are predictable: a forgery sent first with the real
 * id must not make the real report a duplicate (issue 15, item 2). */
START_TEST(test_conflict_not_duplicate)
{
	char *dir = make_tmpdir(), idx[600], *d0;
	const char *id = "2024-04-30T00:00:00Z_example.org";
	struct tlsrpt_store *s = open_store(dir, TLSRPT_STORE_FSYNC_NONE);
	struct tlsrpt_report *forged = make_report("Google Inc.", id, 1, 3);
	struct tlsrpt_report *genuine = make_report("Google Inc.", id, 1, 0);
	struct tlsrpt_report *v3 = make_report("Google Inc.", id, 2, 0);
	struct tlsrpt_report *v4 = make_report("Google Inc.", id, 3, 0);
	struct tlsrpt_report *v5 = make_report("Google Inc.", id, 4, 0);
	const char *dirs[1] = {dir};
	struct tlsrpt_store_reader *rd;
	struct tlsrpt_record rec;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct tally t;
	int marked = 0, unmarked = 0;

	append_ok(s, forged, T0, TLSRPT_STORE_STORED);
	append_ok(s, genuine, T0 + 10, TLSRPT_STORE_CONFLICT);
	/* Each version again is a duplicate. */
	append_ok(s, genuine, T0 + 20, TLSRPT_STORE_DUPLICATE);
	append_ok(s, forged, T0 + 20, TLSRPT_STORE_DUPLICATE);
	/* At most TLSRPT_STORE_MAX_VERSIONS (4) versions of one key, for
	 * versions without a DKIM pass (test_signed_after_flood). */
	append_ok(s, v3, T0 + 30, TLSRPT_STORE_CONFLICT);
	append_ok(s, v4, T0 + 30, TLSRPT_STORE_CONFLICT);
	append_dkim_ok(s, v5, T0 + 30, "none", TLSRPT_STORE_TOO_MANY_VERSIONS);
	tlsrpt_store_close(s);
	/* A restart and a lost index keep the versions. */
	s = open_store(dir, TLSRPT_STORE_FSYNC_NONE);
	append_ok(s, genuine, T0 + 40, TLSRPT_STORE_DUPLICATE);
	append_dkim_ok(s, v5, T0 + 40, "none", TLSRPT_STORE_TOO_MANY_VERSIONS);
	tlsrpt_store_close(s);
	snprintf(idx, sizeof(idx), "%s/tlsrpt.index", dir);
	ck_assert_int_eq(unlink(idx), 0);
	s = open_store(dir, TLSRPT_STORE_FSYNC_NONE);
	append_ok(s, forged, T0 + 50, TLSRPT_STORE_DUPLICATE);
	append_dkim_ok(s, v5, T0 + 50, "none", TLSRPT_STORE_TOO_MANY_VERSIONS);
	tlsrpt_store_close(s);

	/* The reader returns every version, the later ones as conflicts. */
	read_all(dirs, 1, T0, T0 + DAY, &t);
	ck_assert_uint_eq(t.records, 1 + 1 + 2 + 3);
	ck_assert_uint_eq(t.duplicates, 0);
	tally_free(&t);
	memset(&rec, 0, sizeof(rec));
	ck_assert_int_eq(tlsrpt_store_reader_open(dirs, 1, T0, T0 + DAY, NULL,
						  &rd, &err),
			 0);
	while (tlsrpt_store_reader_next(rd, &rec, &err) == 1) {
		ck_assert_ptr_nonnull(rec.digest);
		if (rec.conflict)
			marked++;
		else
			unmarked++;
	}
	ck_assert_int_eq(unmarked, 1); /* the first stored, the forgery */
	ck_assert_int_eq(marked, 6);
	ck_assert_uint_eq(tlsrpt_store_reader_stats(rd)->conflicts, 3);
	tlsrpt_record_clear(&rec);
	tlsrpt_store_reader_close(rd);
	rm_tree(dir);

	/* A store written before digests: its index is rebuilt with the
	 * digests computed from the old lines, so the forgery stored then
	 * still does not make the genuine report a duplicate, and the old
	 * report itself still is one. */
	ck_assert_int_eq(mkdir(dir, 0750), 0);
	s = open_store(dir, TLSRPT_STORE_FSYNC_NONE);
	append_ok(s, forged, T0, TLSRPT_STORE_STORED);
	tlsrpt_store_close(s);
	d0 = day_path(dir, T0, 0);
	strip_member(d0, "report-digest");
	strip_member(idx, "digest");
	s = open_store(dir, TLSRPT_STORE_FSYNC_NONE);
	append_ok(s, genuine, T0 + 10, TLSRPT_STORE_CONFLICT);
	append_ok(s, forged, T0 + 20, TLSRPT_STORE_DUPLICATE);
	tlsrpt_store_close(s);
	read_all(dirs, 1, T0, T0 + DAY, &t);
	ck_assert_uint_eq(t.records, 2);
	tally_free(&t);

	free(d0);
	rm_tree(dir);
	free(dir);
	tlsrpt_report_free(forged);
	tlsrpt_report_free(genuine);
	tlsrpt_report_free(v3);
	tlsrpt_report_free(v4);
	tlsrpt_report_free(v5);
}
END_TEST

/* Forgers fill the versions of a predictable id first: the genuine,
 * signed report is still stored (as a conflict), the next unsigned
 * variant is not. */
START_TEST(test_signed_after_flood)
{
	char *dir = make_tmpdir();
	const char *id = "2024-04-30T00:00:00Z_example.org";
	struct tlsrpt_store *s = open_store(dir, TLSRPT_STORE_FSYNC_NONE);
	struct tlsrpt_report *v[6];
	int i;

	for (i = 0; i < 6; i++)
		v[i] = make_report("Google Inc.", id, 1, i);
	append_dkim_ok(s, v[0], T0, "none", TLSRPT_STORE_STORED);
	for (i = 1; i < 4; i++)
		append_dkim_ok(s, v[i], T0 + i, "fail", TLSRPT_STORE_CONFLICT);
	append_dkim_ok(s, v[4], T0 + 10, "pass", TLSRPT_STORE_CONFLICT);
	append_dkim_ok(s, v[4], T0 + 11, "pass", TLSRPT_STORE_DUPLICATE);
	append_dkim_ok(s, v[5], T0 + 12, NULL, TLSRPT_STORE_TOO_MANY_VERSIONS);
	tlsrpt_store_close(s);
	for (i = 0; i < 6; i++)
		tlsrpt_report_free(v[i]);
	rm_tree(dir);
	free(dir);
}
END_TEST

/* ---- rotation, compressed days, retention ---- */

START_TEST(test_rotation_and_gz)
{
	char *dir = make_tmpdir(), *d0, *d1, *g0;
	struct tlsrpt_store *s = open_store(dir, TLSRPT_STORE_FSYNC_REPORT);
	struct tlsrpt_report *a = make_report("Org", "before", 1, 0);
	struct tlsrpt_report *b = make_report("Org", "after", 2, 0);
	struct tlsrpt_prune_stats ps;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct tally t;
	const char *dirs[1] = {dir};

	/* One second before and at UTC midnight. */
	append_ok(s, a, T0 + DAY - 1, TLSRPT_STORE_STORED);
	append_ok(s, b, T0 + DAY, TLSRPT_STORE_STORED);
	d0 = day_path(dir, T0, 0);
	d1 = day_path(dir, T0 + DAY, 0);
	g0 = day_path(dir, T0, 1);
	ck_assert_ptr_nonnull(strstr(d0, "tlsrpt-2024-05-01.jsonl"));
	ck_assert_ptr_nonnull(strstr(d1, "tlsrpt-2024-05-02.jsonl"));
	ck_assert_int_gt(file_size(d0), 0);
	ck_assert_int_gt(file_size(d1), 0);
	read_all(dirs, 1, T0, T0 + DAY, &t);
	ck_assert_uint_eq(t.records, 1);
	tally_free(&t);
	read_all(dirs, 1, T0 + DAY, T0 + 2 * DAY, &t);
	ck_assert_uint_eq(t.records, 2);
	tally_free(&t);

	/* "now" on 05-02: 05-01 is compressed, today's file never is. */
	ck_assert_int_eq(tlsrpt_store_prune(s, T0 + DAY + 5, 1, 0, &ps, &err),
			 0);
	ck_assert_uint_eq(ps.compressed, 1);
	ck_assert_int_eq(file_size(d0), -1);
	ck_assert_int_gt(file_size(g0), 0);
	ck_assert_int_gt(file_size(d1), 0);
	read_all(dirs, 1, 0, 0, &t);
	ck_assert_uint_eq(t.records, 3);
	ck_assert_uint_eq(t.skipped, 0);
	ck_assert_int_eq(t.bad_group, 0);
	tally_free(&t);
	/* Still a duplicate after compression. */
	append_ok(s, a, T0 + DAY + 6, TLSRPT_STORE_DUPLICATE);
	/* A late write to a compressed day: both files, both read. */
	{
		struct tlsrpt_report *c = make_report("Org", "late", 1, 0);

		append_ok(s, c, T0 + 100, TLSRPT_STORE_STORED);
		ck_assert_int_gt(file_size(d0), 0);
		read_all(dirs, 1, T0, T0 + DAY, &t);
		ck_assert_uint_eq(t.records, 2);
		tally_free(&t);
		/* Compressing again appends a gzip member. */
		ck_assert_int_eq(
			tlsrpt_store_prune(s, T0 + DAY + 5, 1, 0, &ps, &err),
			0);
		ck_assert_uint_eq(ps.compressed, 1);
		ck_assert_int_eq(file_size(d0), -1);
		read_all(dirs, 1, 0, 0, &t);
		ck_assert_uint_eq(t.records, 4);
		ck_assert_uint_eq(t.duplicates, 0);
		tally_free(&t);
		tlsrpt_report_free(c);
	}
	/* A crash between rename and unlink leaves both: the copy is seen. */
	{
		size_t len;
		char *copy = test_read_file(g0, &len);
		gzFile gz = gzopen(g0, "rb");
		char buf[65536];
		int n = gzread(gz, buf, sizeof(buf));
		FILE *f = fopen(d0, "w");

		ck_assert_int_gt(n, 0);
		gzclose(gz);
		fwrite(buf, 1, (size_t)n, f);
		fclose(f);
		read_all(dirs, 1, 0, 0, &t);
		ck_assert_uint_eq(t.records, 4); /* copy skipped */
		ck_assert_uint_gt(t.duplicates, 0);
		tally_free(&t);
		ck_assert_int_eq(
			tlsrpt_store_prune(s, T0 + DAY + 5, 1, 0, &ps, &err),
			0);
		ck_assert_int_eq(file_size(d0), -1);
		ck_assert_int_eq(file_size(g0), (off_t)len); /* unchanged */
		free(copy);
	}
	/* Retention: delete what is 2 days old on 05-03. */
	ck_assert_int_eq(
		tlsrpt_store_prune(s, T0 + 2 * DAY + 5, 0, 2, &ps, &err), 0);
	ck_assert_uint_eq(ps.deleted, 1);
	ck_assert_int_eq(file_size(g0), -1);
	read_all(dirs, 1, 0, 0, &t);
	ck_assert_uint_eq(t.records, 2);
	tally_free(&t);
	/* Index pruning drops keys older than the window only. */
	ck_assert_int_eq(tlsrpt_store_prune(s, T0 + 60 * DAY, 0, 0, &ps, &err),
			 0);
	ck_assert_uint_eq(ps.keys_dropped, 2); /* before, late (05-01) */
	ck_assert_uint_eq(ps.keys_kept, 1);    /* after (05-02) */
	append_ok(s, a, T0 + 60 * DAY, TLSRPT_STORE_STORED);
	append_ok(s, b, T0 + 60 * DAY, TLSRPT_STORE_DUPLICATE);
	free(d0);
	free(d1);
	free(g0);
	tlsrpt_report_free(a);
	tlsrpt_report_free(b);
	tlsrpt_store_close(s);
	rm_tree(dir);
	free(dir);
}
END_TEST

/* ---- recovery, deterministically ---- */

/* The lines the store writes for r, taken from a scratch store. */
static char *
lines_of(struct tlsrpt_report *r, size_t *len)
{
	char *dir = make_tmpdir(), *path, *buf;
	struct tlsrpt_store *s = open_store(dir, TLSRPT_STORE_FSYNC_NONE);

	append_ok(s, r, T0, TLSRPT_STORE_STORED);
	tlsrpt_store_close(s);
	path = day_path(dir, T0, 0);
	buf = test_read_file(path, len);
	free(path);
	rm_tree(dir);
	free(dir);
	return buf;
}

START_TEST(test_recovery_tail)
{
	char *dir = make_tmpdir(), *d0, idx[600];
	struct tlsrpt_report *x = make_report("Org", "x", 3, 1);
	struct tlsrpt_report *y = make_report("Org", "y", 1, 0);
	struct tlsrpt_report *z = make_report("Org", "z", 3, 1);
	/* Other versions of y: one left by the crash, one sent after. */
	struct tlsrpt_report *y2 = make_report("Org", "y", 2, 0);
	struct tlsrpt_report *y3 = make_report("Org", "y", 1, 1);
	struct tlsrpt_store *s = open_store(dir, TLSRPT_STORE_FSYNC_NONE);
	size_t xl, zl, y2l;
	char *xs = lines_of(x, &xl), *zs = lines_of(z, &zl),
	     *y2s = lines_of(y2, &y2l);
	const char *dirs[1] = {dir};
	off_t good;
	struct tally t;
	FILE *f;

	append_ok(s, y, T0, TLSRPT_STORE_STORED);
	d0 = day_path(dir, T0, 0);
	/* A writer died after writing x's lines, before recording its key;
	 * another died inside the write of z (one and a half lines). */
	f = fopen(d0, "a");
	fwrite(xs, 1, xl, f);
	fwrite(y2s, 1, y2l, f); /* and one after writing a version of y */
	fclose(f);
	good = file_size(d0);
	f = fopen(d0, "a");
	fwrite(zs, 1, (size_t)(strchr(strchr(zs, '\n') + 1, '\n') - zs) - 20,
	       f);
	fclose(f);
	/* And one died inside an index record. */
	snprintf(idx, sizeof(idx), "%s/tlsrpt.index", dir);
	f = fopen(idx, "a");
	fputs("{\"day\":\"2024-05-01\",\"org\":\"Org\",\"i", f);
	fclose(f);
	/* The next append recovers: x is known, z's half is gone. */
	append_ok(s, x, T0 + 5, TLSRPT_STORE_DUPLICATE);
	ck_assert_int_eq(file_size(d0), good);
	append_ok(s, z, T0 + 6, TLSRPT_STORE_STORED);
	/* The version of y found by recovery has its digest recorded. */
	append_ok(s, y2, T0 + 7, TLSRPT_STORE_DUPLICATE);
	append_ok(s, y3, T0 + 7, TLSRPT_STORE_CONFLICT);
	assert_all_lines_valid(d0);
	assert_all_lines_valid(idx);
	read_all(dirs, 1, 0, 0, &t);
	ck_assert_uint_eq(t.records, 10);
	ck_assert_uint_eq(t.skipped, 0);
	ck_assert_int_eq(t.bad_group, 0);
	tally_free(&t);
	tlsrpt_store_close(s);
	free(xs);
	free(zs);
	free(y2s);
	free(d0);
	tlsrpt_report_free(x);
	tlsrpt_report_free(y);
	tlsrpt_report_free(z);
	tlsrpt_report_free(y2);
	tlsrpt_report_free(y3);
	rm_tree(dir);
	free(dir);
}
END_TEST

/* ---- refused paths, damage, several stores ---- */

START_TEST(test_symlink_refused)
{
	char *dir = make_tmpdir(), *d0, target[600], msg[512];
	struct tlsrpt_store *s = open_store(dir, TLSRPT_STORE_FSYNC_REPORT);
	struct tlsrpt_report *r = make_report("Org", "sym", 1, 0);
	enum tlsrpt_store_outcome oc;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	d0 = day_path(dir, T0, 0);
	snprintf(target, sizeof(target), "%s/target", dir);
	ck_assert_int_eq(symlink(target, d0), 0);
	ck_assert_int_eq(append(s, r, T0, &oc, &err), -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_IO);
	tlsrpt_error_format(&err, msg, sizeof(msg));
	ck_assert_msg(strstr(msg, "symbolic link") != NULL &&
			      strstr(msg, "tlsrpt-2024-05-01.jsonl") != NULL,
		      "%s", msg);
	ck_assert_int_eq(file_size(target), -1);
	/* Once removed, the report goes in (it was not recorded). */
	ck_assert_int_eq(unlink(d0), 0);
	append_ok(s, r, T0, TLSRPT_STORE_STORED);
	free(d0);
	tlsrpt_report_free(r);
	tlsrpt_store_close(s);
	rm_tree(dir);
	free(dir);
}
END_TEST

/* ---- the store directory removed or replaced under an open store ---- */

/* Lines of dir for the day of T0; fails unless each report is whole and
 * met once. */
static unsigned long
count_records(const char *dir)
{
	const char *dirs[1] = {dir};
	struct tally t;
	unsigned long n;

	read_all(dirs, 1, T0, T0 + DAY, &t);
	ck_assert_int_eq(t.bad_group, 0);
	ck_assert_uint_eq(t.duplicates, 0);
	n = t.records;
	tally_free(&t);
	return n;
}

static void
append_fails(struct tlsrpt_store *s, const struct tlsrpt_report *r,
	     const char *want1, const char *want2)
{
	enum tlsrpt_store_outcome oc;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char msg[1024];

	ck_assert_int_eq(append(s, r, T0, &oc, &err), -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_IO);
	tlsrpt_error_format(&err, msg, sizeof(msg));
	ck_assert_msg(strstr(msg, want1) != NULL && strstr(msg, want2) != NULL,
		      "%s", msg);
}

START_TEST(test_dir_removed_or_replaced)
{
	char *top = make_tmpdir(), dir[600], other[600], sub[600], path[700];
	struct tlsrpt_store *s, *s2;
	struct tlsrpt_report *a = make_report("Org", "gone-a", 2, 0);
	struct tlsrpt_report *b = make_report("Org", "gone-b", 3, 1);
	struct tlsrpt_report *c = make_report("Org", "gone-c", 1, 0);
	struct stat st;
	int fd;

	snprintf(dir, sizeof(dir), "%s/store", top);
	snprintf(other, sizeof(other), "%s/other", top);
	s = open_store(dir, TLSRPT_STORE_FSYNC_REPORT);
	append_ok(s, a, T0, TLSRPT_STORE_STORED);
	append_ok(s, a, T0, TLSRPT_STORE_DUPLICATE);

	/* Removed: the append makes it again, as open would, with a new
	 * index -- the old keys went with the old directory. */
	rm_tree(dir);
	append_ok(s, a, T0, TLSRPT_STORE_STORED);
	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0750);
	append_ok(s, a, T0, TLSRPT_STORE_DUPLICATE);
	ck_assert_uint_eq(count_records(dir), 2);
	snprintf(path, sizeof(path), "%s/tlsrpt.index", dir);
	ck_assert(test_exists(path));

	/* Removed and made again by hand (empty). */
	rm_tree(dir);
	ck_assert_int_eq(mkdir(dir, 0750), 0);
	append_ok(s, b, T0, TLSRPT_STORE_STORED);
	append_ok(s, a, T0, TLSRPT_STORE_STORED);
	append_ok(s, b, T0 + 10, TLSRPT_STORE_DUPLICATE);
	append_ok(s, a, T0 + 10, TLSRPT_STORE_DUPLICATE);
	ck_assert_uint_eq(count_records(dir), 5);

	/* Replaced by another store (a restore): its index decides. */
	s2 = open_store(other, TLSRPT_STORE_FSYNC_REPORT);
	append_ok(s2, c, T0, TLSRPT_STORE_STORED);
	tlsrpt_store_close(s2);
	rm_tree(dir);
	ck_assert_int_eq(rename(other, dir), 0);
	append_ok(s, c, T0, TLSRPT_STORE_DUPLICATE);
	append_ok(s, a, T0, TLSRPT_STORE_STORED);
	append_ok(s, a, T0, TLSRPT_STORE_DUPLICATE);
	ck_assert_uint_eq(count_records(dir), 3);

	/* Restored without its index: rebuilt from the day files. */
	s2 = open_store(other, TLSRPT_STORE_FSYNC_REPORT);
	append_ok(s2, b, T0, TLSRPT_STORE_STORED);
	tlsrpt_store_close(s2);
	snprintf(path, sizeof(path), "%s/tlsrpt.index", other);
	ck_assert_int_eq(unlink(path), 0);
	rm_tree(dir);
	ck_assert_int_eq(rename(other, dir), 0);
	append_ok(s, b, T0 + 20, TLSRPT_STORE_DUPLICATE);
	append_ok(s, c, T0, TLSRPT_STORE_STORED);
	ck_assert_uint_eq(count_records(dir), 4);

	/* Replaced by a file: no store to write to, the path is named. */
	rm_tree(dir);
	fd = open(dir, O_WRONLY | O_CREAT | O_EXCL, 0640);
	ck_assert_int_ge(fd, 0);
	close(fd);
	append_fails(s, a, dir, "cannot open the store directory");
	ck_assert_int_eq(unlink(dir), 0);

	/* A lock file planted as a symbolic link is refused, as at open. */
	ck_assert_int_eq(mkdir(dir, 0750), 0);
	snprintf(path, sizeof(path), "%s/tlsrpt.lock", dir);
	snprintf(sub, sizeof(sub), "%s/planted", top);
	ck_assert_int_eq(symlink(sub, path), 0);
	append_fails(s, a, "tlsrpt.lock", "symbolic link");
	ck_assert(!test_exists(sub));
	ck_assert_int_eq(unlink(path), 0);
	append_ok(s, a, T0, TLSRPT_STORE_STORED);
	ck_assert_uint_eq(count_records(dir), 2);
	tlsrpt_store_close(s);

	/* Gone with its parent: cannot be made again, the path is named;
	 * once the parent is back the store goes on. */
	snprintf(sub, sizeof(sub), "%s/parent", top);
	ck_assert_int_eq(mkdir(sub, 0750), 0);
	snprintf(path, sizeof(path), "%s/parent/store", top);
	s = open_store(path, TLSRPT_STORE_FSYNC_NONE);
	append_ok(s, a, T0, TLSRPT_STORE_STORED);
	rm_tree(sub);
	append_fails(s, a, path, "cannot create the store directory");
	append_fails(s, a, path, "No such file or directory");
	ck_assert_int_eq(mkdir(sub, 0750), 0);
	append_ok(s, a, T0, TLSRPT_STORE_STORED);
	append_ok(s, a, T0, TLSRPT_STORE_DUPLICATE);
	ck_assert_uint_eq(count_records(path), 2);
	tlsrpt_store_close(s);

	tlsrpt_report_free(a);
	tlsrpt_report_free(b);
	tlsrpt_report_free(c);
	rm_tree(top);
	free(top);
}
END_TEST

START_TEST(test_damaged_lines)
{
	char *dir = make_tmpdir(), *d0;
	struct tlsrpt_store *s = open_store(dir, TLSRPT_STORE_FSYNC_NONE);
	struct tlsrpt_report *r = make_report("Org", "ok-1", 1, 0);
	struct tlsrpt_report *r2 = make_report("Org", "ok-2", 1, 0);
	struct tlsrpt_store_reader *rd;
	struct tlsrpt_record rec;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	const struct tlsrpt_reader_stats *st;
	const char *dirs[1] = {dir};
	FILE *f;
	int n = 0, rc;

	append_ok(s, r, T0, TLSRPT_STORE_STORED);
	d0 = day_path(dir, T0, 0);
	f = fopen(d0, "a");
	fputs("not json\n{\"v\":1}\n{\"v\":2,\"received\":\"x\"}\n", f);
	fclose(f);
	append_ok(s, r2, T0 + 1, TLSRPT_STORE_STORED);
	tlsrpt_store_close(s);
	f = fopen(d0, "a");
	fputs("{\"v\":1,\"recei", f); /* a truncated last line */
	fclose(f);
	memset(&rec, 0, sizeof(rec));
	ck_assert_int_eq(
		tlsrpt_store_reader_open(dirs, 1, 0, 0, NULL, &rd, &err), 0);
	while ((rc = tlsrpt_store_reader_next(rd, &rec, &err)) == 1)
		n++;
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(n, 2);
	st = tlsrpt_store_reader_stats(rd);
	ck_assert_uint_eq(st->skipped, 4);
	ck_assert_uint_eq(st->n_problems, 4);
	ck_assert_msg(strstr(st->problems[0], "tlsrpt-2024-05-01.jsonl:2:") !=
			      NULL,
		      "%s", st->problems[0]);
	/* The JSON error says where in the line. */
	ck_assert_msg(strstr(st->problems[0], "not JSON: ") != NULL &&
			      strstr(st->problems[0], " (at byte ") != NULL,
		      "%s", st->problems[0]);
	ck_assert_ptr_nonnull(strstr(st->problems[3], ".jsonl:6: truncated"));
	tlsrpt_store_reader_close(rd);
	free(d0);
	tlsrpt_report_free(r);
	tlsrpt_report_free(r2);
	rm_tree(dir);
	free(dir);
}
END_TEST

/* Day files the reader cannot read are counted and named apart from
 * damaged lines: their reports are missing from every count. A symbolic
 * link and a directory stand in for a file without permission, which root
 * (who runs the tests in CI) could read all the same. */
START_TEST(test_unreadable_files)
{
	char *dir = make_tmpdir(), *d0, *d1, *d2;
	struct tlsrpt_store *s = open_store(dir, TLSRPT_STORE_FSYNC_NONE);
	struct tlsrpt_report *r = make_report("Org", "ok-1", 1, 0);
	struct tlsrpt_store_reader *rd;
	struct tlsrpt_record rec;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	const struct tlsrpt_reader_stats *st;
	const char *dirs[1] = {dir};
	int n = 0, rc;

	append_ok(s, r, T0, TLSRPT_STORE_STORED);
	tlsrpt_store_close(s);
	d0 = day_path(dir, T0, 0);
	d1 = day_path(dir, T0 + 86400, 0);
	d2 = day_path(dir, T0 + 2 * 86400, 0);
	ck_assert_int_eq(symlink(d0, d1), 0);
	ck_assert_int_eq(mkdir(d2, 0700), 0);
	memset(&rec, 0, sizeof(rec));
	ck_assert_int_eq(
		tlsrpt_store_reader_open(dirs, 1, 0, 0, NULL, &rd, &err), 0);
	while ((rc = tlsrpt_store_reader_next(rd, &rec, &err)) == 1)
		n++;
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(n, 1);
	st = tlsrpt_store_reader_stats(rd);
	ck_assert_uint_eq(st->skipped, 0);
	ck_assert_uint_eq(st->n_problems, 0);
	ck_assert_uint_eq(st->unreadable, 2);
	ck_assert_uint_eq(st->n_unreadable_files, 2);
	ck_assert_msg(strstr(st->unreadable_files[0], "symbolic link") != NULL,
		      "%s", st->unreadable_files[0]);
	ck_assert_msg(strstr(st->unreadable_files[1], "not a regular file") !=
			      NULL,
		      "%s", st->unreadable_files[1]);
	tlsrpt_store_reader_close(rd);
	ck_assert_int_eq(rmdir(d2), 0);
	free(d0);
	free(d1);
	free(d2);
	tlsrpt_report_free(r);
	rm_tree(dir);
	free(dir);
}
END_TEST

START_TEST(test_several_dirs)
{
	char *a = make_tmpdir(), *b = make_tmpdir(), id[32];
	struct tlsrpt_store *sa = open_store(a, TLSRPT_STORE_FSYNC_NONE);
	struct tlsrpt_store *sb = open_store(b, TLSRPT_STORE_FSYNC_NONE);
	const char *dirs[2] = {a, b};
	struct tally t;

	for (int i = 0; i < 15; i++) {
		struct tlsrpt_report *r;

		snprintf(id, sizeof(id), "r%d", i);
		r = make_report("Org", id, 1 + i % 3, 0);
		if (i < 10)
			append_ok(sa, r, T0 + i * 3600, TLSRPT_STORE_STORED);
		if (i >= 5) /* r5..r9 in both, b one day later for r9 */
			append_ok(sb, r, T0 + i * 3600 + (i == 9 ? DAY : 0),
				  TLSRPT_STORE_STORED);
		tlsrpt_report_free(r);
	}
	read_all(dirs, 2, 0, 0, &t);
	ck_assert_uint_eq(json_object_size(t.lines), 15);
	ck_assert_int_eq(t.bad_group, 0);
	ck_assert_uint_gt(t.duplicates, 0);
	tally_free(&t);
	tlsrpt_store_close(sa);
	tlsrpt_store_close(sb);
	rm_tree(a);
	rm_tree(b);
	free(a);
	free(b);
}
END_TEST

/* ---- disk full ---- */

START_TEST(test_file_size_limit)
{
	char *dir = make_tmpdir(), *d0;
	pid_t pid;
	int status;

	d0 = day_path(dir, T0, 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct tlsrpt_store *s;
		struct tlsrpt_report *small = make_report("Org", "s", 1, 0);
		struct tlsrpt_report *big = make_report("Org", "big", 3, 30);
		enum tlsrpt_store_outcome oc;
		struct tlsrpt_error err = TLSRPT_ERROR_INIT;
		struct rlimit rl;
		off_t before;
		char msg[512];

		signal(SIGXFSZ, SIG_IGN);
		s = open_store(dir, TLSRPT_STORE_FSYNC_REPORT);
		append_ok(s, small, T0, TLSRPT_STORE_STORED);
		before = file_size(d0);
		getrlimit(RLIMIT_FSIZE, &rl);
		rl.rlim_cur = (rlim_t)before + 200;
		if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
			_exit(10);
		if (append(s, big, T0 + 1, &oc, &err) != -1)
			_exit(11);
		tlsrpt_error_format(&err, msg, sizeof(msg));
		if (err.code != TLSRPT_ERR_IO ||
		    strstr(msg, "tlsrpt-2024-05-01.jsonl") == NULL ||
		    strstr(msg, strerror(EFBIG)) == NULL) {
			fprintf(stderr, "bad error: %s\n", msg);
			_exit(12);
		}
		if (file_size(d0) != before) /* no partial line left */
			_exit(13);
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
			_exit(14);
		if (append(s, big, T0 + 2, &oc, &err) != 0 ||
		    oc != TLSRPT_STORE_STORED)
			_exit(15);
		tlsrpt_store_close(s);
		tlsrpt_report_free(small);
		tlsrpt_report_free(big);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "child status %d", status);
	assert_all_lines_valid(d0);
	{
		struct tally t;
		const char *dirs[1] = {dir};

		read_all(dirs, 1, 0, 0, &t);
		ck_assert_uint_eq(t.records, 4);
		ck_assert_uint_eq(t.skipped, 0);
		ck_assert_int_eq(t.bad_group, 0);
		tally_free(&t);
	}
	free(d0);
	rm_tree(dir);
	free(dir);
}
END_TEST

/* ---- concurrency ---- */

#define N_PROCS 8
#define N_THREADS 4
#define N_REPORTS 500

struct worker {
	struct tlsrpt_store *s;
	int proc, thread, round;
	int failed;
};

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	char id[64];

	for (int i = 0; i < N_REPORTS; i++) {
		struct tlsrpt_report *r;
		enum tlsrpt_store_outcome oc;
		struct tlsrpt_error err = TLSRPT_ERROR_INIT;

		/* Round 0: distinct reports; round 1: everybody sends the
		 * first process's first thread's 500 again. */
		if (w->round == 0)
			snprintf(id, sizeof(id), "p%d-t%d-r%d", w->proc,
				 w->thread, i);
		else
			snprintf(id, sizeof(id), "p0-t0-r%d", i);
		r = make_report("Stress Org", id, 1 + i % 3, i % 2);
		if (append(w->s, r, T0 + i, &oc, &err) != 0 ||
		    (w->round == 1 && oc != TLSRPT_STORE_DUPLICATE) ||
		    (w->round == 0 && oc != TLSRPT_STORE_STORED))
			w->failed++;
		tlsrpt_report_free(r);
	}
	return NULL;
}

static int
run_proc(const char *dir, int proc, int round)
{
	struct tlsrpt_store *s = open_store(dir, TLSRPT_STORE_FSYNC_NONE);
	pthread_t th[N_THREADS];
	struct worker w[N_THREADS];
	int failed = 0;

	for (int t = 0; t < N_THREADS; t++) {
		w[t] = (struct worker){s, proc, t, round, 0};
		pthread_create(&th[t], NULL, worker_main, &w[t]);
	}
	for (int t = 0; t < N_THREADS; t++) {
		pthread_join(th[t], NULL);
		failed += w[t].failed;
	}
	tlsrpt_store_close(s);
	return failed;
}

/* A reader scanning until told to stop: every line it sees is valid and
 * every report it sees is whole (policy-count lines). */
static int
reader_loop(const char *dir, const char *stopfile)
{
	const char *dirs[1] = {dir};
	int scans = 0;

	for (;;) {
		int stop = access(stopfile, F_OK) == 0;
		struct tally t;

		read_all(dirs, 1, 0, 0, &t);
		if (t.skipped != 0 || t.duplicates != 0 || t.bad_group)
			return 20;
		tally_free(&t);
		scans++;
		if (stop)
			break;
	}
	return scans > 0 ? 0 : 21;
}

START_TEST(test_concurrent_writers)
{
	char *dir = make_tmpdir(), stopfile[600], *d0;
	pid_t pids[N_PROCS], rpid;
	int status;
	struct tally t;
	const char *dirs[1] = {dir};

	snprintf(stopfile, sizeof(stopfile), "%s.stop", dir);
	for (int round = 0; round < 2; round++) {
		unlink(stopfile);
		rpid = fork();
		ck_assert_int_ge(rpid, 0);
		if (rpid == 0)
			_exit(reader_loop(dir, stopfile));
		for (int p = 0; p < N_PROCS; p++) {
			pids[p] = fork();
			ck_assert_int_ge(pids[p], 0);
			if (pids[p] == 0)
				_exit(run_proc(dir, p, round) != 0 ? 1 : 0);
		}
		for (int p = 0; p < N_PROCS; p++) {
			ck_assert_int_eq(waitpid(pids[p], &status, 0), pids[p]);
			ck_assert_msg(WIFEXITED(status) &&
					      WEXITSTATUS(status) == 0,
				      "round %d writer %d: status %d", round, p,
				      status);
		}
		close(open(stopfile, O_CREAT | O_WRONLY, 0600));
		ck_assert_int_eq(waitpid(rpid, &status, 0), rpid);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			      "reader status %d", status);
		read_all(dirs, 1, 0, 0, &t);
		ck_assert_uint_eq(json_object_size(t.lines),
				  N_PROCS * N_THREADS * N_REPORTS);
		ck_assert_uint_eq(t.skipped, 0);
		ck_assert_uint_eq(t.duplicates, 0);
		ck_assert_int_eq(t.bad_group, 0);
		tally_free(&t);
	}
	d0 = day_path(dir, T0, 0);
	assert_all_lines_valid(d0);
	free(d0);
	unlink(stopfile);
	rm_tree(dir);
	free(dir);
}
END_TEST

/* ---- crash safety ---- */

#define CRASH_KEYS 200

/* Writes reports until killed; says on started (one byte) once its first
 * append has returned, so the parent's kill lands while it writes, not
 * before a loaded machine has even run it. */
static void
crash_writer(const char *dir, unsigned seed, int started)
{
	/* fdatasync widens the window between the lines and the key. */
	struct tlsrpt_store *s = open_store(dir, TLSRPT_STORE_FSYNC_REPORT);
	char id[32];

	srand(seed);
	for (int n = 0;; n++) {
		int k = rand() % CRASH_KEYS;
		struct tlsrpt_report *r;
		enum tlsrpt_store_outcome oc;
		struct tlsrpt_error err = TLSRPT_ERROR_INIT;

		snprintf(id, sizeof(id), "crash-%d", k);
		/* Large reports make a kill inside write() likely. */
		r = make_report("Crash Org", id, 1 + k % 5, k % 4 * 20);
		(void)append(s, r, T0 + k * 60, &oc, &err);
		tlsrpt_report_free(r);
		if (n == 0 && write(started, "x", 1) != 1)
			_exit(1);
	}
}

START_TEST(test_sigkill_writers)
{
	char *dir = make_tmpdir(), *d0;
	struct tally t;
	const char *dirs[1] = {dir};
	struct tlsrpt_store *s;
	unsigned long stored;

	srand(12345);
	for (int i = 0; i < 100; i++) {
		int started[2];
		pid_t pid;
		int status;
		struct pollfd pfd;

		ck_assert_int_eq(pipe(started), 0);
		pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			close(started[0]);
			crash_writer(dir, (unsigned)i + 1, started[1]);
		}
		close(started[1]);
		/* Under load a child may not run for a while: wait (60 s at
		 * most) until it has appended once, then kill it at a
		 * random point of its next appends. */
		pfd.fd = started[0];
		pfd.events = POLLIN;
		ck_assert_int_eq(poll(&pfd, 1, 60000), 1);
		close(started[0]);
		usleep((useconds_t)(rand() % 30000));
		kill(pid, SIGKILL);
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert(WIFSIGNALED(status));
	}
	/* Recovery runs under the next writer's lock. */
	s = open_store(dir, TLSRPT_STORE_FSYNC_NONE);
	{
		struct tlsrpt_report *r =
			make_report("Crash Org", "last", 1, 0);

		append_ok(s, r, T0, TLSRPT_STORE_STORED);
		tlsrpt_report_free(r);
	}
	d0 = day_path(dir, T0, 0);
	assert_all_lines_valid(d0);
	read_all(dirs, 1, 0, 0, &t);
	ck_assert_uint_eq(t.skipped, 0);
	ck_assert_uint_eq(t.duplicates, 0); /* never stored twice */
	ck_assert_int_eq(t.bad_group, 0);   /* never half */
	stored = json_object_size(t.lines);
	ck_assert_uint_gt(stored, 1);
	tally_free(&t);
	/* Every report on disk is known to the index. */
	for (int k = 0; k < CRASH_KEYS; k++) {
		char id[32];
		struct tlsrpt_report *r;
		enum tlsrpt_store_outcome oc;
		struct tlsrpt_error err = TLSRPT_ERROR_INIT;

		snprintf(id, sizeof(id), "crash-%d", k);
		r = make_report("Crash Org", id, 1 + k % 5, k % 4 * 20);
		ck_assert_int_eq(append(s, r, T0 + k * 60, &oc, &err), 0);
		tlsrpt_report_free(r);
	}
	read_all(dirs, 1, 0, 0, &t);
	ck_assert_uint_eq(t.duplicates, 0);
	ck_assert_int_eq(t.bad_group, 0);
	ck_assert_uint_eq(json_object_size(t.lines), CRASH_KEYS + 1);
	tally_free(&t);
	tlsrpt_store_close(s);
	free(d0);
	rm_tree(dir);
	free(dir);
}
END_TEST

/* ---- pruning while writing ---- */

#define PRUNE_REPORTS 1500

START_TEST(test_prune_while_writing)
{
	char *dir = make_tmpdir();
	struct tlsrpt_store *s = open_store(dir, TLSRPT_STORE_FSYNC_NONE);
	struct tlsrpt_prune_stats ps;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	const char *dirs[1] = {dir};
	unsigned compressed = 0;
	struct tally t;
	pid_t pid;
	int status, prunes = 0;

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct tlsrpt_store *w =
			open_store(dir, TLSRPT_STORE_FSYNC_NONE);
		char id[32];
		int bad = 0;

		/* Received times walk over 5 days, with some late ones. */
		for (int i = 0; i < PRUNE_REPORTS; i++) {
			struct tlsrpt_report *r;
			enum tlsrpt_store_outcome oc;
			struct tlsrpt_error e = TLSRPT_ERROR_INIT;
			int64_t when =
				T0 + (int64_t)i * 5 * DAY / PRUNE_REPORTS;

			if (i % 7 == 0)
				when -= 2 * DAY;
			snprintf(id, sizeof(id), "prune-%d", i);
			r = make_report("Prune Org", id, 1 + i % 2, 0);
			if (append(w, r, when, &oc, &e) != 0 ||
			    oc != TLSRPT_STORE_STORED)
				bad++;
			tlsrpt_report_free(r);
		}
		tlsrpt_store_close(w);
		_exit(bad != 0);
	}
	while (waitpid(pid, &status, WNOHANG) == 0) {
		/* "now" a week on: every day so far is compressible. */
		if (tlsrpt_store_prune(s, T0 + 7 * DAY, 1, 0, &ps, &err) != 0)
			ck_abort_msg("prune: %s: %s", err.path, err.text);
		compressed += ps.compressed;
		prunes++;
		read_all(dirs, 1, 0, 0, &t);
		ck_assert_uint_eq(t.skipped, 0);
		ck_assert_int_eq(t.bad_group, 0);
		tally_free(&t);
	}
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "writer status %d", status);
	ck_assert_int_gt(prunes, 1);
	ck_assert_uint_gt(compressed, 1);
	read_all(dirs, 1, 0, 0, &t);
	ck_assert_uint_eq(json_object_size(t.lines), PRUNE_REPORTS);
	ck_assert_uint_eq(t.skipped, 0);
	ck_assert_uint_eq(t.duplicates, 0);
	ck_assert_int_eq(t.bad_group, 0);
	tally_free(&t);
	tlsrpt_store_close(s);
	rm_tree(dir);
	free(dir);
}
END_TEST

static Suite *
store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("basic"), *st = tcase_create("stress");

	tcase_add_test(tc, test_round_trip_fixtures);
	tcase_add_test(tc, test_line_format);
	tcase_add_test(tc, test_line_bound);
	tcase_add_test(tc, test_dedup_window_restart_lost_index);
	tcase_add_test(tc, test_conflict_not_duplicate);
	tcase_add_test(tc, test_signed_after_flood);
	tcase_add_test(tc, test_digest_canonical);
	tcase_add_test(tc, test_rotation_and_gz);
	tcase_add_test(tc, test_recovery_tail);
	tcase_add_test(tc, test_symlink_refused);
	tcase_add_test(tc, test_dir_removed_or_replaced);
	tcase_add_test(tc, test_damaged_lines);
	tcase_add_test(tc, test_unreadable_files);
	tcase_add_test(tc, test_several_dirs);
	tcase_add_test(tc, test_file_size_limit);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	tcase_add_test(st, test_concurrent_writers);
	tcase_add_test(st, test_sigkill_writers);
	tcase_add_test(st, test_prune_while_writing);
	tcase_set_timeout(st, 150);
	suite_add_tcase(s, st);
	return s;
}

int
main(void)
{
	tlsrpt_alloc_init();
	json_object_seed(0);
	tlsrpt_limits_default(&limits);
	return test_run(store_suite());
}
