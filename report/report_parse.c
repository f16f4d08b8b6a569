/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_parse.c -- RFC 8460 report JSON into struct tlsrpt_report.
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
#include <string.h>
#include <strings.h>

#include "base/alloc.h"
#include "report/keys.h"
#include "report/report_json.h"

/* RFC 7493 (I-JSON) section 2.2: integers every JSON reader keeps exact. */
#define TLSRPT_MAX_COUNT ((json_int_t)9007199254740991LL)

/* The RFC 8460 member names of each object, for misspellings (keys.h). */
static const char *const root_keys[] = {"organization-name", "date-range",
					"contact-info", "report-id",
					"policies"};
static const char *const range_keys[] = {"start-datetime", "end-datetime"};
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
#define N_KEYS(a) (sizeof(a) / sizeof((a)[0]))

/* How much of an offending value to quote in a message. */
#define QUOTE_MAX 64

static const char *
type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a real number";
	case JSON_TRUE: return "true";
	case JSON_FALSE: return "false";
	case JSON_NULL: return "null";
	}
	return "an unknown value";
}

static int
nomem(struct tlsrpt_error *err)
{
	return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL, "out of memory");
}

/*
 * What jansson may build, checked before it builds anything. Nesting deeper
 * than MaxJSONDepth is refused (jansson recurses once per level), and so
 * is JSON with more values than its budget: jansson spends 32 to 265 bytes
 * on each value (an empty object is a hash table of 8 buckets), so 16 MiB
 * of "{}," would take over a gigabyte. A value is counted at each '{', '['
 * and ',' outside strings, plus the top one: that is at least the number
 * of values, and cheap. The budget is the smaller of MaxJSONValues and one
 * value per 8 bytes of input plus 1024: real reports spend 19 bytes or
 * more per value (keys like "total-successful-session-count" come with
 * every one), so memory per parse stays a small multiple of the input.
 */
static int
prescan_json(const unsigned char *p, size_t len, const struct tlsrpt_limits *l,
	     struct tlsrpt_error *err)
{
	size_t values = 1, budget = 1024 + len / 8;
	unsigned depth = 0;
	int in_string = 0;

	if (budget > l->max_json_values)
		budget = l->max_json_values;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = p[i];

		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = 0;
			continue;
		}
		if (c == '"') {
			in_string = 1;
		} else if (c == '[' || c == '{') {
			values++;
			if (++depth > l->max_json_depth) {
				tlsrpt_error_set_at(
					err, TLSRPT_ERR_LIMIT, NULL, (long)i,
					"JSON nested deeper than %u "
					"levels (MaxJSONDepth)",
					l->max_json_depth);
				return -1;
			}
		} else if ((c == ']' || c == '}') && depth > 0) {
			depth--;
		} else if (c == ',') {
			values++;
		}
		if (values > budget) {
			tlsrpt_error_set_at(
				err, TLSRPT_ERR_LIMIT, NULL, (long)i,
				"JSON of %zu bytes holds more than "
				"%zu values (MaxJSONValues %zu, and "
				"at most one value per 8 bytes)",
				len, budget, l->max_json_values);
			return -1;
		}
	}
	return 0;
}

static int
same_json_error(const json_error_t *a, const json_error_t *b)
{
	return a->position == b->position && a->line == b->line &&
	       strcmp(a->text, b->text) == 0;
}

/*
 * json_loadb with our depth and value bounds, duplicate keys refused, and an
 * honest status. jansson reports some allocation failures as syntax errors
 * ("invalid token") or not at all, so a failure is parsed a second time: a real
 * syntax error repeats exactly, a failure that changes or vanishes was memory.
 */
