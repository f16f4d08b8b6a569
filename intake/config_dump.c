/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * config_dump.c -- values back to text: config_dump() (tlsrpt-milter -n
 * and -n -v) and the text of one value config_keep() compares. The text
 * written reads back as the same value, so a dump is a configuration
 * file; apart from the reader so the two directions stay easy to compare.
 */
#include <stdio.h>
#include <stdlib.h>

#include <glib.h>

#include "intake/config.h"
#include "intake/config_impl.h"

static int
dump_value(FILE *out, const struct config *c, const struct config_key *k)
{
	const void *f = config_cfield(c, k);

	switch (k->type) {
	case TYPE_STRING: return fprintf(out, "%s", *(char *const *)f);
	case TYPE_BOOL:
		return fprintf(out, "%s", *(const int *)f ? "yes" : "no");
	case TYPE_SIZE:
	case TYPE_COUNT: return fprintf(out, "%zu", *(const size_t *)f);
	case TYPE_UINT: return fprintf(out, "%u", *(const unsigned *)f);
	case TYPE_SECS: return fprintf(out, "%u", *(const unsigned *)f);
	case TYPE_OCTAL: return fprintf(out, "%04o", *(const unsigned *)f);
	case TYPE_LIST: {
		const struct config_list *l = f;

		for (size_t i = 0; i < l->n; i++) {
			if (fprintf(out, "%s%s", i ? ", " : "", l->items[i]) <
			    0)
				return -1;
		}
		return 0;
	}
	case TYPE_ENUM:
		return fprintf(out, "%s",
			       config_enum_name(k->name, *(const int *)f));
	}
	return -1;
}

char *
config_value_text(const struct config *c, const struct config_key *k)
{
	const void *f = config_cfield(c, k);
	char *text = NULL;
	size_t size = 0;
	FILE *out;

	if ((k->type == TYPE_STRING && *(char *const *)f == NULL) ||
	    (k->type == TYPE_LIST && ((const struct config_list *)f)->n == 0))
		return g_strdup("");
	if ((out = open_memstream(&text, &size)) == NULL)
		return NULL;
	if (dump_value(out, c, k) < 0) {
		fclose(out);
		free(text);
		return NULL;
	}
	if (fclose(out) != 0) {
		free(text);
		return NULL;
	}
	/* open_memstream() allocates with malloc. */
	{
		char *copy = g_strdup(text);

		free(text);
		return copy;
	}
}

int
config_dump(FILE *out, const struct config *c, int verbose)
{
	for (size_t i = 0; i < config_n_keys(); i++) {
		const struct config_key *k = &config_keys[i];
		const void *f = config_cfield(c, k);
		int unset =
			(k->type == TYPE_STRING && *(char *const *)f == NULL) ||
			(k->type == TYPE_LIST &&
			 ((const struct config_list *)f)->n == 0);

		if (verbose && fprintf(out, "# %s\n", k->description) < 0)
			return -1;
		if (unset) {
			if (fprintf(out, "#%s (not set)\n", k->name) < 0)
				return -1;
			continue;
		}
		if (fprintf(out, "%s ", k->name) < 0 ||
		    dump_value(out, c, k) < 0 || fputc('\n', out) == EOF)
			return -1;
	}
	return fflush(out) == 0 ? 0 : -1;
}
