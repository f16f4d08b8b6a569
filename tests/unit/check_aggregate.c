/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_aggregate.c -- tlsrpt-summary's aggregation on two real store
 * directories with known answers: every view, window edges, duplicates
 * across stores, damaged lines, the previous-window change, readiness and
 * silence with an injected clock, --verified-only, --domain; WHEN parsing;
 * and the golden files of the text, JSON and CSV formats.
 *
 * The stores are built once, before the tests run, from the report
 * templates in tests/data/summary/ (tlsrpt_store_append with an injected
 * received time). The scenario, with day(n) = 2026-11-n 00:00 UTC and the
 * window [day(23), day(30)):
 *   store A  Google Inc.           example.org  days 1..29 at 06:00, 1000 ok
 *            Microsoft Corporation example.org  days 10..25 at 07:00,
 *              500 ok, 20 failed (15 certificate-expired, 5 starttls-not-
 *              supported); it saw only mx1 in the policy (a mismatch)
 *            Mail.Example          example.net  day 28 08:00: enforce, 3
 *              failed without details; a tlsa policy, 50 ok
 *            Google Inc.           example.edu  days 20..29 at 06:00
 *   store B  Mail.Example          example.edu  days 22..29 at 09:00
 *            Google's day-29 example.org report again (a duplicate)
 *            Odd, "Sender"         example.com  day(23) exactly (no DKIM),
 *              day 26 06:00 (DKIM fail), day(30) exactly (outside), and
 *              day(23) - 1s (previous window): 10 ok, 4 failed, one
 *              x-new-type detail of 2
 *            one damaged line in the day-26 file
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "report/report.h"
#include "store/store.h"
#include "summary/aggregate.h"
#include "summary/render.h"
#include "summary/window.h"
#include "tests/unit/summary_fixture.h"
#include "tests/unit/testutil.h"

static char top[] = "/tmp/tlsrpt-agg.XXXXXX";
static char dir_a[64], dir_b[64];

/* ---- building the stores ---- */

static void
build_stores(void)
{
	char path[128];
	int n;

	fixture_mkdtemp(top);
	snprintf(dir_a, sizeof(dir_a), "%s/a", top);
	snprintf(dir_b, sizeof(dir_b), "%s/b", top);
	for (n = 1; n <= 29; n++)
		fixture_add(dir_a, "google.json", NULL, NULL, n,
			    DAY(n) + 6 * HOUR, "pass");
	for (n = 10; n <= 25; n++)
		fixture_add(dir_a, "microsoft.json", NULL, NULL, n,
			    DAY(n) + 7 * HOUR, "pass");
	fixture_add(dir_a, "mailexample.json", NULL, NULL, 28,
		    DAY(28) + 8 * HOUR, "pass");
	for (n = 20; n <= 29; n++)
		fixture_add(dir_a, "google.json", NULL, "example.edu", n,
			    DAY(n) + 6 * HOUR, "pass");
	for (n = 22; n <= 29; n++)
		fixture_add(dir_b, "google.json", "Mail.Example", "example.edu",
			    n, DAY(n) + 9 * HOUR, "pass");
	fixture_add(dir_b, "google.json", NULL, NULL, 29, DAY(29) + 6 * HOUR,
		    "pass");
	fixture_add(dir_b, "odd.json", NULL, NULL, 23, DAY(23), NULL);
	fixture_add(dir_b, "odd.json", NULL, NULL, 26, DAY(26) + 6 * HOUR,
		    "fail");
	fixture_add(dir_b, "odd.json", NULL, NULL, 30, DAY(30), "pass");
	fixture_add(dir_b, "odd.json", NULL, NULL, 22, DAY(23) - 1, "pass");
	snprintf(path, sizeof(path), "%s/tlsrpt-2026-11-26.jsonl", dir_b);
	fixture_damage(path);
}

/* ---- running the aggregation ---- */

static struct summary_agg *
summarise(int64_t since, int64_t until, const char *const *domains,
	  size_t n_domains, int verified_only, int collect)
{
	const char *dirs[2] = {dir_a, dir_b};
	struct summary_options o;
	struct summary_agg *a;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	summary_options_default(&o);
	o.since = since;
	o.until = until;
	o.domains = domains;
	o.n_domains = n_domains;
	o.verified_only = verified_only;
	o.collect_reports = collect;
	a = summary_agg_new(&o);
	ck_assert_msg(summary_read_stores(a, dirs, 2, &err) == 0, "%s",
		      err.text);
	summary_agg_finish(a);
	return a;
}

