/* SPDX-License-Identifier: BSD-2-Clause */
/* keyset.c -- the hash set of report keys. */
#include "store/keyset.h"

#include <string.h>

#include "base/alloc.h"

static uint64_t
key_hash(const struct tlsrpt_keyset *ks, const char *key, size_t len)
{
	/* Keyed: an unkeyed hash (this was FNV-1a) lets a reporter send
	 * report ids whose hashes share their low bits, and every look-up
	 * of the milter's de-duplication then walks one long run. */
	return tlsrpt_siphash24(&ks->hkey, key, len);
}

char *
tlsrpt_key_make(const char *org, const char *id, size_t *len)
{
	size_t lo = strlen(org), li = strlen(id);
	char *k;

	if (lo > SIZE_MAX / 2 - 2 || li > SIZE_MAX / 2 - 2)
		return NULL;
	k = tlsrpt_malloc(lo + li + 2);
	if (k == NULL)
		return NULL;
	memcpy(k, org, lo);
	k[lo] = '\0';
	memcpy(k + lo + 1, id, li);
	k[lo + 1 + li] = '\0';
	*len = lo + 1 + li;
	return k;
}

static struct tlsrpt_keyset_entry *
slot_for(struct tlsrpt_keyset_entry *slots, size_t cap, const char *key,
	 size_t len, uint64_t h)
{
	size_t i = (size_t)h & (cap - 1);

	for (;;) {
		struct tlsrpt_keyset_entry *e = &slots[i];

		if (e->key == NULL)
			return e;
		if (e->hash == h && e->len == len &&
		    memcmp(e->key, key, len) == 0)
			return e;
		i = (i + 1) & (cap - 1);
	}
}

struct tlsrpt_keyset_entry *
tlsrpt_keyset_entry(const struct tlsrpt_keyset *ks, const char *key, size_t len)
{
	struct tlsrpt_keyset_entry *e;

	if (ks->cap == 0)
		return NULL;
	e = slot_for(ks->slots, ks->cap, key, len, key_hash(ks, key, len));
	return e->key != NULL ? e : NULL;
}

int64_t *
tlsrpt_keyset_find(const struct tlsrpt_keyset *ks, const char *key, size_t len)
{
	struct tlsrpt_keyset_entry *e = tlsrpt_keyset_entry(ks, key, len);

	return e != NULL ? &e->value : NULL;
}

static int
grow(struct tlsrpt_keyset *ks)
{
	size_t cap = ks->cap == 0 ? 64 : ks->cap * 2;
	struct tlsrpt_keyset_entry *slots;

	if (cap < ks->cap)
		return -1;
	slots = tlsrpt_calloc(cap, sizeof(*slots));
	if (slots == NULL)
		return -1;
	if (ks->cap == 0) /* (the entries keep their hashes when moved) */
		tlsrpt_sipkey_random(&ks->hkey);
	for (size_t i = 0; i < ks->cap; i++) {
		struct tlsrpt_keyset_entry *e = &ks->slots[i];

		if (e->key != NULL)
			*slot_for(slots, cap, e->key, e->len, e->hash) = *e;
	}
	tlsrpt_free(ks->slots);
	ks->slots = slots;
	ks->cap = cap;
	return 0;
}

int
tlsrpt_keyset_put(struct tlsrpt_keyset *ks, const char *key, size_t len,
		  int64_t value)
{
	struct tlsrpt_keyset_entry *e;
	uint64_t h;

	/* Keep the load under 1/2 so probes stay short. */
	if ((ks->n + 1) * 2 > ks->cap && grow(ks) < 0)
		return -1;
	h = key_hash(ks, key, len);
	e = slot_for(ks->slots, ks->cap, key, len, h);
	if (e->key == NULL) {
		e->key = tlsrpt_malloc(len + 1);
		if (e->key == NULL)
			return -1;
		memcpy(e->key, key, len);
		e->key[len] = '\0'; /* so org NUL id reads as two strings */
		e->len = len;
		e->hash = h;
		e->aux = 0;
		ks->n++;
	}
	e->value = value;
	return 0;
}

void
tlsrpt_keyset_clear(struct tlsrpt_keyset *ks)
{
	for (size_t i = 0; i < ks->cap; i++)
		tlsrpt_free(ks->slots[i].key);
	tlsrpt_free(ks->slots);
	ks->slots = NULL;
	ks->cap = 0;
	ks->n = 0;
}
