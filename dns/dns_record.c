/* dns_record.c -- TXT records of TLS reporting (RFC 8460 section 3) and MTA-STS
 * (RFC 8461 section 3.1): build them, and check what is published. */
#include "dns/dns_record.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"

#define TLSRPT_VERSION_TAG "v=TLSRPTv1"
#define STS_VERSION_TAG "v=STSv1"

static int
is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

static int
is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

/* RFC 8460 and RFC 8461 share the extension grammar:
 * name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
 * value = 1*(%x21-3A / %x3C / %x3E-7E), i.e. no space, ';' or '='. */
static int
ext_name_ok(const char *s, size_t len)
{
	if (len == 0 || len > 32 || !is_alnum((unsigned char)s[0]))
		return 0;
	for (size_t i = 1; i < len; i++)
		if (!is_alnum((unsigned char)s[i]) && s[i] != '_' &&
		    s[i] != '-' && s[i] != '.')
			return 0;
	return 1;
}

static int
is_value_char(int c)
{
	return c >= 0x21 && c <= 0x7e && c != ';' && c != '=';
}

static int
starts_with(const char *s, size_t len, const char *tag)
{
	size_t tl = strlen(tag);

	return len >= tl && memcmp(s, tag, tl) == 0;
}

/* Case-insensitive search for needle in s[0..len). */
static int
contains_nocase(const char *s, size_t len, const char *needle)
{
	size_t nl = strlen(needle);

	for (size_t i = 0; i + nl <= len; i++)
		if (strncasecmp(s + i, needle, nl) == 0)
			return 1;
	return 0;
}

int
dns_txt_from_rdata(const unsigned char *rdata, size_t rdlen,
		   struct dns_txt *out, struct tlsrpt_error *err)
{
	size_t o = 0;

	out->text = NULL;
	out->len = 0;
	out->nstrings = 0;
	/* The joined text is never longer than the RDATA. */
	out->text = tlsrpt_malloc(rdlen + 1);
	if (out->text == NULL)
		return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL,
					"out of memory");
	for (size_t i = 0; i < rdlen;) {
		size_t n = rdata[i++];

		if (n > rdlen - i) {
			dns_txt_clear(out);
			return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, NULL,
						"malformed TXT data: a "
						"character-string runs past "
						"the end of the record");
		}
		memcpy(out->text + o, rdata + i, n);
		o += n;
		i += n;
		out->nstrings++;
	}
	out->text[o] = '\0';
	out->len = o;
	return 0;
}

void
dns_txt_clear(struct dns_txt *txt)
{
	if (txt == NULL)
		return;
	tlsrpt_free(txt->text);
	txt->text = NULL;
	txt->len = 0;
	txt->nstrings = 0;
}

int
dns_zone_txt_line(const char *owner, const char *value, char **out,
		  struct tlsrpt_error *err)
{
	size_t vlen = strlen(value), cap, o;
	char *buf;
	int n;

	*out = NULL;
	/* Every octet may double when escaped, plus quotes and spaces. */
	cap = strlen(owner) + 32 + 2 * vlen + 3 * (vlen / 255 + 1);
	buf = tlsrpt_malloc(cap);
	if (buf == NULL)
		return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL,
					"out of memory");
	n = snprintf(buf, cap, "%s. IN TXT", owner);
	if (n < 0 || (size_t)n >= cap) {
		tlsrpt_free(buf);
		return tlsrpt_error_set(err, TLSRPT_ERR_INTERNAL, NULL,
					"zone line does not fit");
	}
	o = (size_t)n;
	for (size_t i = 0; i < vlen || i == 0; i += DNS_TXT_STRING_MAX) {
		size_t end = i + DNS_TXT_STRING_MAX < vlen
				     ? i + DNS_TXT_STRING_MAX
				     : vlen;

		buf[o++] = ' ';
		buf[o++] = '"';
		for (size_t k = i; k < end; k++) {
			if (value[k] == '"' || value[k] == '\\')
				buf[o++] = '\\';
			buf[o++] = value[k];
		}
		buf[o++] = '"';
		if (vlen == 0)
			break;
	}
	buf[o] = '\0';
	*out = buf;
	return 0;
}

