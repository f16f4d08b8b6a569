/* SPDX-License-Identifier: BSD-2-Clause */
/* dispatch.c -- claim, run, release; and say what happened. */
#include "alert/dispatch.h"

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

#include "alert/run.h"
#include "alert/state.h"

void
alert_log(const struct alert_dispatch *d, int prio, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (d->log == NULL)
		return;
	va_start(ap, fmt);
	if (vsnprintf(line, sizeof(line), fmt, ap) < 0)
		line[0] = '\0';
	va_end(ap);
	d->log(d->log_ctx, prio, line);
}

/* Returns 1 when sent; *hung set when the program hit its timeout. */
static size_t
send_one(const struct alert_dispatch *d, const struct alert *a,
	 const char *sender, int64_t now, int *hung)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct alert_run_result res;
	char text[TLSRPT_ERROR_PATH_MAX + TLSRPT_ERROR_TEXT_MAX + 8];
	int claimed;

	tlsrpt_error_clear(&err);
	claimed = alert_state_claim_rated(d->state_path, a->key, sender, now,
					  d->interval, &d->rate, &err);
	if (claimed == ALERT_STATE_OVER_TOTAL ||
	    claimed == ALERT_STATE_OVER_SENDER) {
		alert_log(d, LOG_NOTICE,
			  "alert not sent: %u alerts went out in the last "
			  "hour%s%s (%s): %s",
			  claimed == ALERT_STATE_OVER_TOTAL
				  ? d->rate.per_hour
				  : d->rate.per_sender_hour,
			  claimed == ALERT_STATE_OVER_TOTAL ? ""
			  : sender[0] != '\0' ? " for reports from "
					      : " for unauthenticated "
						"reports",
			  claimed == ALERT_STATE_OVER_SENDER ? sender : "",
			  claimed == ALERT_STATE_OVER_TOTAL
				  ? "AlertMaxPerHour"
				  : "AlertMaxPerSenderPerHour",
			  a->sentence);
		return 0;
	}
	if (claimed == 0) {
		alert_log(d, LOG_DEBUG,
			  "alert %s/%s/%s not sent: already sent within "
			  "AlertInterval",
			  a->domain, a->result_type, a->mx);
		return 0;
	}
	if (claimed < 0)
		alert_log(d, LOG_ERR,
			  "alert state: %s; sending the alert without "
			  "de-duplication",
			  tlsrpt_error_format(&err, text, sizeof(text)));
	if (alert_run(d->argv, a->json, a->json_len, d->timeout_ms, &res,
		      &err) == 0) {
		alert_log(d, LOG_INFO, "alert sent (%ld ms): %s",
			  res.elapsed_ms, a->sentence);
		return 1;
	}
	*hung = res.timed_out;
	alert_log(d, LOG_ERR, "alert %s/%s/%s not sent: %s", a->domain,
		  a->result_type, a->mx,
		  tlsrpt_error_format(&err, text, sizeof(text)));
	tlsrpt_error_clear(&err);
	if (claimed > 0 &&
	    alert_state_release(d->state_path, a->key, now, &err) != 0)
		alert_log(d, LOG_ERR, "alert state: %s",
			  tlsrpt_error_format(&err, text, sizeof(text)));
	return 0;
}

size_t
alert_dispatch_list(const struct alert_dispatch *d, const struct alert_list *l,
		    int64_t now)
{
	size_t sent = 0;

	if (l->n_dropped > 0)
		alert_log(d, LOG_NOTICE,
			  "%zu more failures in one report mail not alerted "
			  "(AlertMaxPerMessage, or over %d keys in one "
			  "report)",
			  l->n_dropped, ALERT_MAX_PER_REPORT);
	for (size_t i = 0; i < l->n; i++) {
		int hung = 0;

		sent += send_one(d, &l->items[i], l->sender, now, &hung);
		/* A program that hangs would hang for the rest of the report
		 * too: one timeout per report, not one per alert. */
		if (hung && i + 1 < l->n) {
			alert_log(d, LOG_ERR,
				  "%zu more alerts of the same report not sent "
				  "(the alert program timed out), the next: %s",
				  l->n - i - 1, l->items[i + 1].sentence);
			break;
		}
	}
	return sent;
}
