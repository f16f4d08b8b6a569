/* SPDX-License-Identifier: BSD-2-Clause */
/* check_cgi.c -- tlsrpt-ingest --cgi: HTTP statuses, bodies and what lands
 * in the store, for one request at a time. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "ingest/cgi.h"
#include "ingest/cgi_request.h"
#include "intake/config.h"
#include "intake/intake.h"
#include "base/alloc.h"
#include "report/input.h"
#include "report/limits.h"
#include "store/store.h"
#include "tests/unit/testutil.h"

/* 2026-11-28T00:00:00Z: the day file every test writes. */
#define NOW 1795824000
#define DAY_FILE "tlsrpt-2026-11-28.jsonl"

static char store_dir[64];
static struct tlsrpt_limits limits;
static struct tlsrpt_store *store;
static struct intake_config intake;

static void
setup(void)
{
	struct tlsrpt_store_options so;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	snprintf(store_dir, sizeof(store_dir), "/tmp/check_cgi.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(store_dir));
	tlsrpt_limits_default(&limits);
	limits.max_message_bytes = 4096;
	tlsrpt_store_options_default(&so);
	so.dir = store_dir;
	so.fsync = TLSRPT_STORE_FSYNC_NONE;
	so.limits = &limits;
	ck_assert_int_eq(tlsrpt_store_open(&so, &store, &err), 0);
	memset(&intake, 0, sizeof(intake));
	intake.limits = &limits;
	intake.store = store;
}

static void
teardown(void)
{
	char cmd[128];

	tlsrpt_store_close(store);
	store = NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", store_dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* A valid report for the given policy domains (comma-separated). */
static char *
report_json(const char *org, const char *id, const char *domains)
{
	char *buf = malloc(8192), *copy = strdup(domains), *save = NULL;
	size_t n;

	ck_assert_ptr_nonnull(buf);
	n = (size_t)snprintf(buf, 8192,
			     "{\"organization-name\":\"%s\",\"date-range\":{"
			     "\"start-datetime\":\"2026-11-27T00:00:00Z\","
			     "\"end-datetime\":\"2026-11-27T23:59:59Z\"},"
			     "\"contact-info\":\"tlsrpt@reporter.example\","
			     "\"report-id\":\"%s\",\"policies\":[",
			     org, id);
	for (char *d = strtok_r(copy, ",", &save); d != NULL;
	     d = strtok_r(NULL, ",", &save))
		n += (size_t)snprintf(
			buf + n, 8192 - n,
			"%s{\"policy\":{\"policy-type\":\"sts\","
			"\"policy-string\":[\"version: STSv1\",\"mode: "
			"enforce\",\"mx: mx.%s\",\"max_age: 86400\"],"
			"\"policy-domain\":\"%s\",\"mx-host\":[\"mx.%s\"]},"
			"\"summary\":{\"total-successful-session-count\":7,"
			"\"total-failure-session-count\":0}}",
			buf[n - 1] == '[' ? "" : ",", d, d, d);
	snprintf(buf + n, 8192 - n, "]}");
	free(copy);
	return buf;
}

static unsigned char *
gzip_of(const char *s, size_t *len)
{
	z_stream zs;
	size_t cap = strlen(s) + 128;
	unsigned char *out = malloc(cap);

	ck_assert_ptr_nonnull(out);
	memset(&zs, 0, sizeof(zs));
	ck_assert_int_eq(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8,
				      Z_DEFAULT_STRATEGY),
			 Z_OK);
	zs.next_in = (unsigned char *)s;
	zs.avail_in = (uInt)strlen(s);
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
	*len = zs.total_out;
	deflateEnd(&zs);
	return out;
}

struct response {
	int status;    /* what cgi_handle returned */
	char *text;    /* the whole response */
	size_t in_pos; /* bytes of the body consumed */
};

static void
response_free(struct response *r)
{
	free(r->text);
	r->text = NULL;
}

static struct request_in {
	const char *method, *type, *length, *path, *addr;
} base = {"POST", "application/tlsrpt+gzip", NULL, NULL, "192.0.2.7"};

/* Run one request; length "auto" puts the body's length. */
static struct response
run(struct request_in ri, const struct cgi_tokens *tokens, const void *body,
    size_t len)
{
	struct response r = {0, NULL, 0};
	char lenbuf[32];
	struct cgi_request rq = {
		.method = ri.method,
		.content_type = ri.type,
		.content_length = ri.length,
		.path_info = ri.path,
		.remote_addr = ri.addr,
		.now = NOW,
	};
	/* fmemopen of size 0 is refused: keep one byte, unused. */
	static char empty[1];
	FILE *in = fmemopen(len > 0 ? (void *)body : empty, len > 0 ? len : 1,
			    "r");
	size_t out_len;
	FILE *out = open_memstream(&r.text, &out_len);

	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(out);
	if (len == 0)
		(void)fgetc(in); /* now at EOF */
	if (ri.length != NULL && strcmp(ri.length, "auto") == 0) {
		snprintf(lenbuf, sizeof(lenbuf), "%zu", len);
		rq.content_length = lenbuf;
	}
	r.status = cgi_handle(&rq, tokens, "mx.test", &intake, in, out);
	r.in_pos = (size_t)ftell(in);
	fclose(in);
	fclose(out);
	return r;
}

/* The response is "Status: NNN ...\r\n" headers, an empty line, one line. */
static void
assert_response(const struct response *r, int status, const char *line_has)
{
	char want[32];
	const char *body;

	ck_assert_int_eq(r->status, status);
	snprintf(want, sizeof(want), "Status: %d ", status);
	ck_assert_msg(strncmp(r->text, want, strlen(want)) == 0, "got: %s",
		      r->text);
	ck_assert_ptr_nonnull(strstr(
		r->text, "\r\nContent-Type: text/plain; charset=utf-8\r\n"));
	body = strstr(r->text, "\r\n\r\n");
	ck_assert_ptr_nonnull(body);
	body += 4;
	ck_assert_msg(strlen(body) > 1 &&
			      strchr(body, '\n') == body + strlen(body) - 1,
		      "not one line: %s", body);
	if (line_has != NULL)
		ck_assert_msg(strstr(body, line_has) != NULL,
			      "\"%s\" not in: %s", line_has, body);
}

/* Lines of today's day file (0 when it does not exist). */
static size_t
stored_lines(char **text)
{
	char path[128];
	FILE *f;
	size_t n = 0;
	int c;

	snprintf(path, sizeof(path), "%s/" DAY_FILE, store_dir);
	f = fopen(path, "r");
	if (text != NULL)
		*text = NULL;
	if (f == NULL)
		return 0;
	while ((c = fgetc(f)) != EOF)
		if (c == '\n')
			n++;
	if (text != NULL) {
		long size = ftell(f);

		*text = calloc(1, (size_t)size + 1);
		rewind(f);
		ck_assert_uint_eq(fread(*text, 1, (size_t)size, f),
				  (size_t)size);
	}
	fclose(f);
	return n;
}

START_TEST(test_stored_then_duplicate)
{
	char *json = report_json("Reporter Inc.", "r-1", "example.org");
	size_t glen;
	unsigned char *gz = gzip_of(json, &glen);
	struct request_in ri = base;
	struct response r;
	char *text;

	ri.length = "auto";
	r = run(ri, NULL, gz, glen);
	assert_response(&r, 201, "stored: Reporter Inc. r-1");
	ck_assert_ptr_nonnull(strstr(r.text, "Status: 201 Created\r\n"));
	response_free(&r);
	ck_assert_uint_eq(stored_lines(&text), 1);
	ck_assert_ptr_nonnull(strstr(text, "\"source\":\"http\""));
	ck_assert_ptr_nonnull(strstr(text, "\"client-addr\":\"192.0.2.7\""));
	ck_assert_ptr_nonnull(strstr(text, "\"host\":\"mx.test\""));
	ck_assert_ptr_null(strstr(text, "\"dkim\""));
	ck_assert_ptr_null(strstr(text, "\"submitter\""));
	free(text);

	/* The same report again, now as JSON with parameters. */
	ri.type = "Application/TLSRPT+JSON; charset=utf-8";
	r = run(ri, NULL, json, strlen(json));
	assert_response(&r, 200, "duplicate: Reporter Inc. r-1");
	ck_assert_ptr_nonnull(strstr(r.text, "Status: 200 OK\r\n"));
	response_free(&r);
	ck_assert_uint_eq(stored_lines(NULL), 1);
	free(gz);
	free(json);
}
END_TEST

START_TEST(test_method)
{
	static const char *const methods[] = {"GET", "HEAD", "PUT", "post",
					      NULL};
	char *json = report_json("O", "m-1", "example.org");

	for (size_t i = 0; i < 5; i++) {
		struct request_in ri = base;
		struct response r;

		ri.method = methods[i];
		ri.length = "auto";
		r = run(ri, NULL, json, strlen(json));
		assert_response(&r, 405, "POST");
		ck_assert_ptr_nonnull(strstr(r.text, "\r\nAllow: POST\r\n"));
		ck_assert_uint_eq(r.in_pos, 0);
		response_free(&r);
	}
	ck_assert_uint_eq(stored_lines(NULL), 0);
	free(json);
}
END_TEST

START_TEST(test_media_type)
{
	static const char *const bad[] = {
		"text/plain", "application/json", "application/gzip",
		"application/tlsrpt+gzipx", "multipart/form-data; boundary=x"};
	char *json = report_json("O", "t-1", "example.org");
	struct request_in ri = base;
	struct response r;

	ri.length = "auto";
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ri.type = bad[i];
		r = run(ri, NULL, json, strlen(json));
		assert_response(&r, 415, "application/tlsrpt+gzip");
		response_free(&r);
	}
	ck_assert_uint_eq(stored_lines(NULL), 0);

	/* No type: the body is sniffed. */
	ri.type = NULL;
	r = run(ri, NULL, "hello, world", 12);
	assert_response(&r, 415, "neither gzip nor JSON");
	response_free(&r);
	ri.type = "";
	r = run(ri, NULL, json, strlen(json));
	assert_response(&r, 201, "stored");
	response_free(&r);
	ck_assert_uint_eq(stored_lines(NULL), 1);
	free(json);
}
END_TEST

