/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_probe_summary.c -- our probe beside what senders reported, in
 * every view of tlsrpt-summary: the one rule for which reported failures
 * a finding explains (summary/explain.h) and those shown together; a
 * domain only the probe knows in the triage of every view; the readiness
 * reason "probe" for a domain already in enforce; the probe's columns in
 * CSV and its metrics in Prometheus; a finding alone makes the digest of
 * --only-problems go out.
 *
 * With day(n) = 2026-11-n 00:00 UTC, the window is [day(23), day(30)):
 *   explained.example  sts enforce, days 24..29 from Google: 1000 ok and
 *                      12 failed a day: 6 certificate-expired on
 *                      "MX2.Explained.Example." (case and a trailing dot
 *                      as some senders write it), 4 validation-failure
 *                      naming only the receiving-ip 2001:db8::25, 2
 *                      starttls-not-supported on mx1.explained.example.
 *                      The probe: certificate-expired on
 *                      mx2.explained.example [2001:db8:0::25] (explains
 *                      the first two, 6 and 4 a day), certificate-expiring
 *                      on mx3.explained.example (explains nothing).
 *   enforced.example   sts enforce, the same days, no failure; the probe:
 *                      certificate-host-mismatch on mx.enforced.example.
 *   probeonly.example  no report at all; the probe: certificate-expired on
 *                      mx.probeonly.example.
 *   clean.example      no report; the probe ran and found nothing.
 *   hostile.example    no report; a finding of a type the probe never
 *                      writes.
 */
#include <check.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "report/report.h"
#include "summary/aggregate.h"
#include "summary/explain.h"
#include "summary/probe.h"
#include "summary/render.h"
#include "summary/render_mail.h"
#include "summary/triage.h"
#include "tests/unit/summary_fixture.h"
#include "tests/unit/testutil.h"

static struct summary_probe_finding *
finding(const char *type, const char *mx, const char *address,
	const char *detail, const char *action)
{
	struct summary_probe_finding *f =
		g_new0(struct summary_probe_finding, 1);

	f->result_type = g_strdup(type);
	f->mx_host = g_strdup(mx);
	f->address = g_strdup(address);
	f->detail = g_strdup(detail);
	f->action = g_strdup(action);
	return f;
}

/* A latest run of domain at time with the findings (NULL-terminated),
 * into a's table as summary_probe_read() would put it. */
static struct summary_probe *
probe_run(struct summary_agg *a, const char *domain, int64_t time, ...)
{
	struct summary_probe *p = g_new0(struct summary_probe, 1);
	struct summary_probe_finding *f;
	va_list ap;

	p->domain = g_strdup(domain);
	p->time = time;
	p->have_run = 1;
	p->findings =
		g_ptr_array_new_with_free_func(summary_probe_finding_free);
	va_start(ap, time);
	while ((f = va_arg(ap, struct summary_probe_finding *)) != NULL)
		g_ptr_array_add(p->findings, f);
	va_end(ap);
	g_hash_table_insert(a->probes_h, p->domain, p);
	return p;
}

/* One sts report of domain in mode on day n from Google. */
static void
feed_mode(struct summary_agg *a, const char *domain, const char *mode, int n,
	  int64_t ok, const struct tlsrpt_failure_detail *fd, size_t nfd)
{
	char *strings[] = {"version: STSv1", (char *)mode, "max_age: 86400"};
	struct tlsrpt_failure_detail copy[4];
	struct tlsrpt_record rec;
	int64_t failed = 0;
	char id[64];

	snprintf(id, sizeof(id), "%s-%d", domain, n);
	fixture_record(&rec, "Google Inc.", id, DAY(n) + 6 * HOUR, DAY(n - 1),
		       DAY(n) - 1);
	rec.policy.type = TLSRPT_POLICY_STS;
	rec.policy.policy_type = (char *)"sts";
	rec.policy.policy_domain = (char *)domain;
	rec.policy.policy_strings = strings;
	rec.policy.n_policy_strings = 3;
	for (size_t i = 0; i < nfd; i++) {
		copy[i] = fd[i];
		failed += fd[i].failed_session_count;
	}
	rec.policy.failure_details = nfd > 0 ? copy : NULL;
	rec.policy.n_failure_details = nfd;
	rec.policy.total_successful_session_count = ok;
	rec.policy.total_failure_session_count = failed;
	summary_agg_add(a, &rec);
}

