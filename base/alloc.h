/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * alloc.h -- the one allocation seam of every folder.
 *
 * Every allocation of our own code and of jansson goes through these
 * functions, so a test can make the Nth allocation fail and prove that every
 * error path frees what it took and never crashes (jansson's test_chaos).
 * GLib (GMime) aborts on allocation failure by design and is not covered.
 *
 * The failure injector is process-wide state by necessity (jansson's own
 * json_set_alloc_funcs is process-wide); only tests set it.
 */
#ifndef TLSRPT_BASE_ALLOC_H
#define TLSRPT_BASE_ALLOC_H

#include <stddef.h>

void *tlsrpt_malloc(size_t size);
void *tlsrpt_calloc(size_t n, size_t size); /* overflow-checked */
void *tlsrpt_realloc(void *p, size_t size);
void *tlsrpt_reallocarray(void *p, size_t n,
			  size_t size); /* overflow-checked */
void tlsrpt_free(void *p);		/* NULL is a no-op */
char *tlsrpt_strdup(const char *s);	/* NULL in, NULL out */
char *tlsrpt_strndup(const char *s, size_t n);

/* Route jansson's allocations through the seam. Call once at start-up,
 * before any thread exists (every program's main() and every test). */
void tlsrpt_alloc_init(void);

/* Tests only: make allocation number n (1-based, counted from this call)
 * and every later one fail; n == 0 turns failing off. Returns how many
 * allocations were made since the previous call. */
unsigned long tlsrpt_alloc_fail_after(unsigned long n);

#endif
