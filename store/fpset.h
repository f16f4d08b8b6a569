/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fpset.h -- a compact set of 64-bit report fingerprints, for the store
 * reader's de-duplication (reader.h): 8 bytes a slot, open addressing with
 * linear probing, load at most 3/4, so 11 to 21 bytes a report instead of
 * the report's key strings (about 100).
 *
 * A fingerprint is SipHash-2-4 of organization-name NUL report-id under a
 * 128-bit key drawn at random for each reader, so reporters (who choose
 * both strings) cannot aim for a collision or for long probe chains. Two
 * distinct reports share a fingerprint with probability about n^2 / 2^65
 * for n reports (3e-8 for a million); the later one would then be taken
 * for a duplicate of the earlier and left out of a summary.
 */
#ifndef TLSRPT_STORE_FPSET_H
#define TLSRPT_STORE_FPSET_H

#include <stddef.h>
#include <stdint.h>

#include "base/siphash.h"

/* The fingerprint of a report: SipHash-2-4 of org NUL id. */
uint64_t tlsrpt_fp_report(const struct tlsrpt_sipkey *key, const char *org,
			  const char *id);

/* The fingerprint of one version of a report: the report's fingerprint
 * mixed with the first 64 bits of its content digest (store/digest.h),
 * SHA-256 and so already uniform; digest NULL (lines written before there
 * were digests) is a version of its own. _of takes the report's
 * fingerprint, so a line costs one SipHash. */
uint64_t tlsrpt_fp_version_of(uint64_t fp_report, const char *digest);

struct tlsrpt_fpset {
	uint64_t *slots; /* 0: empty */
	size_t cap;	 /* power of two, or 0 */
	size_t n;	 /* members, counting the zero fingerprint */
	int has_zero;	 /* 0 cannot live in a slot: kept aside */
};

/* 1 when fp is a member, else 0. */
int tlsrpt_fpset_has(const struct tlsrpt_fpset *s, uint64_t fp);

/* Add fp: 1 when added, 0 when it was a member, -1 when out of memory (the
 * set is unchanged). */
int tlsrpt_fpset_add(struct tlsrpt_fpset *s, uint64_t fp);

/* Add every member of from to to (from is unchanged). 0, or -1 when out of
 * memory (to then holds some of them). */
int tlsrpt_fpset_merge(struct tlsrpt_fpset *to,
		       const struct tlsrpt_fpset *from);

/* Forget the members, keeping the slots for reuse. */
void tlsrpt_fpset_reset(struct tlsrpt_fpset *s);

/* Free everything and zero s. */
void tlsrpt_fpset_clear(struct tlsrpt_fpset *s);

#endif