/* The same in enforce. */
static void
feed(struct summary_agg *a, const char *domain, int n, int64_t ok,
     const struct tlsrpt_failure_detail *fd, size_t nfd)
{
	feed_mode(a, domain, "mode: enforce", n, ok, fd, nfd);
}

#define EXPIRED_DETAIL                                      \
	"the certificate CN=mx2.explained.example expired " \
	"on 2026-11-27T00:00:00Z"

/* The scenario above; with_probe 0: the same reports, no probe. */
static struct summary_agg *
scenario(int with_probe)
{
	struct tlsrpt_failure_detail fd[3];
	struct summary_options o;
	struct summary_agg *a;

	memset(fd, 0, sizeof(fd));
	fd[0].result_type = (char *)"certificate-expired";
	fd[0].receiving_mx_hostname = (char *)"MX2.Explained.Example.";
	fd[0].failed_session_count = 6;
	fd[1].result_type = (char *)"validation-failure";
	fd[1].receiving_ip = (char *)"2001:db8::25";
	fd[1].failed_session_count = 4;
	fd[2].result_type = (char *)"starttls-not-supported";
	fd[2].receiving_mx_hostname = (char *)"mx1.explained.example";
	fd[2].failed_session_count = 2;
	summary_options_default(&o);
	o.since = DAY(23);
	o.until = DAY(30);
	a = summary_agg_new(&o);
	for (int n = 24; n <= 29; n++) {
		feed(a, "explained.example", n, 1000, fd, 3);
		feed(a, "enforced.example", n, 500, NULL, 0);
	}
	if (with_probe) {
		int64_t t = DAY(29) + 12 * HOUR;

		probe_run(a, "explained.example", t,
			  finding("certificate-expired",
				  "mx2.explained.example", "2001:db8:0::25",
				  EXPIRED_DETAIL, "Renew the certificate now."),
			  finding("certificate-expiring",
				  "mx3.explained.example", "192.0.2.3",
				  "expires in 5 days", "Renew it soon."),
			  NULL);
		probe_run(a, "enforced.example", t,
			  finding("certificate-host-mismatch",
				  "mx.enforced.example", "192.0.2.9",
				  "the certificate names other.example",
				  "Get a certificate naming the host."),
			  NULL);
		probe_run(a, "probeonly.example", t,
			  finding("certificate-expired", "mx.probeonly.example",
				  "192.0.2.7", "expired yesterday",
				  "Renew the certificate of the probe-only "
				  "host."),
			  NULL);
		probe_run(a, "clean.example", t, NULL);
		probe_run(a, "hostile.example", t,
			  finding("made-up-type", NULL, NULL, NULL, NULL),
			  NULL);
	}
	summary_agg_finish(a);
	return a;
}

static char *
render(const struct summary_agg *a, const char *format)
{
	const struct summary_renderer *rdr = summary_renderer_find(format);
	struct summary_render_ctx ctx = {SUMMARY_VIEW_ALL, DAY(30), 1};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(rdr);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(rdr->render(f, a, &ctx), 0);
	fclose(f);
	return buf;
}

/* s with every run of white space one space: the text view wraps at 72
 * columns wherever a sentence is long. */
static char *
joined(const char *s)
{
	GString *o = g_string_new(NULL);

	for (; *s != '\0'; s++) {
		if (g_ascii_isspace(*s)) {
			if (o->len == 0 || o->str[o->len - 1] != ' ')
				g_string_append_c(o, ' ');
		} else {
			g_string_append_c(o, *s);
		}
	}
	return g_string_free(o, FALSE);
}

/* The part of the text view from the line starting head to the next
 * empty line. */
static char *
section(const char *text, const char *head)
{
	const char *p = strstr(text, head), *e;

	ck_assert_msg(p != NULL, "no %s in:\n%s", head, text);
	e = strstr(p, "\n\n");
	return g_strndup(p, e != NULL ? (size_t)(e - p) : strlen(p));
}

#define assert_in(hay, needle)                                               \
	ck_assert_msg(strstr((hay), (needle)) != NULL, "\"%s\" not in:\n%s", \
		      (needle), (hay))
#define assert_not_in(hay, needle)                                       \
	ck_assert_msg(strstr((hay), (needle)) == NULL, "\"%s\" in:\n%s", \
		      (needle), (hay))

