/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_report.c -- date-times, the STS mode, the report model's JSON form
 * and its round trip, and the real corpus reports.
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "report/report.h"
#include "report/report_json.h"
#include "tests/unit/testutil.h"

/* ---- date-times ---- */

static const struct {
	const char *s;
	int64_t t;
} good_dates[] = {
	{"2023-01-10T00:00:00Z", 1673308800},
	{"2023-01-10T00:00:00", 1673308800}, /* Microsoft: no zone, UTC */
	{"2023-01-10t00:00:00z", 1673308800},
	{"2023-01-10T02:00:00+02:00", 1673308800},
	{"2023-01-09T19:00:00-05:00", 1673308800},
	{"2023-01-10T05:30:00+05:30", 1673308800},
	{"2023-01-10T00:00:00+00:00", 1673308800},
	{"2023-01-10T00:00:00-00:00", 1673308800},
	{"2023-01-10T00:00:00.999Z", 1673308800},
	{"2023-01-10T00:00:00.1234567", 1673308800},
	{"2023-01-10T02:00:00.5+02:00", 1673308800},
	{"1970-01-01T00:00:00Z", 0},
	{"1969-12-31T23:59:59Z", -1},
	{"2024-02-29T12:00:00Z", 1709208000},
	{"2000-03-01T00:00:00Z", 951868800},
	{"1900-03-01T00:00:00Z", -2203891200LL},
	{"2023-12-31T23:59:59Z", 1704067199},
	{"2023-12-31T23:59:60Z", 1704067199}, /* leap second stays in day */
	{"9999-12-31T23:59:59Z", 253402300799LL},
	{"0001-01-01T00:00:00Z", -62135596800LL},
};

static const char *const bad_dates[] = {
	"",
	"2023-01-10",
	"2023-01-10T00:00Z",
	"2023-01-10T00:00",
	"2023-1-10T00:00:00Z",
	"23-01-10T00:00:00Z",
	"2023-01-10 00:00:00Z", /* space: not what senders write */
	"2023-01-10X00:00:00Z",
	"2023/01/10T00:00:00Z",
	"2023-00-10T00:00:00Z",
	"2023-13-01T00:00:00Z",
	"2023-02-29T00:00:00Z", /* not a leap year */
	"1900-02-29T00:00:00Z", /* century, not a leap year */
	"2023-04-31T00:00:00Z",
	"2023-01-00T00:00:00Z",
	"2023-01-32T00:00:00Z",
	"2023-01-10T24:00:00Z",
	"2023-01-10T00:60:00Z",
	"2023-01-10T00:00:61Z",
	"2023-01-10T00:00:00+0200",
	"2023-01-10T00:00:00+02",
	"2023-01-10T00:00:00+24:00",
	"2023-01-10T00:00:00+02:60",
	"2023-01-10T00:00:00.Z",
	"2023-01-10T00:00:00.",
	"2023-01-10T00:00:00ZZ",
	"2023-01-10T00:00:00Z ",
	" 2023-01-10T00:00:00Z",
	"+2023-01-10T00:00:00Z",
	"2023-01-10T00:00:00UTC",
	"2023-01-10T00:00:00 Z",
	"2023-01-10T0:00:00Z",
	"2023-01-1aT00:00:00Z",
	"1673308800",
	"10/01/2023 00:00:00",
	"Tue, 10 Jan 2023 00:00:00 +0000",
};

START_TEST(test_datetime_good)
{
	int64_t t = 12345;

	ck_assert_msg(tlsrpt_parse_datetime(good_dates[_i].s, &t) == 0,
		      "refused %s", good_dates[_i].s);
	ck_assert_msg(t == good_dates[_i].t, "%s: got %lld, want %lld",
		      good_dates[_i].s, (long long)t,
		      (long long)good_dates[_i].t);
}
END_TEST

START_TEST(test_datetime_bad)
{
	int64_t t = 12345;

	ck_assert_msg(tlsrpt_parse_datetime(bad_dates[_i], &t) == -1,
		      "accepted \"%s\"", bad_dates[_i]);
	ck_assert_int_eq(t, 12345);
}
END_TEST

START_TEST(test_datetime_null)
{
	int64_t t;

	ck_assert_int_eq(tlsrpt_parse_datetime(NULL, &t), -1);
}
END_TEST

