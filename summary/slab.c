/* SPDX-License-Identifier: BSD-2-Clause */
/* slab.c -- groups cut from large blocks (slab.h). */
#include "summary/slab.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "base/siphash.h"

/* 64 KiB less malloc's header: one mmap-free block of glibc each. */
#define SLAB_BLOCK (65536 - 16)
#define SLAB_ALIGN 8

struct summary_slab {
	GPtrArray *blocks; /* owned, g_free */
	char *next;	   /* free bytes of the last block */
	size_t left;
	size_t used, reserved;
};

struct summary_slab *
summary_slab_new(void)
{
	struct summary_slab *s = g_new0(struct summary_slab, 1);

	s->blocks = g_ptr_array_new_with_free_func(g_free);
	return s;
}

void *
summary_slab_alloc0(struct summary_slab *s, size_t size)
{
	size_t n = (size + SLAB_ALIGN - 1) & ~(size_t)(SLAB_ALIGN - 1);
	void *p;

	if (n < size) /* rounding wrapped: no group is that big */
		g_error("summary_slab_alloc0: %zu bytes", size);
	if (n > SLAB_BLOCK / 4) {
		/* A big one gets a block of its own; the current block
		 * keeps its free bytes for the next small ones. */
		p = g_malloc0(n);
		g_ptr_array_add(s->blocks, p);
		s->used += n;
		s->reserved += n;
		return p;
	}
	if (n > s->left) {
		/* The rest of the last block (under a quarter of it)
		 * is left unused. */
		s->next = g_malloc0(SLAB_BLOCK);
		s->left = SLAB_BLOCK;
		g_ptr_array_add(s->blocks, s->next);
		s->reserved += SLAB_BLOCK;
	}
	p = s->next;
	s->next += n;
	s->left -= n;
	s->used += n;
	return p;
}

size_t
summary_slab_used(const struct summary_slab *s)
{
	return s->used;
}

size_t
summary_slab_reserved(const struct summary_slab *s)
{
	return s->reserved;
}

void
summary_slab_free(struct summary_slab *s)
{
	if (s == NULL)
		return;
	g_ptr_array_free(s->blocks, TRUE);
	g_free(s);
}

/* Whether a list of n is full: at 0, at every odd n from 3 to 31, and at
 * every 2^k - 1 from there. */
static int
list_full(guint n)
{
	return n == 0 ||
	       (n >= 3 && ((n < 31 && n % 2 == 1) || (n & (n + 1)) == 0));
}

/* The capacity a full list of n grows to: 2 slots more up to 31 (a
 * domain has a few reporters and days: each list within a slot of its
 * length), then twice as many (a few lists are long). */
static guint
list_grown(guint n)
{
	if (n == 0)
		return 3;
	return n < 31 ? n + 2 : 2 * n + 1;
}

guint
summary_list_capacity(guint n)
{
	guint cap = 0;

	while (cap < n)
		cap = list_grown(cap);
	return cap;
}

gpointer *
summary_list_insert(gpointer *v, guint n, guint at, gpointer x)
{
	if (list_full(n))
		v = g_renew(gpointer, v, list_grown(n));
	memmove(v + at + 1, v + at, (n - at) * sizeof(*v));
	v[at] = x;
	return v;
}

gpointer *
summary_list_append_indexed(gpointer *v, guint n, gpointer x, guint limit,
			    GHashTable **h, GHashTable *(*make)(void),
			    gpointer (*key)(gpointer))
{
	guint i;

	v = summary_list_insert(v, n, n, x);
	if (*h != NULL) {
		g_hash_table_insert(*h, key(x), x);
	} else if (n + 1 > limit) {
		*h = make();
		for (i = 0; i <= n; i++)
			g_hash_table_insert(*h, key(v[i]), v[i]);
	}
	return v;
}

void
summary_list_sort_indexed(gpointer *v, guint n, GHashTable **h,
			  int (*cmp)(const void *, const void *))
{
	if (*h == NULL)
		return;
	qsort(v, n, sizeof(*v), cmp);
	g_clear_pointer(h, g_hash_table_destroy);
}

int
summary_set_contains(const struct summary_set *s, const char *str)
{
	guint i;

	if (s->h != NULL)
		return g_hash_table_contains(s->h, str);
	for (i = 0; i < s->n; i++) {
		if (s->v[i] == str || strcmp(s->v[i], str) == 0)
			return 1;
	}
	return 0;
}

void
summary_set_add(struct summary_set *s, const char *str)
{
	guint i;

	if (s->h == NULL && s->n < SUMMARY_SET_LIST) {
		s->v = summary_list_insert(s->v, s->n, s->n, (gpointer)str);
		s->n++;
		return;
	}
	if (s->h == NULL) { /* past the list: a hash table from now on */
		s->h = g_hash_table_new(tlsrpt_str_hash, g_str_equal);
		for (i = 0; i < s->n; i++)
			g_hash_table_add(s->h, s->v[i]);
		g_free(s->v);
		s->v = NULL;
		s->n = 0;
	}
	g_hash_table_add(s->h, (gpointer)str);
}

gint
summary_cmp_str(gconstpointer x, gconstpointer y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

GPtrArray *
summary_set_sorted(const struct summary_set *s)
{
	GPtrArray *v;
	guint i;

	if (s->h != NULL) {
		GHashTableIter it;
		gpointer key;

		v = g_ptr_array_sized_new(g_hash_table_size(s->h));
		g_hash_table_iter_init(&it, s->h);
		while (g_hash_table_iter_next(&it, &key, NULL))
			g_ptr_array_add(v, key);
	} else {
		v = g_ptr_array_sized_new(s->n);
		for (i = 0; i < s->n; i++)
			g_ptr_array_add(v, s->v[i]);
	}
	g_ptr_array_sort(v, summary_cmp_str);
	return v;
}

void
summary_set_clear(struct summary_set *s)
{
	if (s->h != NULL)
		g_hash_table_destroy(s->h);
	g_free(s->v);
	memset(s, 0, sizeof(*s));
}