static struct summary_agg *
standard(void)
{
	return summarise(DAY(23), DAY(30), NULL, 0, 0, 1);
}

static const struct summary_domain *
domain(const struct summary_agg *a, const char *name)
{
	guint i;

	for (i = 0; i < a->domains->len; i++) {
		const struct summary_domain *d =
			g_ptr_array_index(a->domains, i);

		if (strcmp(d->name, name) == 0)
			return d;
	}
	ck_abort_msg("domain %s not in the summary", name);
	return NULL;
}

static int
has_reason(const struct summary_domain *d, const char *code)
{
	guint i;

	for (i = 0; i < d->n_reasons; i++) {
		if (strcmp(d->reasons[i].code, code) == 0)
			return 1;
	}
	return 0;
}

/* ---- WHEN ---- */

START_TEST(test_when)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	int64_t t, s, u, now = DAY(30) + 12 * HOUR;

	ck_assert_int_eq(summary_parse_when("2026-11-20", now, &t, &err), 0);
	ck_assert_int_eq(t, DAY(20));
	ck_assert_int_eq(
		summary_parse_when("2026-11-20T06:00:00Z", now, &t, &err), 0);
	ck_assert_int_eq(t, DAY(20) + 6 * HOUR);
	ck_assert_int_eq(
		summary_parse_when("2026-11-20T08:00:00+02:00", now, &t, &err),
		0);
	ck_assert_int_eq(t, DAY(20) + 6 * HOUR);
	ck_assert_int_eq(summary_parse_when("7d", now, &t, &err), 0);
	ck_assert_int_eq(t, now - 7 * 86400);
	ck_assert_int_eq(summary_parse_when("24h", now, &t, &err), 0);
	ck_assert_int_eq(t, now - 86400);
	ck_assert_int_eq(summary_parse_when("90m", now, &t, &err), 0);
	ck_assert_int_eq(t, now - 5400);
	ck_assert_int_eq(summary_parse_when("2w", now, &t, &err), 0);
	ck_assert_int_eq(t, now - 14 * 86400);
	ck_assert_int_eq(summary_parse_when("0d", now, &t, &err), -1);
	ck_assert_int_eq(summary_parse_when("7", now, &t, &err), -1);
	ck_assert_int_eq(summary_parse_when("7y", now, &t, &err), -1);
	ck_assert_int_eq(summary_parse_when("7dd", now, &t, &err), -1);
	ck_assert_int_eq(summary_parse_when("-7d", now, &t, &err), -1);
	ck_assert_int_eq(summary_parse_when("99999999999d", now, &t, &err), -1);
	ck_assert_int_eq(summary_parse_when("2026-13-01", now, &t, &err), -1);
	ck_assert_int_eq(summary_parse_when("2026-11-20x", now, &t, &err), -1);
	tlsrpt_error_clear(&err);
	ck_assert_int_eq(summary_parse_when("", now, &t, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.text, "7d"));

	/* default: the last 7 days up to now, this second included */
	ck_assert_int_eq(summary_window(NULL, NULL, now, &s, &u, &err), 0);
	ck_assert_int_eq(u, now + 1);
	ck_assert_int_eq(s, now - 7 * 86400);
	ck_assert_int_eq(
		summary_window("2026-11-20", "2026-11-22", now, &s, &u, &err),
		0);
	ck_assert_int_eq(s, DAY(20));
	ck_assert_int_eq(u, DAY(22));
	/* --until alone: 7 days back from it */
	ck_assert_int_eq(summary_window(NULL, "2026-11-22", now, &s, &u, &err),
			 0);
	ck_assert_int_eq(s, DAY(15));
	tlsrpt_error_clear(&err);
	ck_assert_int_eq(
		summary_window("2026-11-22", "2026-11-22", now, &s, &u, &err),
		-1);
	ck_assert_ptr_nonnull(strstr(err.text, "empty window"));
}
END_TEST

/* ---- the views ---- */

