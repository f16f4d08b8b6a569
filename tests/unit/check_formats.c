/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_formats.c -- tlsrpt-summary's machine formats keep structure
 * (issue 18, item 5): lists are JSON arrays and CSV fields of one item a
 * line, a policy without a domain is null (JSON), an empty cell (CSV) or
 * domain="" (Prometheus), the JSON schema is versioned, and
 * tlsrpt_failed_sessions{domain,result_type,receiving_mx} shows the top
 * pairs of each domain plus one "other" series, with the aggregation's
 * memory bound of SUMMARY_PAIRS_MAX pairs a domain.
 *
 * Hand-built records, window [day(23), day(30)), all on day 25:
 *   Comcast        (no domain) no-policy-found  10 ok, 2 failed:
 *                  2 starttls-not-supported on mx.a.example from 192.0.2.1
 *   Google Inc.    example.org sts (mx1, mx2)   100 ok, 7 failed:
 *                  7 starttls-not-supported on mx1.example.org from
 *                  192.0.2.1
 *   Proton AG      example.org "x weird type"   5 ok
 *   Evil\nOrg      example.org sts              1 ok, 1 failed: 1
 *                  certificate-expired from 192.0.2.1
 *   Many           many.example tlsa            0 ok, 2485 failed: 70
 *                  details t-01..t-70 on mx01..mx70, detail k of k
 *                  sessions (in that order: the 6 last are past the
 *                  bound)
 *   Other          o.example tlsa               11 failed: 5 of a type
 *                  "other" on an MX "other", 3 certificate-expired on mx1,
 *                  2 and 1 of types "x\xffy" and "x\xfey" on MX m (one
 *                  label once escaped)
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "intake/config.h"
#include "report/report.h"
#include "summary/aggregate.h"
#include "summary/render.h"
#include "tests/unit/summary_fixture.h"
#include "tests/unit/testutil.h"

#define MANY 70
#define FFFD "\xef\xbf\xbd"

struct detail {
	const char *type, *mx, *send_ip;
	int64_t n;
};

static void
feed(struct summary_agg *a, const char *org, const char *domain,
     enum tlsrpt_policy_type type, const char *type_name, int64_t ok,
     int64_t bad, const struct detail *d, size_t nd)
{
	static int serial;
	struct tlsrpt_record rec;
	struct tlsrpt_failure_detail fd[MANY];
	char *strings[] = {"version: STSv1", "mode: testing",
			   "mx: mx2.example.org", "mx: mx1.example.org",
			   "max_age: 86400"};
	char id[32];
	size_t i;

	memset(fd, 0, sizeof(fd));
	snprintf(id, sizeof(id), "id-%d", ++serial);
	fixture_record(&rec, org, id, DAY(25) + serial, DAY(24), DAY(25) - 1);
	rec.policy.type = type;
	rec.policy.policy_type = (char *)type_name;
	rec.policy.policy_domain = (char *)domain;
	if (type == TLSRPT_POLICY_STS) {
		rec.policy.policy_strings = strings;
		rec.policy.n_policy_strings = 5;
	}
	rec.policy.total_successful_session_count = ok;
	rec.policy.total_failure_session_count = bad;
	for (i = 0; i < nd && i < MANY; i++) {
		fd[i].result_type = (char *)d[i].type;
		fd[i].receiving_mx_hostname = (char *)d[i].mx;
		fd[i].sending_mta_ip = (char *)d[i].send_ip;
		fd[i].failed_session_count = d[i].n;
	}
	rec.policy.failure_details = fd;
	rec.policy.n_failure_details = i;
	summary_agg_add(a, &rec);
}

