/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * render_mail.c -- the digest as one e-mail, composed with GMime rather
 * than by hand so that headers are folded and encoded (RFC 2047) and each
 * body gets the content transfer encoding its bytes need.
 *
 * The HTML part is the page of --format html without its collapsed lists
 * (summary_html_digest()), inline SVG included: clients that render SVG
 * (Apple Mail, Thunderbird, most phones) show the charts, and those that
 * drop it (Gmail, Outlook) still show the page's tables, which hold the
 * numbers behind the charts. The page fits a 600-pixel reading pane with
 * or without its style sheet. No PNG: that
 * would need an image library for charts nobody needs to read the digest.
 *
 * The bodies are rendered into temporary files and GMime encodes them
 * from there onto the output (summary/mail_spool.h): a provider's digest
 * runs to hundreds of MB, and built in memory it cost three times that.
 */
#include "summary/render_mail.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/sanitize.h"
#include "summary/mail_spool.h"
#include "summary/render_html_impl.h"

/* A value longer than a whole header line (RFC 5322 2.1.1) is a mistake,
 * not an address or a subject. */
#define HEADER_VALUE_MAX 998

/* A header value given on the command line: no control characters (no
 * header injection through a CR or LF) and a sane length. */
static int
check_value(const char *what, const char *v, struct tlsrpt_error *err)
{
	const unsigned char *p;

	if (strlen(v) > HEADER_VALUE_MAX)
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, NULL,
					"%s is longer than %d characters", what,
					HEADER_VALUE_MAX);
	if (!g_utf8_validate(v, -1, NULL))
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, NULL,
					"%s is not valid UTF-8", what);
	for (p = (const unsigned char *)v; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return tlsrpt_error_set(
				err, TLSRPT_ERR_INVALID, NULL,
				"%s contains a control character (a line "
				"break?)",
				what);
	}
	return 0;
}

/* Parse addresses given as for a To: header and append them to list. */
static int
add_addresses(InternetAddressList *list, const char *what, const char *v,
	      struct tlsrpt_error *err)
{
	InternetAddressList *parsed = NULL;
	int i, n, rc = -1;

	if (check_value(what, v, err) != 0)
		goto out;
	parsed = internet_address_list_parse(NULL, v);
	n = parsed != NULL ? internet_address_list_length(parsed) : 0;
	if (n == 0) {
		tlsrpt_error_set(err, TLSRPT_ERR_INVALID, NULL,
				 "%s \"%s\" is not an e-mail address", what, v);
		goto out;
	}
	for (i = 0; i < n; i++) {
		InternetAddress *ia =
			internet_address_list_get_address(parsed, i);
		const char *addr;

		if (!INTERNET_ADDRESS_IS_MAILBOX(ia)) {
			tlsrpt_error_set(err, TLSRPT_ERR_INVALID, NULL,
					 "%s \"%s\": give addresses, not a "
					 "group",
					 what, v);
			goto out;
		}
		addr = internet_address_mailbox_get_addr(
			INTERNET_ADDRESS_MAILBOX(ia));
		if (addr == NULL || addr[0] == '\0' ||
		    strpbrk(addr, " \t<>,;") != NULL) {
			tlsrpt_error_set(err, TLSRPT_ERR_INVALID, NULL,
					 "%s \"%s\" is not an e-mail address",
					 what, v);
			goto out;
		}
		internet_address_list_add(list, ia);
	}
	rc = 0;
out:
	if (parsed != NULL)
		g_object_unref(parsed);
	return rc;
}

/* A text/SUBTYPE part holding the text of s (a spooled view, read from
 * its file when GMime needs it) as it is, in UTF-8.
 * g_mime_text_part_set_text() would convert it to the "best" charset
 * (ISO-8859-1 for a German organisation name); the views are UTF-8, and
 * saying so even for ASCII-only text keeps every digest alike. */
static void
add_part(GMimeMultipart *alt, const char *subtype, GMimeStream *s)
{
	GMimeTextPart *p = g_mime_text_part_new_with_subtype(subtype);
	GMimeDataWrapper *w = g_mime_data_wrapper_new_with_stream(
		s, GMIME_CONTENT_ENCODING_DEFAULT);
	GMimeContentEncoding enc;

	g_mime_part_set_content(GMIME_PART(p), w);
	g_mime_text_part_set_charset(p, "utf-8");
	/* Quoted-printable for 8-bit text and for lines over 998 octets (an
	 * SVG path), 7bit otherwise: safe through any relay. GMime reads the
	 * whole body for this, 4 KB at a time from its file. */
	enc = g_mime_part_get_best_content_encoding(
		GMIME_PART(p), GMIME_ENCODING_CONSTRAINT_7BIT);
	/* GMime says "default" for plain ASCII; say 7bit out loud. */
	g_mime_part_set_content_encoding(GMIME_PART(p),
					 enc == GMIME_CONTENT_ENCODING_DEFAULT
						 ? GMIME_CONTENT_ENCODING_7BIT
						 : enc);
	g_mime_multipart_add(alt, GMIME_OBJECT(p));
	g_object_unref(w);
	g_object_unref(p);
}

static void
own_hostname(char *buf, size_t size)
{
	if (gethostname(buf, size) != 0 || buf[0] == '\0')
		snprintf(buf, size, "localhost");
	buf[size - 1] = '\0';
}

