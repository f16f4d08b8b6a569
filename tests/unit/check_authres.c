/* SPDX-License-Identifier: BSD-2-Clause */
/* check_authres.c -- the DKIM verdict from Authentication-Results. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "report/authres.h"
#include "tests/unit/testutil.h"

static char *const trusted[] = {"mx.example.net", "mx2.example.net"};

/* The verdict alone, every header taken as above every Received header
 * (a test helper: the programs always pass the Received positions, so no
 * caller can forget them). */
static const char *
dkim_verdict(char *const *auth_results, size_t n, char *const *trusted_ids,
	     size_t n_trusted, const char *submitter_domain)
{
	struct tlsrpt_dkim_result r;

	tlsrpt_dkim_evaluate(auth_results, NULL, n, trusted_ids, n_trusted,
			     submitter_domain, &r);
	return tlsrpt_dkim_name(r.verdict);
}

/* The verdict of one header for submitter domain d. */
static const char *
one(const char *header, const char *d)
{
	char *const h[] = {(char *)header};

	return dkim_verdict(h, 1, trusted, 2, d);
}

START_TEST(test_pass)
{
	ck_assert_str_eq(one("mx.example.net; dkim=pass header.d=google.com",
			     "google.com"),
			 "pass");
	ck_assert_str_eq(one("MX.Example.NET; DKIM=PASS header.d=GOOGLE.COM",
			     "google.com"),
			 "pass");
	ck_assert_str_eq(one("mx2.example.net; dkim=pass header.d=google.com",
			     "google.com"),
			 "pass");
	/* A parent domain signs for the submitter. */
	ck_assert_str_eq(one("mx.example.net; dkim=pass header.d=google.com",
			     "mail.google.com"),
			 "pass");
	/* Trailing dots on either side. */
	ck_assert_str_eq(one("mx.example.net; dkim=pass header.d=google.com.",
			     "google.com"),
			 "pass");
	ck_assert_str_eq(one("mx.example.net; dkim=pass header.d=google.com",
			     "google.com."),
			 "pass");
}
END_TEST

START_TEST(test_untrusted)
{
	ck_assert_str_eq(one("evil.example; dkim=pass header.d=google.com",
			     "google.com"),
			 "none");
	/* The id must match whole, not as a prefix or suffix. */
	ck_assert_str_eq(
		one("mx.example.net.evil; dkim=pass header.d=google.com",
		    "google.com"),
		"none");
	ck_assert_str_eq(one("x.mx.example.net; dkim=pass header.d=google.com",
			     "google.com"),
			 "none");
	/* An untrusted pass does not outweigh a trusted fail. */
	{
		char *const h[] = {
			"mx.example.net; dkim=fail header.d=google.com",
			"evil.example; dkim=pass header.d=google.com",
		};

		ck_assert_str_eq(dkim_verdict(h, 2, trusted, 2, "google.com"),
				 "fail");
		ck_assert_str_eq(dkim_verdict(h, 2, trusted, 0, "google.com"),
				 "none");
	}
}
END_TEST

START_TEST(test_fail)
{
	ck_assert_str_eq(one("mx.example.net; dkim=fail (bad signature) "
			     "header.d=google.com",
			     "google.com"),
			 "fail");
	ck_assert_str_eq(
		one("mx.example.net; dkim=permerror header.d=google.com",
		    "google.com"),
		"fail");
	ck_assert_str_eq(
		one("mx.example.net; dkim=temperror header.d=google.com",
		    "google.com"),
		"fail");
	ck_assert_str_eq(
		one("mx.example.net; dkim=neutral header.i=@google.com",
		    "google.com"),
		"fail");
}
END_TEST

START_TEST(test_none)
{
	ck_assert_str_eq(one("mx.example.net; none", "google.com"), "none");
	ck_assert_str_eq(
		one("mx.example.net; spf=pass smtp.mailfrom=google.com",
		    "google.com"),
		"none");
	/* A result without a domain says nothing about the submitter. */
	ck_assert_str_eq(one("mx.example.net; dkim=pass", "google.com"),
			 "none");
	ck_assert_str_eq(one("mx.example.net; dkim=fail", "google.com"),
			 "none");
	/* Another domain's signature. */
	ck_assert_str_eq(one("mx.example.net; dkim=pass header.d=example.org",
			     "google.com"),
			 "none");
	/* ARC and DMARC results are not DKIM results. */
	ck_assert_str_eq(one("mx.example.net; arc=pass header.d=google.com",
			     "google.com"),
			 "none");
	ck_assert_str_eq(
		one("mx.example.net; dmarc=pass header.from=google.com",
		    "google.com"),
		"none");
	ck_assert_str_eq(dkim_verdict(NULL, 0, trusted, 2, "google.com"),
			 "none");
	ck_assert_str_eq(
		one("mx.example.net; dkim=pass header.d=google.com", NULL),
		"none");
	ck_assert_str_eq(
		one("mx.example.net; dkim=pass header.d=google.com", ""),
		"none");
}
END_TEST

