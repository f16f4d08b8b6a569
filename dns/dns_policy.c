/* SPDX-License-Identifier: BSD-2-Clause */
/* dns_policy.c -- the MTA-STS policy file (RFC 8461 section 3.2): written with
 * CRLF line ends, and checked as a sender would read it. */
#include "dns/dns_record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

int
dns_sts_mode_parse(const char *s, enum dns_sts_mode *mode)
{
	if (strcmp(s, "enforce") == 0)
		*mode = DNS_STS_ENFORCE;
	else if (strcmp(s, "testing") == 0)
		*mode = DNS_STS_TESTING;
	else if (strcmp(s, "none") == 0)
		*mode = DNS_STS_NONE;
	else
		return -1;
	return 0;
}

const char *
dns_sts_mode_name(enum dns_sts_mode mode)
{
	switch (mode) {
	case DNS_STS_ENFORCE: return "enforce";
	case DNS_STS_TESTING: return "testing";
	case DNS_STS_NONE: return "none";
	}
	return "?";
}

int
dns_sts_policy_build(enum dns_sts_mode mode, const char *const *mx, size_t n_mx,
		     unsigned long max_age, char **out,
		     struct tlsrpt_error *err)
{
	size_t cap = 128, o;
	char *buf;
	int n;

	*out = NULL;
	if (n_mx == 0 && mode != DNS_STS_NONE)
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, "mx",
					"mode %s needs at least one --mx "
					"pattern (the names of your MX hosts)",
					dns_sts_mode_name(mode));
	if (max_age > DNS_STS_MAX_AGE_MAX)
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, "max_age",
					"%lu: at most %lu seconds (RFC 8461 "
					"section 3.2)",
					max_age, DNS_STS_MAX_AGE_MAX);
	for (size_t i = 0; i < n_mx; i++)
		cap += strlen(mx[i]) + 8;
	buf = tlsrpt_malloc(cap);
	if (buf == NULL)
		return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL,
					"out of memory");
	n = snprintf(buf, cap, "version: STSv1\r\nmode: %s\r\n",
		     dns_sts_mode_name(mode));
	o = (size_t)n;
	for (size_t i = 0; i < n_mx; i++) {
		n = snprintf(buf + o, cap - o, "mx: %s\r\n", mx[i]);
		o += (size_t)n;
	}
	snprintf(buf + o, cap - o, "max_age: %lu\r\n", max_age);
	*out = buf;
	return 0;
}

/* The policy's key names (RFC 8461 section 3.2), case-sensitive. */
enum { K_VERSION, K_MODE, K_MX, K_MAX_AGE, K_OTHER };

static int
key_of(const char *k, size_t n)
{
	if (n == 7 && memcmp(k, "version", 7) == 0)
		return K_VERSION;
	if (n == 4 && memcmp(k, "mode", 4) == 0)
		return K_MODE;
	if (n == 2 && memcmp(k, "mx", 2) == 0)
		return K_MX;
	if (n == 7 && memcmp(k, "max_age", 7) == 0)
		return K_MAX_AGE;
	return K_OTHER;
}

struct policy_state {
	size_t count[K_OTHER + 1];
	int mode;
	unsigned long max_age;
	int bad;
	struct dns_sts_policy *out; /* the mx patterns go here, or NULL */
	size_t cap;
	int nomem;
};

/* Keep a checked pattern for the caller (dns_sts_policy_parse). */
static void
keep_mx(struct policy_state *st, const char *val)
{
	struct dns_sts_policy *p = st->out;
	char *copy;

	if (p == NULL || st->nomem)
		return;
	if (p->n_mx == st->cap) {
		size_t cap = st->cap > 0 ? 2 * st->cap : 8;
		char **mx = tlsrpt_reallocarray(p->mx, cap, sizeof(*mx));

		if (mx == NULL) {
			st->nomem = 1;
			return;
		}
		p->mx = mx;
		st->cap = cap;
	}
	copy = tlsrpt_strdup(val);
	if (copy == NULL)
		st->nomem = 1;
	else
		p->mx[p->n_mx++] = copy;
}

