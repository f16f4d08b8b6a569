/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conflicts.h -- reports that share organization-name and report-id but
 * not their contents (store/reader.h sets rec->conflict on the later
 * ones). Which one counts cannot be known from the first one alone, and
 * the aggregation streams; so when the stores hold any, read.c reads them
 * a second time holding back every version of those ids, and decides at
 * the end:
 *
 *   the version DKIM-authenticated as the known reporter's domain
 *   (reporters.h) counts when exactly one is; otherwise none counts.
 *
 * So a forgery can neither suppress a genuine report (sent first with its
 * predictable id) nor replace it. Every conflict is listed with all its
 * versions and who sent each; an impersonating version is also listed as
 * such. The normal case (no conflict) costs one pass.
 */
#ifndef TLSRPT_SUMMARY_CONFLICTS_H
#define TLSRPT_SUMMARY_CONFLICTS_H

#include <glib.h>

#include "summary/aggregate.h"

/* The keys ("org\nid") of conflicting reports met so far; NULL until the
 * first. */
void summary_conflict_note(GHashTable **keys, const struct tlsrpt_record *rec);

struct summary_held;

/* Hold back the versions of keys (taken). */
struct summary_held *summary_held_new(GHashTable *keys);

/* 1 when rec is a version of a held key: taken (rec is zeroed), else 0. */
int summary_held_take(struct summary_held *h, struct tlsrpt_record *rec);

/* Decide every held key, feed what counts (and impersonations, so they are
 * listed) to a, and list the conflicts in the window in a->conflicts. */
void summary_held_resolve(struct summary_held *h, struct summary_agg *a);

void summary_held_free(struct summary_held *h); /* NULL is a no-op */

#endif
