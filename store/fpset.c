/* SPDX-License-Identifier: BSD-2-Clause */
/* fpset.c -- report fingerprints and the set that holds them. */
#include "store/fpset.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"

uint64_t
tlsrpt_fp_report(const struct tlsrpt_sipkey *key, const char *org,
		 const char *id)
{
	static const unsigned char nul = 0;
	struct tlsrpt_sip s;

	/* The NUL keeps ("ab", "c") and ("a", "bc") apart. */
	tlsrpt_sip_init(&s, key);
	tlsrpt_sip_feed(&s, org, strlen(org));
	tlsrpt_sip_feed(&s, &nul, 1);
	tlsrpt_sip_feed(&s, id, strlen(id));
	return tlsrpt_sip_final(&s);
}

uint64_t
tlsrpt_fp_version_of(uint64_t fp_report, const char *digest)
{
	/* The digest is SHA-256 of the report (store/digest.h), uniform and
	 * not for a sender to choose: its first 64 bits, mixed into the
	 * key's keyed fingerprint, tell versions apart without hashing the
	 * line's strings again. A missing or malformed digest (older lines)
	 * is one more version of its own. */
	uint64_t d = 0x9e3779b97f4a7c15ULL;

	if (digest != NULL) {
		for (int i = 0; i < 16 && digest[i] != '\0'; i++) {
			char c = digest[i];
			int v = c >= 'a' ? c - 'a' + 10 : c - '0';

			d = d << 4 | ((uint64_t)v & 15);
		}
		d ^= 0x243f6a8885a308d3ULL; /* never the "no digest" value */
	}
	return fp_report ^ (d * 0xff51afd7ed558ccdULL);
}

/* Fingerprints are uniform, so their low bits serve as the slot; mix anyway
 * so that sets of patterned values (tests, callers with weaker hashes) do
 * not pile up in one run of slots. */
static inline size_t
home(uint64_t fp, size_t cap)
{
	fp ^= fp >> 33;
	fp *= 0xff51afd7ed558ccdULL;
	fp ^= fp >> 33;
	return (size_t)fp & (cap - 1);
}

/* The slot holding fp, or the empty slot where it would go. */
static size_t
probe(const uint64_t *slots, size_t cap, uint64_t fp)
{
	size_t i = home(fp, cap);

	while (slots[i] != 0 && slots[i] != fp)
		i = (i + 1) & (cap - 1);
	return i;
}

int
tlsrpt_fpset_has(const struct tlsrpt_fpset *s, uint64_t fp)
{
	if (fp == 0)
		return s->has_zero;
	if (s->cap == 0)
		return 0;
	return s->slots[probe(s->slots, s->cap, fp)] == fp;
}

/* Move the members into cap slots (a power of two, more than now). */
static int
grow_to(struct tlsrpt_fpset *s, size_t cap)
{
	uint64_t *slots;

	if (cap > SIZE_MAX / sizeof(*slots))
		return -1;
	slots = tlsrpt_calloc(cap, sizeof(*slots));
	if (slots == NULL)
		return -1;
	for (size_t i = 0; i < s->cap; i++) {
		if (s->slots[i] != 0)
			slots[probe(slots, cap, s->slots[i])] = s->slots[i];
	}
	tlsrpt_free(s->slots);
	s->slots = slots;
	s->cap = cap;
	return 0;
}

static int
grow(struct tlsrpt_fpset *s)
{
	size_t cap = s->cap == 0 ? 64 : s->cap * 2;

	return cap < s->cap ? -1 : grow_to(s, cap);
}

int
tlsrpt_fpset_add(struct tlsrpt_fpset *s, uint64_t fp)
{
	size_t i;

	if (fp == 0) {
		if (s->has_zero)
			return 0;
		s->has_zero = 1;
		s->n++;
		return 1;
	}
	if (s->cap > 0) {
		i = probe(s->slots, s->cap, fp);
		if (s->slots[i] == fp)
			return 0;
	}
	/* Load at most 3/4: fingerprints are uniform, so linear probing stays
	 * short (about 8 slots, one or two cache lines, for an absent one),
	 * and a set is 11 to 21 bytes a member. */
	if ((s->n + 1) * 4 > s->cap * 3 && grow(s) < 0)
		return -1;
	i = probe(s->slots, s->cap, fp);
	s->slots[i] = fp;
	s->n++;
	return 1;
}

int
tlsrpt_fpset_merge(struct tlsrpt_fpset *to, const struct tlsrpt_fpset *from)
{
	size_t cap = to->cap == 0 ? 64 : to->cap;

	/* Room for both first, and never fewer slots than from has. Taken
	 * in from's slot order, members come sorted by their home slot in
	 * from; a smaller table folds that order onto itself lap after lap,
	 * and linear probing then walks ever longer clusters: 632,000
	 * members into an empty set took 4 s (check_fprun's test_top_bits;
	 * its whole suite runs in 0.55 s now). */
	while (cap < from->cap || to->n + from->n > cap / 4 * 3) {
		if (cap > SIZE_MAX / 2)
			return -1;
		cap *= 2;
	}
	if (cap > to->cap && grow_to(to, cap) < 0)
		return -1;
	if (from->has_zero && tlsrpt_fpset_add(to, 0) < 0)
		return -1;
	for (size_t i = 0; i < from->cap; i++) {
		if (from->slots[i] != 0 &&
		    tlsrpt_fpset_add(to, from->slots[i]) < 0)
			return -1;
	}
	return 0;
}

void
tlsrpt_fpset_reset(struct tlsrpt_fpset *s)
{
	if (s->n > 0 && s->cap > 0)
		memset(s->slots, 0, s->cap * sizeof(*s->slots));
	s->n = 0;
	s->has_zero = 0;
}

void
tlsrpt_fpset_clear(struct tlsrpt_fpset *s)
{
	tlsrpt_free(s->slots);
	s->slots = NULL;
	s->cap = 0;
	s->n = 0;
	s->has_zero = 0;
}
