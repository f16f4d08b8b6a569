/* SPDX-License-Identifier: BSD-2-Clause */
/* reload.c -- SIGHUP re-reads the configuration (reload.h). */
#include "milter/reload.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <libmilter/mfapi.h>

/* How often the thread looks for retired generations to free and for
 * the stop flag, when no SIGHUP comes. */
#define RELOAD_TICK_SECONDS 1

/* Defined here so that libmilter's signal thread, whose sigwait() call
 * binds to this definition (the executable's symbol comes first, linked
 * statically or dynamically), never takes SIGHUP, SIGTERM or SIGINT from
 * our thread (reload.h); it is left waiting for nothing. t-reload.sh
 * proves a SIGHUP leaves the daemon running and a SIGTERM lets a message
 * in flight finish. */
int
sigwait(const sigset_t *restrict set, int *restrict sig)
{
	sigset_t rest = *set;
	int got;

	(void)sigdelset(&rest, SIGHUP);
	(void)sigdelset(&rest, SIGTERM);
	(void)sigdelset(&rest, SIGINT);
	do
		got = sigwaitinfo(&rest, NULL);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return errno;
	*sig = got;
	return 0;
}

const char *const *
milter_restart_keys(void)
{
	static const char *const keys[] = {
		"Socket",
		"UserID",
		"AllowRoot",
		"PidFile",
		"Chroot",
		"Umask",
		"SyslogFacility",
		"StoreDirectory",
		"DedupDays",
		"Fsync",
		NULL,
	};

	return keys;
}

/* A restart-only key the file changed: said, and the old value kept. */
static void
log_kept(void *ctx, const char *key, const char *was, const char *now)
{
	const struct milter_log *log = ctx;

	mlog(log, LOG_WARNING, NULL,
	     "%s changed to \"%s\": needs a restart, still \"%s\"", key, now,
	     was);
}

static void
reload(struct milter_reload *r)
{
	/* Only this thread installs and frees: current cannot go away. */
	const struct milter_gen *cur = r->gens->current;
	struct config cfg;
	struct milter_gen *g;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char text[TLSRPT_ERROR_PATH_MAX + TLSRPT_ERROR_TEXT_MAX + 8];

	tlsrpt_error_clear(&err);
	mlog(&cur->log, LOG_INFO, NULL, "SIGHUP: reading the configuration");
	if (r->load(r->load_ctx, &cur->cfg, log_kept, (void *)&cur->log, &cfg,
		    &err) != 0) {
		mlog(&cur->log, LOG_ERR, NULL,
		     "configuration not reloaded, the running one stays: %s",
		     tlsrpt_error_format(&err, text, sizeof(text)));
		config_free(&cfg);
		return;
	}
	if ((g = milter_gen_new(&cfg, r->foreground)) == NULL) {
		mlog(&cur->log, LOG_ERR, NULL,
		     "configuration not reloaded: out of memory");
		config_free(&cfg);
		return;
	}
	if (milter_gen_start(g, r->store, &err) != 0) {
		mlog(&cur->log, LOG_ERR, NULL,
		     "configuration not reloaded, the running one stays: %s",
		     tlsrpt_error_format(&err, text, sizeof(text)));
		milter_gen_free(g);
		return;
	}
	milter_gens_install(r->gens, g);
	parse_slots_set(r->slots, g->cfg.max_concurrent_parses,
			g->cfg.parse_wait);
	mlog(&g->log, LOG_INFO, NULL,
	     "configuration reloaded: new messages use it, %u in flight "
	     "finish under the old one",
	     milter_gens_reap(r->gens, 0));
	milter_gen_log_domains(g);
}

/* SIGTERM: no message starts any more (callbacks find no generation and
 * accept), those in flight get MILTER_DRAIN_SECONDS to end; then libmilter
 * stops. */
static void
drain(struct milter_reload *r, int sig)
{
	struct milter_log log = r->gens->current->log;
	unsigned busy;
	int waited = 0;

	milter_gens_install(r->gens, NULL);
	busy = milter_gens_busy(r->gens);
	mlog(&log, LOG_INFO, NULL,
	     "%s: stopping after %u message%s in flight (at most %d s)",
	     sig == SIGINT ? "SIGINT" : "SIGTERM", busy, busy == 1 ? "" : "s",
	     MILTER_DRAIN_SECONDS);
	while (busy > 0 && waited < MILTER_DRAIN_SECONDS * 10) {
		g_usleep(G_USEC_PER_SEC / 10);
		waited++;
		busy = milter_gens_busy(r->gens);
	}
	if (busy > 0)
		mlog(&log, LOG_ERR, NULL,
		     "%u message%s still in flight after %d s: stopping "
		     "without them",
		     busy, busy == 1 ? "" : "s", MILTER_DRAIN_SECONDS);
	(void)smfi_stop();
}

static void *
reload_thread(void *arg)
{
	struct milter_reload *r = arg;
	struct timespec tick = {RELOAD_TICK_SECONDS, 0};
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	while (!g_atomic_int_get(&r->stop)) {
		sig = sigtimedwait(&set, NULL, &tick);
		if (sig == SIGHUP) {
			reload(r);
		} else if (sig == SIGTERM || sig == SIGINT) {
			drain(r, sig);
			break;
		}
		(void)milter_gens_reap(r->gens, 0);
	}
	return NULL;
}

int
milter_reload_start(struct milter_reload *r)
{
	g_atomic_int_set(&r->stop, 0);
	if (pthread_create(&r->thread, NULL, reload_thread, r) != 0)
		return -1;
	r->started = 1;
	return 0;
}

void
milter_reload_stop(struct milter_reload *r)
{
	if (!r->started)
		return;
	g_atomic_int_set(&r->stop, 1);
	pthread_join(r->thread, NULL);
	r->started = 0;
}
