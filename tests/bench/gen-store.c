/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * gen-store.c -- write a realistic store of N records for benchmarks and
 * manual testing of tlsrpt-summary.
 *
 * usage: gen-store [-D DOMAINS] [-R REPORTERS] DIR N [DAYS [SEED [NOW]]]
 *   -D    policy domains (default 200); -D 100000 -R 20 is the shape of a
 *         hosting provider (issue 21)
 *   -R    reporting organisations (default 12; past the 12 named below,
 *         "Reporter N")
 *   DIR   store directory (created; its parent must exist)
 *   N     records (store lines) to write, about 1.3 per report
 *   DAYS  reports received over the DAYS days before NOW (default 30)
 *   SEED  random seed (default 1): the same arguments write the same store
 *   NOW   epoch seconds (default: the current time)
 *
 * 200 policy domains, 12 reporting organisations (by default), all
 * registered result
 * types and an unknown one, sts (testing and enforce), tlsa and
 * no-policy-found policies; about 1 policy in 10 has failures. Writes
 * with fsync off through tlsrpt_store_append (the real encoder, index and
 * day files), so the store is exactly what the milter writes.
 *
 * Build: `make build/tests/bench/gen-store` (tests/bench/module.mk).
 *   build/gen-store /tmp/bigstore 1000000
 */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "store/store.h"

#define N_DOMAINS 200
#define N_ORGS (sizeof(orgs) / sizeof(orgs[0]))
#define N_POL_MAX 3
#define N_DET_MAX 4

static const char *const orgs[] = {
	"Google Inc.",
	"Microsoft Corporation",
	"Yahoo",
	"Comcast",
	"Mail.Ru",
	"GMX",
	"Fastmail",
	"Proton AG",
	"mail.example.net",
	"Zoho Corporation",
	"Apple Inc.",
	"Tutanota",
};

static const char *const results[] = {
	"starttls-not-supported", "certificate-host-mismatch",
	"certificate-expired",	  "certificate-not-trusted",
	"validation-failure",	  "tlsa-invalid",
	"dnssec-invalid",	  "dane-required",
	"sts-policy-fetch-error", "sts-policy-invalid",
	"sts-webpki-invalid",	  "x-future-result-type",
};

/* xorshift64*: fast, seedable, good enough for test data. */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static unsigned
pick(uint64_t *s, unsigned n)
{
	return (unsigned)(rnd(s) % n);
}

