/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * record_fast.c -- the store line scanner behind tlsrpt_record_decode()
 * (see record_fast.h for what it accepts; anything else is "unsure").
 */
#include "store/record_fast.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"
#include "base/scratch.h"
#include "report/report.h"
#include "report/report_json.h"
#include "store/json_scan.h"
#include "store/record.h"

#define FAST_TIME_MAX 64

/* The scanner and where the record's strings and lists go: the heap (sc
 * NULL: the record owns them) or a scratch region (the record borrows
 * them, reader.h). */
struct dec {
	struct scan c;
	struct tlsrpt_scratch *sc;
};

static int
dup(struct dec *d, const struct scan_span *s, char **out)
{
	*out = d->sc != NULL ? tlsrpt_scratch_strndup(d->sc, s->s, s->n)
			     : tlsrpt_strndup(s->s, s->n);
	return *out == NULL ? -1 : 0;
}

/* v of n elements grown to ncap (n <= ncap): in place on the heap, copied
 * within the scratch region. NULL when out of memory (v is left). */
static void *
grow(struct dec *d, void *v, size_t n, size_t ncap, size_t size)
{
	void *nv;

	if (d->sc == NULL)
		return tlsrpt_reallocarray(v, ncap, size);
	if (ncap > SIZE_MAX / size ||
	    (nv = tlsrpt_scratch_alloc(d->sc, ncap * size)) == NULL)
		return NULL;
	if (n > 0)
		memcpy(nv, v, n * size);
	return nv;
}

/* A parser-side string (MaxStringLength applies); "" is NULL when opt. */
static int
pstr(struct dec *d, int opt, char **out)
{
	struct scan_span s;

	if (scan_str(&d->c, &s) < 0 || s.n > d->c.l->max_string_bytes)
		return -1;
	if (s.n == 0)
		return opt ? 0 : -1;
	return dup(d, &s, out);
}

static int
datetime(const struct scan_span *s, int64_t *t)
{
	char buf[FAST_TIME_MAX];

	if (s->n >= sizeof(buf))
		return -1;
	memcpy(buf, s->s, s->n);
	buf[s->n] = '\0';
	return tlsrpt_parse_datetime(buf, t) != 0 ? -1 : 0;
}

/* An array of strings into a new list; lists over MaxPolicyStrings are
 * left to the full decode. mx selects mx-host
 * trimming (an "mx:" prefix and blanks off, empty entries dropped). */
static int
str_list(struct dec *d, int mx, char ***out, size_t *n)
{
	struct scan *c = &d->c;
	size_t cap = 0, count = 0, raw = 0;
	char **v = NULL;
	int more;

	if (scan_lit(c, '[') < 0)
		return -1;
	scan_ws(c);
	if (c->p < c->end && *c->p == ']') {
		/* As the full decode: an empty list, not none. */
		c->p++;
		*out = d->sc != NULL
			       ? tlsrpt_scratch_alloc(d->sc, sizeof(**out))
			       : tlsrpt_calloc(1, sizeof(**out));
		*n = 0;
		if (*out == NULL)
			return -1;
		**out = NULL;
		return 0;
	}
	do {
		struct scan_span s;

		if (scan_str(c, &s) < 0 || s.n > c->l->max_string_bytes ||
		    ++raw > c->l->max_policy_strings)
			goto fail;
		if (mx) {
			for (;;) {
				while (s.n > 0 && (*s.s == ' ' || *s.s == '\t'))
					s.s++, s.n--;
				if (s.n < 3 || strncasecmp(s.s, "mx:", 3) != 0)
					break;
				s.s += 3;
				s.n -= 3;
			}
			while (s.n > 0 &&
			       (s.s[s.n - 1] == ' ' || s.s[s.n - 1] == '\t'))
				s.n--;
		}
		if (count == cap) {
			size_t ncap = cap == 0 ? 4 : cap * 2;
			char **nv = grow(d, v, count, ncap, sizeof(*v));

			if (nv == NULL)
				goto fail;
			v = nv;
			cap = ncap;
		}
		if (mx && s.n == 0)
			continue;
		if (dup(d, &s, &v[count]) < 0)
			goto fail;
		count++;
	} while ((more = scan_next(c, ']')) == 1);
	if (more < 0 || v == NULL)
		goto fail;
	*out = v;
	*n = count;
	return 0;
fail:
	if (d->sc == NULL) {
		for (size_t i = 0; i < count; i++)
			tlsrpt_free(v[i]);
		tlsrpt_free(v);
	}
	return -1;
}

