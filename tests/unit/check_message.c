/* SPDX-License-Identifier: BSD-2-Clause */
/* check_message.c -- the MIME walk and the input dispatch: metadata,
 * candidate parts, lying content types, zip, limits, memory failure. */
#include <check.h>
#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <zlib.h>

#include "base/alloc.h"
#include "report/authres.h"
#include "report/input.h"
#include "tests/unit/testutil.h"

#define REPORT_FMT                                                             \
	"{\"organization-name\":\"Google Inc.\",\"date-range\":{"              \
	"\"start-datetime\":\"2024-09-03T00:00:00Z\",\"end-datetime\":"        \
	"\"2024-09-03T23:59:59Z\"},\"contact-info\":"                          \
	"\"smtp-tls-reporting@google.com\",\"report-id\":\"%s\","              \
	"\"policies\":[{\"policy\":{\"policy-type\":\"sts\","                  \
	"\"policy-string\":[\"version: STSv1\",\"mode: testing\","             \
	"\"mx: mx.example.net\",\"max_age: 86400\"],"                          \
	"\"policy-domain\":\"example.net\",\"mx-host\":[\"mx.example.net\"]}," \
	"\"summary\":{\"total-successful-session-count\":48,"                  \
	"\"total-failure-session-count\":%d}}]}"

#define NAME "google.com!example.net!1725321600!1725407999!001.json.gz"

/* A report JSON with the given id and failure count; g_free() it. */
static char *
report_json(const char *id, int failures)
{
	return g_strdup_printf(REPORT_FMT, id, failures);
}

static unsigned char *
gzip_of(const void *data, size_t len, size_t *out_len)
{
	z_stream zs;
	size_t cap;
	unsigned char *out;

	memset(&zs, 0, sizeof(zs));
	ck_assert_int_eq(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 9,
				      Z_DEFAULT_STRATEGY),
			 Z_OK);
	cap = deflateBound(&zs, len) + 64;
	out = g_malloc(cap);
	zs.next_in = (Bytef *)(uintptr_t)data;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
	*out_len = zs.total_out;
	deflateEnd(&zs);
	return out;
}

/* Base64 in 76-column lines, as mailers write it; g_free() it. */
static char *
base64_lines(const void *data, size_t len)
{
	char *flat = g_base64_encode(data, len);
	GString *s = g_string_new(NULL);
	size_t n = strlen(flat);

	for (size_t i = 0; i < n; i += 76) {
		g_string_append_len(s, flat + i,
				    (gssize)(n - i < 76 ? n - i : 76));
		g_string_append_c(s, '\n');
	}
	g_free(flat);
	return g_string_free(s, FALSE);
}

/* The base64 of the gzip of a report with this id. */
static char *
gz_report_b64(const char *id)
{
	char *json = report_json(id, 0), *b64;
	unsigned char *gz;
	size_t gz_len;

	gz = gzip_of(json, strlen(json), &gz_len);
	b64 = base64_lines(gz, gz_len);
	g_free(gz);
	g_free(json);
	return b64;
}

static char *
to_crlf(const char *s)
{
	GString *out = g_string_new(NULL);

	for (; *s != '\0'; s++) {
		if (*s == '\n')
			g_string_append_c(out, '\r');
		g_string_append_c(out, *s);
	}
	return g_string_free(out, FALSE);
}

static struct tlsrpt_limits
defaults(void)
{
	struct tlsrpt_limits l;

	tlsrpt_limits_default(&l);
	return l;
}

/* Parse s with the given limits; returns the status, *in to free. */
static int
parse_with(const char *s, const struct tlsrpt_limits *l,
	   struct tlsrpt_input **in, struct tlsrpt_error *err)
{
	int rc = tlsrpt_input_parse(s, strlen(s), l, in, err);

	ck_assert_ptr_nonnull(*in);
	return rc;
}

static int
parse(const char *s, struct tlsrpt_input **in, struct tlsrpt_error *err)
{
	struct tlsrpt_limits l = defaults();

	return parse_with(s, &l, in, err);
}

static const char google_fmt[] =
	"Authentication-Results: mx.example.net;\n"
	"\tdkim=pass header.d=google.com header.s=20230601\n"
	"Received: from mail-sor-f73.google.com by mx.example.net\n"
	"Authentication-Results: other.example; spf=pass\n"
	"DKIM-Signature: v=1; a=rsa-sha256; d=google.com; s=20230601;\n"
	"\th=tls-report-submitter:tls-report-domain:subject:from:to:date:"
	"message-id;\n"
	"\tb=AAAA\n"
	"MIME-Version: 1.0\n"
	"From: =?UTF-8?Q?G=C3=B6ogle?= "
	"<noreply-smtp-tls-reporting@google.com>\n"
	"Date: Wed, 04 Sep 2024 07:59:59 -0700\n"
	"Message-ID: <000000000000a1b2c3d4e5f60708@google.com>\n"
	"Subject: Report Domain: example.net Submitter: google.com\n"
	" Report-ID: <2024.09.03T00.00.00Z+example.net@google.com>\n"
	"TLS-Report-Domain: example.net\n"
	"TLS-Report-Submitter: google.com\n"
	"To: tlsrpt@example.net\n"
	"Content-Type: multipart/report; boundary=\"0000000000001234\"; "
	"report-type=tlsrpt\n"
	"\n"
	"--0000000000001234\n"
	"Content-Type: text/plain; charset=\"UTF-8\"; format=flowed; "
	"delsp=yes\n"
	"\n"
	"This is an aggregate TLS report from google.com\n"
	"\n"
	"--0000000000001234\n"
	"Content-Type: application/tlsrpt+gzip; \n"
	"\tname=\"" NAME "\"\n"
	"Content-Disposition: attachment; \n"
	"\tfilename=\"" NAME "\"\n"
	"Content-Transfer-Encoding: base64\n"
	"\n"
	"%s"
	"--0000000000001234--\n";

