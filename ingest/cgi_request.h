/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cgi_request.h -- the CGI mode with its inputs made explicit, so a test can
 * drive it without the process environment or the configuration file:
 * cgi_serve() (cgi.h) reads getenv() and the configuration and calls
 * cgi_handle().
 */
#ifndef TLSRPT_INGEST_CGI_REQUEST_H
#define TLSRPT_INGEST_CGI_REQUEST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "intake/config.h"
#include "intake/intake.h"

/* The CGI meta-variables (RFC 3875) the mode looks at. Every string is
 * borrowed and may be NULL (absent). */
struct cgi_request {
	const char *method;	    /* REQUEST_METHOD */
	const char *content_type;   /* CONTENT_TYPE */
	const char *content_length; /* CONTENT_LENGTH */
	const char *path_info;	    /* PATH_INFO: "/<token>" */
	const char *remote_addr;    /* REMOTE_ADDR */
	int64_t now;		    /* the clock, epoch seconds */
};

/* The per-domain URL tokens (HTTPSTokens): items "domain:token". With no
 * item the URL's path carries nothing that matters. Borrowed. */
struct cgi_tokens {
	char *const *items;
	size_t n;
};

/* Serve one request: read the body (at most the MaxMessageSize of
 * intake->limits) from in, write the whole CGI response to out. intake->store
 * NULL means the store could not be opened: a valid report is then answered
 * 503, bad input still 4xx. Returns the HTTP status sent, or -1 when the
 * response could not be written. */
int cgi_handle(const struct cgi_request *rq, const struct cgi_tokens *tokens,
	       const char *host, const struct intake_config *intake, FILE *in,
	       FILE *out);

/* Answer 503 with Retry-After when the request cannot even be looked at
 * (the configuration does not load): the sender retries later. Returns 0,
 * or -1 when the response could not be written. */
int cgi_unavailable(FILE *out);

#endif
