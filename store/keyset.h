/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * keyset.h -- an in-memory set of report keys (organization-name and
 * report-id), each with a 64-bit value (a day number, a file number). Open
 * addressing with linear probing; O(1) expected per operation.
 *
 * A key is the bytes org NUL report-id, so no two distinct pairs collide;
 * stored keys get one more NUL, so both halves read as C strings.
 */
#ifndef TLSRPT_STORE_KEYSET_H
#define TLSRPT_STORE_KEYSET_H

#include <stddef.h>
#include <stdint.h>

#include "base/siphash.h"

struct tlsrpt_keyset_entry {
	char *key; /* NULL: empty slot */
	size_t len;
	uint64_t hash;
	int64_t value;
	int64_t aux; /* the caller's second value: 0 on insert, then kept */
};

struct tlsrpt_keyset {
	struct tlsrpt_keyset_entry *slots;
	size_t cap; /* power of two, or 0 */
	size_t n;
	/* Drawn with the first slots: reporters choose the keys, and must
	 * not be able to choose them all into one run of slots. */
	struct tlsrpt_sipkey hkey;
};

/* Build the key of (org, id) into a new buffer; NULL on no memory. */
char *tlsrpt_key_make(const char *org, const char *id, size_t *len);

/* Value of key, or NULL when absent. Borrowed until the next insert. */
int64_t *tlsrpt_keyset_find(const struct tlsrpt_keyset *ks, const char *key,
			    size_t len);

/* The entry of key, or NULL when absent. Borrowed until the next insert. */
struct tlsrpt_keyset_entry *tlsrpt_keyset_entry(const struct tlsrpt_keyset *ks,
						const char *key, size_t len);

/* Insert key (copied) with value, or overwrite the value of an existing key.
 * 0, or -1 when out of memory. */
int tlsrpt_keyset_put(struct tlsrpt_keyset *ks, const char *key, size_t len,
		      int64_t value);

/* Free everything and zero ks. */
void tlsrpt_keyset_clear(struct tlsrpt_keyset *ks);

#endif