static struct summary_agg *
scenario(unsigned top)
{
	static const struct detail comcast[] = {
		{"starttls-not-supported", "mx.a.example", "192.0.2.1", 2}};
	static const struct detail google[] = {
		{"starttls-not-supported", "mx1.example.org", "192.0.2.1", 7}};
	static const struct detail evil[] = {
		{"certificate-expired", NULL, "192.0.2.1", 1}};
	static const struct detail other[] = {
		{"other", "other", NULL, 5},
		{"certificate-expired", "mx1.o.example", NULL, 3},
		{"x\xffy", "m", NULL, 2},
		{"x\xfey", "m", NULL, 1}};
	static char types[MANY][16], mxs[MANY][16];
	struct detail many[MANY];
	struct summary_options o;
	struct summary_agg *a;
	int k;

	summary_options_default(&o);
	o.since = DAY(23);
	o.until = DAY(30);
	if (top > 0)
		o.top_pairs = top;
	a = summary_agg_new(&o);
	feed(a, "Comcast", NULL, TLSRPT_POLICY_NO_POLICY_FOUND,
	     "no-policy-found", 10, 2, comcast, 1);
	feed(a, "Google Inc.", "example.org", TLSRPT_POLICY_STS, "sts", 100, 7,
	     google, 1);
	feed(a, "Proton AG", "example.org", TLSRPT_POLICY_OTHER, "x weird type",
	     5, 0, NULL, 0);
	feed(a, "Evil\nOrg", "example.org", TLSRPT_POLICY_STS, "sts", 1, 1,
	     evil, 1);
	for (k = 0; k < MANY; k++) {
		snprintf(types[k], sizeof(types[k]), "t-%02d", k + 1);
		snprintf(mxs[k], sizeof(mxs[k]), "mx%02d", k + 1);
		many[k].type = types[k];
		many[k].mx = mxs[k];
		many[k].send_ip = NULL;
		many[k].n = k + 1;
	}
	feed(a, "Many", "many.example", TLSRPT_POLICY_TLSA, "tlsa", 0,
	     MANY * (MANY + 1) / 2, many, MANY);
	feed(a, "Other", "o.example", TLSRPT_POLICY_TLSA, "tlsa", 0, 11, other,
	     4);
	summary_agg_finish(a);
	return a;
}

static char *
render(const char *format, enum summary_view view, unsigned top)
{
	struct summary_render_ctx ctx;
	struct summary_agg *a = scenario(top);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	memset(&ctx, 0, sizeof(ctx));
	ctx.view = view;
	ctx.now = DAY(30);
	ctx.n_dirs = 1;
	ck_assert_int_eq(summary_renderer_find(format)->render(f, a, &ctx), 0);
	fclose(f);
	summary_agg_free(a);
	return buf;
}

static const struct summary_domain *
find_domain(const struct summary_agg *a, const char *name)
{
	const struct summary_domain *d =
		g_hash_table_lookup(a->domains_h, name);

	ck_assert_msg(d != NULL, "no domain %s", name);
	return d;
}

/* The pairs a domain keeps are bounded; the rest is summed, not lost;
 * their names are interned. */
START_TEST(test_pairs_bound)
{
	struct summary_agg *a = scenario(0);
	const struct summary_domain *d = find_domain(a, "many.example");
	const struct summary_domain_cold *c = summary_cold_of(d);
	const struct summary_pair *x;
	int64_t sum = 0;

	ck_assert_uint_eq(c->n_pairs, SUMMARY_PAIRS_MAX);
	for (guint i = 0; i < c->n_pairs; i++)
		sum += ((const struct summary_pair *)c->pairs[i])->sessions;
	/* pairs 1..64 kept, 65..70 (405 sessions) past the bound */
	ck_assert_int_eq(sum, 64 * 65 / 2);
	ck_assert_int_eq(c->pairs_over, 405);
	x = c->pairs[0];
	ck_assert_str_eq(x->type, "t-64");
	ck_assert_str_eq(x->mx, "mx64");
	/* the MX of a detail without a host name is its IP, else none */
	c = summary_cold_of(find_domain(a, "example.org"));
	ck_assert_uint_eq(c->n_pairs, 2);
	x = c->pairs[1];
	ck_assert_str_eq(x->type, "certificate-expired");
	ck_assert_ptr_null(x->mx);
	/* Names are the aggregation's one copy (a pair copies nothing). */
	ck_assert_ptr_eq(x->type, summary_intern(a, "certificate-expired"));
	ck_assert_int_eq(a->opt.top_pairs, SUMMARY_TOP_PAIRS);
	summary_agg_free(a);
}
END_TEST

/* The detail groups' sets (slab.h): a list while small (an MX host of one
 * domain), a hash table past SUMMARY_SET_LIST names (the sending IP that
 * none of many.example's details names: every one of its types); the
 * views get them sorted either way. */