static int
policy_obj(struct dec *d, struct tlsrpt_policy *p)
{
	struct scan *c = &d->c;
	static const char *const names[] = {"policy-type", "policy-string",
					    "policy-domain", "mx-host"};
	unsigned long seen = 0;
	struct scan_span k;
	int more;

	if (scan_lit(c, '{') < 0)
		return -1;
	do {
		int rc = -1;

		if (scan_str(c, &k) < 0 || scan_lit(c, ':') < 0)
			return -1;
		switch (scan_member(&k, names, 4, &seen)) {
		case 0: rc = pstr(d, 0, &p->policy_type); break;
		case 1:
			rc = str_list(d, 0, &p->policy_strings,
				      &p->n_policy_strings);
			break;
		case 2: rc = pstr(d, 1, &p->policy_domain); break;
		case 3:
			rc = str_list(d, 1, &p->mx_hosts, &p->n_mx_hosts);
			break;
		default: return -1;
		}
		if (rc < 0)
			return -1;
	} while ((more = scan_next(c, '}')) == 1);
	if (more < 0 || p->policy_type == NULL)
		return -1;
	if (strcmp(p->policy_type, "sts") == 0)
		p->type = TLSRPT_POLICY_STS;
	else if (strcmp(p->policy_type, "tlsa") == 0)
		p->type = TLSRPT_POLICY_TLSA;
	else if (strcmp(p->policy_type, "no-policy-found") == 0)
		p->type = TLSRPT_POLICY_NO_POLICY_FOUND;
	else
		p->type = TLSRPT_POLICY_OTHER;
	if (p->policy_domain == NULL &&
	    (p->type == TLSRPT_POLICY_STS || p->type == TLSRPT_POLICY_TLSA))
		return -1;
	/* Microsoft's one-string TLSA array is split by the full decode. */
	if (p->type == TLSRPT_POLICY_TLSA && p->n_policy_strings == 1) {
		const char *s = p->policy_strings[0];

		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '[')
			return -1;
	}
	return 0;
}

static int
summary_obj(struct scan *c, struct tlsrpt_policy *p)
{
	static const char *const names[] = {"total-successful-session-count",
					    "total-failure-session-count"};
	unsigned long seen = 0;
	struct scan_span k;
	int more;

	if (scan_lit(c, '{') < 0)
		return -1;
	do {
		int64_t *dst;

		if (scan_str(c, &k) < 0 || scan_lit(c, ':') < 0)
			return -1;
		switch (scan_member(&k, names, 2, &seen)) {
		case 0: dst = &p->total_successful_session_count; break;
		case 1: dst = &p->total_failure_session_count; break;
		default: return -1;
		}
		if (scan_num(c, dst) < 0)
			return -1;
	} while ((more = scan_next(c, '}')) == 1);
	return more < 0 || !(seen & 1ul) ? -1 : 0;
}

/* The members in the order of tlsrpt_detail_members; any other name (the
 * drafts' failure-error-code, a misspelling) is left to the full decode,
 * which reads it under its RFC name (report/keys.h). */
static int
detail_obj(struct dec *dc, struct tlsrpt_failure_detail *d)
{
	struct scan *c = &dc->c;
	unsigned long seen = 0;
	struct scan_span k;
	int more;

	if (scan_lit(c, '{') < 0)
		return -1;
	do {
		int r = -1;

		if (scan_str(c, &k) < 0 || scan_lit(c, ':') < 0)
			return -1;
		switch (scan_member(&k, tlsrpt_detail_members,
				    TLSRPT_DETAIL_MEMBERS, &seen)) {
		case 0: r = pstr(dc, 0, &d->result_type); break;
		case 1: r = pstr(dc, 1, &d->sending_mta_ip); break;
		case 2: r = pstr(dc, 1, &d->receiving_mx_hostname); break;
		case 3: r = pstr(dc, 1, &d->receiving_mx_helo); break;
		case 4: r = pstr(dc, 1, &d->receiving_ip); break;
		case 5: r = scan_num(c, &d->failed_session_count); break;
		case 6: r = pstr(dc, 1, &d->additional_information); break;
		case 7: r = pstr(dc, 1, &d->failure_reason_code); break;
		default: return -1;
		}
		if (r < 0)
			return -1;
	} while ((more = scan_next(c, '}')) == 1);
	return more < 0 || d->result_type == NULL || !(seen & (1ul << 5)) ? -1
									  : 0;
}

