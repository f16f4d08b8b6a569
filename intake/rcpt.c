/* SPDX-License-Identifier: BSD-2-Clause */
/* rcpt.c -- matching envelope recipients against ReportAddresses. */
#include "intake/rcpt.h"

#include <string.h>
#include <strings.h>

int
rcpt_normalize(const char *arg, char *buf, size_t size)
{
	const char *start = arg, *end;
	size_t len;

	start += strspn(start, " \t");
	if (*start == '<')
		start++;
	/* A source route "@a,@b:user@domain" ends at the colon. */
	if (*start == '@') {
		const char *colon = strchr(start, ':');

		if (colon == NULL)
			return -1;
		start = colon + 1;
	}
	end = start + strcspn(start, ">");
	while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	len = (size_t)(end - start);
	if (len == 0 || len >= size)
		return -1;
	memcpy(buf, start, len);
	buf[len] = '\0';
	return 0;
}

int
rcpt_matches(const struct config_list *patterns, const char *addr)
{
	const char *at = strrchr(addr, '@');

	for (size_t i = 0; i < patterns->n; i++) {
		const char *p = patterns->items[i];
		const char *pat = strrchr(p, '@');

		if (pat != NULL && strcmp(pat, "@*") == 0) {
			size_t local = (size_t)(pat - p);

			if (at != NULL && (size_t)(at - addr) == local &&
			    strncasecmp(addr, p, local) == 0)
				return 1;
		} else if (strcasecmp(addr, p) == 0) {
			return 1;
		}
	}
	return 0;
}
