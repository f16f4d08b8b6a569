/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * argv.h -- AlertCommand to an argument vector, without a shell: words
 * split on white space; double quotes group words with spaces ("a b"), and
 * inside them \" and \\ stand for " and \. Nothing else is special: no
 * variables, globs, redirections or pipes.
 */
#ifndef TLSRPT_BASE_ARGV_H
#define TLSRPT_BASE_ARGV_H

#include "base/error.h"

#define ALERT_ARGV_MAX 64

/* A new NULL-terminated vector of at least one word; free it with
 * alert_argv_free(). NULL with err filled when cmd is empty, a quote is
 * not closed, there are more than ALERT_ARGV_MAX words, or memory ran out. */
char **alert_argv_split(const char *cmd, struct tlsrpt_error *err);

void alert_argv_free(char **argv); /* NULL is a no-op */

#endif