int
dns_tlsrpt_build(const char *const *uris, size_t n, char **out,
		 struct tlsrpt_error *err)
{
	size_t cap = sizeof(TLSRPT_VERSION_TAG "; rua="), o;
	char *buf;

	*out = NULL;
	if (n == 0)
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, "rua",
					"at least one rua URI is needed "
					"(--rua mailto:tlsrpt@example.com)");
	for (size_t i = 0; i < n; i++) {
		if (dns_uri_check(uris[i], strlen(uris[i]), err) < 0)
			return -1;
		cap += strlen(uris[i]) + 1;
	}
	buf = tlsrpt_malloc(cap);
	if (buf == NULL)
		return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL,
					"out of memory");
	o = (size_t)snprintf(buf, cap, "%s; rua=", TLSRPT_VERSION_TAG);
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(uris[i]);

		if (i > 0)
			buf[o++] = ',';
		memcpy(buf + o, uris[i], l);
		o += l;
	}
	buf[o] = '\0';
	*out = buf;
	return 0;
}

/* Skip a field delimiter (*WSP ";" *WSP) at s[*p]; 1 if there was one. */
static int
skip_delim(const char *s, size_t len, size_t *p)
{
	size_t i = *p;

	while (i < len && is_wsp(s[i]))
		i++;
	if (i >= len || s[i] != ';')
		return 0;
	i++;
	while (i < len && is_wsp(s[i]))
		i++;
	*p = i;
	return 1;
}

/* Shared walk of "TAG; name=value; ..." records: grammar errors become
 * findings and set bad. */
struct field_walk {
	const char *rec;
	size_t len;
	const char *prefix;
	struct dns_findings *f;
	int bad;
};

/* Report a byte that breaks the grammar at offset i. */
static void
bad_at(struct field_walk *w, size_t i, const char *what)
{
	char q[256];

	w->bad = 1;
	dns_finding_add(w->f, DNS_ERROR,
			"%s%s at offset %zu: \"%s\" (the record does not match "
			"the grammar, so senders ignore it)",
			w->prefix, what, i,
			dns_quote(w->rec + i, w->len - i, q, sizeof(q)));
}

/* What both records need before their fields: to start with the version
 * tag (its "v=" and value, without ';'), followed by ';' or white space,
 * and no NUL byte anywhere. Returns 0, or -1 after a finding. */
static int
check_version(struct field_walk *w, const char *tag)
{
	size_t tl = strlen(tag);
	char what[64];

	if (!starts_with(w->rec, w->len, tag)) {
		dns_finding_add(w->f, DNS_ERROR,
				"%sthe record must start with exactly %s "
				"(case-sensitive)",
				w->prefix, tag);
		return -1;
	}
	for (size_t i = 0; i < w->len; i++)
		if (w->rec[i] == '\0') {
			bad_at(w, i, "a NUL byte");
			return -1;
		}
	if (w->len > tl && !is_wsp(w->rec[tl]) && w->rec[tl] != ';') {
		snprintf(what, sizeof(what), "';' expected after %s", tag);
		bad_at(w, tl, what);
		return -1;
	}
	return 0;
}

/* Parse the rua value starting at *p: URIs separated by *WSP "," *WSP. */
static void
parse_rua(struct field_walk *w, size_t *p, size_t *n_uris)
{
	const char *s = w->rec;
	size_t i = *p;

	for (;;) {
		size_t start = i;
		struct tlsrpt_error err = TLSRPT_ERROR_INIT;
		char q[256];

		while (i < w->len && !is_wsp(s[i]) && s[i] != ',' &&
		       s[i] != ';')
			i++;
		if (i == start) {
			bad_at(w, i, "an empty URI in rua=");
			break;
		}
		tlsrpt_error_clear(&err);
		if (dns_uri_check(s + start, i - start, &err) < 0) {
			w->bad = 1;
			dns_finding_add(w->f, DNS_ERROR, "%srua URI: %s",
					w->prefix, err.text);
		} else {
			dns_finding_add(
				w->f, DNS_OK, "%sreports go to %s", w->prefix,
				dns_quote(s + start, i - start, q, sizeof(q)));
		}
		(*n_uris)++;
		{
			size_t k = i;

			while (k < w->len && is_wsp(s[k]))
				k++;
			if (k < w->len && s[k] == ',') {
				k++;
				while (k < w->len && is_wsp(s[k]))
					k++;
				i = k;
				continue;
			}
		}
		break;
	}
	*p = i;
}

