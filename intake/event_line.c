/* SPDX-License-Identifier: BSD-2-Clause */
/* event_line.c -- the one "intake event -> line" formatter (event_line.h). */
#include "intake/event_line.h"

#include <inttypes.h>

#include "report/sanitize.h"

/* The milter's domains= list stops here, so the counts after it survive
 * the log line's length bound. */
#define LOG_DOMAINS_MAX 511

/* The one step of form's sink (report/sanitize.h). */
static sanitize_fn *
step_of(enum intake_line_form form)
{
	return form == INTAKE_LINE_LOG ? sanitize_log : sanitize_text;
}

/* s through form's step, then every byte of from as to. */
static void
append_safe(GString *out, enum intake_line_form form, const char *s,
	    const char *from, char to)
{
	gsize start = out->len;

	step_of(form)(out, s);
	if (from != NULL)
		g_strdelimit(out->str + start, from, to);
}

static void
append_error(GString *out, enum intake_line_form form,
	     const struct tlsrpt_error *err)
{
	char text[TLSRPT_ERROR_PATH_MAX + TLSRPT_ERROR_TEXT_MAX + 8];

	if (err == NULL) {
		g_string_append(out, "no reason given");
		return;
	}
	append_safe(out, form, tlsrpt_error_format(err, text, sizeof(text)),
		    NULL, 0);
}

/* What became of a report that is in the store now. */
static const char *
stored_word(const struct intake_report_event *ev)
{
	if (ev->outcome != INTAKE_STORED)
		return intake_outcome_name(ev->outcome);
	return ev->conflict ? INTAKE_CONFLICT_TEXT : "stored";
}

static void
log_form(GString *out, const struct intake_report_event *ev)
{
	const struct tlsrpt_report *r = ev->item->report;
	int64_t ok = 0, failed = 0;
	gsize start;

	if (r == NULL ||
	    (ev->outcome != INTAKE_STORED && ev->outcome != INTAKE_DUPLICATE)) {
		g_string_append_printf(
			out, "%s: ", intake_outcome_name(ev->outcome));
		append_safe(out, INTAKE_LINE_LOG,
			    ev->item->filename ? ev->item->filename : "(body)",
			    NULL, 0);
		g_string_append(out, ": ");
		append_error(out, INTAKE_LINE_LOG, ev->error);
		return;
	}
	g_string_append_printf(out, "%s report: org=\"",
			       ev->outcome == INTAKE_STORED ? stored_word(ev)
							    : "duplicate");
	append_safe(out, INTAKE_LINE_LOG, r->organization_name, "\"", '\'');
	g_string_append(out, "\" id=\"");
	append_safe(out, INTAKE_LINE_LOG, r->report_id, "\"", '\'');
	g_string_append(out, "\" domains=");
	start = out->len;
	for (size_t i = 0; i < r->n_policies; i++) {
		const char *d = r->policies[i].policy_domain;

		ok += r->policies[i].total_successful_session_count;
		failed += r->policies[i].total_failure_session_count;
		if (out->len - start >= LOG_DOMAINS_MAX)
			continue;
		if (i > 0)
			g_string_append_c(out, ',');
		append_safe(out, INTAKE_LINE_LOG, d != NULL ? d : "(none)",
			    " \"=", '?');
	}
	if (out->len - start > LOG_DOMAINS_MAX) /* on a character's boundary */
		g_string_truncate(out,
				  (gsize)(g_utf8_find_prev_char(
						  out->str + start,
						  out->str + start +
							  LOG_DOMAINS_MAX + 1) -
					  out->str));
	g_string_append_printf(out, " success=%lld failure=%lld dkim=%s",
			       (long long)ok, (long long)failed,
			       ev->dkim != TLSRPT_DKIM_UNKNOWN
				       ? tlsrpt_dkim_name(ev->dkim)
				       : "none");
}

static void
brief_form(GString *out, const struct intake_report_event *ev)
{
	const struct tlsrpt_report *r = ev->item->report;

	g_string_append(out, stored_word(ev));
	if (r != NULL) {
		g_string_append_c(out, ' ');
		intake_report_name(out, r, INTAKE_LINE_BRIEF);
		for (size_t i = 0; i < r->n_policies; i++) {
			const struct tlsrpt_policy *p = &r->policies[i];

			g_string_append(out, i == 0 ? " (" : ", ");
			append_safe(out, INTAKE_LINE_BRIEF,
				    p->policy_domain != NULL ? p->policy_domain
							     : p->policy_type,
				    NULL, 0);
			g_string_append_printf(
				out, " %" PRId64 " ok %" PRId64 " failed",
				p->total_successful_session_count,
				p->total_failure_session_count);
		}
		g_string_append_c(out, ')');
		if (ev->dkim != TLSRPT_DKIM_UNKNOWN)
			g_string_append_printf(out, " dkim=%s",
					       tlsrpt_dkim_name(ev->dkim));
		/* Misspelt member names read under their RFC names. */
		if (r->quirks.n > 0) {
			g_string_append_printf(out, " quirks=%zu (",
					       r->quirks.n);
			append_safe(out, INTAKE_LINE_BRIEF, r->quirks.first,
				    NULL, 0);
			g_string_append_c(out, ')');
		}
	}
	if (ev->error != NULL) {
		g_string_append(out, ": ");
		append_error(out, INTAKE_LINE_BRIEF, ev->error);
	}
}

void
intake_event_line(GString *out, const struct intake_report_event *ev,
		  enum intake_line_form form)
{
	if (form == INTAKE_LINE_LOG)
		log_form(out, ev);
	else
		brief_form(out, ev);
}

void
intake_report_name(GString *out, const struct tlsrpt_report *r,
		   enum intake_line_form form)
{
	append_safe(out, form, r->organization_name, NULL, 0);
	g_string_append_c(out, ' ');
	append_safe(out, form, r->report_id, NULL, 0);
}
