/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_record_fast.c -- the store line fast path (store/record_fast.h)
 * against the full jansson decode: on every line the store writes for the
 * valid report cases, and on every truncation and many one-byte changes of
 * those lines, the fast path either declines or yields exactly the record
 * the full decode yields.
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "report/report.h"
#include "store/record.h"
#include "store/record_fast.h"
#include "tests/unit/testutil.h"

static int
same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static int
same_list(char **a, size_t na, char **b, size_t nb)
{
	if (na != nb)
		return 0;
	for (size_t i = 0; i < na; i++)
		if (!same_str(a[i], b[i]))
			return 0;
	return 1;
}

static int
same_detail(const struct tlsrpt_failure_detail *a,
	    const struct tlsrpt_failure_detail *b)
{
	return same_str(a->result_type, b->result_type) &&
	       same_str(a->sending_mta_ip, b->sending_mta_ip) &&
	       same_str(a->receiving_mx_hostname, b->receiving_mx_hostname) &&
	       same_str(a->receiving_mx_helo, b->receiving_mx_helo) &&
	       same_str(a->receiving_ip, b->receiving_ip) &&
	       a->failed_session_count == b->failed_session_count &&
	       same_str(a->additional_information, b->additional_information) &&
	       same_str(a->failure_reason_code, b->failure_reason_code);
}

static int
same_policy(const struct tlsrpt_policy *a, const struct tlsrpt_policy *b)
{
	if (a->type != b->type || !same_str(a->policy_type, b->policy_type) ||
	    !same_str(a->policy_domain, b->policy_domain) ||
	    !same_list(a->policy_strings, a->n_policy_strings,
		       b->policy_strings, b->n_policy_strings) ||
	    !same_list(a->mx_hosts, a->n_mx_hosts, b->mx_hosts,
		       b->n_mx_hosts) ||
	    a->total_successful_session_count !=
		    b->total_successful_session_count ||
	    a->total_failure_session_count != b->total_failure_session_count ||
	    a->n_failure_details != b->n_failure_details)
		return 0;
	for (size_t i = 0; i < a->n_failure_details; i++)
		if (!same_detail(&a->failure_details[i],
				 &b->failure_details[i]))
			return 0;
	return 1;
}

static int
same_record(const struct tlsrpt_record *a, const struct tlsrpt_record *b)
{
	return a->version == b->version && a->received == b->received &&
	       same_str(a->source, b->source) && same_str(a->host, b->host) &&
	       same_str(a->queue_id, b->queue_id) &&
	       same_str(a->file, b->file) &&
	       same_str(a->message_id, b->message_id) && a->dkim == b->dkim &&
	       same_str(a->client_addr, b->client_addr) &&
	       same_str(a->submitter, b->submitter) &&
	       same_str(a->organization_name, b->organization_name) &&
	       same_str(a->contact_info, b->contact_info) &&
	       same_str(a->report_id, b->report_id) &&
	       a->start_time == b->start_time && a->end_time == b->end_time &&
	       a->policy_index == b->policy_index &&
	       a->policy_count == b->policy_count &&
	       same_policy(&a->policy, &b->policy);
}

/* The fast path on line: declines, or agrees with the full decode, both
 * owning its strings and borrowing them from a scratch region that
 * already holds a piece. Returns 1 when it took the line. */
