/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * log.h -- tlsrpt-milter's log: syslog (LOG_PID, the configured facility),
 * and standard error too when running in the foreground.
 *
 * Every line about a message starts with its queue id and ": ", as
 * Postfix's own lines do, so one grep shows both sides. ERR is for I/O and
 * internal failures, NOTICE for input that was refused, INFO for one line
 * per stored report, DEBUG for decisions.
 */
#ifndef TLSRPT_MILTER_LOG_H
#define TLSRPT_MILTER_LOG_H

struct milter_log {
	int foreground; /* copy every line to standard error */
	int level;	/* least important priority logged (LOG_INFO) */
};

/* Set l up and call openlog(). ident must stay valid while logging. */
void mlog_open(struct milter_log *l, const char *ident, int facility, int level,
	       int foreground);

/* Log one line. queue_id NULL: a line about the daemon, no prefix.
 * Control characters, bidirectional overrides and bytes that are not
 * UTF-8 become '?' (sanitize_log()): input-derived text (an
 * organisation name, a parser error) must not forge log lines. */
void mlog(const struct milter_log *l, int prio, const char *queue_id,
	  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

void mlog_close(void);

#endif