START_TEST(test_datetime_format)
{
	char buf[32];

	tlsrpt_format_datetime(0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1970-01-01T00:00:00Z");
	tlsrpt_format_datetime(1673308800, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2023-01-10T00:00:00Z");
	tlsrpt_format_datetime(-1, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1969-12-31T23:59:59Z");
	tlsrpt_format_datetime(1709208000 + 3723, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2024-02-29T13:02:03Z");
	tlsrpt_format_datetime(253402300799LL, buf, sizeof(buf));
	ck_assert_str_eq(buf, "9999-12-31T23:59:59Z");
	/* Exactly the documented minimum size. */
	tlsrpt_format_datetime(1704067199, buf, 21);
	ck_assert_str_eq(buf, "2023-12-31T23:59:59Z");
	/* Too small a buffer truncates, never overflows. */
	tlsrpt_format_datetime(0, buf, 5);
	ck_assert_str_eq(buf, "1970");
}
END_TEST

/* Every day over four centuries (and odd times of day) formats and parses
 * back to itself. */
START_TEST(test_datetime_round_trip)
{
	char buf[32];
	int64_t back;

	for (int64_t t = -2208988800LL; t < 4102444800LL; t += 86400 + 3607) {
		tlsrpt_format_datetime(t, buf, sizeof(buf));
		ck_assert_int_eq(tlsrpt_parse_datetime(buf, &back), 0);
		ck_assert_msg(back == t, "%s: %lld != %lld", buf,
			      (long long)back, (long long)t);
	}
}
END_TEST

/* ---- the STS mode ---- */

static const char *
mode_of(enum tlsrpt_policy_type type, const char *const *lines, size_t n)
{
	struct tlsrpt_policy p;

	memset(&p, 0, sizeof(p));
	p.type = type;
	p.policy_strings = (char **)lines;
	p.n_policy_strings = n;
	return tlsrpt_policy_sts_mode(&p);
}

START_TEST(test_sts_mode)
{
	const char *const testing[] = {"version: STSv1", "mode: testing",
				       "mx: *.example.com", "max_age: 86400"};
	const char *const spaced[] = {"version: STSv1", "  Mode :  ENFORCE  "};
	const char *const none[] = {"MODE:none"};
	const char *const tabs[] = {"\tmode:\ttesting\r\n"};
	const char *const bogus[] = {"mode: sometimes", "mx: mode: testing"};
	const char *const nomode[] = {"version: STSv1", "max_age: 600"};
	const char *const near[] = {"modes: testing", "mode testing",
				    "mode: enforce now"};
	const char *const first[] = {"mode: testing", "mode: enforce"};

	ck_assert_str_eq(mode_of(TLSRPT_POLICY_STS, testing, 4), "testing");
	ck_assert_str_eq(mode_of(TLSRPT_POLICY_STS, spaced, 2), "enforce");
	ck_assert_str_eq(mode_of(TLSRPT_POLICY_STS, none, 1), "none");
	ck_assert_str_eq(mode_of(TLSRPT_POLICY_STS, tabs, 1), "testing");
	ck_assert_str_eq(mode_of(TLSRPT_POLICY_STS, first, 2), "testing");
	ck_assert_ptr_null(mode_of(TLSRPT_POLICY_STS, bogus, 2));
	ck_assert_ptr_null(mode_of(TLSRPT_POLICY_STS, nomode, 2));
	ck_assert_ptr_null(mode_of(TLSRPT_POLICY_STS, near, 3));
	ck_assert_ptr_null(mode_of(TLSRPT_POLICY_STS, NULL, 0));
	/* Only an sts policy has a mode. */
	ck_assert_ptr_null(mode_of(TLSRPT_POLICY_TLSA, testing, 4));
	ck_assert_ptr_null(mode_of(TLSRPT_POLICY_OTHER, testing, 4));
	ck_assert_ptr_null(tlsrpt_policy_sts_mode(NULL));
}
END_TEST

/* ---- parsing and the normalised form ---- */

/* Every member the model has, several policies, and quirks to normalise. */
static const char full_report[] =
	"{\"report-id\": \"2024-01-09T00:00:00Z_example.com\",\n"
	" \"organization-name\": \"Example Org\",\n"
	" \"contact-info\": \"tlsrpt@example.org\",\n"
	" \"unknown-member\": {\"ignored\": [1, 2, 3]},\n"
	" \"date-range\": {\"end-datetime\": \"2024-01-09T23:59:59\",\n"
	"                \"start-datetime\": \"2024-01-09T02:00:00+02:00\"},\n"
	" \"policies\": [\n"
	"  {\"summary\": {\"total-successful-session-count\": 12,\n"
	"               \"total-failure-session-count\": 3},\n"
	"   \"policy\": {\"policy-type\": \"sts\",\n"
	"     \"policy-string\": [\"version: STSv1\", \"mode: testing\",\n"
	"                         \"mx: mx1.example.com\", \"max_age: "
	"86400\"],\n"
	"     \"policy-domain\": \"example.com\",\n"
	"     \"mx-host\": [\"mx: mx1.example.com\", \"*.example.net\"]},\n"
	"   \"failure-details\": [\n"
	"    {\"result-type\": \"certificate-expired\",\n"
	"     \"sending-mta-ip\": \"192.0.2.1\",\n"
	"     \"receiving-mx-hostname\": \"mx1.example.com\",\n"
	"     \"receiving-mx-helo\": \"mx1.example.com\",\n"
	"     \"receiving-ip\": \"198.51.100.7\",\n"
	"     \"failed-session-count\": 2,\n"
	"     \"additional-information\": \"https://example.org/x?id=1\",\n"
	"     \"failure-reason-code\": \"X509_V_ERR_CERT_HAS_EXPIRED\"},\n"
	"    {\"result-type\": \"validation-failure\",\n"
	"     \"failed-session-count\": 1,\n"
	"     \"failure-error-code\": \"draft-name\",\n"
	"     \"sending-mta-ip\": \"\"}]},\n"
	"  {\"policy\": {\"policy-type\": \"tlsa\",\n"
	"     \"policy-string\": [\"[\\\"3 1 1 AA\\\",\\\"3 1 1 BB\\\"]\"],\n"
	"     \"policy-domain\": \"example.com\", \"mx-host\": "
	"\"mx1.example.com\"},\n"
	"   \"summary\": {\"total-successful-session-count\": 0}},\n"
	"  {\"policy\": {\"policy-type\": \"no-policy-found\"},\n"
	"   \"summary\": {\"total-successful-session-count\": "
	"1000000000,\n"
	"               \"total-failure-session-count\": 0},\n"
	"   \"failure-details\": []}]}\n";

static const char full_expected[] =
	"{\"organization-name\":\"Example Org\","
	"\"date-range\":{\"start-datetime\":\"2024-01-09T00:00:00Z\","
	"\"end-datetime\":\"2024-01-09T23:59:59Z\"},"
	"\"contact-info\":\"tlsrpt@example.org\","
	"\"report-id\":\"2024-01-09T00:00:00Z_example.com\","
	"\"policies\":["
	"{\"policy\":{\"policy-type\":\"sts\","
	"\"policy-string\":[\"version: STSv1\",\"mode: testing\","
	"\"mx: mx1.example.com\",\"max_age: 86400\"],"
	"\"policy-domain\":\"example.com\","
	"\"mx-host\":[\"mx1.example.com\",\"*.example.net\"]},"
	"\"summary\":{\"total-successful-session-count\":12,"
	"\"total-failure-session-count\":3},"
	"\"failure-details\":["
	"{\"result-type\":\"certificate-expired\","
	"\"sending-mta-ip\":\"192.0.2.1\","
	"\"receiving-mx-hostname\":\"mx1.example.com\","
	"\"receiving-mx-helo\":\"mx1.example.com\","
	"\"receiving-ip\":\"198.51.100.7\","
	"\"failed-session-count\":2,"
	"\"additional-information\":\"https://example.org/x?id=1\","
	"\"failure-reason-code\":\"X509_V_ERR_CERT_HAS_EXPIRED\"},"
	"{\"result-type\":\"validation-failure\","
	"\"failed-session-count\":1,"
	"\"failure-reason-code\":\"draft-name\"}]},"
	"{\"policy\":{\"policy-type\":\"tlsa\","
	"\"policy-string\":[\"3 1 1 AA\",\"3 1 1 BB\"],"
	"\"policy-domain\":\"example.com\",\"mx-host\":[\"mx1.example.com\"]},"
	"\"summary\":{\"total-successful-session-count\":0,"
	"\"total-failure-session-count\":0},"
	"\"failure-details\":[]},"
	"{\"policy\":{\"policy-type\":\"no-policy-found\",\"mx-host\":[]},"
	"\"summary\":{\"total-successful-session-count\":1000000000,"
	"\"total-failure-session-count\":0},"
	"\"failure-details\":[]}]}";

static struct tlsrpt_limits limits;

static struct tlsrpt_report *
parse_ok(const char *json, size_t len)
{
	struct tlsrpt_report *r = (struct tlsrpt_report *)1;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char buf[512];

	if (tlsrpt_report_parse(json, len, &limits, &r, &err) != 0)
		ck_abort_msg("parse failed: %s",
			     tlsrpt_error_format(&err, buf, sizeof(buf)));
	ck_assert_ptr_nonnull(r);
	return r;
}

static char *
dump_report(const struct tlsrpt_report *r)
{
	json_t *j = tlsrpt_report_to_json(r);
	char *s;

	ck_assert_ptr_nonnull(j);
	s = json_dumps(j, JSON_COMPACT);
	ck_assert_ptr_nonnull(s);
	json_decref(j);
	return s;
}

START_TEST(test_full_report_fields)
{
	struct tlsrpt_report *r = parse_ok(full_report, strlen(full_report));
	struct tlsrpt_policy *p;
	struct tlsrpt_failure_detail *d;

	ck_assert_str_eq(r->organization_name, "Example Org");
	ck_assert_str_eq(r->contact_info, "tlsrpt@example.org");
	ck_assert_str_eq(r->report_id, "2024-01-09T00:00:00Z_example.com");
	ck_assert_int_eq(r->start_time, 1704758400);
	ck_assert_int_eq(r->end_time, 1704844799);
	ck_assert_uint_eq(r->n_policies, 3);

	p = &r->policies[0];
	ck_assert_int_eq(p->type, TLSRPT_POLICY_STS);
	ck_assert_str_eq(p->policy_type, "sts");
	ck_assert_str_eq(p->policy_domain, "example.com");
	ck_assert_uint_eq(p->n_policy_strings, 4);
	ck_assert_str_eq(p->policy_strings[2], "mx: mx1.example.com");
	ck_assert_uint_eq(p->n_mx_hosts, 2);
	ck_assert_str_eq(p->mx_hosts[0], "mx1.example.com");
	ck_assert_str_eq(p->mx_hosts[1], "*.example.net");
	ck_assert_int_eq(p->total_successful_session_count, 12);
	ck_assert_int_eq(p->total_failure_session_count, 3);
	ck_assert_str_eq(tlsrpt_policy_sts_mode(p), "testing");
	ck_assert_uint_eq(p->n_failure_details, 2);
	d = &p->failure_details[0];
	ck_assert_str_eq(d->result_type, "certificate-expired");
	ck_assert_str_eq(d->sending_mta_ip, "192.0.2.1");
	ck_assert_str_eq(d->receiving_mx_hostname, "mx1.example.com");
	ck_assert_str_eq(d->receiving_mx_helo, "mx1.example.com");
	ck_assert_str_eq(d->receiving_ip, "198.51.100.7");
	ck_assert_int_eq(d->failed_session_count, 2);
	ck_assert_str_eq(d->additional_information,
			 "https://example.org/x?id=1");
	ck_assert_str_eq(d->failure_reason_code, "X509_V_ERR_CERT_HAS_EXPIRED");
	d = &p->failure_details[1];
	ck_assert_str_eq(d->result_type, "validation-failure");
	ck_assert_ptr_null(d->sending_mta_ip);
	ck_assert_ptr_null(d->receiving_mx_hostname);
	ck_assert_ptr_null(d->receiving_mx_helo);
	ck_assert_ptr_null(d->receiving_ip);
	ck_assert_ptr_null(d->additional_information);
	ck_assert_str_eq(d->failure_reason_code, "draft-name");

	p = &r->policies[1];
	ck_assert_int_eq(p->type, TLSRPT_POLICY_TLSA);
	ck_assert_uint_eq(p->n_policy_strings, 2);
	ck_assert_str_eq(p->policy_strings[0], "3 1 1 AA");
	ck_assert_str_eq(p->policy_strings[1], "3 1 1 BB");
	ck_assert_uint_eq(p->n_mx_hosts, 1);
	ck_assert_int_eq(p->total_failure_session_count, 0);
	ck_assert_uint_eq(p->n_failure_details, 0);
	ck_assert_ptr_null(tlsrpt_policy_sts_mode(p));

	p = &r->policies[2];
	ck_assert_int_eq(p->type, TLSRPT_POLICY_NO_POLICY_FOUND);
	ck_assert_ptr_null(p->policy_domain);
	ck_assert_uint_eq(p->n_policy_strings, 0);
	ck_assert_uint_eq(p->n_mx_hosts, 0);
	/* MaxSessionCount, the most one policy may claim. */
	ck_assert_int_eq(p->total_successful_session_count, 1000000000);
	tlsrpt_report_free(r);
}
END_TEST

START_TEST(test_full_report_json)
{
	struct tlsrpt_report *r = parse_ok(full_report, strlen(full_report));
	struct tlsrpt_report *again;
	char *first, *second;

	first = dump_report(r);
	ck_assert_str_eq(first, full_expected);
	/* The normalised form parses back to the same normalised form. */
	again = parse_ok(first, strlen(first));
	second = dump_report(again);
	ck_assert_str_eq(first, second);
	free(first);
	free(second);
	tlsrpt_report_free(r);
	tlsrpt_report_free(again);
}
END_TEST

static void
assert_same_string(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		ck_assert_ptr_eq(a, b);
	else
		ck_assert_str_eq(a, b);
}

static void
assert_same_policy(const struct tlsrpt_policy *a, const struct tlsrpt_policy *b)
{
	ck_assert_int_eq(a->type, b->type);
	ck_assert_str_eq(a->policy_type, b->policy_type);
	assert_same_string(a->policy_domain, b->policy_domain);
	ck_assert_uint_eq(a->n_policy_strings, b->n_policy_strings);
	for (size_t i = 0; i < a->n_policy_strings; i++)
		ck_assert_str_eq(a->policy_strings[i], b->policy_strings[i]);
	ck_assert_uint_eq(a->n_mx_hosts, b->n_mx_hosts);
	for (size_t i = 0; i < a->n_mx_hosts; i++)
		ck_assert_str_eq(a->mx_hosts[i], b->mx_hosts[i]);
	ck_assert_int_eq(a->total_successful_session_count,
			 b->total_successful_session_count);
	ck_assert_int_eq(a->total_failure_session_count,
			 b->total_failure_session_count);
	ck_assert_uint_eq(a->n_failure_details, b->n_failure_details);
	for (size_t i = 0; i < a->n_failure_details; i++) {
		const struct tlsrpt_failure_detail *x = &a->failure_details[i];
		const struct tlsrpt_failure_detail *y = &b->failure_details[i];

		ck_assert_str_eq(x->result_type, y->result_type);
		assert_same_string(x->sending_mta_ip, y->sending_mta_ip);
		assert_same_string(x->receiving_mx_hostname,
				   y->receiving_mx_hostname);
		assert_same_string(x->receiving_mx_helo, y->receiving_mx_helo);
		assert_same_string(x->receiving_ip, y->receiving_ip);
		ck_assert_int_eq(x->failed_session_count,
				 y->failed_session_count);
		assert_same_string(x->additional_information,
				   y->additional_information);
		assert_same_string(x->failure_reason_code,
				   y->failure_reason_code);
	}
}

/* What the store does: policy -> JSON -> policy, every field the same. */
START_TEST(test_policy_round_trip)
{
	struct tlsrpt_report *r = parse_ok(full_report, strlen(full_report));
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	for (size_t i = 0; i < r->n_policies; i++) {
		struct tlsrpt_policy back;
		json_t *j = tlsrpt_policy_to_json(&r->policies[i]);
		char *text;
		json_t *reread;

		ck_assert_ptr_nonnull(j);
		/* Through text too, as the store writes and reads lines. */
		text = json_dumps(j, JSON_COMPACT);
		ck_assert_ptr_nonnull(text);
		reread = json_loads(text, 0, NULL);
		ck_assert_ptr_nonnull(reread);
		memset(&back, 0, sizeof(back));
		ck_assert_int_eq(
			tlsrpt_policy_from_json(reread, &limits, &back, &err),
			0);
		assert_same_policy(&r->policies[i], &back);
		tlsrpt_policy_clear(&back);
		free(text);
		json_decref(j);
		json_decref(reread);
	}
	tlsrpt_report_free(r);
}
END_TEST

START_TEST(test_policy_from_json_errors)
{
	struct tlsrpt_policy p;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	json_t *j;

	memset(&p, 0, sizeof(p));
	ck_assert_int_eq(tlsrpt_policy_from_json(NULL, &limits, &p, &err), -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_INVALID);

	j = json_loads("{\"policy\":{\"policy-type\":\"sts\","
		       "\"policy-domain\":\"a.example\",\"mx-host\":[7]},"
		       "\"summary\":{\"total-successful-session-count\":1}}",
		       0, NULL);
	ck_assert_ptr_nonnull(j);
	tlsrpt_error_clear(&err);
	ck_assert_int_eq(tlsrpt_policy_from_json(j, &limits, &p, &err), -1);
	ck_assert_str_eq(err.path, "policy.mx-host[0]");
	ck_assert_ptr_nonnull(strstr(err.text, "must be a string"));
	/* Cleared on failure. */
	ck_assert_ptr_null(p.policy_type);
	ck_assert_ptr_null(p.policy_domain);
	json_decref(j);
}
END_TEST

static void
expect_error(const char *json, enum tlsrpt_status code, const char *path,
	     const char *text)
{
	struct tlsrpt_report *r = (struct tlsrpt_report *)1;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	ck_assert_int_eq(
		tlsrpt_report_parse(json, strlen(json), &limits, &r, &err), -1);
	ck_assert_ptr_null(r);
	ck_assert_msg(err.code == code, "%s: code %s, want %s", json,
		      tlsrpt_status_name(err.code), tlsrpt_status_name(code));
	ck_assert_str_eq(err.path, path);
	ck_assert_msg(strstr(err.text, text) != NULL, "\"%s\" lacks \"%s\"",
		      err.text, text);
}

#define HEAD                                                           \
	"{\"organization-name\":\"o\",\"report-id\":\"r\","            \
	"\"date-range\":{\"start-datetime\":\"2024-01-01T00:00:00Z\"," \
	"\"end-datetime\":\"2024-01-01T23:59:59Z\"},"
#define POLICY "{\"policy-type\":\"sts\",\"policy-domain\":\"d.example\"}"

START_TEST(test_errors)
{
	expect_error(HEAD "\"policies\":[{\"policy\":" POLICY
			  ",\"summary\":{\"total-successful-session-count\":1,"
			  "\"total-failure-session-count\":-3}}]}",
		     TLSRPT_ERR_INVALID,
		     "policies[0].summary.total-failure-session-count",
		     "must be a non-negative integer, got -3");
	expect_error(HEAD "\"policies\":[{\"policy\":" POLICY
			  ",\"summary\":{\"total-successful-session-count\":"
			  "\"12\"}}]}",
		     TLSRPT_ERR_INVALID,
		     "policies[0].summary.total-successful-session-count",
		     "got the string \"12\"");
	expect_error(HEAD "\"policies\":[{\"policy\":" POLICY
			  ",\"summary\":{\"total-successful-session-count\":"
			  "1.5}}]}",
		     TLSRPT_ERR_INVALID,
		     "policies[0].summary.total-successful-session-count",
		     "got 1.5");
	expect_error(HEAD "\"policies\":[{\"policy\":" POLICY
			  ",\"summary\":{\"total-successful-session-count\":"
			  "9007199254740992}}]}",
		     TLSRPT_ERR_INVALID,
		     "policies[0].summary.total-successful-session-count",
		     "must be at most 9007199254740991");
	expect_error(HEAD "\"policies\":[]}", TLSRPT_ERR_INVALID, "policies",
		     "at least one policy");
	expect_error("[1,2]", TLSRPT_ERR_INVALID, "",
		     "must be a JSON object, got an array");
	expect_error("{\"a\":1,\n\"a\":2}", TLSRPT_ERR_INVALID, "",
		     "duplicate object key");
	expect_error("{\n  \"a\": tru }", TLSRPT_ERR_INVALID, "", "line 2");
	expect_error("{\"a\": 123456789012345678901234567890}",
		     TLSRPT_ERR_INVALID, "", "too big integer");
	expect_error("", TLSRPT_ERR_INVALID, "", "not valid JSON");
}
END_TEST

static struct tlsrpt_report *
parse_tlsa(const char *policy_string, const struct tlsrpt_limits *l,
	   struct tlsrpt_error *err)
{
	char json[1024];
	struct tlsrpt_report *r = NULL;

	snprintf(json, sizeof(json),
		 HEAD "\"policies\":[{\"policy\":{\"policy-type\":\"tlsa\","
		      "\"policy-domain\":\"d.example\",\"policy-string\":[%s]},"
		      "\"summary\":{\"total-successful-session-count\":1}}]}",
		 policy_string);
	if (tlsrpt_report_parse(json, strlen(json), l, &r, err) != 0)
		return NULL;
	return r;
}

START_TEST(test_tlsa_embedded)
{
	struct tlsrpt_limits small = limits;
	struct tlsrpt_report *r;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	/* Split, white space around the array allowed. */
	r = parse_tlsa("\" [\\\"3 1 1 AA\\\", \\\"3 1 1 BB\\\"] \"", &limits,
		       &err);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->policies[0].n_policy_strings, 2);
	ck_assert_str_eq(r->policies[0].policy_strings[1], "3 1 1 BB");
	tlsrpt_report_free(r);

	/* An empty embedded array leaves no strings. */
	r = parse_tlsa("\"[]\"", &limits, &err);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->policies[0].n_policy_strings, 0);
	tlsrpt_report_free(r);

	/* Not an array of plain strings: kept as sent. */
	static const char *const kept[] = {
		"\"[1, 2]\"",
		"\"[\\\"[x]\\\"]\"",
		"\"[\\\"a\\\"\"",
		"\"{\\\"a\\\": 1}\"",
		"\"[[[[[[[[[[[[[[[[[[[[\"",
	};
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
		r = parse_tlsa(kept[i], &limits, &err);
		ck_assert_ptr_nonnull(r);
		ck_assert_uint_eq(r->policies[0].n_policy_strings, 1);
		tlsrpt_report_free(r);
	}

	/* Two elements: never decoded, whatever they hold. */
	r = parse_tlsa("\"[\\\"3 1 1 AA\\\"]\", \"x\"", &limits, &err);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->policies[0].policy_strings[0], "[\"3 1 1 AA\"]");
	tlsrpt_report_free(r);

	/* The records inside count against MaxPolicyStrings. */
	small.max_policy_strings = 2;
	r = parse_tlsa("\"[\\\"a\\\",\\\"b\\\",\\\"c\\\"]\"", &small, &err);
	ck_assert_ptr_null(r);
	ck_assert_int_eq(err.code, TLSRPT_ERR_LIMIT);
	ck_assert_str_eq(err.path, "policies[0].policy.policy-string[0]");
	ck_assert_ptr_nonnull(strstr(err.text, "more than 2 TLSA records"));
}
END_TEST

