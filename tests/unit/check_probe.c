/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_probe.c -- tlsrpt-probe's pure part: matching an MX host against
 * an MTA-STS policy's mx patterns (RFC 8461 section 4.1). The probing
 * itself runs against real servers in tests/scripts/t-probe.sh.
 */
#include <check.h>

#include "probe/probe.h"
#include "tests/unit/testutil.h"

struct match_case {
	const char *pattern, *host;
	int match;
};

static const struct match_case match_cases[] = {
	{"mx.example.com", "mx.example.com", 1},
	{"mx.example.com", "MX.Example.COM", 1},  /* case-insensitive */
	{"mx.example.com.", "mx.example.com", 1}, /* trailing dots */
	{"mx.example.com", "mx.example.com.", 1},
	{"mx.example.com", "mx2.example.com", 0},
	{"mx.example.com", "x.mx.example.com", 0},
	/* "*." stands for exactly one leftmost label */
	{"*.example.com", "mx.example.com", 1},
	{"*.example.com", "MX.EXAMPLE.com", 1},
	{"*.example.com", "example.com", 0},
	{"*.example.com", "a.b.example.com", 0},
	{"*.example.com", ".example.com", 0},
	{"*.example.com", "mxexample.com", 0},
	{"*.example.com", "mx.example.com.", 1},
	/* a wildcard anywhere else is a literal, matching nothing real */
	{"mx.*.example.com", "mx.a.example.com", 0},
	{"*", "example", 0},
	{"*.", "a.", 0},
};

START_TEST(test_match)
{
	const struct match_case *c = &match_cases[_i];

	ck_assert_msg(probe_mx_pattern_match(c->pattern, c->host) == c->match,
		      "pattern \"%s\", host \"%s\": want %d", c->pattern,
		      c->host, c->match);
}
END_TEST

static Suite *
probe_suite(void)
{
	Suite *s = suite_create("probe");
	TCase *tc = tcase_create("mx patterns");

	tcase_add_loop_test(tc, test_match, 0,
			    sizeof(match_cases) / sizeof(match_cases[0]));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return test_run(probe_suite());
}
