/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * datetime.c -- RFC 3339 date-times as TLS-RPT senders write them.
 *
 * Accepted: "YYYY-MM-DDTHH:MM:SS", optional ".fraction" (ignored), then "Z",
 * "+HH:MM", "-HH:MM" or nothing (Microsoft's older reports: read as UTC).
 * "t" and "z" may be lower case (RFC 3339 section 5.6). Anything else is
 * refused, so a date never silently means something else; so is an instant
 * outside the years 0001-9999 once converted to UTC.
 */
#include "report/report.h"

#include <stdio.h>

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil); exact for every year we accept. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30,
				     31, 31, 30, 31, 30, 31};

	if (m == 2 && is_leap(y))
		return 29;
	return days[m - 1];
}

/* Read exactly n decimal digits at *p; -1 if any is not a digit. */
static int
digits(const char **p, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		char c = (*p)[i];

		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*p += n;
	return v;
}

/* Expect the character c at *p and step over it. */
static int
expect(const char **p, char c)
{
	if (**p != c)
		return -1;
	(*p)++;
	return 0;
}

int
tlsrpt_parse_datetime(const char *s, int64_t *out)
{
	const char *p = s;
	int year, mon, day, hour, min, sec, off = 0;
	int64_t t;

	if (s == NULL)
		return -1;
	if ((year = digits(&p, 4)) < 0 || expect(&p, '-') != 0 ||
	    (mon = digits(&p, 2)) < 0 || expect(&p, '-') != 0 ||
	    (day = digits(&p, 2)) < 0)
		return -1;
	if (*p != 'T' && *p != 't')
		return -1;
	p++;
	if ((hour = digits(&p, 2)) < 0 || expect(&p, ':') != 0 ||
	    (min = digits(&p, 2)) < 0 || expect(&p, ':') != 0 ||
	    (sec = digits(&p, 2)) < 0)
		return -1;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1, oh, om;

		p++;
		if ((oh = digits(&p, 2)) < 0 || expect(&p, ':') != 0 ||
		    (om = digits(&p, 2)) < 0 || oh > 23 || om > 59)
			return -1;
		off = sign * (oh * 3600 + om * 60);
	}
	if (*p != '\0')
		return -1;
	if (mon < 1 || mon > 12 || day < 1 || day > days_in_month(year, mon) ||
	    hour > 23 || min > 59 || sec > 60)
		return -1;
	/* A leap second stays inside its minute rather than rolling into the
	 * next day, so "23:59:60Z" still ends the day it names. */
	if (sec == 60)
		sec = 59;
	t = days_from_civil(year, mon, day) * 86400 + hour * 3600 + min * 60 +
	    sec - off;
	/* Years 0001-9999 in UTC: what the store writes as four digits and
	 * reads back. "0000-01-01T00:00:00+23:59" would be year -1, which the
	 * store's own reader refuses once the report is "stored". */
	if (t < TLSRPT_TIME_MIN || t > TLSRPT_TIME_MAX)
		return -2;
	*out = t;
	return 0;
}

void
tlsrpt_format_datetime(int64_t t, char *buf, size_t size)
{
	int64_t days = t / 86400, rem = t % 86400, year;
	int mon, day;

	if (size == 0)
		return;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	civil_from_days(days, &year, &mon, &day);
	/* Written digit by digit where it fits: snprintf was a tenth of a
	 * summary's time when every row has its times (issue 21). */
	if (year >= 0 && year <= 9999 &&
	    size >= sizeof("0000-00-00T00:00:00Z")) {
		int v[6] = {(int)year,
			    mon,
			    day,
			    (int)(rem / 3600),
			    (int)(rem / 60 % 60),
			    (int)(rem % 60)};
		char *p = buf;

		for (int d = 1000; d > 0; d /= 10)
			*p++ = (char)('0' + v[0] / d % 10);
		for (int i = 1; i < 6; i++) {
			*p++ = "--T::"[i - 1];
			*p++ = (char)('0' + v[i] / 10);
			*p++ = (char)('0' + v[i] % 10);
		}
		*p++ = 'Z';
		*p = '\0';
		return;
	}
	snprintf(buf, size, "%04lld-%02d-%02dT%02d:%02d:%02dZ", (long long)year,
		 mon, day, (int)(rem / 3600), (int)(rem / 60 % 60),
		 (int)(rem % 60));
}
