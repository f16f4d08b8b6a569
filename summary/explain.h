/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * explain.h -- reported failures that our probe explains, shown together
 * in every view (tlsrpt-summary(1), "Reported failures our probe
 * explains"). The one matching rule:
 *
 * A finding of the domain's latest probe run (probe.h) explains the
 * domain's reported failures of result type T on receiving MX M (a
 * summary_pair, pairs.c) when both hold:
 *
 *  - its result type explains T: the same type; or, for a reported
 *    certificate-expired, a certificate-expiring finding (the probe looks
 *    days ahead, senders' clocks and caches do not agree to the hour:
 *    either way the certificate's end is what fails, and renewing it is
 *    the fix); or, for a reported validation-failure (RFC 8460: "a
 *    reason not matching a category above", the word some senders use
 *    for any certificate problem), a certificate-expired,
 *    certificate-host-mismatch or certificate-not-trusted finding;
 *  - it is about M: its mx-host is M (ASCII case aside, a trailing dot
 *    ignored), or its address is M as an IP address (a report that names
 *    only the receiving-ip); a finding without an MX host is about the
 *    domain's policy (sts-policy-fetch-error, sts-policy-invalid,
 *    sts-webpki-invalid) and explains failures of its type on any MX, or
 *    with none.
 *
 * Bounded: at most SUMMARY_PAIRS_MAX pairs times SUMMARY_PROBE_FINDINGS_MAX
 * findings are compared per domain.
 */
#ifndef TLSRPT_SUMMARY_EXPLAIN_H
#define TLSRPT_SUMMARY_EXPLAIN_H

#include "summary/aggregate.h"
#include "summary/probe.h"

/* Whether finding f explains reported failures of type on mx (mx NULL:
 * the report named no receiving MX). */
int summary_probe_explains(const struct summary_probe_finding *f,
			   const char *type, const char *mx);

/* One reported pair of a domain and a finding that explains it; both
 * borrowed from the aggregation. */
struct summary_explained {
	const struct summary_pair *pair;
	const struct summary_probe_finding *finding;
};

/* Every such link of d: by its pairs (most failed sessions first), then
 * by finding in run order. Empty without a probe run or without failure
 * details. Caller g_array_free(v, TRUE)s. */
GArray *summary_explained(const struct summary_domain *d);

/* The failed sessions of d's reported pairs that some finding explains,
 * each pair once (saturating). */
int64_t summary_explained_sessions(const struct summary_domain *d);

/* "certificate-expired on mx2.example.net (1234 failed sessions)": a
 * reported pair in plain text (report strings: the view neutralises
 * them). Caller g_free()s. */
char *summary_reported_text(const struct summary_pair *x);

/* "reported certificate-expired on mx2.example.net (1234 failed
 * sessions); our probe: certificate-expired, <its detail>" in plain
 * text (the action is the view's to place), for each view to
 * neutralise for its sink (report strings: the type and MX). Caller
 * g_free()s. */
char *summary_explained_text(const struct summary_explained *e);

#endif
