/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * authres.h -- the DKIM verdict the store records, read from the
 * Authentication-Results headers (RFC 8601) an upstream verifier (OpenDKIM,
 * rspamd, the MTA) added. Only headers whose authserv-id the operator
 * trusts count: anyone can write such a header into a message.
 *
 * Pure functions on strings: no allocation, no state.
 */
#ifndef TLSRPT_REPORT_AUTHRES_H
#define TLSRPT_REPORT_AUTHRES_H

#include <stddef.h>

#include "report/input.h"

/* The DKIM verdict. It stays this enum through the intake, the store's
 * record and the summary's decisions; tlsrpt_dkim_name() words it where it
 * is written (the store line, a log line, a summary row) and
 * tlsrpt_dkim_from_name() reads a store line's word back. */
enum tlsrpt_dkim {
	TLSRPT_DKIM_UNKNOWN = 0, /* no verdict: came over HTTPS, or a store
				    line without one */
	TLSRPT_DKIM_NONE,	 /* no DKIM result for the submitter */
	TLSRPT_DKIM_PASS,
	TLSRPT_DKIM_FAIL,
};

/* "none" "pass" "fail" (the words of the store format), NULL for
 * TLSRPT_DKIM_UNKNOWN: the key is then left out. */
const char *tlsrpt_dkim_name(enum tlsrpt_dkim v);

/* The verdict the len bytes at s name; -1 (*out untouched) when they are
 * not one of the words tlsrpt_dkim_name() writes. */
int tlsrpt_dkim_from_name(const char *s, size_t len, enum tlsrpt_dkim *out);

/* What our verifier's Authentication-Results header says about DKIM. */
struct tlsrpt_dkim_result {
	enum tlsrpt_dkim verdict; /* NONE, PASS or FAIL */
	char domain[254];	  /* the signing domain that passed, lower
				     case; "" unless verdict is PASS */
	size_t ignored;		  /* headers with a trusted authserv-id that do
				     not count: forgery attempts */
};

/* The one header that counts is the topmost header with a trusted
 * authserv-id and a DKIM result (for any domain) among those above every
 * Received header: received_above[k] is the number of Received headers
 * above auth_results[k] (NULL: none above any). Other headers with a
 * trusted authserv-id -- below a Received header, or below the one that
 * counts with a DKIM result of their own -- are ignored and counted.
 * The verdict is PASS when the header that counts says dkim=pass for
 * submitter_domain or a parent domain of it (header.d, else the domain of
 * header.i); FAIL when it carries DKIM results for that domain but none
 * passes; NONE otherwise (no such header, no DKIM result for the
 * domain, no submitter domain). */
void tlsrpt_dkim_evaluate(char *const *auth_results,
			  const size_t *received_above, size_t n,
			  char *const *trusted_authserv_ids, size_t n_trusted,
			  const char *submitter_domain,
			  struct tlsrpt_dkim_result *out);

/* The domain that submitted a report, lower case, into buf: the
 * TLS-Report-Submitter header when it is a domain name (some reporters put
 * an organisation name there), else the domain of From. Returns 0, or -1
 * (buf "") when neither gives a domain or it does not fit. */
int tlsrpt_submitter_domain(const struct tlsrpt_message_meta *meta, char *buf,
			    size_t size);

#endif