static int
set_addresses(GMimeMessage *m, const struct summary_mail_options *mo,
	      const char *host, struct tlsrpt_error *err)
{
	InternetAddressList *to, *from;
	char *def = NULL;
	size_t i;
	int rc = -1;

	if (mo->n_to == 0)
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, NULL,
					"no recipient: give --to ADDRESS");
	to = g_mime_message_get_addresses(m, GMIME_ADDRESS_TYPE_TO);
	from = g_mime_message_get_addresses(m, GMIME_ADDRESS_TYPE_FROM);
	for (i = 0; i < mo->n_to; i++) {
		if (add_addresses(to, "--to", mo->to[i], err) != 0)
			goto out;
	}
	if (mo->from == NULL)
		def = g_strdup_printf("tlsrpt-summary@%s", host);
	if (add_addresses(from, "--from", mo->from != NULL ? mo->from : def,
			  err) != 0)
		goto out;
	rc = 0;
out:
	g_free(def);
	return rc;
}

int
summary_mail_compose(const struct summary_agg *a,
		     const struct summary_render_ctx *ctx,
		     const struct summary_mail_options *mo, GMimeMessage **msg,
		     struct tlsrpt_error *err)
{
	struct summary_render_ctx all = *ctx;
	GMimeMessage *m = g_mime_message_new(TRUE);
	GMimeMultipart *alt = NULL;
	GMimeStream *text = NULL, *page = NULL;
	GDateTime *date = NULL;
	char host[256], *subject = NULL, *id = NULL;
	int rc = -1;

	*msg = NULL;
	if (mo->hostname != NULL)
		snprintf(host, sizeof(host), "%s", mo->hostname);
	else
		own_hostname(host, sizeof(host));
	if (set_addresses(m, mo, host, err) != 0)
		goto out;
	if (mo->subject != NULL && check_value("--subject", mo->subject, err))
		goto out;
	/* The verdict names policy domains and result types from reports:
	 * the one header step (report/sanitize.h) makes it one clean line,
	 * GMime encodes it (RFC 2047) and folds it. */
	if (mo->subject != NULL) {
		subject = g_strdup(mo->subject);
	} else {
		char *raw = summary_mail_subject(a);

		subject = sanitize_dup(sanitize_header, raw);
		g_free(raw);
	}
	g_mime_message_set_subject(m, subject, "utf-8");
	date = g_date_time_new_from_unix_utc(ctx->now);
	g_mime_message_set_date(m, date);
	id = g_mime_utils_generate_message_id(host);
	g_mime_message_set_message_id(m, id);
	g_mime_object_set_header(GMIME_OBJECT(m), "MIME-Version", "1.0", NULL);
	/* RFC 3834: no vacation replies, no bounces to a robot. */
	g_mime_object_set_header(GMIME_OBJECT(m), "Auto-Submitted",
				 "auto-generated", NULL);

	/* The digest is the whole picture, whatever --by said. Each body
	 * is written to a temporary file as the other formats are written
	 * (mail_spool.h): memory does not grow with the digest. */
	all.view = SUMMARY_VIEW_ALL;
	text = summary_mail_spool(summary_render_text, a, &all, "text", err);
	if (text == NULL)
		goto out;
	page = summary_mail_spool(summary_html_digest, a, &all, "html", err);
	if (page == NULL)
		goto out;
	/* RFC 2046 5.1.4: the richest alternative comes last. */
	alt = g_mime_multipart_new_with_subtype("alternative");
	add_part(alt, "plain", text);
	add_part(alt, "html", page);
	g_mime_message_set_mime_part(m, GMIME_OBJECT(alt));
	*msg = m;
	m = NULL;
	rc = 0;
out:
	if (alt != NULL)
		g_object_unref(alt);
	if (m != NULL)
		g_object_unref(m);
	if (date != NULL)
		g_date_time_unref(date);
	if (text != NULL)
		g_object_unref(text);
	if (page != NULL)
		g_object_unref(page);
	g_free(subject);
	g_free(id);
	return rc;
}

int
summary_render_mail(FILE *out, const struct summary_agg *a,
		    const struct summary_render_ctx *ctx,
		    const struct summary_mail_options *mo, int *written,
		    struct tlsrpt_error *err)
{
	GMimeMessage *m = NULL;
	GMimeStream *o = NULL;
	int werr = 0, rc = -1;

	if (written != NULL)
		*written = 0;
	if (summary_mail_compose(a, ctx, mo, &m, err) != 0)
		goto out;
	/* Checked after composing, so that bad addresses are reported on a
	 * quiet day too, not first on the day something breaks. */
	if (mo->only_problems && summary_fine(a)) {
		rc = 0;
		goto out;
	}
	/* GMime encodes the bodies from their files onto out as it goes.
	 * The default format options write LF line ends, which is what
	 * sendmail -t and a local pipe expect. */
	o = summary_mail_stream_out(out, &werr);
	if (g_mime_object_write_to_stream(GMIME_OBJECT(m), NULL, o) < 0 ||
	    g_mime_stream_flush(o) != 0) {
		/* No write failed: reading a body back from its file did. */
		tlsrpt_error_set(err, TLSRPT_ERR_IO, NULL,
				 "writing the message: %s",
				 werr != 0 ? strerror(werr)
					   : "a temporary file could not be "
					     "read back");
		goto out;
	}
	if (written != NULL)
		*written = 1;
	rc = 0;
out:
	if (o != NULL)
		g_object_unref(o);
	if (m != NULL)
		g_object_unref(m);
	return rc;
}
