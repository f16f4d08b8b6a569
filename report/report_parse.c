/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_parse.c -- RFC 8460 report JSON into struct tlsrpt_report: the
 * report level (the byte order mark, the root object, date-range, the
 * policies array). Each policy is read by policy_parse.c, members by
 * json_member.c, the text is loaded by json_load.c.
 *
 * Tolerant where senders deviate without ambiguity (see report.h and the
 * cases in tests/data/cases), strict elsewhere: every refusal names the JSON
 * path and the reason. Decisions worth knowing:
 *
 * - Counts must be JSON integers in 0 .. 2^53-1 (RFC 7493 I-JSON's exact
 *   range), and at most MaxSessionCount, alone or summed over a policy
 *   (plausible.c). A count sent as a string of digits is refused: the
 *   schema says integer, no sender has been seen doing it, and quietly
 *   converting it would hide a broken reporter from the postmaster.
 * - An optional string that is null, absent or "" is NULL; a required one
 *   (organization-name, report-id, policy-type, result-type) must be a
 *   non-empty string.
 * - Only strings this parser reads are held to MaxStringLength; unknown
 *   members are ignored, and their size is bounded by MaxReportSize.
 * - policy-domain is required for sts and tlsa, whose policies belong to a
 *   domain; it may be missing for no-policy-found (sys4's reporter) and for
 *   a type we do not know (its meaning is unknown, so the row is kept).
 * - Every mx-host entry loses any number of leading "mx:" prefixes and
 *   surrounding blanks; entries left empty are dropped.
 * - A member name misspelt in case, '-', '_' or ' ' ("receiving-mx-host-
 *   name"), when only one RFC name fits, is read under that name and
 *   counted in the report's quirks (keys.h).
 * - A "tlsa" policy-string whose single element is a JSON-encoded array of
 *   strings (Microsoft) is split into its records; when that element is not
 *   such an array it is kept as it was sent.
 */
#include "report/report.h"

#include <jansson.h>
#include <stdio.h>

#include "base/alloc.h"
#include "report/keys.h"
#include "report/report_json.h"
#include "report/report_parse_impl.h"

/* The RFC 8460 member names of each object, for misspellings (keys.h). */
static const char *const root_keys[] = {"organization-name", "date-range",
					"contact-info", "report-id",
					"policies"};
static const char *const range_keys[] = {"start-datetime", "end-datetime"};

static int
read_date(json_t *range, const char *key, const struct tlsrpt_limits *l,
	  int64_t *out, struct tlsrpt_error *err)
{
	char *s = NULL;
	int rc = -1;

	if (tlsrpt_json_req_string(range, key, l, &s, err) != 0)
		goto out;
	switch (tlsrpt_parse_datetime(s, out)) {
	case 0: break;
	case -2:
		tlsrpt_error_set(err, TLSRPT_ERR_INVALID, key,
				 "\"%.*s\" is outside the years 0001-9999 "
				 "(UTC)",
				 QUOTE_MAX, s);
		goto out;
	default:
		tlsrpt_error_set(err, TLSRPT_ERR_INVALID, key,
				 "not an RFC 3339 date-time: \"%.*s\"",
				 QUOTE_MAX, s);
		goto out;
	}
	rc = 0;
out:
	tlsrpt_free(s);
	return rc;
}

static int
read_date_range(json_t *root, const struct tlsrpt_limits *l,
		struct tlsrpt_report *r, struct tlsrpt_error *err)
{
	json_t *range;
	char a[32], b[32];

	if (tlsrpt_json_req_object(root, "date-range", &range, err) != 0)
		return -1;
	if (tlsrpt_canonical_keys(range, range_keys, N_KEYS(range_keys),
				  &r->quirks, err) != 0)
		return -1;
	if (read_date(range, "start-datetime", l, &r->start_time, err) != 0 ||
	    read_date(range, "end-datetime", l, &r->end_time, err) != 0) {
		tlsrpt_error_prefix_path(err, "date-range");
		return -1;
	}
	if (r->start_time > r->end_time) {
		tlsrpt_format_datetime(r->start_time, a, sizeof(a));
		tlsrpt_format_datetime(r->end_time, b, sizeof(b));
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, "date-range",
					"start-datetime %s is after "
					"end-datetime %s",
					a, b);
	}
	return 0;
}

static int
read_policies(json_t *root, const struct tlsrpt_limits *l,
	      struct tlsrpt_report *r, struct tlsrpt_error *err)
{
	json_t *arr = json_object_get(root, "policies"), *v;
	size_t i, n;

	if (arr == NULL)
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, "policies",
					"missing (required)");
	if (!json_is_array(arr))
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, "policies",
					"must be an array, got %s",
					tlsrpt_json_type_name(arr));
	n = json_array_size(arr);
	if (n == 0)
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, "policies",
					"must hold at least one policy");
	if (n > l->max_policies)
		return tlsrpt_json_too_many(err, "policies", l->max_policies,
					    "policies", "MaxPolicies");
	r->policies = tlsrpt_calloc(n, sizeof(*r->policies));
	if (r->policies == NULL)
		return tlsrpt_json_nomem(err);
	json_array_foreach(arr, i, v)
	{
		if (tlsrpt_policy_from_json(v, l, &r->policies[i], err) != 0) {
			char idx[48];

			snprintf(idx, sizeof(idx), "policies[%zu]", i);
			tlsrpt_error_prefix_path(err, idx);
			return -1;
		}
		r->n_policies = i + 1;
		tlsrpt_quirks_add(&r->quirks, &r->policies[i].quirks);
	}
	return 0;
}

int
tlsrpt_report_parse(const void *json, size_t len,
		    const struct tlsrpt_limits *limits,
		    struct tlsrpt_report **out, struct tlsrpt_error *err)
{
	const unsigned char *p = json;
	struct tlsrpt_report *r = NULL;
	json_t *root = NULL;
	int rc = -1;

	*out = NULL;
	tlsrpt_error_clear(err);
	if (len > limits->max_report_bytes) {
		tlsrpt_error_set(err, TLSRPT_ERR_LIMIT, NULL,
				 "report of %zu bytes is larger than %zu "
				 "bytes (MaxReportSize)",
				 len, limits->max_report_bytes);
		goto out;
	}
	/* A UTF-8 byte order mark is not JSON, but harmless. */
	if (len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) {
		p += 3;
		len -= 3;
	}
	root = tlsrpt_json_load(p, len, limits, "the report", err);
	if (root == NULL)
		goto out;
	if (!json_is_object(root)) {
		tlsrpt_error_set(err, TLSRPT_ERR_INVALID, NULL,
				 "the report must be a JSON object, got %s",
				 tlsrpt_json_type_name(root));
		goto out;
	}
	r = tlsrpt_calloc(1, sizeof(*r));
	if (r == NULL) {
		tlsrpt_json_nomem(err);
		goto out;
	}
	if (tlsrpt_canonical_keys(root, root_keys, N_KEYS(root_keys),
				  &r->quirks, err) != 0)
		goto out;
	r->json_bytes = len;
	if (tlsrpt_json_req_string(root, "organization-name", limits,
				   &r->organization_name, err) != 0 ||
	    tlsrpt_json_opt_string(root, "contact-info", limits,
				   &r->contact_info, err) != 0 ||
	    tlsrpt_json_req_string(root, "report-id", limits, &r->report_id,
				   err) != 0 ||
	    read_date_range(root, limits, r, err) != 0 ||
	    read_policies(root, limits, r, err) != 0)
		goto out;
	*out = r;
	r = NULL;
	rc = 0;
out:
	tlsrpt_report_free(r);
	json_decref(root);
	return rc;
}