START_TEST(test_depth)
{
	struct tlsrpt_report *r = NULL;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	size_t n = 200000;
	char *deep = malloc(n + 2);
	char *quoted = malloc(n + 200);

	ck_assert_ptr_nonnull(deep);
	ck_assert_ptr_nonnull(quoted);
	/* Deep enough to overflow a recursive parser's stack. */
	memset(deep, '[', n);
	deep[n] = '\0';
	ck_assert_int_eq(tlsrpt_report_parse(deep, n, &limits, &r, &err), -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_LIMIT);
	ck_assert_ptr_nonnull(strstr(err.text, "MaxJSONDepth"));
	ck_assert_int_eq(err.offset, (long)limits.max_json_depth);

	/* Brackets inside a string (with an escaped quote) do not count. */
	snprintf(quoted, n + 200, "{\"x\":\"\\\"%.*s\"}", 10000, deep);
	ck_assert_int_eq(
		tlsrpt_report_parse(quoted, strlen(quoted), &limits, &r, &err),
		-1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_INVALID);
	ck_assert_str_eq(err.path, "organization-name");
	free(deep);
	free(quoted);
}
END_TEST

/* Issue 15 case 7: millions of empty objects under an unknown key, which
 * jansson would build at ~224 bytes each, are refused before it builds
 * any; MaxJSONValues and the one-value-per-8-bytes density both bound. */