static int
check_line(const char *line, size_t len, const struct tlsrpt_limits *l)
{
	struct tlsrpt_record fast, full, lent;
	struct tlsrpt_scratch sc = TLSRPT_SCRATCH_INIT;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	int took, rc;

	memset(&fast, 0, sizeof(fast));
	memset(&full, 0, sizeof(full));
	memset(&lent, 0, sizeof(lent));
	took = tlsrpt_record_decode_fast(line, len, l, NULL, &fast) == 0;
	rc = tlsrpt_record_decode_json(line, len, l, &full, &err);
	ck_assert_ptr_nonnull(tlsrpt_scratch_alloc(&sc, 100));
	ck_assert_int_eq(
		tlsrpt_record_decode_fast(line, len, l, &sc, &lent) == 0, took);
	if (took)
		ck_assert(lent.borrowed && same_record(&lent, &full));
	tlsrpt_record_clear(&lent);
	ck_assert_int_eq(
		tlsrpt_record_decode_in(line, len, l, &sc, &lent, &err), rc);
	if (rc == 0) {
		ck_assert(same_record(&lent, &full));
		ck_assert_int_eq(lent.borrowed, took);
	}
	tlsrpt_record_clear(&lent);
	tlsrpt_scratch_free(&sc);
	if (took) {
		ck_assert_msg(rc == 0,
			      "fast path took a line the full decode refuses "
			      "(%s): %.*s",
			      err.text, (int)len, line);
		ck_assert_msg(same_record(&fast, &full),
			      "fast and full decode differ on: %.*s", (int)len,
			      line);
	}
	/* Through the public entry the result is the full decode's. */
	tlsrpt_record_clear(&fast);
	ck_assert_int_eq(tlsrpt_record_decode(line, len, l, &fast, &err), rc);
	if (rc == 0)
		ck_assert(same_record(&fast, &full));
	tlsrpt_record_clear(&fast);
	tlsrpt_record_clear(&full);
	return took;
}

/* The line is what jansson writes for the object it holds, byte for byte:
 * the encoder splices one dump of the report-level members with each
 * policy's (store/record.c), which must come out as one object's dump. */
static void
assert_canonical(const char *line, size_t len)
{
	json_t *o = json_loadb(line, len, 0, NULL);
	char *again;

	ck_assert_ptr_nonnull(o);
	again = json_dumps(o, JSON_COMPACT);
	ck_assert_ptr_nonnull(again);
	ck_assert_msg(strlen(again) == len && memcmp(again, line, len) == 0,
		      "the line\n%.*s\nis not jansson's\n%s", (int)len, line,
		      again);
	tlsrpt_free(again);
	json_decref(o);
}

/* Store lines of every valid report case, with a full receipt. */
static char *
case_lines(const char *name, size_t *len)
{
	char dir[512], *json, *buf = NULL;
	struct tlsrpt_limits l;
	struct tlsrpt_report *r = NULL;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct tlsrpt_receipt rc = {0};
	size_t jlen;

	snprintf(dir, sizeof(dir), "%s/cases/%s/input.json", test_data_dir(),
		 name);
	if (!test_exists(dir))
		return NULL; /* a whole message, not a report */
	snprintf(dir, sizeof(dir), "%s/cases/%s", test_data_dir(), name);
	json = test_read_file_in(dir, "input.json", &jlen);
	tlsrpt_limits_default(&l);
	if (tlsrpt_report_parse(json, jlen, &l, &r, &err) == 0) {
		rc.received = 1795737600;
		rc.source = "milter";
		rc.host = "mx.example.org";
		rc.queue_id = "4XyZ1";
		rc.message_id = "<a\"b@example.net>"; /* an escape: declined */
		rc.dkim = TLSRPT_DKIM_PASS;
		rc.dkim_domain = "reporter.example"; /* both read past */
		rc.authres_forged = 2;
		rc.client_addr = "192.0.2.1";
		ck_assert_int_eq(tlsrpt_record_encode(r, &rc, &buf, len, &err),
				 0);
	}
	tlsrpt_report_free(r);
	free(json);
	return buf;
}