static const struct summary_domain *
domain_of(const struct summary_agg *a, const char *name)
{
	return g_hash_table_lookup(a->domains_h, name);
}

/* The rule, case by case (explain.h). */
START_TEST(test_rule)
{
	struct summary_probe_finding *expired =
		finding("certificate-expired", "mx2.example.net", "192.0.2.2",
			NULL, NULL);
	struct summary_probe_finding *expiring = finding(
		"certificate-expiring", "mx2.example.net", NULL, NULL, NULL);
	struct summary_probe_finding *mismatch =
		finding("certificate-host-mismatch", "mx1.example.net",
			"2001:db8::1", NULL, NULL);
	struct summary_probe_finding *policy =
		finding("sts-policy-fetch-error", NULL, NULL, NULL, NULL);
	struct summary_probe_finding *starttls = finding(
		"starttls-not-supported", "mx1.example.net", NULL, NULL, NULL);

	/* Same type, same MX (case and a trailing dot aside). */
	ck_assert(summary_probe_explains(expired, "certificate-expired",
					 "mx2.example.net"));
	ck_assert(summary_probe_explains(expired, "certificate-expired",
					 "MX2.Example.NET."));
	ck_assert(!summary_probe_explains(expired, "certificate-expired",
					  "mx1.example.net"));
	ck_assert(!summary_probe_explains(expired, "certificate-expired",
					  "mx2.example.net.evil"));
	ck_assert(
		!summary_probe_explains(expired, "certificate-expired", NULL));
	/* The report named only the receiving-ip. */
	ck_assert(summary_probe_explains(expired, "certificate-expired",
					 "192.0.2.2"));
	ck_assert(!summary_probe_explains(expired, "certificate-expired",
					  "192.0.2.22"));
	ck_assert(summary_probe_explains(mismatch, "certificate-host-mismatch",
					 "2001:DB8:0:0::1"));
	/* The class: expiring explains expired; validation-failure is
	 * explained by any certificate finding, not by expiring. */
	ck_assert(summary_probe_explains(expiring, "certificate-expired",
					 "mx2.example.net"));
	ck_assert(summary_probe_explains(expired, "validation-failure",
					 "mx2.example.net"));
	ck_assert(summary_probe_explains(mismatch, "validation-failure",
					 "mx1.example.net"));
	ck_assert(!summary_probe_explains(expiring, "validation-failure",
					  "mx2.example.net"));
	ck_assert(!summary_probe_explains(expired, "certificate-host-mismatch",
					  "mx2.example.net"));
	ck_assert(!summary_probe_explains(starttls, "validation-failure",
					  "mx1.example.net"));
	/* A policy finding: its type, on any MX or none. */
	ck_assert(summary_probe_explains(policy, "sts-policy-fetch-error",
					 "mx9.example.net"));
	ck_assert(
		summary_probe_explains(policy, "sts-policy-fetch-error", NULL));
	ck_assert(!summary_probe_explains(policy, "sts-policy-invalid", NULL));
	summary_probe_finding_free(expired);
	summary_probe_finding_free(expiring);
	summary_probe_finding_free(mismatch);
	summary_probe_finding_free(policy);
	summary_probe_finding_free(starttls);
}
END_TEST

/* The links of a domain, by reported pair, and the sessions explained. */
START_TEST(test_links)
{
	struct summary_agg *a = scenario(1);
	const struct summary_domain *d = domain_of(a, "explained.example");
	GArray *v = summary_explained(d);
	const struct summary_explained *e;

	ck_assert_uint_eq(v->len, 2);
	e = &g_array_index(v, struct summary_explained, 0);
	ck_assert_str_eq(e->pair->type, "certificate-expired");
	ck_assert_int_eq(e->pair->sessions, 36);
	ck_assert_str_eq(e->finding->result_type, "certificate-expired");
	e = &g_array_index(v, struct summary_explained, 1);
	ck_assert_str_eq(e->pair->type, "validation-failure");
	ck_assert_str_eq(e->pair->mx, "2001:db8::25");
	ck_assert_str_eq(e->finding->result_type, "certificate-expired");
	ck_assert_int_eq(summary_explained_sessions(d), 60);
	g_array_free(v, TRUE);
	/* Nothing to explain without failure details. */
	ck_assert_int_eq(
		summary_explained_sessions(domain_of(a, "enforced.example")),
		0);
	summary_agg_free(a);
}
END_TEST

