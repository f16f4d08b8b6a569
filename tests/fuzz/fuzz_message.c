/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_message.c -- raw bytes to tlsrpt_input_parse(): sniffing, the MIME
 * walk (GMime), inflate and the report JSON, then what a receiver does next
 * with the headers (the submitter domain and the DKIM verdict).
 *
 * The invariants (input.h): 0 means at least one item carries a report
 * (-1 may still come with reports, when a limit on the whole message was
 * hit); an item has a report exactly when its error code is TLSRPT_OK; every
 * report converts to normalised JSON. GLib criticals (a GMime precondition
 * broken by our calls) are made fatal so they count as crashes.
 */
#include "tests/fuzz/fuzz.h"

#include <glib.h>
#include <jansson.h>
#include <string.h>

#include "report/authres.h"
#include "report/input.h"
#include "report/report_json.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	tlsrpt_parser_init();
	g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL);
	return 0;
}

static void
check_headers(const struct tlsrpt_input *in)
{
	static char *const trusted[] = {"mx.example.test", "example.test"};
	char domain[256];
	const char *verdict;
	struct tlsrpt_dkim_result dkim;

	if (tlsrpt_submitter_domain(&in->meta, domain, sizeof(domain)) != 0) {
		if (domain[0] != '\0')
			fuzz_fail("no submitter domain, but buf is \"%s\"",
				  domain);
	} else if (domain[0] == '\0') {
		fuzz_fail("an empty submitter domain");
	}
	tlsrpt_dkim_evaluate(in->meta.auth_results,
			     in->meta.auth_results_received_above,
			     in->meta.n_auth_results, trusted, 2,
			     domain[0] != '\0' ? domain : NULL, &dkim);
	verdict = tlsrpt_dkim_name(dkim.verdict);
	if (dkim.verdict != TLSRPT_DKIM_PASS &&
	    dkim.verdict != TLSRPT_DKIM_FAIL &&
	    dkim.verdict != TLSRPT_DKIM_NONE)
		fuzz_fail("DKIM verdict %d (%s)", (int)dkim.verdict,
			  verdict != NULL ? verdict : "no name");
	/* The domain that passed is one the submitter domain ends with. */
	if ((dkim.verdict == TLSRPT_DKIM_PASS) != (dkim.domain[0] != '\0') ||
	    strlen(dkim.domain) > strlen(domain) ||
	    g_ascii_strcasecmp(domain + strlen(domain) - strlen(dkim.domain),
			       dkim.domain) != 0)
		fuzz_fail("DKIM domain \"%s\" for submitter \"%s\"",
			  dkim.domain, domain);
	if (dkim.ignored > in->meta.n_auth_results)
		fuzz_fail("%zu headers ignored of %zu", dkim.ignored,
			  in->meta.n_auth_results);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlsrpt_limits limits;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct tlsrpt_input *in = NULL;
	size_t reports = 0;
	int rc;

	tlsrpt_limits_default(&limits);
	limits.max_report_bytes = 1024 * 1024;
	rc = tlsrpt_input_parse(data, size, &limits, &in, &err);
	if (in == NULL)
		fuzz_fail("no result (out of memory?): %s", err.text);
	if (in->n_items > 0 && in->items == NULL)
		fuzz_fail("%zu items but no array", in->n_items);
	for (size_t i = 0; i < in->n_items; i++) {
		const struct tlsrpt_input_item *it = &in->items[i];

		if ((it->report != NULL) != (it->error.code == TLSRPT_OK))
			fuzz_fail("item %zu: report %p with error %s", i,
				  (void *)it->report,
				  tlsrpt_status_name(it->error.code));
		if (it->report != NULL) {
			json_t *j = tlsrpt_report_to_json(it->report);

			if (j == NULL)
				fuzz_fail("item %zu: no normalised JSON", i);
			json_decref(j);
			reports++;
		}
	}
	if (rc == 0 && reports == 0)
		fuzz_fail("success without a report");
	if (rc != 0 && err.code == TLSRPT_OK)
		fuzz_fail("failure without an error class");
	check_headers(in);
	tlsrpt_input_free(in);
	return 0;
}