static json_t *
load_json(const void *buf, size_t len, const struct tlsrpt_limits *l,
	  const char *what, struct tlsrpt_error *err)
{
	json_error_t jerr, again;
	json_t *root;

	if (prescan_json(buf, len, l, err) != 0)
		return NULL;
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root != NULL)
		return root;
	if (jerr.text[0] == '\0' ||
	    json_error_code(&jerr) == json_error_out_of_memory) {
		nomem(err);
		return NULL;
	}
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &again);
	if (root != NULL)
		return root;
	if (!same_json_error(&jerr, &again)) {
		nomem(err);
		return NULL;
	}
	tlsrpt_error_set_at(err, TLSRPT_ERR_INVALID, NULL, jerr.position,
			    "%s is not valid JSON: %s at line %d, column %d",
			    what, jerr.text, jerr.line, jerr.column);
	return NULL;
}

static int
too_long(struct tlsrpt_error *err, const char *path, size_t len,
	 const struct tlsrpt_limits *l)
{
	return tlsrpt_error_set(err, TLSRPT_ERR_LIMIT, path,
				"string of %zu bytes is longer than %zu bytes "
				"(MaxStringLength)",
				len, l->max_string_bytes);
}

/* A copy of a string member's value, bounded by MaxStringLength. */
static int
copy_string(json_t *v, const char *path, const struct tlsrpt_limits *l,
	    char **out, struct tlsrpt_error *err)
{
	size_t len = json_string_length(v);

	if (len > l->max_string_bytes)
		return too_long(err, path, len, l);
	*out = tlsrpt_strndup(json_string_value(v), len);
	if (*out == NULL)
		return nomem(err);
	return 0;
}

/* An optional string member: NULL when absent, null or "". */
static int
get_opt_string(json_t *obj, const char *key, const struct tlsrpt_limits *l,
	       char **out, struct tlsrpt_error *err)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, key,
					"must be a string, got %s",
					type_name(v));
	if (json_string_length(v) == 0)
		return 0;
	return copy_string(v, key, l, out, err);
}

/* A required, non-empty string member. */
static int
get_req_string(json_t *obj, const char *key, const struct tlsrpt_limits *l,
	       char **out, struct tlsrpt_error *err)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (v == NULL)
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, key,
					"missing (required)");
	if (!json_is_string(v))
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, key,
					"must be a string, got %s",
					type_name(v));
	if (json_string_length(v) == 0)
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, key,
					"must not be empty");
	return copy_string(v, key, l, out, err);
}

/* A session count: an integer in 0 .. TLSRPT_MAX_COUNT. When the member is
 * absent (or null) and required is 0, the count is 0. */
static int
get_count(json_t *obj, const char *key, int required, int64_t *out,
	  struct tlsrpt_error *err)
{
	json_t *v = json_object_get(obj, key);
	json_int_t n;

	*out = 0;
	if (v == NULL || (json_is_null(v) && !required)) {
		if (required)
			return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, key,
						"missing (required)");
		return 0;
	}
	if (json_is_string(v))
		return tlsrpt_error_set(
			err, TLSRPT_ERR_INVALID, key,
			"must be a non-negative integer, got the string "
			"\"%.*s\" (counts are JSON numbers, not strings)",
			QUOTE_MAX, json_string_value(v));
	if (json_is_real(v))
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, key,
					"must be a non-negative integer, "
					"got %.17g",
					json_real_value(v));
	if (!json_is_integer(v))
		return tlsrpt_error_set(
			err, TLSRPT_ERR_INVALID, key,
			"must be a non-negative integer, got %s", type_name(v));
	n = json_integer_value(v);
	if (n < 0)
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, key,
					"must be a non-negative integer, "
					"got %lld",
					(long long)n);
	if (n > TLSRPT_MAX_COUNT)
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, key,
					"must be at most %lld, got %lld",
					(long long)TLSRPT_MAX_COUNT,
					(long long)n);
	*out = (int64_t)n;
	return 0;
}

/* An optional array member: NULL when absent or null. */
static int
get_opt_array(json_t *obj, const char *key, json_t **out,
	      struct tlsrpt_error *err)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, key,
					"must be an array, got %s",
					type_name(v));
	*out = v;
	return 0;
}