/* A domain only the probe knows: in the triage, needing action for the
 * probe alone (not silent); a clean one is in no triage. */
START_TEST(test_probe_only_triage)
{
	struct summary_agg *a = scenario(1);
	const struct summary_domain *d = domain_of(a, "probeonly.example");
	int found = 0;

	ck_assert_ptr_nonnull(d);
	ck_assert_uint_eq(d->needs, SUMMARY_NEEDS_PROBE);
	for (guint i = 0; i < a->n_action; i++)
		found |= g_ptr_array_index(a->triage, i) == d;
	ck_assert(found);
	ck_assert_ptr_null(domain_of(a, "clean.example"));
	for (guint i = 0; i < a->silent_domains->len; i++)
		ck_assert_ptr_ne(g_ptr_array_index(a->silent_domains, i), d);
	summary_agg_free(a);
}
END_TEST

/* A domain in enforce: the probe's blocking finding is a reason too. */
START_TEST(test_enforce_reason)
{
	struct summary_agg *a = scenario(1), *b = scenario(0);
	const struct summary_domain *d = domain_of(a, "enforced.example");
	const struct summary_reason *r = NULL;

	ck_assert_int_eq(d->verdict, SUMMARY_VERDICT_ENFORCED);
	for (guint i = 0; i < d->n_reasons; i++)
		if (strcmp(d->reasons[i].code, "probe") == 0)
			r = &d->reasons[i];
	ck_assert_ptr_nonnull(r);
	assert_in(r->text, "certificate-host-mismatch on mx.enforced.example");
	assert_in(r->text, "senders that honour the policy will refuse to "
			   "deliver to that host");
	d = domain_of(b, "enforced.example");
	ck_assert_uint_eq(d->n_reasons, 0);
	summary_agg_free(a);
	summary_agg_free(b);
}
END_TEST

START_TEST(test_text)
{
	struct summary_agg *a = scenario(1);
	char *out = render(a, "text"), *needs = section(out, "NEEDS ACTION");
	char *probe = section(out, "\nOUR PROBE (latest run)\n"),
	     *jn = joined(needs), *jp = joined(probe), *healthy;

	/* Shown together, in the row and under the finding. */
	assert_in(jn, "- reported certificate-expired on "
		      "MX2.Explained.Example. (36 failed sessions); our probe: "
		      "certificate-expired, " EXPIRED_DETAIL
		      " -> Renew the certificate now.");
	assert_in(jn, "- reported validation-failure on 2001:db8::25 (24 "
		      "failed sessions); our probe: certificate-expired");
	assert_not_in(jn, "reported starttls-not-supported");
	assert_in(jp, "certificate-expired on mx2.explained.example "
		      "[2001:db8:0::25] -> Renew the certificate now. explains "
		      "reported certificate-expired on MX2.Explained.Example. "
		      "(36 failed sessions) explains reported "
		      "validation-failure on 2001:db8::25 (24 failed sessions) "
		      "certificate-expiring on mx3.explained.example");
	/* The domain only the probe knows, with what is wrong. */
	assert_in(jn, "probeonly.example: our probe: 1 finding, "
		      "certificate-expired on mx.probeonly.example");
	assert_in(jn, "hostile.example: our probe: 1 finding, made-up-type");
	assert_not_in(jn, "silent");
	assert_not_in(jn, "clean.example");
	healthy = strstr(out, "\nHEALTHY\n");
	ck_assert(healthy == NULL || strstr(healthy, "clean.example") == NULL);
	assert_in(jp, "clean.example");
	/* Readiness of the domain in enforce says why. */
	assert_in(out, "senders that honour the policy will refuse");
	g_free(jn);
	g_free(jp);
	g_free(needs);
	g_free(probe);
	free(out);
	summary_agg_free(a);
}
END_TEST

/* The domain of d in the JSON document's domains, or NULL. */
static json_t *
json_domain(json_t *doc, const char *name)
{
	json_t *v = json_object_get(doc, "domains"), *d;
	size_t i;

	json_array_foreach(v, i, d)
	{
		if (json_is_string(json_object_get(d, "domain")) &&
		    strcmp(json_string_value(json_object_get(d, "domain")),
			   name) == 0)
			return d;
	}
	return NULL;
}

