/* SPDX-License-Identifier: BSD-2-Clause */
/* authres.c -- the DKIM verdict from trusted Authentication-Results. */
#include "report/authres.h"

#include <glib.h>
#include <string.h>
#include <strings.h>

/* A span of the header value: not NUL-terminated. */
struct span {
	const char *p;
	size_t n;
};

struct lexer {
	const char *p;
};

/* Skip white space and RFC 5322 comments, which nest and may hold
 * quoted-pairs; an unclosed comment runs to the end. */
static void
skip_cfws(struct lexer *lx)
{
	int depth;

	for (;;) {
		while (*lx->p == ' ' || *lx->p == '\t' || *lx->p == '\r' ||
		       *lx->p == '\n')
			lx->p++;
		if (*lx->p != '(')
			return;
		depth = 0;
		while (*lx->p != '\0') {
			if (*lx->p == '\\' && lx->p[1] != '\0')
				lx->p++;
			else if (*lx->p == '(')
				depth++;
			else if (*lx->p == ')' && --depth == 0) {
				lx->p++;
				break;
			}
			lx->p++;
		}
	}
}

static int
is_stop(char c, const char *stops)
{
	return c == '\0' || c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
	       c == '(' || c == ';' || strchr(stops, c) != NULL;
}

/* A quoted string (contents, escapes kept) or a run of characters up to
 * white space, a comment, ';' or one of stops. Empty span when none. */
static struct span
read_item(struct lexer *lx, const char *stops)
{
	struct span s = {lx->p, 0};

	skip_cfws(lx);
	s.p = lx->p;
	if (*lx->p == '"') {
		s.p = ++lx->p;
		while (*lx->p != '\0' && *lx->p != '"') {
			if (*lx->p == '\\' && lx->p[1] != '\0')
				lx->p++;
			lx->p++;
		}
		if (*lx->p != '"') /* unclosed: the value is unreadable */
			return (struct span){lx->p, 0};
		s.n = (size_t)(lx->p - s.p);
		lx->p++;
		return s;
	}
	while (!is_stop(*lx->p, stops))
		lx->p++;
	s.n = (size_t)(lx->p - s.p);
	return s;
}

/* Consume c (after CFWS) when it comes next. */
static int
accept_char(struct lexer *lx, char c)
{
	skip_cfws(lx);
	if (*lx->p != c)
		return 0;
	lx->p++;
	return 1;
}

/* Move past the next ';' that is outside quotes and comments. */
static void
skip_to_semicolon(struct lexer *lx)
{
	const char *before;

	for (;;) {
		skip_cfws(lx);
		if (*lx->p == '\0')
			return;
		if (*lx->p == ';') {
			lx->p++;
			return;
		}
		before = lx->p;
		read_item(lx, "=");
		if (lx->p == before)
			lx->p++; /* a lone '=' */
	}
}

static int
span_is(struct span s, const char *word)
{
	return s.n == strlen(word) && strncasecmp(s.p, word, s.n) == 0;
}

static int
all_digits(struct span s)
{
	size_t i;

	if (s.n == 0)
		return 0;
	for (i = 0; i < s.n; i++)
		if (s.p[i] < '0' || s.p[i] > '9')
			return 0;
	return 1;
}

/* d (a signing domain) is the submitter domain or a parent of it, on a
 * label boundary: "google.com" covers "mail.google.com", never
 * "evilgoogle.com". A bare top-level domain covers nothing. */
static int
domain_covers(struct span d, const char *submitter)
{
	size_t n = strlen(submitter);

	if (d.n > 0 && d.p[d.n - 1] == '.')
		d.n--;
	if (n > 0 && submitter[n - 1] == '.')
		n--;
	if (d.n == 0 || memchr(d.p, '.', d.n) == NULL || d.n > n)
		return 0;
	if (strncasecmp(submitter + n - d.n, d.p, d.n) != 0)
		return 0;
	return d.n == n || submitter[n - d.n - 1] == '.';
}

/* The domain part of header.i ("@google.com", "user@google.com"). */
static struct span
identity_domain(struct span i)
{
	size_t k;

	for (k = i.n; k > 0; k--)
		if (i.p[k - 1] == '@')
			return (struct span){i.p + k, i.n - k};
	return i;
}

enum found { FOUND_NONE, FOUND_FAIL, FOUND_PASS };

