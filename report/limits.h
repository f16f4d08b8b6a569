/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * limits.h -- the bounds on every input. Each has a default here and a
 * configuration key (tlsrpt-milter.conf(5)); exceeding one is an error of
 * class TLSRPT_ERR_LIMIT naming the limit.
 */
#ifndef TLSRPT_REPORT_LIMITS_H
#define TLSRPT_REPORT_LIMITS_H

#include <stddef.h>

struct tlsrpt_limits {
	size_t max_message_bytes; /* MaxMessageSize: a whole message/file, 10
				     MiB */
	size_t max_report_bytes;  /* MaxReportSize: one inflated JSON report, 16
				     MiB */
	unsigned max_inflate_ratio; /* MaxInflateRatio: inflated/compressed,
				       1000 */
	unsigned max_json_depth; /* MaxJSONDepth: nesting of arrays/objects, 16
				  */
	size_t max_json_values;	 /* MaxJSONValues: values in one JSON text,
				    100000 (see json_load.c) */
	size_t max_policies;	 /* MaxPolicies: per report, 1000 */
	size_t max_failure_details; /* MaxFailureDetails: per policy, 1000 */
	size_t max_policy_strings;  /* MaxPolicyStrings: per policy (and MX
				       hosts), 1000 */
	size_t max_string_bytes;    /* MaxStringLength: any JSON string, 8192 */
	size_t max_reports; /* MaxReportsPerMessage: report parts per message,
			       16 */
	unsigned
		max_mime_depth; /* MaxMIMEDepth: multipart/message nesting, 8 */
	size_t max_mime_parts; /* MaxMIMEParts: parts walked per message, 256 */
	/* MaxSessionCount: sessions one policy of one report may claim (each
	 * count, successes + failures, and the sum of its failure details),
	 * 10^9; anything above is forged or broken, and would swamp every
	 * real count it is summed with. */
	size_t max_session_count;
};

/* Fill l with the defaults above. */
void tlsrpt_limits_default(struct tlsrpt_limits *l);

#endif
