/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rcpt.h -- is an envelope recipient the report mailbox?
 *
 * Pure functions on strings: the milter asks at RCPT, the tests ask
 * directly.
 */
#ifndef TLSRPT_INTAKE_RCPT_H
#define TLSRPT_INTAKE_RCPT_H

#include <stddef.h>

#include "intake/config.h"

/* Reduce an address as the MTA hands it over ("<Tlsrpt@Example.ORG>",
 * perhaps with an RFC 5321 source route "<@relay:user@domain>") to
 * "user@domain" in buf. Returns 0, or -1 when nothing address-like is left
 * (the null path "<>") or it does not fit. */
int rcpt_normalize(const char *arg, char *buf, size_t size);

/* 1 when addr (normalised) is one of patterns: an exact address or
 * "local@*" (that local part at any domain), compared case-insensitively;
 * else 0. */
int rcpt_matches(const struct config_list *patterns, const char *addr);

#endif