/* One resinfo: "method[/version] = result *(ptype.property = value)".
 * Returns what it says about DKIM for the submitter domain; *dkim is set
 * when it is a DKIM result at all, *passed to the signing domain when it
 * is a pass for the submitter. */
static enum found
read_resinfo(struct lexer *lx, const char *submitter, int *dkim,
	     struct span *passed)
{
	struct span method, result, key, value, d = {NULL, 0}, i = {NULL, 0};
	const char *slash;

	method = read_item(lx, "=");
	slash = method.n > 0 ? memchr(method.p, '/', method.n) : NULL;
	if (slash != NULL)
		method.n = (size_t)(slash - method.p);
	if (!accept_char(lx, '='))
		goto skip;
	result = read_item(lx, "");
	for (;;) {
		key = read_item(lx, "=");
		if (key.n == 0)
			break;
		if (!accept_char(lx, '='))
			continue;
		value = read_item(lx, "");
		if (span_is(key, "header.d"))
			d = value;
		else if (span_is(key, "header.i"))
			i = value;
	}
	skip_to_semicolon(lx);
	if (!span_is(method, "dkim"))
		return FOUND_NONE;
	*dkim = 1;
	if (d.p == NULL && i.p != NULL)
		d = identity_domain(i);
	if (d.p == NULL || !domain_covers(d, submitter))
		return FOUND_NONE;
	if (!span_is(result, "pass"))
		return FOUND_FAIL;
	*passed = d;
	return FOUND_PASS;
skip:
	skip_to_semicolon(lx);
	return FOUND_NONE;
}

static int
is_trusted(struct span id, char *const *trusted, size_t n_trusted)
{
	size_t k;

	for (k = 0; k < n_trusted; k++)
		if (trusted[k] != NULL && span_is(id, trusted[k]))
			return 1;
	return 0;
}

/* What one trusted header says about DKIM. */
struct header_dkim {
	int trusted;	    /* its authserv-id is one the operator trusts */
	int dkim;	    /* it carries a DKIM result, for any domain */
	enum found found;   /* for the submitter domain */
	struct span passed; /* the signing domain of that pass */
};

/* One header: authserv-id [version] ";" resinfo *(";" resinfo), or
 * "authserv-id; none". */
static struct header_dkim
read_header(const char *value, char *const *trusted, size_t n_trusted,
	    const char *submitter)
{
	struct lexer lx = {value};
	struct header_dkim h = {0, 0, FOUND_NONE, {NULL, 0}};
	struct span id, passed;
	enum found f;

	id = read_item(&lx, "");
	if (id.n == 0 || !is_trusted(id, trusted, n_trusted))
		return h;
	h.trusted = 1;
	skip_cfws(&lx);
	if (*lx.p != ';') {
		struct lexer peek = lx;

		if (!all_digits(read_item(&peek, "")))
			return h;
		lx = peek;
	}
	if (!accept_char(&lx, ';'))
		return h;
	for (;;) {
		skip_cfws(&lx);
		if (*lx.p == '\0')
			break;
		if (*lx.p == ';') {
			lx.p++;
			continue;
		}
		passed = (struct span){NULL, 0};
		f = read_resinfo(&lx, submitter, &h.dkim, &passed);
		if (f > h.found) {
			h.found = f;
			if (f == FOUND_PASS)
				h.passed = passed;
		}
	}
	return h;
}

/* RFC 8601 section 5: a verifier adds its header at the top, above the
 * Received header of the hop it checked, and anyone can write a header
 * with its authserv-id into the message they send. So only trusted
 * headers above every Received header count (the MTA never shows a milter
 * its own Received header, and OpenDKIM's lands above Postfix's in the
 * delivered copy), and of those only the topmost with a DKIM result: a
 * sender's header written above its own Received headers sits below the
 * one our verifier prepends. Every other trusted header is ignored and
 * counted as a forgery attempt. */
void
tlsrpt_dkim_evaluate(char *const *auth_results, const size_t *received_above,
		     size_t n, char *const *trusted_authserv_ids,
		     size_t n_trusted, const char *submitter_domain,
		     struct tlsrpt_dkim_result *out)
{
	const char *submitter =
		submitter_domain != NULL ? submitter_domain : "";
	int chosen = 0;

