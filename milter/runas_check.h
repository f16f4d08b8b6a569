/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * runas_check.h -- `tlsrpt-milter -n` beyond the syntax: does UserID name
 * a user (and group) of this system, and can that user write the store
 * directory (or will the milter, starting as root, create it)? The checks
 * the daemon would otherwise fail at start, or at the first report.
 */
#ifndef TLSRPT_RUNAS_CHECK_H
#define TLSRPT_RUNAS_CHECK_H

#include <stdio.h>

#include "intake/config.h"

/* Say on out what is wrong (one "tlsrpt-milter: ..." line each). Returns
 * 0, EX_NOUSER (no such user or group) or EX_CANTCREAT (the store cannot
 * be written by the user). */
int runas_check(const struct config *cfg, FILE *out);

#endif
