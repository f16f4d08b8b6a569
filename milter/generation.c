/* SPDX-License-Identifier: BSD-2-Clause */
/* generation.c -- configurations in use, counted by the messages that use
 * them (generation.h says why this is safe across libmilter's threads). */
#include "milter/generation.h"

#include <string.h>
#include <syslog.h>

#include "alert/queue.h"
#include "base/alloc.h"

void
milter_gens_init(struct milter_gens *gs)
{
	memset(gs, 0, sizeof(*gs));
	g_mutex_init(&gs->mu);
}

struct milter_gen *
milter_gen_new(struct config *cfg, int foreground)
{
	struct milter_gen *g = tlsrpt_calloc(1, sizeof(*g));

	if (g == NULL)
		return NULL;
	g->cfg = *cfg;
	memset(cfg, 0, sizeof(*cfg));
	/* openlog() was called once at start (SyslogFacility needs a
	 * restart); each generation only brings its LogLevel. */
	g->log.foreground = foreground;
	g->log.level = g->cfg.log_level;
	config_intake(&g->cfg, NULL, &g->intake);
	return g;
}

/* Alert lines go to the milter's log, like everything else. */
static void
log_alert(void *ctx, int prio, const char *line)
{
	mlog(ctx, prio, NULL, "%s", line);
}

int
milter_gen_start(struct milter_gen *g, struct tlsrpt_store *store,
		 struct tlsrpt_error *err)
{
	config_intake(&g->cfg, store, &g->intake);
	return alert_hook_setup(&g->alerts, &g->cfg, 1, log_alert, &g->log,
				&g->intake, err);
}

void
milter_gen_free(struct milter_gen *g)
{
	if (g == NULL)
		return;
	alert_hook_free(&g->alerts);
	config_free(&g->cfg);
	tlsrpt_free(g);
}

struct milter_gen *
milter_gen_acquire(struct milter_gens *gs)
{
	struct milter_gen *g;

	g_mutex_lock(&gs->mu);
	g = gs->current;
	if (g != NULL)
		g_atomic_int_inc(&g->users);
	g_mutex_unlock(&gs->mu);
	return g;
}

void
milter_gen_release(struct milter_gen *g)
{
	/* Never frees: the reaper does, in the thread that installs. */
	if (g != NULL)
		(void)g_atomic_int_dec_and_test(&g->users);
}

void
milter_gens_install(struct milter_gens *gs, struct milter_gen *g)
{
	struct milter_gen *old;

	g_mutex_lock(&gs->mu);
	old = gs->current;
	gs->current = g;
	g_mutex_unlock(&gs->mu);
	if (old != NULL) {
		old->next = gs->retired;
		gs->retired = old;
	}
}

/* Its alerts still queued go out under the rules they were raised with. */
static int
alerts_idle(struct milter_gen *g)
{
	return g->alerts.queue == NULL ||
	       alert_queue_pending(g->alerts.queue) == 0;
}

unsigned
milter_gens_reap(struct milter_gens *gs, int force)
{
	struct milter_gen **p = &gs->retired;
	unsigned busy = 0;

	while (*p != NULL) {
		struct milter_gen *g = *p;
		unsigned users = (unsigned)g_atomic_int_get(&g->users);

		if (force || (users == 0 && alerts_idle(g))) {
			*p = g->next;
			milter_gen_free(g);
			continue;
		}
		busy += users;
		p = &g->next;
	}
	return busy;
}

unsigned
milter_gens_busy(struct milter_gens *gs)
{
	unsigned busy = 0;

	g_mutex_lock(&gs->mu);
	if (gs->current != NULL)
		busy += (unsigned)g_atomic_int_get(&gs->current->users);
	g_mutex_unlock(&gs->mu);
	for (struct milter_gen *g = gs->retired; g != NULL; g = g->next)
		busy += (unsigned)g_atomic_int_get(&g->users);
	return busy;
}

void
milter_gen_log_domains(const struct milter_gen *g)
{
	const struct config *cfg = &g->cfg;
	GString *d = g_string_new(NULL), *r = g_string_new(NULL);

	for (size_t i = 0; i < cfg->domains.n; i++)
		g_string_append_printf(d, "%s%s", i ? ", " : "",
				       cfg->domains.items[i]);
	for (size_t i = 0; i < cfg->report_addresses.n; i++)
		g_string_append_printf(r, "%s%s", i ? ", " : "",
				       cfg->report_addresses.items[i]);
	mlog(&g->log, LOG_INFO, NULL, "domains: %s%s%s%s; report addresses: %s",
	     d->str, cfg->domains_derived ? " (from HostName " : "",
	     cfg->domains_derived ? cfg->host_name : "",
	     cfg->domains_derived ? ")" : "", r->str);
	if (cfg->domains_derived &&
	    strcmp(cfg->domains.items[0], "localdomain") == 0)
		mlog(&g->log, LOG_WARNING, NULL,
		     "HostName %s has no domain part: set Domains to the "
		     "domains this host receives reports for",
		     cfg->host_name);
	g_string_free(d, TRUE);
	g_string_free(r, TRUE);
}
