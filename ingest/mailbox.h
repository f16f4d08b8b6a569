/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mailbox.h -- walk what a postmaster points tlsrpt-ingest at: a single
 * file (a message, a .json or a .json.gz), standard input, a maildir (its
 * new/ and cur/ folders) or an mbox file, one message at a time, so the
 * reports already sitting in a mailbox can be backfilled.
 */
#ifndef TLSRPT_INGEST_MAILBOX_H
#define TLSRPT_INGEST_MAILBOX_H

#include <stddef.h>

#include "base/error.h"

/* Called once per message. name says where it is ("box/cur/123.host",
 * "inbox.mbox, message 3 (line 201)"). When the message could not be read
 * (larger than the bound, I/O error), buf is NULL and err says why.
 * Return 0 to go on, -1 to stop the walk. */
typedef int mailbox_message_fn(void *ctx, const char *name,
			       const unsigned char *buf, size_t len,
			       const struct tlsrpt_error *err);

/* Walk path ("-" is standard input, read as one input). Every message is
 * read whole up to max_bytes. Returns 0 when the walk ended, -1 with err
 * when path could not be opened or read, or fn stopped it. */
int mailbox_walk(const char *path, size_t max_bytes, mailbox_message_fn *fn,
		 void *ctx, struct tlsrpt_error *err);

#endif
