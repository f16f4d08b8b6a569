/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * reporters.h -- who sent a report: the known reporters file and the
 * classification of a report's sender.
 *
 * The file (contrib/known-reporters, installed as
 * $(PREFIX)/share/tlsrpt-milter/known-reporters) has one reporter a line:
 *
 *   google.com            Google Inc.
 *   microsoft.com,outlook.com  Microsoft Corporation
 *
 * the domains the organisation really sends reports from (its DKIM d= and
 * TLS-Report-Submitter; a subdomain of one counts), comma-separated, then
 * blanks, then its organization-name as it sends it, to the end of the
 * line. '#' starts a comment line. Names compare case-insensitively with
 * runs of blanks as one, so "google  inc." claims Google too.
 *
 * Classification is done when the summary is made, not when a report is
 * stored, so a newer file re-classifies old reports.
 */
#ifndef TLSRPT_SUMMARY_REPORTERS_H
#define TLSRPT_SUMMARY_REPORTERS_H

#include <stddef.h>

#include "base/error.h"
#include "report/authres.h"

struct summary_known;

/* Load the file at path into *out (free with summary_known_free). 0, or
 * -1 with err (TLSRPT_ERR_IO: cannot read it; TLSRPT_ERR_INVALID: a line
 * that is not "domains name", with its number). */
int summary_known_load(const char *path, struct summary_known **out,
		       struct tlsrpt_error *err);

/* The same from text (len bytes); path names it in errors. */
int summary_known_parse(const char *text, size_t len, const char *path,
			struct summary_known **out, struct tlsrpt_error *err);

void summary_known_free(struct summary_known *k); /* NULL is a no-op */

/* Reporters in the file. */
size_t summary_known_count(const struct summary_known *k);

enum summary_auth {
	SUMMARY_AUTH_NONE,	    /* not authenticated (counted) */
	SUMMARY_AUTH_OK,	    /* DKIM pass as the domain it claims */
	SUMMARY_AUTH_IMPERSONATION, /* a known name from another domain,
				       or its own with DKIM fail */
};

struct summary_sender_id {
	enum summary_auth auth;
	/* AUTH_OK: the domain it was authenticated as (the known domain it
	 * matched, or the submitter of an unknown reporter); IMPERSONATION:
	 * the domain it was sent from. Points into from or k. */
	const char *domain;
	/* The known reporter's first domain when org is known, else NULL
	 * (borrowed from k). */
	const char *known_domain;
	char from[256]; /* the domain it was sent from, "" when unknown */
};

/* Classify a report claiming organization-name org, whose receipt says
 * dkim (PASS: DKIM-authenticated as the submitter domain or a parent,
 * from a trusted Authentication-Results) and submitter
 * (TLS-Report-Submitter or the From domain), and whose contact-info is
 * contact (any of them may be NULL). k may be NULL (no file: nothing is
 * impersonation). The domain a report comes from is its submitter, or,
 * when it has none (a file, an HTTPS POST), its contact-info domain. For a
 * known name: from one of its domains with DKIM pass, AUTH_OK; from
 * another domain, or from its domain with DKIM fail (a copied or broken
 * signature), or from nowhere that can be told (from "(unknown)"),
 * IMPERSONATION; otherwise NONE. For an unknown name:
 * AUTH_OK with DKIM pass for a submitter, else NONE. */
void summary_classify(const struct summary_known *k, const char *org,
		      enum tlsrpt_dkim dkim, const char *submitter,
		      const char *contact, struct summary_sender_id *out);

/* The domains of org in k (NULL-terminated, borrowed from k), or NULL when
 * k is NULL or does not know the name. */
char *const *summary_known_lookup(const struct summary_known *k,
				  const char *org);

/* summary_classify() with the lookup done: doms as summary_known_lookup()
 * returned them. */
void summary_classify_doms(char *const *doms, enum tlsrpt_dkim dkim,
			   const char *submitter, const char *contact,
			   struct summary_sender_id *out);

/* The domain of a contact-info ("mailto:a@b.example", "a@b.example",
 * "https://b.example/x"): a pointer into contact and its length, or NULL
 * when there is none. */
const char *summary_contact_domain(const char *contact, size_t *len);

#endif
