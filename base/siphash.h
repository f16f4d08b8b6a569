/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * siphash.h -- SipHash-2-4, a keyed hash: whoever does not know the key
 * cannot choose strings that collide, which a reporter who names domains,
 * MX hosts and report ids would otherwise do to turn every hash table
 * look-up into a walk of all its entries (hash flooding).
 *
 * The store reader's fingerprints (store/fpset.h) and the index's key set
 * draw a key per set; the hash tables of GLib take a hash function without
 * a context, so tlsrpt_str_hash() keys them all with one key per process.
 */
#ifndef TLSRPT_BASE_SIPHASH_H
#define TLSRPT_BASE_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

struct tlsrpt_sipkey {
	uint64_t k0, k1;
};

/* A key from the system's random source (mixed with the clock and the
 * process id if that fails: collisions stay as unlikely, only less
 * unpredictable). */
void tlsrpt_sipkey_random(struct tlsrpt_sipkey *key);

/* Hashing in pieces: init, feed any number of times, final. */
struct tlsrpt_sip {
	uint64_t v0, v1, v2, v3;
	uint64_t tail; /* bytes not yet in a block, little-endian */
	size_t len;    /* bytes fed so far */
};

void tlsrpt_sip_init(struct tlsrpt_sip *s, const struct tlsrpt_sipkey *key);
void tlsrpt_sip_feed(struct tlsrpt_sip *s, const void *data, size_t n);
uint64_t tlsrpt_sip_final(struct tlsrpt_sip *s);

/* SipHash-2-4 of data[0..len) under key. */
uint64_t tlsrpt_siphash24(const struct tlsrpt_sipkey *key, const void *data,
			  size_t len);

/* SipHash-1-3 (one round a block, three at the end: the variant the hash
 * tables of Rust and CPython use against flooding, about twice as fast):
 * the same code as SipHash-2-4 with fewer rounds, which the reference
 * vectors check. */
uint64_t tlsrpt_siphash13(const struct tlsrpt_sipkey *key, const void *data,
			  size_t len);

/* A NUL-terminated string's SipHash-1-3 under the process's key (drawn
 * at the first call, thread-safe), for GLib's hash tables in place of
 * g_str_hash, whose collisions anyone can compute: the signature is
 * GHashFunc's. */
unsigned int tlsrpt_str_hash(const void *s);

/* The same for a pointer to an int64_t, in place of g_int64_hash, which
 * has no key either (GLib 2.74 keeps the low half, later versions fold
 * the halves): a sender's dates chosen to meet in one bucket. */
unsigned int tlsrpt_int64_hash(const void *p);

#endif