static char *
google_message(const char *id)
{
	char *b64 = gz_report_b64(id);
	char *msg = g_strdup_printf(google_fmt, b64);

	g_free(b64);
	return msg;
}

static void
assert_google(const struct tlsrpt_input *in, const char *id)
{
	const struct tlsrpt_message_meta *m = &in->meta;

	ck_assert_int_eq(in->is_message, 1);
	ck_assert_str_eq(m->message_id,
			 "000000000000a1b2c3d4e5f60708@google.com");
	ck_assert_str_eq(m->from,
			 "Göogle <noreply-smtp-tls-reporting@google.com>");
	ck_assert_ptr_nonnull(strstr(m->subject, "Submitter: google.com"));
	ck_assert_ptr_nonnull(strstr(m->subject, "Report-ID: <2024.09.03"));
	ck_assert_ptr_null(strchr(m->subject, '\n'));
	ck_assert_str_eq(m->date, "Wed, 04 Sep 2024 07:59:59 -0700");
	ck_assert_str_eq(m->report_domain, "example.net");
	ck_assert_str_eq(m->report_submitter, "google.com");
	ck_assert_uint_eq(m->n_auth_results, 2);
	ck_assert_ptr_nonnull(strstr(m->auth_results[0], "mx.example.net;"));
	ck_assert_ptr_nonnull(
		strstr(m->auth_results[0], "dkim=pass header.d=google.com"));
	ck_assert_ptr_null(strchr(m->auth_results[0], '\n'));
	ck_assert_str_eq(m->auth_results[1], "other.example; spf=pass");
	ck_assert_uint_eq(in->n_items, 1);
	ck_assert_str_eq(in->items[0].filename, NAME);
	ck_assert_str_eq(in->items[0].content_type, "application/tlsrpt+gzip");
	ck_assert_int_eq(in->items[0].kind, TLSRPT_PAYLOAD_GZIP);
	ck_assert_uint_gt(in->items[0].payload_bytes, 100);
	ck_assert_int_eq(in->items[0].error.code, TLSRPT_OK);
	ck_assert_ptr_nonnull(in->items[0].report);
	ck_assert_str_eq(in->items[0].report->organization_name, "Google Inc.");
	ck_assert_str_eq(in->items[0].report->report_id, id);
	ck_assert_uint_eq(in->items[0].report->n_policies, 1);
	ck_assert_int_eq(
		in->items[0].report->policies[0].total_successful_session_count,
		48);
}

START_TEST(test_meta_lf)
{
	char *msg = google_message("2024-09-03T00:00:00Z_example.net");
	struct tlsrpt_input *in;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	ck_assert_int_eq(parse(msg, &in, &err), 0);
	assert_google(in, "2024-09-03T00:00:00Z_example.net");
	tlsrpt_input_free(in);
	g_free(msg);
}
END_TEST

START_TEST(test_meta_crlf)
{
	char *lf = google_message("2024-09-03T00:00:00Z_example.net");
	char *msg = to_crlf(lf);
	struct tlsrpt_input *in;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	ck_assert_int_eq(parse(msg, &in, &err), 0);
	assert_google(in, "2024-09-03T00:00:00Z_example.net");
	ck_assert_ptr_null(strchr(in->meta.subject, '\r'));
	ck_assert_ptr_null(strchr(in->meta.auth_results[0], '\r'));
	tlsrpt_input_free(in);
	g_free(msg);
	g_free(lf);
}
END_TEST

/* An mbox "From " line before the headers (tlsrpt-ingest on an mbox). */
START_TEST(test_mbox_from_line)
{
	char *body = google_message("id-mbox");
	char *msg = g_strconcat("From noreply@google.com Wed Sep  4 07:59:59 "
				"2024\n",
				body, NULL);
	struct tlsrpt_input *in;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	ck_assert_int_eq(parse(msg, &in, &err), 0);
	ck_assert_str_eq(in->items[0].report->report_id, "id-mbox");
	ck_assert_str_eq(in->meta.report_submitter, "google.com");
	tlsrpt_input_free(in);
	g_free(msg);
	g_free(body);
}
END_TEST

/* Where each Authentication-Results header lies against the Received
 * headers, case and folding aside: the sender wrote everything below the
 * first Received header (RFC 8601 section 5). The verdict on the parsed
 * message takes only our verifier's header above it. */
