/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * alert_hook.h -- alerts for tlsrpt-milter and tlsrpt-ingest: the
 * configuration's Alert* keys turned into rules and a dispatcher, and an
 * intake observer that raises them for every newly stored report (never
 * for a duplicate).
 *
 * tlsrpt-milter sends from a thread of its own fed by a bounded queue, so
 * end of message never waits on the alert program; tlsrpt-ingest sends
 * synchronously after storing, bounded by AlertTimeout per alert.
 */
#ifndef TLSRPT_INTAKE_ALERT_HOOK_H
#define TLSRPT_INTAKE_ALERT_HOOK_H

#include "alert/dispatch.h"
#include "alert/queue.h"
#include "alert/rules.h"
#include "intake/config.h"
#include "intake/intake.h"

/* Report mails waiting for the milter's alert thread before one is
 * dropped (and logged): the newest of the sender holding the most
 * (alert/queue.h). */
#define ALERT_HOOK_QUEUE 64

struct alert_hook {
	int enabled; /* AlertCommand is set */
	struct alert_rules rules;
	struct alert_dispatch dispatch;
	const char *host;	   /* HostName, borrowed */
	char **argv;		   /* owned */
	char *state_path;	   /* owned: the store dir/tlsrpt.alerts */
	struct alert_queue *queue; /* NULL: send synchronously */
	unsigned max_per_message;  /* AlertMaxPerMessage */
};

/* Set h up from c (which must outlive h) and, when alerts are on, hook it
 * into ic (ic->observe). The alert state file goes into ic->store's
 * directory; without a store (ic->store NULL) alerts stay off. threaded: start
 * the alert thread. log receives every line about alerts. Returns 0 (also when
 * alerts are off), or -1 with err filled. Call alert_hook_free() either way; h
 * must not move after this call. */
int alert_hook_setup(struct alert_hook *h, const struct config *c, int threaded,
		     alert_log_fn *log, void *log_ctx, struct intake_config *ic,
		     struct tlsrpt_error *err);

/* The part of alert_hook_setup() without intake: set h up from c for the
 * store directory store_dir (the state file goes there) and leave it
 * unhooked and unthreaded, for a program that raises alerts of its own
 * (tlsrpt-probe: alert_list_add(), then alert_dispatch_list() with
 * h->dispatch). Alerts stay off (h->enabled 0) without AlertCommand.
 * Returns 0, or -1 with err filled. Call alert_hook_free() either way. */
int alert_hook_init(struct alert_hook *h, const struct config *c,
		    const char *store_dir, alert_log_fn *log, void *log_ctx,
		    struct tlsrpt_error *err);

/* Stop the thread (if any) and free what h holds. */
void alert_hook_free(struct alert_hook *h);

/* The intake observer (ctx is the hook). */
void alert_hook_observe(void *ctx, const struct intake_report_event *ev);

#endif
