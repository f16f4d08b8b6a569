/* SPDX-License-Identifier: BSD-2-Clause */
/* dns_name.c -- domain names, MTA-STS mx patterns and rua URIs, checked the
 * way a postmaster needs: each refusal says what to write instead. */
#include "dns/dns_record.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_hex(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int
hex_val(int c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return c - 'A' + 10;
}

/* RFC 3986 unreserved and reserved characters, less `,` `!` `;` which
 * RFC 8460 section 3 wants percent-encoded inside a rua URI. */
static int
is_uri_char(int c)
{
	if (is_alpha(c) || is_digit(c))
		return 1;
	return c != '\0' && strchr("-._~:/?#[]@$&'()*+=", c) != NULL;
}

/* RFC 5322 atext. */
static int
is_atext(int c)
{
	if (is_alpha(c) || is_digit(c))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/* The labels of name[0..len): LDH, 1-63 octets, no hyphen at either end,
 * at least two labels, not all-digit at the end (an IP address). */
static int
check_ldh(const char *what, const char *name, size_t len,
	  struct tlsrpt_error *err)
{
	size_t start = 0, labels = 0, last_start = 0;
	int all_digits = 1;

	if (len == 0)
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, what,
					"empty domain name");
	if (len > DNS_NAME_MAX)
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, what,
					"%zu octets: a domain name has at "
					"most %d",
					len, DNS_NAME_MAX);
	for (size_t i = 0; i <= len; i++) {
		unsigned char c = i < len ? (unsigned char)name[i] : '.';

		if (c >= 0x80)
			return tlsrpt_error_set(
				err, TLSRPT_ERR_INVALID, what,
				"\"%.*s\" holds non-ASCII characters (a "
				"U-label): DNS needs the A-label form "
				"(xn--...); get it with `idn2 '%.*s'`",
				(int)len, name, (int)len, name);
		if (c != '.') {
			if (!is_alpha(c) && !is_digit(c) && c != '-')
				return tlsrpt_error_set(
					err, TLSRPT_ERR_INVALID, what,
					"\"%.*s\": '%c' is not allowed in a "
					"host name (letters, digits and '-' "
					"only)",
					(int)len, name, c >= 0x20 ? c : '?');
			continue;
		}
		if (i == start)
			return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, what,
						"\"%.*s\" has an empty label",
						(int)len, name);
		if (i - start > 63)
			return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, what,
						"\"%.*s\": a label has at most "
						"63 octets",
						(int)len, name);
		if (name[start] == '-' || name[i - 1] == '-')
			return tlsrpt_error_set(
				err, TLSRPT_ERR_INVALID, what,
				"\"%.*s\": a label cannot start "
				"or end with '-'",
				(int)len, name);
		labels++;
		last_start = start;
		start = i + 1;
	}
	for (size_t i = last_start; i < len; i++)
		if (!is_digit(name[i]))
			all_digits = 0;
	if (labels < 2)
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, what,
					"\"%.*s\" is not a fully qualified "
					"domain name (like example.com)",
					(int)len, name);
	if (all_digits)
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, what,
					"\"%.*s\" looks like an IP address, "
					"not a domain name",
					(int)len, name);
	return 0;
}

static int
copy_name(const char *what, const char *name, size_t len, char *out,
	  size_t size, struct tlsrpt_error *err)
{
	if (len >= size)
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, what,
					"name too long");
	memcpy(out, name, len);
	out[len] = '\0';
	return 0;
}

int
dns_domain_check(const char *name, char *out, size_t size,
		 struct tlsrpt_error *err)
{
	size_t len = strlen(name);

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (check_ldh("domain", name, len, err) < 0)
		return -1;
	return copy_name("domain", name, len, out, size, err);
}

int
dns_mx_pattern_check(const char *pattern, char *out, size_t size,
		     struct tlsrpt_error *err)
{
	size_t len = strlen(pattern);
	const char *host = pattern;

	if (len > 0 && pattern[len - 1] == '.')
		len--;
	if (len >= 2 && pattern[0] == '*' && pattern[1] == '.') {
		host += 2;
		len -= 2;
	}
	if (memchr(host, '*', len) != NULL)
		return tlsrpt_error_set(
			err, TLSRPT_ERR_INVALID, "mx",
			"\"%s\": '*' may only appear as the whole left-most "
			"label, as in *.example.com (RFC 8461 section 3.2)",
			pattern);
	if (check_ldh("mx", host, len, err) < 0)
		return -1;
	return copy_name("mx", pattern, (size_t)(host - pattern) + len, out,
			 size, err);
}

