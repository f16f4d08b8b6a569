/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * run.h -- run the alert program: no shell, the document on standard
 * input, its output drained (only the first line kept, for the log), and
 * a deadline after which it is killed.
 *
 * The program runs in a process group of its own with the default signal
 * dispositions and an empty signal mask (a milter blocks and ignores
 * signals its children must not inherit), and without the caller's other
 * descriptors. At the deadline the whole group gets SIGTERM, and SIGKILL
 * ALERT_RUN_GRACE_MS later; the child is always reaped (waitpid on its
 * pid, polled, so it works whatever the caller did with SIGCHLD), so the
 * call returns within timeout + ALERT_RUN_GRACE_MS plus a few polls and
 * leaves no zombie. Safe to call from any thread; never raises SIGPIPE.
 */
#ifndef TLSRPT_ALERT_RUN_H
#define TLSRPT_ALERT_RUN_H

#include <stddef.h>

#include "base/error.h"

#define ALERT_RUN_GRACE_MS 500
#define ALERT_RUN_LINE_MAX 200

struct alert_run_result {
	int started; /* 1 when the program was started */
	int exited;  /* 1: it exited, with exit_status */
	int exit_status;
	int signal;	     /* it died of this signal (0: none) */
	int timed_out;	     /* 1: killed at the deadline */
	size_t output_bytes; /* what it wrote to stdout and stderr */
	char first_line[ALERT_RUN_LINE_MAX + 1]; /* of that output */
	long elapsed_ms;
};

/* Run argv (argv[0] a path, or a name looked up in PATH) with the len
 * bytes of input on its standard input. Returns 0 when it exited with
 * status 0; -1 otherwise, err saying why in words a postmaster can act on
 * ("... exited with status 1: <first line>", "... killed after 10 s").
 * res is filled in both cases. */
int alert_run(char *const *argv, const void *input, size_t len,
	      unsigned timeout_ms, struct alert_run_result *res,
	      struct tlsrpt_error *err);

#endif
