/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * count.h -- adding session counts without ever wrapping.
 *
 * Counts come from reports, which anyone can send: each is bounded by
 * MaxSessionCount when read (limits.h), but sums over many reports are
 * still the attacker's to choose in number. Every sum of counts goes
 * through tlsrpt_count_add(), which sticks at INT64_MAX instead of wrapping
 * (a wrapped sum turned 23 real failures into a negative or zero total and
 * the verdict into "OK"). Counts are never negative, so only the top needs
 * a bound.
 */
#ifndef TLSRPT_BASE_COUNT_H
#define TLSRPT_BASE_COUNT_H

#include <stdint.h>

static inline int64_t
tlsrpt_count_add(int64_t a, int64_t b)
{
	int64_t s;

	if (__builtin_add_overflow(a, b, &s))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return s;
}

#endif