START_TEST(test_detail_sets)
{
	struct summary_agg *a = scenario(0);
	const struct summary_mx *m = g_hash_table_lookup(a->mx_h, "mx01\t");
	const struct summary_sender *s = g_hash_table_lookup(a->senders_h, "");

	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_null(m->domains_h.h);
	ck_assert_uint_eq(m->domains_h.n, 1);
	ck_assert_ptr_null(m->results_h.h);
	ck_assert(summary_set_contains(&m->results_h, "t-01"));
	ck_assert_uint_eq(m->domains->len, 1);
	ck_assert_str_eq(g_ptr_array_index(m->domains, 0), "many.example");
	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_nonnull(s->results_h.h);
	ck_assert_ptr_null(s->results_h.v);
	ck_assert(summary_set_contains(&s->results_h, "t-70"));
	ck_assert(summary_set_contains(&s->results_h, "t-01"));
	ck_assert(!summary_set_contains(&s->results_h, "t-71"));
	ck_assert_uint_gt(s->results->len, SUMMARY_SET_LIST);
	for (guint i = 1; i < s->results->len; i++)
		ck_assert_int_lt(strcmp(g_ptr_array_index(s->results, i - 1),
					g_ptr_array_index(s->results, i)),
				 0);
	ck_assert_ptr_null(s->orgs_h.h);
	ck_assert_uint_eq(s->orgs->len, 2);
	ck_assert_str_eq(g_ptr_array_index(s->orgs, 0), "Many");
	ck_assert_str_eq(g_ptr_array_index(s->orgs, 1), "Other");
	summary_agg_free(a);
}
END_TEST

/* Sessions of a pair, and of the pairs past the bound, stick at INT64_MAX
 * (counts come from reports), and so does the Prometheus "other" sum. */
START_TEST(test_pairs_saturate)
{
	static char types[SUMMARY_PAIRS_MAX + 2][16];
	struct detail v[SUMMARY_PAIRS_MAX + 2];
	struct summary_options o;
	struct summary_agg *a;
	const struct summary_domain *d;
	const struct summary_pair *x;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	struct summary_render_ctx ctx = {SUMMARY_VIEW_ALL, DAY(30), 1};

	for (int k = 0; k < SUMMARY_PAIRS_MAX + 2; k++) {
		snprintf(types[k], sizeof(types[k]), "t-%02d", k);
		v[k] = (struct detail){types[k], "mx", NULL,
				       k < SUMMARY_PAIRS_MAX ? 1 : INT64_MAX};
	}
	v[0].n = INT64_MAX / 2 + 1;
	summary_options_default(&o);
	o.since = DAY(23);
	o.until = DAY(30);
	a = summary_agg_new(&o);
	for (int r = 0; r < 2; r++)
		feed(a, "Big", "big.example", TLSRPT_POLICY_TLSA, "tlsa", 0,
		     INT64_MAX, v, SUMMARY_PAIRS_MAX + 2);
	summary_agg_finish(a);
	d = find_domain(a, "big.example");
	x = summary_cold_of(d)->pairs[0];
	ck_assert_str_eq(x->type, "t-00");
	ck_assert_int_eq(x->sessions, INT64_MAX);
	ck_assert_int_eq(summary_cold_of(d)->pairs_over, INT64_MAX);
	f = open_memstream(&buf, &len);
	ck_assert_int_eq(
		summary_renderer_find("prometheus")->render(f, a, &ctx), 0);
	fclose(f);
	ck_assert_ptr_nonnull(
		strstr(buf, "tlsrpt_failed_sessions{domain=\"big.example\","
			    "result_type=\"other\",receiving_mx=\"other\"} "
			    "9223372036854775807\n"));
	free(buf);
	summary_agg_free(a);
}
END_TEST

/* The noise threshold tlsrpt-summary starts from is the file's default:
 * what tlsrpt-milter.conf(5) and the sample file say applies without
 * them. */
START_TEST(test_threshold_defaults)
{
	struct config c;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct summary_options o;
	uint32_t ppm = 0;

	ck_assert_int_eq(config_init(&c, &err), 0);
	ck_assert_int_eq(config_share_ppm(c.summary_min_share, &ppm), 0);
	summary_options_default(&o);
	ck_assert_int_eq(o.min_failures, (int64_t)c.summary_min_failures);
	ck_assert_uint_eq(o.min_share_ppm, ppm);
	ck_assert_uint_gt(ppm, 0);
	config_free(&c);
}
END_TEST