START_TEST(test_value_budget)
{
	struct tlsrpt_limits small = limits;
	struct tlsrpt_report *r = NULL;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	const char *head = "{\"organization-name\":\"o\",\"report-id\":"
			   "\"x\",\"junk\":[";
	size_t n = 1000000, len = 0, full = strlen(full_report);
	char *buf = malloc(strlen(head) + 3 * n + 8), *padded;
	unsigned long allocs;

	ck_assert_ptr_nonnull(buf);
	len = (size_t)sprintf(buf, "%s", head);
	for (size_t i = 0; i < n; i++) {
		memcpy(buf + len, i > 0 ? ",{}" : "{}", i > 0 ? 3 : 2);
		len += i > 0 ? 3 : 2;
	}
	memcpy(buf + len, "]}", 2);
	len += 2;
	(void)tlsrpt_alloc_fail_after(0);
	ck_assert_int_eq(tlsrpt_report_parse(buf, len, &limits, &r, &err), -1);
	allocs = tlsrpt_alloc_fail_after(0);
	ck_assert_int_eq(err.code, TLSRPT_ERR_LIMIT);
	ck_assert_ptr_nonnull(strstr(err.text, "MaxJSONValues"));
	ck_assert_uint_lt(allocs, 4); /* nothing was built */

	/* The same values spread over 8 bytes each pass the density rule
	 * and meet the absolute bound. */
	padded = malloc(8 * n + 64);
	ck_assert_ptr_nonnull(padded);
	len = (size_t)sprintf(padded, "%s", head);
	for (size_t i = 0; i < 200000; i++)
		len += (size_t)sprintf(padded + len, "%s{}     ",
				       i > 0 ? "," : "");
	len += (size_t)sprintf(padded + len, "]}");
	ck_assert_int_eq(tlsrpt_report_parse(padded, len, &limits, &r, &err),
			 -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_LIMIT);
	ck_assert_ptr_nonnull(strstr(err.text, "MaxJSONValues 100000"));

	/* A real report is far from both bounds, and the bound is exact. */
	r = parse_ok(full_report, full);
	tlsrpt_report_free(r);
	small.max_json_values = 20;
	ck_assert_int_eq(
		tlsrpt_report_parse(full_report, full, &small, &r, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.text, "more than 20 values"));
	free(buf);
	free(padded);
}
END_TEST

