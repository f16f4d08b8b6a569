/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * input.h -- from raw bytes (an e-mail message, a .json.gz or a .json) to
 * the reports they carry. The one path every entry point takes: the milter's
 * end-of-message, tlsrpt-ingest for files and mailboxes, and the CGI mode.
 *
 * The bytes are sniffed: gzip/zlib and JSON are a bare report; anything else
 * is parsed as an RFC 5322 message with GMime, every leaf part is looked at
 * (forwarded message/rfc822 parts included), and each part that is a report
 * candidate -- by content type, file name or magic bytes -- becomes one item
 * with either a report or the error that part produced.
 *
 * Thread-safe: one call uses only its own GMime objects. The caller must
 * have called g_mime_init() (via tlsrpt_parser_init()) once at start-up.
 */
#ifndef TLSRPT_REPORT_INPUT_H
#define TLSRPT_REPORT_INPUT_H

#include <stddef.h>

#include "base/error.h"
#include "report/limits.h"
#include "report/payload.h"
#include "report/report.h"

/* The message headers a receiver needs. Every string is NULL when the
 * header is absent; values are unfolded and decoded (RFC 2047) text. */
struct tlsrpt_message_meta {
	char *message_id; /* without angle brackets */
	char *from;
	char *subject;
	char *date;		/* as written */
	char *report_domain;	/* TLS-Report-Domain */
	char *report_submitter; /* TLS-Report-Submitter */
	char **auth_results; /* every Authentication-Results value, in order */
	/* For each of them, how many Received headers are above it: what
	 * the sender wrote lies below the first (RFC 8601 section 5). */
	size_t *auth_results_received_above;
	size_t n_auth_results;
};

struct tlsrpt_input_item {
	/* Where the report came from: "report.json.gz" / the MIME part's file
	 * name, or NULL for a bare file handed in without a name. */
	char *filename;
	char *content_type; /* the part's "type/subtype", NULL for bare input */
	enum tlsrpt_payload_kind kind;
	size_t payload_bytes;	      /* decoded (still compressed) size */
	struct tlsrpt_report *report; /* NULL when this part failed */
	struct tlsrpt_error error;    /* code TLSRPT_OK when report != NULL */
};

struct tlsrpt_input {
	int is_message; /* 1 when the input was parsed as a message */
	struct tlsrpt_message_meta meta;
	struct tlsrpt_input_item *items;
	size_t n_items;
	/* Why the whole input was refused, or its MIME walk stopped before
	 * the end: larger than MaxMessageSize, empty, not a message, too many
	 * MIME parts or report parts, out of memory. Code TLSRPT_OK when every
	 * part was looked at. The items found before a stop are kept; one
	 * part's own failure is in that item's error, never here, so a caller
	 * tells "the rest was not read" from "this part failed" by this field
	 * alone. */
	struct tlsrpt_error stop;
};

/* Call once before threads start: initialises GMime and the allocation seam. */
void tlsrpt_parser_init(void);
void tlsrpt_parser_shutdown(void);

/* Parse buf. Returns 0 when at least one report was found and parsed (other
 * items may still carry errors); -1 otherwise, with err saying why: no
 * report in the input (TLSRPT_ERR_NOT_REPORT), the first item's error when
 * every candidate failed, or (*out)->stop, an error of the whole input. A
 * stop after some reports were parsed returns -1 too. On both returns *out
 * is set (when memory allowed) so the caller can log metadata and per-part
 * errors; free it with tlsrpt_input_free(). */
int tlsrpt_input_parse(const void *buf, size_t len,
		       const struct tlsrpt_limits *limits,
		       struct tlsrpt_input **out, struct tlsrpt_error *err);

/* A decision on the headers before any report part is inflated or parsed
 * (RequireDKIM decides from Authentication-Results alone, so a forged mail
 * costs no inflate and no JSON parse). fn sees in->meta (empty for bare
 * input) and returns 0 to parse the parts, or -1 with why filled to leave
 * each report part unparsed: its item then has no report and why as its
 * error. */
struct tlsrpt_input_gate {
	int (*fn)(void *ctx, const struct tlsrpt_input *in,
		  struct tlsrpt_error *why);
	void *ctx;
};

/* tlsrpt_input_parse() with a gate (NULL: none). */
int tlsrpt_input_parse_gated(const void *buf, size_t len,
			     const struct tlsrpt_limits *limits,
			     const struct tlsrpt_input_gate *gate,
			     struct tlsrpt_input **out,
			     struct tlsrpt_error *err);

void tlsrpt_input_free(struct tlsrpt_input *in); /* NULL is a no-op */

#endif
