/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * event_line.h -- the one "intake event -> line" formatter: what happened
 * to one report (intake.h's struct intake_report_event) as one line of
 * printable text, for tlsrpt-milter's log, tlsrpt-ingest's output and the
 * answer of tlsrpt-ingest --cgi.
 *
 * Everything in such a line that the sender wrote (organisation name,
 * report id, policy domains, a MIME file name, a parser error quoting the
 * input) passes its sink's one step of report/sanitize.h here, once for
 * every program: a report whose organisation name holds a line break
 * cannot forge a second line in any of them.
 *
 * The programs word their lines differently (scripts, users' log filters
 * and the tests read them), so there are two forms of the same facts; the
 * form also names the sink, and so the step.
 */
#ifndef TLSRPT_INTAKE_EVENT_LINE_H
#define TLSRPT_INTAKE_EVENT_LINE_H

#include <glib.h>

#include "intake/intake.h"
#include "report/report.h"

enum intake_line_form {
	/* A log line (tlsrpt-milter's syslog; the CGI's answer and the web
	 * server's error log): the log step, control characters as '?'.
	 * Key=value for log filters:
	 *   stored report: org="O" id="I" domains=a,b success=N failure=N
	 *   dkim=pass
	 *   invalid: PART: REASON
	 * A '"' of the sender's becomes '\'', and in the domains a blank,
	 * '"' or '=' becomes '?', so it cannot write fields of its own. */
	INTAKE_LINE_LOG,
	/* A terminal (tlsrpt-ingest's line per input; the caller joins
	 * reports with "; "): the text step, control characters as visible
	 * escapes (\n, \x1b) as tlsrpt-ingest(8) says:
	 *   stored O I (a N ok N failed, b N ok N failed) dkim=pass
	 *   quirks=N (FIRST): REASON */
	INTAKE_LINE_BRIEF,
};

/* Append ev's line, in form, to out. */
void intake_event_line(GString *out, const struct intake_report_event *ev,
		       enum intake_line_form form);

/* Append "ORG ID" of r, neutralised for form's sink: how the CGI's
 * answer names the report it stored. */
void intake_report_name(GString *out, const struct tlsrpt_report *r,
			enum intake_line_form form);

#endif
