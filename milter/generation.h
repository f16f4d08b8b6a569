/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * generation.h -- one configuration of tlsrpt-milter and what is built
 * from it (log level, intake settings, alert rules and thread), shared by
 * the messages that started under it.
 *
 * SIGHUP builds a new generation and makes it current; a message takes a
 * reference to the current one when it starts and gives it back when it
 * ends, so it runs to its end under the configuration it started with.
 * Only the thread that installs generations frees them (milter_gens_reap):
 * a libmilter callback never frees, never waits.
 *
 * Why it is safe: milter_gen_acquire() reads `current` and counts itself a
 * user under one mutex, and milter_gens_install() swaps `current` under
 * the same mutex; so once a generation is retired nobody can take it again,
 * and its user count only falls. The count is a GLib atomic (a full
 * barrier): a user's last read of the generation happens before its
 * decrement, which happens before the reaper reads 0 and frees it.
 */
#ifndef TLSRPT_GENERATION_H
#define TLSRPT_GENERATION_H

#include <glib.h>

#include "intake/alert_hook.h"
#include "intake/config.h"
#include "intake/intake.h"
#include "milter/log.h"

struct tlsrpt_store;

struct milter_gen {
	struct config cfg;	     /* owned */
	struct milter_log log;	     /* LogLevel of cfg */
	struct intake_config intake; /* borrows cfg and the store */
	struct alert_hook alerts;    /* its own alert thread */
	gint users;		     /* messages holding it (atomic) */
	struct milter_gen *next;     /* on the retired list */
};

struct milter_gens {
	GMutex mu;		    /* guards current */
	struct milter_gen *current; /* NULL before start and when stopping */
	/* Retired, waiting for their users and alerts to finish; only the
	 * thread that installs (and, at the end, run()) touches it. */
	struct milter_gen *retired;
};

void milter_gens_init(struct milter_gens *gs);

/* A generation that takes over what cfg holds (cfg is left empty, so
 * config_free() on it is a no-op); foreground as for mlog_open(). NULL
 * when out of memory (cfg then keeps its content). */
struct milter_gen *milter_gen_new(struct config *cfg, int foreground);

/* Wire it to the store (NULL: parse only) and start its alerts. Returns 0,
 * or -1 with err filled; free g with milter_gen_free() either way. */
int milter_gen_start(struct milter_gen *g, struct tlsrpt_store *store,
		     struct tlsrpt_error *err);

/* Free g now (its alert thread is stopped, alerts still queued are
 * dropped and logged). Only for one never installed, or after reap. */
void milter_gen_free(struct milter_gen *g);

/* The current generation, counted as used until milter_gen_release().
 * NULL while none is installed (start-up, shutdown). */
struct milter_gen *milter_gen_acquire(struct milter_gens *gs);
void milter_gen_release(struct milter_gen *g);

/* Make g current (NULL: none, at shutdown); the one it replaces joins the
 * retired list. */
void milter_gens_install(struct milter_gens *gs, struct milter_gen *g);

/* Free the retired generations no message uses and whose alerts went out;
 * with force, all of them. Returns the messages still in flight under
 * retired generations. */
unsigned milter_gens_reap(struct milter_gens *gs, int force);

/* Messages in flight under any generation. */
unsigned milter_gens_busy(struct milter_gens *gs);

/* Log our domains and report addresses (at start and after a reload): with
 * Domains derived from HostName, the postmaster sees the guess. */
void milter_gen_log_domains(const struct milter_gen *g);

#endif