START_TEST(test_json)
{
	struct summary_agg *a = scenario(1);
	char *out = render(a, "json");
	json_error_t je;
	json_t *doc = json_loads(out, 0, &je), *d, *f, *want;

	ck_assert_msg(doc != NULL, "%s", je.text);
	d = json_domain(doc, "explained.example");
	ck_assert_ptr_nonnull(d);
	f = json_array_get(
		json_object_get(json_object_get(d, "probe"), "findings"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(f, "detail")),
			 EXPIRED_DETAIL);
	want = json_pack("[{s:s, s:s, s:i}, {s:s, s:s, s:i}]", "result-type",
			 "certificate-expired", "receiving-mx",
			 "MX2.Explained.Example.", "failed-sessions", 36,
			 "result-type", "validation-failure", "receiving-mx",
			 "2001:db8::25", "failed-sessions", 24);
	ck_assert(json_equal(json_object_get(f, "explains"), want));
	json_decref(want);
	f = json_array_get(
		json_object_get(json_object_get(d, "probe"), "findings"), 1);
	ck_assert_uint_eq(json_array_size(json_object_get(f, "explains")), 0);
	/* The domain only the probe knows is a domain of the document. */
	d = json_domain(doc, "probeonly.example");
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(json_integer_value(json_object_get(d, "sessions")), 0);
	ck_assert_ptr_nonnull(json_object_get(d, "probe"));
	ck_assert_ptr_null(json_domain(doc, "clean.example"));
	d = json_domain(doc, "enforced.example");
	ck_assert_str_eq(
		json_string_value(json_object_get(
			json_array_get(
				json_object_get(json_object_get(d, "readiness"),
						"reasons"),
				0),
			"code")),
		"probe");
	json_decref(doc);
	free(out);
	summary_agg_free(a);
}
END_TEST

START_TEST(test_html)
{
	struct summary_agg *a = scenario(1);
	char *out = render(a, "html"), *row;

	assert_in(out, "reported certificate-expired on MX2.Explained.Example. "
		       "(36 failed sessions); our probe: certificate-expired, "
		       "the certificate CN=mx2.explained.example expired");
	/* The row of the domain only the probe knows: tag and advice, no
	 * silence. */
	row = strstr(out, "<strong>probeonly.example</strong>");
	ck_assert_ptr_nonnull(row);
	row = g_strndup(row,
			strstr(row, "class=\"act\"") != NULL
				? (size_t)(strstr(row, "class=\"act\"") - row)
				: strlen(row));
	assert_in(row, ">probe</span>");
	assert_in(row, "Renew the certificate of the probe-only host.");
	assert_not_in(row, ">silent</span>");
	g_free(row);
	free(out);
	summary_agg_free(a);
}
END_TEST

START_TEST(test_csv)
{
	struct summary_agg *a = scenario(1), *b = scenario(0);
	char *out = render(a, "csv"), *plain = render(b, "csv");

	assert_in(out, ",readiness,probe_time,probe_findings,"
		       "probe_result_types,probe_explained_failures\r\n");
	assert_in(out, "2026-11-29T12:00:00Z,2,\"certificate-expired on "
		       "mx2.explained.example\ncertificate-expiring on "
		       "mx3.explained.example\",60\r\n");
	assert_in(out, "\nprobeonly.example,0,0,0,");
	/* Without a probe run: the four columns empty. */
	assert_in(plain, "refusing,,,,\r\n");
	free(out);
	free(plain);
	summary_agg_free(a);
	summary_agg_free(b);
}
END_TEST

START_TEST(test_prometheus)
{
	struct summary_agg *a = scenario(1);
	char *out = render(a, "prometheus");

	assert_in(out, "\ntlsrpt_probe_findings{domain=\"explained.example\","
		       "result_type=\"certificate-expired\"} 1\n");
	assert_in(out, "\ntlsrpt_probe_findings{domain=\"explained.example\","
		       "result_type=\"certificate-expiring\"} 1\n");
	/* A type the probe never writes: "other", the label set bounded. */
	assert_in(out, "\ntlsrpt_probe_findings{domain=\"hostile.example\","
		       "result_type=\"other\"} 1\n");
	assert_not_in(out, "made-up-type");
	assert_not_in(out, "tlsrpt_probe_findings{domain=\"clean.example\"");
	assert_in(out, "\ntlsrpt_probe_last_run_timestamp_seconds{domain="
		       "\"clean.example\"} 1795953600\n");
	free(out);
	summary_agg_free(a);
}
END_TEST