START_TEST(test_domains)
{
	struct summary_agg *a = standard();
	const struct summary_domain *d;

	ck_assert_int_eq(a->domains->len, 4);
	d = domain(a, "example.org");
	ck_assert_int_eq(d->cur.successes, 7 * 1000 + 3 * 500);
	ck_assert_int_eq(d->cur.failures, 3 * 20);
	ck_assert_int_eq(d->reports, 10); /* the duplicate counted once */
	ck_assert_int_eq(d->prev.successes, 7 * 1000 + 7 * 500);
	ck_assert_int_eq(d->prev.failures, 7 * 20);
	ck_assert_int_eq(d->prev_reports, 14);
	ck_assert_str_eq(d->sts_mode, "testing");
	ck_assert_str_eq(d->mx, "mx1.example.org mx2.example.org");
	ck_assert_int_eq(d->policy_seen, DAY(28)); /* Google's last report */
	ck_assert_uint_eq(d->policy_types, SUMMARY_PT_STS);
	/* rate 99.30 now, 98.68 before */
	ck_assert(summary_rate(&d->cur) > 99.29 &&
		  summary_rate(&d->cur) < 99.30);
	ck_assert(summary_rate(&d->prev) > 98.68 &&
		  summary_rate(&d->prev) < 98.69);

	d = domain(a, "example.net");
	ck_assert_int_eq(d->cur.successes, 250);
	ck_assert_int_eq(d->cur.failures, 3);
	ck_assert_int_eq(d->reports, 1); /* two policies, one report */
	ck_assert_uint_eq(d->policy_types, SUMMARY_PT_STS | SUMMARY_PT_TLSA);
	ck_assert_str_eq(d->sts_mode, "enforce");
	ck_assert_int_eq(summary_cold_of(d)->unexplained, 3);

	d = domain(a, "example.edu");
	ck_assert_int_eq(d->cur.successes, 14000);
	ck_assert_int_eq(d->prev.successes, 4000);

	/* window edges: day(23) 00:00:00 is in, day(30) 00:00:00 is not,
	 * day(23) - 1 s is in the previous window */
	d = domain(a, "example.com");
	ck_assert_int_eq(d->reports, 2);
	ck_assert_int_eq(d->cur.successes, 20);
	ck_assert_int_eq(d->cur.failures, 8);
	ck_assert_int_eq(d->prev.successes, 10);
	ck_assert_uint_eq(d->policy_types, SUMMARY_PT_NO_POLICY);
	ck_assert_ptr_null(d->sts_mode);

	ck_assert_int_eq(a->total.successes, 8500 + 250 + 20 + 14000);
	ck_assert_int_eq(a->total.failures, 71);
	ck_assert_int_eq(a->reports, 27);
	ck_assert_str_eq(summary_status(a), "failures");
	summary_agg_free(a);
}
END_TEST

START_TEST(test_results_mx_senders)
{
	struct summary_agg *a = standard();
	const struct summary_result *r;
	const struct summary_mx *m;
	const struct summary_sender *s;

	ck_assert_int_eq(a->results->len, 3);
	r = g_ptr_array_index(a->results, 0);
	ck_assert_str_eq(r->type, "certificate-expired");
	ck_assert_int_eq(r->sessions, 45);
	ck_assert_int_eq(r->details, 3);
	ck_assert_int_eq(r->mx->len, 1);
	ck_assert_str_eq(g_ptr_array_index(r->mx, 0), "mx2.example.org");
	r = g_ptr_array_index(a->results, 1);
	ck_assert_str_eq(r->type, "starttls-not-supported");
	ck_assert_int_eq(r->sessions, 15);
	r = g_ptr_array_index(a->results, 2);
	ck_assert_str_eq(r->type, "x-new-type"); /* unknown types kept */
	ck_assert_int_eq(r->sessions, 4);
	ck_assert_str_eq(g_ptr_array_index(r->domains, 0), "example.com");

	ck_assert_int_eq(a->mx->len, 3);
	m = g_ptr_array_index(a->mx, 0);
	ck_assert_str_eq(m->host, "mx2.example.org");
	ck_assert_str_eq(m->ip, "192.0.2.2");
	ck_assert_int_eq(m->failures, 45);
	m = g_ptr_array_index(a->mx, 2);
	ck_assert_str_eq(m->host, "mx.example.com");
	ck_assert_ptr_null(m->ip);

	ck_assert_int_eq(a->senders->len, 3);
	s = g_ptr_array_index(a->senders, 0);
	ck_assert_str_eq(s->ip, "203.0.113.5");
	ck_assert_int_eq(s->failures, 45);
	ck_assert_str_eq(g_ptr_array_index(s->orgs, 0),
			 "Microsoft Corporation");
	s = g_ptr_array_index(a->senders, 2);
	ck_assert_str_eq(s->ip, "2001:db8::25");
	summary_agg_free(a);
}
END_TEST