/* Top N pairs a domain, then one "other" with the exact rest. */
START_TEST(test_prometheus_failed_sessions)
{
	char *t = render("prometheus", SUMMARY_VIEW_ALL, 3);
	const char *p;
	int n = 0;

	ck_assert_ptr_nonnull(
		strstr(t, "# TYPE tlsrpt_failed_sessions gauge\n"));
	ck_assert_ptr_nonnull(
		strstr(t, "\ntlsrpt_failed_sessions{domain=\"many.example\","
			  "result_type=\"t-64\",receiving_mx=\"mx64\"} 64\n"));
	ck_assert_ptr_nonnull(
		strstr(t, "\ntlsrpt_failed_sessions{domain=\"many.example\","
			  "result_type=\"t-62\",receiving_mx=\"mx62\"} 62\n"));
	ck_assert_ptr_null(
		strstr(t, "{domain=\"many.example\",result_type=\"t-61\""));
	/* 2485 - 64 - 63 - 62 */
	ck_assert_ptr_nonnull(strstr(
		t, "\ntlsrpt_failed_sessions{domain=\"many.example\","
		   "result_type=\"other\",receiving_mx=\"other\"} 2296\n"));
	for (p = t; (p = strstr(p, "\ntlsrpt_failed_sessions{domain=\"many"
				   ".example\"")) != NULL;
	     p++)
		n++;
	ck_assert_int_eq(n, 4);
	/* a real pair labelled like the bucket is in it, and so is one
	 * whose labels, once escaped, are another's: no duplicate */
	ck_assert_ptr_nonnull(
		strstr(t, "\ntlsrpt_failed_sessions{domain=\"o.example\","
			  "result_type=\"other\",receiving_mx=\"other\"} 6\n"));
	ck_assert_ptr_nonnull(strstr(
		t, "\ntlsrpt_failed_sessions{domain=\"o.example\","
		   "result_type=\"x" FFFD "y\",receiving_mx=\"m\"} 2\n"));
	ck_assert_ptr_null(strstr(t, "result_type=\"x" FFFD
				     "y\",receiving_mx=\"m\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(
		t, "\ntlsrpt_failed_sessions{domain=\"o.example\","
		   "result_type=\"certificate-expired\",receiving_mx=\"mx1.o."
		   "example\"} 3\n"));
	/* no MX given: an empty label; no domain: an empty label */
	ck_assert_ptr_nonnull(strstr(
		t,
		"\ntlsrpt_failed_sessions{domain=\"example.org\","
		"result_type=\"certificate-expired\",receiving_mx=\"\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(
		t,
		"\ntlsrpt_failed_sessions{domain=\"\",result_type=\""
		"starttls-not-supported\",receiving_mx=\"mx.a.example\"} 2\n"));
	ck_assert_ptr_nonnull(strstr(
		t, "\ntlsrpt_sessions{domain=\"\",result=\"success\"} 10\n"));
	ck_assert_ptr_null(strstr(t, "(none)"));
	free(t);
	/* the default: 5 pairs */
	t = render("prometheus", SUMMARY_VIEW_ALL, 0);
	ck_assert_ptr_nonnull(
		strstr(t, "{domain=\"many.example\",result_type=\"t-60\""));
	ck_assert_ptr_null(
		strstr(t, "{domain=\"many.example\",result_type=\"t-59\""));
	ck_assert_ptr_nonnull(strstr(
		t, "\ntlsrpt_failed_sessions{domain=\"many.example\","
		   "result_type=\"other\",receiving_mx=\"other\"} 2175\n"));
	free(t);
}
END_TEST

static json_t *
row_where(json_t *rows, const char *key, const char *value)
{
	size_t i;
	json_t *r;

	json_array_foreach(rows, i, r)
	{
		json_t *v = json_object_get(r, key);

		if (value == NULL
			    ? json_is_null(v)
			    : json_is_string(v) &&
				      strcmp(json_string_value(v), value) == 0)
			return r;
	}
	ck_abort_msg("no row with %s %s", key, value ? value : "null");
	return NULL;
}

static int
has_null(json_t *array)
{
	size_t i;
	json_t *v;

	json_array_foreach(array, i, v)
	{
		if (json_is_null(v))
			return 1;
	}
	return 0;
}

