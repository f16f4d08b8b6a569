/* SPDX-License-Identifier: BSD-2-Clause */
/* check_intake.c -- the one parse-and-store step: RequireDKIM is decided on
 * the headers before any report part is inflated or parsed (issue 15, case
 * 7), and intake_parse() + intake_store() equal intake_run(). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "intake/intake.h"
#include "base/alloc.h"
#include "report/input.h"
#include "report/limits.h"
#include "store/store.h"
#include "tests/unit/testutil.h"

static struct tlsrpt_limits limits;
static char *const trusted[] = {"mx.example.net"};

/* A report mail from google.com; auth is its Authentication-Results
 * value (by our verifier), body its JSON part. Free the result. */
static char *
report_mail(const char *auth, const char *body)
{
	char *s = NULL;

	ck_assert_int_ge(
		asprintf(&s,
			 "Authentication-Results: %s\r\n"
			 "From: <noreply-smtp-tls-reporting@google.com>\r\n"
			 "TLS-Report-Submitter: google.com\r\n"
			 "Message-ID: <gate@google.com>\r\n"
			 "MIME-Version: 1.0\r\n"
			 "Content-Type: multipart/report; boundary=\"b\"; "
			 "report-type=tlsrpt\r\n"
			 "\r\n"
			 "--b\r\n"
			 "Content-Type: application/tlsrpt+json\r\n"
			 "Content-Disposition: attachment; "
			 "filename=\"r.json\"\r\n"
			 "\r\n"
			 "%s\r\n"
			 "--b--\r\n",
			 auth, body),
		0);
	return s;
}

static const char valid_json[] =
	"{\"organization-name\":\"Google Inc.\",\"date-range\":{"
	"\"start-datetime\":\"2026-11-27T00:00:00Z\","
	"\"end-datetime\":\"2026-11-27T23:59:59Z\"},"
	"\"contact-info\":\"smtp-tls-reporting@google.com\","
	"\"report-id\":\"gate-1\",\"policies\":[{\"policy\":{"
	"\"policy-type\":\"no-policy-found\",\"policy-domain\":"
	"\"example.net\"},\"summary\":{\"total-successful-session-count\":1,"
	"\"total-failure-session-count\":0}}]}";

struct seen {
	size_t n;
	enum intake_outcome last;
	char text[TLSRPT_ERROR_TEXT_MAX];
};

static void
on_report(void *ctx, const struct intake_report_event *ev)
{
	struct seen *s = ctx;

	s->n++;
	s->last = ev->outcome;
	snprintf(s->text, sizeof(s->text), "%s",
		 ev->error != NULL ? ev->error->text : "");
}

/* Parse only (no store); our verifier is mx.example.net. */
static void
config(struct intake_config *cfg, struct intake_origin *origin,
       int require_dkim)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->limits = &limits;
	cfg->trusted_authserv_ids = trusted;
	cfg->n_trusted_authserv_ids = 1;
	cfg->require_dkim = require_dkim;
	memset(origin, 0, sizeof(*origin));
	origin->source = "milter";
	origin->host = "mx.example.net";
	origin->received = 1796083200; /* 2026-12-01: after the report */
}

/* Run the intake (parse only: no store) on mail; *allocs gets how many
 * allocations it made through the seam. */
static struct intake_result
run(const char *mail, int require_dkim, struct seen *seen,
    unsigned long *allocs)
{
	struct intake_config cfg;
	struct intake_origin origin;
	struct intake_result res;

	config(&cfg, &origin, require_dkim);
	memset(seen, 0, sizeof(*seen));
	(void)tlsrpt_alloc_fail_after(0);
	ck_assert_int_eq(intake_run(&cfg, &origin, mail, strlen(mail),
				    on_report, seen, &res),
			 0);
	*allocs = tlsrpt_alloc_fail_after(0);
	return res;
}

/* A forged mail under RequireDKIM: refused on its headers. A broken part
 * shows it was never parsed (its error is the DKIM refusal, not the JSON
 * syntax), and a large valid part costs no more allocations than a tiny
 * one. */