START_TEST(test_orgs_days_reports)
{
	struct summary_agg *a = standard();
	const struct summary_org *o;
	const struct summary_day *d;
	const struct summary_report *r;

	ck_assert_int_eq(a->orgs->len, 4);
	o = g_ptr_array_index(a->orgs, 0); /* most sessions first */
	ck_assert_str_eq(o->name, "Google Inc.");
	ck_assert_int_eq(o->reports, 14);
	ck_assert_int_eq(o->c.successes, 14000);
	ck_assert_int_eq(o->domains->len, 2);
	ck_assert_int_eq(o->last_report, DAY(29) + 6 * HOUR);
	o = g_ptr_array_index(a->orgs, 3);
	ck_assert_str_eq(o->name, "Odd, \"Sender\"");
	ck_assert_int_eq(o->dkim_fail, 1);

	/* days of the sessions: reports received on day(23)..day(29) cover
	 * day 22..28 */
	ck_assert_int_eq(a->days->len, 7);
	d = g_ptr_array_index(a->days, 0);
	ck_assert_int_eq(d->day, DAY(22));
	/* Google org+edu, Microsoft, Mail.Example edu, Odd (day(23) 00:00) */
	ck_assert_int_eq(d->c.successes, 1000 + 1000 + 500 + 1000 + 10);
	ck_assert_int_eq(d->c.failures, 20 + 4);
	ck_assert_int_eq(d->reports, 5);
	d = g_ptr_array_index(a->days, 6);
	ck_assert_int_eq(d->day, DAY(28));
	ck_assert_int_eq(d->c.successes, 3000);

	ck_assert_int_eq(a->reports_list->len, 27);
	r = g_ptr_array_index(a->reports_list, 0);
	ck_assert_int_eq(r->received, DAY(23));
	ck_assert_str_eq(r->org, "Odd, \"Sender\"");
	ck_assert_ptr_null(r->dkim);
	summary_agg_free(a);
}
END_TEST

START_TEST(test_problems)
{
	struct summary_agg *a = standard();
	const struct summary_problems *p = &a->problems;

	ck_assert_uint_eq(p->skipped, 1);
	ck_assert_uint_eq(p->n_problems, 1);
	ck_assert_ptr_nonnull(strstr(p->problems[0], "tlsrpt-2026-11-26"));
	ck_assert_uint_eq(p->duplicates, 1);
	ck_assert_int_eq(p->dkim_fail, 1);
	ck_assert_int_eq(p->no_details, 1);
	ck_assert_int_eq(p->details_short, 2);
	ck_assert_int_eq(p->detail_over_total, 0);
	ck_assert_int_eq(p->unexplained, 3 + 2 * 2);
	summary_agg_free(a);
}
END_TEST

/* ---- readiness and silence ---- */

START_TEST(test_readiness)
{
	struct summary_agg *a = standard();
	const struct summary_domain *d;

	d = domain(a, "example.org");
	ck_assert_int_eq(d->verdict, SUMMARY_VERDICT_NOT_READY);
	ck_assert(has_reason(d, "failures"));
	ck_assert(has_reason(d, "policy-mismatch"));
	ck_assert(!has_reason(d, "few-reports"));
	ck_assert_int_eq(summary_cold_of(d)->recent_sts_failures, 10 * 20);
	ck_assert_int_eq(d->recent_reports, 14 + 10);
	d = domain(a, "example.edu");
	ck_assert_int_eq(d->verdict, SUMMARY_VERDICT_READY);
	ck_assert_int_eq(d->n_reasons, 0);
	ck_assert_int_eq(d->recent_reporters, 2);
	d = domain(a, "example.net");
	ck_assert_int_eq(d->verdict, SUMMARY_VERDICT_REFUSING);
	ck_assert(has_reason(d, "refusing"));
	d = domain(a, "example.com");
	ck_assert_int_eq(d->verdict, SUMMARY_VERDICT_NONE);
	summary_agg_free(a);

	/* On day 21, example.edu had one report from one organisation. */
	a = summarise(DAY(14), DAY(21), NULL, 0, 0, 0);
	d = domain(a, "example.edu");
	ck_assert_int_eq(d->verdict, SUMMARY_VERDICT_NOT_READY);
	ck_assert(has_reason(d, "few-reports"));
	ck_assert(has_reason(d, "few-reporters"));
	ck_assert(!has_reason(d, "failures"));
	summary_agg_free(a);
}
END_TEST