START_TEST(test_auth_results_order)
{
	char *body = google_message("id-order");
	/* The sender's copy of a real pass, below its own Received, under
	 * the dkim=none our verifier prepended. */
	char *msg = g_strconcat("authentication-results: mx.example.net;\n"
				"\tdkim=none\n"
				"RECEIVED: from attacker.example\n"
				"\tby relay.example; Wed, 4 Sep 2024 08:00:00 "
				"-0700\n",
				body, NULL);
	char *const trusted[] = {"mx.example.net"};
	struct tlsrpt_dkim_result r;
	struct tlsrpt_input *in;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	ck_assert_int_eq(parse(msg, &in, &err), 0);
	ck_assert_uint_eq(in->meta.n_auth_results, 3);
	ck_assert_ptr_nonnull(in->meta.auth_results_received_above);
	ck_assert_uint_eq(in->meta.auth_results_received_above[0], 0);
	ck_assert_uint_eq(in->meta.auth_results_received_above[1], 1);
	ck_assert_uint_eq(in->meta.auth_results_received_above[2], 2);
	tlsrpt_dkim_evaluate(
		in->meta.auth_results, in->meta.auth_results_received_above,
		in->meta.n_auth_results, trusted, 1, "google.com", &r);
	ck_assert_int_eq(r.verdict, TLSRPT_DKIM_NONE);
	ck_assert_uint_eq(r.ignored, 1);
	tlsrpt_input_free(in);

	/* Without the sender's Received header, ours is still on top. */
	ck_assert_int_eq(parse(body, &in, &err), 0);
	ck_assert_uint_eq(in->meta.auth_results_received_above[0], 0);
	tlsrpt_dkim_evaluate(
		in->meta.auth_results, in->meta.auth_results_received_above,
		in->meta.n_auth_results, trusted, 1, "google.com", &r);
	ck_assert_int_eq(r.verdict, TLSRPT_DKIM_PASS);
	ck_assert_str_eq(r.domain, "google.com");
	ck_assert_uint_eq(r.ignored, 0);
	tlsrpt_input_free(in);
	g_free(msg);
	g_free(body);
}
END_TEST

START_TEST(test_forwarded)
{
	char *inner = google_message("fwd-id");
	char *msg = g_strdup_printf(
		"From: Postmaster <postmaster@example.net>\n"
		"To: tlsrpt@example.net\n"
		"Subject: Fwd: Report Domain: example.net\n"
		"Message-ID: <fwd@example.net>\n"
		"MIME-Version: 1.0\n"
		"Content-Type: multipart/mixed; boundary=outer\n"
		"\n"
		"--outer\n"
		"Content-Type: text/plain\n"
		"\n"
		"See the attached report.\n"
		"--outer\n"
		"Content-Type: message/rfc822\n"
		"Content-Disposition: attachment\n"
		"\n"
		"%s"
		"--outer--\n",
		inner);
	struct tlsrpt_input *in;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	ck_assert_int_eq(parse(msg, &in, &err), 0);
	/* The metadata is the outer message's. */
	ck_assert_str_eq(in->meta.message_id, "fwd@example.net");
	ck_assert_ptr_null(in->meta.report_submitter);
	ck_assert_uint_eq(in->meta.n_auth_results, 0);
	ck_assert_uint_eq(in->n_items, 1);
	ck_assert_str_eq(in->items[0].report->report_id, "fwd-id");
	ck_assert_str_eq(in->items[0].filename, NAME);
	tlsrpt_input_free(in);
	g_free(msg);
	g_free(inner);
}
END_TEST

/* mail.ru ends the message without the closing boundary. */
START_TEST(test_no_closing_boundary)
{
	char *b64 = gz_report_b64("mailru-id");
	char *msg = g_strdup_printf(
		"From: tlsrpt-noreply@mail.ru\n"
		"Subject: Report Domain: example.net Submitter: mail.ru\n"
		"TLS-Report-Domain: example.net\n"
		"TLS-Report-Submitter: mail.ru\n"
		"MIME-Version: 1.0\n"
		"Content-Type: multipart/report; report-type=\"tlsrpt\";\n"
		"\tboundary=\"----==--bound.1.mail.ru\"\n"
		"\n"
		"------==--bound.1.mail.ru\n"
		"Content-Type: text/plain; charset=utf-8\n"
		"\n"
		"TLS report\n"
		"------==--bound.1.mail.ru\n"
		"Content-Type: application/tlsrpt+gzip\n"
		"Content-Disposition: attachment; "
		"filename=\"mail.ru!example.net!1.json.gz\"\n"
		"Content-Transfer-Encoding: base64\n"
		"\n"
		"%s",
		b64);
	struct tlsrpt_input *in;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	ck_assert_int_eq(parse(msg, &in, &err), 0);
	ck_assert_uint_eq(in->n_items, 1);
	ck_assert_str_eq(in->items[0].report->report_id, "mailru-id");
	ck_assert_str_eq(in->items[0].filename,
			 "mail.ru!example.net!1.json.gz");
	tlsrpt_input_free(in);
	g_free(msg);
	g_free(b64);
}
END_TEST

/* A message with one attachment part of the given type, file name (or
 * NULL), transfer encoding and body. */
static char *
one_part(const char *type, const char *name, const char *cte, const char *body)
{
	return g_strdup_printf(
		"From: reporter@example.org\n"
		"Subject: report\n"
		"MIME-Version: 1.0\n"
		"Content-Type: multipart/report; report-type=tlsrpt; "
		"boundary=BB\n"
		"\n"
		"--BB\n"
		"Content-Type: text/plain\n"
		"\n"
		"A report.\n"
		"--BB\n"
		"Content-Type: %s\n"
		"%s%s%s"
		"Content-Transfer-Encoding: %s\n"
		"\n"
		"%s\n"
		"--BB--\n",
		type,
		name != NULL ? "Content-Disposition: attachment; filename=\""
			     : "",
		name != NULL ? name : "", name != NULL ? "\"\n" : "", cte,
		body);
}

