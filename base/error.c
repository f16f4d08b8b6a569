/* SPDX-License-Identifier: BSD-2-Clause */
/* error.c -- filling and formatting struct tlsrpt_error. */
#include "base/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
tlsrpt_error_clear(struct tlsrpt_error *err)
{
	if (err == NULL)
		return;
	err->code = TLSRPT_OK;
	err->path[0] = '\0';
	err->offset = TLSRPT_ERROR_NO_OFFSET;
	err->text[0] = '\0';
}

/* Fill err and return -1; with keep_first, an error err already holds
 * stays (the first error wins, as jansson's). */
static int
vset(struct tlsrpt_error *err, int keep_first, enum tlsrpt_status code,
     const char *path, long offset, const char *fmt, va_list ap)
{
	if (err == NULL || (keep_first && err->code != TLSRPT_OK))
		return -1;
	err->code = code;
	err->offset = offset < 0 ? TLSRPT_ERROR_NO_OFFSET : offset;
	/* Truncation of a path or message is harmless: keep what fits. */
	if (snprintf(err->path, sizeof(err->path), "%s",
		     path != NULL ? path : "") < 0)
		err->path[0] = '\0';
	if (vsnprintf(err->text, sizeof(err->text), fmt, ap) < 0)
		err->text[0] = '\0';
	return -1;
}

int
tlsrpt_error_set(struct tlsrpt_error *err, enum tlsrpt_status code,
		 const char *path, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset(err, 1, code, path, TLSRPT_ERROR_NO_OFFSET, fmt, ap);
	va_end(ap);
	return -1;
}

int
tlsrpt_error_set_at(struct tlsrpt_error *err, enum tlsrpt_status code,
		    const char *path, long offset, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset(err, 1, code, path, offset, fmt, ap);
	va_end(ap);
	return -1;
}

int
tlsrpt_error_replace(struct tlsrpt_error *err, enum tlsrpt_status code,
		     const char *path, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset(err, 0, code, path, TLSRPT_ERROR_NO_OFFSET, fmt, ap);
	va_end(ap);
	return -1;
}

int
tlsrpt_error_is_set(const struct tlsrpt_error *err)
{
	return err != NULL && err->code != TLSRPT_OK;
}

void
tlsrpt_error_prefix_path(struct tlsrpt_error *err, const char *prefix)
{
	char joined[TLSRPT_ERROR_PATH_MAX];
	const char *sep;

	if (err == NULL || prefix == NULL || prefix[0] == '\0')
		return;
	if (err->path[0] == '\0' || err->path[0] == '[')
		sep = "";
	else
		sep = ".";
	/* A path too long to keep whole is cut; the start says the most. */
	if (snprintf(joined, sizeof(joined), "%s%s%s", prefix, sep, err->path) <
	    0)
		return;
	memcpy(err->path, joined, sizeof(err->path));
}

const char *
tlsrpt_error_format(const struct tlsrpt_error *err, char *buf, size_t size)
{
	char at[40] = "";
	int n;

	if (size == 0)
		return buf;
	if (err->offset >= 0)
		snprintf(at, sizeof(at), " (at byte %ld)", err->offset);
	if (err->path[0] != '\0')
		n = snprintf(buf, size, "%s: %s%s", err->path, err->text, at);
	else
		n = snprintf(buf, size, "%s%s", err->text, at);
	if (n < 0)
		buf[0] = '\0';
	return buf;
}

const char *
tlsrpt_status_name(enum tlsrpt_status code)
{
	switch (code) {
	case TLSRPT_OK: return "ok";
	case TLSRPT_ERR_NOMEM: return "out of memory";
	case TLSRPT_ERR_NOT_REPORT: return "not a report";
	case TLSRPT_ERR_INVALID: return "invalid";
	case TLSRPT_ERR_LIMIT: return "limit exceeded";
	case TLSRPT_ERR_UNSUPPORTED: return "unsupported";
	case TLSRPT_ERR_IO: return "I/O error";
	case TLSRPT_ERR_INTERNAL: return "internal error";
	}
	return "unknown";
}
