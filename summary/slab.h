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

/* The capacity of such a list of n (tests). */
guint summary_list_capacity(guint n);

#endif