START_TEST(test_cases_agree)
{
	struct tlsrpt_limits l;
	size_t n, lines = 0, taken = 0;
	char cases[512], **names;

	tlsrpt_limits_default(&l);
	snprintf(cases, sizeof(cases), "%s/cases", test_data_dir());
	names = test_list_dir(cases, &n);
	for (size_t i = 0; i < n; i++) {
		size_t len;
		char *buf, *p, *nl;

		if (strstr(names[i], "-valid-") == NULL)
			continue;
		if (!test_exists(cases) ||
		    (buf = case_lines(names[i], &len)) == NULL)
			continue;
		for (p = buf; p < buf + len; p = nl + 1) {
			char *plain;
			size_t pl;

			nl = memchr(p, '\n', (size_t)(buf + len - p));
			ck_assert_ptr_nonnull(nl);
			lines++;
			assert_canonical(p, (size_t)(nl - p));
			/* With the escaped message-id: the full decode. */
			ck_assert_int_eq(check_line(p, (size_t)(nl - p), &l),
					 0);
			/* Without it, the store's usual line. */
			plain = strstr(p, "\"message-id\":");
			ck_assert_ptr_nonnull(plain);
			{
				char *end = strstr(plain, "\",") + 2;
				char *copy = malloc((size_t)(nl - p));

				pl = (size_t)(plain - p);
				memcpy(copy, p, pl);
				memcpy(copy + pl, end, (size_t)(nl - end));
				pl += (size_t)(nl - end);
				taken += (size_t)check_line(copy, pl, &l);
				free(copy);
			}
		}
		tlsrpt_free(buf);
	}
	test_free_names(names, n);
	ck_assert_uint_gt(lines, 30);
	/* Only non-ASCII text (the UTF-8 case) and Microsoft's TLSA array
	 * form go the slow way. */
	ck_assert_msg(taken + 4 >= lines, "fast path took %zu of %zu lines",
		      taken, lines);
}
END_TEST

static const char good[] =
	"{\"v\":1,\"received\":\"2026-10-28T20:30:13Z\",\"source\":\"milter\","
	"\"dkim\":\"pass\",\"organization-name\":\"Comcast\",\"contact-info\":"
	"\"tlsrpt@reporter.example\",\"report-id\":\"gen-1-8\",\"date-range\":"
	"{\"start-datetime\":\"2026-10-27T00:00:00Z\",\"end-datetime\":"
	"\"2026-10-27T23:59:59Z\"},\"policy-index\":0,\"policy-count\":2,"
	"\"sts-mode\":\"enforce\",\"policy\":{\"policy-type\":\"sts\","
	"\"policy-string\":[\"version: STSv1\",\"mode: enforce\",\"mx: "
	"*.d.example\"],\"policy-domain\":\"d.example\",\"mx-host\":[\"mx: "
	"mx1.d.example\",\"\"]},\"summary\":{\"total-successful-session-"
	"count\":2150,\"total-failure-session-count\":94},\"failure-details\":"
	"[{\"result-type\":\"certificate-expired\",\"sending-mta-ip\":\"198.51."
	"100.73\",\"receiving-mx-hostname\":\"mx1.d.example\",\"receiving-ip\":"
	"\"\",\"failed-session-count\":27,\"failure-reason-code\":\"x\"}]}";

/* Hostile strings in every spliced part -- quotes, backslashes, braces,
 * control characters, U+2028, non-ASCII, a "}" at the end of the head and
 * an empty policy object -- still give jansson's own dump of one object. */
