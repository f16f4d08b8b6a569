/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * message.c -- the MIME walk: headers a receiver needs, and every part that
 * may carry a report (see input.h).
 *
 * GMime's objects live only inside one call, so calls on different threads
 * share nothing. GLib aborts when memory runs out; our own copies go
 * through the allocation seam.
 */
#include "report/message.h"

#include <gmime/gmime.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"
#include "report/payload.h"

struct walk {
	const struct tlsrpt_limits *limits;
	struct tlsrpt_input *in;
	struct tlsrpt_error *err;
	size_t n_parts;
	size_t cap_items;
	int refused;		 /* the gate said no: parse nothing */
	struct tlsrpt_error why; /* the gate's reason */
};

/* Content types report senders use (TLSRPT.md): the registered two and
 * what real senders send instead. */
static const char *const report_types[] = {
	"application/tlsrpt+gzip", "application/tlsrpt+json",
	"application/tlsrpt",	   "application/tlsrpt+x-gzip",
	"application/gzip",	   "application/x-gzip",
	"application/json",	   "application/zip",
	"application/tlsrpt+zip",  "application/octet-stream",
};

static const char *const report_suffixes[] = {
	".json",
	".json.gz",
	".gz",
	".zip",
};

static int
has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

static int
is_report_type(const char *mime)
{
	size_t i;

	for (i = 0; i < sizeof(report_types) / sizeof(report_types[0]); i++)
		if (strcmp(mime, report_types[i]) == 0)
			return 1;
	return 0;
}

static int
is_report_name(const char *name)
{
	size_t i;

	if (name == NULL)
		return 0;
	for (i = 0; i < sizeof(report_suffixes) / sizeof(report_suffixes[0]);
	     i++)
		if (has_suffix(name, report_suffixes[i]))
			return 1;
	return 0;
}

/* A copy of value without surrounding white space, or NULL for NULL. */
static int
dup_trimmed(const char *value, char **out)
{
	size_t n;

	*out = NULL;
	if (value == NULL)
		return 0;
	while (*value == ' ' || *value == '\t' || *value == '\r' ||
	       *value == '\n')
		value++;
	n = strlen(value);
	while (n > 0 && (value[n - 1] == ' ' || value[n - 1] == '\t' ||
			 value[n - 1] == '\r' || value[n - 1] == '\n'))
		n--;
	*out = tlsrpt_strndup(value, n);
	return *out == NULL ? -1 : 0;
}

static int
nomem(struct tlsrpt_error *err)
{
	return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL,
				"out of memory reading the message");
}

static int
collect_auth_results(GMimeObject *top, struct tlsrpt_message_meta *meta,
		     struct tlsrpt_error *err)
{
	GMimeHeaderList *headers = g_mime_object_get_header_list(top);
	int i, count = g_mime_header_list_get_count(headers);
	size_t n = 0, received = 0;

	for (i = 0; i < count; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(headers, i);

		if (g_ascii_strcasecmp(g_mime_header_get_name(h),
				       "Authentication-Results") == 0)
			n++;
	}
	if (n == 0)
		return 0;
	meta->auth_results = tlsrpt_calloc(n, sizeof(*meta->auth_results));
	meta->auth_results_received_above =
		tlsrpt_calloc(n, sizeof(*meta->auth_results_received_above));
	if (meta->auth_results == NULL ||
	    meta->auth_results_received_above == NULL)
		return nomem(err);
	for (i = 0; i < count; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(headers, i);
		const char *name = g_mime_header_get_name(h);
		const char *v = g_mime_header_get_value(h);

		if (g_ascii_strcasecmp(name, "Received") == 0)
			received++;
		if (g_ascii_strcasecmp(name, "Authentication-Results") != 0)
			continue;
		meta->auth_results_received_above[meta->n_auth_results] =
			received;
		if (dup_trimmed(v != NULL ? v : "",
				&meta->auth_results[meta->n_auth_results]) != 0)
			return nomem(err);
		meta->n_auth_results++;
	}
	return 0;
}

static int
collect_meta(GMimeMessage *msg, struct tlsrpt_message_meta *meta,
	     struct tlsrpt_error *err)
{
	GMimeObject *top = GMIME_OBJECT(msg);
	InternetAddressList *from = g_mime_message_get_from(msg);
	char *from_text = NULL;
	int rc;

