/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy_parse.c -- one element of a report's "policies" array into
 * struct tlsrpt_policy (tlsrpt_policy_from_json()): policy, summary and
 * failure details, the mx-host forms, Microsoft's embedded TLSA array.
 * Apart from the report level because the store reads its own lines back
 * through it too (report_json.h). The rules it follows are listed at the
 * top of report_parse.c.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"
#include "report/keys.h"
#include "report/report.h"
#include "report/report_json.h"
#include "report/report_parse_impl.h"

/* The RFC 8460 member names of each object, for misspellings (keys.h). */
static const char *const elem_keys[] = {"policy", "summary", "failure-details"};
static const char *const policy_keys[] = {"policy-type", "policy-string",
					  "policy-domain", "mx-host"};
static const char *const summary_keys[] = {"total-successful-session-count",
					   "total-failure-session-count"};
const char *const tlsrpt_detail_members[TLSRPT_DETAIL_MEMBERS] = {
	"result-type",
	"sending-mta-ip",
	"receiving-mx-hostname",
	"receiving-mx-helo",
	"receiving-ip",
	"failed-session-count",
	"additional-information",
	"failure-reason-code"};

static void
free_string_list(char **v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++)
		tlsrpt_free(v[i]);
	tlsrpt_free(v);
}

static int
starts_with_bracket(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	return *s == '[';
}

/*
 * Microsoft's TLSA form: ["[\"3 1 1 AB..\",\"3 1 1 CD..\"]"]. Returns 1
 * with *out and *n set when s is such an array of strings, 0 when it is not
 * (the caller keeps s), -1 on no memory or a limit. Elements that would look
 * like an array again are not accepted, so reading the result back is stable.
 */
static int
split_embedded_array(const char *s, const struct tlsrpt_limits *l, char ***out,
		     size_t *n, struct tlsrpt_error *err)
{
	struct tlsrpt_error inner = TLSRPT_ERROR_INIT;
	json_t *arr = NULL, *v;
	char **list = NULL;
	size_t count = 0, i;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (!starts_with_bracket(s))
		return 0;
	tlsrpt_error_clear(&inner);
	arr = tlsrpt_json_load(s, strlen(s), l, "the string", &inner);
	if (arr == NULL) {
		if (inner.code == TLSRPT_ERR_NOMEM)
			rc = tlsrpt_json_nomem(err);
		goto out;
	}
	if (!json_is_array(arr))
		goto out;
	json_array_foreach(arr, i, v)
	{
		if (!json_is_string(v) ||
		    starts_with_bracket(json_string_value(v)))
			goto out;
	}
	count = json_array_size(arr);
	if (count > l->max_policy_strings) {
		rc = tlsrpt_json_too_many(err, "[0]", l->max_policy_strings,
					  "TLSA records in the embedded array",
					  "MaxPolicyStrings");
		goto out;
	}
	list = tlsrpt_calloc(count, sizeof(*list));
	if (list == NULL) {
		rc = tlsrpt_json_nomem(err);
		goto out;
	}
	json_array_foreach(arr, i, v)
	{
		/* Inside a string already within MaxStringLength. */
		list[i] = tlsrpt_strdup(json_string_value(v));
		if (list[i] == NULL) {
			rc = tlsrpt_json_nomem(err);
			goto out;
		}
	}
	*out = list;
	*n = count;
	list = NULL;
	rc = 1;
out:
	free_string_list(list, count);
	json_decref(arr);
	return rc;
}

static int
read_policy_strings(json_t *policy, const struct tlsrpt_limits *l,
		    struct tlsrpt_policy *p, struct tlsrpt_error *err)
{
	json_t *arr, *v;
	size_t i, n;
	int rc;

	if (tlsrpt_json_opt_array(policy, "policy-string", &arr, err) != 0)
		return -1;
	if (arr == NULL)
		return 0;
	n = json_array_size(arr);
	if (n > l->max_policy_strings)
		return tlsrpt_json_too_many(
			err, "policy-string", l->max_policy_strings,
			"policy strings", "MaxPolicyStrings");
	json_array_foreach(arr, i, v)
	{
		char idx[48];

		if (json_is_string(v))
			continue;
		snprintf(idx, sizeof(idx), "policy-string[%zu]", i);
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, idx,
					"must be a string, got %s",
					tlsrpt_json_type_name(v));
	}
	if (n == 1 && p->type == TLSRPT_POLICY_TLSA) {
		v = json_array_get(arr, 0);
		if (json_string_length(v) <= l->max_string_bytes) {
			rc = split_embedded_array(json_string_value(v), l,
						  &p->policy_strings,
						  &p->n_policy_strings, err);
			if (rc < 0) {
				tlsrpt_error_prefix_path(err, "policy-string");
				return -1;
			}
			if (rc > 0)
				return 0;
		}
	}
	p->policy_strings = tlsrpt_calloc(n, sizeof(*p->policy_strings));
	if (p->policy_strings == NULL)
		return tlsrpt_json_nomem(err);
	json_array_foreach(arr, i, v)
	{
		char idx[48];

		snprintf(idx, sizeof(idx), "policy-string[%zu]", i);
		if (tlsrpt_json_copy_string(v, idx, l, &p->policy_strings[i],
					    err) != 0)
			return -1;
		p->n_policy_strings = i + 1;
	}
	return 0;
}

