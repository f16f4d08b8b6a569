/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * reload.h -- tlsrpt-milter's signals, in a thread of its own: SIGHUP
 * re-reads the configuration and installs it as a new generation
 * (generation.h) for the messages that start from then on; SIGTERM and
 * SIGINT let the messages in flight finish, then stop smfi_main().
 *
 * Why not libmilter's signal thread: it sigwait()s on SIGHUP, SIGTERM and
 * SIGINT and stops the milter on any of them (libmilter/signal.c), and
 * once stopped, Debian's libmilter (built with _FFR_WORKERS_POOL) no
 * longer reads from any session (worker.c: the pool controller and its
 * workers leave their loops on mi_stop()): a message in flight is cut
 * off. Two threads that wait for one signal get it in no defined order, so
 * reload.c defines sigwait(): libmilter's call (the only sigwait() in this
 * program; ours is sigtimedwait()) waits for what it asked for but these
 * three, which are ours alone.
 */
#ifndef TLSRPT_RELOAD_H
#define TLSRPT_RELOAD_H

#include <pthread.h>

#include "milter/generation.h"
#include "milter/parse_slots.h"

struct tlsrpt_store;

/* Read the configuration anew into out (the file and the command line
 * over it), keeping from old the keys of milter_restart_keys() and telling
 * changed of those the file changed. Returns 0, or -1 with err filled (out
 * is to be freed either way). */
typedef int milter_load_fn(void *ctx, const struct config *old,
			   config_changed_fn *changed, void *changed_ctx,
			   struct config *out, struct tlsrpt_error *err);

/* The keys a running daemon cannot take on (NULL-terminated): the socket,
 * the user, the chroot and the pid file were set up as root before the
 * first message; the store is opened once with its options; syslog was
 * opened once. */
const char *const *milter_restart_keys(void);

struct milter_reload {
	struct milter_gens *gens;
	struct tlsrpt_store *store; /* borrowed, for new generations */
	struct parse_slots *slots;  /* MaxConcurrentParses, ParseWait */
	milter_load_fn *load;
	void *load_ctx;
	int foreground;
	pthread_t thread;
	gint stop; /* atomic */
	int started;
};

/* After SIGTERM, how long the messages in flight may take to finish
 * before the daemon stops without them (the MTA then applies the milter's
 * default_action). Below systemd's TimeoutStopSec (90 s). */
#define MILTER_DRAIN_SECONDS 60

/* Start the thread (SIGHUP, SIGTERM and SIGINT must be blocked in every
 * thread already). r must not move until milter_reload_stop(). Returns 0,
 * or -1 when the thread cannot start. */
int milter_reload_start(struct milter_reload *r);

/* Join it (no-op when it did not start): after smfi_main() returned,
 * which it does after the thread's smfi_stop() or on an error. */
void milter_reload_stop(struct milter_reload *r);

#endif