/* Walk the fields after the version tag; on_field reads each value from
 * *p on and counts what the record needs. */
typedef void (*field_fn)(struct field_walk *w, const char *name, size_t nlen,
			 size_t *p, void *arg);

static void
walk_fields(struct field_walk *w, size_t p, field_fn on_field, void *arg)
{
	const char *s = w->rec;

	for (;;) {
		size_t start, nlen;

		if (p >= w->len)
			return;
		if (!skip_delim(s, w->len, &p)) {
			size_t k = p;

			while (k < w->len && is_wsp(s[k]))
				k++;
			if (k == w->len)
				return; /* trailing spaces: harmless */
			bad_at(w, p, "';' expected between fields");
			return;
		}
		if (p >= w->len)
			return; /* a trailing ';' is allowed */
		start = p;
		while (p < w->len && s[p] != '=' && s[p] != ';' &&
		       !is_wsp(s[p]))
			p++;
		nlen = p - start;
		if (p >= w->len || s[p] != '=' ||
		    !ext_name_ok(s + start, nlen)) {
			bad_at(w, start, "a name=value field expected");
			return;
		}
		p++;
		on_field(w, s + start, nlen, &p, arg);
		if (w->bad)
			return;
	}
}

struct tlsrpt_fields {
	size_t n_rua, n_uris;
};

static void
tlsrpt_field(struct field_walk *w, const char *name, size_t nlen, size_t *p,
	     void *arg)
{
	struct tlsrpt_fields *tf = arg;
	size_t start = *p;
	char q[256];

	if (nlen == 3 && memcmp(name, "rua", 3) == 0) {
		tf->n_rua++;
		parse_rua(w, p, &tf->n_uris);
		return;
	}
	while (*p < w->len && is_value_char((unsigned char)w->rec[*p]))
		(*p)++;
	if (*p == start) {
		bad_at(w, start, "an empty or malformed value");
		return;
	}
	if (nlen == 3 && strncasecmp(name, "rua", 3) == 0) {
		w->bad = 1;
		dns_finding_add(w->f, DNS_ERROR,
				"%s\"%.3s=\": field names are case-sensitive; "
				"write rua=",
				w->prefix, name);
		return;
	}
	dns_finding_add(
		w->f, DNS_OK,
		"%sextension %s is not defined by RFC 8460; reporters "
		"ignore it",
		w->prefix,
		dns_quote(name, (size_t)(w->rec + *p - name), q, sizeof(q)));
}

int
dns_tlsrpt_check(const char *rec, size_t len, const char *prefix,
		 struct dns_findings *f)
{
	struct field_walk w = {rec, len, prefix, f, 0};
	struct tlsrpt_fields tf = {0, 0};
	size_t tl = strlen(TLSRPT_VERSION_TAG);

	if (len > DNS_RECORD_MAX) {
		dns_finding_add(f, DNS_ERROR,
				"%srecord of %zu octets: far longer than any "
				"TLSRPT record needs; not examined",
				prefix, len);
		return -1;
	}
	if (check_version(&w, TLSRPT_VERSION_TAG) != 0)
		return -1;
	walk_fields(&w, tl, tlsrpt_field, &tf);
	if (tf.n_rua == 0 && !w.bad) {
		w.bad = 1;
		dns_finding_add(f, DNS_ERROR,
				"%sno rua= field: reporters have nowhere to "
				"send reports",
				prefix);
	}
	if (tf.n_rua > 1)
		dns_finding_add(
			f, DNS_WARNING,
			"%srua= appears %zu times; senders may use only "
			"one: list every URI in one rua=, separated by "
			"commas",
			prefix, tf.n_rua);
	return w.bad ? -1 : 0;
}

