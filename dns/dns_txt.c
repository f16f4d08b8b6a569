/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns_txt.c -- TXT records as they travel: the RDATA of an answer decoded
 * into one string (its character-strings joined, as RFC 8460 section 3
 * and RFC 8461 section 3.1 say), and a value written as a zone-file line
 * cut into character-strings. Nothing here knows what a record means.
 */
#include "dns/dns_record.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"

int
dns_txt_from_rdata(const unsigned char *rdata, size_t rdlen,
		   struct dns_txt *out, struct tlsrpt_error *err)
{
	size_t o = 0;

	out->text = NULL;
	out->len = 0;
	out->nstrings = 0;
	/* The joined text is never longer than the RDATA. */
	out->text = tlsrpt_malloc(rdlen + 1);
	if (out->text == NULL)
		return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL,
					"out of memory");
	for (size_t i = 0; i < rdlen;) {
		size_t n = rdata[i++];

		if (n > rdlen - i) {
			dns_txt_clear(out);
			return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, NULL,
						"malformed TXT data: a "
						"character-string runs past "
						"the end of the record");
		}
		memcpy(out->text + o, rdata + i, n);
		o += n;
		i += n;
		out->nstrings++;
	}
	out->text[o] = '\0';
	out->len = o;
	return 0;
}

void
dns_txt_clear(struct dns_txt *txt)
{
	if (txt == NULL)
		return;
	tlsrpt_free(txt->text);
	txt->text = NULL;
	txt->len = 0;
	txt->nstrings = 0;
}

int
dns_zone_txt_line(const char *owner, const char *value, char **out,
		  struct tlsrpt_error *err)
{
	size_t vlen = strlen(value), cap, o;
	char *buf;
	int n;

	*out = NULL;
	/* Every octet may double when escaped, plus quotes and spaces. */
	cap = strlen(owner) + 32 + 2 * vlen + 3 * (vlen / 255 + 1);
	buf = tlsrpt_malloc(cap);
	if (buf == NULL)
		return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL,
					"out of memory");
	n = snprintf(buf, cap, "%s. IN TXT", owner);
	if (n < 0 || (size_t)n >= cap) {
		tlsrpt_free(buf);
		return tlsrpt_error_set(err, TLSRPT_ERR_INTERNAL, NULL,
					"zone line does not fit");
	}
	o = (size_t)n;
	for (size_t i = 0; i < vlen || i == 0; i += DNS_TXT_STRING_MAX) {
		size_t end = i + DNS_TXT_STRING_MAX < vlen
				     ? i + DNS_TXT_STRING_MAX
				     : vlen;

		buf[o++] = ' ';
		buf[o++] = '"';
		for (size_t k = i; k < end; k++) {
			if (value[k] == '"' || value[k] == '\\')
				buf[o++] = '\\';
			buf[o++] = value[k];
		}
		buf[o++] = '"';
		if (vlen == 0)
			break;
	}
	buf[o] = '\0';
	*out = buf;
	return 0;
}