static int
get_req_object(json_t *obj, const char *key, json_t **out,
	       struct tlsrpt_error *err)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (v == NULL)
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, key,
					"missing (required)");
	if (!json_is_object(v))
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, key,
					"must be an object, got %s",
					type_name(v));
	*out = v;
	return 0;
}

static int
too_many(struct tlsrpt_error *err, const char *path, size_t limit,
	 const char *what, const char *name)
{
	return tlsrpt_error_set(err, TLSRPT_ERR_LIMIT, path,
				"more than %zu %s (%s)", limit, what, name);
}

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
	arr = load_json(s, strlen(s), l, "the string", &inner);
	if (arr == NULL) {
		if (inner.code == TLSRPT_ERR_NOMEM)
			rc = nomem(err);
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
		rc = too_many(err, "[0]", l->max_policy_strings,
			      "TLSA records in the embedded array",
			      "MaxPolicyStrings");
		goto out;
	}
	list = tlsrpt_calloc(count, sizeof(*list));
	if (list == NULL) {
		rc = nomem(err);
		goto out;
	}
	json_array_foreach(arr, i, v)
	{
		/* Inside a string already within MaxStringLength. */
		list[i] = tlsrpt_strdup(json_string_value(v));
		if (list[i] == NULL) {
			rc = nomem(err);
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

	if (get_opt_array(policy, "policy-string", &arr, err) != 0)
		return -1;
	if (arr == NULL)
		return 0;
	n = json_array_size(arr);
	if (n > l->max_policy_strings)
		return too_many(err, "policy-string", l->max_policy_strings,
				"policy strings", "MaxPolicyStrings");
	json_array_foreach(arr, i, v)
	{
		char idx[48];

		if (json_is_string(v))
			continue;
		snprintf(idx, sizeof(idx), "policy-string[%zu]", i);
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, idx,
					"must be a string, got %s",
					type_name(v));
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
		return nomem(err);
	json_array_foreach(arr, i, v)
	{
		char idx[48];

		snprintf(idx, sizeof(idx), "policy-string[%zu]", i);
		if (copy_string(v, idx, l, &p->policy_strings[i], err) != 0)
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
					type_name(v));
	if (json_string_length(v) > l->max_string_bytes)
		return too_long(err, path, json_string_length(v), l);
	s = mx_host_trim(json_string_value(v), &len);
	if (len == 0)
		return 0;
	p->mx_hosts[p->n_mx_hosts] = tlsrpt_strndup(s, len);
	if (p->mx_hosts[p->n_mx_hosts] == NULL)
		return nomem(err);
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
			return nomem(err);
		return add_mx_host(p, v, "mx-host", l, err);
	}
	if (!json_is_array(v))
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, "mx-host",
					"must be an array of strings, got %s",
					type_name(v));
	n = json_array_size(v);
	if (n > l->max_policy_strings)
		return too_many(err, "mx-host", l->max_policy_strings,
				"mx-host entries", "MaxPolicyStrings");
	p->mx_hosts = tlsrpt_calloc(n, sizeof(*p->mx_hosts));
	if (p->mx_hosts == NULL)
		return nomem(err);
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
	if (get_req_string(policy, "policy-type", l, &p->policy_type, err) != 0)
		return -1;
	p->type = policy_type_of(p->policy_type);
	if (read_policy_strings(policy, l, p, err) != 0)
		return -1;
	if (get_opt_string(policy, "policy-domain", l, &p->policy_domain,
			   err) != 0)
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
					type_name(v));
	if (get_req_string(v, "result-type", l, &d->result_type, err) != 0 ||
	    get_opt_string(v, "sending-mta-ip", l, &d->sending_mta_ip, err) !=
		    0 ||
	    get_opt_string(v, "receiving-mx-hostname", l,
			   &d->receiving_mx_hostname, err) != 0 ||
	    get_opt_string(v, "receiving-mx-helo", l, &d->receiving_mx_helo,
			   err) != 0 ||
	    get_opt_string(v, "receiving-ip", l, &d->receiving_ip, err) != 0 ||
	    get_count(v, "failed-session-count", 1, &d->failed_session_count,
		      err) != 0 ||
	    get_opt_string(v, "additional-information", l,
			   &d->additional_information, err) != 0 ||
	    get_opt_string(v, "failure-reason-code", l, &d->failure_reason_code,
			   err) != 0)
		return -1;
	return 0;
}

