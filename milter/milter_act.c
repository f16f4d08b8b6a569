/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * milter_act.c -- what tlsrpt-milter does with a message once intake_run()
 * has its outcome: the log line of each report part, the X-TLSRPT-Milter
 * header (forged copies removed), Disposition (deliver, discard,
 * quarantine, or only the report recipients taken off) and
 * OnStoreFailure (tempfail or deliver). Apart from the callbacks, which
 * only collect the message and decide whether it can be a report.
 */
#include <stdio.h>
#include <syslog.h>

#include <glib.h>
#include <libmilter/mfapi.h>

#include "intake/config.h"
#include "intake/event_line.h"
#include "intake/intake.h"
#include "milter/log.h"
#include "milter/milter_msg.h"
#include "report/sanitize.h"

/* A header value: the header step (report/sanitize.h), then printable
 * ASCII (a header is not RFC 2047-encoded here), at most size-1 bytes. */
static void
header_text(char *dst, size_t size, const char *src)
{
	char *safe = sanitize_dup(sanitize_header, src);
	size_t i = 0;

	for (; safe[i] != '\0' && i + 1 < size; i++) {
		unsigned char ch = (unsigned char)safe[i];

		dst[i] = ch < 0x7f ? (char)ch : '?';
	}
	dst[i] = '\0';
	g_free(safe);
}

void
milter_on_report(void *ctx, const struct intake_report_event *ev)
{
	struct summary *s = ctx;
	const struct milter_log *log = &s->gen->log;
	const struct tlsrpt_report *r = ev->item->report;
	int stored =
		ev->outcome == INTAKE_STORED || ev->outcome == INTAKE_DUPLICATE;
	GString *line = g_string_new(NULL);

	intake_event_line(line, ev, INTAKE_LINE_LOG);
	mlog(log,
	     stored				  ? LOG_INFO
	     : ev->outcome == INTAKE_STORE_FAILED ? LOG_ERR
						  : LOG_NOTICE,
	     s->qid, "%s", line->str);
	g_string_free(line, TRUE);
	if (!stored || r == NULL)
		return;
	if (r->quirks.n > 0)
		mlog(log, LOG_INFO, s->qid,
		     "report: %zu misspelt member names read under "
		     "their RFC 8460 names (first: %s)",
		     r->quirks.n, r->quirks.first);
	if (s->n_reports++ == 0)
		snprintf(s->first, sizeof(s->first), "%s %s",
			 r->organization_name, r->report_id);
}

/* Disposition discard or quarantine on a message that has other
 * recipients too: remove the report recipients, deliver to the rest. When
 * one cannot be removed (too many, no memory, the MTA refuses), all keep
 * the message: a report delivered is better than a recipient's mail
 * lost. */
static sfsistat
drop_report_rcpts(SMFICTX *ctx, struct msg *m)
{
	size_t removed = 0, i;

	if (m->n_report == 0) {
		/* DetectByHeaders: no report address among the recipients. */
		mlog(&m->gen->log, LOG_INFO, m->qid,
		     "report message delivered: no report recipient to take "
		     "off (Disposition %s)",
		     config_enum_name("Disposition", m->gen->cfg.disposition));
		return SMFIS_CONTINUE;
	}
	/* All or none: check first what the loop needs. */
	for (i = 0; i < m->n_report; i++)
		if (i >= REPORT_RCPTS_MAX || m->report_rcpt[i] == NULL)
			break;
	if (i == m->n_report)
		for (; removed < m->n_report; removed++)
			if (smfi_delrcpt(ctx, m->report_rcpt[removed]) !=
			    MI_SUCCESS)
				break;
	if (removed < m->n_report) {
		mlog(&m->gen->log, LOG_ERR, m->qid,
		     "could not take %zu of %zu report recipients off the "
		     "message; they receive it too",
		     m->n_report - removed, m->n_report);
		if (removed == 0)
			return SMFIS_CONTINUE;
	}
	mlog(&m->gen->log, LOG_INFO, m->qid,
	     "report recipients removed: %zu (Disposition %s); delivered to "
	     "the %zu other recipient%s",
	     removed, config_enum_name("Disposition", m->gen->cfg.disposition),
	     m->n_other, m->n_other == 1 ? "" : "s");
	return SMFIS_CONTINUE;
}

