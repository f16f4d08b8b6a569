/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_report.c -- raw JSON to tlsrpt_report_parse().
 *
 * The invariant: a report that parses is normalised, so its normalised JSON
 * parses again (under the same limits) to a report with the very same
 * normalised JSON. The structs are also held to what report.h promises.
 * The bounds on cost hold exactly: the JSON value budget (MaxJSONValues)
 * counts a JSON text's values plus its empty arrays and objects, so that
 * budget passes and one less is refused before jansson builds anything;
 * and a report's store lines never take more than
 * tlsrpt_record_max_bytes().
 */
#include "tests/fuzz/fuzz.h"

#include <jansson.h>
#include <string.h>

#include "base/alloc.h"
#include "report/input.h"
#include "report/report.h"
#include "report/report_json.h"
#include "store/record.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	tlsrpt_parser_init();
	return 0;
}

static void
check_string(const char *what, const char *s, int may_be_null)
{
	if (s == NULL) {
		if (!may_be_null)
			fuzz_fail("%s is NULL", what);
		return;
	}
	if (s[0] == '\0' && may_be_null)
		fuzz_fail("%s is \"\" (empty strings must become NULL)", what);
}

static void
check_report(const struct tlsrpt_report *r)
{
	check_string("organization_name", r->organization_name, 0);
	check_string("report_id", r->report_id, 0);
	check_string("contact_info", r->contact_info, 1);
	if (r->n_policies < 1 || r->policies == NULL)
		fuzz_fail("a parsed report has no policies");
	for (size_t i = 0; i < r->n_policies; i++) {
		const struct tlsrpt_policy *p = &r->policies[i];

		check_string("policy_type", p->policy_type, 0);
		if (p->total_successful_session_count < 0 ||
		    p->total_failure_session_count < 0)
			fuzz_fail("policies[%zu]: a negative count", i);
		for (size_t j = 0; j < p->n_policy_strings; j++)
			check_string("policy_strings[]", p->policy_strings[j],
				     0);
		for (size_t j = 0; j < p->n_mx_hosts; j++)
			check_string("mx_hosts[]", p->mx_hosts[j], 0);
		for (size_t j = 0; j < p->n_failure_details; j++) {
			const struct tlsrpt_failure_detail *d =
				&p->failure_details[j];

			check_string("result_type", d->result_type, 0);
			check_string("sending_mta_ip", d->sending_mta_ip, 1);
			check_string("receiving_mx_hostname",
				     d->receiving_mx_hostname, 1);
			check_string("receiving_mx_helo", d->receiving_mx_helo,
				     1);
			check_string("receiving_ip", d->receiving_ip, 1);
			check_string("additional_information",
				     d->additional_information, 1);
			check_string("failure_reason_code",
				     d->failure_reason_code, 1);
			if (d->failed_session_count < 0)
				fuzz_fail("failure_details[%zu]: a negative "
					  "count",
					  j);
		}
	}
}

/* The report's compact normalised JSON; caller frees with tlsrpt_free().
 * NULL only when out of memory, which cannot happen here. */
static char *
normalise(const struct tlsrpt_report *r)
{
	json_t *j;
	char *s;

	j = tlsrpt_report_to_json(r);
	if (j == NULL)
		fuzz_fail("tlsrpt_report_to_json returned NULL");
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (s == NULL)
		fuzz_fail("json_dumps of the normalised report failed");
	return s;
}

/* Values in v (v included), and how many of them are empty containers. */
static size_t
count_values(const json_t *v, size_t *empties)
{
	size_t n = 1, i;
	const char *key;
	json_t *child;

	if (json_is_array(v)) {
		*empties += json_array_size(v) == 0;
		json_array_foreach(v, i, child) n +=
			count_values(child, empties);
	} else if (json_is_object(v)) {
		*empties += json_object_size(v) == 0;
		json_object_foreach((json_t *)v, key, child) n +=
			count_values(child, empties);
	}
	return n;
}