	if (from != NULL && internet_address_list_length(from) > 0)
		from_text = internet_address_list_to_string(from, NULL, FALSE);
	rc = dup_trimmed(from_text != NULL
				 ? from_text
				 : g_mime_object_get_header(top, "From"),
			 &meta->from);
	g_free(from_text);
	if (rc != 0 ||
	    dup_trimmed(g_mime_message_get_message_id(msg),
			&meta->message_id) != 0 ||
	    dup_trimmed(g_mime_message_get_subject(msg), &meta->subject) != 0 ||
	    dup_trimmed(g_mime_object_get_header(top, "Date"), &meta->date) !=
		    0 ||
	    dup_trimmed(g_mime_object_get_header(top, "TLS-Report-Domain"),
			&meta->report_domain) != 0 ||
	    dup_trimmed(g_mime_object_get_header(top, "TLS-Report-Submitter"),
			&meta->report_submitter) != 0)
		return nomem(err);
	return collect_auth_results(top, meta, err);
}

/* Where a part is, for error messages: "part 2 (type, name)". */
static void
describe_part(char *buf, size_t size, const char *path, const char *mime,
	      const char *filename)
{
	if (filename != NULL)
		snprintf(buf, size, "part %s (%s, %.100s)", path, mime,
			 filename);
	else
		snprintf(buf, size, "part %s (%s)", path, mime);
}

static void
prefix_part(struct tlsrpt_error *e, const char *where)
{
	char joined[TLSRPT_ERROR_PATH_MAX];
	int n;

	/* Truncating a long path is harmless: keep what fits. */
	n = snprintf(joined, sizeof(joined), "%s%s%s", where,
		     e->path[0] != '\0' ? " " : "", e->path);
	if (n < 0)
		return;
	memcpy(e->path, joined, sizeof(e->path));
}

static struct tlsrpt_input_item *
new_item(struct walk *w)
{
	struct tlsrpt_input *in = w->in;
	struct tlsrpt_input_item *items;

	if (in->n_items == w->cap_items) {
		size_t cap = w->cap_items == 0 ? 2 : w->cap_items * 2;

		items = tlsrpt_reallocarray(in->items, cap, sizeof(*items));
		if (items == NULL)
			return NULL;
		in->items = items;
		w->cap_items = cap;
	}
	memset(&in->items[in->n_items], 0, sizeof(in->items[0]));
	return &in->items[in->n_items++];
}

/* The part's bytes with the transfer encoding undone. New stream; the
 * caller unrefs it. */
static GMimeStream *
decode_part(GMimePart *part)
{
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	GMimeStream *mem = g_mime_stream_mem_new();

	if (content != NULL)
		g_mime_data_wrapper_write_to_stream(content, mem);
	return mem;
}

static int
walk_leaf(struct walk *w, GMimePart *part, const char *path)
{
	GMimeContentType *ct =
		g_mime_object_get_content_type(GMIME_OBJECT(part));
	const char *filename = g_mime_part_get_filename(part);
	char *mime_raw = g_mime_content_type_get_mime_type(ct);
	char *mime = g_ascii_strdown(mime_raw, -1);
	GMimeStream *stream = NULL;
	GByteArray *bytes;
	struct tlsrpt_input_item *item;
	struct tlsrpt_payload_hint hint;
	char where[TLSRPT_ERROR_PATH_MAX];
	int by_hint, rc = -1;

	g_free(mime_raw);
	by_hint = is_report_type(mime) || is_report_name(filename);
	if (!by_hint && g_mime_content_type_is_type(ct, "text", "*")) {
		rc = 0;
		goto out;
	}
	stream = decode_part(part);
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream));
	if (!by_hint) {
		enum tlsrpt_payload_kind k =
			tlsrpt_payload_sniff(bytes->data, bytes->len);

		if (k != TLSRPT_PAYLOAD_GZIP && k != TLSRPT_PAYLOAD_ZIP) {
			rc = 0;
			goto out;
		}
	}
	if (w->in->n_items >= w->limits->max_reports) {
		tlsrpt_error_set(w->err, TLSRPT_ERR_LIMIT, NULL,
				 "the message has more than %zu report parts "
				 "(MaxReportsPerMessage)",
				 w->limits->max_reports);
		goto out;
	}
	item = new_item(w);
	if (item == NULL) {
		nomem(w->err);
		goto out;
	}
	item->content_type = tlsrpt_strdup(mime);
	item->filename = tlsrpt_strdup(filename);
	if (item->content_type == NULL ||
	    (filename != NULL && item->filename == NULL)) {
		nomem(w->err);
		goto out;
	}
	hint.content_type = mime;
	hint.filename = filename;
	if (w->refused) {
		/* Refused on the headers: not inflated, not parsed. */
		item->kind = tlsrpt_payload_sniff(bytes->data, bytes->len);
		item->payload_bytes = bytes->len;
		item->error = w->why;
	} else if (tlsrpt_item_parse_payload(item, bytes->data, bytes->len,
					     &hint, w->limits) != 0) {
		describe_part(where, sizeof(where), path, mime, filename);
		prefix_part(&item->error, where);
	}
	rc = 0;
