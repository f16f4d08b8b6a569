/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report.h -- the RFC 8460 report model, and turning report JSON into it.
 *
 * Normalised on the way in: dates are seconds since the epoch (UTC), mx-host
 * is always a list with any "mx: " prefix removed, a TLSA policy-string that
 * Microsoft sends as one JSON-encoded array is split into its records, empty
 * strings become NULL, unknown policy and result types are kept verbatim.
 *
 * Ownership: a struct tlsrpt_report and everything under it is owned by
 * whoever received it from tlsrpt_report_parse(); free it with
 * tlsrpt_report_free(). All strings are NUL-terminated valid UTF-8 (jansson
 * guarantees it) and never contain NUL.
 */
#ifndef TLSRPT_REPORT_REPORT_H
#define TLSRPT_REPORT_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "report/limits.h"

enum tlsrpt_policy_type {
	TLSRPT_POLICY_STS,
	TLSRPT_POLICY_TLSA,
	TLSRPT_POLICY_NO_POLICY_FOUND,
	TLSRPT_POLICY_OTHER, /* unknown type, kept verbatim in policy_type */
};

/* Member names read under their RFC 8460 names (keys.h): a sender's
 * misspelling, counted so the postmaster can see it. */
struct tlsrpt_quirks {
	size_t n;	/* members renamed */
	char first[48]; /* the first as sent ("receiving-mx-host-name") */
};

struct tlsrpt_failure_detail {
	char *result_type;	      /* never NULL; unknown values verbatim */
	char *sending_mta_ip;	      /* NULL when absent or "" */
	char *receiving_mx_hostname;  /* NULL when absent or "" */
	char *receiving_mx_helo;      /* NULL when absent or "" */
	char *receiving_ip;	      /* NULL when absent or "" */
	int64_t failed_session_count; /* >= 0 */
	char *additional_information; /* NULL when absent or "" */
	/* failure-reason-code, or the draft-era failure-error-code */
	char *failure_reason_code; /* NULL when absent or "" */
};

struct tlsrpt_policy {
	enum tlsrpt_policy_type type;
	char *policy_type;   /* never NULL: "sts", "tlsa", ... as sent */
	char *policy_domain; /* NULL only for no-policy-found and unknown types
			      */
	char **policy_strings; /* n_policy_strings entries, none NULL */
	size_t n_policy_strings;
	char **mx_hosts; /* n_mx_hosts entries, "mx: " prefix removed */
	size_t n_mx_hosts;
	int64_t total_successful_session_count; /* >= 0 */
	int64_t total_failure_session_count;	/* >= 0; 0 when absent */
	struct tlsrpt_failure_detail *failure_details;
	size_t n_failure_details;
	struct tlsrpt_quirks quirks; /* in this policy element */
};

struct tlsrpt_report {
	char *organization_name; /* never NULL */
	char *contact_info;	 /* NULL when null, absent or "" */
	char *report_id;	 /* never NULL */
	int64_t start_time; /* date-range.start-datetime, epoch seconds UTC */
	int64_t end_time;   /* date-range.end-datetime, epoch seconds UTC */
	struct tlsrpt_policy *policies; /* n_policies >= 1 entries */
	size_t n_policies;
	struct tlsrpt_quirks quirks; /* in the whole report */
	/* What the store holds its lines to (record.h): the bytes of the JSON
	 * it was parsed from, after inflating (0 for a report not parsed),
	 * and of the payload the sender sent, before (0: not known). */
	size_t json_bytes;
	size_t sent_bytes;
};

/* Parse report JSON (len bytes, need not be NUL-terminated). On success
 * *out is a new report the caller frees with tlsrpt_report_free(). On
 * failure *out is NULL and err names the JSON path and the reason. */
int tlsrpt_report_parse(const void *json, size_t len,
			const struct tlsrpt_limits *limits,
			struct tlsrpt_report **out, struct tlsrpt_error *err);

void tlsrpt_report_free(struct tlsrpt_report *r); /* NULL is a no-op */

/* Policy contents only (the members of struct tlsrpt_policy); used by the
 * store to release policies it reads back. */
void tlsrpt_policy_clear(struct tlsrpt_policy *p);

/* dst = a deep copy of src (its own strings and lists): 0, or -1 when out
 * of memory (dst then holds nothing to free). */
int tlsrpt_policy_copy(struct tlsrpt_policy *dst,
		       const struct tlsrpt_policy *src);

/* 0 when every session count of p is within limits->max_session_count
 * (each count, successes + failures, the sum of the failure details);
 * else -1 with a TLSRPT_ERR_LIMIT error whose path is relative to the
 * policy element ("summary.total-failure-session-count"). */
int tlsrpt_policy_check_counts(const struct tlsrpt_policy *p,
			       const struct tlsrpt_limits *l,
			       struct tlsrpt_error *err);

/* The MTA-STS mode named in an sts policy's policy strings ("enforce",
 * "testing", "none"), or NULL when the strings do not say. Borrowed from p. */
const char *tlsrpt_policy_sts_mode(const struct tlsrpt_policy *p);

/* The instants a date-time may name: 0001-01-01T00:00:00Z and
 * 9999-12-31T23:59:59Z, in epoch seconds. */
#define TLSRPT_TIME_MIN (-62135596800LL)
#define TLSRPT_TIME_MAX 253402300799LL

/* Parse an RFC 3339 date-time as real senders write it (zone optional,
 * read as UTC; fractional seconds ignored) into epoch seconds. 0, or -1
 * when s is not such a date-time, -2 when it names an instant outside
 * TLSRPT_TIME_MIN .. TLSRPT_TIME_MAX. */
int tlsrpt_parse_datetime(const char *s, int64_t *out);

/* Format epoch seconds as "YYYY-MM-DDTHH:MM:SSZ" into buf (>= 21 bytes). */
void tlsrpt_format_datetime(int64_t t, char *buf, size_t size);

#endif
