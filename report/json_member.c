/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * json_member.c -- the typed readers of one JSON member (optional and
 * required strings, session counts, arrays, objects) and the errors they
 * give: the one place where what a report member may hold, and the words
 * a refusal uses, are decided. Shared by the report and policy levels.
 */
#include <jansson.h>
#include <stdint.h>

#include "base/alloc.h"
#include "report/report_parse_impl.h"

/* RFC 7493 (I-JSON) section 2.2: integers every JSON reader keeps exact. */
#define TLSRPT_MAX_COUNT ((json_int_t)9007199254740991LL)

const char *
tlsrpt_json_type_name(const json_t *v)
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

int
tlsrpt_json_nomem(struct tlsrpt_error *err)
{
	return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL, "out of memory");
}

int
tlsrpt_json_too_long(struct tlsrpt_error *err, const char *path, size_t len,
		     const struct tlsrpt_limits *l)
{
	return tlsrpt_error_set(err, TLSRPT_ERR_LIMIT, path,
				"string of %zu bytes is longer than %zu bytes "
				"(MaxStringLength)",
				len, l->max_string_bytes);
}

/* A copy of a string member's value, bounded by MaxStringLength. */
int
tlsrpt_json_copy_string(json_t *v, const char *path,
			const struct tlsrpt_limits *l, char **out,
			struct tlsrpt_error *err)
{
	size_t len = json_string_length(v);

	if (len > l->max_string_bytes)
		return tlsrpt_json_too_long(err, path, len, l);
	*out = tlsrpt_strndup(json_string_value(v), len);
	if (*out == NULL)
		return tlsrpt_json_nomem(err);
	return 0;
}

/* An optional string member: NULL when absent, null or "". */
int
tlsrpt_json_opt_string(json_t *obj, const char *key,
		       const struct tlsrpt_limits *l, char **out,
		       struct tlsrpt_error *err)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, key,
					"must be a string, got %s",
					tlsrpt_json_type_name(v));
	if (json_string_length(v) == 0)
		return 0;
	return tlsrpt_json_copy_string(v, key, l, out, err);
}

/* A required, non-empty string member. */
int
tlsrpt_json_req_string(json_t *obj, const char *key,
		       const struct tlsrpt_limits *l, char **out,
		       struct tlsrpt_error *err)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (v == NULL)
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, key,
					"missing (required)");
	if (!json_is_string(v))
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, key,
					"must be a string, got %s",
					tlsrpt_json_type_name(v));
	if (json_string_length(v) == 0)
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, key,
					"must not be empty");
	return tlsrpt_json_copy_string(v, key, l, out, err);
}

/* A session count: an integer in 0 .. TLSRPT_MAX_COUNT. When the member is
 * absent (or null) and required is 0, the count is 0. */
int
tlsrpt_json_count(json_t *obj, const char *key, int required, int64_t *out,
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
			"must be a non-negative integer, got %s",
			tlsrpt_json_type_name(v));
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
int
tlsrpt_json_opt_array(json_t *obj, const char *key, json_t **out,
		      struct tlsrpt_error *err)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, key,
					"must be an array, got %s",
					tlsrpt_json_type_name(v));
	*out = v;
	return 0;
}

int
tlsrpt_json_req_object(json_t *obj, const char *key, json_t **out,
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
					tlsrpt_json_type_name(v));
	*out = v;
	return 0;
}

int
tlsrpt_json_too_many(struct tlsrpt_error *err, const char *path, size_t limit,
		     const char *what, const char *name)
{
	return tlsrpt_error_set(err, TLSRPT_ERR_LIMIT, path,
				"more than %zu %s (%s)", limit, what, name);
}
