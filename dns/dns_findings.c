/* SPDX-License-Identifier: BSD-2-Clause */
/* dns_findings.c -- the list of OK / WARNING / ERROR lines a check fills. */
#include "dns/dns_record.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* How much of a record a finding quotes: enough to recognise it. */
#define QUOTE_MAX 160

void
dns_findings_init(struct dns_findings *f)
{
	f->n = 0;
	f->dropped = 0;
	memset(f->n_level, 0, sizeof(f->n_level));
}

void
dns_finding_add(struct dns_findings *f, enum dns_level level, const char *fmt,
		...)
{
	va_list ap;
	struct dns_finding *it;

	f->n_level[level]++;
	if (f->n >= DNS_FINDINGS_MAX) {
		f->dropped++;
		return;
	}
	it = &f->item[f->n++];
	it->level = level;
	va_start(ap, fmt);
	/* A finding too long to keep whole is cut: the start says most. */
	if (vsnprintf(it->text, sizeof(it->text), fmt, ap) < 0)
		it->text[0] = '\0';
	va_end(ap);
}

const char *
dns_level_name(enum dns_level level)
{
	switch (level) {
	case DNS_OK: return "OK";
	case DNS_WARNING: return "WARNING";
	case DNS_ERROR: return "ERROR";
	}
	return "?";
}

const char *
dns_quote(const char *s, size_t len, char *buf, size_t size)
{
	size_t o = 0, shown = 0;

	if (size < 8) {
		if (size > 0)
			buf[0] = '\0';
		return buf;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		int n;

		/* Room for the longest escape, "..." and the NUL. */
		if (shown >= QUOTE_MAX || o + 8 >= size) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (c >= 0x20 && c < 0x7f && c != '\\')
			n = snprintf(buf + o, size - o, "%c", c);
		else
			n = snprintf(buf + o, size - o, "\\x%02x", c);
		if (n < 0)
			break;
		o += (size_t)n;
		shown++;
	}
	buf[o] = '\0';
	return buf;
}