sfsistat
milter_act(SMFICTX *ctx, struct msg *m, const struct intake_result *res,
	   const struct summary *s, const char *label)
{
	const struct config *cfg = &m->gen->cfg;
	char value[420], why[TLSRPT_ERROR_PATH_MAX + TLSRPT_ERROR_TEXT_MAX + 8];

	/* A forged "stored" header from outside must not survive. */
	for (unsigned i = m->own_headers; i > 0; i--)
		(void)smfi_chgheader(ctx, OWN_HEADER, (int)i, NULL);

	switch (res->outcome) {
	case INTAKE_STORED:
	case INTAKE_DUPLICATE:
		if (cfg->add_header && s->n_reports > 0) {
			char text[400];
			const char *what =
				res->outcome != INTAKE_STORED ? "duplicate"
				: res->n_conflict > 0 ? INTAKE_CONFLICT_TEXT
						      : "stored";

			if (s->n_reports > 1)
				snprintf(text, sizeof(text),
					 "%s %s (+%zu more)", what, s->first,
					 s->n_reports - 1);
			else
				snprintf(text, sizeof(text), "%s %s", what,
					 s->first);
			header_text(value, sizeof(value), text);
			(void)smfi_addheader(ctx, OWN_HEADER, value);
		}
		if (cfg->disposition == CONFIG_DELIVER)
			return SMFIS_CONTINUE;
		/* Other recipients keep their copy: only the report
		 * recipients are taken off. */
		if (m->n_other > 0)
			return drop_report_rcpts(ctx, m);
		switch (cfg->disposition) {
		case CONFIG_DISCARD:
			mlog(&m->gen->log, LOG_INFO, m->qid,
			     "report message discarded (Disposition discard)");
			return SMFIS_DISCARD;
		case CONFIG_QUARANTINE:
			if (smfi_quarantine(ctx, "TLS report stored by "
						 "tlsrpt-milter") != MI_SUCCESS)
				mlog(&m->gen->log, LOG_ERR, m->qid,
				     "the MTA refused to quarantine the "
				     "message; it is delivered");
			return SMFIS_CONTINUE;
		default: return SMFIS_CONTINUE;
		}
	case INTAKE_STORE_FAILED:
		tlsrpt_error_format(&res->error, why, sizeof(why));
		if (cfg->on_store_failure == CONFIG_TEMPFAIL) {
			mlog(&m->gen->log, LOG_ERR, m->qid,
			     "report not stored, asking the sender to retry: "
			     "%s",
			     why);
			(void)smfi_setreply(ctx, "451", "4.3.0",
					    "TLS report not stored, try again "
					    "later");
			return SMFIS_TEMPFAIL;
		}
		mlog(&m->gen->log, LOG_ERR, m->qid,
		     "report not stored, delivered (OnStoreFailure accept): %s",
		     why);
		snprintf(why, sizeof(why), "not stored: store failure");
		header_text(value, sizeof(value), why);
		(void)smfi_addheader(ctx, OWN_HEADER, value);
		return SMFIS_CONTINUE;
	default: {
		char text[sizeof(why) + 64];

		tlsrpt_error_format(&res->error, why, sizeof(why));
		/* Per-part reasons were logged by milter_on_report; a message
		 * without report parts gets its line here. */
		if (s->n_reports == 0 && res->n_failed == 0)
			mlog(&m->gen->log, LOG_NOTICE, m->qid,
			     "not stored: %s: %s", label, why);
		snprintf(text, sizeof(text), "not stored: %s: %s", label, why);
		header_text(value, sizeof(value), text);
		(void)smfi_addheader(ctx, OWN_HEADER, value);
		return SMFIS_CONTINUE;
	}
	}
}