START_TEST(test_splice_hostile)
{
	static const char json[] =
		"{\"organization-name\":\"O\\\"}\\\\\\u0001\\u2028\xc3\xa9\","
		"\"date-range\":{\"start-datetime\":\"2024-03-01T00:00:00Z\","
		"\"end-datetime\":\"2024-03-01T23:59:59Z\"},"
		"\"report-id\":\"}{\\\",\\\"v\\\":2,\\u007f\","
		"\"policies\":[{\"policy\":{\"policy-type\":\"sts\","
		"\"policy-string\":[\"mode: enforce\\n}\"],"
		"\"policy-domain\":\"d\\\"}.example\","
		"\"mx-host\":[\"m\\u0001x\"]},"
		"\"summary\":{\"total-successful-session-count\":1,"
		"\"total-failure-session-count\":0}},"
		"{\"policy\":{\"policy-type\":\"no-policy-found\","
		"\"policy-domain\":\"{}\"},"
		"\"summary\":{\"total-successful-session-count\":0,"
		"\"total-failure-session-count\":0}}]}";
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct tlsrpt_receipt rc = {0};
	struct tlsrpt_limits l;
	struct tlsrpt_report *r = NULL;
	size_t len, lines = 0;
	char *buf = NULL, *p, *nl;

	tlsrpt_limits_default(&l);
	ck_assert_msg(
		tlsrpt_report_parse(json, sizeof(json) - 1, &l, &r, &err) == 0,
		"%s: %s", err.path, err.text);
	rc.received = 1795737600;
	rc.source = "milter";
	rc.host = "h\"}\\";
	rc.message_id = "<}\x01{@x>";
	rc.client_addr = "\"}";
	ck_assert_int_eq(tlsrpt_record_encode(r, &rc, &buf, &len, &err), 0);
	for (p = buf; p < buf + len; p = nl + 1) {
		json_t *o;

		nl = memchr(p, '\n', (size_t)(buf + len - p));
		ck_assert_ptr_nonnull(nl);
		assert_canonical(p, (size_t)(nl - p));
		o = json_loadb(p, (size_t)(nl - p), JSON_REJECT_DUPLICATES,
			       NULL);
		ck_assert_ptr_nonnull(o);
		ck_assert_str_eq(json_string_value(json_object_get(
					 o, "organization-name")),
				 r->organization_name);
		ck_assert_int_eq(
			json_integer_value(json_object_get(o, "policy-index")),
			(json_int_t)lines);
		json_decref(o);
		lines++;
	}
	ck_assert_uint_eq(lines, 2);
	tlsrpt_free(buf);
	tlsrpt_report_free(r);
}
END_TEST

START_TEST(test_good_line_taken)
{
	struct tlsrpt_limits l;
	struct tlsrpt_record rec;

	tlsrpt_limits_default(&l);
	memset(&rec, 0, sizeof(rec));
	ck_assert_int_eq(check_line(good, strlen(good), &l), 1);
	ck_assert_int_eq(
		tlsrpt_record_decode_fast(good, strlen(good), &l, NULL, &rec),
		0);
	ck_assert_str_eq(rec.policy.mx_hosts[0], "mx1.d.example");
	ck_assert_uint_eq(rec.policy.n_mx_hosts, 1);
	ck_assert_ptr_null(rec.policy.failure_details[0].receiving_ip);
	ck_assert_str_eq(rec.policy.failure_details[0].failure_reason_code,
			 "x");
	ck_assert_int_eq(rec.policy.total_failure_session_count, 94);
	tlsrpt_record_clear(&rec);
}
END_TEST

/* A member under another name than the store writes (the drafts'
 * failure-error-code) goes the full way, which reads it all the same. */
START_TEST(test_legacy_name_full_way)
{
	struct tlsrpt_limits l;
	struct tlsrpt_record rec;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	const char *k = strstr(good, "failure-reason-code");
	char line[sizeof(good)];

	ck_assert_ptr_nonnull(k);
	snprintf(line, sizeof(line), "%.*sfailure-error-code%s",
		 (int)(k - good), good, k + strlen("failure-reason-code"));
	tlsrpt_limits_default(&l);
	memset(&rec, 0, sizeof(rec));
	ck_assert_int_eq(
		tlsrpt_record_decode_fast(line, strlen(line), &l, NULL, &rec),
		1);
	ck_assert_int_eq(
		tlsrpt_record_decode(line, strlen(line), &l, &rec, &err), 0);
	ck_assert_str_eq(rec.policy.failure_details[0].failure_reason_code,
			 "x");
	tlsrpt_record_clear(&rec);
}
END_TEST

/* The DKIM word is read back into the enum by both decoders; a word the
 * store never writes is not a verdict: the fast path leaves it to the full
 * decode, which refuses the line and names the member. */
