/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * state.h -- when each alert key last went out, so the same (domain,
 * result type, receiving MX) alerts at most once per AlertInterval, across
 * restarts and across processes (the milter and tlsrpt-ingest).
 *
 * A small text file, "EPOCH KEY" per line (KEY with bytes <= 0x20, 0x7f
 * and '%' written as %XX), beside a lock file PATH.lock: every change is
 * made under flock(LOCK_EX) on the lock file by writing PATH.tmp, fsync
 * and rename, so a reader never sees half a file and a crash loses at
 * most the last change. Entries older than the interval are dropped on
 * every rewrite, so the file stays as small as the set of live keys.
 * The clock is the caller's (now).
 */
#ifndef TLSRPT_ALERT_STATE_H
#define TLSRPT_ALERT_STATE_H

#include <stdint.h>

#include "base/error.h"

/* File name of the state inside the store directory. */
#define ALERT_STATE_FILE "tlsrpt.alerts"

/* Most keys kept; past it the oldest are forgotten (they alert again). */
#define ALERT_STATE_MAX_KEYS 10000

/* Claim key at now: returns 1 when it did not go out within interval
 * seconds before now (it is recorded as sent at now), 0 when it did
 * (nothing changes), -1 on an I/O error (err names the file). Of several
 * processes claiming the same key at once exactly one gets 1. */
int alert_state_claim(const char *path, const char *key, int64_t now,
		      int64_t interval, struct tlsrpt_error *err);

/* Bounds on alerts sent per hour (0: none), counted from the state of
 * every process: AlertMaxPerHour in all, AlertMaxPerSenderPerHour per
 * sender (alert_list.sender; "" counts as one sender, the unauthenticated
 * one). A flood from one sender then cannot spend the hour's alerts of
 * the others, nor run the program without end. */
struct alert_rate {
	unsigned per_hour;
	unsigned per_sender_hour;
};

#define ALERT_STATE_OVER_TOTAL 2  /* AlertMaxPerHour reached */
#define ALERT_STATE_OVER_SENDER 3 /* AlertMaxPerSenderPerHour reached */

/* alert_state_claim() for sender under rate (NULL: no bounds): also
 * returns ALERT_STATE_OVER_TOTAL or ALERT_STATE_OVER_SENDER, claiming
 * nothing, when sending now would pass a bound. The sender is kept with
 * the key ("EPOCH KEY SENDER"; older files without it still read). */
int alert_state_claim_rated(const char *path, const char *key,
			    const char *sender, int64_t now, int64_t interval,
			    const struct alert_rate *rate,
			    struct tlsrpt_error *err);

/* Undo a claim made at claimed_at (the alert could not be delivered), so
 * the next report with that key alerts again. A later claim is kept.
 * Returns 0, or -1 on an I/O error. */
int alert_state_release(const char *path, const char *key, int64_t claimed_at,
			struct tlsrpt_error *err);

#endif
