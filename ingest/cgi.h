/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cgi.h -- `tlsrpt-ingest --cgi`: reports POSTed over HTTPS (rua=https://...)
 * received through a real web server's CGI interface (nginx + fcgiwrap,
 * Apache, lighttpd), stored by the same intake step as mail.
 */
#ifndef TLSRPT_INGEST_CGI_H
#define TLSRPT_INGEST_CGI_H

#include <stdint.h>
#include <stdio.h>

#include "intake/config.h"
#include "intake/intake.h"

/* Serve one CGI request: read the CGI environment (getenv) and the body
 * from in, write the CGI response (Status, headers, body) to out. intake
 * holds the opened store (NULL store: the store could not be opened, answer
 * 503). now (Unix seconds) is the receive time, which also picks the day
 * file: the caller reads the clock once, so a test can fix it. Returns the
 * process exit status (0 when a response was written, whatever its HTTP
 * status). */
int cgi_serve(const struct config *cfg, const struct intake_config *intake,
	      int64_t now, FILE *in, FILE *out);

#endif