START_TEST(test_size_limit)
{
	struct tlsrpt_limits small = limits;
	struct tlsrpt_report *r = NULL;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	small.max_report_bytes = 100;
	ck_assert_int_eq(tlsrpt_report_parse(full_report, strlen(full_report),
					     &small, &r, &err),
			 -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_LIMIT);
	ck_assert_ptr_nonnull(strstr(err.text, "MaxReportSize"));
}
END_TEST

START_TEST(test_bom_and_not_terminated)
{
	size_t len = strlen(full_report);
	char *buf = malloc(len + 3);
	struct tlsrpt_report *r;

	ck_assert_ptr_nonnull(buf);
	memcpy(buf, "\xef\xbb\xbf", 3);
	/* No NUL after the JSON: the parser must honour len. */
	memcpy(buf + 3, full_report, len);
	r = parse_ok(buf, len + 3);
	ck_assert_uint_eq(r->n_policies, 3);
	tlsrpt_report_free(r);
	free(buf);
}
END_TEST

START_TEST(test_free_null)
{
	struct tlsrpt_policy p;

	tlsrpt_report_free(NULL);
	tlsrpt_policy_clear(NULL);
	memset(&p, 0, sizeof(p));
	tlsrpt_policy_clear(&p);
	ck_assert_ptr_null(p.policy_type);
}
END_TEST

