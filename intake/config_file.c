/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * config_file.c -- the file reader: lines of "Key value", comments, white
 * space, long lines, NUL bytes, a key set twice, and the file:line every
 * error names; config_set() feeds one line from elsewhere (a command-line
 * option) the same way. Apart from the values, which config_value.c
 * parses whatever the line came from.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "intake/config.h"
#include "intake/config_impl.h"

static char *
trim(char *s)
{
	char *end;

	s += strspn(s, " \t");
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
			   end[-1] == '\r' || end[-1] == '\n'))
		*--end = '\0';
	return s;
}

/* One line of a file (NUL-terminated, newline still on). */
static int
config_line(struct config *c, char *line, const char *where, unsigned lineno,
	    struct tlsrpt_error *err)
{
	char why[TLSRPT_ERROR_TEXT_MAX - 64];
	const struct config_key *k;
	char *key, *value, *p;

	/* A '#' starts a comment at the start of a line or after white
	 * space; one inside a word is kept (a socket path may hold one). */
	for (p = line; *p != '\0'; p++) {
		if (*p == '#' && (p == line || p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			break;
		}
	}
	key = trim(line);
	if (*key == '\0')
		return 0;
	value = key + strcspn(key, " \t");
	if (*value != '\0')
		*value++ = '\0';
	value = trim(value);
	k = config_find_key(key);
	if (k == NULL)
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, where,
					"%s: unknown key", key);
	if (*value == '\0')
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, where,
					"%s: a value is required", k->name);
	if (lineno != 0) {
		unsigned *seen = &c->set_line[k - config_keys];

		if (*seen != 0)
			return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, where,
						"%s: already set on line %u",
						k->name, *seen);
		*seen = lineno;
	}
	if (config_set_value(c, k, value, why, sizeof(why)) != 0)
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, where,
					"%s: %s", k->name, why);
	return 0;
}

int
config_load(struct config *c, const char *path, int missing_ok,
	    struct tlsrpt_error *err)
{
	char where[TLSRPT_ERROR_PATH_MAX];
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	ssize_t len;
	FILE *fp;
	int ret = -1;

	fp = fopen(path, "re");
	if (fp == NULL) {
		if (missing_ok && errno == ENOENT)
			return 0;
		return tlsrpt_error_set(err, TLSRPT_ERR_IO, path,
					"cannot open: %s", strerror(errno));
	}
	memset(c->set_line, 0, sizeof(c->set_line));
	/* getline() allocates with malloc: not the seam, freed with free(). */
	while ((len = getline(&line, &cap, fp)) != -1) {
		lineno++;
		snprintf(where, sizeof(where), "%s:%u", path, lineno);
		if (len > CONFIG_LINE_MAX) {
			tlsrpt_error_set(err, TLSRPT_ERR_INVALID, where,
					 "line longer than %d bytes",
					 CONFIG_LINE_MAX);
			goto out;
		}
		if (memchr(line, '\0', (size_t)len) != NULL) {
			tlsrpt_error_set(err, TLSRPT_ERR_INVALID, where,
					 "NUL byte in line");
			goto out;
		}
		if (config_line(c, line, where, lineno, err) != 0)
			goto out;
	}
	if (ferror(fp)) {
		tlsrpt_error_set(err, TLSRPT_ERR_IO, path, "read error: %s",
				 strerror(errno));
		goto out;
	}
	ret = 0;
out:
	free(line);
	fclose(fp);
	return ret;
}

int
config_set(struct config *c, const char *key, const char *value,
	   const char *where, struct tlsrpt_error *err)
{
	char buf[CONFIG_LINE_MAX];

	if (snprintf(buf, sizeof(buf), "%s %s", key, value) >= (int)sizeof(buf))
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, where,
					"%s: value too long", key);
	return config_line(c, buf, where, 0, err);
}
