/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * milter_msg.h -- one message's state as the callbacks collect it
 * (milter_callbacks.c), and the step that turns its intake outcome into
 * an SMFIS_* code and MTA actions (milter_act.c). Internal to milter/.
 */
#ifndef TLSRPT_MILTER_MILTER_MSG_H
#define TLSRPT_MILTER_MILTER_MSG_H

#include <stddef.h>

#include <libmilter/mfapi.h>

#include "base/buf.h"
#include "intake/intake.h"
#include "milter/generation.h"

#define OWN_HEADER "X-TLSRPT-Milter"

/* Report recipients remembered per message, to remove them alone when
 * the message has other recipients too; past this many the message is
 * delivered to all rather than lose one. */
#define REPORT_RCPTS_MAX 16

/* One message; reset by msg_end() when it is accepted early, ends or is
 * aborted (and at MAIL when the MTA sends it), freed at close. */
struct msg {
	/* The configuration it started under, held until it ends; NULL
	 * between messages, and when none is installed (shutting down). */
	struct milter_gen *gen;
	char qid[64];	      /* {i}, or NOQUEUE until the MTA sends it */
	int candidate;	      /* a recipient is a report address */
	int hint;	      /* its headers say it is a TLS report */
	int too_large;	      /* stopped buffering at MaxMessageSize */
	unsigned own_headers; /* X-TLSRPT-Milter headers it came with */

	/* The message, up to MaxMessageSize. */
	struct tlsrpt_buf body;

	/* The recipients: how many are not report addresses, and the report
	 * addresses as the MTA wrote them (the first REPORT_RCPTS_MAX; NULL
	 * where the copy failed), for smfi_delrcpt(). */
	size_t n_other, n_report;
	char *report_rcpt[REPORT_RCPTS_MAX];
};

/* What the reports of one message came to, for the header we add. */
struct summary {
	const struct milter_gen *gen;
	const char *qid;
	char first[256]; /* "org report-id" of the first stored report */
	size_t n_reports;
};

/* intake_run()'s callback for each report part: logs its line and
 * counts the stored ones into the struct summary ctx points to. */
void milter_on_report(void *ctx, const struct intake_report_event *ev);

/* The one place an outcome becomes an SMFIS_* code and MTA actions.
 * label names a reason not to store ("not a report", "too large"). */
sfsistat milter_act(SMFICTX *ctx, struct msg *m,
		    const struct intake_result *res, const struct summary *s,
		    const char *label);

#endif
