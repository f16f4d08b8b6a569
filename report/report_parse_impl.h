/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_parse_impl.h -- what the files of the report JSON reader share,
 * and nothing outside report/ includes: the bounded JSON load
 * (json_load.c) and the typed member readers with their error messages
 * (json_member.c), used by the report level (report_parse.c) and the
 * policy level (policy_parse.c) alike. Every refusal names a JSON path.
 */
#ifndef TLSRPT_REPORT_REPORT_PARSE_IMPL_H
#define TLSRPT_REPORT_REPORT_PARSE_IMPL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "report/limits.h"

/* The rows of a static array of member names (keys.h). */
#define N_KEYS(a) (sizeof(a) / sizeof((a)[0]))

/* How much of an offending value to quote in a message. */
#define QUOTE_MAX 64

/* json_load.c: json_loadb with the MaxJSONDepth and MaxJSONValues bounds,
 * duplicate keys refused and an honest status (what names the text in an
 * error, "the report"). New reference, or NULL with err set. */
json_t *tlsrpt_json_load(const void *buf, size_t len,
			 const struct tlsrpt_limits *l, const char *what,
			 struct tlsrpt_error *err);

/* json_member.c: "an object", "a string", ... for error messages. */
const char *tlsrpt_json_type_name(const json_t *v);
/* err set to "out of memory"; returns -1. */
int tlsrpt_json_nomem(struct tlsrpt_error *err);
/* err set to a MaxStringLength refusal at path; returns -1. */
int tlsrpt_json_too_long(struct tlsrpt_error *err, const char *path, size_t len,
			 const struct tlsrpt_limits *l);
/* err set to "more than limit what (name)" at path; returns -1. */
int tlsrpt_json_too_many(struct tlsrpt_error *err, const char *path,
			 size_t limit, const char *what, const char *name);

/* The member readers: 0, or -1 with err naming the member. */
int tlsrpt_json_copy_string(json_t *v, const char *path,
			    const struct tlsrpt_limits *l, char **out,
			    struct tlsrpt_error *err);
int tlsrpt_json_opt_string(json_t *obj, const char *key,
			   const struct tlsrpt_limits *l, char **out,
			   struct tlsrpt_error *err);
int tlsrpt_json_req_string(json_t *obj, const char *key,
			   const struct tlsrpt_limits *l, char **out,
			   struct tlsrpt_error *err);
int tlsrpt_json_count(json_t *obj, const char *key, int required, int64_t *out,
		      struct tlsrpt_error *err);
int tlsrpt_json_opt_array(json_t *obj, const char *key, json_t **out,
			  struct tlsrpt_error *err);
int tlsrpt_json_req_object(json_t *obj, const char *key, json_t **out,
			   struct tlsrpt_error *err);

#endif
