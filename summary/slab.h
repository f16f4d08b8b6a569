/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * slab.h -- the small groups of an aggregation (a domain's reporters, its
 * days, its mode tallies, its failure pairs) cut from large blocks: a
 * provider's store makes millions of them, and malloc's header and rounding
 * cost 8-24 bytes of each. They live as long as the aggregation and are freed
 * with it, all at once (only a reporter's heap of times, past two, is freed
 * on its own).
 */
#ifndef TLSRPT_SUMMARY_SLAB_H
#define TLSRPT_SUMMARY_SLAB_H

#include <glib.h>
#include <stddef.h>

struct summary_slab;

struct summary_slab *summary_slab_new(void);

/* size zeroed bytes, aligned for any of the groups' fields (8 bytes),
 * owned by s. GLib aborts when memory runs out, so this cannot fail. */
void *summary_slab_alloc0(struct summary_slab *s, size_t size);

/* Bytes handed out, and bytes taken from malloc for them (tests). */
size_t summary_slab_used(const struct summary_slab *s);
size_t summary_slab_reserved(const struct summary_slab *s);

void summary_slab_free(struct summary_slab *s); /* NULL is a no-op */

/* A short list of pointers a group keeps (a domain's reporters, days,
 * failure pairs): the group holds only the buffer and the length n, its
 * capacity follows from n: 0, then an odd number of slots up to 31 (n or
 * n + 1; 2k + 1 slots are exactly what a glibc chunk of 16 (k + 1) bytes
 * holds), then 63, 127 ... 2^k - 1. A GPtrArray would add a 32-byte
 * header of its own (48 with malloc's) and round its buffer up to a power
 * of two bytes. x inserted at at (<= n) into v of n; returns
 * the buffer, perhaps moved (g_free() it); the caller adds 1 to n. */
gpointer *summary_list_insert(gpointer *v, guint n, guint at, gpointer x);

/* Such a list kept in order while short (the caller's binary search
 * finds an item, summary_list_insert() puts a new one in place) and past
 * limit items found by the table *h instead, new ones appended, the
 * order restored once at the end: a domain's reporters and days, whose
 * keys (organisation names, the sender's start dates) a sender chooses,
 * one per report mail -- in place, each insert moved every later item.
 * summary_list_append_indexed(): x appended to v of n, and put in *h
 * under key(x), which it makes (make()) with every item when the list
 * outgrows limit; returns the buffer, as summary_list_insert().
 * summary_list_sort_indexed(): v sorted with cmp (qsort's, on the items'
 * pointers) and *h freed, if there is one. The limits: a domain has a
 * few reporters (there are a few dozen senders of reports at all), and
 * a day for each start date of the window's reports (a year's view has
 * 366; most lines come in order, at the end of the list). */
#define SUMMARY_REPORTERS_INDEXED 32
#define SUMMARY_DAYS_INDEXED 1024
gpointer *summary_list_append_indexed(gpointer *v, guint n, gpointer x,
				      guint limit, GHashTable **h,
				      GHashTable *(*make)(void),
				      gpointer (*key)(gpointer));
void summary_list_sort_indexed(gpointer *v, guint n, GHashTable **h,
			       int (*cmp)(const void *, const void *));

/* The capacity of such a list of n (tests). */
guint summary_list_capacity(guint n);

/* A set of strings a detail group keeps (an MX host's domains and result
 * types, a result type's MX hosts and domains, a sending IP's types and
 * organisations), borrowing the copies the caller gives: most hold one or
 * two (a provider's MX host serves one domain), so it is a short list
 * (summary_list_insert()) until SUMMARY_SET_LIST of them, a hash table
 * only past that. A GHashTable each took ~250 bytes for one name.
 * Zeroed is empty. */
#define SUMMARY_SET_LIST 8
struct summary_set {
	gpointer *v; /* the list, while h is NULL */
	GHashTable *h;
	guint n; /* strings in the list */
};

/* Whether str is in s (compared as strings). */
int summary_set_contains(const struct summary_set *s, const char *str);

/* Add str, not in s yet, borrowed (it must live as long as s). */
void summary_set_add(struct summary_set *s, const char *str);

/* The strings of s in a new list sorted by strcmp (borrowed). */
GPtrArray *summary_set_sorted(const struct summary_set *s);

/* strcmp for g_ptr_array_sort over strings (a GCompareFunc). */
gint summary_cmp_str(gconstpointer x, gconstpointer y);

void summary_set_clear(struct summary_set *s);

#endif
