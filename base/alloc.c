/* SPDX-License-Identifier: BSD-2-Clause */
/* alloc.c -- the allocation seam, with a failure injector for tests. */
#include "base/alloc.h"

#include <jansson.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * Process-wide by necessity (see alloc.h): jansson's hooks take no context.
 * Atomic so that the milter's threads may allocate while a test never sets it.
 */
static atomic_ulong alloc_count;
static atomic_ulong alloc_fail_at; /* 0: never fail */

static int
alloc_should_fail(void)
{
	unsigned long n = atomic_fetch_add(&alloc_count, 1) + 1;
	unsigned long at = atomic_load(&alloc_fail_at);

	return at != 0 && n >= at;
}

void *
tlsrpt_malloc(size_t size)
{
	if (alloc_should_fail())
		return NULL;
	return malloc(size == 0 ? 1 : size);
}

void *
tlsrpt_calloc(size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	if (alloc_should_fail())
		return NULL;
	return calloc(n == 0 ? 1 : n, size == 0 ? 1 : size);
}

void *
tlsrpt_realloc(void *p, size_t size)
{
	if (alloc_should_fail())
		return NULL;
	return realloc(p, size == 0 ? 1 : size);
}

void *
tlsrpt_reallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	return tlsrpt_realloc(p, n * size);
}

void
tlsrpt_free(void *p)
{
	free(p);
}

char *
tlsrpt_strndup(const char *s, size_t n)
{
	char *copy;

	if (s == NULL)
		return NULL;
	copy = tlsrpt_malloc(n + 1);
	if (copy == NULL)
		return NULL;
	memcpy(copy, s, n);
	copy[n] = '\0';
	return copy;
}

char *
tlsrpt_strdup(const char *s)
{
	if (s == NULL)
		return NULL;
	return tlsrpt_strndup(s, strlen(s));
}

void
tlsrpt_alloc_init(void)
{
	json_set_alloc_funcs(tlsrpt_malloc, tlsrpt_free);
}

unsigned long
tlsrpt_alloc_fail_after(unsigned long n)
{
	unsigned long made = atomic_exchange(&alloc_count, 0);

	atomic_store(&alloc_fail_at, n);
	return made;
}
