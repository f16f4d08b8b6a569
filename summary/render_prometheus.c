/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * render_prometheus.c -- the Prometheus text exposition format (0.0.4),
 * for node_exporter's textfile collector: every metric family with its
 * # HELP and # TYPE lines, even when it has no samples, and no sample
 * timestamps (the collector refuses them). The numbers are totals over
 * the window, recomputed at every run, so they are gauges: a counter
 * must never go down, and these do when old reports leave the window.
 * The --by view does not apply: the exposition is always complete. A
 * policy without a domain has domain="": to Prometheus an empty label is
 * no label, and the family keeps one label set (no real domain is empty:
 * the parser reads an empty policy-domain as none).
 */
#include "summary/render.h"

#include <string.h>

#include "base/count.h"
#include "base/siphash.h"
#include "report/sanitize.h"
#include "summary/probe.h"

/* A label value, escaped as the format says (report/sanitize.h). */
static void
label_value(FILE *out, const char *s)
{
	(void)sanitize_fputs(sanitize_prom_label, s, out);
}

static void
family(FILE *out, const char *name, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* name{k1="v1",k2="v2"} value: labels as NULL-terminated key, value
 * pairs (a NULL value is written as ""). */
static void
sample(FILE *out, const char *name, int64_t value, const char *const *labels)
{
	size_t i;

	fputs(name, out);
	for (i = 0; labels != NULL && labels[i] != NULL; i += 2) {
		fprintf(out, "%s%s=\"", i == 0 ? "{" : ",", labels[i]);
		label_value(out, labels[i + 1]);
		fputc('"', out);
	}
	if (labels != NULL && labels[0] != NULL)
		fputc('}', out);
	fprintf(out, " %lld\n", (long long)value);
}

static void
window(FILE *out, const struct summary_agg *a)
{
	family(out, "tlsrpt_window_start_timestamp_seconds",
	       "Start of the summarised window (received time, inclusive).");
	sample(out, "tlsrpt_window_start_timestamp_seconds", a->opt.since,
	       NULL);
	family(out, "tlsrpt_window_end_timestamp_seconds",
	       "End of the summarised window (received time, exclusive).");
	sample(out, "tlsrpt_window_end_timestamp_seconds", a->opt.until, NULL);
	family(out, "tlsrpt_reports",
	       "Distinct TLS reports received in the window.");
	sample(out, "tlsrpt_reports", a->reports, NULL);
}

static void
domains(FILE *out, const struct summary_agg *a)
{
	guint i;

	family(out, "tlsrpt_sessions",
	       "TLS sessions reported in the window, by policy domain and "
	       "result (success or failure).");
	for (i = 0; i < a->domains->len; i++) {
		const struct summary_domain *d =
			g_ptr_array_index(a->domains, i);
		const char *name = summary_domain_or_null(d->name);
		const char *ok[] = {"domain", name, "result", "success", NULL},
			   *bad[] = {"domain", name, "result", "failure", NULL};

		sample(out, "tlsrpt_sessions", d->cur.successes, ok);
		sample(out, "tlsrpt_sessions", d->cur.failures, bad);
	}
	family(out, "tlsrpt_domain_reports",
	       "Distinct TLS reports covering the policy domain in the "
	       "window.");
	for (i = 0; i < a->domains->len; i++) {
		const struct summary_domain *d =
			g_ptr_array_index(a->domains, i);
		const char *l[] = {"domain", summary_domain_or_null(d->name),
				   NULL};

		sample(out, "tlsrpt_domain_reports", d->reports, l);
	}
	family(out, "tlsrpt_sts_mode_info",
	       "MTA-STS mode of the domain's policy as reporters last saw "
	       "it (always 1).");
	for (i = 0; i < a->domains->len; i++) {
		const struct summary_domain *d =
			g_ptr_array_index(a->domains, i);
		const char *l[] = {"domain", summary_domain_or_null(d->name),
				   "mode", d->sts_mode, NULL};

		if (d->sts_mode != NULL)
			sample(out, "tlsrpt_sts_mode_info", 1, l);
	}
	family(out, "tlsrpt_readiness",
	       "1 when the domain's MTA-STS policy is ready to enforce "
	       "(testing) or enforced without failures, 0 when not; the "
	       "verdict label says which.");
	for (i = 0; i < a->domains->len; i++) {
		const struct summary_domain *d =
			g_ptr_array_index(a->domains, i);
		const char *v = summary_verdict_name(d->verdict);
		const char *l[] = {"domain", summary_domain_or_null(d->name),
				   "verdict", v, NULL};

		if (v != NULL)
			sample(out, "tlsrpt_readiness",
			       d->verdict == SUMMARY_VERDICT_READY ||
				       d->verdict == SUMMARY_VERDICT_ENFORCED,
			       l);
	}
	family(out, "tlsrpt_domain_silent",
	       "1 for a domain with no report in the window (its TLSRPT "
	       "record or the milter may be broken).");
	for (i = 0; i < a->silent_domains->len; i++) {
		const struct summary_domain *d =
			g_ptr_array_index(a->silent_domains, i);
		const char *l[] = {"domain", summary_domain_or_null(d->name),
				   NULL};

		sample(out, "tlsrpt_domain_silent", 1, l);
	}
}

/* The label value of the bucket of a domain's other pairs, for both
 * result_type and receiving_mx. */
#define OTHER "other"

/* One domain's tlsrpt_failed_sessions: its top pairs (pairs.c, most
 * sessions first), then one "other" series with the sum of the rest and
 * of the pairs past the aggregation's bound. A pair whose labels, once
 * escaped, are the bucket's or those of a series already written (two
 * strings can differ in invalid bytes only) is counted in the bucket, so
 * no series appears twice, which would make the collector refuse the
 * whole file. */
static void
domain_pairs(FILE *out, const struct summary_domain *d, unsigned top)
{
	const char *name = summary_domain_or_null(d->name);
	const struct summary_domain_cold *c = summary_cold_of(d);
	int64_t other = c->pairs_over;
	unsigned shown = 0;
	GHashTable *seen;

	/* No failure details (pairs.c) */
	if (c->n_pairs == 0 && c->pairs_over == 0)
		return;
	seen = g_hash_table_new_full(tlsrpt_str_hash, g_str_equal, g_free,
				     NULL);
	g_hash_table_add(seen, g_strdup(OTHER "\n" OTHER));
	for (guint j = 0; j < c->n_pairs; j++) {
		const struct summary_pair *x = c->pairs[j];
		const char *l[] = {"domain", name,	     "result_type",
				   x->type,  "receiving_mx", x->mx,
				   NULL};
		GString *key = g_string_new(NULL);

		/* Escaped values hold no raw line feed. */
		sanitize_prom_label(key, x->type);
		g_string_append_c(key, '\n');
		sanitize_prom_label(key, x->mx);
		if (shown == top || g_hash_table_contains(seen, key->str)) {
			other = tlsrpt_count_add(other, x->sessions);
			g_string_free(key, TRUE);
			continue;
		}
		g_hash_table_add(seen, g_string_free(key, FALSE));
		sample(out, "tlsrpt_failed_sessions", x->sessions, l);
		shown++;
	}
	g_hash_table_destroy(seen);
	{
		const char *l[] = {"domain",	   name,  "result_type", OTHER,
				   "receiving_mx", OTHER, NULL};

		sample(out, "tlsrpt_failed_sessions", other, l);
	}
}

static void
failures(FILE *out, const struct summary_agg *a)
{
	guint i;

	family(out, "tlsrpt_failed_sessions",
	       "Failed TLS sessions in the window by policy domain, result "
	       "type and receiving MX (host, else IP): the domain's top "
	       "pairs, the rest summed in result_type=\"other\", "
	       "receiving_mx=\"other\".");
	for (i = 0; i < a->domains->len; i++)
		domain_pairs(out, g_ptr_array_index(a->domains, i),
			     a->opt.top_pairs);

	family(out, "tlsrpt_failed_sessions_by_result_type",
	       "Failed TLS sessions in the window by result type (failure "
	       "details; they may overlap).");
	for (i = 0; i < a->results->len; i++) {
		const struct summary_result *r =
			g_ptr_array_index(a->results, i);
		const char *l[] = {"result_type", r->type, NULL};

		sample(out, "tlsrpt_failed_sessions_by_result_type",
		       r->sessions, l);
	}
	family(out, "tlsrpt_failed_sessions_by_receiving_mx",
	       "Failed TLS sessions in the window by receiving MX host and "
	       "IP (empty when the reporter did not say).");
	for (i = 0; i < a->mx->len; i++) {
		const struct summary_mx *m = g_ptr_array_index(a->mx, i);
		const char *l[] = {"receiving_mx", m->host, "receiving_ip",
				   m->ip, NULL};

		sample(out, "tlsrpt_failed_sessions_by_receiving_mx",
		       m->failures, l);
	}
	family(out, "tlsrpt_failed_sessions_by_sending_mta",
	       "Failed TLS sessions in the window by sending MTA IP (empty "
	       "when the reporter did not say).");
	for (i = 0; i < a->senders->len; i++) {
		const struct summary_sender *s =
			g_ptr_array_index(a->senders, i);
		const char *l[] = {"sending_mta_ip", s->ip, NULL};

		sample(out, "tlsrpt_failed_sessions_by_sending_mta",
		       s->failures, l);
	}
	family(out, "tlsrpt_failed_sessions_unexplained",
	       "Failed TLS sessions in the window that no failure detail "
	       "accounts for.");
	sample(out, "tlsrpt_failed_sessions_unexplained",
	       a->problems.unexplained, NULL);
}

static void
last_reports(FILE *out, const struct summary_agg *a,
	     const struct summary_domain *d)
{
	guint j;

	for (j = 0; j < d->n_reporters; j++) {
		const struct summary_reporter *r = d->reporters[j];
		const char *l[] = {"organization", r->org, "domain",
				   summary_domain_or_null(d->name), NULL};

		int64_t last = summary_reporter_last(a, r);

		if (last > 0)
			sample(out, "tlsrpt_last_report_timestamp_seconds",
			       last, l);
	}
}

static void
reporters(FILE *out, const struct summary_agg *a)
{
	guint i, j;

	family(out, "tlsrpt_reporter_sessions",
	       "TLS sessions in the window by reporting organisation and "
	       "result (success or failure).");
	for (i = 0; i < a->orgs->len; i++) {
		const struct summary_org *o = g_ptr_array_index(a->orgs, i);
		const char *ok[] = {"organization", o->name, "result",
				    "success", NULL},
			   *bad[] = {"organization", o->name, "result",
				     "failure", NULL};

		sample(out, "tlsrpt_reporter_sessions", o->c.successes, ok);
		sample(out, "tlsrpt_reporter_sessions", o->c.failures, bad);
	}
	family(out, "tlsrpt_reporter_reports",
	       "Distinct TLS reports in the window by reporting "
	       "organisation.");
	for (i = 0; i < a->orgs->len; i++) {
		const struct summary_org *o = g_ptr_array_index(a->orgs, i);
		const char *l[] = {"organization", o->name, NULL};

		sample(out, "tlsrpt_reporter_reports", o->reports, l);
	}
	family(out, "tlsrpt_last_report_timestamp_seconds",
	       "When the organisation's last report on the domain was "
	       "received (Unix time), over the whole history read.");
	for (i = 0; i < a->domains->len; i++)
		last_reports(out, a, g_ptr_array_index(a->domains, i));
	/* Silent domains not in the table still had reporters. */
	for (i = 0; i < a->silent_domains->len; i++) {
		const struct summary_domain *d =
			g_ptr_array_index(a->silent_domains, i);
		int listed = 0;

		for (j = 0; j < a->domains->len && !listed; j++)
			listed = g_ptr_array_index(a->domains, j) == d;
		if (!listed)
			last_reports(out, a, d);
	}
	family(out, "tlsrpt_reporter_silent",
	       "1 for an organisation that stopped reporting the domain "
	       "(no report for more than 2 of its usual intervals).");
	for (i = 0; i < a->silent_reporters->len; i++) {
		const struct summary_silent *s =
			g_ptr_array_index(a->silent_reporters, i);
		const char *l[] = {"organization", s->r->org, "domain",
				   summary_domain_or_null(s->domain), NULL};

		sample(out, "tlsrpt_reporter_silent", 1, l);
	}
}

/* The finding types tlsrpt-probe writes (tlsrpt-probe(8)): a
 * result_type label is one of them or "other", so that a findings file
 * (anyone who can write the store) cannot grow the label set. */
static const char *const probe_types[] = {
	"certificate-expired",
	"certificate-expiring",
	"certificate-host-mismatch",
	"certificate-not-trusted",
	"dane-required",
	"mx-unreachable",
	"starttls-not-supported",
	"sts-policy-fetch-error",
	"sts-policy-id-unchanged",
	"sts-policy-invalid",
	"sts-webpki-invalid",
	"tlsa-invalid",
	"validation-failure",
};
#define N_PROBE_TYPES G_N_ELEMENTS(probe_types)

static size_t
probe_type_index(const char *type)
{
	for (size_t i = 0; i < N_PROBE_TYPES; i++)
		if (strcmp(type, probe_types[i]) == 0)
			return i;
	return N_PROBE_TYPES; /* "other" */
}

/* Our probe's latest run per domain it probed in the window: when, its
 * findings by type (only the types found: an absent series is 0, as
 * tlsrpt_failed_sessions), and whether the domain could not be probed. */
static void
probes(FILE *out, const struct summary_agg *a)
{
	guint i;

	family(out, "tlsrpt_probe_last_run_timestamp_seconds",
	       "When tlsrpt-probe's latest run in the window probed the "
	       "domain (Unix time).");
	for (i = 0; a->probes != NULL && i < a->probes->len; i++) {
		const struct summary_probe *p = g_ptr_array_index(a->probes, i);
		const char *l[] = {"domain", p->domain, NULL};

		sample(out, "tlsrpt_probe_last_run_timestamp_seconds", p->time,
		       l);
	}
	family(out, "tlsrpt_probe_findings",
	       "Findings of tlsrpt-probe's latest run by domain and result "
	       "type (other: a type it does not write, or findings past the "
	       "32 kept).");
	for (i = 0; a->probes != NULL && i < a->probes->len; i++) {
		const struct summary_probe *p = g_ptr_array_index(a->probes, i);
		int64_t n[N_PROBE_TYPES + 1] = {0};

		for (guint j = 0; j < p->findings->len; j++) {
			const struct summary_probe_finding *f =
				g_ptr_array_index(p->findings, j);
			size_t k = probe_type_index(f->result_type);

			n[k] = tlsrpt_count_add(n[k], 1);
		}
		n[N_PROBE_TYPES] = tlsrpt_count_add(n[N_PROBE_TYPES], p->over);
		for (size_t k = 0; k <= N_PROBE_TYPES; k++) {
			const char *l[] = {"domain", p->domain, "result_type",
					   k < N_PROBE_TYPES ? probe_types[k]
							     : "other",
					   NULL};

			if (n[k] > 0)
				sample(out, "tlsrpt_probe_findings", n[k], l);
		}
	}
	family(out, "tlsrpt_probe_error",
	       "1 for a domain tlsrpt-probe's latest run in the window could "
	       "not probe (the text and JSON views say why).");
	for (i = 0; a->probes != NULL && i < a->probes->len; i++) {
		const struct summary_probe *p = g_ptr_array_index(a->probes, i);
		const char *l[] = {"domain", p->domain, NULL};

		if (p->error != NULL)
			sample(out, "tlsrpt_probe_error", 1, l);
	}
}

static void
data_problems(FILE *out, const struct summary_agg *a)
{
	const struct summary_problems *p = &a->problems;

	family(out, "tlsrpt_store_skipped_lines",
	       "Damaged store lines skipped while reading.");
	sample(out, "tlsrpt_store_skipped_lines", (int64_t)p->skipped, NULL);
	family(out, "tlsrpt_store_unreadable_files",
	       "Store day files that could not be read: every other count is "
	       "short by their reports.");
	sample(out, "tlsrpt_store_unreadable_files", (int64_t)p->unreadable,
	       NULL);
	family(out, "tlsrpt_store_duplicate_lines",
	       "Store lines of reports already read (from another store or "
	       "stored twice), counted once.");
	sample(out, "tlsrpt_store_duplicate_lines", (int64_t)p->duplicates,
	       NULL);
	family(out, "tlsrpt_reports_dkim_fail",
	       "Reports in the window whose DKIM signature failed (counted "
	       "unless --verified-only).");
	sample(out, "tlsrpt_reports_dkim_fail", p->dkim_fail, NULL);
	family(out, "tlsrpt_reports_unverified_dropped",
	       "Reports in the window left out by --verified-only.");
	sample(out, "tlsrpt_reports_unverified_dropped", p->unverified_dropped,
	       NULL);
	family(out, "tlsrpt_reports_impersonation",
	       "Reports in the window claiming a known reporter's name from "
	       "another domain, left out of every count.");
	sample(out, "tlsrpt_reports_impersonation", p->impersonations, NULL);
	family(out, "tlsrpt_report_ids_conflicting",
	       "Report ids in the window stored with different contents.");
	sample(out, "tlsrpt_report_ids_conflicting", p->conflicts, NULL);
}

int
summary_render_prometheus(FILE *out, const struct summary_agg *a,
			  const struct summary_render_ctx *ctx)
{
	(void)ctx;
	window(out, a);
	domains(out, a);
	failures(out, a);
	reporters(out, a);
	probes(out, a);
	data_problems(out, a);
	return fflush(out) != 0 || ferror(out) ? -1 : 0;
}
