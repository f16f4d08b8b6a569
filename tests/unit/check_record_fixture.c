/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_record_fixture.c -- the store line against a hand-written fixture
 * (tests/data/store/record-v1.jsonl), not only encoder against decoder:
 * a change that broke both the same way (a renamed key, a lost field)
 * would pass a round trip but fails here.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "report/report.h"
#include "store/record.h"
#include "store/record_fast.h"
#include "tests/unit/testutil.h"

#define DIGEST \
	"5d41402abc4b2a76b9719d911017c592aaf0e3b4c1d2e3f405162738495a6b7c"

static char *
fixture_line(size_t *len)
{
	char dir[512];
	char *text;

	snprintf(dir, sizeof(dir), "%s/store", test_data_dir());
	text = test_read_file_in(dir, "record-v1.jsonl", len);
	/* One line, ending in '\n' like every store line. */
	ck_assert_uint_gt(*len, 0);
	ck_assert_int_eq(text[*len - 1], '\n');
	ck_assert_ptr_eq(strchr(text, '\n'), text + *len - 1);
	return text;
}

/* Every field of the fixture, as written there by hand. dkim-domain and
 * authres-forged are read past (the record has no field for them yet):
 * the line must still decode. */
static void
check_fixture_record(const struct tlsrpt_record *rec)
{
	const struct tlsrpt_policy *p = &rec->policy;
	const struct tlsrpt_failure_detail *d;

	ck_assert_int_eq(rec->version, 1);
	ck_assert_int_eq(rec->received, 1795858215); /* 2026-11-28T09:30:15Z */
	ck_assert_str_eq(rec->source, "milter");
	ck_assert_str_eq(rec->host, "mx1.example.com");
	ck_assert_str_eq(rec->queue_id, "4VqXyZ1abc");
	ck_assert_str_eq(rec->file, "/srv/in/report.eml");
	ck_assert_str_eq(rec->message_id, "<r1@reporter.example>");
	ck_assert_int_eq(rec->dkim, TLSRPT_DKIM_PASS);
	ck_assert_str_eq(rec->client_addr, "203.0.113.9");
	ck_assert_str_eq(rec->submitter, "reporter.example");
	ck_assert_str_eq(rec->digest, DIGEST);
	ck_assert_int_eq(rec->conflict, 1);
	ck_assert_str_eq(rec->organization_name, "Reporter Inc");
	ck_assert_str_eq(rec->contact_info, "tlsrpt@reporter.example");
	ck_assert_str_eq(rec->report_id, "2026-11-27T00:00:00Z_example.org");
	ck_assert_int_eq(rec->start_time, 1795737600); /* 2026-11-27 */
	ck_assert_int_eq(rec->end_time, 1795823999);   /* 23:59:59 */
	ck_assert_uint_eq(rec->policy_index, 0);
	ck_assert_uint_eq(rec->policy_count, 1);

	ck_assert_int_eq(p->type, TLSRPT_POLICY_STS);
	ck_assert_str_eq(p->policy_type, "sts");
	ck_assert_str_eq(p->policy_domain, "example.org");
	ck_assert_uint_eq(p->n_policy_strings, 4);
	ck_assert_str_eq(p->policy_strings[0], "version: STSv1");
	ck_assert_str_eq(p->policy_strings[1], "mode: enforce");
	ck_assert_str_eq(p->policy_strings[2], "mx: mx1.example.org");
	ck_assert_str_eq(p->policy_strings[3], "max_age: 86400");
	ck_assert_uint_eq(p->n_mx_hosts, 1);
	ck_assert_str_eq(p->mx_hosts[0], "mx1.example.org");
	ck_assert_int_eq(p->total_successful_session_count, 1200);
	ck_assert_int_eq(p->total_failure_session_count, 7);
	ck_assert_uint_eq(p->n_failure_details, 1);
	d = &p->failure_details[0];
	ck_assert_str_eq(d->result_type, "certificate-expired");
	ck_assert_str_eq(d->sending_mta_ip, "198.51.100.22");
	ck_assert_str_eq(d->receiving_mx_hostname, "mx1.example.org");
	ck_assert_str_eq(d->receiving_mx_helo, "mx1.example.org");
	ck_assert_str_eq(d->receiving_ip, "192.0.2.25");
	ck_assert_int_eq(d->failed_session_count, 7);
	ck_assert_str_eq(d->additional_information,
			 "https://reporter.example/tlsrpt/help");
	ck_assert_str_eq(d->failure_reason_code, "X509_V_ERR_CERT_HAS_EXPIRED");
}