START_TEST(test_require_dkim_before_parse)
{
	const char *fail = "mx.example.net; dkim=fail header.d=google.com";
	char *broken = report_mail(fail, "{\"not json");
	char *big_json = malloc(400000), *big;
	struct intake_result res;
	struct seen seen;
	unsigned long a_broken, a_big, a_parsed;
	size_t n;

	res = run(broken, 1, &seen, &a_broken);
	ck_assert_int_eq(res.outcome, INTAKE_REFUSED_DKIM);
	ck_assert_uint_eq(seen.n, 1);
	ck_assert_int_eq(seen.last, INTAKE_REFUSED_DKIM);
	ck_assert_ptr_nonnull(strstr(seen.text, "RequireDKIM"));
	ck_assert_ptr_nonnull(strstr(res.error.text, "no DKIM pass"));

	/* 20,000 strings under an unknown key. */
	ck_assert_ptr_nonnull(big_json);
	n = (size_t)snprintf(big_json, 400000, "%.*s,\"junk\":[",
			     (int)strlen(valid_json) - 1, valid_json);
	for (int i = 0; i < 20000; i++)
		n += (size_t)snprintf(big_json + n, 400000 - n,
				      "%s\"abcdefghijkl\"", i > 0 ? "," : "");
	snprintf(big_json + n, 400000 - n, "]}");
	big = report_mail(fail, big_json);
	res = run(big, 1, &seen, &a_big);
	ck_assert_int_eq(res.outcome, INTAKE_REFUSED_DKIM);
	ck_assert_uint_le(a_big, a_broken + 4);

	/* Without RequireDKIM the same mail is parsed (and costs). */
	res = run(big, 0, &seen, &a_parsed);
	ck_assert_int_eq(res.outcome, INTAKE_STORED);
	ck_assert_uint_gt(a_parsed, a_big + 20000);
	free(broken);
	free(big);
	free(big_json);
}
END_TEST

/* A DKIM pass from our verifier: parsed and stored as before; a broken
 * part says why it is broken. */
START_TEST(test_require_dkim_pass)
{
	const char *pass = "mx.example.net; dkim=pass header.d=google.com";
	char *ok = report_mail(pass, valid_json);
	char *broken = report_mail(pass, "{\"not json");
	struct intake_result res;
	struct seen seen;
	unsigned long allocs;

	res = run(ok, 1, &seen, &allocs);
	ck_assert_int_eq(res.outcome, INTAKE_STORED);
	ck_assert_uint_eq(res.n_stored, 1);
	res = run(broken, 1, &seen, &allocs);
	ck_assert_int_eq(res.outcome, INTAKE_INVALID);
	ck_assert_ptr_nonnull(strstr(seen.text, "not valid JSON"));
	free(ok);
	free(broken);
}
END_TEST

/* The two-step form gives the same outcome as intake_run(). */
START_TEST(test_two_steps)
{
	const char *pass = "mx.example.net; dkim=pass header.d=google.com";
	char *ok = report_mail(pass, valid_json);
	struct intake_config cfg;
	struct intake_origin origin;
	struct intake_parsed p;
	struct intake_result res;

	config(&cfg, &origin, 0);
	ck_assert_int_eq(intake_parse(&cfg, &origin, ok, strlen(ok), &p), 0);
	ck_assert_int_eq(p.dr.verdict, TLSRPT_DKIM_PASS);
	ck_assert_str_eq(p.submitter, "google.com");
	ck_assert_ptr_nonnull(p.in->items[0].report);
	intake_store(&p, NULL, NULL, &res);
	ck_assert_int_eq(res.outcome, INTAKE_STORED);
	intake_parsed_free(&p);
	ck_assert_int_eq(intake_parse(&cfg, &origin, "x", 1, &p), -1);
	intake_store(&p, NULL, NULL, &res);
	ck_assert_int_eq(res.outcome, INTAKE_NOT_REPORT);
	intake_parsed_free(&p);
	free(ok);
}
END_TEST

/* Issue 15, case 8: a report whose store lines would take far more than
 * it (8 KB strings on 1,000 policy lines) is refused as invalid -- the
 * mail is delivered with the reason -- not a store failure the sender
 * would retry for ever. */
