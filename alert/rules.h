/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rules.h -- which failures of a newly stored report deserve an alert, and
 * the alert itself: a sentence a person reads and a JSON document the alert
 * program gets on standard input (schema in tlsrpt-milter.conf(5), ALERTS).
 *
 * One alert per (policy domain, result type, receiving MX) of a report,
 * with the failed sessions of that key summed over its failure details.
 * Pure: no clock, no files; the caller decides whether to send it.
 */
#ifndef TLSRPT_ALERT_RULES_H
#define TLSRPT_ALERT_RULES_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/error.h"
#include "report/report.h"

/* Most alerts one report raises (the largest failures first), and most
 * failure details one alert document carries: a report is untrusted input
 * and may hold a million details. */
#define ALERT_MAX_PER_REPORT 32
#define ALERT_MAX_KEYS 256
#define ALERT_MAX_DETAILS 100

/* Failures of a policy that carries no failure details get this result
 * type (RFC 8460 makes the details optional). */
#define ALERT_RESULT_UNSPECIFIED "unspecified"

struct alert_rules {
	char *const *result_types; /* AlertResultTypes; none: every type */
	size_t n_result_types;
	char *const *domains; /* AlertDomains; none: every domain */
	size_t n_domains;
	int64_t min_failures; /* AlertMinFailures: failed sessions of a key */
	unsigned min_share;   /* AlertMinShare: percent of the policy's
				 sessions that failed with this key */
};

struct alert {
	/* "domain result-type mx", lower-cased: the de-duplication key
	 * (alert/state.h escapes it). Owned, like every string here. */
	char *key;
	char *domain;	   /* policy domain, "" when the report names none */
	char *result_type; /* as sent */
	char *mx;	   /* receiving MX host name (or IP), "" if unknown */
	int64_t failed;	   /* failed sessions of this key */
	int64_t total;	   /* sessions of the policy, successful + failed */
	char *sentence;	   /* one line, no control characters */
	char *json;	   /* the document, NUL-terminated */
	size_t json_len;
};

/* Longest sender kept with a list (a domain name fits). */
#define ALERT_SENDER_MAX 256

struct alert_list {
	struct alert *items;
	size_t n;
	size_t n_dropped; /* keys over the limits above, not alerted */
	/* Who caused them, for fairness (queue.h) and the hourly bounds
	 * (state.h): the report's DKIM-authenticated submitter domain, or
	 * "" for every unauthenticated report alike (its sender is only
	 * what it claims). */
	char sender[ALERT_SENDER_MAX];
};

/* Fill out (emptied first) with the alerts r raises under rules, largest
 * failure first. host (may be NULL) names the receiving host in the
 * document. Returns 0, or -1 with err filled (out of memory); out is then
 * empty. Free with alert_list_clear(). */
int alert_rules_eval(const struct alert_rules *rules,
		     const struct tlsrpt_report *r, const char *host,
		     struct alert_list *out, struct tlsrpt_error *err);

/* Add to l one alert that does not come from a report (tlsrpt-probe's
 * findings): its key is "domain result-type mx", lower-cased, as a
 * report's, so the de-duplication state covers both; doc (borrowed) is
 * the document the program gets, sentence its line. AlertResultTypes and
 * AlertDomains of rules apply; the session counts do not (failed and
 * total are 0). Returns 1 when added, 0 when the rules leave it out, -1
 * with err when out of memory. */
int alert_list_add(struct alert_list *l, const struct alert_rules *rules,
		   const char *domain, const char *result_type, const char *mx,
		   const char *sentence, const json_t *doc,
		   struct tlsrpt_error *err);

/* Free what out holds and empty it. */
void alert_list_clear(struct alert_list *l);

/* Move the alerts of src to the end of dst (src is emptied). Returns 0, or
 * -1 (out of memory; src untouched). */
int alert_list_move(struct alert_list *dst, struct alert_list *src);

/* Keep the max alerts of l with the most failed sessions (AlertMaxPerMessage:
 * one report mail may invent any number of MX names); the others are
 * freed and counted in n_dropped, and the last one kept says how many
 * more there were, in its sentence and in its document ("more-alerts"),
 * so the rest are summarised in it. max 0 is taken as 1. */
void alert_list_cap(struct alert_list *l, size_t max);

#endif