/* ---- the real corpus ---- */

static int
ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static size_t
parse_corpus_dir(const char *dir)
{
	size_t n, count = 0;
	char **names = test_list_dir(dir, &n);
	char path[4096];

	for (size_t i = 0; i < n; i++) {
		struct tlsrpt_report *r = NULL;
		struct tlsrpt_error err = TLSRPT_ERROR_INIT;
		char msg[512], *buf;
		size_t len;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (strcmp(names[i], "issues") == 0) {
			count += parse_corpus_dir(path);
			continue;
		}
		if (!ends_with(names[i], ".json"))
			continue;
		buf = test_read_file(path, &len);
		if (tlsrpt_report_parse(buf, len, &limits, &r, &err) != 0)
			ck_abort_msg(
				"%s: %s", path,
				tlsrpt_error_format(&err, msg, sizeof(msg)));
		/* Microsoft's TLSA records arrive split. */
		for (size_t k = 0; k < r->n_policies; k++) {
			const struct tlsrpt_policy *p = &r->policies[k];

			for (size_t m = 0; p->type == TLSRPT_POLICY_TLSA &&
					   m < p->n_policy_strings;
			     m++)
				ck_assert_msg(p->policy_strings[m][0] != '[',
					      "%s: TLSA string not split",
					      path);
		}
		tlsrpt_report_free(r);
		free(buf);
		count++;
	}
	test_free_names(names, n);
	return count;
}