START_TEST(test_line_bound_refused)
{
	const char *pass = "mx.example.net; dkim=pass header.d=google.com";
	size_t cap = 200000, n;
	char *json = malloc(cap), *mail, dir[] = "/tmp/check_intake.XXXXXX";
	char cmd[64];
	struct tlsrpt_store_options so;
	struct tlsrpt_store *store = NULL;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct intake_config cfg;
	struct intake_origin origin;
	struct intake_result res;
	struct seen seen;

	ck_assert_ptr_nonnull(json);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	tlsrpt_store_options_default(&so);
	so.dir = dir;
	so.fsync = TLSRPT_STORE_FSYNC_NONE;
	so.limits = &limits;
	ck_assert_int_eq(tlsrpt_store_open(&so, &store, &err), 0);
	n = (size_t)snprintf(json, cap,
			     "{\"organization-name\":\"%08000d\","
			     "\"date-range\":{\"start-datetime\":"
			     "\"2026-11-27T00:00:00Z\",\"end-datetime\":"
			     "\"2026-11-27T23:59:59Z\"},\"report-id\":\"big\","
			     "\"policies\":[",
			     7);
	for (int i = 0; i < 1000; i++)
		n += (size_t)snprintf(
			json + n, cap - n,
			"%s{\"policy\":{\"policy-type\":\"no-policy-found\","
			"\"policy-domain\":\"d%d.ex\"},\"summary\":{"
			"\"total-successful-session-count\":1,"
			"\"total-failure-session-count\":0}}",
			i > 0 ? "," : "", i);
	snprintf(json + n, cap - n, "]}");
	mail = report_mail(pass, json);
	config(&cfg, &origin, 0);
	cfg.store = store;
	origin.received = 1795824000;
	memset(&seen, 0, sizeof(seen));
	ck_assert_int_eq(intake_run(&cfg, &origin, mail, strlen(mail),
				    on_report, &seen, &res),
			 0);
	ck_assert_int_eq(res.outcome, INTAKE_INVALID);
	ck_assert_int_eq(res.error.code, TLSRPT_ERR_LIMIT);
	ck_assert_ptr_nonnull(strstr(seen.text, "repeat on every line"));
	tlsrpt_store_close(store);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	free(mail);
	free(json);
}
END_TEST

/* Two report parts, a and b: the second part rides in the first's body.
 * Free the result. */
static char *
two_part_mail(const char *a, const char *b)
{
	char *body = NULL, *mail;

	ck_assert_int_ge(asprintf(&body,
				  "%s\r\n--b\r\nContent-Type: "
				  "application/tlsrpt+json\r\n\r\n%s",
				  a, b),
			 0);
	mail = report_mail("mx.example.net; dkim=none", body);
	free(body);
	return mail;
}

/* A valid report, then b: one stored, one failure, seen twice; the last
 * event's text and the result's error name why. */
static void
one_stored_one_failed(const char *b, const char *why)
{
	char *mail = two_part_mail(valid_json, b);
	struct intake_result res;
	struct seen seen;
	unsigned long allocs;

	res = run(mail, 0, &seen, &allocs);
	ck_assert_uint_eq(res.n_stored, 1);
	ck_assert_uint_eq(res.n_failed, 1);
	ck_assert_uint_eq(seen.n, 2);
	ck_assert_int_eq(seen.last, INTAKE_INVALID);
	ck_assert_int_eq(res.error.code, TLSRPT_ERR_LIMIT);
	ck_assert_ptr_nonnull(strstr(seen.text, why));
	ck_assert_ptr_nonnull(strstr(res.error.text, why));
	free(mail);
}

/* The walk's stop (MaxReportsPerMessage) is one more failure after the
 * parts read; a limit on one part (MaxJSONDepth) is that part's failure
 * alone. Told apart by tlsrpt_input.stop, not by comparing texts. */
START_TEST(test_stop_or_part_failure)
{
	struct tlsrpt_limits saved = limits;

	limits.max_reports = 1;
	one_stored_one_failed(valid_json, "MaxReportsPerMessage");
	limits = saved;
	limits.max_json_depth = 4;
	one_stored_one_failed("{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":1}}}}}",
			      "MaxJSONDepth");
	limits = saved;
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("intake");
	TCase *tc = tcase_create("core");

	tlsrpt_parser_init();
	tlsrpt_limits_default(&limits);
	tcase_add_test(tc, test_require_dkim_before_parse);
	tcase_add_test(tc, test_require_dkim_pass);
	tcase_add_test(tc, test_two_steps);
	tcase_add_test(tc, test_line_bound_refused);
	tcase_add_test(tc, test_stop_or_part_failure);
	suite_add_tcase(s, tc);
	return test_run(s);
}
