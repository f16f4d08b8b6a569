/* SPDX-License-Identifier: BSD-2-Clause */
/* record.c -- encoding reports into store lines and decoding them back. */
#include "store/record.h"

#include <jansson.h>
#include <stdint.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "report/report_json.h"
#include "store/record_fast.h"

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	unsigned cp;

	if (c < 0x80)
		return c == 0 ? 0 : 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* A JSON string of s cut to TLSRPT_RECEIPT_STRING_MAX bytes, with every
 * byte that is not part of valid UTF-8 replaced by U+FFFD. */
static json_t *
receipt_string(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), o = 0;
	char *buf;
	json_t *j;

	if (n > TLSRPT_RECEIPT_STRING_MAX)
		n = TLSRPT_RECEIPT_STRING_MAX;
	buf = tlsrpt_malloc(n * 3 + 1);
	if (buf == NULL)
		return NULL;
	for (size_t i = 0; i < n;) {
		size_t l = utf8_seq(u + i, n - i);

		if (l == 0) {
			memcpy(buf + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		} else {
			memcpy(buf + o, u + i, l);
			o += l;
			i += l;
		}
	}
	j = json_stringn(buf, o);
	tlsrpt_free(buf);
	return j;
}

static int
set_receipt(json_t *o, const char *key, const char *s)
{
	json_t *v;

	if (s == NULL)
		return 0;
	v = receipt_string(s);
	if (v == NULL)
		return -1;
	return json_object_set_new(o, key, v);
}

