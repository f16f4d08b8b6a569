/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * config_keep.c -- config_keep(): on reload, put back the old value of
 * keys a running process cannot change (its socket, its user, ...) and
 * say which ones the new file tried to change. Compares values as the
 * text config_dump() writes; apart from the reader, as only the milter's
 * reload uses it.
 */
#include <string.h>

#include <glib.h>

#include "intake/config.h"
#include "intake/config_impl.h"

int
config_keep(struct config *c, const struct config *old,
	    const char *const *names, config_changed_fn *changed, void *ctx,
	    struct tlsrpt_error *err)
{
	char why[TLSRPT_ERROR_TEXT_MAX - 64];

	for (; *names != NULL; names++) {
		const struct config_key *k = config_find_key(*names);
		char *was, *now;
		int rc = 0;

		if (k == NULL)
			return tlsrpt_error_set(err, TLSRPT_ERR_INTERNAL,
						"config_keep",
						"%s: unknown key", *names);
		was = config_value_text(old, k);
		now = config_value_text(c, k);
		if (was == NULL || now == NULL) {
			rc = tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, k->name,
					      "out of memory");
		} else if (strcmp(was, now) != 0) {
			/* The text config_dump() writes reads back as the
			 * same value: the file format is the one copy. */
			if (config_set_value(c, k, was, why, sizeof(why)) != 0)
				rc = tlsrpt_error_set(err, TLSRPT_ERR_INTERNAL,
						      k->name, "%s", why);
			else if (changed != NULL)
				changed(ctx, k->name, was, now);
		}
		g_free(was);
		g_free(now);
		if (rc != 0)
			return rc;
	}
	return 0;
}