/* The TXT records at one name, filtered the way senders filter them. */
struct set_check {
	const char *tag;     /* "v=TLSRPTv1" */
	const char *loose;   /* "v=tlsrpt": a near miss, said aloud */
	const char *what;    /* "TLSRPT" */
	const char *section; /* "RFC 8460 section 3" */
	int (*check)(const char *, size_t, const char *, struct dns_findings *);
};

static void
report_split(const struct dns_txt *r, const char *prefix, int broken,
	     struct dns_findings *f)
{
	char q[256];

	if (r->nstrings <= 1)
		return;
	dns_finding_add(f, broken ? DNS_WARNING : DNS_OK,
			"%sthe record is split into %zu character-strings; "
			"senders join them with no separator, reading \"%s\"%s",
			prefix, r->nstrings,
			dns_quote(r->text, r->len, q, sizeof(q)),
			broken ? " -- check the split points" : "");
}

static int
check_set(const struct set_check *sc, const struct dns_txt *recs, size_t n,
	  const char *owner, struct dns_findings *f)
{
	size_t cand = 0, idx = 0;
	char q[256], prefix[48];
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		const struct dns_txt *r = &recs[i];

		if (starts_with(r->text, r->len, sc->tag)) {
			cand++;
			idx = i;
			continue;
		}
		if (contains_nocase(r->text, r->len, sc->loose)) {
			dns_finding_add(
				f, DNS_ERROR,
				"%s: \"%s\" is ignored by senders: a "
				"%s record must start with exactly %s "
				"(case-sensitive, nothing before it)",
				owner, dns_quote(r->text, r->len, q, sizeof(q)),
				sc->what, sc->tag);
			rc = -1;
		} else {
			dns_finding_add(
				f, DNS_OK,
				"%s: other TXT record ignored: \"%s\"", owner,
				dns_quote(r->text, r->len, q, sizeof(q)));
		}
	}
	if (cand == 0)
		return -1;
	if (cand > 1) {
		dns_finding_add(f, DNS_ERROR,
				"%s: %zu records start with %s; %s says that "
				"then none of them is used: keep exactly one",
				owner, cand, sc->tag, sc->section);
		for (size_t i = 0, k = 0; i < n; i++) {
			if (!starts_with(recs[i].text, recs[i].len, sc->tag))
				continue;
			snprintf(prefix, sizeof(prefix),
				 "%s record %zu: ", sc->what, ++k);
			(void)sc->check(recs[i].text, recs[i].len, prefix, f);
			report_split(&recs[i], prefix, 0, f);
		}
		return -1;
	}
	if (sc->check(recs[idx].text, recs[idx].len, "", f) < 0) {
		report_split(&recs[idx], "", 1, f);
		dns_finding_add(
			f, DNS_ERROR, "%s: the %s record is invalid: %s", owner,
			sc->what,
			dns_quote(recs[idx].text, recs[idx].len, q, sizeof(q)));
		return -1;
	}
	report_split(&recs[idx], "", 0, f);
	dns_finding_add(f, DNS_OK, "%s: valid %s record: \"%s\"", owner,
			sc->what,
			dns_quote(recs[idx].text, recs[idx].len, q, sizeof(q)));
	return rc;
}

int
dns_tlsrpt_check_set(const struct dns_txt *recs, size_t n, const char *owner,
		     struct dns_findings *f)
{
	static const struct set_check sc = {TLSRPT_VERSION_TAG, "v=tlsrpt",
					    "TLSRPT", "RFC 8460 section 3",
					    dns_tlsrpt_check};
	size_t cand = 0;

	for (size_t i = 0; i < n; i++)
		if (starts_with(recs[i].text, recs[i].len, TLSRPT_VERSION_TAG))
			cand++;
	if (check_set(&sc, recs, n, owner, f) == 0)
		return 0;
	/* Say plainly what the lack of any candidate means. */
	if (cand == 0)
		dns_finding_add(
			f, DNS_ERROR,
			"%s: no TLSRPT record: senders send no reports; "
			"publish one (tlsrpt-summary dns DOMAIN --rua "
			"URI prints it)",
			owner);
	return -1;
}

int
dns_sts_id_valid(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > DNS_STS_ID_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_alnum((unsigned char)id[i]))
			return 0;
	return 1;
}