/* The members every line of r shares: receipt and report-level fields. */
static json_t *
line_head(const struct tlsrpt_report *r, const struct tlsrpt_receipt *rc)
{
	char when[32], start[32], end[32];
	json_t *o = json_object();
	int rc_ = 0;

	if (o == NULL)
		return NULL;
	tlsrpt_format_datetime(rc->received, when, sizeof(when));
	tlsrpt_format_datetime(r->start_time, start, sizeof(start));
	tlsrpt_format_datetime(r->end_time, end, sizeof(end));
	rc_ |= json_object_set_new(o, "v", json_integer(TLSRPT_RECORD_VERSION));
	rc_ |= json_object_set_new(o, "received", json_string(when));
	rc_ |= set_receipt(o, "source", rc->source);
	rc_ |= set_receipt(o, "host", rc->host);
	rc_ |= set_receipt(o, "queue-id", rc->queue_id);
	rc_ |= set_receipt(o, "file", rc->file);
	rc_ |= set_receipt(o, "message-id", rc->message_id);
	rc_ |= set_receipt(o, "dkim", tlsrpt_dkim_name(rc->dkim));
	rc_ |= set_receipt(o, "dkim-domain", rc->dkim_domain);
	if (rc->authres_forged > 0)
		rc_ |= json_object_set_new(
			o, "authres-forged",
			json_integer((json_int_t)rc->authres_forged));
	rc_ |= set_receipt(o, "client-addr", rc->client_addr);
	rc_ |= set_receipt(o, "submitter", rc->submitter);
	rc_ |= set_receipt(o, "report-digest", rc->digest);
	if (rc->conflict)
		rc_ |= json_object_set_new(o, "conflict", json_true());
	rc_ |= json_object_set_new(o, "organization-name",
				   json_string(r->organization_name));
	if (r->contact_info != NULL)
		rc_ |= json_object_set_new(o, "contact-info",
					   json_string(r->contact_info));
	rc_ |= json_object_set_new(o, "report-id", json_string(r->report_id));
	rc_ |= json_object_set_new(o, "date-range",
				   json_pack("{s:s, s:s}", "start-datetime",
					     start, "end-datetime", end));
	if (rc_ != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The text of line i of r is the head's compact JSON without its closing
 * brace (written once for all lines), then policy-index, policy-count and
 * sts-mode, then the members of the policy element (its compact JSON
 * without its opening brace). jansson writes an object's members in the
 * order they were set, so this is byte for byte the dump of one object
 * holding all of them in that order, without copying the head into a new
 * object and dumping it again for every line. *mid gets the middle part
 * (up to 128 bytes with its NUL) and *elem the element's text
 * (jansson-allocated); -1 when out of memory. */
static int
line_parts(const struct tlsrpt_report *r, size_t i, char mid[128], char **elem)
{
	json_t *e = tlsrpt_policy_to_json(&r->policies[i]);
	/* One of a fixed set of plain words: nothing to escape. */
	const char *mode = tlsrpt_policy_sts_mode(&r->policies[i]);

	*elem = e != NULL ? json_dumps(e, JSON_COMPACT) : NULL;
	json_decref(e);
	if (*elem == NULL)
		return -1;
	snprintf(mid, 128, ",\"policy-index\":%zu,\"policy-count\":%zu%s%s%s%s",
		 i, r->n_policies, mode != NULL ? ",\"sts-mode\":\"" : "",
		 mode != NULL ? mode : "", mode != NULL ? "\"" : "",
		 (*elem)[1] != '}' ? "," : "");
	return 0;
}

/* n * k + TLSRPT_RECORD_SLACK, saturating. */
static size_t
grown(size_t n, size_t k)
{
	if (n > (SIZE_MAX - TLSRPT_RECORD_SLACK) / k)
		return SIZE_MAX;
	return n * k + TLSRPT_RECORD_SLACK;
}

size_t
tlsrpt_record_max_bytes(const struct tlsrpt_report *r)
{
	size_t by_json = grown(r->json_bytes, TLSRPT_RECORD_GROWTH);
	size_t by_sent = grown(r->sent_bytes, TLSRPT_RECORD_SENT_GROWTH);

	return r->sent_bytes > 0 && by_sent < by_json ? by_sent : by_json;
}

int
tlsrpt_record_encode(const struct tlsrpt_report *r,
		     const struct tlsrpt_receipt *rc, char **buf, size_t *len,
		     struct tlsrpt_error *err)
{
	json_t *head = NULL;
	char *htext = NULL;
	struct tlsrpt_buf out;
	size_t bound = tlsrpt_record_max_bytes(r), hlen;
	int ret = -1;

	*buf = NULL;
	*len = 0;
	tlsrpt_buf_init(&out, bound, NULL);
	if (rc->source == NULL || r->n_policies == 0) {
		tlsrpt_error_set(err, TLSRPT_ERR_INTERNAL, NULL,
				 "store: a report needs a source and a policy");
		goto out;
	}
	head = line_head(r, rc);
	if (head == NULL)
		goto nomem;
	htext = json_dumps(head, JSON_COMPACT);
	if (htext == NULL)
		goto nomem;
	hlen = strlen(htext) - 1; /* without the closing brace */
	for (size_t i = 0; i < r->n_policies; i++) {
		char mid[128], *elem;
		size_t ml, el, tl;

		if (line_parts(r, i, mid, &elem) < 0)
			goto nomem;
		ml = strlen(mid);
		el = strlen(elem) - 1; /* without the opening brace */
		tl = hlen + ml + el;
		if (tl >= bound - out.len) {
			tlsrpt_free(elem);
			tlsrpt_error_set(
				err, TLSRPT_ERR_LIMIT, NULL,
				"its %zu store lines would take more than %zu "
				"bytes (%d times its %zu bytes of JSON, or %d "
				"times the %zu bytes it was sent as, plus %d "
				"KiB): the report-level strings and the "
				"receipt repeat on every line (%zu bytes each "
				"here)",
				r->n_policies, bound, TLSRPT_RECORD_GROWTH,
				r->json_bytes, TLSRPT_RECORD_SENT_GROWTH,
				r->sent_bytes, TLSRPT_RECORD_SLACK / 1024,
				hlen + 1);
			goto out;
		}
		/* The bound was checked above: only memory can fail. */
		if (tlsrpt_buf_reserve(&out, tl + 1, NULL) < 0) {
			tlsrpt_free(elem);
			goto nomem;
		}
		memcpy(out.data + out.len, htext, hlen);
		memcpy(out.data + out.len + hlen, mid, ml);
		memcpy(out.data + out.len + hlen + ml, elem + 1, el);
		out.data[out.len + tl] = '\n';
		tlsrpt_buf_commit(&out, tl + 1);
		tlsrpt_free(elem);
	}
	*buf = (char *)tlsrpt_buf_steal(&out, len);
	if (*buf == NULL)
		goto nomem;
	ret = 0;
	goto out;
nomem:
	tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL,
			 "store: out of memory encoding the report");
out:
	tlsrpt_buf_free(&out);
	tlsrpt_free(htext); /* jansson allocates through the seam */
	json_decref(head);
	return ret;
}

size_t
tlsrpt_record_max_line(const struct tlsrpt_limits *limits)
{
	size_t n = limits->max_report_bytes;

	if (n > SIZE_MAX / 4)
		n = SIZE_MAX / 4;
	return n * 2 + 65536;
}

void
tlsrpt_record_clear(struct tlsrpt_record *rec)
{
	if (rec == NULL)
		return;
	if (rec->borrowed) { /* its reader's (reader.h) */
		memset(rec, 0, sizeof(*rec));
		return;
	}
	tlsrpt_free(rec->source);
	tlsrpt_free(rec->host);
	tlsrpt_free(rec->queue_id);
	tlsrpt_free(rec->file);
	tlsrpt_free(rec->message_id);
	tlsrpt_free(rec->client_addr);
	tlsrpt_free(rec->submitter);
	tlsrpt_free(rec->digest);
	tlsrpt_free(rec->organization_name);
	tlsrpt_free(rec->contact_info);
	tlsrpt_free(rec->report_id);
	tlsrpt_policy_clear(&rec->policy);
	memset(rec, 0, sizeof(*rec));
}

int
tlsrpt_record_own(struct tlsrpt_record *rec)
{
	struct tlsrpt_record own = *rec;
	char **const fields[] = {
		&own.source,	   &own.host,	    &own.queue_id,
		&own.file,	   &own.message_id, &own.client_addr,
		&own.submitter,	   &own.digest,	    &own.organization_name,
		&own.contact_info, &own.report_id,
	};
	size_t i;

	if (!rec->borrowed)
		return 0;
	own.borrowed = 0;
	memset(&own.policy, 0, sizeof(own.policy));
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const char *s = *fields[i];

		*fields[i] = s != NULL ? tlsrpt_strdup(s) : NULL;
		if (s != NULL && *fields[i] == NULL)
			break;
	}
	if (i < sizeof(fields) / sizeof(fields[0])) {
		/* The fields not reached still borrow: no free of those. */
		for (size_t j = i; j < sizeof(fields) / sizeof(fields[0]); j++)
			*fields[j] = NULL;
		tlsrpt_record_clear(&own);
		tlsrpt_record_clear(rec);
		return -1;
	}
	if (tlsrpt_policy_copy(&own.policy, &rec->policy) < 0) {
		tlsrpt_record_clear(&own);
		tlsrpt_record_clear(rec);
		return -1;
	}
	*rec = own;
	return 0;
}

