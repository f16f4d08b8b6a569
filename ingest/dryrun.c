/* SPDX-License-Identifier: BSD-2-Clause */
/* dryrun.c -- print a parsed report as one line of normalised JSON. */
#include "ingest/dryrun.h"

#include <jansson.h>
#include <stdlib.h>

#include "base/alloc.h"
#include "report/report_json.h"

/* Set key to a string when s is not NULL; jansson copies s. */
static int
set_opt_string(json_t *obj, const char *key, const char *s)
{
	if (s == NULL)
		return 0;
	return json_object_set_new(obj, key, json_string(s));
}

static json_t *
source_json(const char *file, const struct tlsrpt_input *in,
	    const struct tlsrpt_input_item *item)
{
	const struct tlsrpt_message_meta *m = &in->meta;
	json_t *src = json_object(), *ar;
	int rc = 0;

	if (src == NULL)
		return NULL;
	rc |= set_opt_string(src, "file", file);
	rc |= set_opt_string(src, "part", item->filename);
	rc |= set_opt_string(src, "content-type", item->content_type);
	rc |= set_opt_string(src, "payload",
			     tlsrpt_payload_kind_name(item->kind));
	/* Member names read under their RFC names (report/keys.h). */
	if (item->report->quirks.n > 0)
		rc |= json_object_set_new(
			src, "quirks",
			json_pack("{s:I, s:s}", "count",
				  (json_int_t)item->report->quirks.n, "first",
				  item->report->quirks.first));
	if (in->is_message) {
		rc |= set_opt_string(src, "message-id", m->message_id);
		rc |= set_opt_string(src, "from", m->from);
		rc |= set_opt_string(src, "subject", m->subject);
		rc |= set_opt_string(src, "date", m->date);
		rc |= set_opt_string(src, "tls-report-domain",
				     m->report_domain);
		rc |= set_opt_string(src, "tls-report-submitter",
				     m->report_submitter);
		ar = json_array();
		rc |= json_object_set_new(src, "authentication-results", ar);
		for (size_t i = 0; ar != NULL && i < m->n_auth_results; i++)
			rc |= json_array_append_new(
				ar, json_string(m->auth_results[i]));
	}
	if (rc != 0) {
		json_decref(src);
		return NULL;
	}
	return src;
}

int
dryrun_print_item(FILE *out, const char *file, const struct tlsrpt_input *in,
		  const struct tlsrpt_input_item *item)
{
	json_t *doc = tlsrpt_report_to_json(item->report);
	json_t *src = NULL;
	char *line = NULL;
	int rc = -1;

	if (doc == NULL)
		goto out;
	src = source_json(file, in, item);
	if (src == NULL || json_object_set_new(doc, "source", src) != 0)
		goto out;
	line = json_dumps(doc, JSON_COMPACT);
	if (line == NULL)
		goto out;
	if (fprintf(out, "%s\n", line) < 0)
		goto out;
	rc = 0;
out:
	tlsrpt_free(line); /* json_dumps() allocates through the seam */
	json_decref(doc);
	return rc;
}
