/* conf.c -- StoreDirectory (and Chroot) from tlsrpt-milter.conf. */
#include "summary/conf.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>

#define LINE_MAX_BYTES 4096

int
summary_conf_store_dir(const char *path, char **out, struct tlsrpt_error *err)
{
	char line[LINE_MAX_BYTES];
	char *store = NULL, *chroot_dir = NULL;
	FILE *f;
	int rc = -1;

	*out = NULL;
	f = fopen(path, "re");
	if (f == NULL)
		return tlsrpt_error_set(err, TLSRPT_ERR_IO, path,
					"cannot read the configuration: %s",
					strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		char *key = line, *val;
		size_t n = strcspn(key, " \t\r\n");

		key += strspn(key, " \t");
		n = strcspn(key, " \t\r\n");
		if (key[0] == '#' || n == 0)
			continue;
		val = key + n;
		if (*val != '\0')
			*val++ = '\0';
		val = g_strstrip(val);
		if (g_ascii_strcasecmp(key, "StoreDirectory") == 0) {
			g_free(store);
			store = g_strdup(val);
		} else if (g_ascii_strcasecmp(key, "Chroot") == 0) {
			g_free(chroot_dir);
			chroot_dir = g_strdup(val);
		}
	}
	if (ferror(f)) {
		tlsrpt_error_set(err, TLSRPT_ERR_IO, path,
				 "cannot read the configuration: %s",
				 strerror(errno));
		goto out;
	}
	if (store != NULL && store[0] != '\0') {
		if (chroot_dir != NULL && chroot_dir[0] != '\0')
			*out = g_build_filename(chroot_dir, store, NULL);
		else
			*out = g_strdup(store);
	}
	rc = 0;
out:
	g_free(store);
	g_free(chroot_dir);
	fclose(f);
	return rc;
}
