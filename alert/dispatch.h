/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dispatch.h -- send the alerts of one report: claim each key in the
 * de-duplication state, run the program for the claimed ones, and give the
 * claim back when the program failed (so the next report alerts again).
 * Everything that happens is said through a log callback, never by return
 * value alone: an alert that cannot be sent must not fail anything else.
 */
#ifndef TLSRPT_ALERT_DISPATCH_H
#define TLSRPT_ALERT_DISPATCH_H

#include <stddef.h>
#include <stdint.h>

#include "alert/rules.h"
#include "alert/state.h"

/* prio is a syslog priority (LOG_ERR, LOG_INFO, LOG_DEBUG); line has no
 * newline. */
typedef void alert_log_fn(void *ctx, int prio, const char *line);

struct alert_dispatch {
	char *const *argv;	/* AlertCommand, split */
	unsigned timeout_ms;	/* AlertTimeout */
	int64_t interval;	/* AlertInterval, seconds */
	const char *state_path; /* StoreDirectory/tlsrpt.alerts */
	alert_log_fn *log;
	void *log_ctx;
	struct alert_rate rate; /* AlertMaxPerHour, AlertMaxPerSenderPerHour */
};

/* Send the alerts of l as of now. Returns how many went out. When the
 * state cannot be read or written the alert is sent anyway (and the
 * error logged): a missed alert costs more than a repeated one. */
size_t alert_dispatch_list(const struct alert_dispatch *d,
			   const struct alert_list *l, int64_t now);

/* Log through d (a printf-like front to d->log). */
void alert_log(const struct alert_dispatch *d, int prio, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