static int
details(struct dec *d, struct tlsrpt_policy *p)
{
	struct scan *c = &d->c;
	size_t cap = 0;
	int more;

	if (scan_lit(c, '[') < 0)
		return -1;
	scan_ws(c);
	if (c->p < c->end && *c->p == ']') {
		c->p++;
		return 0;
	}
	do {
		if (p->n_failure_details == c->l->max_failure_details)
			return -1;
		if (p->n_failure_details == cap) {
			size_t ncap = cap == 0 ? 4 : cap * 2;
			struct tlsrpt_failure_detail *nv =
				grow(d, p->failure_details,
				     p->n_failure_details, ncap, sizeof(*nv));

			if (nv == NULL)
				return -1;
			p->failure_details = nv;
			cap = ncap;
		}
		memset(&p->failure_details[p->n_failure_details], 0,
		       sizeof(*p->failure_details));
		/* Counted before it is read: policy_clear frees a half one. */
		p->n_failure_details++;
		if (detail_obj(d,
			       &p->failure_details[p->n_failure_details - 1]) <
		    0)
			return -1;
	} while ((more = scan_next(c, ']')) == 1);
	return more < 0 ? -1 : 0;
}

static int
date_range(struct scan *c, struct tlsrpt_record *rec)
{
	static const char *const names[] = {"start-datetime", "end-datetime"};
	unsigned long seen = 0;
	struct scan_span k, v;
	int more;

	if (scan_lit(c, '{') < 0)
		return -1;
	do {
		int i;

		if (scan_str(c, &k) < 0 || scan_lit(c, ':') < 0 ||
		    (i = scan_member(&k, names, 2, &seen)) < 0 ||
		    scan_str(c, &v) < 0 ||
		    datetime(&v, i == 0 ? &rec->start_time : &rec->end_time) <
			    0)
			return -1;
	} while ((more = scan_next(c, '}')) == 1);
	return more < 0 || seen != 3ul ? -1 : 0;
}

enum {
	K_V,
	K_RECEIVED,
	K_SOURCE,
	K_HOST,
	K_QUEUE_ID,
	K_FILE,
	K_MESSAGE_ID,
	K_DKIM,
	K_DKIM_DOMAIN, /* read past: not in the record yet */
	K_AUTHRES_FORGED,
	K_CLIENT_ADDR,
	K_SUBMITTER,
	K_DIGEST,
	K_CONFLICT,
	K_ORG,
	K_CONTACT,
	K_REPORT_ID,
	K_DATE_RANGE,
	K_POLICY_INDEX,
	K_POLICY_COUNT,
	K_STS_MODE,
	K_POLICY,
	K_SUMMARY,
	K_DETAILS,
	K_N
};

static const char *const line_keys[K_N] = {"v",
					   "received",
					   "source",
					   "host",
					   "queue-id",
					   "file",
					   "message-id",
					   "dkim",
					   "dkim-domain",
					   "authres-forged",
					   "client-addr",
					   "submitter",
					   "report-digest",
					   "conflict",
					   "organization-name",
					   "contact-info",
					   "report-id",
					   "date-range",
					   "policy-index",
					   "policy-count",
					   "sts-mode",
					   "policy",
					   "summary",
					   "failure-details"};