START_TEST(test_not_bare)
{
	static const char mime[] =
		"From: a@example.net\r\nSubject: report\r\n"
		"Content-Type: application/tlsrpt+json\r\n\r\n{}\r\n";
	static const unsigned char zip[] = "PK\003\004rest of a zip";
	struct request_in ri = base;
	struct response r;

	ri.length = "auto";
	ri.type = "application/tlsrpt+json";
	r = run(ri, NULL, mime, strlen(mime));
	assert_response(&r, 400, "MIME");
	response_free(&r);
	r = run(ri, NULL, zip, sizeof(zip) - 1);
	assert_response(&r, 400, "zip");
	response_free(&r);
	ck_assert_uint_eq(stored_lines(NULL), 0);
}
END_TEST

START_TEST(test_invalid)
{
	static const unsigned char bad_gzip[] = {0x1f, 0x8b, 8, 0, 1, 2, 3};
	static const char bad_report[] = "{\"organization-name\":\"x\","
					 "\"policies\":[]}";
	static const char bad_json[] = "{\"organization-name\": ";
	struct request_in ri = base;
	struct response r;

	ri.length = "auto";
	r = run(ri, NULL, bad_gzip, sizeof(bad_gzip));
	assert_response(&r, 400, "invalid report");
	response_free(&r);
	ri.type = "application/tlsrpt+json";
	r = run(ri, NULL, bad_report, strlen(bad_report));
	assert_response(&r, 400, "invalid report");
	response_free(&r);
	r = run(ri, NULL, bad_json, strlen(bad_json));
	assert_response(&r, 400, NULL);
	response_free(&r);
	ck_assert_uint_eq(stored_lines(NULL), 0);
}
END_TEST