START_TEST(test_silence)
{
	static const char *const want[] = {"example.org", "nothere.example"};
	struct summary_agg *a = standard();
	const struct summary_silent *s;
	const struct summary_reporter *r;
	const struct summary_domain *d;

	ck_assert_int_eq(a->silent_reporters->len, 2);
	s = g_ptr_array_index(a->silent_reporters, 0);
	ck_assert_str_eq(s->domain, "example.com");
	s = g_ptr_array_index(a->silent_reporters, 1);
	ck_assert_str_eq(s->domain, "example.org");
	r = s->r;
	ck_assert_str_eq(r->org, "Microsoft Corporation");
	ck_assert_int_eq(r->interval, 86400);
	ck_assert_int_eq(summary_reporter_last(a, r), DAY(25) + 7 * HOUR);
	ck_assert_int_eq(a->silent_domains->len, 0);
	summary_agg_free(a);

	/* Two days earlier Microsoft was not silent yet (4.75 days > 2
	 * intervals; 2.75 days on day 28 is, 0.75 on day 26 is not). */
	a = summarise(DAY(19), DAY(26), NULL, 0, 0, 0);
	ck_assert_int_eq(a->silent_reporters->len, 0);
	summary_agg_free(a);

	/* --domain: only those; one never seen is silent */
	a = summarise(DAY(23), DAY(30), want, 2, 0, 0);
	ck_assert_int_eq(a->domains->len, 2);
	d = g_ptr_array_index(a->silent_domains, 0);
	ck_assert_int_eq(a->silent_domains->len, 1);
	ck_assert_str_eq(d->name, "nothere.example");
	ck_assert_int_eq(d->last_report, 0);
	ck_assert_int_eq(a->total.failures, 60);
	summary_agg_free(a);

	/* From day 30 on, only example.com's report received at day(30)
	 * exactly; a day later nothing at all. */
	a = summarise(DAY(30), DAY(37), NULL, 0, 0, 0);
	ck_assert_int_eq(a->silent_domains->len, 3);
	ck_assert_int_eq(a->total.failures, 4);
	summary_agg_free(a);
	a = summarise(DAY(31), DAY(38), NULL, 0, 0, 0);
	ck_assert_int_eq(a->silent_domains->len, 4);
	ck_assert_str_eq(summary_status(a), "no-data");
	summary_agg_free(a);
}
END_TEST

START_TEST(test_verified_only)
{
	struct summary_agg *a = summarise(DAY(23), DAY(30), NULL, 0, 1, 0);
	const struct summary_domain *d = domain(a, "example.com");

	ck_assert_int_eq(a->problems.unverified_dropped, 2);
	ck_assert_int_eq(a->problems.dkim_fail, 0);
	ck_assert_int_eq(d->reports, 0);
	ck_assert_int_eq(d->prev.successes, 10); /* that one passed */
	ck_assert_int_eq(a->total.failures, 63);
	ck_assert_int_eq(a->silent_domains->len, 1);
	summary_agg_free(a);
}
END_TEST

/* ---- hostile senders: pre-emption and impersonation (issue 15) ---- */

/* A summary of the stores dirs with the known reporters known. */
static struct summary_agg *
summarise_known(const char *const *dirs, size_t n,
		const struct summary_known *known)
{
	struct summary_options o;
	struct summary_agg *a;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	summary_options_default(&o);
	o.since = DAY(23);
	o.until = DAY(30);
	o.known = known;
	a = summary_agg_new(&o);
	ck_assert_msg(summary_read_stores(a, dirs, n, &err) == 0, "%s",
		      err.text);
	summary_agg_finish(a);
	return a;
}

/* A forged "Google Inc." report with the real (predictable) id and no
 * failures, stored first; the genuine one with 23 failures after it. The
 * summary must equal that of the genuine report alone, and list the
 * forgery as an impersonation and the id as a conflict. */
