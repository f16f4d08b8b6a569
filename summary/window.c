/* SPDX-License-Identifier: BSD-2-Clause */
/* window.c -- WHEN arguments to epoch seconds. */
#include "summary/window.h"

#include <stdio.h>
#include <string.h>

#include "report/report.h"

static int
parse_span(const char *s, int64_t *secs)
{
	int64_t n = 0, unit;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9') {
		n = n * 10 + (*p - '0');
		if (n > SUMMARY_MAX_SPAN)
			return -1;
		p++;
	}
	switch (*p) {
	case 'm': unit = 60; break;
	case 'h': unit = 3600; break;
	case 'd': unit = SUMMARY_DAY; break;
	case 'w': unit = 7 * SUMMARY_DAY; break;
	default: return -1;
	}
	if (p[1] != '\0' || n == 0 || n > SUMMARY_MAX_SPAN / unit)
		return -1;
	*secs = n * unit;
	return 0;
}

static int
is_date(const char *s)
{
	static const char shape[] = "dddd-dd-dd";
	size_t i;

	if (strlen(s) != sizeof(shape) - 1)
		return 0;
	for (i = 0; shape[i] != '\0'; i++) {
		if (shape[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != '-')
			return 0;
	}
	return 1;
}

int
summary_parse_when(const char *s, int64_t now, int64_t *out,
		   struct tlsrpt_error *err)
{
	char buf[32];
	const char *when = s;
	int64_t span;

	if (s == NULL || s[0] == '\0' || strlen(s) > 64)
		goto bad;
	if (parse_span(s, &span) == 0) {
		*out = now - span;
		return 0;
	}
	if (is_date(s)) {
		if (snprintf(buf, sizeof(buf), "%sT00:00:00Z", s) < 0)
			goto bad;
		when = buf;
	}
	if (tlsrpt_parse_datetime(when, out) == 0)
		return 0;
bad:
	return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, NULL,
				"bad time \"%.64s\": give a date (2026-11-20), "
				"a date-time (2026-11-20T06:00:00Z) or a span "
				"back from now (90m, 24h, 7d, 2w)",
				s != NULL ? s : "");
}

int
summary_window(const char *since_s, const char *until_s, int64_t now,
	       int64_t *since, int64_t *until, struct tlsrpt_error *err)
{
	char a[24], b[24];

	/* By default a report stored this very second is in. */
	*until = now + 1;
	if (until_s != NULL &&
	    summary_parse_when(until_s, now, until, err) != 0)
		return -1;
	*since = (until_s != NULL ? *until : now) -
		 SUMMARY_DEFAULT_DAYS * SUMMARY_DAY;
	if (since_s != NULL &&
	    summary_parse_when(since_s, now, since, err) != 0)
		return -1;
	if (*since >= *until) {
		tlsrpt_format_datetime(*since, a, sizeof(a));
		tlsrpt_format_datetime(*until, b, sizeof(b));
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, NULL,
					"empty window: --since %s is not "
					"before --until %s",
					a, b);
	}
	return 0;
}
