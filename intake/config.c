/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * config.c -- a configuration's life: config_init() (every key at its
 * default), config_free(), and what the programs read from a finished
 * one (limits, intake settings, store options, alert domains). The table
 * is config_keys.c, the reader config_file.c and config_value.c, derived
 * defaults config_derive.c, the dump config_dump.c, reload config_keep.c.
 */
#include "intake/config.h"

#include <string.h>

#include <glib.h>

#include "base/alloc.h"
#include "intake/config_impl.h"
#include "intake/intake.h"
#include "store/store.h"

int
config_init(struct config *c, struct tlsrpt_error *err)
{
	char why[TLSRPT_ERROR_TEXT_MAX];

	memset(c, 0, sizeof(*c));
	tlsrpt_limits_default(&c->limits);
	for (size_t i = 0; i < config_n_keys(); i++) {
		if (config_keys[i].def == NULL)
			continue;
		if (config_set_value(c, &config_keys[i], config_keys[i].def,
				     why, sizeof(why)) != 0)
			/* Only allocation can fail on a sound table. */
			return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM,
						"defaults", "%s: %s",
						config_keys[i].name, why);
	}
	return 0;
}

void
config_free(struct config *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < config_n_keys(); i++) {
		void *f = config_field(c, &config_keys[i]);

		if (config_keys[i].type == TYPE_STRING) {
			tlsrpt_free(*(char **)f);
			*(char **)f = NULL;
		} else if (config_keys[i].type == TYPE_LIST) {
			config_list_clear(f);
		}
	}
	g_free(c->store_path);
	c->store_path = NULL;
}

char *const *
config_alert_domains(const struct config *c, size_t *n)
{
	if (c->alert_domains.n == 1 &&
	    strcmp(c->alert_domains.items[0], "*") == 0) {
		*n = 0;
		return NULL;
	}
	*n = c->alert_domains.n;
	return c->alert_domains.items;
}

void
config_limits(const struct config *c, struct tlsrpt_limits *out)
{
	*out = c->limits;
}

void
config_intake(const struct config *c, struct tlsrpt_store *store,
	      struct intake_config *out)
{
	memset(out, 0, sizeof(*out));
	out->limits = &c->limits;
	out->store = store;
	out->trusted_authserv_ids = c->trusted_authserv_ids.items;
	out->n_trusted_authserv_ids = c->trusted_authserv_ids.n;
	out->require_dkim = c->require_dkim;
}

const char *
config_store_path(const struct config *c)
{
	return c->store_path;
}

void
config_store_options(const struct config *c, enum config_root root,
		     struct tlsrpt_store_options *out)
{
	tlsrpt_store_options_default(out);
	out->dir = root == CONFIG_INSIDE_CHROOT ? c->store_directory
						: config_store_path(c);
	out->dedup_days = c->dedup_days;
	out->fsync = c->fsync == CONFIG_FSYNC_NONE ? TLSRPT_STORE_FSYNC_NONE
						   : TLSRPT_STORE_FSYNC_REPORT;
	out->limits = &c->limits;
}
