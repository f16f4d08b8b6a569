/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * render_mail.h -- the digest e-mail of tlsrpt-summary (--format mail): a
 * complete RFC 5322 message, multipart/alternative with the text view and
 * the HTML view, composed with GMime, ready for `sendmail -t`.
 *
 * Unlike the other formats it needs addresses, so it is not in the table
 * of render.c: summary_main.c calls it by name. The caller has called
 * g_mime_init() once.
 */
#ifndef TLSRPT_SUMMARY_RENDER_MAIL_H
#define TLSRPT_SUMMARY_RENDER_MAIL_H

#include <gmime/gmime.h>
#include <stdio.h>

#include "base/error.h"
#include "summary/aggregate.h"
#include "summary/render.h"

struct summary_mail_options {
	/* Recipients: each an address or a list of them, as in a To: header
	 * ("postmaster", "Ops <ops@example.org>, pm@example.org"). At least
	 * one. Borrowed. */
	const char *const *to;
	size_t n_to;
	const char *from;     /* NULL: tlsrpt-summary@HOSTNAME */
	const char *subject;  /* NULL: summary_mail_subject() */
	const char *hostname; /* for From and Message-ID; NULL: gethostname */
	int only_problems;    /* write nothing when summary_fine() */
};

/* 1 when the window holds nothing a postmaster must act on: at least one
 * session was reported, no domain's failures reach the noise threshold
 * (summary/triage.h), no domain or reporter went silent and
 * no damaged store line was skipped. Reporters' bookkeeping quirks (details
 * not adding up, reports failing DKIM) are shown in a digest but do not
 * make one. */
int summary_fine(const struct summary_agg *a);

/* The Subject: "TLS-RPT: " and the verdict in a few words, at most 100
 * characters, the worst domain first, such as "example.org 3.1% failures
 * (certificate-expired), 2 domains OK". Caller g_free()s. */
char *summary_mail_subject(const struct summary_agg *a);

/* The digest as a message (caller g_object_unref()s). Its two bodies
 * are read from unlinked temporary files in $TMPDIR (summary/
 * mail_spool.h), open until the message is freed. Returns 0, or -1 with
 * err (TLSRPT_ERR_INVALID: an address or header text that cannot be
 * used, named in the text; TLSRPT_ERR_IO: a view could not be written
 * to its temporary file). */
int summary_mail_compose(const struct summary_agg *a,
			 const struct summary_render_ctx *ctx,
			 const struct summary_mail_options *mo,
			 GMimeMessage **msg, struct tlsrpt_error *err);

/* Compose and write the message to out with LF line ends, encoded as
 * it is written: nothing is written until both bodies are whole in their
 * files, and memory does not grow with the message; with
 * only_problems and a fine window write nothing. *written gets 1 when a
 * message was written (may be NULL). Returns 0, or -1 with err. */
int summary_render_mail(FILE *out, const struct summary_agg *a,
			const struct summary_render_ctx *ctx,
			const struct summary_mail_options *mo, int *written,
			struct tlsrpt_error *err);

#endif