START_TEST(test_preemption_attack)
{
	static const char known_text[] = "google.com\tGoogle Inc.\n";
	char forged_dir[96], genuine_dir[96];
	const char *dirs[1], *control[1];
	struct summary_known *known;
	struct summary_agg *a, *c;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	const struct summary_conflict *cf;
	const struct summary_org *org;
	struct fixture_report fr = {
		.tmpl = "google.json",
		.domain = "victim.example",
		.id = "2026-11-25T00:00:00Z_victim.example",
		.n = 26,
	};

	ck_assert_int_eq(summary_known_parse(known_text, strlen(known_text),
					     "known", &known, &err),
			 0);
	snprintf(forged_dir, sizeof(forged_dir), "%s/forged", top);
	snprintf(genuine_dir, sizeof(genuine_dir), "%s/genuine", top);
	/* The forgery: a DKIM pass, but for the forger's own domain. */
	fr.dkim = "pass";
	fr.submitter = "evil.example";
	fr.received = DAY(26) + HOUR;
	fr.failures = 0;
	ck_assert_int_eq(fixture_store(forged_dir, &fr), TLSRPT_STORE_STORED);
	/* The genuine report: stored, not taken for a duplicate. */
	fr.submitter = "google.com";
	fr.received = DAY(26) + 6 * HOUR;
	fr.failures = 23;
	ck_assert_int_eq(fixture_store(forged_dir, &fr), TLSRPT_STORE_CONFLICT);
	ck_assert_int_eq(fixture_store(genuine_dir, &fr), TLSRPT_STORE_STORED);

	dirs[0] = forged_dir;
	control[0] = genuine_dir;
	a = summarise_known(dirs, 1, known);
	c = summarise_known(control, 1, known);
	ck_assert_int_gt(c->total.failures, 0);
	ck_assert_int_eq(a->total.successes, c->total.successes);
	ck_assert_int_eq(a->total.failures, c->total.failures);
	ck_assert_int_eq(a->reports, c->reports);
	ck_assert_uint_eq(a->domains->len, c->domains->len);
	/* The forgery is listed, not counted. */
	ck_assert_int_eq(a->problems.impersonations, 1);
	ck_assert_uint_eq(a->suspects->len, 1);
	ck_assert_str_eq(((const struct summary_suspect *)g_ptr_array_index(
				  a->suspects, 0))
				 ->from,
			 "evil.example");
	ck_assert_int_eq(a->problems.conflicts, 1);
	cf = g_ptr_array_index(a->conflicts, 0);
	ck_assert_int_eq(cf->counted, 1);
	ck_assert_uint_eq(cf->versions->len, 2);
	for (guint i = 0; i < 2; i++) {
		const struct summary_conflict_version *v =
			g_ptr_array_index(cf->versions, i);

		ck_assert_int_eq(v->counted,
				 strcmp(v->submitter, "google.com") == 0);
	}
	org = g_ptr_array_index(a->orgs, 0);
	ck_assert_int_eq(org->auth_reports, 1);
	ck_assert_str_eq(org->auth_domain, "google.com");
	ck_assert_int_eq(c->problems.impersonations, 0);
	ck_assert_int_eq(c->problems.conflicts, 0);
	summary_agg_free(a);

	/* Without the known reporters nothing says which is Google's: the
	 * conflict is listed and neither version counts. */
	a = summarise_known(dirs, 1, NULL);
	ck_assert_int_eq(a->problems.conflicts, 1);
	ck_assert_int_eq(a->problems.impersonations, 0);
	ck_assert_int_eq(a->total.successes + a->total.failures, 0);
	summary_agg_free(a);

	/* Read with the genuine store too (two MX hosts): the same report in
	 * two stores is one, the forgery still a conflict. */
	{
		const char *both[2] = {forged_dir, genuine_dir};

		a = summarise_known(both, 2, known);
		ck_assert_int_eq(a->total.failures, c->total.failures);
		ck_assert_int_eq(a->reports, c->reports);
		ck_assert_int_eq(a->problems.conflicts, 1);
		summary_agg_free(a);
	}
	summary_agg_free(c);
	summary_known_free(known);
}
END_TEST

/* A report claiming Google's name from google.com but without DKIM is
 * "not authenticated" (counted, as before); the same name from another
 * domain is an impersonation whatever its DKIM verdict. */
