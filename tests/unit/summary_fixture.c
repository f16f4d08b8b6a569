/* SPDX-License-Identifier: BSD-2-Clause */
/* summary_fixture.c -- building the test stores of tlsrpt-summary. */
#include "tests/unit/summary_fixture.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "report/report.h"
#include "store/reader.h"
#include "store/store.h"
#include "tests/unit/testutil.h"

void
fixture_add(const char *dir, const char *tmpl, const char *org,
	    const char *domain, int n, int64_t received, const char *dkim)
{
	const struct fixture_report fr = {
		.tmpl = tmpl,
		.org = org,
		.domain = domain,
		.dkim = dkim,
		.n = n,
		.received = received,
		.failures = -1,
	};

	(void)fixture_store(dir, &fr);
}

int
fixture_store(const char *dir, const struct fixture_report *fr)
{
	const char *tmpl = fr->tmpl, *org = fr->org, *domain = fr->domain;
	int n = fr->n;
	struct tlsrpt_store_options so;
	struct tlsrpt_store *st = NULL;
	struct tlsrpt_report *r = NULL;
	struct tlsrpt_receipt rc = {0};
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct tlsrpt_limits lim;
	enum tlsrpt_store_outcome out;
	char *json = NULL, *path, id[128];
	gsize len;
	size_t i;

	/* Not test_read_file(): this runs before the tests, outside Check. */
	tlsrpt_limits_default(&lim);
	path = g_strdup_printf("%s/summary/%s", test_data_dir(), tmpl);
	if (!g_file_get_contents(path, &json, &len, NULL) ||
	    tlsrpt_report_parse(json, len, &lim, &r, &err) != 0) {
		fprintf(stderr, "%s: cannot read or parse\n", path);
		exit(2);
	}
	g_free(json);
	g_free(path);
	if (org != NULL) {
		tlsrpt_free(r->organization_name);
		r->organization_name = tlsrpt_strdup(org);
	}
	for (i = 0; domain != NULL && i < r->n_policies; i++) {
		tlsrpt_free(r->policies[i].policy_domain);
		r->policies[i].policy_domain = tlsrpt_strdup(domain);
	}
	snprintf(id, sizeof(id), "%s-%s-%d", tmpl, r->policies[0].policy_domain,
		 n);
	if (fr->id != NULL)
		snprintf(id, sizeof(id), "%s", fr->id);
	for (i = 0; fr->failures >= 0 && i < r->n_policies; i++)
		r->policies[i].total_failure_session_count = fr->failures;
	tlsrpt_free(r->report_id);
	r->report_id = tlsrpt_strdup(id);
	r->start_time = DAY(n - 1);
	r->end_time = DAY(n) - 1;
	tlsrpt_store_options_default(&so);
	so.dir = dir;
	so.fsync = TLSRPT_STORE_FSYNC_NONE;
	rc.received = fr->received;
	rc.source = "milter";
	rc.dkim = test_dkim(fr->dkim);
	rc.submitter = fr->submitter;
	if (tlsrpt_store_open(&so, &st, &err) != 0 ||
	    tlsrpt_store_append(st, r, &rc, &out, &err) != 0) {
		fprintf(stderr, "%s: %s\n", dir, err.text);
		exit(2);
	}
	tlsrpt_store_close(st);
	tlsrpt_report_free(r);
	return (int)out;
}

void
fixture_mkdtemp(char *tmpl)
{
	if (mkdtemp(tmpl) == NULL) {
		perror("mkdtemp");
		exit(2);
	}
}

void
fixture_damage(const char *path)
{
	FILE *f = fopen(path, "a");

	if (f == NULL || fputs("{\"v\":1,\"received\":\"broken\n", f) < 0 ||
	    fclose(f) != 0) {
		perror(path);
		exit(2);
	}
}

void
fixture_remove(const char *top)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", top);
}

void
fixture_record(struct tlsrpt_record *rec, const char *org, const char *id,
	       int64_t received, int64_t start, int64_t end)
{
	memset(rec, 0, sizeof(*rec));
	rec->version = 1;
	rec->received = received;
	rec->source = (char *)"milter";
	rec->organization_name = (char *)org;
	rec->report_id = (char *)id;
	rec->dkim = TLSRPT_DKIM_PASS;
	rec->start_time = start;
	rec->end_time = end;
	rec->policy_count = 1;
}
