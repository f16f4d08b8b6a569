/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * probe.h -- "our probe" beside "what senders reported": the findings of
 * tlsrpt-probe's latest run per domain in the window (tlsrpt-store(5),
 * "Probe findings"), for the views, the triage and the readiness verdict.
 *
 * Memory is bounded: at most SUMMARY_PROBE_FINDINGS_MAX findings are kept
 * per domain (the rest counted in over), at most SUMMARY_PROBE_DOMAINS_MAX
 * domains (the rest counted in a->probe_domains_over); the reader bounds
 * line length and count (store/findings.h).
 */
#ifndef TLSRPT_SUMMARY_PROBE_H
#define TLSRPT_SUMMARY_PROBE_H

#include "store/findings.h"
#include "summary/aggregate.h"

#define SUMMARY_PROBE_FINDINGS_MAX 32
#define SUMMARY_PROBE_DOMAINS_MAX 100000

/* Strings as the findings file holds them (valid UTF-8, as jansson read
 * them): hostile like a report's, so every sink neutralises them with its
 * own step (report/sanitize.h), once. */
struct summary_probe_finding {
	char *result_type, *mx_host, *address, *detail, *action;
};

struct summary_probe {
	char *domain;	     /* lower case */
	int64_t time;	     /* of the latest run (or finding) in the window */
	int have_run;	     /* a probe-run line with that time was read */
	char *error;	     /* why the domain could not be probed, or NULL */
	GPtrArray *findings; /* struct summary_probe_finding, in file order */
	int64_t over;	     /* findings of that run past the cap */
};

/* Read the findings files of the window's days from the stores into
 * a->probes_h. Returns 0, or -1 with err (a file that cannot be read). */
int summary_probe_read(struct summary_agg *a, const char *const *dirs,
		       size_t n_dirs, struct tlsrpt_error *err);

/* Where findings lines come from: the days first..last into fn in
 * tlsrpt_findings_read()'s order, counted into *st (zeroed first) -- the
 * store directories, or the database tlsrpt-ship fills (read_db.c). 0,
 * or -1 with err. */
typedef int (*summary_findings_source)(void *src, int64_t first, int64_t last,
				       tlsrpt_findings_fn fn, void *ctx,
				       struct tlsrpt_findings_stats *st,
				       struct tlsrpt_error *err);

/* summary_probe_read() from any source. */
int summary_probe_read_from(struct summary_agg *a, summary_findings_source src,
			    void *src_ctx, struct tlsrpt_error *err);

/* First in summary_agg_finish(): a->probes by name, and each domain
 * group's probe (d->probe). A domain the latest run found something at
 * that no report in the look-back names gets a group of its own
 * (d->probe_only): it needs action like any other, in every view, but
 * is not silent -- nothing says reports should arrive for it. */
void summary_probe_finish(struct summary_agg *a);

/* Whether a finding of p is one that makes a domain in testing not ready
 * for enforce (and one in enforce refuse mail); the first such, or
 * NULL. */
const struct summary_probe_finding *
summary_probe_blocker(const struct summary_probe *p);

/* How many findings the latest run had (kept and over). */
int64_t summary_probe_count(const struct summary_probe *p);

/* Whether d's latest probe run found something: d needs action, and is
 * in a->domains (every view's domains) even when reported only before
 * the previous window, or never. */
int summary_probe_found(const struct summary_domain *d);

void summary_probe_free(gpointer p);
void summary_probe_finding_free(gpointer f);

#endif