START_TEST(test_known_reporters)
{
	static const char text[] =
		"# comment\n\ngoogle.com\tGoogle Inc.\n"
		"microsoft.com,outlook.com  Microsoft   Corporation\n";
	struct summary_known *k;
	struct summary_sender_id id;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	ck_assert_int_eq(summary_known_parse(text, strlen(text), "t", &k, &err),
			 0);
	ck_assert_uint_eq(summary_known_count(k), 2);
	summary_classify(k, "Google Inc.", TLSRPT_DKIM_PASS, "google.com", NULL,
			 &id);
	ck_assert_int_eq(id.auth, SUMMARY_AUTH_OK);
	ck_assert_str_eq(id.domain, "google.com");
	summary_classify(k, "google  INC.", TLSRPT_DKIM_PASS, "mail.google.com",
			 NULL, &id);
	ck_assert_int_eq(id.auth, SUMMARY_AUTH_OK);
	summary_classify(k, "Google Inc.", TLSRPT_DKIM_NONE, "google.com", NULL,
			 &id);
	ck_assert_int_eq(id.auth, SUMMARY_AUTH_NONE);
	/* From Google's domain, but our verifier saw the signature fail: a
	 * copied signature, not Google. */
	summary_classify(k, "Google Inc.", TLSRPT_DKIM_FAIL, "google.com", NULL,
			 &id);
	ck_assert_int_eq(id.auth, SUMMARY_AUTH_IMPERSONATION);
	ck_assert_str_eq(id.domain, "google.com");
	/* An unknown name with a broken signature is only not authenticated. */
	summary_classify(k, "Small Reporter", TLSRPT_DKIM_FAIL, "small.example",
			 NULL, &id);
	ck_assert_int_eq(id.auth, SUMMARY_AUTH_NONE);
	summary_classify(k, "Google Inc.", TLSRPT_DKIM_PASS, "evilgoogle.com",
			 NULL, &id);
	ck_assert_int_eq(id.auth, SUMMARY_AUTH_IMPERSONATION);
	ck_assert_str_eq(id.domain, "evilgoogle.com");
	/* No submitter (a file, HTTPS): the contact-info domain says where
	 * it claims to come from, and proves nothing. */
	summary_classify(k, "Google Inc.", TLSRPT_DKIM_UNKNOWN, NULL,
			 "mailto:smtp-tls-reporting@google.com", &id);
	ck_assert_int_eq(id.auth, SUMMARY_AUTH_NONE);
	/* Nothing says where it came from: the name alone proves nothing. */
	summary_classify(k, "Google Inc.", TLSRPT_DKIM_UNKNOWN, NULL, NULL,
			 &id);
	ck_assert_int_eq(id.auth, SUMMARY_AUTH_IMPERSONATION);
	ck_assert_str_eq(id.from, "(unknown)");
	summary_classify(k, "Google Inc.", TLSRPT_DKIM_UNKNOWN, NULL,
			 "tls@evil.example", &id);
	ck_assert_int_eq(id.auth, SUMMARY_AUTH_IMPERSONATION);
	summary_classify(k, "Microsoft Corporation", TLSRPT_DKIM_PASS,
			 "outlook.com", NULL, &id);
	ck_assert_int_eq(id.auth, SUMMARY_AUTH_OK);
	/* Unknown names: authenticated as their own submitter, or not. */
	summary_classify(k, "Example Mail", TLSRPT_DKIM_PASS, "mail.example",
			 NULL, &id);
	ck_assert_int_eq(id.auth, SUMMARY_AUTH_OK);
	ck_assert_str_eq(id.domain, "mail.example");
	ck_assert_ptr_null(id.known_domain);
	summary_classify(NULL, "Google Inc.", TLSRPT_DKIM_PASS, "evil.example",
			 NULL, &id);
	ck_assert_int_eq(id.auth, SUMMARY_AUTH_OK);
	summary_known_free(k);
	/* A line that is not "domains name" is refused with its number. */
	ck_assert_int_eq(summary_known_parse("google.com\n", 11, "t", &k, &err),
			 -1);
	ck_assert_ptr_nonnull(strstr(err.text, "line 1"));
	ck_assert_int_eq(
		summary_known_parse("goo/gle Google\n", 15, "t", &k, &err), -1);
}
END_TEST

/* ---- golden files ---- */