int
dns_mx_pattern_match(const char *pattern, const char *host)
{
	size_t pl = strlen(pattern), hl = strlen(host);
	const char *dot;

	if (pl > 0 && pattern[pl - 1] == '.')
		pl--;
	if (hl > 0 && host[hl - 1] == '.')
		hl--;
	if (pl > 2 && pattern[0] == '*' && pattern[1] == '.') {
		/* "*.example.com": exactly one more label, leftmost. */
		dot = memchr(host, '.', hl);
		return dot != NULL && dot != host &&
		       (size_t)(host + hl - dot) == pl - 1 &&
		       strncasecmp(dot, pattern + 1, pl - 1) == 0;
	}
	return pl == hl && strncasecmp(pattern, host, pl) == 0;
}

/* Put the whole URI in front of a message about a part of it. */
static int
restate(struct tlsrpt_error *err, const char *uri)
{
	char inner[TLSRPT_ERROR_TEXT_MAX];

	memcpy(inner, err->text, sizeof(inner));
	/* On purpose: the reason stays, worded with the whole URI. */
	return tlsrpt_error_replace(err, err->code, "rua", "\"%s\": %s", uri,
				    inner);
}

/* A local part: dot-atom (RFC 5322 section 3.4.1) or a quoted string. */
static int
local_part_ok(const char *s, size_t len)
{
	if (len == 0 || len > 64)
		return 0;
	if (len >= 2 && s[0] == '"' && s[len - 1] == '"')
		return 1;
	if (s[0] == '.' || s[len - 1] == '.')
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return 0;
		} else if (!is_atext((unsigned char)s[i])) {
			return 0;
		}
	}
	return 1;
}

static int
check_mailto(const char *uri, const char *addr, size_t len,
	     struct tlsrpt_error *err)
{
	char dec[DNS_URI_MAX + 1], dom[DNS_NAME_MAX + 1];
	size_t n = 0;
	const char *at;

	/* The addr-spec ends where header fields (?subject=...) start. */
	for (size_t i = 0; i < len && addr[i] != '?'; i++) {
		if (addr[i] == '%') {
			dec[n++] = (char)(hex_val(addr[i + 1]) * 16 +
					  hex_val(addr[i + 2]));
			i += 2;
		} else {
			dec[n++] = addr[i];
		}
	}
	dec[n] = '\0';
	if (n == 0)
		return tlsrpt_error_set(
			err, TLSRPT_ERR_INVALID, "rua",
			"\"%s\": no address after mailto:", uri);
	if (memchr(dec, ',', n) != NULL)
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, "rua",
					"\"%s\": one address per mailto: URI; "
					"list several URIs instead",
					uri);
	at = memrchr(dec, '@', n);
	if (at == NULL)
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, "rua",
					"\"%s\": the address has no '@'", uri);
	if (!local_part_ok(dec, (size_t)(at - dec)))
		return tlsrpt_error_set(
			err, TLSRPT_ERR_INVALID, "rua",
			"\"%s\": \"%.*s\" is not a usable local "
			"part of an address",
			uri, (int)(at - dec), dec);
	if (at[1] == '[' && dec[n - 1] == ']')
		return 0; /* an address literal: rare, but an addr-spec */
	if (dns_domain_check(at + 1, dom, sizeof(dom), err) < 0)
		return restate(err, uri);
	return 0;
}

static int
check_https(const char *uri, const char *rest, size_t len,
	    struct tlsrpt_error *err)
{
	size_t hl, i;
	char dom[DNS_NAME_MAX + 1];

	if (len < 2 || rest[0] != '/' || rest[1] != '/')
		return tlsrpt_error_set(
			err, TLSRPT_ERR_INVALID, "rua",
			"\"%s\": an https: URI needs a host, as "
			"in https://reports.example.com/tlsrpt",
			uri);
	rest += 2;
	len -= 2;
	hl = strcspn(rest, "/?#");
	if (hl > len)
		hl = len;
	if (memchr(rest, '@', hl) != NULL)
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, "rua",
					"\"%s\": no user name in an https: "
					"report URI",
					uri);
	if (hl > 0 && rest[0] == '[') {
		const char *end = memchr(rest, ']', hl);

		if (end == NULL || end == rest + 1)
			return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, "rua",
						"\"%s\": bad IPv6 host", uri);
		i = (size_t)(end - rest) + 1;
	} else {
		/* The host is what comes before the optional ":port". */
		const char *colon = memchr(rest, ':', hl);
		size_t dl = colon != NULL ? (size_t)(colon - rest) : hl;

		if (dl == 0)
			return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, "rua",
						"\"%s\": an https: URI needs a "
						"host",
						uri);
		if (dl > DNS_NAME_MAX)
			return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, "rua",
						"\"%s\": host name too long",
						uri);
		memcpy(dom, rest, dl);
		dom[dl] = '\0';
		if (dns_domain_check(dom, dom, sizeof(dom), err) < 0) {
			int dotted = 1;

			/* An IPv4 address is a host too, if an odd one. */
			for (size_t k = 0; k < dl; k++)
				if (!is_digit(rest[k]) && rest[k] != '.')
					dotted = 0;
			if (!dotted)
				return restate(err, uri);
		}
		i = dl;
	}
	if (i < hl) {
		if (rest[i] != ':' || i + 1 == hl)
			return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, "rua",
						"\"%s\": bad port", uri);
		for (size_t k = i + 1; k < hl; k++)
			if (!is_digit(rest[k]))
				return tlsrpt_error_set(
					err, TLSRPT_ERR_INVALID, "rua",
					"\"%s\": bad port", uri);
	}
	return 0;
}

