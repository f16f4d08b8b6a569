/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * config_derive.c -- config_finish(): the defaults that come from other
 * keys or from the system once the file is read (HostName from
 * gethostname(), TrustedAuthservIDs from HostName, Domains from HostName,
 * ReportAddresses and AlertDomains from Domains, the store path from
 * Chroot and StoreDirectory), and the place for rules between keys.
 * Apart from the reader: it runs once, after every source of values.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "base/alloc.h"
#include "intake/config.h"
#include "intake/config_impl.h"

/* Domains from HostName as Postfix derives mydomain from myhostname: all
 * but the first label, "localdomain" for a name without a dot. Then
 * ReportAddresses (tlsrpt@ each) and AlertDomains (the same list) where
 * the file did not set them: mail for other domains, relayed through this
 * host, is none of our business. AlertDomains "*" (every domain) stays
 * as it is: config_alert_domains() reads it. */
static int
finish_domains(struct config *c, struct tlsrpt_error *err)
{
	char why[128];
	GString *addrs;
	int rc = 0;

	if (c->domains.n == 0) {
		const char *dot = strchr(c->host_name, '.');
		const char *d =
			dot != NULL && dot[1] != '\0' ? dot + 1 : "localdomain";

		c->domains_derived = 1;
		if (config_set_value(c, config_find_key("Domains"), d, why,
				     sizeof(why)) != 0)
			return tlsrpt_error_set(
				err, TLSRPT_ERR_INVALID, "Domains",
				"HostName %s gives no usable domain: %s; set "
				"Domains",
				c->host_name, why);
	}
	if (c->report_addresses.n == 0) {
		addrs = g_string_new(NULL);
		for (size_t i = 0; i < c->domains.n; i++)
			g_string_append_printf(addrs, "%stlsrpt@%s",
					       i ? ", " : "",
					       c->domains.items[i]);
		if (config_set_value(c, config_find_key("ReportAddresses"),
				     addrs->str, why, sizeof(why)) != 0)
			rc = tlsrpt_error_set(err, TLSRPT_ERR_INVALID,
					      "ReportAddresses", "%s", why);
		g_string_free(addrs, TRUE);
		if (rc != 0)
			return rc;
	}
	if (c->alert_domains.n == 0) {
		for (size_t i = 0; i < c->domains.n; i++) {
			char **grown = tlsrpt_reallocarray(
				c->alert_domains.items, i + 1, sizeof(*grown));
			char *d = grown != NULL
					  ? tlsrpt_strdup(c->domains.items[i])
					  : NULL;

			if (grown != NULL)
				c->alert_domains.items = grown;
			if (d == NULL)
				return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM,
							"AlertDomains",
							"out of memory");
			c->alert_domains.items[c->alert_domains.n++] = d;
		}
	}
	return 0;
}

int
config_finish(struct config *c, struct tlsrpt_error *err)
{
	char host[256];
	char why[128];

	if (c->host_name == NULL) {
		if (gethostname(host, sizeof(host)) != 0 || host[0] == '\0')
			snprintf(host, sizeof(host), "localhost");
		host[sizeof(host) - 1] = '\0';
		if (config_set_value(c, config_find_key("HostName"), host, why,
				     sizeof(why)) != 0)
			return tlsrpt_error_set(
				err, TLSRPT_ERR_INVALID, "HostName",
				"gethostname() gave an unusable "
				"name: %s; set HostName",
				why);
	}
	if (c->trusted_authserv_ids.n == 0 &&
	    config_set_value(c, config_find_key("TrustedAuthservIDs"),
			     c->host_name, why, sizeof(why)) != 0)
		return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM,
					"TrustedAuthservIDs", "%s", why);
	if (finish_domains(c, err) != 0)
		return -1;
	/* Both are absolute paths (config_check_path); "/srv/chr/" + "/store"
	 * is still /srv/chr/store. */
	g_free(c->store_path);
	c->store_path = c->chroot_dir != NULL
				? g_build_filename(c->chroot_dir,
						   c->store_directory, NULL)
				: g_strdup(c->store_directory);
	/* A message bigger than the buffer cannot hold a report bigger than
	 * it either, but a gzip report inflates past it: no rule between
	 * the two sizes. Nothing else depends on another key today. */
	return 0;
}