/* An mx-host entry without the "mx:" prefix some senders copy from the
 * policy file, nor surrounding white space; *len is 0 when nothing is left. */
static const char *
mx_host_trim(const char *s, size_t *len)
{
	size_t n;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (strncasecmp(s, "mx:", 3) != 0)
			break;
		s += 3;
	}
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	*len = n;
	return s;
}

static int
add_mx_host(struct tlsrpt_policy *p, json_t *v, const char *path,
	    const struct tlsrpt_limits *l, struct tlsrpt_error *err)
{
	const char *s;
	size_t len;

	if (!json_is_string(v))
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, path,
					"must be a string, got %s",
					tlsrpt_json_type_name(v));
	if (json_string_length(v) > l->max_string_bytes)
		return tlsrpt_json_too_long(err, path, json_string_length(v),
					    l);
	s = mx_host_trim(json_string_value(v), &len);
	if (len == 0)
		return 0;
	p->mx_hosts[p->n_mx_hosts] = tlsrpt_strndup(s, len);
	if (p->mx_hosts[p->n_mx_hosts] == NULL)
		return tlsrpt_json_nomem(err);
	p->n_mx_hosts++;
	return 0;
}

/* mx-host: an array (erratum 6241), a string (the RFC's own example),
 * absent or []. Empty entries are dropped. */
static int
read_mx_hosts(json_t *policy, const struct tlsrpt_limits *l,
	      struct tlsrpt_policy *p, struct tlsrpt_error *err)
{
	json_t *v = json_object_get(policy, "mx-host"), *e;
	size_t i, n;

	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_string(v)) {
		p->mx_hosts = tlsrpt_calloc(1, sizeof(*p->mx_hosts));
		if (p->mx_hosts == NULL)
			return tlsrpt_json_nomem(err);
		return add_mx_host(p, v, "mx-host", l, err);
	}
	if (!json_is_array(v))
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, "mx-host",
					"must be an array of strings, got %s",
					tlsrpt_json_type_name(v));
	n = json_array_size(v);
	if (n > l->max_policy_strings)
		return tlsrpt_json_too_many(
			err, "mx-host", l->max_policy_strings,
			"mx-host entries", "MaxPolicyStrings");
	p->mx_hosts = tlsrpt_calloc(n, sizeof(*p->mx_hosts));
	if (p->mx_hosts == NULL)
		return tlsrpt_json_nomem(err);
	json_array_foreach(v, i, e)
	{
		char idx[48];

		snprintf(idx, sizeof(idx), "mx-host[%zu]", i);
		if (add_mx_host(p, e, idx, l, err) != 0)
			return -1;
	}
	return 0;
}

static enum tlsrpt_policy_type
policy_type_of(const char *s)
{
	if (strcmp(s, "sts") == 0)
		return TLSRPT_POLICY_STS;
	if (strcmp(s, "tlsa") == 0)
		return TLSRPT_POLICY_TLSA;
	if (strcmp(s, "no-policy-found") == 0)
		return TLSRPT_POLICY_NO_POLICY_FOUND;
	return TLSRPT_POLICY_OTHER;
}

static int
read_policy(json_t *policy, const struct tlsrpt_limits *l,
	    struct tlsrpt_policy *p, struct tlsrpt_error *err)
{
	if (tlsrpt_json_req_string(policy, "policy-type", l, &p->policy_type,
				   err) != 0)
		return -1;
	p->type = policy_type_of(p->policy_type);
	if (read_policy_strings(policy, l, p, err) != 0)
		return -1;
	if (tlsrpt_json_opt_string(policy, "policy-domain", l,
				   &p->policy_domain, err) != 0)
		return -1;
	if (p->policy_domain == NULL &&
	    (p->type == TLSRPT_POLICY_STS || p->type == TLSRPT_POLICY_TLSA))
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID,
					"policy-domain",
					"missing (required for sts and tlsa "
					"policies)");
	return read_mx_hosts(policy, l, p, err);
}