int
dns_uri_check(const char *uri, size_t len, struct tlsrpt_error *err)
{
	char shown[DNS_URI_MAX + 1];
	size_t colon;

	if (len == 0)
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, "rua",
					"empty URI");
	if (len > DNS_URI_MAX)
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, "rua",
					"URI of %zu octets: at most %d", len,
					DNS_URI_MAX);
	memcpy(shown, uri, len);
	shown[len] = '\0';
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)uri[i];

		if (c == '%') {
			if (i + 2 >= len || !is_hex(uri[i + 1]) ||
			    !is_hex(uri[i + 2]))
				return tlsrpt_error_set(
					err, TLSRPT_ERR_INVALID, "rua",
					"\"%s\": '%%' must start a %%XX "
					"escape",
					shown);
			i += 2;
			continue;
		}
		if (c == ',' || c == '!' || c == ';')
			return tlsrpt_error_set(
				err, TLSRPT_ERR_INVALID, "rua",
				"\"%s\": '%c' inside a URI must be written "
				"%%%02X (RFC 8460 section 3)",
				shown, c, c);
		if (!is_uri_char(c))
			return tlsrpt_error_set(
				err, TLSRPT_ERR_INVALID, "rua",
				"\"%s\": byte 0x%02x is not allowed in a URI "
				"(percent-encode it)",
				shown, c);
	}
	colon = strcspn(shown, ":");
	if (colon == 6 && strncasecmp(shown, "mailto", 6) == 0)
		return check_mailto(shown, shown + 7, len - 7, err);
	if (colon == 5 && strncasecmp(shown, "https", 5) == 0)
		return check_https(shown, shown + 6, len - 6, err);
	if (colon == 4 && strncasecmp(shown, "http", 4) == 0)
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, "rua",
					"\"%s\": reports are only posted over "
					"https:, never plain http:",
					shown);
	if (colon == len)
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, "rua",
					"\"%s\": no scheme; write "
					"mailto:%s for e-mail",
					shown, shown);
	return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, "rua",
				"\"%s\": only mailto: and https: URIs are "
				"defined for TLS reports",
				shown);
}

int
dns_uri_prepare(const char *raw, char *out, size_t size,
		struct tlsrpt_error *err)
{
	static const char hexd[] = "0123456789ABCDEF";
	size_t o = 0, rawlen = strlen(raw);
	int changed = 0;

	/* "mailto:a@x,mailto:b@y" is two URIs, not one with a comma. */
	for (const char *c = strchr(raw, ','); c != NULL;
	     c = strchr(c + 1, ',')) {
		const char *n = c + 1 + strspn(c + 1, " \t");

		if (strncasecmp(n, "mailto:", 7) == 0 ||
		    strncasecmp(n, "https:", 6) == 0)
			return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, "rua",
						"\"%s\" is a list: give each "
						"URI its own --rua",
						raw);
	}
	if (rawlen > DNS_URI_MAX)
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, "rua",
					"URI of %zu octets: at most %d", rawlen,
					DNS_URI_MAX);
	for (size_t i = 0; i < rawlen; i++) {
		unsigned char c = (unsigned char)raw[i];
		int keep = is_uri_char(c) || (c == '%' && is_hex(raw[i + 1]) &&
					      is_hex(raw[i + 2]));

		if (o + 4 > size)
			return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, "rua",
						"\"%s\": too long once encoded",
						raw);
		if (keep) {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			out[o++] = hexd[c >> 4];
			out[o++] = hexd[c & 15];
			changed = 1;
		}
	}
	out[o] = '\0';
	if (dns_uri_check(out, o, err) < 0)
		return -1;
	return changed;
}
