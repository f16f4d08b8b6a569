/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cgi.c -- `tlsrpt-ingest --cgi`: one report POSTed over HTTPS, handed over
 * by a real web server through CGI (RFC 3875). The web server does TLS,
 * connection handling and timeouts; this file turns one request into one
 * intake_run() and its outcome into one HTTP status.
 *
 * Statuses: 201 stored, 200 duplicate, 400 bad input (one plain-text line
 * saying why), 403 token or domain refused, 405 not POST, 411 no length and
 * no body, 413 too large, 415 not a TLS report media type, 503 store
 * unavailable (with Retry-After). Bad input never gets a 5xx and a report
 * that was not stored never gets a 2xx.
 */
#include "ingest/cgi.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "ingest/cgi_request.h"
#include "intake/event_line.h"
#include "report/input.h"
#include "report/payload.h"
#include "report/sanitize.h"

/* Seconds a sender should wait before retrying after a store failure. */
#define RETRY_AFTER "300"

/* Room for the one line of a response body. */
#define LINE_MAX_BYTES 512

enum media {
	MEDIA_ABSENT,
	MEDIA_GZIP,
	MEDIA_JSON,
	MEDIA_OTHER,
};

static const char *
reason_phrase(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 405: return "Method Not Allowed";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 503: return "Service Unavailable";
	}
	return "Error";
}

/* The line may quote the report or the request: keep it one line of
 * printable text whatever it holds (the log step of report/sanitize.h:
 * never longer than its input, so it fits where the line was). */
static void
one_line(char *s, size_t size)
{
	char *safe = sanitize_dup(sanitize_log, s);

	snprintf(s, size, "%s", safe);
	g_free(safe);
}

struct reply {
	int status;
	char line[LINE_MAX_BYTES];
};

static int set_reply(struct reply *r, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
set_reply(struct reply *r, int status, const char *fmt, ...)
{
	va_list ap;

	r->status = status;
	va_start(ap, fmt);
	if (vsnprintf(r->line, sizeof(r->line), fmt, ap) < 0)
		r->line[0] = '\0';
	va_end(ap);
	one_line(r->line, sizeof(r->line));
	return status;
}

/* 405 says what is allowed; 503 says when to retry. */
static int
send_reply(FILE *out, const struct reply *r)
{
	const char *extra = r->status == 405   ? "Allow: POST\r\n"
			    : r->status == 503 ? "Retry-After: " RETRY_AFTER
						 "\r\n"
					       : "";

	if (fprintf(out,
		    "Status: %d %s\r\n"
		    "Content-Type: text/plain; charset=utf-8\r\n"
		    "%s\r\n"
		    "%s\n",
		    r->status, reason_phrase(r->status), extra, r->line) < 0 ||
	    fflush(out) != 0)
		return -1;
	return r->status;
}

/* The web server's error log gets the refusals and failures; a stored
 * report is in the store already. */
static void
log_reply(const struct cgi_request *rq, const struct reply *r,
	  const char *detail)
{
	if (r->status < 300)
		return;
	fprintf(stderr, "tlsrpt-ingest: cgi: %s: %d %s%s%s\n",
		rq->remote_addr != NULL ? rq->remote_addr : "(no REMOTE_ADDR)",
		r->status, r->line, detail != NULL ? ": " : "",
		detail != NULL ? detail : "");
}

static enum media
media_of(const char *ct)
{
	static const struct {
		const char *name;
		enum media media;
	} known[] = {
		{"application/tlsrpt+gzip", MEDIA_GZIP},
		{"application/tlsrpt+json", MEDIA_JSON},
	};
	size_t len;

	if (ct == NULL)
		return MEDIA_ABSENT;
	ct += strspn(ct, " \t");
	/* Parameters (charset=...) say nothing we need. */
	len = strcspn(ct, "; \t");
	if (len == 0 && ct[len] == '\0')
		return MEDIA_ABSENT;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strlen(known[i].name) == len &&
		    strncasecmp(ct, known[i].name, len) == 0)
			return known[i].media;
	return MEDIA_OTHER;
}

/* CONTENT_LENGTH: decimal digits only. Returns 1 and *n when present, 0
 * when absent, -1 when malformed. A value too large for size_t is reported
 * as SIZE_MAX (it is over any limit anyway). */
static int
parse_length(const char *s, size_t *n)
{
	size_t v = 0;

	if (s == NULL || s[0] == '\0')
		return 0;
	for (const char *p = s; *p != '\0'; p++) {
		if (!isdigit((unsigned char)*p))
			return -1;
		if (v > (SIZE_MAX - 9) / 10)
			v = SIZE_MAX;
		else
			v = v * 10 + (size_t)(*p - '0');
	}
	*n = v;
	return 1;
}