static void
policy_line(struct policy_state *st, size_t lineno, const char *s, size_t n,
	    struct dns_findings *f)
{
	const char *colon = memchr(s, ':', n);
	size_t kl, vs;
	char q[256], val[DNS_NAME_MAX + 8];
	int key;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	enum dns_sts_mode m;

	if (colon == NULL) {
		st->bad = 1;
		dns_finding_add(f, DNS_ERROR,
				"policy line %zu: \"%s\" is not \"key: value\"",
				lineno, dns_quote(s, n, q, sizeof(q)));
		return;
	}
	kl = (size_t)(colon - s);
	vs = kl + 1;
	while (vs < n && (s[vs] == ' ' || s[vs] == '\t'))
		vs++;
	/* Trailing white space is allowed after the value. */
	while (n > vs && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	key = key_of(s, kl);
	st->count[key]++;
	if (key == K_VERSION && lineno != 1) {
		st->bad = 1;
		dns_finding_add(f, DNS_ERROR,
				"policy line %zu: version must be the first "
				"line",
				lineno);
	}
	if (key != K_MX && key != K_OTHER && st->count[key] > 1) {
		st->bad = 1;
		dns_finding_add(f, DNS_ERROR, "policy line %zu: %.*s repeated",
				lineno, (int)kl, s);
		return;
	}
	switch (key) {
	case K_VERSION:
		if (n - vs != 5 || memcmp(s + vs, "STSv1", 5) != 0) {
			st->bad = 1;
			dns_finding_add(f, DNS_ERROR,
					"policy line %zu: version must be "
					"STSv1",
					lineno);
		}
		break;
	case K_MODE:
		if (n - vs >= sizeof(val)) {
			vs = n; /* too long for any mode */
			val[0] = '\0';
		} else {
			memcpy(val, s + vs, n - vs);
			val[n - vs] = '\0';
		}
		if (dns_sts_mode_parse(val, &m) < 0) {
			st->bad = 1;
			dns_finding_add(
				f, DNS_ERROR,
				"policy line %zu: mode \"%s\" is not "
				"enforce, testing or none "
				"(case-sensitive)",
				lineno,
				dns_quote(val, strlen(val), q, sizeof(q)));
		} else {
			st->mode = (int)m;
		}
		break;
	case K_MX:
		if (n - vs >= sizeof(val) || n == vs) {
			st->bad = 1;
			dns_finding_add(f, DNS_ERROR,
					"policy line %zu: bad mx value",
					lineno);
			break;
		}
		memcpy(val, s + vs, n - vs);
		val[n - vs] = '\0';
		tlsrpt_error_clear(&err);
		if (dns_mx_pattern_check(val, val, sizeof(val), &err) < 0) {
			st->bad = 1;
			dns_finding_add(f, DNS_ERROR, "policy line %zu: %s",
					lineno, err.text);
		} else {
			keep_mx(st, val);
		}
		break;
	case K_MAX_AGE: {
		size_t dl = n - vs;
		int ok = dl >= 1 && dl <= 10;

		for (size_t i = vs; i < n && ok; i++)
			ok = s[i] >= '0' && s[i] <= '9';
		if (ok) {
			memcpy(val, s + vs, dl);
			val[dl] = '\0';
			st->max_age = strtoul(val, NULL, 10);
		}
		if (!ok || st->max_age > DNS_STS_MAX_AGE_MAX) {
			st->bad = 1;
			dns_finding_add(f, DNS_ERROR,
					"policy line %zu: max_age must be 0 to "
					"%lu seconds",
					lineno, DNS_STS_MAX_AGE_MAX);
		}
		break;
	}
	default:
		dns_finding_add(f, DNS_OK,
				"policy line %zu: extension \"%s\" is not "
				"defined by RFC 8461; senders ignore it",
				lineno, dns_quote(s, n, q, sizeof(q)));
		break;
	}
}

void
dns_sts_policy_free(struct dns_sts_policy *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->n_mx; i++)
		tlsrpt_free(p->mx[i]);
	tlsrpt_free(p->mx);
	p->mx = NULL;
	p->n_mx = 0;
}

