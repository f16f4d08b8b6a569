/*
 * authres.h -- the DKIM verdict the store records, read from the
 * Authentication-Results headers (RFC 8601) an upstream verifier (OpenDKIM,
 * rspamd, the MTA) added. Only headers whose authserv-id the operator
 * trusts count: anyone can write such a header into a message.
 *
 * Pure functions on strings: no allocation, no state.
 */
#ifndef TLSRPT_AUTHRES_H
#define TLSRPT_AUTHRES_H

#include <stddef.h>

#include "input.h"

/* "pass" when a trusted header says dkim=pass for submitter_domain or a
 * parent domain of it (header.d, else the domain of header.i); "fail" when
 * trusted headers carry DKIM results for that domain but none passes;
 * "none" otherwise (no trusted header, no DKIM result for the domain, no
 * submitter domain). Returns a static string. */
const char *tlsrpt_dkim_verdict(char *const *auth_results, size_t n,
				char *const *trusted_authserv_ids,
				size_t n_trusted, const char *submitter_domain);

/* The domain that submitted a report, lower case, into buf: the
 * TLS-Report-Submitter header when it is a domain name (some reporters put
 * an organisation name there), else the domain of From. Returns 0, or -1
 * (buf "") when neither gives a domain or it does not fit. */
int tlsrpt_submitter_domain(const struct tlsrpt_message_meta *meta, char *buf,
			    size_t size);

#endif