/* The receipt strings, in the order of the K_ constants from K_SOURCE. */
static char **
receipt_slot(struct tlsrpt_record *rec, int k)
{
	switch (k) {
	case K_SOURCE: return &rec->source;
	case K_HOST: return &rec->host;
	case K_QUEUE_ID: return &rec->queue_id;
	case K_FILE: return &rec->file;
	case K_MESSAGE_ID: return &rec->message_id;
	case K_CLIENT_ADDR: return &rec->client_addr;
	case K_SUBMITTER: return &rec->submitter;
	case K_DIGEST: return &rec->digest;
	case K_ORG: return &rec->organization_name;
	case K_CONTACT: return &rec->contact_info;
	case K_REPORT_ID: return &rec->report_id;
	default: return NULL;
	}
}

static int
line_member(struct dec *d, int k, struct tlsrpt_record *rec)
{
	struct scan *c = &d->c;
	struct scan_span v;
	int64_t n;
	char **slot = receipt_slot(rec, k);

	if (slot != NULL)
		return scan_str(c, &v) < 0 ? -1 : dup(d, &v, slot);
	switch (k) {
	case K_V:
		if (scan_num(c, &n) < 0 || n != TLSRPT_RECORD_VERSION)
			return -1;
		rec->version = TLSRPT_RECORD_VERSION;
		return 0;
	case K_RECEIVED:
		return scan_str(c, &v) < 0 ? -1 : datetime(&v, &rec->received);
	case K_CONFLICT: /* only ever written as true */
		scan_ws(c);
		if (c->end - c->p < 4 || memcmp(c->p, "true", 4) != 0)
			return -1;
		c->p += 4;
		rec->conflict = 1;
		return 0;
	case K_DATE_RANGE: return date_range(c, rec);
	case K_POLICY_INDEX:
	case K_POLICY_COUNT:
		if (scan_num(c, &n) < 0)
			return -1;
		*(k == K_POLICY_INDEX ? &rec->policy_index
				      : &rec->policy_count) = (size_t)n;
		return 0;
	case K_DKIM:
		/* An escaped or unknown word: the full decode words it. */
		return scan_str(c, &v) < 0
			       ? -1
			       : tlsrpt_dkim_from_name(v.s, v.n, &rec->dkim);
	case K_STS_MODE:
	case K_DKIM_DOMAIN: return scan_str(c, &v);
	case K_AUTHRES_FORGED: return scan_num(c, &n);
	case K_POLICY: return policy_obj(d, &rec->policy);
	case K_SUMMARY: return summary_obj(c, &rec->policy);
	case K_DETAILS: return details(d, &rec->policy);
	default: return -1;
	}
}

int
tlsrpt_record_decode_fast(const char *line, size_t len,
			  const struct tlsrpt_limits *limits,
			  struct tlsrpt_scratch *sc, struct tlsrpt_record *rec)
{
	/* Present in every line the full decode accepts. */
	const unsigned long need =
		1ul << K_V | 1ul << K_RECEIVED | 1ul << K_SOURCE |
		1ul << K_ORG | 1ul << K_REPORT_ID | 1ul << K_DATE_RANGE |
		1ul << K_POLICY_INDEX | 1ul << K_POLICY_COUNT |
		1ul << K_POLICY | 1ul << K_SUMMARY;
	struct dec d = {{line, line + len, limits}, sc};
	struct scan *const cp = &d.c;
	unsigned long seen = 0;
	int more;

	/* Cleared, a borrowing record is only zeroed: what it took from sc
	 * goes back with the caller's next reset. */
	rec->borrowed = sc != NULL;
	if (scan_lit(cp, '{') < 0)
		goto unsure;
	do {
		struct scan_span k;
		int i;

		if (scan_str(cp, &k) < 0 || scan_lit(cp, ':') < 0 ||
		    (i = scan_member(&k, line_keys, K_N, &seen)) < 0 ||
		    line_member(&d, i, rec) < 0)
			goto unsure;
	} while ((more = scan_next(cp, '}')) == 1);
	scan_ws(cp);
	/* Counts over MaxSessionCount: the full decode words the damage. */
	if (more < 0 || cp->p != cp->end || (seen & need) != need ||
	    rec->policy_count == 0 || rec->policy_index >= rec->policy_count ||
	    tlsrpt_policy_check_counts(&rec->policy, limits, NULL) != 0)
		goto unsure;
	return 0;
unsure:
	tlsrpt_record_clear(rec);
	return 1;
}