/* The value budget is exact: a JSON text jansson reads on its own (within
 * the depth bound and the one-per-8-bytes density) passes a budget of its
 * values plus empty containers, and one less is refused as MaxJSONValues. */
static void
check_value_budget(const uint8_t *data, size_t size)
{
	struct tlsrpt_limits tight;
	struct tlsrpt_report *r = NULL;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	json_t *raw =
		json_loadb((const char *)data, size,
			   JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
	size_t empties = 0, n;

	if (raw == NULL)
		return;
	n = count_values(raw, &empties) + empties;
	json_decref(raw);
	tlsrpt_limits_default(&tight);
	if (n > 1024 + size / 8 || n > tight.max_json_values)
		return; /* the density or default bound decides */
	tight.max_json_values = n;
	(void)tlsrpt_report_parse(data, size, &tight, &r, &err);
	tlsrpt_report_free(r);
	r = NULL;
	if (err.code == TLSRPT_ERR_LIMIT && strstr(err.text, "MaxJSONValues"))
		fuzz_fail("%zu values refused by a budget of %zu: %s", n, n,
			  err.text);
	tight.max_json_values = n - 1;
	if (tlsrpt_report_parse(data, size, &tight, &r, &err) == 0)
		fuzz_fail("%zu values parsed under a budget of %zu", n, n - 1);
	if (err.code != TLSRPT_ERR_LIMIT ||
	    (strstr(err.text, "MaxJSONValues") == NULL &&
	     strstr(err.text, "MaxJSONDepth") == NULL))
		fuzz_fail("%zu values under a budget of %zu: not refused by "
			  "the budget but: %s",
			  n, n - 1, err.text);
}

/* The store lines of r never take more than their bound. */
static void
check_store_bound(struct tlsrpt_report *r, size_t size)
{
	struct tlsrpt_receipt rc = {.received = 1795824000,
				    .source = "file",
				    .host = "fuzz.example",
				    .message_id = "fuzz@example"};
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char *buf = NULL;
	size_t len = 0;

	r->sent_bytes = size / 4 + 1; /* as if gzip had sent it */
	if (tlsrpt_record_encode(r, &rc, &buf, &len, &err) == 0) {
		if (len > tlsrpt_record_max_bytes(r))
			fuzz_fail("store lines of %zu bytes over the bound "
				  "%zu",
				  len, tlsrpt_record_max_bytes(r));
	} else if (err.code != TLSRPT_ERR_LIMIT) {
		fuzz_fail("encoding failed: %s", err.text);
	}
	tlsrpt_free(buf);
	r->sent_bytes = 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlsrpt_limits limits;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct tlsrpt_report *r = NULL, *again = NULL;
	char *first = NULL, *second = NULL;
	char msg[TLSRPT_ERROR_PATH_MAX + TLSRPT_ERROR_TEXT_MAX + 4];

	tlsrpt_limits_default(&limits);
	tlsrpt_error_clear(&err);
	check_value_budget(data, size);
	if (tlsrpt_report_parse(data, size, &limits, &r, &err) != 0) {
		if (r != NULL)
			fuzz_fail("failed parse left *out set");
		if (err.code == TLSRPT_OK || err.text[0] == '\0')
			fuzz_fail("failed parse without an error");
		return 0;
	}
	check_report(r);
	check_store_bound(r, size);
	first = normalise(r);
	if (tlsrpt_report_parse(first, strlen(first), &limits, &again, &err) !=
	    0)
		fuzz_fail("normalised JSON does not parse again: %s\n%s",
			  tlsrpt_error_format(&err, msg, sizeof(msg)), first);
	check_report(again);
	second = normalise(again);
	if (strcmp(first, second) != 0)
		fuzz_fail("normalisation is not stable:\n%s\n%s", first,
			  second);
	tlsrpt_free(first);
	tlsrpt_free(second);
	tlsrpt_report_free(r);
	tlsrpt_report_free(again);
	return 0;
}
