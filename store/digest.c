/* SPDX-License-Identifier: BSD-2-Clause */
/* digest.c -- the content digest of a report (see digest.h). */
#include "store/digest.h"

#include <glib.h>
#include <jansson.h>
#include <string.h>

#include "base/alloc.h"
#include "report/report_json.h"

int
tlsrpt_report_digest(const struct tlsrpt_report *r,
		     char out[TLSRPT_DIGEST_HEX + 1])
{
	json_t *j = tlsrpt_report_to_json(r);
	GChecksum *ck;
	char *text;

	if (j == NULL)
		return -1;
	/* Sorted keys: the digest must not depend on member order. */
	text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	if (text == NULL)
		return -1;
	ck = g_checksum_new(G_CHECKSUM_SHA256);
	g_checksum_update(ck, (const guchar *)text, (gssize)strlen(text));
	memcpy(out, g_checksum_get_string(ck), TLSRPT_DIGEST_HEX);
	out[TLSRPT_DIGEST_HEX] = '\0';
	g_checksum_free(ck);
	tlsrpt_free(text); /* jansson allocates through the seam */
	return 0;
}

int
tlsrpt_digest_valid(const char *s)
{
	size_t i;

	for (i = 0; i < TLSRPT_DIGEST_HEX; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	}
	return s[i] == '\0';
}