START_TEST(test_corpus)
{
	const char *corpus = test_corpus_dir();
	char real[4096];
	size_t n, count = 0;
	char **dirs;

	if (corpus == NULL) {
		test_skip("no corpus (TLSRPT_CORPUS): corpus test not run");
		return;
	}
	snprintf(real, sizeof(real), "%s/real", corpus);
	dirs = test_list_dir(real, &n);
	for (size_t i = 0; i < n; i++) {
		char sub[8192];

		snprintf(sub, sizeof(sub), "%s/%s", real, dirs[i]);
		if (test_exists(sub) && !ends_with(dirs[i], ".md"))
			count += parse_corpus_dir(sub);
	}
	test_free_names(dirs, n);
	ck_assert_msg(count >= 10, "only %zu corpus reports found", count);
}
END_TEST

static Suite *
report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("datetime");

	tcase_add_loop_test(tc, test_datetime_good, 0,
			    sizeof(good_dates) / sizeof(good_dates[0]));
	tcase_add_loop_test(tc, test_datetime_bad, 0,
			    sizeof(bad_dates) / sizeof(bad_dates[0]));
	tcase_add_test(tc, test_datetime_null);
	tcase_add_test(tc, test_datetime_format);
	tcase_add_test(tc, test_datetime_round_trip);
	suite_add_tcase(s, tc);

	tc = tcase_create("model");
	tcase_add_test(tc, test_sts_mode);
	tcase_add_test(tc, test_full_report_fields);
	tcase_add_test(tc, test_full_report_json);
	tcase_add_test(tc, test_policy_round_trip);
	tcase_add_test(tc, test_policy_from_json_errors);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_tlsa_embedded);
	tcase_add_test(tc, test_depth);
	tcase_add_test(tc, test_value_budget);
	tcase_add_test(tc, test_size_limit);
	tcase_add_test(tc, test_bom_and_not_terminated);
	tcase_add_test(tc, test_free_null);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	tc = tcase_create("corpus");
	tcase_add_test(tc, test_corpus);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	tlsrpt_alloc_init();
	tlsrpt_limits_default(&limits);
	return test_run(report_suite());
}
