/* SPDX-License-Identifier: BSD-2-Clause */
/* argv.c -- split AlertCommand into words, double quotes grouping. */
#include "base/argv.h"

#include <string.h>

#include "base/alloc.h"

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	       c == '\f';
}

void
alert_argv_free(char **argv)
{
	if (argv == NULL)
		return;
	for (char **p = argv; *p != NULL; p++)
		tlsrpt_free(*p);
	tlsrpt_free(argv);
}

char **
alert_argv_split(const char *cmd, struct tlsrpt_error *err)
{
	size_t len = strlen(cmd), n = 0;
	char **argv = tlsrpt_calloc(ALERT_ARGV_MAX + 1, sizeof(*argv));
	char *word = tlsrpt_malloc(len + 1);
	const char *p = cmd;

	if (argv == NULL || word == NULL) {
		tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, "AlertCommand",
				 "out of memory");
		goto fail;
	}
	for (;;) {
		size_t w = 0;
		int quoted = 0, any = 0;

		while (is_space(*p))
			p++;
		if (*p == '\0')
			break;
		while (*p != '\0' && (quoted || !is_space(*p))) {
			any = 1;
			if (*p == '"') {
				quoted = !quoted;
				p++;
			} else if (quoted && *p == '\\' &&
				   (p[1] == '"' || p[1] == '\\')) {
				word[w++] = p[1];
				p += 2;
			} else {
				word[w++] = *p++;
			}
		}
		if (quoted) {
			tlsrpt_error_set(err, TLSRPT_ERR_INVALID,
					 "AlertCommand",
					 "a double quote is not closed");
			goto fail;
		}
		if (!any)
			continue;
		if (n == ALERT_ARGV_MAX) {
			tlsrpt_error_set(err, TLSRPT_ERR_INVALID,
					 "AlertCommand", "more than %d words",
					 ALERT_ARGV_MAX);
			goto fail;
		}
		if ((argv[n] = tlsrpt_strndup(word, w)) == NULL) {
			tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, "AlertCommand",
					 "out of memory");
			goto fail;
		}
		n++;
	}
	if (n == 0 || argv[0][0] == '\0') {
		tlsrpt_error_set(err, TLSRPT_ERR_INVALID, "AlertCommand",
				 "no program named");
		goto fail;
	}
	tlsrpt_free(word);
	return argv;
fail:
	tlsrpt_free(word);
	alert_argv_free(argv);
	return NULL;
}
