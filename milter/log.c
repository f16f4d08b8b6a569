/* SPDX-License-Identifier: BSD-2-Clause */
/* log.c -- syslog, and standard error in the foreground. */
#include "milter/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <unistd.h>

#include "report/sanitize.h"

void
mlog_open(struct milter_log *l, const char *ident, int facility, int level,
	  int foreground)
{
	l->foreground = foreground;
	l->level = level;
	openlog(ident, LOG_PID | LOG_NDELAY, facility);
}

static const char *
prio_name(int prio)
{
	switch (prio) {
	case LOG_EMERG:
	case LOG_ALERT:
	case LOG_CRIT:
	case LOG_ERR: return "error";
	case LOG_WARNING: return "warning";
	case LOG_NOTICE: return "notice";
	case LOG_INFO: return "info";
	default: return "debug";
	}
}

void
mlog(const struct milter_log *l, int prio, const char *queue_id,
     const char *fmt, ...)
{
	char text[2048];
	GString *safe;
	va_list ap;
	int n;

	if (prio > l->level)
		return;
	n = snprintf(text, sizeof(text), "%s%s", queue_id ? queue_id : "",
		     queue_id ? ": " : "");
	if (n < 0)
		return;
	va_start(ap, fmt);
	/* A line too long to keep whole is cut: the start says the most. */
	if (vsnprintf(text + n, sizeof(text) - (size_t)n, fmt, ap) < 0)
		text[n] = '\0';
	va_end(ap);
	/* The one log step (report/sanitize.h): input-derived text must not
	 * forge lines or reach a terminal that tails the log raw. */
	safe = g_string_new(NULL);
	sanitize_log(safe, text);
	syslog(prio, "%s", safe->str);
	if (l->foreground)
		/* One call per line: stdio locks the stream, so lines of
		 * concurrent threads do not interleave. */
		fprintf(stderr, "tlsrpt-milter[%ld]: %s: %s\n", (long)getpid(),
			prio_name(prio), safe->str);
	g_string_free(safe, TRUE);
}

void
mlog_close(void)
{
	closelog();
}