START_TEST(test_lengths)
{
	char *json = report_json("O", "l-1", "example.org");
	char big[5000];
	struct request_in ri = base;
	struct response r;
	char more[64];

	memset(big, ' ', sizeof(big));
	big[0] = '{';
	ri.type = "application/tlsrpt+json";

	/* Declared too large: refused before reading anything. */
	ri.length = "5000";
	r = run(ri, NULL, big, sizeof(big));
	assert_response(&r, 413, "4096");
	ck_assert_uint_eq(r.in_pos, 0);
	response_free(&r);
	ri.length = "99999999999999999999999999";
	r = run(ri, NULL, big, sizeof(big));
	assert_response(&r, 413, NULL);
	response_free(&r);

	/* Malformed or zero lengths. */
	ri.length = "12x";
	r = run(ri, NULL, json, strlen(json));
	assert_response(&r, 400, "Content-Length");
	response_free(&r);
	ri.length = "-5";
	r = run(ri, NULL, json, strlen(json));
	assert_response(&r, 400, "Content-Length");
	response_free(&r);
	ri.length = "0";
	r = run(ri, NULL, json, strlen(json));
	assert_response(&r, 400, "empty");
	response_free(&r);

	/* Declared longer than what comes: a truncated body. */
	snprintf(more, sizeof(more), "%zu", strlen(json) + 10);
	ri.length = more;
	r = run(ri, NULL, json, strlen(json));
	assert_response(&r, 400, "shorter than Content-Length");
	response_free(&r);
	ck_assert_uint_eq(stored_lines(NULL), 0);

	/* No length: read to the end, bounded. */
	ri.length = NULL;
	r = run(ri, NULL, big, sizeof(big));
	assert_response(&r, 413, NULL);
	ck_assert_uint_le(r.in_pos, 4097);
	response_free(&r);
	r = run(ri, NULL, "", 0);
	assert_response(&r, 411, "Content-Length");
	response_free(&r);
	r = run(ri, NULL, json, strlen(json));
	assert_response(&r, 201, "stored");
	response_free(&r);
	ck_assert_uint_eq(stored_lines(NULL), 1);
	free(json);
}
END_TEST

