/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * config_check.c -- the checks the key table names for string and list
 * values: libmilter sockets, USER[:GROUP], absolute paths, words,
 * addresses, domain names, HTTPS tokens, alert commands. Each says in
 * words why a value is refused. Apart from the table, which only names
 * them, and from the typed parsers, which call them for any key.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/argv.h"
#include "intake/config_impl.h"

static int
has_space(const char *s)
{
	return strpbrk(s, " \t\r\n\v\f") != NULL;
}

int
config_check_socket(const char *v, char *why, size_t size)
{
	static const char *const prefixes[] = {
		"inet:", "inet6:", "unix:", "local:"};

	if (v[0] == '/')
		return 0;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i]);

		if (strncasecmp(v, prefixes[i], n) == 0 && v[n] != '\0')
			return 0;
	}
	snprintf(why, size,
		 "\"%s\" is not a libmilter socket (inet:PORT@HOST, "
		 "inet6:PORT@HOST, unix:/PATH or local:/PATH)",
		 v);
	return -1;
}

int
config_check_user(const char *v, char *why, size_t size)
{
	const char *colon = strchr(v, ':');

	if (has_space(v) || v[0] == ':' ||
	    (colon != NULL && (colon[1] == '\0' || strchr(colon + 1, ':')))) {
		snprintf(why, size, "\"%s\" is not USER or USER:GROUP", v);
		return -1;
	}
	return 0;
}

int
config_check_path(const char *v, char *why, size_t size)
{
	if (v[0] != '/') {
		snprintf(why, size, "\"%s\" is not an absolute path", v);
		return -1;
	}
	return 0;
}

int
config_check_word(const char *v, char *why, size_t size)
{
	if (has_space(v)) {
		snprintf(why, size, "\"%s\" must not contain white space", v);
		return -1;
	}
	return 0;
}

/* An exact address or localpart@*: both sides non-empty, one '@' that
 * separates them (the last one: a quoted local part may hold another). */
int
config_check_address(const char *v, char *why, size_t size)
{
	const char *at = strrchr(v, '@');

	if (at == NULL || at == v || at[1] == '\0' || strpbrk(v, "<>") ||
	    (strchr(at + 1, '*') != NULL && strcmp(at + 1, "*") != 0)) {
		snprintf(why, size,
			 "\"%s\" is not an address (local@domain) or a "
			 "local part for every domain (local@*)",
			 v);
		return -1;
	}
	return 0;
}

/* A domain name: letters, digits, '-' and '.', not starting or ending with
 * a dot (a report address is built from it). */
int
config_check_domain(const char *v, char *why, size_t size)
{
	size_t n = strlen(v);

	if (n == 0 || v[0] == '.' || v[n - 1] == '.' || strstr(v, "..") ||
	    strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		      "0123456789-.") != n) {
		snprintf(why, size, "\"%s\" is not a domain name", v);
		return -1;
	}
	return 0;
}

/* "domain:token": the token is one URL path segment of unreserved
 * characters (RFC 3986), so it needs no escaping in the rua URI. */
int
config_check_token(const char *v, char *why, size_t size)
{
	const char *colon = strchr(v, ':');

	if (colon == NULL || colon == v || colon[1] == '\0' ||
	    strchr(v, '/') != NULL ||
	    strspn(colon + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			      "abcdefghijklmnopqrstuvwxyz0123456789-._~") !=
		    strlen(colon + 1)) {
		snprintf(why, size,
			 "\"%s\" is not domain:token (token of letters, "
			 "digits and -._~)",
			 v);
		return -1;
	}
	return 0;
}

/* AlertCommand: the words it splits into (base/argv.h) name a program. */
int
config_check_command(const char *v, char *why, size_t size)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char **argv = alert_argv_split(v, &err);

	if (argv == NULL) {
		snprintf(why, size, "%s", err.text);
		return -1;
	}
	alert_argv_free(argv);
	return 0;
}

int
config_share_ppm(const char *v, uint32_t *ppm)
{
	uint64_t n = 0;
	int digits = 0, decimals = -1;

	for (; (*v >= '0' && *v <= '9') || (*v == '.' && decimals < 0); v++) {
		if (*v == '.') {
			if (digits == 0)
				return -1; /* ".5": say 0.5 */
			decimals = 0;
			continue;
		}
		if (decimals >= 0 && ++decimals > 4)
			return -1;
		if (++digits > 9)
			return -1;
		n = n * 10 + (uint64_t)(*v - '0');
	}
	if (digits == 0 || decimals == 0 || (*v == '%' && *++v != '\0') ||
	    *v != '\0')
		return -1;
	for (decimals = decimals < 0 ? 0 : decimals; decimals < 4; decimals++)
		n *= 10;
	if (n > 1000000)
		return -1;
	*ppm = (uint32_t)n;
	return 0;
}

int
config_check_share(const char *v, char *why, size_t size)
{
	uint32_t ppm;

	if (config_share_ppm(v, &ppm) != 0) {
		snprintf(why, size,
			 "\"%s\" is not a percentage from 0 to 100 with at "
			 "most 4 decimals (0.1, 0.1%%, 5)",
			 v);
		return -1;
	}
	return 0;
}