START_TEST(test_base64_garbage)
{
	char *msg = one_part("application/tlsrpt+gzip", "r.json.gz", "base64",
			     "!!!!####$$$$ this is not base64 at all ****");
	struct tlsrpt_input *in;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	ck_assert_int_eq(parse(msg, &in, &err), -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_INVALID);
	ck_assert_str_eq(err.path,
			 "part 2 (application/tlsrpt+gzip, r.json.gz)");
	ck_assert_uint_eq(in->n_items, 1);
	ck_assert_ptr_null(in->items[0].report);
	ck_assert_int_eq(in->items[0].error.code, TLSRPT_ERR_INVALID);
	ck_assert_str_eq(in->items[0].error.path, err.path);
	tlsrpt_input_free(in);
	g_free(msg);
}
END_TEST

START_TEST(test_gzip_labelled_json)
{
	char *b64 = gz_report_b64("lying-1");
	char *msg = one_part("application/json", NULL, "base64", b64);
	struct tlsrpt_input *in;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	ck_assert_int_eq(parse(msg, &in, &err), 0);
	ck_assert_int_eq(in->items[0].kind, TLSRPT_PAYLOAD_GZIP);
	ck_assert_str_eq(in->items[0].content_type, "application/json");
	ck_assert_ptr_null(in->items[0].filename);
	ck_assert_str_eq(in->items[0].report->report_id, "lying-1");
	tlsrpt_input_free(in);
	g_free(msg);
	g_free(b64);
}
END_TEST

START_TEST(test_json_labelled_gzip)
{
	char *json = report_json("lying-2", 3);
	char *b64 = base64_lines(json, strlen(json));
	char *msg =
		one_part("application/tlsrpt+gzip", "x.json.gz", "base64", b64);
	struct tlsrpt_input *in;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	ck_assert_int_eq(parse(msg, &in, &err), 0);
	ck_assert_int_eq(in->items[0].kind, TLSRPT_PAYLOAD_JSON);
	ck_assert_str_eq(in->items[0].report->report_id, "lying-2");
	ck_assert_int_eq(
		in->items[0].report->policies[0].total_failure_session_count,
		3);
	tlsrpt_input_free(in);
	g_free(msg);
	g_free(b64);
	g_free(json);
}
END_TEST

/* Unknown type, no name: found by the gzip magic alone. */
START_TEST(test_found_by_magic)
{
	char *b64 = gz_report_b64("magic-1");
	char *msg =
		one_part("application/x-unknown-thing", NULL, "base64", b64);
	struct tlsrpt_input *in;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	ck_assert_int_eq(parse(msg, &in, &err), 0);
	ck_assert_str_eq(in->items[0].report->report_id, "magic-1");
	tlsrpt_input_free(in);
	g_free(msg);
	/* ... but a text part is never sniffed. */
	msg = one_part("text/x-whatever", NULL, "base64", b64);
	ck_assert_int_eq(parse(msg, &in, &err), -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_NOT_REPORT);
	tlsrpt_input_free(in);
	g_free(msg);
	g_free(b64);
}
END_TEST

START_TEST(test_octet_stream_and_names)
{
	static const char *const types[] = {
		"application/octet-stream", "application/gzip",
		"application/x-gzip",	    "application/tlsrpt+x-gzip",
		"APPLICATION/TLSRPT+GZIP",  "application/tlsrpt",
	};
	char *b64 = gz_report_b64("types");
	struct tlsrpt_input *in;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		char *msg = one_part(types[i], NULL, "base64", b64);

		ck_assert_msg(parse(msg, &in, &err) == 0, "%s", types[i]);
		ck_assert_str_eq(in->items[0].report->report_id, "types");
		tlsrpt_input_free(in);
		g_free(msg);
	}
	g_free(b64);
}
END_TEST

/* A plain JSON report, no transfer encoding, as mail-auth's rpt02.eml. */
START_TEST(test_plain_json_part)
{
	char *json = report_json("plain-json", 0);
	char *msg = one_part("application/tlsrpt", "r.json", "7bit", json);
	struct tlsrpt_input *in;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	ck_assert_int_eq(parse(msg, &in, &err), 0);
	ck_assert_int_eq(in->items[0].kind, TLSRPT_PAYLOAD_JSON);
	ck_assert_str_eq(in->items[0].report->report_id, "plain-json");
	tlsrpt_input_free(in);
	g_free(msg);
	g_free(json);
}
END_TEST

/* A zip local file header naming the first entry. */
static char *
fake_zip_b64(const char *entry)
{
	unsigned char z[128] = {'P', 'K', 3, 4, 20, 0};
	size_t n = strlen(entry);

	z[26] = (unsigned char)n;
	memcpy(z + 30, entry, n);
	return base64_lines(z, 30 + n + 16);
}

START_TEST(test_zip)
{
	char *b64 = fake_zip_b64("google.com!example.net!1!2.json");
	char *msg = one_part("application/zip",
			     "google.com!example.net!1!2.zip", "base64", b64);
	struct tlsrpt_input *in;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	ck_assert_int_eq(parse(msg, &in, &err), -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_UNSUPPORTED);
	ck_assert_ptr_nonnull(
		strstr(err.text, "zip-compressed reports are not supported"));
	ck_assert_ptr_nonnull(
		strstr(err.text, "google.com!example.net!1!2.json"));
	ck_assert_int_eq(in->items[0].kind, TLSRPT_PAYLOAD_ZIP);
	tlsrpt_input_free(in);
	g_free(msg);
	g_free(b64);
	/* A DMARC aggregate report in a zip is not a TLS report at all. */
	b64 = fake_zip_b64("google.com!example.net!1!2.xml");
	msg = one_part("application/zip", "google.com!example.net!1!2.zip",
		       "base64", b64);
	ck_assert_int_eq(parse(msg, &in, &err), -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_NOT_REPORT);
	tlsrpt_input_free(in);
	g_free(msg);
	g_free(b64);
}
END_TEST

