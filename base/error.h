/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * error.h -- how every library call in this project says what went wrong.
 *
 * A call returns 0 on success or -1 on failure and fills a struct
 * tlsrpt_error, as jansson's json_error_t does: a class a program can act on
 * (exit status, SMTP reply), the place in the input where it applies (a
 * path and, when known, a byte offset), and a sentence a person can act on.
 * As in jansson the first error wins: callers clear (or initialise) an
 * error before a new attempt, and tlsrpt_error_replace() is the one way
 * to overwrite on purpose.
 */
#ifndef TLSRPT_BASE_ERROR_H
#define TLSRPT_BASE_ERROR_H

#include <stddef.h>

enum tlsrpt_status {
	TLSRPT_OK = 0,
	TLSRPT_ERR_NOMEM,	/* allocation failed: retry later */
	TLSRPT_ERR_NOT_REPORT,	/* the input holds no TLS report at all */
	TLSRPT_ERR_INVALID,	/* a report, but broken: bad JSON, bad field */
	TLSRPT_ERR_LIMIT,	/* a configured bound was exceeded */
	TLSRPT_ERR_UNSUPPORTED, /* a payload kind we do not read (zip) */
	TLSRPT_ERR_IO,		/* reading or writing a file failed */
	TLSRPT_ERR_INTERNAL,	/* a bug or an impossible state */
};

#define TLSRPT_ERROR_PATH_MAX 192
#define TLSRPT_ERROR_TEXT_MAX 320

/* The offset of an error that applies to no one byte (a limit on the
 * whole input, a file that cannot be opened). */
#define TLSRPT_ERROR_NO_OFFSET (-1L)

struct tlsrpt_error {
	enum tlsrpt_status code;
	/* JSON path ("policies[2].summary.total-failure-session-count"), MIME
	 * part ("part 2 (application/tlsrpt+gzip)") or file name; "" if none.
	 */
	char path[TLSRPT_ERROR_PATH_MAX];
	/* Byte offset, in the bytes the error speaks of (the JSON text, the
	 * compressed stream, the message), where it applies, as jansson's
	 * json_error_t.position; TLSRPT_ERROR_NO_OFFSET when unknown. */
	long offset;
	char text[TLSRPT_ERROR_TEXT_MAX];
};

/* "No error": for a declaration, struct tlsrpt_error err =
 * TLSRPT_ERROR_INIT; (or call tlsrpt_error_clear() before first use). */
#define TLSRPT_ERROR_INIT                                 \
	{                                                 \
		TLSRPT_OK, "", TLSRPT_ERROR_NO_OFFSET, "" \
	}

/* Reset to "no error": before err is used again for a new attempt whose
 * failure must not be hidden by an earlier one (a loop over inputs). */
void tlsrpt_error_clear(struct tlsrpt_error *err);

/* Fill err (which may be NULL) and return -1, so a caller can write
 * "return tlsrpt_error_set(err, ...);". path may be NULL; the offset is
 * unknown. The FIRST error wins, as jansson's: when err already holds an
 * error, it is kept and nothing is written, so a caller's general "cannot
 * read X" never hides the precise reason a callee gave. err must have
 * been cleared (or initialised with TLSRPT_ERROR_INIT). */
int tlsrpt_error_set(struct tlsrpt_error *err, enum tlsrpt_status code,
		     const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* tlsrpt_error_set() with the byte offset the error applies to
 * (TLSRPT_ERROR_NO_OFFSET when unknown). */
int tlsrpt_error_set_at(struct tlsrpt_error *err, enum tlsrpt_status code,
			const char *path, long offset, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Overwrite whatever err holds, on purpose: for a caller that turns a
 * callee's error into another one (a failure it recovers from, a reason
 * it words better). Offset unknown. Returns -1. */
int tlsrpt_error_replace(struct tlsrpt_error *err, enum tlsrpt_status code,
			 const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Whether err holds an error (code is not TLSRPT_OK). */
int tlsrpt_error_is_set(const struct tlsrpt_error *err);

/* Prefix err->path with "prefix" (joined with '.' unless path starts with
 * '[' ), used when an error bubbles up through a nesting level. */
void tlsrpt_error_prefix_path(struct tlsrpt_error *err, const char *prefix);

/* "path: text" (or just text when path is empty), followed by " (at byte
 * N)" when the offset is known, into buf; returns buf. */
const char *tlsrpt_error_format(const struct tlsrpt_error *err, char *buf,
				size_t size);

/* Short name of a status: "invalid", "limit", ... */
const char *tlsrpt_status_name(enum tlsrpt_status code);

#endif
