/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ingest_feed.h -- messages read by one process, handed to another over a
 * pipe.
 *
 * A root-run tlsrpt-ingest must still read a mailbox only root can read
 * (/home/USER/Maildir), yet must neither parse hostile reports as root nor
 * write the store as root. So it forks: the root half only reads inputs
 * (mailbox_walk(): files, maildir entries, mbox framing) and sends each
 * message's bytes down a pipe; the other half becomes the store's owner
 * and parses and stores what arrives, exactly as it would from a file.
 */
#ifndef TLSRPT_INGEST_FEED_H
#define TLSRPT_INGEST_FEED_H

#include <stddef.h>

#include "ingest/mailbox.h"
#include "base/error.h"

/* Send one message (name and bytes) down fd. Returns 0, or -1 with errno
 * (EPIPE: the reading half is gone). */
int ingest_feed_send(int fd, const char *name, const unsigned char *buf,
		     size_t len);

/* Read messages from fd to its end, calling fn for each (buf owned by the
 * feed, valid during the call). A message over max_bytes or a broken frame
 * ends the feed with an error. Returns 0 at the end of the feed, -1 with
 * err, or -1 when fn stopped it. */
int ingest_feed_receive(int fd, size_t max_bytes, mailbox_message_fn *fn,
			void *ctx, struct tlsrpt_error *err);

#endif
