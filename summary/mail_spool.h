/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mail_spool.h -- the digest e-mail's bytes kept off the heap (issue 21):
 * each body is rendered, as the other formats are written, into an
 * unlinked temporary file, and GMime reads it from there through a
 * GMimeStream while it encodes the message onto the output, so memory
 * holds the headers and GMime's 4 KB buffers, not the message (a 761 MB
 * digest took 2.3 GB when it was built whole in memory).
 */
#ifndef TLSRPT_SUMMARY_MAIL_SPOOL_H
#define TLSRPT_SUMMARY_MAIL_SPOOL_H

#include <gmime/gmime.h>
#include <stdio.h>

#include "base/error.h"
#include "summary/aggregate.h"
#include "summary/render.h"

/* The view fn renders of a, written into a new temporary file in
 * g_get_tmp_dir() ($TMPDIR, else /tmp) that is unlinked at once, so
 * nothing is left behind however the program ends. Returns a stream
 * reading the file from its start (caller g_object_unref()s; that closes
 * the file), or NULL with err (TLSRPT_ERR_IO naming the directory and
 * what failed: the file could not be made, or the view could not be
 * written whole, as on a full disk). what names the view in the error
 * ("text", "html"). */
GMimeStream *summary_mail_spool(summary_render_fn fn,
				const struct summary_agg *a,
				const struct summary_render_ctx *ctx,
				const char *what, struct tlsrpt_error *err);

/* A write-only stream onto out (borrowed; left open): GMime's streams
 * onto a FILE seek before each write, which a pipe refuses. A write
 * returns -1 when fwrite() fails, flush when fflush() fails, and the
 * first failure's errno goes to *write_errno (0 until then; it must
 * outlive the stream). */
GMimeStream *summary_mail_stream_out(FILE *out, int *write_errno);

#endif
