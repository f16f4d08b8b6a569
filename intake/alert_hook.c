/* SPDX-License-Identifier: BSD-2-Clause */
/* alert_hook.c -- from the Alert* keys and the intake step to alerts. */
#include "intake/alert_hook.h"

#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "base/argv.h"
#include "alert/state.h"
#include "base/alloc.h"
#include "report/input.h"
#include "store/store.h"

int
alert_hook_init(struct alert_hook *h, const struct config *c,
		const char *store_dir, alert_log_fn *log, void *log_ctx,
		struct tlsrpt_error *err)
{
	size_t len;

	memset(h, 0, sizeof(*h));
	if (c->alert_command == NULL)
		return 0;
	if ((h->argv = alert_argv_split(c->alert_command, err)) == NULL)
		return -1;
	len = strlen(store_dir) + sizeof("/" ALERT_STATE_FILE);
	if ((h->state_path = tlsrpt_malloc(len)) == NULL)
		return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, "alerts",
					"out of memory");
	snprintf(h->state_path, len, "%s/%s", store_dir, ALERT_STATE_FILE);
	h->rules.result_types = c->alert_result_types.items;
	h->rules.n_result_types = c->alert_result_types.n;
	h->rules.domains = config_alert_domains(c, &h->rules.n_domains);
	h->rules.min_failures = c->alert_min_failures;
	h->rules.min_share = c->alert_min_share;
	h->dispatch.argv = h->argv;
	h->dispatch.timeout_ms = c->alert_timeout * 1000u;
	h->dispatch.interval = c->alert_interval;
	h->dispatch.state_path = h->state_path;
	h->dispatch.log = log;
	h->dispatch.log_ctx = log_ctx;
	h->dispatch.rate.per_hour = c->alert_max_per_hour;
	h->dispatch.rate.per_sender_hour = c->alert_max_per_sender_hour;
	h->max_per_message = c->alert_max_per_message;
	h->host = c->host_name;
	/* Said at start-up, not at the first alert a day later. */
	if (strchr(h->argv[0], '/') != NULL && access(h->argv[0], X_OK) != 0)
		alert_log(&h->dispatch, LOG_ERR,
			  "AlertCommand: %s is not an executable file; "
			  "alerts will fail",
			  h->argv[0]);
	h->enabled = 1;
	return 0;
}

int
alert_hook_setup(struct alert_hook *h, const struct config *c, int threaded,
		 alert_log_fn *log, void *log_ctx, struct intake_config *ic,
		 struct tlsrpt_error *err)
{
	memset(h, 0, sizeof(*h));
	/* No store (the CGI answers 503): nothing is stored, nothing to
	 * alert on. The state goes beside the day files of the store the
	 * intake step writes: the same directory in or out of Chroot. */
	if (c->alert_command == NULL || ic->store == NULL)
		return 0;
	if (alert_hook_init(h, c, tlsrpt_store_dir(ic->store), log, log_ctx,
			    err) != 0)
		return -1;
	h->enabled = 0;
	if (threaded && alert_queue_start(&h->dispatch, ALERT_HOOK_QUEUE,
					  &h->queue, err) != 0)
		return -1;
	h->enabled = 1;
	ic->observe = alert_hook_observe;
	ic->observe_ctx = h;
	return 0;
}

void
alert_hook_free(struct alert_hook *h)
{
	if (h == NULL)
		return;
	alert_queue_stop(h->queue);
	alert_argv_free(h->argv);
	tlsrpt_free(h->state_path);
	memset(h, 0, sizeof(*h));
}

/* The input is done: at most AlertMaxPerMessage of its alerts, the rest
 * summarised in the last, go to the queue (or out now). */
static void
finish(struct alert_hook *h, struct alert_list *acc)
{
	int64_t now = (int64_t)time(NULL);

	alert_list_cap(acc, h->max_per_message);
	if (h->queue != NULL)
		(void)alert_queue_push(h->queue, acc, now);
	else
		(void)alert_dispatch_list(&h->dispatch, acc, now);
	alert_list_clear(acc);
	tlsrpt_free(acc);
}

/* The alerts of every newly stored report of one input are gathered in
 * the input's slot (ev->msg_state) and sent as one list when it is done,
 * so that one report mail raises at most AlertMaxPerMessage alerts. */
void
alert_hook_observe(void *ctx, const struct intake_report_event *ev)
{
	struct alert_hook *h = ctx;
	struct alert_list l, *acc;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	if (!h->enabled || ev->msg_state == NULL)
		return;
	acc = *ev->msg_state;
	if (ev->item == NULL) {
		*ev->msg_state = NULL;
		if (acc != NULL)
			finish(h, acc);
		return;
	}
	if (ev->outcome != INTAKE_STORED || ev->item->report == NULL)
		return;
	if (alert_rules_eval(&h->rules, ev->item->report, h->host, &l, &err) !=
	    0) {
		alert_log(&h->dispatch, LOG_ERR,
			  "alerts for report %s not raised: %s",
			  ev->item->report->report_id, err.text);
		return;
	}
	if (acc == NULL) {
		if ((acc = tlsrpt_calloc(1, sizeof(*acc))) == NULL) {
			alert_log(&h->dispatch, LOG_ERR,
				  "alerts for report %s not raised: out of "
				  "memory",
				  ev->item->report->report_id);
			alert_list_clear(&l);
			return;
		}
		/* Who sent it is the domain whose signature our verifier saw
		 * pass, not the submitter its headers name: that may be any
		 * subdomain of the signer, one bucket each. */
		if (ev->dkim_domain != NULL)
			snprintf(acc->sender, sizeof(acc->sender), "%s",
				 ev->dkim_domain);
		*ev->msg_state = acc;
	}
	if (alert_list_move(acc, &l) != 0) {
		alert_log(&h->dispatch, LOG_ERR,
			  "alerts for report %s not raised: out of memory",
			  ev->item->report->report_id);
		alert_list_clear(&l);
	}
}