START_TEST(test_lookalike)
{
	ck_assert_str_eq(
		one("mx.example.net; dkim=pass header.d=evilgoogle.com",
		    "google.com"),
		"none");
	ck_assert_str_eq(one("mx.example.net; dkim=pass "
			     "header.d=google.com.evil.example",
			     "google.com"),
			 "none");
	/* A child domain does not vouch for its parent. */
	ck_assert_str_eq(
		one("mx.example.net; dkim=pass header.d=mail.google.com",
		    "google.com"),
		"none");
	/* A top-level domain vouches for nothing. */
	ck_assert_str_eq(
		one("mx.example.net; dkim=pass header.d=com", "google.com"),
		"none");
	ck_assert_str_eq(one("mx.example.net; dkim=pass header.i=@oogle.com",
			     "google.com"),
			 "none");
}
END_TEST

START_TEST(test_identity)
{
	ck_assert_str_eq(one("mx.example.net; dkim=pass header.i=@google.com",
			     "google.com"),
			 "pass");
	ck_assert_str_eq(one("mx.example.net; dkim=pass "
			     "header.i=noreply@mail.google.com",
			     "mail.google.com"),
			 "pass");
	/* header.d wins over header.i when both are there. */
	ck_assert_str_eq(one("mx.example.net; dkim=pass header.i=@google.com "
			     "header.d=example.org",
			     "google.com"),
			 "none");
}
END_TEST

START_TEST(test_syntax)
{
	/* Comments, also holding ';' and '=' and nested parentheses. */
	ck_assert_str_eq(
		one("mx.example.net (Postfix; a=b); dkim=pass (2048-bit key; "
		    "secure (really)) header.d=google.com "
		    "header.i=@google.com header.b=\"AbC+/d==\"",
		    "google.com"),
		"pass");
	/* A version after the authserv-id. */
	ck_assert_str_eq(one("mx.example.net 1; dkim=pass header.d=google.com",
			     "google.com"),
			 "pass");
	/* Folding white space kept by the header decoder. */
	ck_assert_str_eq(one("mx.example.net;\r\n\tdkim=pass\r\n\t "
			     "header.d=google.com;\r\n\tspf=pass",
			     "google.com"),
			 "pass");
	ck_assert_str_eq(one("  mx.example.net  ;dkim = pass header.d = "
			     "google.com",
			     "google.com"),
			 "pass");
	/* Quoted values. */
	ck_assert_str_eq(
		one("mx.example.net; dkim=pass header.d=\"google.com\"",
		    "google.com"),
		"pass");
	/* Several resinfo: any passing signature of the domain counts. */
	ck_assert_str_eq(one("mx.example.net; spf=pass smtp.mailfrom=a@b.c; "
			     "dkim=fail header.d=google.com; dkim=pass "
			     "reason=\"good; really\" header.d=google.com; "
			     "dmarc=pass",
			     "google.com"),
			 "pass");
	/* An unpadded header.b before header.d, as OpenDKIM writes it. */
	ck_assert_str_eq(one("mx.example.net; dkim=pass (1024-bit key) "
			     "header.b=abc==; header.d=evil.example",
			     "google.com"),
			 "none");
	ck_assert_str_eq(one("mx.example.net; dkim=pass header.b=ab/c= "
			     "header.d=google.com header.s=20230601",
			     "google.com"),
			 "pass");
	/* A method version. */
	ck_assert_str_eq(one("mx.example.net; dkim/1=pass header.d=google.com",
			     "google.com"),
			 "pass");
	/* A pass inside a comment is not a pass. */
	ck_assert_str_eq(one("mx.example.net; spf=pass (dkim=pass "
			     "header.d=google.com)",
			     "google.com"),
			 "none");
	/* No ';' after the id (or a non-numeric version): not RFC 8601. */
	ck_assert_str_eq(one("mx.example.net dkim=pass header.d=google.com",
			     "google.com"),
			 "none");
}
END_TEST

