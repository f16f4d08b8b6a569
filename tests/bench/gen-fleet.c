/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * gen-fleet.c -- write the store of a 1,000-domain fleet with a known set
 * of problems, for the worst-first views (issue 18) and their benchmark.
 *
 * usage: gen-fleet DIR NOW
 *   DIR   store directory (created; its parent must exist)
 *   NOW   epoch seconds: the reports cover the 20 days before NOW's day
 *
 * Every domain is reported once a day by Google Inc., Microsoft
 * Corporation and Yahoo (one report per reporter, domain and day, as real
 * reporters send them), except as below. Domains are
 * domain0000.example .. domain0999.example; the problem domains are
 * spread over the alphabet so that an alphabetical view buries them:
 *
 *   failing     7 domains, each day and reporter failing F sessions of
 *               3000 (F in the table below, distinct, so their order by
 *               impact is known); domain0555 is in enforce (refusing)
 *   silent      3 domains whose reporters stopped 4 days before NOW
 *   not ready   2 domains in testing reported by Google Inc. alone
 *   below       1 domain with 50,000 sessions a report and one failed
 *               session in the whole 20 days (a stray failure)
 *   healthy     the other 987: 3000 sessions a report, no failure;
 *               every third in testing (ready to enforce), others enforce
 *
 * Prints one line per problem domain: "<kind> <domain> <failed a day>"
 * in order of impact, then a total line, so tests compute their
 * expectations from what was written.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "report/report.h"
#include "store/store.h"

#define N_DOMAINS 1000
#define DAYS 20
#define SESSIONS 3000
#define BELOW_SESSIONS 50000

static const char *const orgs[] = {"Google Inc.", "Microsoft Corporation",
				   "Yahoo"};
#define N_ORGS (sizeof(orgs) / sizeof(orgs[0]))

/* In order of impact (failed sessions a day and reporter). */
static const struct {
	unsigned domain, failed;
	const char *result;
} failing[] = {
	{913, 900, "certificate-expired"},
	{107, 400, "starttls-not-supported"},
	{555, 200, "certificate-host-mismatch"},
	{42, 90, "sts-policy-fetch-error"},
	{768, 40, "validation-failure"},
	{321, 15, "certificate-not-trusted"},
	{690, 6, "tlsa-invalid"},
};
static const unsigned silent[] = {250, 499, 871};
static const unsigned not_ready[] = {388, 640};
static const unsigned below = 177;

enum kind { HEALTHY, FAILING, SILENT, NOT_READY, BELOW };

static enum kind
kind_of(unsigned d, unsigned *failed, const char **result)
{
	size_t i;

	for (i = 0; i < sizeof(failing) / sizeof(failing[0]); i++)
		if (failing[i].domain == d) {
			*failed = failing[i].failed;
			*result = failing[i].result;
			return FAILING;
		}
	for (i = 0; i < sizeof(silent) / sizeof(silent[0]); i++)
		if (silent[i] == d)
			return SILENT;
	for (i = 0; i < sizeof(not_ready) / sizeof(not_ready[0]); i++)
		if (not_ready[i] == d)
			return NOT_READY;
	return d == below ? BELOW : HEALTHY;
}

struct fleet {
	struct tlsrpt_store *st;
	int64_t now;
	unsigned long long reports;
};

static int
append(struct fleet *f, unsigned d, unsigned org, int day,
       struct tlsrpt_error *err)
{
	char name[64], mx1[80], mx2[80], mode[32], mxpat[96], id[96];
	char *mxs[2] = {mx1, mx2}, *strs[4];
	struct tlsrpt_failure_detail det;
	struct tlsrpt_policy pol;
	struct tlsrpt_report r;
	struct tlsrpt_receipt rc = {0};
	enum tlsrpt_store_outcome out;
	const char *result = NULL;
	unsigned failed = 0;
	enum kind k = kind_of(d, &failed, &result);
	int enforce = d % 3 != 0 && k != NOT_READY;
	int64_t today = f->now / 86400 * 86400;