START_TEST(test_exact_length)
{
	/* Exactly CONTENT_LENGTH bytes are read, whatever follows. */
	char *json = report_json("O", "x-1", "example.org");
	size_t jlen = strlen(json);
	char *body = malloc(jlen + 20), len[32];
	struct request_in ri = base;
	struct response r;

	memcpy(body, json, jlen);
	memcpy(body + jlen, "trailing garbage!!!", 20);
	snprintf(len, sizeof(len), "%zu", jlen);
	ri.length = len;
	ri.type = "application/tlsrpt+json";
	r = run(ri, NULL, body, jlen + 20);
	assert_response(&r, 201, "stored");
	ck_assert_uint_eq(r.in_pos, jlen);
	response_free(&r);
	free(body);
	free(json);
}
END_TEST

START_TEST(test_store_unavailable)
{
	char *json = report_json("O", "s-1", "example.org");
	struct request_in ri = base;
	struct response r;

	ri.length = "auto";
	ri.type = "application/tlsrpt+json";
	intake.store = NULL;
	r = run(ri, NULL, json, strlen(json));
	assert_response(&r, 503, "retry");
	ck_assert_ptr_nonnull(strstr(r.text, "\r\nRetry-After: 300\r\n"));
	response_free(&r);
	/* Bad input is still the client's fault. */
	r = run(ri, NULL, "{}", 2);
	assert_response(&r, 400, NULL);
	response_free(&r);
	intake.store = store;
	ck_assert_uint_eq(stored_lines(NULL), 0);
	free(json);
}
END_TEST

START_TEST(test_store_fails)
{
	char *json = report_json("O", "f-1", "example.org");
	char path[128];
	struct request_in ri = base;
	struct response r;

	/* A symlink at the day file's path makes the append fail. */
	snprintf(path, sizeof(path), "%s/" DAY_FILE, store_dir);
	ck_assert_int_eq(symlink("/nonexistent/day", path), 0);
	ri.length = "auto";
	ri.type = "application/tlsrpt+json";
	r = run(ri, NULL, json, strlen(json));
	assert_response(&r, 503, "retry later");
	ck_assert_ptr_nonnull(strstr(r.text, "\r\nRetry-After: 300\r\n"));
	/* The store's path is for the log, not for the sender. */
	ck_assert_ptr_null(strstr(r.text, store_dir));
	response_free(&r);
	ck_assert_int_eq(unlink(path), 0);

	/* Once the store works again the report is stored. */
	r = run(ri, NULL, json, strlen(json));
	assert_response(&r, 201, "stored");
	response_free(&r);
	free(json);
}
END_TEST