START_TEST(test_dmarc_gzip)
{
	const char *xml = "<?xml version=\"1.0\"?><feedback></feedback>";
	unsigned char *gz;
	size_t gz_len;
	char *b64, *msg;
	struct tlsrpt_input *in;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	gz = gzip_of(xml, strlen(xml), &gz_len);
	b64 = base64_lines(gz, gz_len);
	msg = one_part("application/gzip", "google.com!example.net!1!2.xml.gz",
		       "base64", b64);
	ck_assert_int_eq(parse(msg, &in, &err), -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_NOT_REPORT);
	ck_assert_ptr_nonnull(strstr(err.text, "<?xml"));
	tlsrpt_input_free(in);
	g_free(msg);
	/* The same bytes in a part that claims to be a TLS report: broken. */
	msg = one_part("application/tlsrpt+gzip", NULL, "base64", b64);
	ck_assert_int_eq(parse(msg, &in, &err), -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_INVALID);
	tlsrpt_input_free(in);
	g_free(msg);
	g_free(b64);
	g_free(gz);
}
END_TEST

START_TEST(test_text_only)
{
	const char *msg = "From: cron@example.net\n"
			  "Subject: cron output\n"
			  "Content-Type: text/plain\n"
			  "\n"
			  "{\"looks\": \"like json\"}\n";
	struct tlsrpt_input *in;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	ck_assert_int_eq(parse(msg, &in, &err), -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_NOT_REPORT);
	ck_assert_str_eq(err.text, "no TLS report in this message (no "
				   "application/tlsrpt+gzip or +json part)");
	ck_assert_int_eq(in->is_message, 1);
	ck_assert_uint_eq(in->n_items, 0);
	ck_assert_str_eq(in->meta.subject, "cron output");
	tlsrpt_input_free(in);
}
END_TEST

START_TEST(test_image_ignored)
{
	unsigned char png[64] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	char *b64 = base64_lines(png, sizeof(png));
	char *msg = one_part("image/png", "logo.png", "base64", b64);
	struct tlsrpt_input *in;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	ck_assert_int_eq(parse(msg, &in, &err), -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_NOT_REPORT);
	ck_assert_uint_eq(in->n_items, 0);
	tlsrpt_input_free(in);
	g_free(msg);
	g_free(b64);
}
END_TEST

static char *
multi_report_message(int n_reports, int bad_index)
{
	GString *s =
		g_string_new("From: reporter@example.org\n"
			     "Subject: two reports\n"
			     "MIME-Version: 1.0\n"
			     "Content-Type: multipart/mixed; boundary=MM\n"
			     "\n"
			     "--MM\n"
			     "Content-Type: text/html; charset=utf-8\n"
			     "Content-Transfer-Encoding: quoted-printable\n"
			     "\n"
			     "<p>Reports =E2=80=93 attached</p>\n");

	for (int i = 0; i < n_reports; i++) {
		char id[32];
		char *b64;

		snprintf(id, sizeof(id), "multi-%d", i);
		b64 = gz_report_b64(id);
		g_string_append_printf(
			s,
			"--MM\n"
			"Content-Type: application/tlsrpt+%s\n"
			"Content-Disposition: attachment; "
			"filename=\"r%d.json%s\"\n"
			"Content-Transfer-Encoding: %s\n"
			"\n"
			"%s\n",
			i == bad_index ? "json" : "gzip", i,
			i == bad_index ? "" : ".gz",
			i == bad_index ? "7bit" : "base64",
			i == bad_index ? "{\"organization-name\": 5}" : b64);
		g_free(b64);
	}
	g_string_append(s, "--MM--\n");
	return g_string_free(s, FALSE);
}

START_TEST(test_two_reports)
{
	char *msg = multi_report_message(2, -1);
	struct tlsrpt_input *in;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	ck_assert_int_eq(parse(msg, &in, &err), 0);
	ck_assert_uint_eq(in->n_items, 2);
	ck_assert_str_eq(in->items[0].report->report_id, "multi-0");
	ck_assert_str_eq(in->items[1].report->report_id, "multi-1");
	ck_assert_str_eq(in->items[1].filename, "r1.json.gz");
	tlsrpt_input_free(in);
	g_free(msg);
}
END_TEST

START_TEST(test_one_good_one_bad)
{
	char *msg = multi_report_message(2, 1);
	struct tlsrpt_input *in;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	ck_assert_int_eq(parse(msg, &in, &err), 0);
	ck_assert_uint_eq(in->n_items, 2);
	ck_assert_ptr_nonnull(in->items[0].report);
	ck_assert_ptr_null(in->items[1].report);
	ck_assert_int_eq(in->items[1].error.code, TLSRPT_ERR_INVALID);
	/* Which part, then where in its JSON. */
	ck_assert_msg(strncmp(in->items[1].error.path,
			      "part 3 (application/tlsrpt+json, r1.json) ",
			      42) == 0,
		      "path: %s", in->items[1].error.path);
	ck_assert_ptr_nonnull(
		strstr(in->items[1].error.path, "organization-name"));
	/* One part failed; the whole message was read. */
	ck_assert_int_eq(in->stop.code, TLSRPT_OK);
	tlsrpt_input_free(in);
	g_free(msg);
	/* When every part fails, the first error is the verdict. */
	msg = multi_report_message(1, 0);
	ck_assert_int_eq(parse(msg, &in, &err), -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_INVALID);
	ck_assert_str_eq(err.path, in->items[0].error.path);
	ck_assert_int_eq(in->stop.code, TLSRPT_OK);
	tlsrpt_input_free(in);
	g_free(msg);
}
END_TEST