/* A domain reported only before the previous window (silent) with a
 * probe finding: in a->domains, so in every view's domains, and once in
 * the triage, needing action for both. */
START_TEST(test_old_domain)
{
	struct summary_options o;
	struct summary_agg *a;
	const struct summary_domain *d;
	guint seen = 0;

	summary_options_default(&o);
	o.since = DAY(23);
	o.until = DAY(30);
	a = summary_agg_new(&o);
	for (int n = 2; n <= 5; n++)
		feed(a, "old.example", n, 500, NULL, 0);
	probe_run(a, "old.example", DAY(29),
		  finding("certificate-expired", "mx.old.example", NULL, NULL,
			  NULL),
		  NULL);
	summary_agg_finish(a);
	d = domain_of(a, "old.example");
	ck_assert_ptr_nonnull(d);
	ck_assert(!d->probe_only);
	ck_assert_uint_eq(d->needs, SUMMARY_NEEDS_SILENT | SUMMARY_NEEDS_PROBE);
	ck_assert_uint_eq(a->domains->len, 1);
	ck_assert_ptr_eq(g_ptr_array_index(a->domains, 0), d);
	for (guint i = 0; i < a->triage->len; i++)
		seen += g_ptr_array_index(a->triage, i) == d;
	ck_assert_uint_eq(seen, 1);
	ck_assert_uint_eq(a->n_action, 1);
	summary_agg_free(a);
}
END_TEST

/* The text's MTA-STS READINESS names the few ready or enforced domains
 * and cuts the rest; a domain in enforce with the reason "probe" needs
 * action and is never cut. */
START_TEST(test_readiness_not_cut)
{
	struct summary_options o;
	struct summary_agg *a;
	char name[32], *out, *sec;

	summary_options_default(&o);
	o.since = DAY(23);
	o.until = DAY(30);
	o.readiness_min_reports = 1;
	o.readiness_min_reporters = 1;
	a = summary_agg_new(&o);
	for (int i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "ready%02d.example", i);
		feed_mode(a, name, "mode: testing", 29, 500, NULL, 0);
	}
	feed(a, "zz-enforced.example", 29, 500, NULL, 0);
	probe_run(a, "zz-enforced.example", DAY(29),
		  finding("certificate-expired", "mx.zz-enforced.example", NULL,
			  NULL, NULL),
		  NULL);
	summary_agg_finish(a);
	out = render(a, "text");
	sec = section(out, "MTA-STS READINESS");
	assert_in(sec, "more ready or enforced: --all");
	assert_in(sec, "zz-enforced.example: enforce, no failures under "
		       "enforce\n  - our probe found certificate-expired");
	g_free(sec);
	free(out);
	summary_agg_free(a);
}
END_TEST

/* --only-problems: a finding of the probe alone makes the digest go
 * out; the same clean reports without it are fine. */
START_TEST(test_fine)
{
	for (int with = 0; with < 2; with++) {
		struct summary_options o;
		struct summary_agg *a;

		summary_options_default(&o);
		o.since = DAY(23);
		o.until = DAY(30);
		a = summary_agg_new(&o);
		for (int n = 24; n <= 29; n++)
			feed(a, "enforced.example", n, 500, NULL, 0);
		if (with)
			probe_run(a, "enforced.example", DAY(29),
				  finding("certificate-expiring",
					  "mx.enforced.example", NULL, NULL,
					  NULL),
				  NULL);
		summary_agg_finish(a);
		ck_assert_int_eq(summary_fine(a), !with);
		summary_agg_free(a);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("probe_summary");
	TCase *tc = tcase_create("core");

	tlsrpt_alloc_init();
	tcase_add_test(tc, test_rule);
	tcase_add_test(tc, test_links);
	tcase_add_test(tc, test_probe_only_triage);
	tcase_add_test(tc, test_enforce_reason);
	tcase_add_test(tc, test_text);
	tcase_add_test(tc, test_json);
	tcase_add_test(tc, test_html);
	tcase_add_test(tc, test_csv);
	tcase_add_test(tc, test_prometheus);
	tcase_add_test(tc, test_fine);
	tcase_add_test(tc, test_old_domain);
	tcase_add_test(tc, test_readiness_not_cut);
	suite_add_tcase(s, tc);
	return test_run(s);
}