START_TEST(test_json_structure)
{
	char *t = render("json", SUMMARY_VIEW_ALL, 0);
	json_error_t e;
	json_t *doc = json_loads(t, 0, &e), *d, *v;

	ck_assert_msg(doc != NULL, "%s", e.text);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "schema")),
			 "tlsrpt-summary/2");
	ck_assert_ptr_null(strstr(t, "(none)"));
	/* the policy without a domain */
	d = row_where(json_object_get(doc, "domains"), "domain", NULL);
	ck_assert_int_eq(json_integer_value(json_object_get(d, "successes")),
			 10);
	/* MX patterns: an array, sorted */
	d = row_where(json_object_get(doc, "domains"), "domain", "example.org");
	v = json_object_get(d, "mx");
	ck_assert(json_is_array(v));
	ck_assert_uint_eq(json_array_size(v), 2);
	ck_assert_str_eq(json_string_value(json_array_get(v, 0)),
			 "mx1.example.org");
	/* an unknown policy type with spaces is one item */
	v = json_object_get(d, "policy-types");
	ck_assert_uint_eq(json_array_size(v), 2);
	ck_assert_str_eq(json_string_value(json_array_get(v, 1)),
			 "x" FFFD "weird" FFFD "type");
	/* the pairs, with a null MX */
	v = json_object_get(d, "failures-by-result-and-mx");
	ck_assert_uint_eq(json_array_size(v), 2);
	ck_assert(json_is_null(
		json_object_get(json_array_get(v, 1), "receiving-mx")));
	d = row_where(json_object_get(doc, "domains"), "domain",
		      "many.example");
	ck_assert_uint_eq(json_array_size(json_object_get(
				  d, "failures-by-result-and-mx")),
			  SUMMARY_PAIRS_MAX);
	ck_assert_int_eq(json_integer_value(json_object_get(
				 d, "failures-by-result-and-mx-other")),
			 405);
	/* domain lists hold null for it */
	d = row_where(json_object_get(doc, "organizations"), "organization",
		      "Comcast");
	ck_assert(has_null(json_object_get(d, "domains")));
	d = row_where(json_object_get(doc, "results"), "result-type",
		      "starttls-not-supported");
	ck_assert_uint_eq(json_array_size(json_object_get(d, "domains")), 2);
	ck_assert(has_null(json_object_get(d, "domains")));
	d = row_where(json_object_get(doc, "mx-hosts"), "mx-host",
		      "mx.a.example");
	ck_assert(has_null(json_object_get(d, "domains")));
	/* organisations with spaces stay apart */
	d = row_where(json_object_get(doc, "sending-ips"), "sending-ip",
		      "192.0.2.1");
	v = json_object_get(d, "organizations");
	ck_assert_uint_eq(json_array_size(v), 3);
	ck_assert_str_eq(json_string_value(json_array_get(v, 1)), "Evil\nOrg");
	json_decref(doc);
	free(t);
}
END_TEST

START_TEST(test_csv_structure)
{
	char *t = render("csv", SUMMARY_VIEW_ALL, 0);

	/* no domain: an empty first cell; lists an item a line */
	ck_assert_ptr_nonnull(strstr(t, "\r\n,12,10,2,"));
	ck_assert_ptr_nonnull(
		strstr(t, ",\"mx1.example.org\nmx2.example.org\","));
	ck_assert_ptr_nonnull(
		strstr(t, ",\"sts\nx" FFFD "weird" FFFD "type\","));
	ck_assert_ptr_null(strstr(t, "(none)"));
	free(t);
	t = render("csv", SUMMARY_VIEW_SENDING_IP, 0);
	/* sorted: "Comcast", "Evil\nOrg" (its line feed made U+FFFD), ... */
	ck_assert_ptr_nonnull(
		strstr(t, ",\"Comcast\nEvil" FFFD "Org\nGoogle Inc.\"\r\n"));
	free(t);
	t = render("csv", SUMMARY_VIEW_RESULT, 0);
	/* the policy without a domain: an empty line of the list */
	ck_assert_ptr_nonnull(strstr(t, ",\"\nexample.org\","));
	free(t);
	t = render("csv", SUMMARY_VIEW_ORG, 0);
	ck_assert_ptr_nonnull(strstr(t, "\r\nComcast,1,12,10,2,83.33,"));
	ck_assert_ptr_nonnull(strstr(t, "Z,0,,not authenticated\r\n"));
	free(t);
}
END_TEST

static Suite *
formats_suite(void)
{
	Suite *s = suite_create("formats");
	TCase *tc = tcase_create("formats");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_pairs_bound);
	tcase_add_test(tc, test_detail_sets);
	tcase_add_test(tc, test_threshold_defaults);
	tcase_add_test(tc, test_pairs_saturate);
	tcase_add_test(tc, test_prometheus_failed_sessions);
	tcase_add_test(tc, test_json_structure);
	tcase_add_test(tc, test_csv_structure);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	tlsrpt_alloc_init();
	return test_run(formats_suite());
}