START_TEST(test_max_reports)
{
	char *msg = multi_report_message(3, -1);
	struct tlsrpt_limits l = defaults();
	struct tlsrpt_input *in;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	l.max_reports = 3;
	ck_assert_int_eq(parse_with(msg, &l, &in, &err), 0);
	ck_assert_int_eq(in->stop.code, TLSRPT_OK);
	tlsrpt_input_free(in);
	l.max_reports = 2;
	ck_assert_int_eq(parse_with(msg, &l, &in, &err), -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_LIMIT);
	ck_assert_ptr_nonnull(strstr(err.text, "MaxReportsPerMessage"));
	/* The walk stopped: the two parts before it are kept, and the stop
	 * has its own field, apart from every part's error. */
	ck_assert_uint_eq(in->n_items, 2);
	ck_assert_ptr_nonnull(in->items[0].report);
	ck_assert_ptr_nonnull(in->items[1].report);
	ck_assert_int_eq(in->stop.code, TLSRPT_ERR_LIMIT);
	ck_assert_str_eq(in->stop.text, err.text);
	tlsrpt_input_free(in);
	g_free(msg);
}
END_TEST

/* Reports forwarded inside reports, n levels of message/rfc822. */
static char *
nested_message(int levels)
{
	char *msg = google_message("deep");

	for (int i = 0; i < levels; i++) {
		char *outer = g_strdup_printf("From: fwd%d@example.net\n"
					      "Subject: Fwd\n"
					      "MIME-Version: 1.0\n"
					      "Content-Type: message/rfc822\n"
					      "\n"
					      "%s",
					      i, msg);

		g_free(msg);
		msg = outer;
	}
	return msg;
}

START_TEST(test_depth)
{
	char *msg = nested_message(12);
	struct tlsrpt_limits l = defaults();
	struct tlsrpt_input *in;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	ck_assert_int_eq(parse_with(msg, &l, &in, &err), -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_LIMIT);
	ck_assert_ptr_nonnull(strstr(err.text, "MaxMIMEDepth"));
	tlsrpt_input_free(in);
	l.max_mime_depth = 20;
	ck_assert_int_eq(parse_with(msg, &l, &in, &err), 0);
	ck_assert_str_eq(in->items[0].report->report_id, "deep");
	ck_assert_str_eq(in->meta.from, "fwd11@example.net");
	tlsrpt_input_free(in);
	g_free(msg);
	/* Within the default depth. */
	msg = nested_message(3);
	ck_assert_int_eq(parse(msg, &in, &err), 0);
	tlsrpt_input_free(in);
	g_free(msg);
}
END_TEST

START_TEST(test_too_many_parts)
{
	GString *s =
		g_string_new("From: a@example.org\n"
			     "MIME-Version: 1.0\n"
			     "Content-Type: multipart/mixed; boundary=P\n\n");
	struct tlsrpt_limits l = defaults();
	struct tlsrpt_input *in;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char *msg;

	for (int i = 0; i < 300; i++)
		g_string_append(s, "--P\nContent-Type: text/plain\n\nx\n");
	g_string_append(s, "--P--\n");
	msg = g_string_free(s, FALSE);
	ck_assert_int_eq(parse_with(msg, &l, &in, &err), -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_LIMIT);
	ck_assert_ptr_nonnull(strstr(err.text, "MaxMIMEParts"));
	tlsrpt_input_free(in);
	l.max_mime_parts = 301;
	ck_assert_int_eq(parse_with(msg, &l, &in, &err), -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_NOT_REPORT);
	tlsrpt_input_free(in);
	g_free(msg);
}
END_TEST

/* Inputs that would make GMime build millions of objects (gigabytes)
 * are refused by a scan of the raw lines before GMime sees them. */