out:
	if (stream != NULL)
		g_object_unref(stream);
	g_free(mime);
	return rc;
}

static int walk_object(struct walk *w, GMimeObject *obj, unsigned depth,
		       const char *path);

static int
walk_message_part(struct walk *w, GMimeMessagePart *mp, unsigned depth,
		  const char *path)
{
	GMimeMessage *msg = g_mime_message_part_get_message(mp);
	GMimeObject *body;
	char sub[64];

	if (msg == NULL)
		return 0;
	body = g_mime_message_get_mime_part(msg);
	if (body == NULL)
		return 0;
	/* IMAP numbering: a forwarded multipart's children continue the
	 * path, a forwarded single part is ".1". */
	if (GMIME_IS_MULTIPART(body))
		return walk_object(w, body, depth + 1, path);
	snprintf(sub, sizeof(sub), "%s.1", path);
	return walk_object(w, body, depth + 1, sub);
}

static int
walk_object(struct walk *w, GMimeObject *obj, unsigned depth, const char *path)
{
	char sub[64];
	int i, n;

	if (++w->n_parts > w->limits->max_mime_parts)
		return tlsrpt_error_set(w->err, TLSRPT_ERR_LIMIT, NULL,
					"the message has more than %zu MIME "
					"parts (MaxMIMEParts)",
					w->limits->max_mime_parts);
	if (depth > w->limits->max_mime_depth)
		return tlsrpt_error_set(w->err, TLSRPT_ERR_LIMIT, NULL,
					"MIME parts nest deeper than %u levels "
					"(MaxMIMEDepth)",
					w->limits->max_mime_depth);
	if (GMIME_IS_MULTIPART(obj)) {
		n = g_mime_multipart_get_count(GMIME_MULTIPART(obj));
		for (i = 0; i < n; i++) {
			snprintf(sub, sizeof(sub), "%s%s%d", path,
				 path[0] != '\0' ? "." : "", i + 1);
			if (walk_object(w,
					g_mime_multipart_get_part(
						GMIME_MULTIPART(obj), i),
					depth + 1, sub) != 0)
				return -1;
		}
		return 0;
	}
	if (GMIME_IS_MESSAGE_PART(obj))
		return walk_message_part(w, GMIME_MESSAGE_PART(obj), depth,
					 path[0] != '\0' ? path : "1");
	if (GMIME_IS_PART(obj))
		return walk_leaf(w, GMIME_PART(obj),
				 path[0] != '\0' ? path : "1");
	return 0;
}

enum line_kind { LINE_PLAIN, LINE_NESTED, LINE_DIGEST };

/* What a header line names, case-insensitively: a forwarded message
 * (message/rfc822 or message/global anywhere in it) before a digest
 * (multipart/digest). Every word starts with an m: jump from one m or M to
 * the next with memchr instead of comparing at every byte. */
static enum line_kind
line_kind(const char *line, size_t n)
{
	const char *end = line + n, *lo = memchr(line, 'm', n),
		   *up = memchr(line, 'M', n), *c;
	enum line_kind kind = LINE_PLAIN;
	size_t left;

	while (lo != NULL || up != NULL) {
		c = up == NULL || (lo != NULL && lo < up) ? lo : up;
		left = (size_t)(end - c);
		if (left >= 14 && strncasecmp(c, "message/", 8) == 0 &&
		    (strncasecmp(c + 8, "rfc822", 6) == 0 ||
		     strncasecmp(c + 8, "global", 6) == 0))
			return LINE_NESTED;
		if (left >= 16 && strncasecmp(c, "multipart/digest", 16) == 0)
			kind = LINE_DIGEST;
		if (c == lo)
			lo = memchr(c + 1, 'm', left - 1);
		else
			up = memchr(c + 1, 'M', left - 1);
	}
	return kind;
}