START_TEST(test_dkim_word)
{
	static const char *const words[] = {"pass", "fail", "none"};
	static const enum tlsrpt_dkim want[] = {
		TLSRPT_DKIM_PASS, TLSRPT_DKIM_FAIL, TLSRPT_DKIM_NONE};
	struct tlsrpt_limits l;
	struct tlsrpt_record rec;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	const char *k = strstr(good, "\"dkim\":\"pass\"");
	char line[sizeof(good) + 16];

	ck_assert_ptr_nonnull(k);
	tlsrpt_limits_default(&l);
	for (size_t i = 0; i < 4; i++) {
		snprintf(line, sizeof(line), "%.*s\"dkim\":\"%s\"%s",
			 (int)(k - good), good, i < 3 ? words[i] : "maybe",
			 k + strlen("\"dkim\":\"pass\""));
		memset(&rec, 0, sizeof(rec));
		tlsrpt_error_clear(&err);
		if (i < 3) {
			ck_assert_int_eq(
				tlsrpt_record_decode_fast(line, strlen(line),
							  &l, NULL, &rec),
				0);
			ck_assert_int_eq(rec.dkim, want[i]);
			tlsrpt_record_clear(&rec);
			ck_assert_int_eq(
				tlsrpt_record_decode_json(line, strlen(line),
							  &l, &rec, &err),
				0);
			ck_assert_int_eq(rec.dkim, want[i]);
		} else {
			ck_assert_int_eq(
				tlsrpt_record_decode_fast(line, strlen(line),
							  &l, NULL, &rec),
				1);
			tlsrpt_record_clear(&rec);
			ck_assert_int_eq(tlsrpt_record_decode(line,
							      strlen(line), &l,
							      &rec, &err),
					 -1);
			ck_assert_str_eq(err.path, "dkim");
		}
		tlsrpt_record_clear(&rec);
	}
	/* No member: no verdict (a report that came over HTTPS). */
	ck_assert_int_eq(tlsrpt_dkim_name(TLSRPT_DKIM_UNKNOWN) == NULL, 1);
	ck_assert_str_eq(tlsrpt_dkim_name(TLSRPT_DKIM_PASS), "pass");
}
END_TEST

/* Damage: every prefix, and every byte replaced by characters that matter
 * to JSON. Never a record the full decode would not give. */
START_TEST(test_damage_agrees)
{
	static const char subst[] = "\"\\{}[],:0 9-.e\x01\x1f\x7f\x7e\xc3n";
	struct tlsrpt_limits l;
	size_t n = strlen(good);
	char *buf = malloc(n + 1);

	tlsrpt_limits_default(&l);
	for (size_t i = 0; i < n; i++)
		(void)check_line(good, i, &l);
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < sizeof(subst) - 1; k++) {
			memcpy(buf, good, n);
			buf[i] = subst[k];
			(void)check_line(buf, n, &l);
		}
	}
	free(buf);
}
END_TEST

START_TEST(test_limits_declined)
{
	struct tlsrpt_limits l;
	struct tlsrpt_record rec;

	tlsrpt_limits_default(&l);
	l.max_failure_details = 0;
	memset(&rec, 0, sizeof(rec));
	ck_assert_int_eq(
		tlsrpt_record_decode_fast(good, strlen(good), &l, NULL, &rec),
		1);
	ck_assert_int_eq(check_line(good, strlen(good), &l), 0);
	tlsrpt_limits_default(&l);
	l.max_policy_strings = 2;
	ck_assert_int_eq(check_line(good, strlen(good), &l), 0);
	tlsrpt_limits_default(&l);
	l.max_string_bytes = 10;
	ck_assert_int_eq(check_line(good, strlen(good), &l), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("record_fast");
	TCase *tc = tcase_create("core");

	tlsrpt_alloc_init();
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_cases_agree);
	tcase_add_test(tc, test_splice_hostile);
	tcase_add_test(tc, test_good_line_taken);
	tcase_add_test(tc, test_legacy_name_full_way);
	tcase_add_test(tc, test_dkim_word);
	tcase_add_test(tc, test_damage_agrees);
	tcase_add_test(tc, test_limits_declined);
	suite_add_tcase(s, tc);
	return test_run(s);
}
