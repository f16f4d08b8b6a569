/* SPDX-License-Identifier: BSD-2-Clause */
/* input.c -- from raw bytes to reports: sniff, then payload or message. */
#include "report/input.h"

#include <gmime/gmime.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"
#include "report/inflate.h"
#include "report/message.h"

void
tlsrpt_parser_init(void)
{
	tlsrpt_alloc_init();
	json_object_seed(0);
	g_mime_init();
}

void
tlsrpt_parser_shutdown(void)
{
	g_mime_shutdown();
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n, m;

	if (s == NULL)
		return 0;
	n = strlen(s);
	m = strlen(suffix);
	return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* A hint that the sender meant this part as a TLS report: then bytes we
 * cannot read are a broken report, not some other attachment. Bare input
 * (no hint) was handed to us as a report. */
static int
hint_is_strong(const struct tlsrpt_payload_hint *hint)
{
	if (hint == NULL)
		return 1;
	if (hint->content_type != NULL &&
	    strncmp(hint->content_type, "application/tlsrpt", 18) == 0)
		return 1;
	return ends_with(hint->filename, ".json") ||
	       ends_with(hint->filename, ".json.gz") ||
	       ends_with(hint->filename, ".json.zip");
}

/* The first bytes, for a message: printable as text, else as hex. */
static const char *
first_bytes(const unsigned char *b, size_t len, char *buf, size_t size)
{
	size_t n = len < 8 ? len : 8, i, printable = 1, off = 0;

	if (n == 0)
		return "nothing";
	for (i = 0; i < n; i++)
		if (b[i] < 0x20 || b[i] > 0x7e || b[i] == '"')
			printable = 0;
	if (printable) {
		snprintf(buf, size, "\"%.*s\"", (int)n, (const char *)b);
		return buf;
	}
	buf[0] = '\0';
	for (i = 0; i < n && off + 4 < size; i++)
		off += (size_t)snprintf(buf + off, size - off, "%s%02x",
					i > 0 ? " " : "", b[i]);
	return buf;
}

/* The name of the first file in a zip archive (its first local header),
 * copied into buf; "" when it cannot be read. */
static void
zip_first_name(const unsigned char *b, size_t len, char *buf, size_t size)
{
	size_t n;

	buf[0] = '\0';
	if (len < 30 || size == 0)
		return;
	n = (size_t)b[26] | (size_t)b[27] << 8;
	if (n > len - 30)
		n = len - 30;
	if (n > size - 1)
		n = size - 1;
	memcpy(buf, b + 30, n);
	buf[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (buf[i] < 0x20 || buf[i] > 0x7e)
			buf[i] = '?';
}

static int
refuse_zip(struct tlsrpt_input_item *item, const unsigned char *b, size_t len,
	   int strong)
{
	char name[128];

	zip_first_name(b, len, name, sizeof(name));
	if (strong || ends_with(name, ".json"))
		return tlsrpt_error_set(
			&item->error, TLSRPT_ERR_UNSUPPORTED, NULL,
			"zip-compressed reports are not supported; RFC 8460 "
			"asks for gzip (application/tlsrpt+gzip): unzip %s and "
			"feed the JSON to tlsrpt-ingest",
			name[0] != '\0' ? name : "the archive");
	return tlsrpt_error_set(&item->error, TLSRPT_ERR_NOT_REPORT, NULL,
				"a zip archive holding %s, not a TLS report",
				name[0] != '\0' ? name : "unknown files");
}

int
tlsrpt_item_parse_payload(struct tlsrpt_input_item *item, const void *buf,
			  size_t len, const struct tlsrpt_payload_hint *hint,
			  const struct tlsrpt_limits *limits)
{
	const unsigned char *json = buf;
	unsigned char *inflated = NULL;
	size_t json_len = len;
	int strong = hint_is_strong(hint), rc = -1;
	char shown[40];

	tlsrpt_error_clear(&item->error);
	item->kind = tlsrpt_payload_sniff(buf, len);
	item->payload_bytes = len;
	switch (item->kind) {
	case TLSRPT_PAYLOAD_ZIP: refuse_zip(item, buf, len, strong); goto out;
	case TLSRPT_PAYLOAD_GZIP:
	case TLSRPT_PAYLOAD_ZLIB:
		if (tlsrpt_inflate(buf, len, limits, &inflated, &json_len,
				   &item->error) != 0)
			goto out;
		json = inflated;
		if (tlsrpt_payload_sniff(json, json_len) !=
		    TLSRPT_PAYLOAD_JSON) {
			tlsrpt_error_set(
				&item->error,
				strong ? TLSRPT_ERR_INVALID
				       : TLSRPT_ERR_NOT_REPORT,
				NULL,
				"the %s data does not hold a JSON object (it "
				"starts with %s)",
				tlsrpt_payload_kind_name(item->kind),
				first_bytes(json, json_len, shown,
					    sizeof(shown)));
			goto out;
		}
		break;
	case TLSRPT_PAYLOAD_JSON: break;
	case TLSRPT_PAYLOAD_UNKNOWN:
		tlsrpt_error_set(&item->error,
				 strong ? TLSRPT_ERR_INVALID
					: TLSRPT_ERR_NOT_REPORT,
				 NULL,
				 "payload is neither gzip nor JSON (it starts "
				 "with %s)",
				 first_bytes(buf, len, shown, sizeof(shown)));
		goto out;
	}
	rc = tlsrpt_report_parse(json, json_len, limits, &item->report,
				 &item->error);
	if (item->report != NULL)
		item->report->sent_bytes = len;
out:
	tlsrpt_free(inflated);
	return rc;
}

/* The verdict on the whole input from its items. A part that ran out of
 * memory makes the whole input fail with TLSRPT_ERR_NOMEM, so that the
 * caller retries instead of storing part of a message. */
static int
verdict(const struct tlsrpt_input *in, struct tlsrpt_error *err)
{
	size_t i;
	int found = 0;

	for (i = 0; i < in->n_items; i++) {
		if (in->items[i].error.code == TLSRPT_ERR_NOMEM) {
			if (err != NULL)
				*err = in->items[i].error;
			return -1;
		}
		if (in->items[i].report != NULL)
			found = 1;
	}
	if (found)
		return 0;
	if (in->n_items == 0)
		return tlsrpt_error_set(err, TLSRPT_ERR_NOT_REPORT, NULL,
					"no TLS report in this message (no "
					"application/tlsrpt+gzip or +json "
					"part)");
	if (err != NULL)
		*err = in->items[0].error;
	return -1;
}

int
tlsrpt_input_parse(const void *buf, size_t len,
		   const struct tlsrpt_limits *limits,
		   struct tlsrpt_input **out, struct tlsrpt_error *err)
{
	return tlsrpt_input_parse_gated(buf, len, limits, NULL, out, err);
}

/* The whole input was refused or its walk stopped: in->stop says why. */
static int
stopped(const struct tlsrpt_input *in, struct tlsrpt_error *err)
{
	if (err != NULL)
		*err = in->stop;
	return -1;
}

int
tlsrpt_input_parse_gated(const void *buf, size_t len,
			 const struct tlsrpt_limits *limits,
			 const struct tlsrpt_input_gate *gate,
			 struct tlsrpt_input **out, struct tlsrpt_error *err)
{
	struct tlsrpt_input *in;
	enum tlsrpt_payload_kind kind;
	struct tlsrpt_input_item *item;

	tlsrpt_error_clear(err);
	*out = NULL;
	in = tlsrpt_calloc(1, sizeof(*in));
	if (in == NULL)
		return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL,
					"out of memory reading the input");
	*out = in;
	tlsrpt_error_clear(&in->stop);
	if (len > limits->max_message_bytes) {
		tlsrpt_error_set(&in->stop, TLSRPT_ERR_LIMIT, NULL,
				 "input of %zu bytes is larger than %zu bytes "
				 "(MaxMessageSize)",
				 len, limits->max_message_bytes);
		return stopped(in, err);
	}
	if (len == 0) {
		tlsrpt_error_set(&in->stop, TLSRPT_ERR_NOT_REPORT, NULL,
				 "the input is empty");
		return stopped(in, err);
	}

	kind = tlsrpt_payload_sniff(buf, len);
	if (kind == TLSRPT_PAYLOAD_UNKNOWN) {
		in->is_message = 1;
		if (tlsrpt_message_parse(buf, len, limits, gate, in,
					 &in->stop) != 0)
			return stopped(in, err);
		return verdict(in, err);
	}
	in->items = tlsrpt_calloc(1, sizeof(*in->items));
	if (in->items == NULL) {
		tlsrpt_error_set(&in->stop, TLSRPT_ERR_NOMEM, NULL,
				 "out of memory reading the input");
		return stopped(in, err);
	}
	in->n_items = 1;
	item = &in->items[0];
	if (gate != NULL && gate->fn(gate->ctx, in, &item->error) != 0) {
		item->kind = kind;
		item->payload_bytes = len;
		return verdict(in, err);
	}
	tlsrpt_item_parse_payload(item, buf, len, NULL, limits);
	return verdict(in, err);
}

static void
meta_free(struct tlsrpt_message_meta *m)
{
	size_t i;

	tlsrpt_free(m->message_id);
	tlsrpt_free(m->from);
	tlsrpt_free(m->subject);
	tlsrpt_free(m->date);
	tlsrpt_free(m->report_domain);
	tlsrpt_free(m->report_submitter);
	for (i = 0; i < m->n_auth_results; i++)
		tlsrpt_free(m->auth_results[i]);
	tlsrpt_free(m->auth_results);
	tlsrpt_free(m->auth_results_received_above);
}

void
tlsrpt_input_free(struct tlsrpt_input *in)
{
	size_t i;

	if (in == NULL)
		return;
	meta_free(&in->meta);
	for (i = 0; i < in->n_items; i++) {
		tlsrpt_free(in->items[i].filename);
		tlsrpt_free(in->items[i].content_type);
		tlsrpt_report_free(in->items[i].report);
	}
	tlsrpt_free(in->items);
	tlsrpt_free(in);
}
