/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * json_scan.h -- the lexical half of the store line scanner
 * (record_fast.c): white space, punctuation, plain strings and integers,
 * and member names. Inline because they run for every byte of a million
 * lines a summary; they accept only what they are sure of and return -1
 * otherwise, so the caller falls back to the full decode.
 */
#ifndef TLSRPT_STORE_JSON_SCAN_H
#define TLSRPT_STORE_JSON_SCAN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "report/limits.h"

/* Counts above 2^53 - 1 are refused by the full decode: leave them to it. */
#define FAST_MAX_COUNT 9007199254740991LL

struct scan {
	const char *p, *end; /* what is left of the line */
	/* The caller's limits (string lengths, list sizes): checked by
	 * record_fast.c, carried here so one pointer goes down the calls. */
	const struct tlsrpt_limits *l;
};

struct scan_span {
	const char *s;
	size_t n;
};

static inline void
scan_ws(struct scan *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' ||
				 *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static inline int
scan_lit(struct scan *c, char ch)
{
	scan_ws(c);
	if (c->p >= c->end || *c->p != ch)
		return -1;
	c->p++;
	return 0;
}

/* ',' (1: another member follows) or the closing ch (0). */
static inline int
scan_next(struct scan *c, char close)
{
	scan_ws(c);
	if (c->p < c->end && *c->p == ',') {
		c->p++;
		return 1;
	}
	if (c->p < c->end && *c->p == close) {
		c->p++;
		return 0;
	}
	return -1;
}

/* Eight bytes at a time: 0 when none of them is '"', '\\', a control
 * character or outside printable ASCII, so the byte loop below needs to
 * look only at the word with the closing quote (most bytes of a line are
 * in its strings). haszero(v) is exact about whether v has a zero byte. */
#define SCAN_ONES 0x0101010101010101ULL
#define SCAN_HIGHS 0x8080808080808080ULL
#define SCAN_HASZERO(v) (((v)-SCAN_ONES) & ~(v)&SCAN_HIGHS)

static inline uint64_t
scan_special8(uint64_t w)
{
	return (w & SCAN_HIGHS) | ((w - 0x20 * SCAN_ONES) & ~w & SCAN_HIGHS) |
	       SCAN_HASZERO(w ^ (0x7f * SCAN_ONES)) |
	       SCAN_HASZERO(w ^ ('"' * SCAN_ONES)) |
	       SCAN_HASZERO(w ^ ('\\' * SCAN_ONES));
}

/* p is at the first special byte of the string begun at c->p: a quote
 * ends it (its bytes are its value), anything else is for the full
 * decode. */
static inline int
scan_str_end(struct scan *c, const unsigned char *p, struct scan_span *out)
{
	if (*p != '"')
		return -1;
	out->s = c->p;
	out->n = (size_t)(p - (const unsigned char *)c->p);
	c->p = (const char *)p + 1;
	return 0;
}

/* A string of printable ASCII without escapes: its bytes are its value. */
static inline int
scan_str(struct scan *c, struct scan_span *out)
{
	const unsigned char *p, *end = (const unsigned char *)c->end;

	if (scan_lit(c, '"') < 0)
		return -1;
	p = (const unsigned char *)c->p;
#if defined(__SSE2__)
	/* Sixteen at a time where the CPU has SSE2 (every x86-64): the same
	 * bytes are special (signed, a byte below 0x20 is a control
	 * character or one with the high bit set). */
	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i sp = _mm_or_si128(
			_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
				     _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
			_mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
				     _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f))));
		unsigned m = (unsigned)_mm_movemask_epi8(sp);

		if (m != 0)
			return scan_str_end(c, p + __builtin_ctz(m), out);
		p += 16;
	}
#endif
	while (end - p >= 8) {
		uint64_t w, m;

		memcpy(&w, p, sizeof(w));
		m = scan_special8(w);
		if (m == 0) {
			p += 8;
			continue;
		}
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		/* A false mark is only ever above a true one: the lowest is
		 * the first special byte, which decides. */
		return scan_str_end(c, p + __builtin_ctzll(m) / 8, out);
#else
		break;
#endif
	}
	for (; p < end; p++)
		if (*p == '"' || *p < 0x20 || *p >= 0x7f || *p == '\\')
			return scan_str_end(c, p, out);
	return -1;
}

/* A non-negative integer as jansson reads one, up to FAST_MAX_COUNT. */
static inline int
scan_num(struct scan *c, int64_t *out)
{
	int64_t v = 0;
	const char *start;

	scan_ws(c);
	start = c->p;
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		if (c->p - start >= 17)
			return -1;
		v = v * 10 + (*c->p - '0');
		c->p++;
	}
	if (c->p == start || (*start == '0' && c->p - start > 1) ||
	    v > FAST_MAX_COUNT)
		return -1;
	if (c->p < c->end && (*c->p == '.' || *c->p == 'e' || *c->p == 'E'))
		return -1;
	*out = v;
	return 0;
}

static inline int
scan_key_is(const struct scan_span *k, const char *name)
{
	/* Most names differ at the first byte. A key has no NUL: strncmp
	 * stops at the name's end, which must be the key's. */
	if (k->n == 0 || k->s[0] != name[0])
		return 0;
	return strncmp(name, k->s, k->n) == 0 && name[k->n] == '\0';
}

/* Index of k in names, or -1; the bit of an index seen twice means a
 * duplicate key, which the full decode refuses. */
static inline int
scan_member(const struct scan_span *k, const char *const *names, size_t n,
	    unsigned long *seen)
{
	/* The store writes the names in their order here: the search starts
	 * after the last one seen, so it mostly matches at once. */
	size_t from = *seen != 0 ? (size_t)(64 - __builtin_clzl(*seen)) : 0;

	for (size_t j = 0; j < n; j++) {
		size_t i = from + j < n ? from + j : from + j - n;

		if (!scan_key_is(k, names[i]))
			continue;
		if (*seen & (1ul << i))
			return -1;
		*seen |= 1ul << i;
		return (int)i;
	}
	return -1;
}

#endif