	if (k == FAILING && d == 555)
		enforce = 1;
	snprintf(name, sizeof(name), "domain%04u.example", d);
	snprintf(mx1, sizeof(mx1), "mx1.%s", name);
	snprintf(mx2, sizeof(mx2), "mx2.%s", name);
	snprintf(mode, sizeof(mode), "mode: %s",
		 enforce ? "enforce" : "testing");
	snprintf(mxpat, sizeof(mxpat), "mx: *.%s", name);
	snprintf(id, sizeof(id), "fleet-%s-%u-%d", name, org, day);
	strs[0] = "version: STSv1";
	strs[1] = mode;
	strs[2] = mxpat;
	strs[3] = "max_age: 604800";

	memset(&r, 0, sizeof(r));
	memset(&pol, 0, sizeof(pol));
	r.organization_name = (char *)orgs[org];
	r.contact_info = "tlsrpt@reporter.example";
	r.report_id = id;
	r.start_time = today - (int64_t)(day + 1) * 86400;
	r.end_time = r.start_time + 86399;
	r.policies = &pol;
	r.n_policies = 1;
	pol.type = TLSRPT_POLICY_STS;
	pol.policy_type = "sts";
	pol.policy_domain = name;
	pol.policy_strings = strs;
	pol.n_policy_strings = 4;
	pol.mx_hosts = mxs;
	pol.n_mx_hosts = 2;
	pol.total_successful_session_count =
		k == BELOW ? BELOW_SESSIONS : SESSIONS;
	if (k == BELOW && day == 3 && org == 0)
		failed = 1, result = "starttls-not-supported";
	if (failed > 0) {
		memset(&det, 0, sizeof(det));
		det.result_type = (char *)result;
		det.sending_mta_ip = "198.51.100.7";
		det.receiving_ip = "192.0.2.25";
		det.receiving_mx_hostname = mx1;
		det.failed_session_count = failed;
		pol.failure_details = &det;
		pol.n_failure_details = 1;
		pol.total_failure_session_count = failed;
		pol.total_successful_session_count -= failed;
	}
	rc.received = r.end_time + 1 + 3600 * (int64_t)(org + 1);
	rc.source = "milter";
	rc.dkim = TLSRPT_DKIM_PASS;
	if (rc.received >= f->now)
		return 0;
	if (tlsrpt_store_append(f->st, &r, &rc, &out, err) != 0)
		return -1;
	f->reports++;
	return 0;
}

static void
print_expected(void)
{
	size_t i;

	for (i = 0; i < sizeof(failing) / sizeof(failing[0]); i++)
		printf("failing domain%04u.example %u\n", failing[i].domain,
		       failing[i].failed);
	for (i = 0; i < sizeof(silent) / sizeof(silent[0]); i++)
		printf("silent domain%04u.example 0\n", silent[i]);
	for (i = 0; i < sizeof(not_ready) / sizeof(not_ready[0]); i++)
		printf("not-ready domain%04u.example 0\n", not_ready[i]);
	printf("below domain%04u.example 0\n", below);
}

int
main(int argc, char **argv)
{
	struct tlsrpt_store_options so;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct fleet f = {0};
	unsigned d, org;
	int day, rc = 1;

	if (argc != 3) {
		fprintf(stderr, "usage: gen-fleet DIR NOW\n");
		return 64;
	}
	f.now = strtoll(argv[2], NULL, 10);
	tlsrpt_alloc_init();
	tlsrpt_store_options_default(&so);
	so.dir = argv[1];
	so.fsync = TLSRPT_STORE_FSYNC_NONE;
	if (tlsrpt_store_open(&so, &f.st, &err) != 0)
		goto fail;
	/* Oldest day first, as the reports would have arrived. */
	for (day = DAYS - 1; day >= 0; day--)
		for (d = 0; d < N_DOMAINS; d++) {
			unsigned dummy = 0;
			const char *r = NULL;
			enum kind k = kind_of(d, &dummy, &r);

			for (org = 0; org < N_ORGS; org++) {
				if (k == NOT_READY && org > 0)
					continue;
				/* Reports of day N arrive on day N+1: the
				 * silent stopped 4 days before NOW. */
				if (k == SILENT && day < 4)
					continue;
				if (append(&f, d, org, day, &err) != 0)
					goto fail;
			}
		}
	print_expected();
	printf("total %llu reports of %u domains in %s\n", f.reports, N_DOMAINS,
	       argv[1]);
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "gen-fleet: %s%s%s\n", err.path,
		err.path[0] != '\0' ? ": " : "", err.text);
out:
	tlsrpt_store_close(f.st);
	return rc;
}