START_TEST(test_require_dkim)
{
	char *json = report_json("O", "d-1", "example.org");
	struct request_in ri = base;
	struct response r;

	intake.require_dkim = 1;
	ri.length = "auto";
	r = run(ri, NULL, json, strlen(json));
	assert_response(&r, 403, "RequireDKIM");
	response_free(&r);
	intake.require_dkim = 0;
	ck_assert_uint_eq(stored_lines(NULL), 0);
	free(json);
}
END_TEST

START_TEST(test_one_line)
{
	/* A newline inside the organisation name stays out of the reply,
	 * and so do C1 controls and bidi overrides (the log step). */
	char *json = report_json("Evil\\r\\nSet-Cookie: x\\u009b\\u202e", "n-1",
				 "example.org");
	struct request_in ri = base;
	struct response r;

	ri.length = "auto";
	r = run(ri, NULL, json, strlen(json));
	assert_response(&r, 201, "stored: Evil??Set-Cookie: x?? n-1");
	response_free(&r);
	free(json);
}
END_TEST

static char *const token_items[] = {"example.org:tok-org-1",
				    "example.net:tok-net-2",
				    "example.com:tok-net-2"};
static const struct cgi_tokens tokens = {token_items, 3};

/* POST a report for domains to path; expect status. */
static void
post_token(const char *path, const char *id, const char *domains, int status,
	   const char *line_has)
{
	char *json = report_json("Tok", id, domains);
	struct request_in ri = base;
	struct response r;

	ri.length = "auto";
	ri.path = path;
	r = run(ri, &tokens, json, strlen(json));
	assert_response(&r, status, line_has);
	response_free(&r);
	free(json);
}

START_TEST(test_tokens)
{
	post_token(NULL, "k-1", "example.org", 403, "needs a token");
	post_token("/", "k-1", "example.org", 403, "needs a token");
	post_token("/tok-org-", "k-1", "example.org", 403, "unknown token");
	post_token("/tok-org-1/extra", "k-1", "example.org", 403, NULL);
	post_token("/tok-org-1", "k-1", "example.net", 403,
		   "example.net is not one of this URL's domains");
	post_token("/tok-org-1", "k-1", "notexample.org", 403, NULL);
	post_token("/tok-org-1", "k-1", "example.org,evil.example", 403,
		   "evil.example");
	ck_assert_uint_eq(stored_lines(NULL), 0);

	post_token("/tok-org-1", "k-1", "example.org", 201, "stored");
	post_token("/tok-org-1", "k-2", "Mail.Example.ORG.", 201, "stored");
	/* One token may stand for several domains. */
	post_token("/tok-net-2/", "k-3", "example.net,example.com", 201,
		   "stored");
	post_token("/tok-net-2", "k-4", "example.org", 403, NULL);
	ck_assert_uint_eq(stored_lines(NULL), 4);

	/* Without tokens configured the path does not matter. */
	{
		static const struct cgi_tokens none = {NULL, 0};
		char *json = report_json("Tok", "k-5", "anything.example");
		struct request_in ri = base;
		struct response r;

		ri.length = "auto";
		ri.path = "/whatever";
		r = run(ri, &none, json, strlen(json));
		assert_response(&r, 201, "stored");
		response_free(&r);
		free(json);
	}
}
END_TEST

/* With HTTPSTokens the body is parsed once, for the domain check and the
 * store together: the request costs about what it costs without tokens
 * (parsing twice cost twice the parser's allocations). */
START_TEST(test_tokens_parse_once)
{
	static const struct cgi_tokens none = {NULL, 0};
	char *json = report_json("Tok", "p-1", "example.org");
	char *json2 = report_json("Tok", "p-2", "example.org");
	struct request_in ri = base;
	struct response r;
	unsigned long with, without;

	ri.length = "auto";
	ri.path = "/tok-org-1";
	(void)tlsrpt_alloc_fail_after(0);
	r = run(ri, &none, json, strlen(json));
	without = tlsrpt_alloc_fail_after(0);
	assert_response(&r, 201, "stored");
	response_free(&r);
	r = run(ri, &tokens, json2, strlen(json2));
	with = tlsrpt_alloc_fail_after(0);
	assert_response(&r, 201, "stored");
	response_free(&r);
	ck_assert_uint_le(with, without + 2);
	free(json);
	free(json2);
}
END_TEST