enum body_status {
	BODY_OK,
	BODY_SHORT,   /* EOF before CONTENT_LENGTH bytes */
	BODY_TOO_BIG, /* no CONTENT_LENGTH and more than max bytes */
	BODY_IOERR,
	BODY_NOMEM,
};

/* Read exactly want bytes when known, else up to EOF; never more than max
 * bytes are kept. *buf is the caller's (tlsrpt_free()). */
static enum body_status
read_body(FILE *in, int known, size_t want, size_t max, unsigned char **buf,
	  size_t *len)
{
	struct tlsrpt_buf b;
	struct tlsrpt_error e;
	enum body_status st = BODY_NOMEM;
	unsigned char extra;

	tlsrpt_error_clear(&e);
	tlsrpt_buf_init(&b, max, NULL);
	for (;;) {
		size_t room, got;

		if (known && b.len == want)
			break;
		if (b.len == b.max) {
			/* Unknown length and full: one more byte tells "too
			 * big" from "just fits". */
			if (fread(&extra, 1, 1, in) == 1) {
				st = BODY_TOO_BIG;
				goto out;
			}
			if (ferror(in)) {
				st = BODY_IOERR;
				goto out;
			}
			break;
		}
		if (tlsrpt_buf_reserve(&b, known ? want - b.len : 1, &e) < 0) {
			st = e.code == TLSRPT_ERR_LIMIT ? BODY_TOO_BIG
							: BODY_NOMEM;
			goto out;
		}
		room = known ? want - b.len : tlsrpt_buf_room(&b);
		got = fread(b.data + b.len, 1, room, in);
		tlsrpt_buf_commit(&b, got);
		if (got < room) { /* end of input or an error */
			if (ferror(in)) {
				st = BODY_IOERR;
				goto out;
			}
			break;
		}
	}
	if (known && b.len < want) {
		st = BODY_SHORT;
		goto out;
	}
	*buf = tlsrpt_buf_steal(&b, len);
	if (*buf != NULL)
		st = BODY_OK;
out:
	tlsrpt_buf_free(&b);
	return st;
}

/* "/<token>" or "/<token>/" -> token, its length in *len; NULL when the
 * path carries none. */
static const char *
path_token(const char *path_info, size_t *len)
{
	const char *p = path_info;

	if (p == NULL)
		return NULL;
	p += strspn(p, "/");
	*len = strcspn(p, "/");
	if (*len == 0 || p[*len + strspn(p + *len, "/")] != '\0')
		return NULL;
	return p;
}