	out->verdict = TLSRPT_DKIM_NONE;
	out->domain[0] = '\0';
	out->ignored = 0;
	for (size_t k = 0; k < n; k++) {
		struct header_dkim h;

		if (auth_results[k] == NULL)
			continue;
		h = read_header(auth_results[k], trusted_authserv_ids,
				n_trusted, submitter);
		if (!h.trusted)
			continue;
		if (received_above != NULL && received_above[k] > 0) {
			out->ignored++;
			continue;
		}
		if (!h.dkim)
			continue; /* another method's header (DMARC, SPF) */
		if (chosen) {
			out->ignored++;
			continue;
		}
		chosen = 1;
		if (submitter[0] == '\0')
			continue;
		if (h.found == FOUND_PASS) {
			/* A suffix of the submitter domain (domain_covers),
			 * so it fits; without its trailing dot. */
			size_t len = h.passed.n;

			if (len > 0 && h.passed.p[len - 1] == '.')
				len--;
			out->verdict = TLSRPT_DKIM_PASS;
			if (len < sizeof(out->domain)) {
				for (size_t c = 0; c < len; c++)
					out->domain[c] =
						g_ascii_tolower(h.passed.p[c]);
				out->domain[len] = '\0';
			}
		} else if (h.found == FOUND_FAIL) {
			out->verdict = TLSRPT_DKIM_FAIL;
		}
	}
}

/* The store format's words, indexed by enum tlsrpt_dkim. */
static const char *const dkim_names[] = {
	[TLSRPT_DKIM_UNKNOWN] = NULL,
	[TLSRPT_DKIM_NONE] = "none",
	[TLSRPT_DKIM_PASS] = "pass",
	[TLSRPT_DKIM_FAIL] = "fail",
};

const char *
tlsrpt_dkim_name(enum tlsrpt_dkim v)
{
	if ((size_t)v >= sizeof(dkim_names) / sizeof(dkim_names[0]))
		return NULL;
	return dkim_names[v];
}

int
tlsrpt_dkim_from_name(const char *s, size_t len, enum tlsrpt_dkim *out)
{
	for (size_t v = 0; v < sizeof(dkim_names) / sizeof(dkim_names[0]);
	     v++) {
		const char *name = dkim_names[v];

		if (name != NULL && strlen(name) == len &&
		    memcmp(name, s, len) == 0) {
			*out = (enum tlsrpt_dkim)v;
			return 0;
		}
	}
	return -1;
}

/* Copy s[0..n) lower-cased into buf when it is a plausible domain name:
 * two or more labels of letters, digits and '-', no empty label. */
static int
copy_domain(const char *s, size_t n, char *buf, size_t size)
{
	size_t k, label = 0, dots = 0;

	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0 || n > 253 || n >= size)
		return -1;
	for (k = 0; k < n; k++) {
		char c = s[k];

		if (c == '.') {
			if (label == 0 || s[k - 1] == '-')
				return -1;
			dots++;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   (c >= '0' && c <= '9') || c == '-') {
			if (c == '-' && label == 0)
				return -1;
			if (++label > 63)
				return -1;
		} else {
			return -1;
		}
		buf[k] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	if (dots == 0 || label == 0 || s[n - 1] == '-')
		return -1;
	buf[n] = '\0';
	return 0;
}

static int
from_domain(const char *from, char *buf, size_t size)
{
	const char *lt = strrchr(from, '<'), *start = from, *end, *at = NULL;
	const char *p;

	if (lt != NULL) {
		start = lt + 1;
		end = strchr(start, '>');
		if (end == NULL)
			end = start + strlen(start);
	} else {
		end = from + strlen(from);
	}
	for (p = start; p < end; p++)
		if (*p == '@')
			at = p;
	if (at == NULL)
		return -1;
	p = at + 1;
	while (p < end && *p != ' ' && *p != '\t' && *p != '>' && *p != ',')
		p++;
	return copy_domain(at + 1, (size_t)(p - (at + 1)), buf, size);
}

int
tlsrpt_submitter_domain(const struct tlsrpt_message_meta *meta, char *buf,
			size_t size)
{
	const char *s = meta->report_submitter;

	if (size == 0)
		return -1;
	buf[0] = '\0';
	if (s != NULL) {
		size_t n;

		while (*s == ' ' || *s == '\t')
			s++;
		n = strlen(s);
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if (copy_domain(s, n, buf, size) == 0)
			return 0;
	}
	if (meta->from != NULL && from_domain(meta->from, buf, size) == 0)
		return 0;
	buf[0] = '\0';
	return -1;
}