static int
read_failure_details(json_t *elem, const struct tlsrpt_limits *l,
		     struct tlsrpt_policy *p, struct tlsrpt_error *err)
{
	json_t *arr, *v;
	size_t i, n;

	if (get_opt_array(elem, "failure-details", &arr, err) != 0)
		return -1;
	if (arr == NULL || json_array_size(arr) == 0)
		return 0;
	n = json_array_size(arr);
	if (n > l->max_failure_details)
		return too_many(err, "failure-details", l->max_failure_details,
				"failure details", "MaxFailureDetails");
	p->failure_details = tlsrpt_calloc(n, sizeof(*p->failure_details));
	if (p->failure_details == NULL)
		return nomem(err);
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
				 elem == NULL ? "nothing" : type_name(elem));
		goto out;
	}
	if (tlsrpt_canonical_keys(elem, elem_keys, N_KEYS(elem_keys),
				  &p->quirks, err) != 0)
		goto out;
	if (get_req_object(elem, "policy", &policy, err) != 0)
		goto out;
	if (tlsrpt_canonical_keys(policy, policy_keys, N_KEYS(policy_keys),
				  &p->quirks, err) != 0)
		goto out;
	if (read_policy(policy, limits, p, err) != 0) {
		tlsrpt_error_prefix_path(err, "policy");
		goto out;
	}
	if (get_req_object(elem, "summary", &summary, err) != 0)
		goto out;
	if (tlsrpt_canonical_keys(summary, summary_keys, N_KEYS(summary_keys),
				  &p->quirks, err) != 0)
		goto out;
	if (get_count(summary, "total-successful-session-count", 1,
		      &p->total_successful_session_count, err) != 0 ||
	    get_count(summary, "total-failure-session-count", 0,
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

static int
read_date(json_t *range, const char *key, const struct tlsrpt_limits *l,
	  int64_t *out, struct tlsrpt_error *err)
{
	char *s = NULL;
	int rc = -1;

	if (get_req_string(range, key, l, &s, err) != 0)
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

	if (get_req_object(root, "date-range", &range, err) != 0)
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
					type_name(arr));
	n = json_array_size(arr);
	if (n == 0)
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, "policies",
					"must hold at least one policy");
	if (n > l->max_policies)
		return too_many(err, "policies", l->max_policies, "policies",
				"MaxPolicies");
	r->policies = tlsrpt_calloc(n, sizeof(*r->policies));
	if (r->policies == NULL)
		return nomem(err);
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
	root = load_json(p, len, limits, "the report", err);
	if (root == NULL)
		goto out;
	if (!json_is_object(root)) {
		tlsrpt_error_set(err, TLSRPT_ERR_INVALID, NULL,
				 "the report must be a JSON object, got %s",
				 type_name(root));
		goto out;
	}
	r = tlsrpt_calloc(1, sizeof(*r));
	if (r == NULL) {
		nomem(err);
		goto out;
	}
	if (tlsrpt_canonical_keys(root, root_keys, N_KEYS(root_keys),
				  &r->quirks, err) != 0)
		goto out;
	r->json_bytes = len;
	if (get_req_string(root, "organization-name", limits,
			   &r->organization_name, err) != 0 ||
	    get_opt_string(root, "contact-info", limits, &r->contact_info,
			   err) != 0 ||
	    get_req_string(root, "report-id", limits, &r->report_id, err) !=
		    0 ||
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
