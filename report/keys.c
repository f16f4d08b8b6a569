/* SPDX-License-Identifier: BSD-2-Clause */
/* keys.c -- misspelt member names read under their RFC 8460 names
 * (keys.h). */
#include "report/keys.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"

/* Older names no folding turns into the RFC name. */
static const struct {
	const char *alias, *name;
} aliases[] = {
	/* The drafts' name; danmarg's sample still uses it. */
	{"failure-error-code", "failure-reason-code"},
};

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static int
is_sep(char c)
{
	return c == '-' || c == '_' || c == ' ';
}

/* Whether a and b are the same name but for case, '-', '_' and ' '. */
static int
same_folded(const char *a, const char *b)
{
	for (;;) {
		while (is_sep(*a))
			a++;
		while (is_sep(*b))
			b++;
		if (*a == '\0' || *b == '\0')
			return *a == *b;
		if (lower(*a) != lower(*b))
			return 0;
		a++;
		b++;
	}
}

/* The RFC name key stands for, or NULL: exactly one of known matches. */
static const char *
rfc_name(const char *key, const char *const *known, size_t n)
{
	const char *found = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(key, known[i]) == 0)
			return NULL; /* the RFC name itself */
		if (!same_folded(key, known[i]))
			continue;
		if (found != NULL)
			return NULL;
		found = known[i];
	}
	for (i = 0; found == NULL && i < sizeof(aliases) / sizeof(*aliases);
	     i++) {
		for (size_t k = 0; k < n; k++) {
			if (strcmp(key, aliases[i].alias) == 0 &&
			    strcmp(aliases[i].name, known[k]) == 0)
				found = known[k];
		}
	}
	return found;
}

int
tlsrpt_canonical_keys(json_t *obj, const char *const *known, size_t n,
		      struct tlsrpt_quirks *q, struct tlsrpt_error *err)
{
	const char *key, *name[16], *from[16];
	size_t m = 0, i, j;
	json_t *v;

	/* The names are few (at most 8 per object), so is this list. */
	json_object_foreach(obj, key, v)
	{
		const char *to = rfc_name(key, known, n);

		if (to == NULL || json_object_get(obj, to) != NULL)
			continue;
		if (m == sizeof(name) / sizeof(*name))
			break;
		from[m] = key;
		name[m++] = to;
	}
	for (i = 0; i < m; i++) {
		int twice = 0;
		char *old;

		for (j = 0; j < m; j++)
			twice |= j != i && strcmp(name[i], name[j]) == 0;
		if (twice)
			continue;
		/* from[i] lives in the member it names, which goes. */
		old = tlsrpt_strdup(from[i]);
		if (old == NULL ||
		    json_object_set(obj, name[i],
				    json_object_get(obj, from[i])) != 0) {
			tlsrpt_free(old);
			return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL,
						"out of memory");
		}
		json_object_del(obj, old);
		if (q->n++ == 0)
			snprintf(q->first, sizeof(q->first), "%s", old);
		tlsrpt_free(old);
	}
	return 0;
}

void
tlsrpt_quirks_add(struct tlsrpt_quirks *to, const struct tlsrpt_quirks *from)
{
	if (from->n == 0)
		return;
	if (to->n == 0)
		memcpy(to->first, from->first, sizeof(to->first));
	to->n += from->n;
}
