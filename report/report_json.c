/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_json.c -- the report model as normalised JSON (see report_json.h).
 *
 * Members are written in the order of the RFC 8460 section 4.4 schema;
 * jansson keeps insertion order, so the dumped text is stable and two equal
 * reports dump to equal bytes. Any allocation failure returns NULL and frees
 * whatever was built: json_object_set_new() and json_array_append_new()
 * release the value they were given even when they fail.
 */
#include "report/report_json.h"

/* Set key to the string s; nothing when s is NULL. */
static int
set_opt_string(json_t *obj, const char *key, const char *s)
{
	if (s == NULL)
		return 0;
	return json_object_set_new(obj, key, json_string(s));
}

static int
set_count(json_t *obj, const char *key, int64_t n)
{
	return json_object_set_new(obj, key, json_integer((json_int_t)n));
}

static json_t *
string_array(char *const *v, size_t n)
{
	json_t *arr = json_array();

	if (arr == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (json_array_append_new(arr, json_string(v[i])) != 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

static json_t *
failure_detail_to_json(const struct tlsrpt_failure_detail *d)
{
	json_t *o = json_object();
	int rc = 0;

	if (o == NULL)
		return NULL;
	rc |= json_object_set_new(o, "result-type",
				  json_string(d->result_type));
	rc |= set_opt_string(o, "sending-mta-ip", d->sending_mta_ip);
	rc |= set_opt_string(o, "receiving-mx-hostname",
			     d->receiving_mx_hostname);
	rc |= set_opt_string(o, "receiving-mx-helo", d->receiving_mx_helo);
	rc |= set_opt_string(o, "receiving-ip", d->receiving_ip);
	rc |= set_count(o, "failed-session-count", d->failed_session_count);
	rc |= set_opt_string(o, "additional-information",
			     d->additional_information);
	rc |= set_opt_string(o, "failure-reason-code", d->failure_reason_code);
	if (rc != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
policy_part_to_json(const struct tlsrpt_policy *p)
{
	json_t *o = json_object();
	int rc = 0;

	if (o == NULL)
		return NULL;
	rc |= json_object_set_new(o, "policy-type",
				  json_string(p->policy_type));
	if (p->n_policy_strings > 0)
		rc |= json_object_set_new(
			o, "policy-string",
			string_array(p->policy_strings, p->n_policy_strings));
	rc |= set_opt_string(o, "policy-domain", p->policy_domain);
	rc |= json_object_set_new(o, "mx-host",
				  string_array(p->mx_hosts, p->n_mx_hosts));
	if (rc != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
summary_to_json(const struct tlsrpt_policy *p)
{
	json_t *o = json_object();
	int rc = 0;

	if (o == NULL)
		return NULL;
	rc |= set_count(o, "total-successful-session-count",
			p->total_successful_session_count);
	rc |= set_count(o, "total-failure-session-count",
			p->total_failure_session_count);
	if (rc != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *
tlsrpt_policy_to_json(const struct tlsrpt_policy *p)
{
	json_t *o = json_object(), *details = NULL;
	int rc = 0;

	if (o == NULL)
		return NULL;
	rc |= json_object_set_new(o, "policy", policy_part_to_json(p));
	rc |= json_object_set_new(o, "summary", summary_to_json(p));
	details = json_array();
	rc |= json_object_set_new(o, "failure-details", details);
	for (size_t i = 0; rc == 0 && i < p->n_failure_details; i++)
		rc |= json_array_append_new(
			details,
			failure_detail_to_json(&p->failure_details[i]));
	if (rc != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
date_range_to_json(const struct tlsrpt_report *r)
{
	char start[32], end[32];

	tlsrpt_format_datetime(r->start_time, start, sizeof(start));
	tlsrpt_format_datetime(r->end_time, end, sizeof(end));
	return json_pack("{s:s, s:s}", "start-datetime", start, "end-datetime",
			 end);
}

json_t *
tlsrpt_report_to_json(const struct tlsrpt_report *r)
{
	json_t *o = json_object(), *policies = NULL;
	int rc = 0;

	if (o == NULL)
		return NULL;
	rc |= json_object_set_new(o, "organization-name",
				  json_string(r->organization_name));
	rc |= json_object_set_new(o, "date-range", date_range_to_json(r));
	rc |= set_opt_string(o, "contact-info", r->contact_info);
	rc |= json_object_set_new(o, "report-id", json_string(r->report_id));
	policies = json_array();
	rc |= json_object_set_new(o, "policies", policies);
	for (size_t i = 0; rc == 0 && i < r->n_policies; i++)
		rc |= json_array_append_new(
			policies, tlsrpt_policy_to_json(&r->policies[i]));
	if (rc != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}