START_TEST(test_amplification)
{
	struct tlsrpt_input *in;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	GString *s;
	char *msg;
	int kind;

	for (kind = 0; kind < 7; kind++) {
		s = g_string_new("From: a@example.org\nMIME-Version: 1.0\n");
		switch (kind) {
		case 0: /* 400k empty parts */
			g_string_append(s, "Content-Type: multipart/mixed; "
					   "boundary=P\n\n");
			for (int i = 0; i < 400000; i++)
				g_string_append(s, "--P\n\n");
			break;
		case 1: /* 400k one-letter headers */
			for (int i = 0; i < 400000; i++)
				g_string_append(s, "X: y\n");
			g_string_append(s, "\nbody\n");
			break;
		case 2: /* one Content-Type with 400k parameters */
			g_string_append(s, "Content-Type: text/plain");
			for (int i = 0; i < 400000; i++)
				g_string_append(s, "; a=b");
			g_string_append(s, "\n\nbody\n");
			break;
		case 3: /* the header flood inside a forwarded message */
			g_string_append(s, "Content-Type: multipart/mixed; "
					   "boundary=P\n\n--P\n"
					   "Content-Type: message/rfc822\n\n");
			for (int i = 0; i < 400000; i++)
				g_string_append(s, "X: y\n");
			g_string_append(s, "\nbody\n--P--\n");
			break;
		case 4: /* 100k nested forwards */
			g_string_append(s, "Content-Type: message/rfc822\n\n");
			for (int i = 0; i < 100000; i++)
				g_string_append(s, "Content-Type: "
						   "message/rfc822\n\n");
			break;
		case 5: /* 3, the type in other case, behind other m's */
			g_string_append(
				s, "Content-Type: multipart/mixed; "
				   "boundary=P\n\n--P\n"
				   "Content-Type: mmm; Message/RFC822\n\n");
			for (int i = 0; i < 400000; i++)
				g_string_append(s, "X: y\n");
			g_string_append(s, "\nbody\n--P--\n");
			break;
		case 6: /* a digest: its parts are forwarded messages */
			g_string_append(s, "Content-Type: MULTIPART/Digest; "
					   "boundary=P\n\n--P\n\n");
			for (int i = 0; i < 400000; i++)
				g_string_append(s, "X: y\n");
			g_string_append(s, "\nbody\n--P--\n");
			break;
		}
		msg = g_string_free(s, FALSE);
		ck_assert_int_eq(parse(msg, &in, &err), -1);
		ck_assert_msg(err.code == TLSRPT_ERR_LIMIT, "kind %d: %s", kind,
			      err.text);
		ck_assert_ptr_nonnull(strstr(err.text, "MaxMIMEParts"));
		/* The scan says where in the message it stopped: at the
		 * boundary line, or the header line, over the bound. */
		if (kind == 0)
			ck_assert_int_eq(strncmp(msg + err.offset, "--P\n", 4),
					 0);
		if (kind == 1)
			ck_assert_int_eq(strncmp(msg + err.offset, "X: y\n", 5),
					 0);
		if (kind == 2)
			ck_assert_int_eq(
				strncmp(msg + err.offset,
					"Content-Type: text/plain; a=b", 29),
				0);
		ck_assert_msg(err.offset >= 0 &&
				      (size_t)err.offset < strlen(msg),
			      "kind %d: offset %ld", kind, err.offset);
		tlsrpt_input_free(in);
		g_free(msg);
	}
	/* In its own process (CK_FORK) this test stays far below the ~500 MB
	 * GMime alone would take for the first input. */
	if (getenv("CK_FORK") == NULL || strcmp(getenv("CK_FORK"), "no") != 0) {
		struct rusage ru;

		ck_assert_int_eq(getrusage(RUSAGE_SELF, &ru), 0);
		ck_assert_msg(ru.ru_maxrss < 200 * 1024, "max RSS %ld KiB",
			      ru.ru_maxrss);
	}
}
END_TEST

START_TEST(test_max_message)
{
	char *msg = google_message("size");
	struct tlsrpt_limits l = defaults();
	struct tlsrpt_input *in;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	l.max_message_bytes = strlen(msg);
	ck_assert_int_eq(parse_with(msg, &l, &in, &err), 0);
	tlsrpt_input_free(in);
	l.max_message_bytes = strlen(msg) - 1;
	ck_assert_int_eq(parse_with(msg, &l, &in, &err), -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_LIMIT);
	ck_assert_ptr_nonnull(strstr(err.text, "MaxMessageSize"));
	ck_assert_uint_eq(in->n_items, 0);
	ck_assert_int_eq(in->stop.code, TLSRPT_ERR_LIMIT);
	tlsrpt_input_free(in);
	g_free(msg);
}
END_TEST

START_TEST(test_bomb_in_part)
{
	size_t n = 4u * 1024 * 1024, gz_len;
	unsigned char *zeros = g_malloc0(n), *gz;
	char *b64, *msg;
	struct tlsrpt_input *in;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	gz = gzip_of(zeros, n, &gz_len);
	b64 = base64_lines(gz, gz_len);
	msg = one_part("application/tlsrpt+gzip", "bomb.json.gz", "base64",
		       b64);
	ck_assert_int_eq(parse(msg, &in, &err), -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_LIMIT);
	ck_assert_ptr_nonnull(strstr(err.text, "MaxInflateRatio"));
	ck_assert_str_eq(err.path,
			 "part 2 (application/tlsrpt+gzip, bomb.json.gz)");
	/* A limit on one part is that part's failure, not a stop, though
	 * its code is the same as a limit on the whole message's. */
	ck_assert_int_eq(in->items[0].error.code, TLSRPT_ERR_LIMIT);
	ck_assert_int_eq(in->stop.code, TLSRPT_OK);
	tlsrpt_input_free(in);
	g_free(msg);
	g_free(b64);
	g_free(gz);
	g_free(zeros);
}
END_TEST