int
dns_sts_policy_check(const char *text, size_t len, struct dns_findings *f)
{
	return dns_sts_policy_parse(text, len, f, NULL);
}

int
dns_sts_policy_parse(const char *text, size_t len, struct dns_findings *f,
		     struct dns_sts_policy *out)
{
	struct policy_state st;
	size_t lineno = 0, lf_only = 0;

	memset(&st, 0, sizeof(st));
	st.mode = -1;
	st.out = out;
	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (len > DNS_POLICY_MAX) {
		dns_finding_add(f, DNS_ERROR,
				"policy file of %zu octets: senders may stop "
				"reading at %d",
				len, DNS_POLICY_MAX);
		return -1;
	}
	if (memchr(text, '\0', len) != NULL) {
		dns_finding_add(f, DNS_ERROR, "policy file holds a NUL byte");
		return -1;
	}
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t end = nl != NULL ? (size_t)(nl - text) : len;
		size_t n = end - i;

		lineno++;
		if (nl != NULL && (n == 0 || text[end - 1] != '\r'))
			lf_only++;
		else if (nl != NULL)
			n--;
		if (n > 0)
			policy_line(&st, lineno, text + i, n, f);
		i = nl != NULL ? end + 1 : len;
	}
	if (st.count[K_VERSION] == 0) {
		st.bad = 1;
		dns_finding_add(f, DNS_ERROR,
				"policy: no \"version: STSv1\" line");
	}
	if (st.count[K_MODE] == 0) {
		st.bad = 1;
		dns_finding_add(f, DNS_ERROR,
				"policy: no mode: line (enforce, testing or "
				"none)");
	}
	if (st.count[K_MAX_AGE] == 0) {
		st.bad = 1;
		dns_finding_add(f, DNS_ERROR, "policy: no max_age: line");
	}
	if (st.count[K_MX] == 0 && st.mode != -1 && st.mode != DNS_STS_NONE) {
		st.bad = 1;
		dns_finding_add(f, DNS_ERROR,
				"policy: mode %s without any mx: line matches "
				"no MX host",
				dns_sts_mode_name((enum dns_sts_mode)st.mode));
	}
	if (lf_only > 0)
		dns_finding_add(
			f, DNS_WARNING,
			"policy: %zu line(s) end in a bare LF; RFC 8461 "
			"section 3.2 describes CRLF line ends: serve CRLF",
			lf_only);
	if (st.nomem) {
		st.bad = 1;
		dns_finding_add(f, DNS_ERROR, "policy: out of memory");
	}
	if (st.bad) {
		dns_sts_policy_free(out);
		return -1;
	}
	if (out != NULL) {
		out->mode = (enum dns_sts_mode)st.mode;
		out->max_age = st.max_age;
	}
	if (st.max_age < 86400)
		dns_finding_add(f, DNS_WARNING,
				"policy: max_age %lu is under a day: senders "
				"must refetch it very often",
				st.max_age);
	else if (st.max_age < DNS_STS_MAX_AGE_MAX)
		dns_finding_add(f, DNS_OK,
				"policy: max_age %lu; raise it to %lu (a year) "
				"once the policy is stable",
				st.max_age, DNS_STS_MAX_AGE_MAX);
	dns_finding_add(f, DNS_OK, "policy: valid, mode %s, %zu mx pattern(s)",
			dns_sts_mode_name((enum dns_sts_mode)st.mode),
			st.count[K_MX]);
	return 0;
}
