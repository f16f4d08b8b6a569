/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * message.h -- inside report/ only: the MIME walk and the step that turns
 * one payload into one input item. input.c dispatches to these.
 */
#ifndef TLSRPT_REPORT_MESSAGE_H
#define TLSRPT_REPORT_MESSAGE_H

#include <stddef.h>

#include "base/error.h"
#include "report/input.h"
#include "report/limits.h"

/* Parse buf as an RFC 5322 message into in (meta and one item per report
 * candidate part; in was zeroed by the caller and is freed by it). Returns
 * 0 when the walk completed, whatever the items hold (gate, which may be
 * NULL, is asked once the headers are read; see input.h); -1 with err filled
 * for an error of the whole message (not a message, too deep, too many
 * parts or report parts, out of memory). */
int tlsrpt_message_parse(const void *buf, size_t len,
			 const struct tlsrpt_limits *limits,
			 const struct tlsrpt_input_gate *gate,
			 struct tlsrpt_input *in, struct tlsrpt_error *err);

/* Hints about a payload from its envelope, used only to word errors. */
struct tlsrpt_payload_hint {
	const char *content_type; /* "type/subtype" lower case, or NULL */
	const char *filename;	  /* or NULL */
};

/* Decide what the payload bytes are, inflate them if compressed, and parse
 * the report into item->report, or say why not in item->error. Fills
 * item->kind and item->payload_bytes. Returns 0 when a report was parsed,
 * -1 otherwise (item->error.code TLSRPT_ERR_NOMEM when memory ran out). */
int tlsrpt_item_parse_payload(struct tlsrpt_input_item *item, const void *buf,
			      size_t len,
			      const struct tlsrpt_payload_hint *hint,
			      const struct tlsrpt_limits *limits);

#endif
