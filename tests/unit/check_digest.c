/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_digest.c -- the digest e-mail of tlsrpt-summary (--format mail):
 * written out, parsed back with GMime and checked part by part (multipart/
 * alternative, text/plain and text/html in UTF-8, the headers sendmail -t
 * and mail clients need, line lengths, LF line ends); the Subject verdict
 * and summary_fine() for known stores; --only-problems writing nothing on a
 * clean store; addresses and header values refused.
 *
 * The stores are built before the tests from the report templates of
 * check_aggregate (tests/data/summary/), with day(n) = 2026-11-n 00:00 UTC
 * and the window [day(23), day(30)):
 *   clean    Google Inc.   example.org and example.edu, days 1..29, 1000 ok
 *   failing  clean + "Exämple Mäil" (Microsoft's template) on example.org,
 *            days 10..29: 500 ok, 20 failed (15 certificate-expired, 5
 *            starttls-not-supported) -> example.org 140 of 10640 = 1.3%
 *   silent   Google Inc.   example.org days 1..29, example.net days 1..20
 *   damaged  clean + one damaged line in the day-26 file
 *   empty    nothing at all
 */
#include <check.h>
#include <gmime/gmime.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "report/report.h"
#include "store/store.h"
#include "summary/aggregate.h"
#include "summary/render.h"
#include "summary/render_mail.h"
#include "tests/unit/summary_fixture.h"
#include "tests/unit/testutil.h"

static char top[] = "/tmp/tlsrpt-digest.XXXXXX";

/* ---- building the stores ---- */

/* The report of day n in the store top/store, received at 06:00. */
static void
add(const char *store, const char *tmpl, const char *org, const char *domain,
    int n)
{
	char *dir = g_strdup_printf("%s/%s", top, store);

	fixture_add(dir, tmpl, org, domain, n, DAY(n) + 6 * HOUR, "pass");
	g_free(dir);
}

static void
build_stores(void)
{
	static const char *const clean_like[] = {"clean", "failing", "damaged"};
	char path[128];
	size_t i;
	int n;

	fixture_mkdtemp(top);
	for (i = 0; i < sizeof(clean_like) / sizeof(clean_like[0]); i++) {
		for (n = 1; n <= 29; n++) {
			add(clean_like[i], "google.json", NULL, NULL, n);
			add(clean_like[i], "google.json", NULL, "example.edu",
			    n);
		}
	}
	for (n = 10; n <= 29; n++)
		add("failing", "microsoft.json", "Exämple Mäil", NULL, n);
	for (n = 1; n <= 29; n++)
		add("silent", "google.json", NULL, NULL, n);
	for (n = 1; n <= 20; n++)
		add("silent", "google.json", NULL, "example.net", n);
	snprintf(path, sizeof(path), "%s/damaged/tlsrpt-2026-11-26.jsonl", top);
	fixture_damage(path);
	snprintf(path, sizeof(path), "%s/empty", top);
	if (g_mkdir_with_parents(path, 0755) != 0) {
		perror(path);
		exit(2);
	}
}

/* ---- helpers ---- */

static struct summary_agg *
summarise(const char *store)
{
	char *dir = g_strdup_printf("%s/%s", top, store);
	const char *dirs[1] = {dir};
	struct summary_options o;
	struct summary_agg *a;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	summary_options_default(&o);
	o.since = DAY(23);
	o.until = DAY(30);
	a = summary_agg_new(&o);
	ck_assert_msg(summary_read_stores(a, dirs, 1, &err) == 0, "%s",
		      err.text);
	summary_agg_finish(a);
	g_free(dir);
	return a;
}

static void
mail_options(struct summary_mail_options *mo, const char *const *to,
	     size_t n_to)
{
	memset(mo, 0, sizeof(*mo));
	mo->to = to;
	mo->n_to = n_to;
	mo->hostname = "mx.example.test";
}

/* The digest of a store as bytes (free()), or NULL when nothing was
 * written; *rc gets summary_render_mail's result. */
static char *
digest(const char *store, const struct summary_mail_options *mo, size_t *len,
       int *rc, struct tlsrpt_error *err)
{
	struct summary_render_ctx ctx = {SUMMARY_VIEW_ALL, DAY(30), 1};
	struct summary_agg *a = summarise(store);
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	int written = -1;

	ck_assert_ptr_nonnull(f);
	tlsrpt_error_clear(err);
	*rc = summary_render_mail(f, a, &ctx, mo, &written, err);
	ck_assert_int_eq(fclose(f), 0);
	summary_agg_free(a);
	ck_assert_int_eq(written, *rc == 0 && *len > 0);
	if (*len == 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static GMimeMessage *
parse(const char *buf, size_t len)
{
	GMimeStream *s = g_mime_stream_mem_new_with_buffer(buf, len);
	GMimeParser *p = g_mime_parser_new_with_stream(s);
	GMimeMessage *m = g_mime_parser_construct_message(p, NULL);

	g_object_unref(p);
	g_object_unref(s);
	ck_assert_ptr_nonnull(m);
	return m;
}

static const char *
addr_at(InternetAddressList *l, int i)
{
	InternetAddress *ia = internet_address_list_get_address(l, i);

	ck_assert(INTERNET_ADDRESS_IS_MAILBOX(ia));
	return internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
}

/* No CR, no line over 998 octets, nothing but ASCII (RFC 5322 2.1.1; the
 * 8-bit text went into quoted-printable). */
static void
check_lines(const char *buf, size_t len)
{
	size_t i, col = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		ck_assert_msg(c != '\r', "CR at %zu", i);
		ck_assert_msg(c < 0x80 && c != 0, "8-bit octet at %zu", i);
		col = c == '\n' ? 0 : col + 1;
		ck_assert_msg(col <= 998, "line over 998 octets at %zu", i);
	}
	ck_assert(len > 0 && buf[len - 1] == '\n');
}

/* ---- tests ---- */

START_TEST(test_structure)
{
	static const char *const to[] = {
		"Ops Team <ops@example.org>, pm@example.org", "postmaster"};
	struct summary_mail_options mo;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	GMimeMessage *m;
	GMimeObject *body, *plain, *html;
	InternetAddressList *rcpt;
	GDateTime *date;
	char *buf, *text, *page;
	size_t len;
	int rc;

	mail_options(&mo, to, 2);
	buf = digest("failing", &mo, &len, &rc, &err);
	ck_assert_msg(rc == 0, "%s", err.text);
	ck_assert_ptr_nonnull(buf);
	check_lines(buf, len);
	m = parse(buf, len);

	/* The headers sendmail -t and clients need. */
	ck_assert_str_eq(
		g_mime_object_get_header(GMIME_OBJECT(m), "MIME-Version"),
		"1.0");
	ck_assert_str_eq(
		g_mime_object_get_header(GMIME_OBJECT(m), "Auto-Submitted"),
		"auto-generated");
	ck_assert_str_eq(g_mime_object_get_header(GMIME_OBJECT(m), "From"),
			 "tlsrpt-summary@mx.example.test");
	rcpt = g_mime_message_get_addresses(m, GMIME_ADDRESS_TYPE_TO);
	ck_assert_int_eq(internet_address_list_length(rcpt), 3);
	ck_assert_str_eq(addr_at(rcpt, 0), "ops@example.org");
	ck_assert_str_eq(internet_address_get_name(
				 internet_address_list_get_address(rcpt, 0)),
			 "Ops Team");
	ck_assert_str_eq(addr_at(rcpt, 1), "pm@example.org");
	ck_assert_str_eq(addr_at(rcpt, 2), "postmaster");
	ck_assert_ptr_nonnull(g_str_has_suffix(g_mime_message_get_message_id(m),
					       "@mx.example.test")
				      ? "ok"
				      : NULL);
	date = g_mime_message_get_date(m);
	ck_assert_ptr_nonnull(date);
	ck_assert_int_eq(g_date_time_to_unix(date), DAY(30));
	ck_assert_str_eq(g_mime_message_get_subject(m),
			 "TLS-RPT: example.org 1.3% failures "
			 "(certificate-expired), example.edu not ready, 1 "
			 "domain OK");

	/* multipart/alternative: text first, HTML last. */
	body = g_mime_message_get_mime_part(m);
	ck_assert(GMIME_IS_MULTIPART(body));
	ck_assert(g_mime_content_type_is_type(
		g_mime_object_get_content_type(body), "multipart",
		"alternative"));
	ck_assert_int_eq(g_mime_multipart_get_count(GMIME_MULTIPART(body)), 2);
	plain = g_mime_multipart_get_part(GMIME_MULTIPART(body), 0);
	html = g_mime_multipart_get_part(GMIME_MULTIPART(body), 1);
	ck_assert(GMIME_IS_TEXT_PART(plain) && GMIME_IS_TEXT_PART(html));
	ck_assert(g_mime_content_type_is_type(
		g_mime_object_get_content_type(plain), "text", "plain"));
	ck_assert(g_mime_content_type_is_type(
		g_mime_object_get_content_type(html), "text", "html"));
	ck_assert_str_eq(g_mime_text_part_get_charset(GMIME_TEXT_PART(plain)),
			 "utf-8");
	ck_assert_str_eq(g_mime_text_part_get_charset(GMIME_TEXT_PART(html)),
			 "utf-8");
	/* The organisation's name is 8-bit: quoted-printable, decoded back
	 * to the same UTF-8. */
	ck_assert_int_eq(g_mime_part_get_content_encoding(GMIME_PART(plain)),
			 GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
	text = g_mime_text_part_get_text(GMIME_TEXT_PART(plain));
	page = g_mime_text_part_get_text(GMIME_TEXT_PART(html));
	ck_assert_msg(g_str_has_prefix(text, "FAILURES: 140 of 17640"), "%s",
		      text);
	ck_assert_ptr_nonnull(strstr(text, "Exämple Mäil"));
	ck_assert_ptr_nonnull(strstr(text, "\nDOMAINS"));
	ck_assert_ptr_nonnull(strstr(page, "<html"));
	ck_assert_ptr_nonnull(strstr(page, "Exämple Mäil"));
	ck_assert_ptr_nonnull(strstr(page, "certificate-expired"));
	g_free(text);
	g_free(page);
	g_object_unref(m);
	free(buf);
}
END_TEST

START_TEST(test_subjects)
{
	static const struct {
		const char *store, *subject;
		int fine;
	} cases[] = {
		/* google.json alone: testing, one reporter, not ready. */
		{"clean", "TLS-RPT: 2 domains OK, 2 not ready", 1},
		{"failing",
		 "TLS-RPT: example.org 1.3% failures (certificate-expired), "
		 "example.edu not ready, 1 domain OK",
		 0},
		{"silent",
		 "TLS-RPT: 1 domain OK, example.net silent, 2 not ready", 0},
		{"damaged",
		 "TLS-RPT: 2 domains OK, 2 not ready, 1 damaged store line", 0},
		{"empty", "TLS-RPT: no data", 0},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct summary_agg *a = summarise(cases[i].store);
		char *s = summary_mail_subject(a);

		ck_assert_msg(strcmp(s, cases[i].subject) == 0,
			      "%s: got \"%s\"", cases[i].store, s);
		ck_assert_msg(summary_fine(a) == cases[i].fine, "%s: fine %d",
			      cases[i].store, summary_fine(a));
		g_free(s);
		summary_agg_free(a);
	}
}
END_TEST

/* At 1,000 domains, with a worst domain whose name is longer than a
 * Subject: at most 100 characters, the worst domain first (cut), and
 * "..." where parts were left out. */
START_TEST(test_subject_bound)
{
	struct summary_options o;
	struct summary_agg *a;
	char name[300], *s;

	summary_options_default(&o);
	o.since = DAY(23);
	o.until = DAY(30);
	a = summary_agg_new(&o);
	for (int i = 0; i < 1000; i++) {
		struct summary_domain *d;

		if (i == 500) {
			memset(name, 'w', 200);
			snprintf(name + 200, sizeof(name) - 200, ".example");
		} else {
			snprintf(name, sizeof(name), "d%04d.example", i);
		}
		d = summary_agg_domain(a, name);
		d->in_window = 1;
		d->cur.successes = 1000;
		d->cur.failures = i == 500 ? 900 : i % 50 == 0 ? 10 : 0;
	}
	summary_agg_finish(a);
	a->total.successes = 1000 * 1000; /* what fold.c would have summed */
	a->total.failures = 900 + 19 * 10;
	s = summary_mail_subject(a);
	ck_assert_msg(strlen(s) <= 100, "%zu: %s", strlen(s), s);
	ck_assert_msg(g_str_has_prefix(s, "TLS-RPT: 20 failing, worst wwwwww"),
		      "%s", s);
	ck_assert_ptr_nonnull(strstr(s, "w... 47.4% (no details given)"));
	ck_assert_msg(g_str_has_suffix(s, ", ..."), "%s", s);
	g_free(s);
	summary_agg_free(a);
}
END_TEST

/* A result type is any string a reporter writes: one of 300 characters
 * on the worst (the only) failing domain, whose part goes in whether it
 * fits or not, still leaves a Subject of at most 100 characters. */
START_TEST(test_subject_long_result_type)
{
	struct summary_options o;
	struct summary_agg *a;
	struct tlsrpt_record rec;
	struct tlsrpt_failure_detail fd;
	char type[301], *s;

	memset(type, 't', 300);
	type[300] = '\0';
	memset(&rec, 0, sizeof(rec));
	memset(&fd, 0, sizeof(fd));
	summary_options_default(&o);
	o.since = DAY(23);
	o.until = DAY(30);
	a = summary_agg_new(&o);
	rec.version = 1;
	rec.received = DAY(26) + HOUR;
	rec.source = (char *)"milter";
	rec.organization_name = (char *)"Google Inc.";
	rec.report_id = (char *)"long-type";
	rec.start_time = DAY(25);
	rec.end_time = DAY(26) - 1;
	rec.policy_count = 1;
	rec.policy.type = TLSRPT_POLICY_TLSA;
	rec.policy.policy_type = (char *)"tlsa";
	rec.policy.policy_domain = (char *)"example.org";
	rec.policy.total_successful_session_count = 90;
	rec.policy.total_failure_session_count = 10;
	fd.result_type = type;
	fd.failed_session_count = 10;
	rec.policy.failure_details = &fd;
	rec.policy.n_failure_details = 1;
	summary_agg_add(a, &rec);
	summary_agg_finish(a);
	s = summary_mail_subject(a);
	ck_assert_msg(strlen(s) <= 100, "%zu: %s", strlen(s), s);
	ck_assert_msg(g_str_has_prefix(s, "TLS-RPT: example.org 10.0% "
					  "failures (tttt"),
		      "%s", s);
	g_free(s);
	summary_agg_free(a);
}
END_TEST

/* A clean window with one impersonating report is not fine: the digest
 * goes out with --only-problems and its Subject says why. */
START_TEST(test_subject_impersonation)
{
	static const char known_text[] = "google.com Google Inc.\n";
	char *dir = g_strdup_printf("%s/impersonated", top);
	const char *dirs[1] = {dir};
	struct fixture_report fr = {
		.tmpl = "google.json",
		.dkim = "pass",
		.submitter = "google.com",
		.failures = -1,
	};
	struct summary_known *known;
	struct summary_options o;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct summary_agg *a;
	char *subject;

	for (fr.n = 1; fr.n <= 29; fr.n++) {
		fr.received = DAY(fr.n) + 6 * HOUR;
		fixture_store(dir, &fr);
	}
	fr.n = 28;
	fr.id = "forged-28";
	fr.submitter = "evil.example";
	fixture_store(dir, &fr);
	ck_assert_int_eq(summary_known_parse(known_text, strlen(known_text),
					     "known", &known, &err),
			 0);
	for (int with = 0; with < 2; with++) {
		summary_options_default(&o);
		o.since = DAY(23);
		o.until = DAY(30);
		o.known = with ? known : NULL;
		a = summary_agg_new(&o);
		ck_assert_int_eq(summary_read_stores(a, dirs, 1, &err), 0);
		summary_agg_finish(a);
		subject = summary_mail_subject(a);
		ck_assert_int_eq(summary_fine(a), !with);
		ck_assert_int_eq(strstr(subject, "1 impersonation") != NULL,
				 with);
		g_free(subject);
		summary_agg_free(a);
	}
	summary_known_free(known);
	g_free(dir);
}
END_TEST

START_TEST(test_only_problems)
{
	static const char *const to[] = {"postmaster@example.org"};
	static const char *const stores[] = {"failing", "silent", "damaged",
					     "empty"};
	struct summary_mail_options mo;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char *buf;
	size_t len, i;
	int rc;

	mail_options(&mo, to, 1);
	mo.only_problems = 1;
	buf = digest("clean", &mo, &len, &rc, &err);
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_null(buf);
	ck_assert_uint_eq(len, 0);
	for (i = 0; i < sizeof(stores) / sizeof(stores[0]); i++) {
		buf = digest(stores[i], &mo, &len, &rc, &err);
		ck_assert_int_eq(rc, 0);
		ck_assert_msg(buf != NULL, "%s: no digest", stores[i]);
		free(buf);
	}
	/* Without --only-problems a fine day still gets its digest. */
	mo.only_problems = 0;
	buf = digest("clean", &mo, &len, &rc, &err);
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_nonnull(buf);
	free(buf);
}
END_TEST

START_TEST(test_overrides)
{
	static const char *const to[] = {"pm@example.org"};
	struct summary_mail_options mo;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	GMimeMessage *m;
	InternetAddressList *from;
	char *buf, *raw;
	size_t len;
	int rc;

	mail_options(&mo, to, 1);
	mo.from = "TLS Wächter <tlsrpt@example.org>";
	mo.subject = "Zusammenfassung für example.org";
	buf = digest("clean", &mo, &len, &rc, &err);
	ck_assert_msg(rc == 0, "%s", err.text);
	check_lines(buf, len);
	raw = g_strndup(buf, len);
	/* RFC 2047 encoded words for the 8-bit header text. */
	ck_assert_ptr_nonnull(strstr(raw, "\nSubject: Zusammenfassung =?"));
	ck_assert_ptr_nonnull(strstr(raw, "\nFrom: TLS =?"));
	m = parse(buf, len);
	ck_assert_str_eq(g_mime_message_get_subject(m),
			 "Zusammenfassung für example.org");
	from = g_mime_message_get_addresses(m, GMIME_ADDRESS_TYPE_FROM);
	ck_assert_int_eq(internet_address_list_length(from), 1);
	ck_assert_str_eq(internet_address_get_name(
				 internet_address_list_get_address(from, 0)),
			 "TLS Wächter");
	ck_assert_str_eq(
		internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(
			internet_address_list_get_address(from, 0))),
		"tlsrpt@example.org");
	/* A clean, ASCII-only digest needs no transfer encoding. */
	ck_assert_int_eq(
		g_mime_part_get_content_encoding(
			GMIME_PART(g_mime_multipart_get_part(
				GMIME_MULTIPART(
					g_mime_message_get_mime_part(m)),
				0))),
		GMIME_CONTENT_ENCODING_7BIT);
	g_object_unref(m);
	g_free(raw);
	free(buf);
}
END_TEST

START_TEST(test_refused)
{
	static const struct {
		const char *to, *from, *subject, *want;
	} cases[] = {
		{NULL, NULL, NULL, "no recipient"},
		{"", NULL, NULL, "not an e-mail address"},
		{"pm@example.org\nBcc: victim@example.net", NULL, NULL,
		 "control character"},
		{"pm@example.org", "a@b\r\nBcc: x@y", NULL,
		 "control character"},
		{"pm@example.org", NULL, "hi\nBcc: x@y", "control character"},
		{"team: a@example.org;", NULL, NULL, "not a group"},
		{"<>", NULL, NULL, "not an e-mail address"},
		{"pm@example.org", NULL, "caf\xe9", "not valid UTF-8"},
	};
	struct summary_mail_options mo;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char *buf;
	size_t len, i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *to[1] = {cases[i].to};

		mail_options(&mo, to, cases[i].to != NULL);
		mo.from = cases[i].from;
		mo.subject = cases[i].subject;
		/* Refused even on a quiet day with --only-problems. */
		mo.only_problems = 1;
		buf = digest("clean", &mo, &len, &rc, &err);
		ck_assert_msg(rc == -1, "case %zu accepted", i);
		ck_assert_ptr_null(buf);
		ck_assert_int_eq(err.code, TLSRPT_ERR_INVALID);
		ck_assert_msg(strstr(err.text, cases[i].want) != NULL,
			      "case %zu: %s", i, err.text);
	}
}
END_TEST

static Suite *
digest_suite(void)
{
	Suite *s = suite_create("digest");
	TCase *tc = tcase_create("digest");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_structure);
	tcase_add_test(tc, test_subjects);
	tcase_add_test(tc, test_subject_impersonation);
	tcase_add_test(tc, test_subject_bound);
	tcase_add_test(tc, test_subject_long_result_type);
	tcase_add_test(tc, test_only_problems);
	tcase_add_test(tc, test_overrides);
	tcase_add_test(tc, test_refused);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	int rc;

	tlsrpt_alloc_init();
	g_mime_init();
	build_stores();
	rc = test_run(digest_suite());
	fixture_remove(top);
	g_mime_shutdown();
	return rc;
}
