/* SPDX-License-Identifier: BSD-2-Clause */
/* fpset.c -- report fingerprints and the set that holds them. */
#include "store/fpset.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"

void
tlsrpt_fpkey_random(struct tlsrpt_fpkey *key)
{
	uint64_t k[2];
	ssize_t got;
	struct timespec ts;

	do
		got = getrandom(k, sizeof(k), GRND_NONBLOCK);
	while (got < 0 && errno == EINTR);
	if (got != (ssize_t)sizeof(k)) {
		/* No entropy yet (early boot) or no getrandom: a collision is
		 * still as unlikely by chance, only a reporter could aim. */
		clock_gettime(CLOCK_REALTIME, &ts);
		k[0] = (uint64_t)ts.tv_sec * 1000000007ULL ^
		       (uint64_t)ts.tv_nsec;
		k[1] = (uint64_t)getpid() * 0x9e3779b97f4a7c15ULL ^
		       (uint64_t)(uintptr_t)key;
	}
	key->k0 = k[0];
	key->k1 = k[1];
}

/* SipHash (Aumasson and Bernstein, 2012), written from the paper. */
struct sip {
	uint64_t v0, v1, v2, v3;
	uint64_t tail; /* bytes not yet in a block, little-endian */
	size_t len;    /* bytes fed so far */
};

#define ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))

static inline void
sip_round(struct sip *s)
{
	s->v0 += s->v1;
	s->v1 = ROTL(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = ROTL(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = ROTL(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = ROTL(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = ROTL(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = ROTL(s->v2, 32);
}

static inline void
sip_block(struct sip *s, uint64_t m)
{
	s->v3 ^= m;
	sip_round(s);
	sip_round(s);
	s->v0 ^= m;
}

static void
sip_init(struct sip *s, const struct tlsrpt_fpkey *key)
{
	s->v0 = key->k0 ^ 0x736f6d6570736575ULL;
	s->v1 = key->k1 ^ 0x646f72616e646f6dULL;
	s->v2 = key->k0 ^ 0x6c7967656e657261ULL;
	s->v3 = key->k1 ^ 0x7465646279746573ULL;
	s->tail = 0;
	s->len = 0;
}

static void
sip_feed(struct sip *s, const unsigned char *p, size_t n)
{
	/* Fill a pending partial block byte by byte, then whole blocks. */
	while (n > 0 && (s->len & 7) != 0) {
		s->tail |= (uint64_t)*p++ << (8 * (s->len & 7));
		s->len++;
		n--;
		if ((s->len & 7) == 0) {
			sip_block(s, s->tail);
			s->tail = 0;
		}
	}
	for (; n >= 8; n -= 8, p += 8, s->len += 8) {
		uint64_t m = 0;

		for (int i = 7; i >= 0; i--)
			m = m << 8 | p[i];
		sip_block(s, m);
	}
	for (; n > 0; n--, s->len++)
		s->tail |= (uint64_t)*p++ << (8 * (s->len & 7));
}

static uint64_t
sip_final(struct sip *s)
{
	sip_block(s, s->tail | (uint64_t)(s->len & 0xff) << 56);
	s->v2 ^= 0xff;
	sip_round(s);
	sip_round(s);
	sip_round(s);
	sip_round(s);
	return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

uint64_t
tlsrpt_siphash24(const struct tlsrpt_fpkey *key, const void *data, size_t len)
{
	struct sip s;

	sip_init(&s, key);
	sip_feed(&s, data, len);
	return sip_final(&s);
}

uint64_t
tlsrpt_fp_report(const struct tlsrpt_fpkey *key, const char *org,
		 const char *id)
{
	static const unsigned char nul = 0;
	struct sip s;

	/* The NUL keeps ("ab", "c") and ("a", "bc") apart. */
	sip_init(&s, key);
	sip_feed(&s, (const unsigned char *)org, strlen(org));
	sip_feed(&s, &nul, 1);
	sip_feed(&s, (const unsigned char *)id, strlen(id));
	return sip_final(&s);
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

static int
grow(struct tlsrpt_fpset *s)
{
	size_t cap = s->cap == 0 ? 64 : s->cap * 2;
	uint64_t *slots;

	if (cap < s->cap || cap > SIZE_MAX / sizeof(*slots))
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