/*
 * GMime builds every part and every header before we can count them, at
 * 100 to 250 bytes of memory per byte of input: 10 MB of empty parts, of
 * one-letter headers or of Content-Type parameters costs 1 to 2 GB. This
 * scan of the raw lines bounds what GMime will build: boundary-like lines
 * ("--...") by MaxMIMEParts, and the bytes of all header sections (the top
 * one, each part's, each forwarded message's) by 1 KiB per MaxMIMEParts.
 * It over-counts (a "-- " signature line, a digest's bodies), so a message
 * near the bounds may be refused: a report message is nowhere near them.
 */
static int
prescan(const char *buf, size_t len, const struct tlsrpt_limits *limits,
	struct tlsrpt_error *err)
{
	const char *p = buf, *end = buf + len, *nl, *eol;
	size_t max_delims, max_header_bytes, delims = 0, header_bytes = 0, n;
	int in_header = 1, nested = 0, digest = 0;

	max_delims = limits->max_mime_parts > (SIZE_MAX - 16) / 2
			     ? SIZE_MAX
			     : 2 * limits->max_mime_parts + 16;
	max_header_bytes = limits->max_mime_parts > SIZE_MAX / 1024
				   ? SIZE_MAX
				   : limits->max_mime_parts * 1024;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		eol = nl != NULL ? nl : end;
		n = (size_t)(eol - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (in_header) {
			header_bytes += (size_t)(eol - p) + 1;
			if (header_bytes > max_header_bytes)
				return tlsrpt_error_set_at(
					err, TLSRPT_ERR_LIMIT, NULL,
					(long)(p - buf),
					"the message's header sections hold "
					"more than %zu bytes (1 KiB per "
					"MaxMIMEParts %zu)",
					max_header_bytes,
					limits->max_mime_parts);
			if (n == 0) {
				/* A forwarded message's headers follow. */
				in_header = nested || digest;
				nested = 0;
			} else {
				enum line_kind k = line_kind(p, n);

				nested |= k == LINE_NESTED;
				digest |= k == LINE_DIGEST;
			}
		} else if (n >= 2 && p[0] == '-' && p[1] == '-') {
			if (++delims > max_delims)
				return tlsrpt_error_set_at(
					err, TLSRPT_ERR_LIMIT, NULL,
					(long)(p - buf),
					"the message has more than %zu MIME "
					"boundary lines (MaxMIMEParts %zu)",
					max_delims, limits->max_mime_parts);
			in_header = 1;
			nested = 0;
		}
		p = nl != NULL ? nl + 1 : end;
	}
	return 0;
}

int
tlsrpt_message_parse(const void *buf, size_t len,
		     const struct tlsrpt_limits *limits,
		     const struct tlsrpt_input_gate *gate,
		     struct tlsrpt_input *in, struct tlsrpt_error *err)
{
	GMimeStream *stream;
	GMimeParser *parser;
	GMimeMessage *msg;
	GMimeObject *body;
	struct walk w;
	int rc = -1;

	if (prescan(buf, len, limits, err) != 0)
		return -1;
	stream = g_mime_stream_mem_new_with_buffer(buf, len);
	parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	msg = g_mime_parser_construct_message(parser, NULL);
	if (msg == NULL) {
		tlsrpt_error_set(err, TLSRPT_ERR_NOT_REPORT, NULL,
				 "not an e-mail message, gzip or JSON");
		goto out;
	}
	if (collect_meta(msg, &in->meta, err) != 0)
		goto out;
	memset(&w, 0, sizeof(w));
	w.limits = limits;
	w.in = in;
	w.err = err;
	tlsrpt_error_clear(&w.why);
	w.refused = gate != NULL && gate->fn(gate->ctx, in, &w.why) != 0;
	body = g_mime_message_get_mime_part(msg);
	if (body != NULL && walk_object(&w, body, 1, "") != 0)
		goto out;
	rc = 0;
out:
	if (msg != NULL)
		g_object_unref(msg);
	g_object_unref(parser);
	g_object_unref(stream);
	return rc;
}
