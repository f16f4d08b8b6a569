/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * milter_callbacks.h -- tlsrpt-milter's libmilter callbacks.
 *
 * Thin: they decide early whether a message can be a report (by recipient,
 * optionally by its headers), collect the bytes of those that can (bounded
 * by MaxMessageSize) and at end of message hand them to intake_run(). One
 * function turns the outcome into an SMFIS_* code and its actions.
 */
#ifndef TLSRPT_MILTER_MILTER_CALLBACKS_H
#define TLSRPT_MILTER_MILTER_CALLBACKS_H

#include "milter/generation.h"
#include "milter/parse_slots.h"

/* What every callback reads. The configuration comes from gens: each
 * message holds the generation current when it started until it ends
 * (generation.h); slots is shared by all generations. */
struct milter_app {
	struct milter_gens *gens;
	struct parse_slots *slots; /* MaxConcurrentParses */
};

/* Register the callbacks for app (which must outlive smfi_main()) with
 * smfi_register(). Returns 0, or -1 when libmilter refused. */
int milter_callbacks_register(const struct milter_app *app);

#endif