/* The optional "dkim" member: one of the words tlsrpt_dkim_name() writes.
 * -1 (err set) on anything else. */
static int
get_dkim(json_t *o, enum tlsrpt_dkim *dst, struct tlsrpt_error *err)
{
	json_t *v = json_object_get(o, "dkim");

	*dst = TLSRPT_DKIM_UNKNOWN;
	if (v == NULL)
		return 0;
	if (!json_is_string(v) ||
	    tlsrpt_dkim_from_name(json_string_value(v), json_string_length(v),
				  dst) < 0)
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, "dkim",
					"not \"pass\", \"fail\" or \"none\"");
	return 0;
}

/* Copy optional string member key of o into *dst. -1 on a wrong type
 * (err set), -2 on no memory. */
static int
get_string(json_t *o, const char *key, int required, char **dst,
	   struct tlsrpt_error *err)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL) {
		if (!required)
			return 0;
		tlsrpt_error_set(err, TLSRPT_ERR_INVALID, key, "missing");
		return -1;
	}
	if (!json_is_string(v)) {
		tlsrpt_error_set(err, TLSRPT_ERR_INVALID, key, "not a string");
		return -1;
	}
	*dst = tlsrpt_strdup(json_string_value(v));
	if (*dst == NULL) {
		tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, key, "out of memory");
		return -1;
	}
	return 0;
}

static int
get_time(json_t *o, const char *key, int64_t *t, struct tlsrpt_error *err)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v) ||
	    tlsrpt_parse_datetime(json_string_value(v), t) != 0)
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, key,
					"missing or not a date-time");
	return 0;
}

static int
get_size(json_t *o, const char *key, size_t *n, struct tlsrpt_error *err)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, key,
					"missing or not a count");
	*n = (size_t)json_integer_value(v);
	return 0;
}

int
tlsrpt_record_decode(const char *line, size_t len,
		     const struct tlsrpt_limits *limits,
		     struct tlsrpt_record *rec, struct tlsrpt_error *err)
{
	return tlsrpt_record_decode_in(line, len, limits, NULL, rec, err);
}