int
dns_sts_build(const char *id, char **out, struct tlsrpt_error *err)
{
	size_t cap = sizeof(STS_VERSION_TAG "; id=") + DNS_STS_ID_MAX;

	*out = NULL;
	if (!dns_sts_id_valid(id))
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, "id",
					"\"%s\": the id is 1 to 32 letters and "
					"digits (RFC 8461 section 3.1)",
					id);
	*out = tlsrpt_malloc(cap);
	if (*out == NULL)
		return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL,
					"out of memory");
	snprintf(*out, cap, "%s; id=%s", STS_VERSION_TAG, id);
	return 0;
}

struct sts_fields {
	size_t n_id;
};

static void
sts_field(struct field_walk *w, const char *name, size_t nlen, size_t *p,
	  void *arg)
{
	struct sts_fields *sf = arg;
	size_t start = *p;
	char q[256];

	while (*p < w->len && is_value_char((unsigned char)w->rec[*p]))
		(*p)++;
	if (*p == start) {
		bad_at(w, start, "an empty or malformed value");
		return;
	}
	if (nlen == 2 && memcmp(name, "id", 2) == 0) {
		size_t l = *p - start;
		int ok = l <= DNS_STS_ID_MAX;

		for (size_t i = start; i < *p && ok; i++)
			ok = is_alnum((unsigned char)w->rec[i]);
		sf->n_id++;
		if (!ok) {
			w->bad = 1;
			dns_finding_add(
				w->f, DNS_ERROR,
				"%sid=%s: the id is 1 to 32 letters and "
				"digits (RFC 8461 section 3.1)",
				w->prefix,
				dns_quote(w->rec + start, l, q, sizeof(q)));
		} else {
			dns_finding_add(w->f, DNS_OK,
					"%spolicy id %.*s (change it whenever "
					"the policy file changes)",
					w->prefix, (int)l, w->rec + start);
		}
		return;
	}
	dns_finding_add(
		w->f, DNS_OK,
		"%sextension %s is not defined by RFC 8461; senders "
		"ignore it",
		w->prefix,
		dns_quote(name, (size_t)(w->rec + *p - name), q, sizeof(q)));
}

int
dns_sts_check(const char *rec, size_t len, const char *prefix,
	      struct dns_findings *f)
{
	struct field_walk w = {rec, len, prefix, f, 0};
	struct sts_fields sf = {0};
	size_t tl = strlen(STS_VERSION_TAG);

	if (len > DNS_RECORD_MAX) {
		dns_finding_add(f, DNS_ERROR,
				"%srecord of %zu octets: not examined", prefix,
				len);
		return -1;
	}
	if (check_version(&w, STS_VERSION_TAG) != 0)
		return -1;
	walk_fields(&w, tl, sts_field, &sf);
	if (w.bad)
		return -1;
	if (sf.n_id == 0) {
		dns_finding_add(f, DNS_ERROR,
				"%sno id= field: senders cannot tell when the "
				"policy changes (RFC 8461 section 3.1)",
				prefix);
		return -1;
	}
	if (sf.n_id > 1) {
		dns_finding_add(f, DNS_ERROR, "%sid= appears %zu times", prefix,
				sf.n_id);
		return -1;
	}
	return 0;
}

int
dns_sts_check_set(const struct dns_txt *recs, size_t n, const char *owner,
		  struct dns_findings *f)
{
	static const struct set_check sc = {STS_VERSION_TAG, "v=sts", "MTA-STS",
					    "RFC 8461 section 3.1",
					    dns_sts_check};
	size_t cand = 0;

	for (size_t i = 0; i < n; i++)
		if (starts_with(recs[i].text, recs[i].len, STS_VERSION_TAG))
			cand++;
	if (cand == 0) {
		size_t before = f->n_level[DNS_ERROR];

		(void)check_set(&sc, recs, n, owner, f);
		if (f->n_level[DNS_ERROR] > before)
			return -1;
		dns_finding_add(f, DNS_OK,
				"%s: no MTA-STS record: MTA-STS is not in use "
				"(optional; TLSRPT works without it)",
				owner);
		return 0;
	}
	return check_set(&sc, recs, n, owner, f);
}
