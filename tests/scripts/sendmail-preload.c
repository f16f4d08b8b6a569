/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sendmail-preload.c -- LD_PRELOAD library for the private Sendmail of
 * t-sendmail-e2e.sh (not part of the programs; the test compiles it).
 *
 * No syslog daemon runs here, so Sendmail's log lines would be lost: this
 * library writes them to the file named by TLSRPT_SYSLOG_FILE. The host
 * name has no dot, and Sendmail then sleeps 60 s at start looking for a
 * fully qualified one: gethostname() answers TLSRPT_HOSTNAME instead.
 * Sendmail scrubs its environment in main(), so both are read in a
 * constructor, which runs before main(). A process-wide library by
 * nature: its settings are the statics below.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

void __syslog_chk(int pri, int flag, const char *fmt, ...);
void __vsyslog_chk(int pri, int flag, const char *fmt, va_list ap);

static char log_path[4096];
static char host_name[256];
static char log_ident[64] = "sendmail";

__attribute__((constructor)) static void
preload_init(void)
{
	const char *p = getenv("TLSRPT_SYSLOG_FILE");
	const char *h = getenv("TLSRPT_HOSTNAME");

	if (p != NULL)
		snprintf(log_path, sizeof(log_path), "%s", p);
	if (h != NULL)
		snprintf(host_name, sizeof(host_name), "%s", h);
}

int
gethostname(char *name, size_t len)
{
	struct utsname u;
	const char *h = host_name;
	size_t n;

	if (h[0] == '\0') {
		if (uname(&u) != 0)
			return -1;
		h = u.nodename;
	}
	n = strlen(h);
	if (n >= len)
		return -1;
	memcpy(name, h, n + 1);
	return 0;
}

void
openlog(const char *ident, int option, int facility)
{
	(void)option;
	(void)facility;
	if (ident != NULL)
		snprintf(log_ident, sizeof(log_ident), "%s", ident);
}

void
closelog(void)
{
}

/* One line per call, opened and closed each time: Sendmail closes file
 * descriptors it does not know about, and forks. */
void
vsyslog(int pri, const char *fmt, va_list ap)
{
	char line[8192];
	int n, fd;
	time_t now = time(NULL);
	struct tm tm;

	if (log_path[0] == '\0')
		return;
	localtime_r(&now, &tm);
	n = (int)strftime(line, sizeof(line), "%b %e %H:%M:%S ", &tm);
	n += snprintf(line + n, sizeof(line) - (size_t)n, "%s[%ld]: <%d> ",
		      log_ident, (long)getpid(), pri & LOG_PRIMASK);
	if (n < (int)sizeof(line))
		n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	if (n >= (int)sizeof(line) - 1)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	(void)!write(fd, line, (size_t)n);
	close(fd);
}

void
syslog(int pri, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsyslog(pri, fmt, ap);
	va_end(ap);
}

void
__vsyslog_chk(int pri, int flag, const char *fmt, va_list ap)
{
	(void)flag;
	vsyslog(pri, fmt, ap);
}

void
__syslog_chk(int pri, int flag, const char *fmt, ...)
{
	va_list ap;

	(void)flag;
	va_start(ap, fmt);
	vsyslog(pri, fmt, ap);
	va_end(ap);
}