int
main(int argc, char **argv)
{
	struct tlsrpt_store_options so;
	struct tlsrpt_store *st = NULL;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	unsigned long long n, written = 0, reports = 0;
	unsigned days = 30, n_domains = N_DOMAINS, n_orgs = N_ORGS;
	uint64_t seed = 1;
	int64_t now = (int64_t)time(NULL);
	int rc = 1, c;

	while ((c = getopt(argc, argv, "D:R:")) != -1) {
		switch (c) {
		case 'D':
			n_domains = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'R': n_orgs = (unsigned)strtoul(optarg, NULL, 10); break;
		default: n_domains = 0; break;
		}
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc < 3 || argc > 6 || n_domains == 0 || n_orgs == 0) {
		fprintf(stderr, "usage: gen-store [-D DOMAINS] [-R REPORTERS] "
				"DIR N [DAYS [SEED [NOW]]]\n");
		return 64;
	}
	n = strtoull(argv[2], NULL, 10);
	if (argc > 3)
		days = (unsigned)strtoul(argv[3], NULL, 10);
	if (argc > 4)
		seed = strtoull(argv[4], NULL, 10) * 2654435761ULL + 1;
	if (argc > 5)
		now = strtoll(argv[5], NULL, 10);
	if (days == 0)
		days = 1;
	tlsrpt_alloc_init();
	tlsrpt_store_options_default(&so);
	so.dir = argv[1];
	so.fsync = TLSRPT_STORE_FSYNC_NONE;
	if (tlsrpt_store_open(&so, &st, &err) != 0)
		goto fail;
	while (written < n) {
		struct tlsrpt_policy pol[N_POL_MAX];
		struct tlsrpt_failure_detail det[N_POL_MAX][N_DET_MAX];
		char *strs[N_POL_MAX][4], *mxs[N_POL_MAX][2];
		struct tlsrpt_report r;
		struct tlsrpt_receipt rc_ = {0};
		enum tlsrpt_store_outcome out;
		char id[64], ips[N_POL_MAX][N_DET_MAX][2][40], org_name[64];
		/* Names made per policy: 10^5 domains need no tables. */
		char dom[N_POL_MAX][64], mx[N_POL_MAX][2][80],
			sts[N_POL_MAX][2][96];
		unsigned np = 1 + (pick(&seed, 10) < 3) + (pick(&seed, 10) < 1);
		unsigned org = pick(&seed, n_orgs), p;
		int64_t received =
			now - 1 -
			(int64_t)(rnd(&seed) % ((uint64_t)days * 86400));

		if (np > n - written)
			np = (unsigned)(n - written);
		memset(&r, 0, sizeof(r));
		memset(pol, 0, sizeof(pol));
		snprintf(id, sizeof(id), "gen-%llu-%llu",
			 (unsigned long long)seed % 100000, reports);
		if (org < N_ORGS)
			snprintf(org_name, sizeof(org_name), "%s", orgs[org]);
		else
			snprintf(org_name, sizeof(org_name), "Reporter %u",
				 org);
		r.organization_name = org_name;
		r.contact_info = "tlsrpt@reporter.example";
		r.report_id = id;
		r.start_time = (received / 86400 - 1) * 86400;
		r.end_time = r.start_time + 86399;
		r.policies = pol;
		r.n_policies = np;
		for (p = 0; p < np; p++) {
			unsigned d = pick(&seed, n_domains), k,
				 t = pick(&seed, 10);
			struct tlsrpt_policy *q = &pol[p];

			snprintf(dom[p], sizeof(dom[p]), "domain%03u.example",
				 d);
			snprintf(mx[p][0], sizeof(mx[p][0]), "mx1.%s", dom[p]);
			snprintf(mx[p][1], sizeof(mx[p][1]), "mx2.%s", dom[p]);
			snprintf(sts[p][0], sizeof(sts[p][0]), "mode: %s",
				 d % 3 == 0 ? "enforce" : "testing");
			snprintf(sts[p][1], sizeof(sts[p][1]), "mx: *.%s",
				 dom[p]);
			q->policy_domain = dom[p];
			mxs[p][0] = mx[p][0];
			mxs[p][1] = mx[p][1];
			q->mx_hosts = mxs[p];
			q->n_mx_hosts = 2;
			if (t < 7) {
				q->type = TLSRPT_POLICY_STS;
				q->policy_type = "sts";
				strs[p][0] = "version: STSv1";
				strs[p][1] = sts[p][0];
				strs[p][2] = sts[p][1];
				strs[p][3] = "max_age: 604800";
				q->policy_strings = strs[p];
				q->n_policy_strings = 4;
			} else if (t < 9) {
				q->type = TLSRPT_POLICY_TLSA;
				q->policy_type = "tlsa";
				strs[p][0] = "3 1 1 0123456789abcdef0123456789"
					     "abcdef0123456789abcdef0123456789"
					     "abcdef";
				q->policy_strings = strs[p];
				q->n_policy_strings = 1;
			} else {
				q->type = TLSRPT_POLICY_NO_POLICY_FOUND;
				q->policy_type = "no-policy-found";
				q->n_mx_hosts = 0;
			}
			q->total_successful_session_count =
				(int64_t)(rnd(&seed) % 5000);
			if (pick(&seed, 10) != 0)
				continue;
			q->failure_details = det[p];
			q->n_failure_details = 1 + pick(&seed, N_DET_MAX);
			for (k = 0; k < q->n_failure_details; k++) {
				struct tlsrpt_failure_detail *f = &det[p][k];

				memset(f, 0, sizeof(*f));
				f->result_type = (char *)results[pick(
					&seed,
					sizeof(results) / sizeof(results[0]))];
				snprintf(ips[p][k][0], 40, "198.51.100.%u",
					 pick(&seed, 250) + 1);
				snprintf(ips[p][k][1], 40, "192.0.2.%u",
					 d % 250 + 1);
				f->sending_mta_ip = ips[p][k][0];
				f->receiving_ip = ips[p][k][1];
				f->receiving_mx_hostname = mx[p][k % 2];
				f->failed_session_count =
					1 + (int64_t)(rnd(&seed) % 50);
				q->total_failure_session_count +=
					f->failed_session_count;
			}
		}
		rc_.received = received;
		rc_.source = "milter";
		rc_.dkim = pick(&seed, 50) == 0 ? TLSRPT_DKIM_FAIL
						: TLSRPT_DKIM_PASS;
		if (tlsrpt_store_append(st, &r, &rc_, &out, &err) != 0)
			goto fail;
		written += np;
		reports++;
	}
	printf("%llu records in %llu reports written to %s\n", written, reports,
	       argv[1]);
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "gen-store: %s%s%s\n", err.path,
		err.path[0] != '\0' ? ": " : "", err.text);
out:
	tlsrpt_store_close(st);
	return rc;
}