START_TEST(test_garbage)
{
	static const char *const bad[] = {
		"",
		";",
		";;;;",
		"mx.example.net",
		"mx.example.net;",
		"mx.example.net; =;=;\"",
		"mx.example.net; dkim",
		"mx.example.net; dkim=",
		"mx.example.net; dkim=pass header.d",
		"mx.example.net; dkim=pass header.d=",
		"mx.example.net; dkim=pass header.d=\"google.com",
		"mx.example.net; dkim=pass (((unclosed header.d=google.com",
		"mx.example.net; dkim=pass header.d=\\",
		"mx.example.net; dkim=pass header.i=@",
		"mx.example.net; \"\";\"\"=\"\" dkim=pass",
		"(",
		"\"",
		"mx.example.net; ) dkim=pass header.d=google.com.. ",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *v = one(bad[i], "google.com");

		ck_assert_msg(strcmp(v, "none") == 0, "%s -> %s", bad[i], v);
	}
	/* NULL entries are skipped. */
	{
		char *const h[] = {
			NULL, "mx.example.net; dkim=pass header.d=google.com"};

		ck_assert_str_eq(dkim_verdict(h, 2, trusted, 2, "google.com"),
				 "pass");
	}
}
END_TEST

/* Only the topmost trusted header with a DKIM result counts: a sender's
 * header with our authserv-id, written above its own Received headers,
 * lands below the one our verifier prepends (OpenDKIM's "dkim=none" for
 * an unsigned message; it keeps headers it cannot parse, such as one with
 * an unknown property). */
START_TEST(test_topmost)
{
	static const struct {
		char *h[2];
		const char *want;
	} cases[] = {
		{{"mx.example.net; dkim=none; dkim-atps=neutral",
		  "mx.example.net; dkim=pass header.d=google.com "
		  "x-forged.note=1"},
		 "none"},
		{{"mx.example.net; dkim=fail header.d=google.com",
		  "mx.example.net; dkim=pass header.d=google.com"},
		 "fail"},
		/* Signed by another domain: a pass, not for the submitter. */
		{{"mx.example.net; dkim=pass header.d=evil.example",
		  "mx2.example.net; dkim=pass header.d=google.com"},
		 "none"},
		/* A trusted header without DKIM (DMARC's, SPF's) is not the
		 * one. */
		{{"mx.example.net; dmarc=pass header.from=google.com",
		  "mx.example.net; dkim=pass header.d=google.com"},
		 "pass"},
	};
	struct tlsrpt_dkim_result r;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got =
			dkim_verdict(cases[i].h, 2, trusted, 2, "google.com");

		ck_assert_msg(strcmp(got, cases[i].want) == 0,
			      "case %zu: %s, want %s", i, got, cases[i].want);
		tlsrpt_dkim_evaluate(cases[i].h, NULL, 2, trusted, 2,
				     "google.com", &r);
		/* The lower header of ours with a DKIM result is ignored. */
		ck_assert_uint_eq(r.ignored, i == 3 ? 0 : 1);
	}
	tlsrpt_dkim_evaluate(cases[0].h, NULL, 2, trusted, 2, "google.com", &r);
	ck_assert_str_eq(r.domain, "");
}
END_TEST

/* RFC 8601 section 5: what lies below the first Received header was
 * written by the sender, whatever authserv-id it names. */
