/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * render_json_probe.c -- domains[].probe of the JSON view (tlsrpt-summary/2,
 * additions): the latest probe run, its findings, and per finding the
 * reported failures it explains (explain.h), the link the other views
 * show as one line.
 */
#include "summary/render_json_impl.h"

#include "report/report.h"
#include "summary/explain.h"
#include "summary/probe.h"

static json_t *
jstr(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

/* The pairs of links that f explains: result-type, receiving-mx and
 * failed-sessions, as in failures-by-result-and-mx. */
static json_t *
explains(const GArray *links, const struct summary_probe_finding *f)
{
	json_t *v = json_array();

	for (guint i = 0; i < links->len; i++) {
		const struct summary_explained *e =
			&g_array_index(links, struct summary_explained, i);

		if (e->finding != f)
			continue;
		json_array_append_new(
			v, json_pack("{s:o, s:o, s:I}", "result-type",
				     jstr(e->pair->type), "receiving-mx",
				     jstr(e->pair->mx), "failed-sessions",
				     (json_int_t)e->pair->sessions));
	}
	return v;
}

json_t *
summary_json_probe(const struct summary_domain *d)
{
	const struct summary_probe *p = d->probe;
	json_t *pr, *list;
	GArray *links;
	char when[32];

	if (p == NULL)
		return NULL;
	links = summary_explained(d);
	list = json_array();
	for (guint i = 0; i < p->findings->len; i++) {
		const struct summary_probe_finding *f =
			g_ptr_array_index(p->findings, i);
		json_t *fo = json_object();

		json_object_set_new(fo, "result-type", jstr(f->result_type));
		json_object_set_new(fo, "mx-host", jstr(f->mx_host));
		json_object_set_new(fo, "address", jstr(f->address));
		json_object_set_new(fo, "action", jstr(f->action));
		json_object_set_new(fo, "detail", jstr(f->detail));
		json_object_set_new(fo, "explains", explains(links, f));
		json_array_append_new(list, fo);
	}
	g_array_free(links, TRUE);
	tlsrpt_format_datetime(p->time, when, sizeof(when));
	pr = json_object();
	json_object_set_new(pr, "time",
			    p->time != 0 ? json_string(when) : json_null());
	json_object_set_new(pr, "error", jstr(p->error));
	json_object_set_new(pr, "findings", list);
	json_object_set_new(pr, "findings-over", json_integer(p->over));
	return pr;
}
