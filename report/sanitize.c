/* SPDX-License-Identifier: BSD-2-Clause */
/* sanitize.c -- one neutralising step per sink (see sanitize.h). */
#include "report/sanitize.h"

#include <string.h>

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

/* Length of the valid UTF-8 sequence at s (NUL-terminated), its code
 * point in *cp; 0 when the bytes are not UTF-8. GLib refuses overlong
 * forms, surrogates and code points above U+10FFFF. */
static size_t
utf8_len(const unsigned char *s, unsigned *cp)
{
	gunichar c = g_utf8_get_char_validated((const gchar *)s, -1);

	if (c == (gunichar)-1 || c == (gunichar)-2)
		return 0;
	*cp = c;
	return (size_t)(g_utf8_next_char(s) - (const gchar *)s);
}

/* What a terminal, a log reader or a mail header must not get raw: C0
 * controls, DEL, C1 controls (0x9b is CSI on some terminals), the
 * bidirectional embeddings, overrides and isolates (text that reads
 * backwards, CVE-2021-42574) and the Unicode line separators. */
static int
unsafe(unsigned c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x061c ||
	       c == 0x200e || c == 0x200f || (c >= 0x2028 && c <= 0x202e) ||
	       (c >= 0x2066 && c <= 0x2069);
}

/* Whether c (printable ASCII) is one of also's characters. */
static inline int
in_also(const char *also, unsigned char c)
{
	for (; also != NULL && *also != '\0'; also++) {
		if ((unsigned char)*also == c)
			return 1;
	}
	return 0;
}

/* The length of the run at p of printable ASCII with none of special's
 * characters: what every sink copies as it is, and most of every report
 * string. Copied at once, not a character at a time through GLib's UTF-8
 * validation: that was most of the text view's time in these functions. */
static inline size_t
plain_run(const unsigned char *p, const char *special)
{
	const unsigned char *q = p;

	while (*q >= 0x20 && *q < 0x7f && !in_also(special, *q))
		q++;
	return (size_t)(q - p);
}

/* Copy the plain run at *p (plain_run) to out and step past it: 1, or 0
 * when there is none (the character at *p needs the sink's own step). */
static inline int
copy_plain(GString *out, const unsigned char **p, const char *special)
{
	size_t n = plain_run(*p, special);

	if (n == 0)
		return 0;
	g_string_append_len(out, (const char *)*p, (gssize)n);
	*p += n;
	return 1;
}

/* Walk s: each valid character that is neither unsafe nor in also is
 * copied; the others go to bad(out, cp, byte, valid). */
static void
walk(GString *out, const char *s, const char *also,
     void (*bad)(GString *out, unsigned cp, unsigned char byte, int valid))
{
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
	unsigned cp;

	while (*p != '\0') {
		size_t n;

		if (copy_plain(out, &p, also))
			continue;
		n = utf8_len(p, &cp);
		if (n == 0) {
			bad(out, 0, *p, 0);
			p++;
			continue;
		}
		if (unsafe(cp) ||
		    (cp < 0x80 && in_also(also, (unsigned char)cp)))
			bad(out, cp, *p, 1);
		else
			g_string_append_len(out, (const char *)p, (gssize)n);
		p += n;
	}
}

static void
text_bad(GString *out, unsigned cp, unsigned char byte, int valid)
{
	if (!valid)
		g_string_append_printf(out, "\\x%02x", byte);
	else if (cp == '\n')
		g_string_append(out, "\\n");
	else if (cp == '\r')
		g_string_append(out, "\\r");
	else if (cp == '\t')
		g_string_append(out, "\\t");
	else if (cp == '\\')
		g_string_append(out, "\\\\");
	else if (cp < 0x80)
		g_string_append_printf(out, "\\x%02x", cp);
	else
		g_string_append_printf(out, "\\u%04x", cp);
}

void
sanitize_text(GString *out, const char *s)
{
	/* A backslash of the sender's is escaped too, so "\n" in the output
	 * is always our escape, never two characters the sender wrote. */
	walk(out, s, "\\", text_bad);
}

static void
log_bad(GString *out, unsigned cp, unsigned char byte, int valid)
{
	(void)cp;
	(void)byte;
	(void)valid;
	g_string_append_c(out, '?');
}

void
sanitize_log(GString *out, const char *s)
{
	walk(out, s, NULL, log_bad);
}

