/* SPDX-License-Identifier: BSD-2-Clause */
/* day.c -- UTC day numbers and day file names (proleptic Gregorian). */
#include "store/day.h"

#include <stdio.h>
#include <string.h>

int64_t
tlsrpt_day_of(int64_t t)
{
	int64_t d = t / 86400;

	if (t % 86400 < 0)
		d--;
	return d;
}

/* Days since 1970-01-01 of y-m-d, after H. Hinnant's days_from_civil. */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (int64_t)doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

void
tlsrpt_day_format(int64_t day, char *buf, size_t size)
{
	int64_t y;
	unsigned m, d;

	civil_from_days(day, &y, &m, &d);
	if (snprintf(buf, size, "%04lld-%02u-%02u", (long long)y, m, d) < 0 &&
	    size > 0)
		buf[0] = '\0';
}

static int
digits(const char *s, size_t n, unsigned *out)
{
	unsigned v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return 0;
}

int
tlsrpt_day_parse(const char *s, size_t len, int64_t *day)
{
	unsigned y, m, d;
	int64_t v, check_y;
	unsigned cm, cd;

	if (len != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	if (digits(s, 4, &y) < 0 || digits(s + 5, 2, &m) < 0 ||
	    digits(s + 8, 2, &d) < 0)
		return -1;
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	v = days_from_civil(y, m, d);
	/* Round trip rejects 2023-02-30 and the like. */
	civil_from_days(v, &check_y, &cm, &cd);
	if (check_y != (int64_t)y || cm != m || cd != d)
		return -1;
	*day = v;
	return 0;
}

void
tlsrpt_day_file_name(int64_t day, int gz, char *buf, size_t size)
{
	char ymd[16];

	tlsrpt_day_format(day, ymd, sizeof(ymd));
	if (snprintf(buf, size, "tlsrpt-%s.jsonl%s", ymd, gz ? ".gz" : "") <
		    0 &&
	    size > 0)
		buf[0] = '\0';
}

int
tlsrpt_day_file_match(const char *name, int64_t *day, int *gz)
{
	size_t len = strlen(name);

	if (len < 7 + 10 + 6 || strncmp(name, "tlsrpt-", 7) != 0)
		return 0;
	if (tlsrpt_day_parse(name + 7, 10, day) < 0)
		return 0;
	if (strcmp(name + 17, ".jsonl") == 0)
		*gz = 0;
	else if (strcmp(name + 17, ".jsonl.gz") == 0)
		*gz = 1;
	else
		return 0;
	return 1;
}
