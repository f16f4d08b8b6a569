/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns_record.h -- the DNS records of TLS reporting (RFC 8460 section 3) and
 * MTA-STS (RFC 8461 section 3): building them, and checking what is published.
 *
 * Pure functions: no resolver, no clock, no output. A check does not stop
 * at the first problem; it appends one finding per thing worth saying
 * (OK, WARNING or ERROR) to a struct dns_findings the caller prints.
 *
 * Each part below is one file: dns_findings.c, dns_name.c (names and
 * URIs), dns_txt.c (TXT records as they travel), dns_tlsrpt_record.c and
 * dns_sts_record.c (the two records, sharing dns_fields.c's grammar) and
 * dns_policy.c (the MTA-STS policy file).
 */
#ifndef TLSRPT_DNS_DNS_RECORD_H
#define TLSRPT_DNS_DNS_RECORD_H

#include <stddef.h>

#include "base/error.h"

/* RFC 1035 section 3.3: a TXT character-string holds at most 255 octets. */
#define DNS_TXT_STRING_MAX 255
/* A domain name in text form, without the trailing dot. */
#define DNS_NAME_MAX 253
/* Longest URI we accept in rua= (a URI longer than this is a mistake). */
#define DNS_URI_MAX 1024
/* Longest record we examine, and policy file we accept (RFC 8461 section 3.3
 * lets senders stop reading a policy at 64 KiB). */
#define DNS_RECORD_MAX 4096
#define DNS_POLICY_MAX 65536
/* RFC 8461 section 3.2: max_age is at most 31557600 seconds (about a year). */
#define DNS_STS_MAX_AGE_MAX 31557600UL
#define DNS_STS_MAX_AGE_DEFAULT 604800UL
/* RFC 8461 section 3.1: id is 1 to 32 letters and digits. */
#define DNS_STS_ID_MAX 32

enum dns_level { DNS_OK, DNS_WARNING, DNS_ERROR };

#define DNS_FINDING_TEXT_MAX 512
#define DNS_FINDINGS_MAX 64

struct dns_finding {
	enum dns_level level;
	char text[DNS_FINDING_TEXT_MAX];
};

/* A bounded list: past DNS_FINDINGS_MAX, findings are counted in
 * `dropped` (with their level still counted in n_level). */
struct dns_findings {
	size_t n;
	size_t dropped;
	size_t n_level[3];
	struct dns_finding item[DNS_FINDINGS_MAX];
};

void dns_findings_init(struct dns_findings *f);
void dns_finding_add(struct dns_findings *f, enum dns_level level,
		     const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "OK", "WARNING", "ERROR". */
const char *dns_level_name(enum dns_level level);

/* Quote len bytes of s for a finding: printable ASCII kept, anything else
 * as \xNN, cut with "..." past about 160 characters. Returns buf. */
const char *dns_quote(const char *s, size_t len, char *buf, size_t size);

/*
 * Names
 */

/* Check a domain name typed by a person (LDH labels of 1-63 octets, at
 * least two labels, 253 octets in all; A-labels "xn--..." are fine,
 * U-labels are refused with advice). One trailing dot is allowed; the name
 * without it goes to out (size at least DNS_NAME_MAX + 1). 0 or -1. */
int dns_domain_check(const char *name, char *out, size_t size,
		     struct tlsrpt_error *err);

/* Check an MTA-STS mx pattern (RFC 8461 section 4.1): a host name, or "*." and
 * a host name; normalised (no trailing dot) into out. 0 or -1. */
int dns_mx_pattern_check(const char *pattern, char *out, size_t size,
			 struct tlsrpt_error *err);

/* RFC 8461 section 4.1: 1 when host matches pattern ("mx.example.com", or
 * "*.example.com": one leftmost label more), case-insensitively, trailing
 * dots ignored; else 0. */
int dns_mx_pattern_match(const char *pattern, const char *host);

/* Check one rua URI as it appears in a record: RFC 3986 characters only,
 * with `,` `!` `;` percent-encoded (RFC 8460 section 3); mailto: with one
 * plausible addr-spec, or https: with a host. 0 or -1. */
int dns_uri_check(const char *uri, size_t len, struct tlsrpt_error *err);

/* Turn a URI typed by a person into one fit for a record: percent-encode
 * `,` `!` `;` and every byte outside RFC 3986 (a `%` not followed by two
 * hex digits becomes %25), then check it with dns_uri_check(). Refuses a
 * comma-separated list of URIs (each needs its own --rua). Returns 1 when
 * something was encoded, 0 when the URI was fine as given, -1 on error. */
int dns_uri_prepare(const char *raw, char *out, size_t size,
		    struct tlsrpt_error *err);

/*
 * TXT records
 */

/* One TXT resource record: its character-strings joined with no
 * separator, as RFC 8460 section 3 and RFC 8461 section 3.1 say receivers must.
 */
struct dns_txt {
	char *text;	 /* NUL-terminated; may hold NUL bytes before len */
	size_t len;	 /* octets in text, without the final NUL */
	size_t nstrings; /* character-strings it was made of */
};

/* Decode the RDATA of a TXT record (length-prefixed character-strings).
 * out->text is allocated: free with dns_txt_clear(). 0 or -1. */
int dns_txt_from_rdata(const unsigned char *rdata, size_t rdlen,
		       struct dns_txt *out, struct tlsrpt_error *err);
void dns_txt_clear(struct dns_txt *txt);

/* A zone-file line for a TXT record: `OWNER. IN TXT "..." "..."`, the value
 * cut into character-strings of at most 255 octets, `"` and `\` escaped.
 * Caller frees *out with tlsrpt_free(). 0 or -1. */
int dns_zone_txt_line(const char *owner, const char *value, char **out,
		      struct tlsrpt_error *err);

/* `v=TLSRPTv1; rua=U1,U2` from URIs already prepared by dns_uri_prepare().
 * Caller frees *out with tlsrpt_free(). 0 or -1. */
int dns_tlsrpt_build(const char *const *uris, size_t n, char **out,
		     struct tlsrpt_error *err);

/* Check one record that starts with v=TLSRPTv1 against the RFC 8460 section 3
 * grammar. prefix ("" or "record 2: ") starts every finding. 0 when valid
 * (warnings allowed), -1 when reporters would not use it. */
int dns_tlsrpt_check(const char *rec, size_t len, const char *prefix,
		     struct dns_findings *f);

/* What reporters do with all the TXT records at _smtp._tls.DOMAIN (owner):
 * drop those not starting with v=TLSRPTv1, and use the rest only when
 * exactly one remains. 0 when the domain has one valid record. */
int dns_tlsrpt_check_set(const struct dns_txt *recs, size_t n,
			 const char *owner, struct dns_findings *f);

/* 1 when id is 1-32 ASCII letters and digits. */
int dns_sts_id_valid(const char *id);

/* `v=STSv1; id=ID`. Caller frees *out with tlsrpt_free(). 0 or -1. */
int dns_sts_build(const char *id, char **out, struct tlsrpt_error *err);

/* Check one record that starts with v=STSv1 (RFC 8461 section 3.1). */
int dns_sts_check(const char *rec, size_t len, const char *prefix,
		  struct dns_findings *f);

/* All the TXT records at _mta-sts.DOMAIN. None at all is fine (MTA-STS is
 * optional) and says so; 0 when there is nothing wrong. */
int dns_sts_check_set(const struct dns_txt *recs, size_t n, const char *owner,
		      struct dns_findings *f);

/*
 * The MTA-STS policy file (RFC 8461 section 3.2)
 */

enum dns_sts_mode { DNS_STS_ENFORCE, DNS_STS_TESTING, DNS_STS_NONE };

/* "enforce", "testing", "none" (case-sensitive) to a mode. 0 or -1. */
int dns_sts_mode_parse(const char *s, enum dns_sts_mode *mode);
const char *dns_sts_mode_name(enum dns_sts_mode mode);

/* The policy file with CRLF line ends, from mx patterns already checked
 * with dns_mx_pattern_check(). enforce and testing need at least one
 * pattern. Caller frees *out with tlsrpt_free(). 0 or -1. */
int dns_sts_policy_build(enum dns_sts_mode mode, const char *const *mx,
			 size_t n_mx, unsigned long max_age, char **out,
			 struct tlsrpt_error *err);

/* Check a policy file as fetched (bytes, bounded by DNS_POLICY_MAX). */
int dns_sts_policy_check(const char *text, size_t len, struct dns_findings *f);

/* A valid policy's values, as a sender uses them. */
struct dns_sts_policy {
	enum dns_sts_mode mode;
	unsigned long max_age;
	size_t n_mx;
	char **mx; /* the patterns in file order, without a trailing dot */
};

/* dns_sts_policy_check(), and when the policy is valid (0) its values in
 * *out: one reading, for a caller that checks and then uses the policy
 * (tlsrpt-probe). Free with dns_sts_policy_free(); on -1 *out holds
 * nothing to free. */
int dns_sts_policy_parse(const char *text, size_t len, struct dns_findings *f,
			 struct dns_sts_policy *out);
void dns_sts_policy_free(struct dns_sts_policy *p);

#endif