static void
golden(const char *format, enum summary_view view, const char *name)
{
	const struct summary_renderer *rdr = summary_renderer_find(format);
	struct summary_render_ctx ctx = {view, DAY(30), 2};
	struct summary_agg *a = standard();
	char *buf = NULL, path[256];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(rdr);
	ck_assert_int_eq(rdr->render(f, a, &ctx), 0);
	fclose(f);
	summary_agg_free(a);
	/* The stores' temporary directory appears in damaged-line reports. */
	{
		char **parts = g_strsplit(buf, top, -1);
		char *fixed = g_strjoinv("/STORE", parts);

		g_strfreev(parts);
		free(buf);
		buf = strdup(fixed);
		len = strlen(buf);
		g_free(fixed);
	}
	snprintf(path, sizeof(path), "%s/summary/%s", test_data_dir(), name);
	test_golden(path, buf, len);
	free(buf);
}

START_TEST(test_golden_text)
{
	golden("text", SUMMARY_VIEW_ALL, "expected.txt");
	golden("text", SUMMARY_VIEW_REPORT, "expected-report.txt");
}
END_TEST

START_TEST(test_golden_json)
{
	golden("json", SUMMARY_VIEW_ALL, "expected.json");
	golden("json", SUMMARY_VIEW_ORG, "expected-org.json");
}
END_TEST

START_TEST(test_golden_csv)
{
	static const struct {
		enum summary_view v;
		const char *file;
	} views[] = {
		{SUMMARY_VIEW_ALL, "expected-domain.csv"},
		{SUMMARY_VIEW_ORG, "expected-org.csv"},
		{SUMMARY_VIEW_RESULT, "expected-result.csv"},
		{SUMMARY_VIEW_MX, "expected-mx.csv"},
		{SUMMARY_VIEW_SENDING_IP, "expected-sending-ip.csv"},
		{SUMMARY_VIEW_DAY, "expected-day.csv"},
		{SUMMARY_VIEW_REPORT, "expected-report.csv"},
	};
	size_t i;

	for (i = 0; i < sizeof(views) / sizeof(views[0]); i++)
		golden("csv", views[i].v, views[i].file);
}
END_TEST

START_TEST(test_views_and_advice)
{
	static const char *const registered[] = {
		"starttls-not-supported", "certificate-host-mismatch",
		"certificate-expired",	  "certificate-not-trusted",
		"validation-failure",	  "tlsa-invalid",
		"dnssec-invalid",	  "dane-required",
		"sts-policy-fetch-error", "sts-policy-invalid",
		"sts-webpki-invalid",
	};
	const char *generic = summary_advice("x-unknown");
	enum summary_view v;
	size_t i;

	for (i = 0; i < sizeof(registered) / sizeof(registered[0]); i++)
		ck_assert_str_ne(summary_advice(registered[i]), generic);
	ck_assert_int_eq(summary_view_parse("sending-ip", &v), 0);
	ck_assert_int_eq(v, SUMMARY_VIEW_SENDING_IP);
	ck_assert_int_eq(summary_view_parse("all", &v), -1);
	ck_assert_int_eq(summary_view_parse("domains", &v), -1);
	ck_assert_ptr_null(summary_renderer_find("xml"));
	ck_assert_ptr_nonnull(strstr(summary_renderer_names(), "csv"));
}
END_TEST

static Suite *
aggregate_suite(void)
{
	Suite *s = suite_create("aggregate");
	TCase *tc = tcase_create("aggregate");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_when);
	tcase_add_test(tc, test_domains);
	tcase_add_test(tc, test_results_mx_senders);
	tcase_add_test(tc, test_orgs_days_reports);
	tcase_add_test(tc, test_problems);
	tcase_add_test(tc, test_readiness);
	tcase_add_test(tc, test_silence);
	tcase_add_test(tc, test_verified_only);
	tcase_add_test(tc, test_views_and_advice);
	tcase_add_test(tc, test_preemption_attack);
	tcase_add_test(tc, test_known_reporters);
	tcase_add_test(tc, test_golden_text);
	tcase_add_test(tc, test_golden_json);
	tcase_add_test(tc, test_golden_csv);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	int rc;

	tlsrpt_alloc_init();
	build_stores();
	rc = test_run(aggregate_suite());
	fixture_remove(top);
	return rc;
}