int
tlsrpt_record_decode_in(const char *line, size_t len,
			const struct tlsrpt_limits *limits,
			struct tlsrpt_scratch *sc, struct tlsrpt_record *rec,
			struct tlsrpt_error *err)
{
	if (sc != NULL)
		tlsrpt_scratch_reset(sc);
	/* Lines this program wrote need no tree (record_fast.h). */
	if (tlsrpt_record_decode_fast(line, len, limits, sc, rec) == 0)
		return 0;
	return tlsrpt_record_decode_json(line, len, limits, rec, err);
}

int
tlsrpt_record_decode_json(const char *line, size_t len,
			  const struct tlsrpt_limits *limits,
			  struct tlsrpt_record *rec, struct tlsrpt_error *err)
{
	json_error_t jerr;
	json_t *o = NULL, *v, *dr, *elem = NULL;
	int ret = -1;

	o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (o == NULL) {
		tlsrpt_error_set_at(err, TLSRPT_ERR_INVALID, NULL,
				    jerr.position, "not JSON: %s", jerr.text);
		goto out;
	}
	if (!json_is_object(o)) {
		tlsrpt_error_set(err, TLSRPT_ERR_INVALID, NULL,
				 "not a JSON object");
		goto out;
	}
	v = json_object_get(o, "v");
	if (!json_is_integer(v) ||
	    json_integer_value(v) != TLSRPT_RECORD_VERSION) {
		tlsrpt_error_set(err, TLSRPT_ERR_INVALID, "v",
				 "missing or an unknown format version");
		goto out;
	}
	rec->version = TLSRPT_RECORD_VERSION;
	if (get_time(o, "received", &rec->received, err) < 0 ||
	    get_string(o, "source", 1, &rec->source, err) < 0 ||
	    get_string(o, "host", 0, &rec->host, err) < 0 ||
	    get_string(o, "queue-id", 0, &rec->queue_id, err) < 0 ||
	    get_string(o, "file", 0, &rec->file, err) < 0 ||
	    get_string(o, "message-id", 0, &rec->message_id, err) < 0 ||
	    get_dkim(o, &rec->dkim, err) < 0 ||
	    get_string(o, "client-addr", 0, &rec->client_addr, err) < 0 ||
	    get_string(o, "submitter", 0, &rec->submitter, err) < 0 ||
	    get_string(o, "report-digest", 0, &rec->digest, err) < 0 ||
	    get_string(o, "organization-name", 1, &rec->organization_name,
		       err) < 0 ||
	    get_string(o, "contact-info", 0, &rec->contact_info, err) < 0 ||
	    get_string(o, "report-id", 1, &rec->report_id, err) < 0)
		goto out;
	rec->conflict = json_is_true(json_object_get(o, "conflict"));
	dr = json_object_get(o, "date-range");
	if (!json_is_object(dr)) {
		tlsrpt_error_set(err, TLSRPT_ERR_INVALID, "date-range",
				 "missing or not an object");
		goto out;
	}
	if (get_time(dr, "start-datetime", &rec->start_time, err) < 0 ||
	    get_time(dr, "end-datetime", &rec->end_time, err) < 0) {
		tlsrpt_error_prefix_path(err, "date-range");
		goto out;
	}
	if (get_size(o, "policy-index", &rec->policy_index, err) < 0 ||
	    get_size(o, "policy-count", &rec->policy_count, err) < 0)
		goto out;
	if (rec->policy_count == 0 || rec->policy_index >= rec->policy_count) {
		tlsrpt_error_set(err, TLSRPT_ERR_INVALID, "policy-index",
				 "outside policy-count");
		goto out;
	}
	elem = json_object();
	if (elem == NULL) {
		tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL, "out of memory");
		goto out;
	}
	static const char *const members[] = {"policy", "summary",
					      "failure-details"};
	for (size_t i = 0; i < 3; i++) {
		v = json_object_get(o, members[i]);
		if (v != NULL && json_object_set(elem, members[i], v) != 0) {
			tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL,
					 "out of memory");
			goto out;
		}
	}
	if (tlsrpt_policy_from_json(elem, limits, &rec->policy, err) != 0)
		goto out;
	ret = 0;
out:
	json_decref(elem);
	json_decref(o);
	if (ret != 0)
		tlsrpt_record_clear(rec);
	return ret;
}