static void
header_bad(GString *out, unsigned cp, unsigned char byte, int valid)
{
	(void)cp;
	(void)byte;
	if (valid)
		g_string_append_c(out, ' ');
	else
		g_string_append(out, REPLACEMENT);
}

void
sanitize_header(GString *out, const char *s)
{
	GString *t = g_string_new(NULL);
	gsize start = out->len;
	int space = 1; /* no space at the start */

	walk(t, s, NULL, header_bad);
	for (gsize i = 0; i < t->len; i++) {
		if (t->str[i] == ' ') {
			space = 1;
			continue;
		}
		if (space && out->len > start)
			g_string_append_c(out, ' ');
		space = 0;
		g_string_append_c(out, t->str[i]);
	}
	g_string_free(t, TRUE);
}

void
sanitize_csv(GString *out, const char *s)
{
	const char *p = s != NULL ? s : "";
	GString *t = g_string_new(NULL);
	int formula = p[0] != '\0' && strchr("=+-@\t\r", p[0]) != NULL;

	/* Invalid bytes are replaced first: a spreadsheet guessing another
	 * charset would see other characters than we checked. */
	for (const unsigned char *q = (const unsigned char *)p; *q != '\0';) {
		unsigned cp;
		size_t n = plain_run(q, NULL);

		if (n == 0)
			n = utf8_len(q, &cp);
		if (n == 0) {
			g_string_append(t, REPLACEMENT);
			q++;
		} else {
			g_string_append_len(t, (const char *)q, (gssize)n);
			q += n;
		}
	}
	if (formula || strpbrk(t->str, ",\"\r\n") != NULL) {
		g_string_append_c(out, '"');
		if (formula)
			g_string_append_c(out, '\'');
		for (gsize i = 0; i < t->len; i++) {
			if (t->str[i] == '"')
				g_string_append_c(out, '"');
			g_string_append_c(out, t->str[i]);
		}
		g_string_append_c(out, '"');
	} else {
		g_string_append_len(out, t->str, (gssize)t->len);
	}
	g_string_free(t, TRUE);
}

/* Characters an HTML5 document must not contain: controls other than
 * white space, and noncharacters. */
static int
html_forbidden(unsigned c)
{
	if (c < 0x20)
		return c != '\t' && c != '\n';
	if (c >= 0x7f && c <= 0x9f)
		return 1;
	return (c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) == 0xfffe;
}

void
sanitize_html(GString *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
	unsigned cp;

	while (*p != '\0') {
		size_t n;

		if (copy_plain(out, &p, "&<>\"'"))
			continue;
		n = utf8_len(p, &cp);
		if (n == 0 || html_forbidden(cp)) {
			g_string_append(out, REPLACEMENT);
			p += n == 0 ? 1 : n;
			continue;
		}
		switch (cp) {
		case '&': g_string_append(out, "&amp;"); break;
		case '<': g_string_append(out, "&lt;"); break;
		case '>': g_string_append(out, "&gt;"); break;
		case '"': g_string_append(out, "&quot;"); break;
		case '\'': g_string_append(out, "&#39;"); break;
		default: g_string_append_len(out, (const char *)p, (gssize)n);
		}
		p += n;
	}
}

void
sanitize_prom_label(GString *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
	unsigned cp;

	while (*p != '\0') {
		size_t n;

		if (copy_plain(out, &p, "\\\""))
			continue;
		n = utf8_len(p, &cp);
		if (n == 0) {
			g_string_append(out, REPLACEMENT);
			p++;
			continue;
		}
		if (cp == '\\')
			g_string_append(out, "\\\\");
		else if (cp == '"')
			g_string_append(out, "\\\"");
		else if (cp == '\n')
			g_string_append(out, "\\n");
		else
			g_string_append_len(out, (const char *)p, (gssize)n);
		p += n;
	}
}

char *
sanitize_dup(sanitize_fn *fn, const char *s)
{
	GString *out = g_string_new(NULL);

	fn(out, s);
	return g_string_free(out, FALSE);
}

int
sanitize_fputs(sanitize_fn *fn, const char *s, FILE *out)
{
	GString *t = g_string_new(NULL);
	int rc;

	fn(t, s);
	rc = fwrite(t->str, 1, t->len, out) == t->len ? 0 : -1;
	g_string_free(t, TRUE);
	return rc;
}