/* Token comparison whose time does not depend on where they differ. */
static int
token_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	unsigned char diff = 0;

	if (alen != blen)
		return 0;
	for (size_t i = 0; i < alen; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

/* Split "domain:token"; 0 when the item is malformed. */
static int
token_item(const char *item, size_t *domain_len, const char **token,
	   size_t *token_len)
{
	const char *colon = strchr(item, ':');

	if (colon == NULL || colon == item || colon[1] == '\0')
		return 0;
	*domain_len = (size_t)(colon - item);
	*token = colon + 1;
	*token_len = strlen(*token);
	return 1;
}

/* 1 when some item carries this token. */
static int
token_known(const struct cgi_tokens *t, const char *tok, size_t tok_len)
{
	int found = 0;

	for (size_t i = 0; i < t->n; i++) {
		size_t dlen, ilen;
		const char *itok;

		if (token_item(t->items[i], &dlen, &itok, &ilen) &&
		    token_equal(itok, ilen, tok, tok_len))
			found = 1;
	}
	return found;
}

/* name is domain or a subdomain of it; case and a final dot do not count. */
static int
domain_within(const char *name, const char *domain, size_t dlen)
{
	size_t nlen = strlen(name);

	if (nlen > 0 && name[nlen - 1] == '.')
		nlen--;
	if (dlen > 0 && domain[dlen - 1] == '.')
		dlen--;
	if (nlen == 0 || dlen == 0 || nlen < dlen)
		return 0;
	if (strncasecmp(name + nlen - dlen, domain, dlen) != 0)
		return 0;
	return nlen == dlen || name[nlen - dlen - 1] == '.';
}

static int
domain_allowed(const struct cgi_tokens *t, const char *tok, size_t tok_len,
	       const char *name)
{
	for (size_t i = 0; i < t->n; i++) {
		size_t dlen, ilen;
		const char *itok;

		if (token_item(t->items[i], &dlen, &itok, &ilen) &&
		    token_equal(itok, ilen, tok, tok_len) &&
		    domain_within(name, t->items[i], dlen))
			return 1;
	}
	return 0;
}

/* Every policy domain of every report in the parsed body must belong to
 * the token's domains, and at least one must be named. Returns 0 when
 * allowed, 403 with r filled when refused. */
static int
check_domains(const struct cgi_tokens *t, const char *tok, size_t tok_len,
	      const struct tlsrpt_input *in, struct reply *r)
{
	size_t named = 0;

	for (size_t i = 0; i < in->n_items; i++) {
		const struct tlsrpt_report *rep = in->items[i].report;

		for (size_t j = 0; rep != NULL && j < rep->n_policies; j++) {
			const char *d = rep->policies[j].policy_domain;

			if (d == NULL)
				continue;
			named++;
			if (!domain_allowed(t, tok, tok_len, d))
				return set_reply(r, 403,
						 "policy domain %s is not one "
						 "of this URL's domains",
						 d);
		}
	}
	if (named == 0)
		return set_reply(r, 403,
				 "the report names no policy domain to check "
				 "against this URL's domains");
	return 0;
}

/* The response line names the first report: "ORG ID", neutralised by
 * the one event formatter (intake/event_line.h). */
static void
on_report(void *ctx, const struct intake_report_event *ev)
{
	GString *name = ctx;

	if (ev->item->report != NULL && name->len == 0)
		intake_report_name(name, ev->item->report, INTAKE_LINE_LOG);
}

/* The outcome of storing, as r; detail gets what only the log should see
 * (paths of the store, system errors). name is "ORG ID" of the first
 * report. */
static void
reply_of(const struct intake_config *intake, const struct intake_result *res,
	 const char *name, struct reply *r, char *detail, size_t detail_size)
{
	char why[TLSRPT_ERROR_PATH_MAX + TLSRPT_ERROR_TEXT_MAX + 8];

	tlsrpt_error_format(&res->error, why, sizeof(why));
	switch (res->outcome) {
	case INTAKE_STORED:
		if (intake->store == NULL) {
			/* Parsed only: the store could not be opened. */
			snprintf(detail, detail_size,
				 "the store could not be opened");
			break;
		}
		set_reply(r, 201, "%s: %s",
			  res->n_conflict > 0 ? INTAKE_CONFLICT_TEXT : "stored",
			  name);
		return;
	case INTAKE_DUPLICATE: set_reply(r, 200, "duplicate: %s", name); return;
	case INTAKE_NOT_REPORT:
	case INTAKE_INVALID:
		set_reply(r, 400, "%s: %s", intake_outcome_name(res->outcome),
			  why);
		return;
	case INTAKE_REFUSED_DKIM:
		set_reply(r, 403,
			  "reports over HTTPS carry no DKIM signature and "
			  "this receiver requires one (RequireDKIM)");
		return;
	case INTAKE_STORE_FAILED:
		snprintf(detail, detail_size, "%s", why);
		break;
	}
	/* The store's paths and errors are for the log, not for the sender. */
	set_reply(r, 503, "the report store is unavailable; retry later");
}

/* Parse the body once; check its policy domains against the URL's token
 * when tokens are set; store it and turn the outcome into r. */
static void
store_body(const struct cgi_request *rq, const struct cgi_tokens *tokens,
	   const char *host, const struct intake_config *intake,
	   const unsigned char *body, size_t len, struct reply *r, char *detail,
	   size_t detail_size)
{
	struct intake_origin origin = {
		.source = "http",
		.host = host,
		.client_addr = rq->remote_addr,
		.unauthenticated = 1,
		.received = rq->now,
	};
	struct intake_parsed parsed;
	struct intake_result res;
	GString *name;

	(void)intake_parse(intake, &origin, body, len, &parsed);
	/* No report parsed: intake_store() says why. */
	if (tokens != NULL && tokens->n > 0 && !parsed.partial) {
		size_t tok_len = 0;
		const char *tok = path_token(rq->path_info, &tok_len);

		if (check_domains(tokens, tok, tok_len, parsed.in, r) != 0) {
			intake_parsed_free(&parsed);
			return;
		}
	}
	name = g_string_new(NULL);
	intake_store(&parsed, on_report, name, &res);
	intake_parsed_free(&parsed);
	reply_of(intake, &res, name->str, r, detail, detail_size);
	g_string_free(name, TRUE);
}

/* The checks that need no body, in the order a client fixes them. Returns
 * 0 to go on, else the status set in r. */
static int
check_request(const struct cgi_request *rq, const struct cgi_tokens *tokens,
	      size_t max, enum media *media, int *known, size_t *want,
	      struct reply *r)
{
	const char *tok;
	size_t tok_len;

	if (rq->method == NULL || strcmp(rq->method, "POST") != 0)
		return set_reply(r, 405, "only POST is accepted here");
	if (tokens != NULL && tokens->n > 0) {
		tok = path_token(rq->path_info, &tok_len);
		if (tok == NULL)
			return set_reply(r, 403,
					 "this URL needs a token: "
					 "https://host/path/<token>");
		if (!token_known(tokens, tok, tok_len))
			return set_reply(r, 403, "unknown token in the URL");
	}
	*media = media_of(rq->content_type);
	if (*media == MEDIA_OTHER)
		return set_reply(r, 415,
				 "Content-Type must be application/tlsrpt+gzip "
				 "or application/tlsrpt+json");
	switch (parse_length(rq->content_length, want)) {
	case -1: return set_reply(r, 400, "malformed Content-Length");
	case 0: *known = 0; break;
	default:
		*known = 1;
		if (*want > max)
			return set_reply(r, 413,
					 "the body is larger than %zu bytes",
					 max);
		if (*want == 0)
			return set_reply(r, 400, "empty body");
	}
	return 0;
}

/* The body must be a bare report: gzip (or zlib) or JSON, no MIME. */
static int
check_body(enum media media, const unsigned char *body, size_t len,
	   struct reply *r)
{
	switch (tlsrpt_payload_sniff(body, len)) {
	case TLSRPT_PAYLOAD_GZIP:
	case TLSRPT_PAYLOAD_ZLIB:
	case TLSRPT_PAYLOAD_JSON: return 0;
	case TLSRPT_PAYLOAD_ZIP:
		return set_reply(r, 400,
				 "zip archives are not a TLS report "
				 "format: send gzip");
	default: break;
	}
	if (media == MEDIA_ABSENT)
		return set_reply(r, 415,
				 "no Content-Type and the body is neither gzip "
				 "nor JSON: send application/tlsrpt+gzip or "
				 "application/tlsrpt+json");
	return set_reply(r, 400,
			 "the body is not a bare TLS report (gzip or JSON); "
			 "MIME messages are not accepted over HTTPS");
}

int
cgi_handle(const struct cgi_request *rq, const struct cgi_tokens *tokens,
	   const char *host, const struct intake_config *intake, FILE *in,
	   FILE *out)
{
	struct reply r = {.status = 0, .line = ""};
	char detail[TLSRPT_ERROR_PATH_MAX + TLSRPT_ERROR_TEXT_MAX + 8] = "";
	unsigned char *body = NULL;
	size_t max = intake->limits->max_message_bytes, want = 0, len = 0;
	enum media media = MEDIA_ABSENT;
	int known = 0;

	if (check_request(rq, tokens, max, &media, &known, &want, &r) != 0)
		goto out;
	switch (read_body(in, known, want, max, &body, &len)) {
	case BODY_OK: break;
	case BODY_SHORT:
		set_reply(&r, 400, "the body is shorter than Content-Length");
		goto out;
	case BODY_TOO_BIG:
		set_reply(&r, 413, "the body is larger than %zu bytes", max);
		goto out;
	case BODY_IOERR:
		set_reply(&r, 400, "the request body could not be read");
		goto out;
	case BODY_NOMEM:
		set_reply(&r, 503, "out of memory; retry later");
		goto out;
	}
	if (len == 0) {
		/* No CONTENT_LENGTH and nothing to read. */
		set_reply(&r, 411, "Content-Length is required");
		goto out;
	}
	if (check_body(media, body, len, &r) != 0)
		goto out;
	store_body(rq, tokens, host, intake, body, len, &r, detail,
		   sizeof(detail));
out:
	tlsrpt_free(body);
	one_line(detail, sizeof(detail)); /* it may quote the input too */
	log_reply(rq, &r, detail[0] != '\0' ? detail : NULL);
	return send_reply(out, &r);
}

int
cgi_unavailable(FILE *out)
{
	struct reply r = {.status = 0, .line = ""};

	set_reply(&r, 503, "the receiver is not configured; retry later");
	return send_reply(out, &r) < 0 ? -1 : 0;
}

/* HTTPSTokens. Until config.c carries the key, no token is configured and
 * the URL path is not looked at. */
static void
config_tokens(const struct config *cfg, struct cgi_tokens *out)
{
	out->items = cfg->https_tokens.items;
	out->n = cfg->https_tokens.n;
}

int
cgi_serve(const struct config *cfg, const struct intake_config *intake,
	  int64_t now, FILE *in, FILE *out)
{
	struct cgi_request rq = {
		.method = getenv("REQUEST_METHOD"),
		.content_type = getenv("CONTENT_TYPE"),
		.content_length = getenv("CONTENT_LENGTH"),
		.path_info = getenv("PATH_INFO"),
		.remote_addr = getenv("REMOTE_ADDR"),
		.now = now,
	};
	struct cgi_tokens tokens;

	config_tokens(cfg, &tokens);
	return cgi_handle(&rq, &tokens, cfg->host_name, intake, in, out) < 0
		       ? EX_IOERR
		       : 0;
}