/* Both decoders: the fast path (what tlsrpt_record_decode takes for lines
 * this program wrote; it declines any escape, so the fixture has none --
 * check_store.c's test_line_format covers escaping) and the full jansson
 * decode. */
START_TEST(test_decode_fixture)
{
	struct tlsrpt_limits limits;
	struct tlsrpt_record rec;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	size_t len;
	char *line = fixture_line(&len);

	tlsrpt_limits_default(&limits);
	memset(&rec, 0, sizeof(rec));
	ck_assert_int_eq(
		tlsrpt_record_decode_fast(line, len - 1, &limits, NULL, &rec),
		0);
	check_fixture_record(&rec);
	tlsrpt_record_clear(&rec);
	ck_assert_msg(tlsrpt_record_decode_json(line, len - 1, &limits, &rec,
						&err) == 0,
		      "%s", err.text);
	check_fixture_record(&rec);
	tlsrpt_record_clear(&rec);
	free(line);
}
END_TEST

/* The same report and receipt built in C: the encoder writes the fixture
 * byte for byte (keys, their order, escaping, dates, sts-mode). */
START_TEST(test_encode_fixture)
{
	static char *strings[] = {"version: STSv1", "mode: enforce",
				  "mx: mx1.example.org", "max_age: 86400"};
	static char *mx[] = {"mx1.example.org"};
	struct tlsrpt_failure_detail detail = {
		.result_type = "certificate-expired",
		.sending_mta_ip = "198.51.100.22",
		.receiving_mx_hostname = "mx1.example.org",
		.receiving_mx_helo = "mx1.example.org",
		.receiving_ip = "192.0.2.25",
		.failed_session_count = 7,
		.additional_information =
			"https://reporter.example/tlsrpt/help",
		.failure_reason_code = "X509_V_ERR_CERT_HAS_EXPIRED",
	};
	struct tlsrpt_policy policy = {
		.type = TLSRPT_POLICY_STS,
		.policy_type = "sts",
		.policy_domain = "example.org",
		.policy_strings = strings,
		.n_policy_strings = 4,
		.mx_hosts = mx,
		.n_mx_hosts = 1,
		.total_successful_session_count = 1200,
		.total_failure_session_count = 7,
		.failure_details = &detail,
		.n_failure_details = 1,
	};
	struct tlsrpt_report report = {
		.organization_name = "Reporter Inc",
		.contact_info = "tlsrpt@reporter.example",
		.report_id = "2026-11-27T00:00:00Z_example.org",
		.start_time = 1795737600,
		.end_time = 1795823999,
		.policies = &policy,
		.n_policies = 1,
	};
	struct tlsrpt_receipt rc = {
		.received = 1795858215,
		.source = "milter",
		.host = "mx1.example.com",
		.queue_id = "4VqXyZ1abc",
		.file = "/srv/in/report.eml",
		.message_id = "<r1@reporter.example>",
		.dkim = TLSRPT_DKIM_PASS,
		.dkim_domain = "reporter.example",
		.authres_forged = 2,
		.client_addr = "203.0.113.9",
		.submitter = "reporter.example",
		.digest = DIGEST,
		.conflict = 1,
	};
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char *buf = NULL;
	size_t len, want_len;
	char *want = fixture_line(&want_len);

	ck_assert_msg(tlsrpt_record_encode(&report, &rc, &buf, &len, &err) == 0,
		      "%s", err.text);
	ck_assert_msg(len == want_len && memcmp(buf, want, len) == 0,
		      "encoder wrote\n%.*s\nthe fixture says\n%s", (int)len,
		      buf, want);
	tlsrpt_free(buf);
	free(want);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("record_fixture");
	TCase *tc = tcase_create("record_fixture");

	tcase_add_test(tc, test_decode_fixture);
	tcase_add_test(tc, test_encode_fixture);
	suite_add_tcase(s, tc);
	return test_run(s);
}
