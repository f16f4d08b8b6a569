/* SPDX-License-Identifier: BSD-2-Clause */
/* siphash.c -- SipHash (Aumasson and Bernstein, 2012), written from the
 * paper, and the keyed string hash of the hash tables (siphash.h). */
#include "base/siphash.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))

void
tlsrpt_sipkey_random(struct tlsrpt_sipkey *key)
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

static inline void
sip_round(struct tlsrpt_sip *s)
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

/* One block of 8 bytes, c rounds (SipHash-c-d). */
static inline void
sip_block(struct tlsrpt_sip *s, uint64_t m, int c)
{
	s->v3 ^= m;
	for (int i = 0; i < c; i++)
		sip_round(s);
	s->v0 ^= m;
}

/* The last block b (the bytes left and the length), then d rounds. */
static inline uint64_t
sip_finish(struct tlsrpt_sip *s, uint64_t b, int c, int d)
{
	sip_block(s, b, c);
	s->v2 ^= 0xff;
	for (int i = 0; i < d; i++)
		sip_round(s);
	return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

static inline uint64_t
load_le64(const unsigned char *p)
{
	uint64_t m;

	memcpy(&m, p, sizeof(m));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	m = __builtin_bswap64(m);
#endif
	return m;
}

void
tlsrpt_sip_init(struct tlsrpt_sip *s, const struct tlsrpt_sipkey *key)
{
	s->v0 = key->k0 ^ 0x736f6d6570736575ULL;
	s->v1 = key->k1 ^ 0x646f72616e646f6dULL;
	s->v2 = key->k0 ^ 0x6c7967656e657261ULL;
	s->v3 = key->k1 ^ 0x7465646279746573ULL;
	s->tail = 0;
	s->len = 0;
}

void
tlsrpt_sip_feed(struct tlsrpt_sip *s, const void *data, size_t n)
{
	const unsigned char *p = data;

	/* Fill a pending partial block byte by byte, then whole blocks. */
	while (n > 0 && (s->len & 7) != 0) {
		s->tail |= (uint64_t)*p++ << (8 * (s->len & 7));
		s->len++;
		n--;
		if ((s->len & 7) == 0) {
			sip_block(s, s->tail, 2);
			s->tail = 0;
		}
	}
	for (; n >= 8; n -= 8, p += 8, s->len += 8)
		sip_block(s, load_le64(p), 2);
	for (; n > 0; n--, s->len++)
		s->tail |= (uint64_t)*p++ << (8 * (s->len & 7));
}

uint64_t
tlsrpt_sip_final(struct tlsrpt_sip *s)
{
	return sip_finish(s, s->tail | (uint64_t)(s->len & 0xff) << 56, 2, 4);
}

/* SipHash-c-d of a whole buffer at once (tlsrpt_sip_feed keeps a partial
 * block across calls, for a hash of pieces). */
static inline uint64_t
sip_whole(const struct tlsrpt_sipkey *key, const void *data, size_t len, int c,
	  int d)
{
	const unsigned char *p = data;
	struct tlsrpt_sip s;
	uint64_t b = (uint64_t)(len & 0xff) << 56;
	size_t n = len;

	tlsrpt_sip_init(&s, key);
	for (; n >= 8; n -= 8, p += 8)
		sip_block(&s, load_le64(p), c);
	for (size_t i = 0; i < n; i++)
		b |= (uint64_t)p[i] << (8 * i);
	return sip_finish(&s, b, c, d);
}

uint64_t
tlsrpt_siphash24(const struct tlsrpt_sipkey *key, const void *data, size_t len)
{
	return sip_whole(key, data, len, 2, 4);
}

uint64_t
tlsrpt_siphash13(const struct tlsrpt_sipkey *key, const void *data, size_t len)
{
	return sip_whole(key, data, len, 1, 3);
}

/* GHashFunc has no argument for a key: the tables' one key is drawn once
 * per process, on the first hash (pthread_once: the milter hashes from
 * many threads). */
static pthread_once_t str_key_once = PTHREAD_ONCE_INIT;
static struct tlsrpt_sipkey str_key;

static void
str_key_draw(void)
{
	tlsrpt_sipkey_random(&str_key);
}

/* n bytes at p under the process's key, folded to GHashFunc's width. */
static unsigned int
process_hash(const void *p, size_t n)
{
	uint64_t h;

	(void)pthread_once(&str_key_once, str_key_draw);
	h = tlsrpt_siphash13(&str_key, p, n);
	return (unsigned int)(h ^ (h >> 32));
}

unsigned int
tlsrpt_str_hash(const void *s)
{
	return process_hash(s, strlen(s));
}

unsigned int
tlsrpt_int64_hash(const void *p)
{
	return process_hash(p, sizeof(int64_t));
}