static int
read_failure_detail(json_t *v, const struct tlsrpt_limits *l,
		    struct tlsrpt_failure_detail *d, struct tlsrpt_error *err)
{
	if (!json_is_object(v))
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, NULL,
					"must be an object, got %s",
					tlsrpt_json_type_name(v));
	if (tlsrpt_json_req_string(v, "result-type", l, &d->result_type, err) !=
		    0 ||
	    tlsrpt_json_opt_string(v, "sending-mta-ip", l, &d->sending_mta_ip,
				   err) != 0 ||
	    tlsrpt_json_opt_string(v, "receiving-mx-hostname", l,
				   &d->receiving_mx_hostname, err) != 0 ||
	    tlsrpt_json_opt_string(v, "receiving-mx-helo", l,
				   &d->receiving_mx_helo, err) != 0 ||
	    tlsrpt_json_opt_string(v, "receiving-ip", l, &d->receiving_ip,
				   err) != 0 ||
	    tlsrpt_json_count(v, "failed-session-count", 1,
			      &d->failed_session_count, err) != 0 ||
	    tlsrpt_json_opt_string(v, "additional-information", l,
				   &d->additional_information, err) != 0 ||
	    tlsrpt_json_opt_string(v, "failure-reason-code", l,
				   &d->failure_reason_code, err) != 0)
		return -1;
	return 0;
}

static int
read_failure_details(json_t *elem, const struct tlsrpt_limits *l,
		     struct tlsrpt_policy *p, struct tlsrpt_error *err)
{
	json_t *arr, *v;
	size_t i, n;

	if (tlsrpt_json_opt_array(elem, "failure-details", &arr, err) != 0)
		return -1;
	if (arr == NULL || json_array_size(arr) == 0)
		return 0;
	n = json_array_size(arr);
	if (n > l->max_failure_details)
		return tlsrpt_json_too_many(
			err, "failure-details", l->max_failure_details,
			"failure details", "MaxFailureDetails");
	p->failure_details = tlsrpt_calloc(n, sizeof(*p->failure_details));
	if (p->failure_details == NULL)
		return tlsrpt_json_nomem(err);
	p->n_failure_details = n;
	json_array_foreach(arr, i, v)
	{
		if (json_is_object(v) &&
		    tlsrpt_canonical_keys(v, tlsrpt_detail_members,
					  TLSRPT_DETAIL_MEMBERS, &p->quirks,
					  err) != 0)
			return -1;
		if (read_failure_detail(v, l, &p->failure_details[i], err) !=
		    0) {
			char idx[48];

			snprintf(idx, sizeof(idx), "failure-details[%zu]", i);
			tlsrpt_error_prefix_path(err, idx);
			return -1;
		}
	}
	return 0;
}

int
tlsrpt_policy_from_json(json_t *elem, const struct tlsrpt_limits *limits,
			struct tlsrpt_policy *p, struct tlsrpt_error *err)
{
	json_t *policy, *summary;
	int rc = -1;

	if (!json_is_object(elem)) {
		tlsrpt_error_set(err, TLSRPT_ERR_INVALID, NULL,
				 "must be an object, got %s",
				 elem == NULL ? "nothing"
					      : tlsrpt_json_type_name(elem));
		goto out;
	}
	if (tlsrpt_canonical_keys(elem, elem_keys, N_KEYS(elem_keys),
				  &p->quirks, err) != 0)
		goto out;
	if (tlsrpt_json_req_object(elem, "policy", &policy, err) != 0)
		goto out;
	if (tlsrpt_canonical_keys(policy, policy_keys, N_KEYS(policy_keys),
				  &p->quirks, err) != 0)
		goto out;
	if (read_policy(policy, limits, p, err) != 0) {
		tlsrpt_error_prefix_path(err, "policy");
		goto out;
	}
	if (tlsrpt_json_req_object(elem, "summary", &summary, err) != 0)
		goto out;
	if (tlsrpt_canonical_keys(summary, summary_keys, N_KEYS(summary_keys),
				  &p->quirks, err) != 0)
		goto out;
	if (tlsrpt_json_count(summary, "total-successful-session-count", 1,
			      &p->total_successful_session_count, err) != 0 ||
	    tlsrpt_json_count(summary, "total-failure-session-count", 0,
			      &p->total_failure_session_count, err) != 0) {
		tlsrpt_error_prefix_path(err, "summary");
		goto out;
	}
	if (read_failure_details(elem, limits, p, err) != 0 ||
	    tlsrpt_policy_check_counts(p, limits, err) != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0)
		tlsrpt_policy_clear(p);
	return rc;
}