/* cgi_serve() takes the request from the environment. */
START_TEST(test_serve_env)
{
	struct config cfg;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char *json = report_json("Env Org", "e-1", "example.org");
	char len[32], *out_text = NULL, *text;
	size_t out_len;
	FILE *in, *out;

	ck_assert_int_eq(config_init(&cfg, &err), 0);
	ck_assert_int_eq(
		config_set(&cfg, "HostName", "cgi.example", "test", &err), 0);
	ck_assert_int_eq(config_finish(&cfg, &err), 0);
	snprintf(len, sizeof(len), "%zu", strlen(json));
	setenv("REQUEST_METHOD", "POST", 1);
	setenv("CONTENT_TYPE", "application/tlsrpt+json", 1);
	setenv("CONTENT_LENGTH", len, 1);
	setenv("REMOTE_ADDR", "2001:db8::5", 1);
	unsetenv("PATH_INFO");
	in = fmemopen(json, strlen(json), "r");
	out = open_memstream(&out_text, &out_len);
	ck_assert_int_eq(cgi_serve(&cfg, &intake, NOW, in, out), 0);
	fclose(in);
	fclose(out);
	ck_assert_msg(strncmp(out_text, "Status: 201 Created\r\n", 21) == 0,
		      "%s", out_text);
	free(out_text);
	/* The caller's clock (NOW, 2026-11-28T00:00:00Z), not the machine's,
	 * chose the day file and the receive time: the test means the same
	 * thing on any day and across midnight. */
	{
		char path[128];

		snprintf(path, sizeof(path), "%s/tlsrpt-2026-11-28.jsonl",
			 store_dir);
		text = test_read_file(path, NULL);
	}
	ck_assert_ptr_nonnull(
		strstr(text, "\"received\":\"2026-11-28T00:00:00Z\""));
	ck_assert_ptr_nonnull(strstr(text, "\"client-addr\":\"2001:db8::5\""));
	ck_assert_ptr_nonnull(strstr(text, "\"host\":\"cgi.example\""));
	ck_assert_ptr_nonnull(strstr(text, "\"source\":\"http\""));
	free(text);

	/* A GET through the environment. */
	setenv("REQUEST_METHOD", "GET", 1);
	unsetenv("CONTENT_LENGTH");
	in = fmemopen(json, strlen(json), "r");
	out = open_memstream(&out_text, &out_len);
	ck_assert_int_eq(cgi_serve(&cfg, &intake, NOW, in, out), 0);
	fclose(in);
	fclose(out);
	ck_assert_ptr_nonnull(
		strstr(out_text, "Status: 405 Method Not Allowed\r\n"));
	free(out_text);
	config_free(&cfg);
	free(json);
}
END_TEST

START_TEST(test_unavailable)
{
	char *text = NULL;
	size_t len;
	FILE *out = open_memstream(&text, &len);

	ck_assert_int_eq(cgi_unavailable(out), 0);
	fclose(out);
	ck_assert_msg(
		strncmp(text, "Status: 503 Service Unavailable\r\n", 33) == 0,
		"%s", text);
	ck_assert_ptr_nonnull(strstr(text, "\r\nRetry-After: 300\r\n"));
	ck_assert_ptr_nonnull(strstr(text, "\r\n\r\nthe receiver is not "
					   "configured; retry later\n"));
	free(text);
}
END_TEST

static Suite *
cgi_suite(void)
{
	Suite *s = suite_create("cgi");
	TCase *tc = tcase_create("cgi");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_stored_then_duplicate);
	tcase_add_test(tc, test_method);
	tcase_add_test(tc, test_media_type);
	tcase_add_test(tc, test_not_bare);
	tcase_add_test(tc, test_invalid);
	tcase_add_test(tc, test_lengths);
	tcase_add_test(tc, test_exact_length);
	tcase_add_test(tc, test_store_unavailable);
	tcase_add_test(tc, test_store_fails);
	tcase_add_test(tc, test_require_dkim);
	tcase_add_test(tc, test_one_line);
	tcase_add_test(tc, test_tokens);
	tcase_add_test(tc, test_tokens_parse_once);
	tcase_add_test(tc, test_serve_env);
	tcase_add_test(tc, test_unavailable);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	int rc;

	tlsrpt_parser_init();
	rc = test_run(cgi_suite());
	tlsrpt_parser_shutdown();
	return rc;
}