START_TEST(test_received_order)
{
	char *const below[] = {
		"mx.example.net; dkim=pass header.d=google.com "
		"x-forged.note=1",
	};
	char *const fail_then_forged[] = {
		"mx.example.net; dkim=fail (bad signature) header.d=google.com",
		"mx.example.net; dkim=pass header.d=google.com",
		"evil.example; dkim=pass header.d=google.com",
	};
	char *const pass_then_forged[] = {
		"mx.example.net; dkim=pass header.d=Mail.GOOGLE.com.",
		"mx.example.net; dkim=fail header.d=google.com",
	};
	const size_t one_received[] = {1};
	const size_t zero_one_two[] = {0, 1, 2};
	const size_t zero_one[] = {0, 1};
	const size_t zero_zero[] = {0, 0};
	struct tlsrpt_dkim_result r;

	tlsrpt_dkim_evaluate(below, one_received, 1, trusted, 2, "google.com",
			     &r);
	ck_assert_int_eq(r.verdict, TLSRPT_DKIM_NONE);
	ck_assert_uint_eq(r.ignored, 1);
	/* The same header above every Received header counts. */
	tlsrpt_dkim_evaluate(below, zero_zero, 1, trusted, 2, "google.com", &r);
	ck_assert_int_eq(r.verdict, TLSRPT_DKIM_PASS);
	ck_assert_str_eq(r.domain, "google.com");
	ck_assert_uint_eq(r.ignored, 0);

	/* Untrusted headers below are not forgeries of ours: not counted. */
	tlsrpt_dkim_evaluate(fail_then_forged, zero_one_two, 3, trusted, 2,
			     "google.com", &r);
	ck_assert_int_eq(r.verdict, TLSRPT_DKIM_FAIL);
	ck_assert_str_eq(r.domain, "");
	ck_assert_uint_eq(r.ignored, 1);

	tlsrpt_dkim_evaluate(pass_then_forged, zero_one, 2, trusted, 2,
			     "mail.google.com", &r);
	ck_assert_int_eq(r.verdict, TLSRPT_DKIM_PASS);
	ck_assert_str_eq(r.domain, "mail.google.com");
	ck_assert_uint_eq(r.ignored, 1);

	/* No submitter: no verdict, forgeries still counted. */
	tlsrpt_dkim_evaluate(below, one_received, 1, trusted, 2, NULL, &r);
	ck_assert_int_eq(r.verdict, TLSRPT_DKIM_NONE);
	ck_assert_uint_eq(r.ignored, 1);
}
END_TEST

START_TEST(test_submitter_domain)
{
	struct tlsrpt_message_meta m;
	char buf[256];

	memset(&m, 0, sizeof(m));
	m.report_submitter = "google.com";
	m.from = "noreply-smtp-tls-reporting@google.com";
	ck_assert_int_eq(tlsrpt_submitter_domain(&m, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "google.com");

	m.report_submitter = " Mail.RU ";
	ck_assert_int_eq(tlsrpt_submitter_domain(&m, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "mail.ru");

	/* sys4's reporter puts an organisation name there. */
	m.report_submitter = "Max Planck Institute";
	m.from = "\"TLS Reports\" <tlsrpt-noreply@Mail.MPI-KLSB.mpg.de>";
	ck_assert_int_eq(tlsrpt_submitter_domain(&m, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "mail.mpi-klsb.mpg.de");

	m.report_submitter = NULL;
	m.from = "\"a@evil.example\" <tlsrpt-noreply@microsoft.com>";
	ck_assert_int_eq(tlsrpt_submitter_domain(&m, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "microsoft.com");

	m.report_submitter = "localhost";
	m.from = "<tlsrpt@example.org>";
	ck_assert_int_eq(tlsrpt_submitter_domain(&m, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "example.org");

	m.report_submitter = "-bad-.example";
	m.from = "no address here";
	ck_assert_int_eq(tlsrpt_submitter_domain(&m, buf, sizeof(buf)), -1);
	ck_assert_str_eq(buf, "");

	m.report_submitter = "google.com";
	ck_assert_int_eq(tlsrpt_submitter_domain(&m, buf, 5), -1);
	ck_assert_str_eq(buf, "");

	m.report_submitter = "a..b";
	m.from = "x@y";
	ck_assert_int_eq(tlsrpt_submitter_domain(&m, buf, sizeof(buf)), -1);

	memset(&m, 0, sizeof(m));
	ck_assert_int_eq(tlsrpt_submitter_domain(&m, buf, sizeof(buf)), -1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("authres");
	TCase *tc = tcase_create("authres");

	tlsrpt_alloc_init();
	tcase_add_test(tc, test_pass);
	tcase_add_test(tc, test_untrusted);
	tcase_add_test(tc, test_fail);
	tcase_add_test(tc, test_none);
	tcase_add_test(tc, test_lookalike);
	tcase_add_test(tc, test_identity);
	tcase_add_test(tc, test_syntax);
	tcase_add_test(tc, test_garbage);
	tcase_add_test(tc, test_topmost);
	tcase_add_test(tc, test_received_order);
	tcase_add_test(tc, test_submitter_domain);
	suite_add_tcase(s, tc);
	return test_run(s);
}