START_TEST(test_bare_inputs)
{
	char *json = report_json("bare", 1);
	unsigned char *gz, zip[40] = {'P', 'K', 3, 4};
	size_t gz_len;
	struct tlsrpt_limits l = defaults();
	struct tlsrpt_input *in;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	ck_assert_int_eq(tlsrpt_input_parse(json, strlen(json), &l, &in, &err),
			 0);
	ck_assert_int_eq(in->is_message, 0);
	ck_assert_uint_eq(in->n_items, 1);
	ck_assert_ptr_null(in->items[0].filename);
	ck_assert_ptr_null(in->items[0].content_type);
	ck_assert_int_eq(in->items[0].kind, TLSRPT_PAYLOAD_JSON);
	ck_assert_ptr_null(in->meta.message_id);
	ck_assert_str_eq(in->items[0].report->report_id, "bare");
	tlsrpt_input_free(in);

	gz = gzip_of(json, strlen(json), &gz_len);
	ck_assert_int_eq(tlsrpt_input_parse(gz, gz_len, &l, &in, &err), 0);
	ck_assert_int_eq(in->items[0].kind, TLSRPT_PAYLOAD_GZIP);
	ck_assert_uint_eq(in->items[0].payload_bytes, gz_len);
	tlsrpt_input_free(in);
	/* A truncated .json.gz is a broken report. */
	ck_assert_int_eq(tlsrpt_input_parse(gz, gz_len - 5, &l, &in, &err), -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(err.text, "truncated"));
	tlsrpt_input_free(in);
	g_free(gz);

	ck_assert_int_eq(tlsrpt_input_parse(zip, sizeof(zip), &l, &in, &err),
			 -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_UNSUPPORTED);
	tlsrpt_input_free(in);

	ck_assert_int_eq(tlsrpt_input_parse("", 0, &l, &in, &err), -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_NOT_REPORT);
	tlsrpt_input_free(in);

	/* With a BOM and leading white space. */
	{
		char *bom = g_strconcat("\xef\xbb\xbf \r\n", json, NULL);

		ck_assert_int_eq(
			tlsrpt_input_parse(bom, strlen(bom), &l, &in, &err), 0);
		tlsrpt_input_free(in);
		g_free(bom);
	}
	g_free(json);
}
END_TEST

START_TEST(test_garbage_inputs)
{
	static const char *const inputs[] = {
		"\n\n\n",
		"not a message at all",
		"Content-Type: multipart/mixed; boundary=\n\n--\n--\n",
		"Content-Type: multipart/mixed\n\n--x\n",
		"Content-Type: message/rfc822\n\n",
		"Content-Type: application/tlsrpt+gzip\n"
		"Content-Transfer-Encoding: base64\n\n",
		"Content-Type: application/tlsrpt+gzip\n"
		"Content-Transfer-Encoding: base64\n\nH4sI\n",
	};
	struct tlsrpt_input *in;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		ck_assert_int_eq(parse(inputs[i], &in, &err), -1);
		ck_assert_msg(err.code == TLSRPT_ERR_NOT_REPORT ||
				      err.code == TLSRPT_ERR_INVALID,
			      "input %zu: %s", i, err.text);
		tlsrpt_input_free(in);
	}
	tlsrpt_input_free(NULL);
}
END_TEST

/* Every allocation of ours and of jansson may fail: the call says
 * "out of memory" and frees all it took (ASan/valgrind check that). */
START_TEST(test_alloc_failure)
{
	char *msg = multi_report_message(2, 1);
	struct tlsrpt_limits l = defaults();
	struct tlsrpt_input *in;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	unsigned long fail_at;
	int rc;

	for (fail_at = 1;; fail_at++) {
		tlsrpt_alloc_fail_after(fail_at);
		rc = tlsrpt_input_parse(msg, strlen(msg), &l, &in, &err);
		tlsrpt_alloc_fail_after(0);
		if (rc == 0)
			break;
		ck_assert_msg(err.code == TLSRPT_ERR_NOMEM,
			      "allocation %lu failed, got %s: %s", fail_at,
			      tlsrpt_status_name(err.code), err.text);
		tlsrpt_input_free(in);
		ck_assert_uint_lt(fail_at, 10000);
	}
	ck_assert_uint_gt(fail_at, 5);
	ck_assert_uint_eq(in->n_items, 2);
	ck_assert_ptr_nonnull(in->items[0].report);
	tlsrpt_input_free(in);
	g_free(msg);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("message");
	TCase *tc = tcase_create("message");
	int rc;

	tlsrpt_parser_init();
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_meta_lf);
	tcase_add_test(tc, test_meta_crlf);
	tcase_add_test(tc, test_mbox_from_line);
	tcase_add_test(tc, test_auth_results_order);
	tcase_add_test(tc, test_forwarded);
	tcase_add_test(tc, test_no_closing_boundary);
	tcase_add_test(tc, test_base64_garbage);
	tcase_add_test(tc, test_gzip_labelled_json);
	tcase_add_test(tc, test_json_labelled_gzip);
	tcase_add_test(tc, test_found_by_magic);
	tcase_add_test(tc, test_octet_stream_and_names);
	tcase_add_test(tc, test_plain_json_part);
	tcase_add_test(tc, test_zip);
	tcase_add_test(tc, test_dmarc_gzip);
	tcase_add_test(tc, test_text_only);
	tcase_add_test(tc, test_image_ignored);
	tcase_add_test(tc, test_two_reports);
	tcase_add_test(tc, test_one_good_one_bad);
	tcase_add_test(tc, test_max_reports);
	tcase_add_test(tc, test_depth);
	tcase_add_test(tc, test_too_many_parts);
	tcase_add_test(tc, test_amplification);
	tcase_add_test(tc, test_max_message);
	tcase_add_test(tc, test_bomb_in_part);
	tcase_add_test(tc, test_bare_inputs);
	tcase_add_test(tc, test_garbage_inputs);
	tcase_add_test(tc, test_alloc_failure);
	suite_add_tcase(s, tc);
	rc = test_run(s);
	tlsrpt_parser_shutdown();
	return rc;
}
