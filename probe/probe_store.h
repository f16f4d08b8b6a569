/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * probe_store.h -- tlsrpt-probe's --store and -c: the run's findings into
 * the store directory (tlsrpt-store(5), "Probe findings") and through
 * AlertCommand, de-duplicated with the reports' alerts.
 */
#ifndef TLSRPT_PROBE_PROBE_STORE_H
#define TLSRPT_PROBE_PROBE_STORE_H

#include <time.h>

#include <jansson.h>

#include "intake/config.h"
#include "probe/probe.h"

/* Store the findings of out (the run's whole output: "time", "domains",
 * "findings") in c's store directory and alert on them when AlertCommand
 * is set. Returns 0, or -1 after saying why on stderr (the store cannot
 * be written, or root may not write it). An alert that cannot be sent is
 * said on stderr and is not an error. */
int probe_store(const struct config *c, const json_t *out, time_t now);

/* Fill prev (n domains, each .domain set) from the runs stored in c's
 * store directory (probe_history_read()), before this run stores its
 * own. A store that cannot be read is said on stderr, and the run goes
 * on remembering nothing. */
void probe_store_history(const struct config *c, struct probe_prev *prev,
			 size_t n, time_t now);

#endif
