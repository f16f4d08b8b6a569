/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * json_load.c -- the bounded JSON load every report text goes through
 * (and a TLSA policy-string that holds an embedded array): depth and
 * value count checked before jansson builds anything, duplicate keys
 * refused, memory failures told apart from syntax errors. Apart from the
 * parser, which only reads members of what this returns.
 */
#include <jansson.h>
#include <string.h>

#include "report/report_parse_impl.h"

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
json_t *
tlsrpt_json_load(const void *buf, size_t len, const struct tlsrpt_limits *l,
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
		tlsrpt_json_nomem(err);
		return NULL;
	}
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &again);
	if (root != NULL)
		return root;
	if (!same_json_error(&jerr, &again)) {
		tlsrpt_json_nomem(err);
		return NULL;
	}
	tlsrpt_error_set_at(err, TLSRPT_ERR_INVALID, NULL, jerr.position,
			    "%s is not valid JSON: %s at line %d, column %d",
			    what, jerr.text, jerr.line, jerr.column);
	return NULL;
}
