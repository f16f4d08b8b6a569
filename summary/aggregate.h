/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * aggregate.h -- the pure, streaming aggregation behind tlsrpt-summary.
 *
 * Records (one policy of one report, store/reader.h) are fed one at a time;
 * memory grows with the number of groups (domains, organisations, result
 * types, MX hosts, sending IPs, days, reporter/domain pairs), never with the
 * number of records -- except the per-report list, kept only when asked
 * (--by report). A reporter's report times over the look-back period, for
 * silence detection, are kept only while they could decide its usual
 * interval: at most 2 a day of the look-back (see summary_reporter).
 *
 * Time: a record belongs to the window when since <= received < until. The
 * caller feeds everything received in [summary_lookback_start(), until):
 * the previous window of the same length gives the change, the look-back
 * gives reporters' history (silence) and the readiness period. Sessions are
 * put on the UTC day of the report's start-datetime in the daily trend
 * (the day the sessions happened), not the day the report arrived.
 *
 * GLib (which comes with GMime) provides the hash tables; it aborts on
 * allocation failure, so these calls cannot fail.
 */
#ifndef TLSRPT_SUMMARY_AGGREGATE_H
#define TLSRPT_SUMMARY_AGGREGATE_H

#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "base/count.h"
#include "store/reader.h"
#include "summary/reporters.h"
#include "summary/slab.h"

/* Readiness and silence rules (documented in tlsrpt-summary(1)). */
#define SUMMARY_READINESS_DAYS 14	/* period before --until judged */
#define SUMMARY_READINESS_MIN_REPORTS 7 /* reports needed in that period */
#define SUMMARY_READINESS_MIN_REPORTERS 2
#define SUMMARY_LOOKBACK_MIN_DAYS 30  /* history read for silence */
#define SUMMARY_LOOKBACK_WINDOWS 4    /* ... or this many windows if longer */
#define SUMMARY_SILENCE_MIN_REPORTS 3 /* a usual interval needs 2 gaps */
#define SUMMARY_SILENCE_INTERVALS 2   /* silent after this many intervals */
#define SUMMARY_SILENCE_MIN_INTERVAL 86400 /* usual interval at least 1 day */
#define SUMMARY_TOP_PAIRS 5 /* default of summary_options.top_pairs */

struct summary_options {
	int64_t since, until; /* the window [since, until) */
	/* Only these policy domains (compared case-insensitively); they are
	 * also checked for silence even when never seen. n_domains 0: all. */
	const char *const *domains;
	size_t n_domains;
	int verified_only;   /* count only reports with DKIM "pass" */
	int collect_reports; /* keep one row per report (--by report) */
	/* Keep each domain's days (summary_domain.days), which only the
	 * daily series of json and html show: a provider's 10^5 domains
	 * have a day group for each day of the window (on by default). */
	int domain_days;
	/* Known reporters (reporters.h), borrowed; NULL: none, so no report
	 * is taken for an impersonation. */
	const struct summary_known *known;
	unsigned readiness_days, readiness_min_reports, readiness_min_reporters;
	/* The noise threshold (triage.h): a domain's failures need action
	 * when there are at least min_failures of them and they are at
	 * least min_share_ppm (parts per million) of its sessions. */
	int64_t min_failures;
	uint32_t min_share_ppm;
	/* --all: the views list every healthy domain and every readiness and
	 * silence line instead of the first few and "N more" (not used by
	 * the aggregation; here because every view gets the options). */
	int list_all;
	/* Pairs (result type, receiving MX) of a domain the Prometheus
	 * tlsrpt_failed_sessions shows before its "other" series
	 * (--prometheus-top): 1..SUMMARY_PAIRS_MAX. */
	unsigned top_pairs;
	/* Complete days read from their rollups, and rollups written for
	 * those without (TLSRPT_READER_ROLLUP_*, store/rollup.h; read.c):
	 * both by default, none with --no-rollups. Never with
	 * collect_reports, whose rows want every field of a line. */
	unsigned rollups;
};

/* Defaults above; since/until 0 (the caller sets them). */
void summary_options_default(struct summary_options *o);

/* Where reading must start: the earlier of the previous window's start and
 * until - max(4 windows, 30 days) (and the readiness period). */
int64_t summary_lookback_start(const struct summary_options *o);

struct summary_counts {
	int64_t successes, failures;
};

/* successes + failures. Every sum of counts in the summary is a
 * tlsrpt_count_add() (base/count.h): it sticks at INT64_MAX instead of
 * wrapping, so no number of huge reports can hide a real failure. */
static inline int64_t
summary_sessions(const struct summary_counts *c)
{
	return tlsrpt_count_add(c->successes, c->failures);
}

/* Add policy p's session counts to c, saturating. */
static inline void
summary_counts_add(struct summary_counts *c, const struct tlsrpt_policy *p)
{
	c->successes = tlsrpt_count_add(c->successes,
					p->total_successful_session_count);
	c->failures =
		tlsrpt_count_add(c->failures, p->total_failure_session_count);
}

/* Policy types seen, as bits. */
#define SUMMARY_PT_STS 1u
#define SUMMARY_PT_TLSA 2u
#define SUMMARY_PT_NO_POLICY 4u
#define SUMMARY_PT_OTHER 8u

struct summary_day {
	int64_t day; /* epoch seconds of 00:00 UTC */
	struct summary_counts c;
	int64_t reports;
};

/* The mode and MX list of a policy some reporter saw last, both interned
 * (summary_agg.strings), the pair itself interned (summary_agg.policies):
 * a reporter keeps one 4-byte index for the two, as a provider has
 * millions of reporters and a few pairs. */
struct summary_policy_seen {
	const char *sts_mode; /* "unknown" when the policy named none */
	const char *mx;	      /* NULL when it named none */
	guint ix;	      /* in summary_agg.policies_v */
};

/* One reporting organisation as seen for one domain, over the look-back.
 * A provider's store has millions (every domain x every reporter): they
 * are cut from the aggregation's slab (slab.h), 40 bytes each, and their
 * report times take 4 bytes a time (see times). */
struct summary_reporter {
	const char *org; /* interned (summary_agg.strings) */
	/* The n_times received times of its reports, read with
	 * summary_reporter_time() (sorted after finish), as offsets from
	 * the look-back's start: 4 bytes each (two slots each when the
	 * look-back spans more than 2^32 seconds, summary_agg.times_wide).
	 * Up to 2 slots in place (most reporters of a provider's domains
	 * send a report or two), else out of place (times_heap, times.c).
	 * Freed and times_dropped set once there are more than the
	 * aggregation's times_cap: n times in the look-back of D days have at
	 * most D gaps of a day or more, so with n - 1 > 2 D gaps the median gap
	 * is under a day and the usual interval is the minimum whatever else
	 * arrives. times.c. */
	union {
		union {
			uint32_t in[2];
			uint32_t *heap;
		} times;
		/* The usual interval (0: too few reports), in their place
		 * once silence.c has judged them (finish): the times are
		 * not needed after that. */
		int64_t interval;
	};
	/* Bits beside n_times (times_cap < 2^28, aggregate.c). */
	guint n_times : 28;
	guint times_heap : 1;
	guint times_dropped : 1;
	guint silent : 1;    /* after finish */
	guint in_window : 1; /* a line of it in the window */
	/* Reports in the readiness period, saturating: only compared with
	 * readiness_min_reports (an unsigned) and 0, so a count stuck at
	 * UINT32_MAX decides the same. */
	uint32_t recent_reports;
	/* Its last received, as an offset from the look-back's start:
	 * read with summary_reporter_last() (in summary_agg.last_wide when
	 * the look-back spans more than 2^32 seconds). */
	uint32_t last_off;
	/* The latest policy it saw: 1 + its pair's index in
	 * summary_agg.policies_v, 0 when it saw no sts policy; read with
	 * summary_reporter_seen(). 4 bytes, not a pointer's 8, as a
	 * provider has millions of reporters. */
	uint32_t policy;
	/* The received time of the report saying so (what orders "latest"),
	 * as an offset from the look-back's start, and its start-datetime
	 * (the sender's: any int64) less that received time: 4 bytes each
	 * when both fit, else policy_recv_off is SUMMARY_POLICY_WIDE and
	 * both are exact in summary_agg.policy_wide. Read and set with
	 * summary_reporter_policy() / _set_policy() (times.c). */
	uint32_t policy_recv_off;
	int32_t policy_seen_off;
};
#define SUMMARY_POLICY_WIDE UINT32_MAX

/* A reporter gone silent, with its domain's name: the reporter itself does
 * not name its domain (8 bytes of each of millions, for the few silent). */
struct summary_silent {
	const char *domain; /* the domain's name */
	const struct summary_reporter *r;
};

enum summary_verdict {
	SUMMARY_VERDICT_NONE,	   /* no MTA-STS policy in testing/enforce */
	SUMMARY_VERDICT_READY,	   /* testing, ready to enforce */
	SUMMARY_VERDICT_NOT_READY, /* testing, with reasons */
	SUMMARY_VERDICT_ENFORCED,  /* enforce, none under enforce failed */
	SUMMARY_VERDICT_REFUSING,  /* enforce, senders refuse to deliver */
};

/* The mode an sts policy line itself names (store/reader.h: the policy's
 * "mode:" string as that reporter fetched it). A failure is judged by the
 * policy its sender applied, not by the domain's latest one (readiness.c). */
enum summary_mode {
	SUMMARY_MODE_TESTING,
	SUMMARY_MODE_ENFORCE,
	SUMMARY_MODE_OTHER, /* "none", or the line names no mode */
	SUMMARY_N_MODES
};

/* The sts lines of one domain seen under one mode: a few numbers, whatever
 * the number of lines. Times are received (ours, not the sender's). */
struct summary_mode_tally {
	struct summary_counts c; /* sessions in the window */
	int64_t lines;		 /* lines in the window */
	int64_t first;		 /* earliest received, in the window */
	int64_t first_failed, last_failed; /* of lines with failures, ditto */
	int64_t recent_failures;	   /* in the readiness period */
	int64_t recent_last_failed;	   /* latest line with failures there */
	/* Failures of lines from a reporter still naming this mode after
	 * the domain's latest policy had left it (a cached policy): in the
	 * window, in the readiness period. */
	int64_t stale_failures, recent_stale_failures;
};

struct summary_reason {
	const char *code; /* "failures", "policy-mismatch", "few-reports",
			     "few-reporters", "refusing", "testing-failures",
			     "mode-unknown" */
	char *text; /* a sentence for a person, interned (summary_agg.strings)
		     */
};

/* The name of the group of policies without a policy-domain (only
 * no-policy-found and unknown types may omit it): the text views show it,
 * the machine formats give null, an empty cell or an empty label instead
 * (summary_domain_or_null()). */
#define SUMMARY_NO_DOMAIN "(none)"

/* A domain name, or NULL for the group of policies without one. */
static inline const char *
summary_domain_or_null(const char *name)
{
	return name != NULL && strcmp(name, SUMMARY_NO_DOMAIN) == 0 ? NULL
								    : name;
}

/* Failed sessions of one domain by result type and receiving MX
 * (pairs.c). The names are interned (summary_agg.strings). */
struct summary_pair {
	char *type;
	char *mx; /* receiving-mx-hostname, else receiving-ip, else NULL */
	int64_t sessions;
};

/* At most this many pairs are kept per domain (pairs.c). */
#define SUMMARY_PAIRS_MAX 64

/* s appended to out with every byte of chars (ASCII) as U+FFFD: the items
 * of the lists (fold.c, render_csv.c) keep no separator of their own.
 * _len: the n bytes at s (no NUL among them). */
void summary_append_replacing(GString *out, const char *s, const char *chars);
void summary_append_replacing_len(GString *out, const char *s, size_t n,
				  const char *chars);

/* A domain's other_types and mx (the MX patterns of the latest policy)
 * are space-separated lists whose items hold no white space (fold.c makes
 * it U+FFFD), so the JSON and CSV lists split them back exactly. */
struct summary_probe;
struct summary_agg;

/* What only some domains carry: failures, unknown policy types. A
 * provider's store has 10^5 domains, most of them without: made on first
 * use (summary_domain_cold()), cut from the slab, and read through
 * summary_cold_of(), which gives a zero one when the domain has none. */
struct summary_domain_cold {
	int64_t unexplained;  /* failures the details do not account for */
	int64_t sts_failures; /* failures of sts policies in the window */
	int64_t recent_sts_failures; /* ... received in the readiness period */
	char *other_types; /* unknown policy types, space-separated; owned */
	/* Failure details in the window by (result type, MX), pairs.c: at
	 * most SUMMARY_PAIRS_MAX struct summary_pair (the slab's), the
	 * sessions of later pairs in pairs_over; after finish, most
	 * sessions first. A summary_list_insert() list. */
	gpointer *pairs;
	guint n_pairs;
	int64_t pairs_over;
	/* Made once the domain has more than SUMMARY_REPORTERS_INDEXED
	 * reporters or SUMMARY_DAYS_INDEXED days (the slab's; fold.c). */
	struct summary_domain_index *index;
};

/* The tables of a domain's reporters by org name and days by day, each
 * made once it has more than the limit (slab.h): the list is
 * then in arrival order until finish sorts it and frees its table. */
struct summary_domain_index {
	GHashTable *reporters, *days;
};

struct summary_domain {
	/* Lower case; "(none)" for policies without one. Interned
	 * (summary_agg.strings), like every name a group keeps: not
	 * freed on its own. */
	char *name;
	struct summary_counts cur, prev;
	int64_t reports, prev_reports; /* distinct reports */
	/* Latest seen by any reporter (or NULL), interned. */
	const char *sts_mode, *mx;
	int64_t policy_seen; /* start-datetime of the report saying so */
	int64_t policy_recv; /* its received: what orders "latest" */
	int64_t last_report; /* last received, any time read; 0 none */
	/* struct summary_reporter (the slab's), sorted by org name (a
	 * binary search finds one): a domain has a few reporters, and a
	 * hash table each cost more than the rest of the group. Past
	 * SUMMARY_REPORTERS_INDEXED of them, a table finds one (the cold part's
	 * index)
	 * finds one and this is sorted in finish (slab.h), like days. */
	gpointer *reporters;
	/* struct summary_day (the slab's), oldest first (the cold part's
	 * index past SUMMARY_DAYS_INDEXED). */
	gpointer *days;
	guint n_reporters, n_days;
	/* The sts lines by the mode each names (readiness.c), each made
	 * on its first line (most of a provider's domains name one mode or
	 * none): read them with summary_mode_of(). */
	struct summary_mode_tally *modes[SUMMARY_N_MODES];
	/* NULL until the first failure or unknown policy type. */
	struct summary_domain_cold *cold;
	/* Our probe's latest run in the window, or NULL (probe.h); set
	 * first in finish. */
	const struct summary_probe *probe;
	/* After finish: the n_reasons reasons (the slab's; NULL if none),
	 * the reports and reporters of the readiness period. */
	const struct summary_reason *reasons;
	int64_t recent_reports;
	guint n_reasons;
	unsigned recent_reporters;
	/* Bits: SUMMARY_PT_* seen in the window; after finish, the
	 * enum summary_verdict and SUMMARY_NEEDS_* (triage.h). */
	unsigned policy_types : 4;
	unsigned verdict : 3;
	unsigned needs : 5;
	unsigned listed : 1; /* named with --domain */
	unsigned in_window : 1, in_prev : 1;
	/* A group made for the probe's findings: no report in the
	 * look-back names the domain. */
	unsigned probe_only : 1;
};

/* d's cold part, made on first use (the aggregation's slab). */
struct summary_domain_cold *summary_domain_cold(struct summary_agg *a,
						struct summary_domain *d);

/* d's cold part, or a zero one when d has none: what readers use. */
const struct summary_domain_cold *
summary_cold_of(const struct summary_domain *d);

/* d's tally of mode m: a zero one when no line named m. */
const struct summary_mode_tally *summary_mode_of(const struct summary_domain *d,
						 enum summary_mode m);

/* The values of h in a new array (borrowed, in hash order): what each
 * finish step sorts its groups from. */
GPtrArray *summary_values(GHashTable *h);

/* pairs.c: count sessions of a failure detail of d; sort; free. */
void summary_pairs_add(struct summary_agg *a, struct summary_domain *d,
		       const char *type, const char *mx, int64_t sessions);
void summary_pairs_finish(struct summary_domain *d);
void summary_pairs_free(struct summary_domain *d);

struct summary_org {
	char *name;
	struct summary_counts c;
	int64_t reports, dkim_fail;
	int64_t last_report; /* received */
	/* Who sent its reports (trust.c): reports DKIM-authenticated as the
	 * organisation's domain, the first such domain, and the domain the
	 * known reporters file gives for the name (NULL: not in it). */
	int64_t auth_reports;
	char *auth_domain, *known_domain;
	/* Domains it reported in the window: counted as they come (a
	 * reporter's in_window), listed by finish from the domains'
	 * reporters: a set per organisation would hold every (domain,
	 * reporter) of a provider a second time. */
	guint n_domains;
	GPtrArray *domains; /* after finish: sorted names (borrowed) */
};

struct summary_result {
	char *type;
	int64_t sessions;		    /* sum of failed-session-count */
	int64_t details;		    /* failure-details rows */
	struct summary_set mx_h, domains_h; /* slab.h */
	GPtrArray *mx, *domains; /* after finish: sorted (borrowed) */
};

struct summary_mx {
	char *host; /* receiving-mx-hostname, or NULL */
	char *ip;   /* receiving-ip, or NULL */
	int64_t failures;
	struct summary_set results_h, domains_h;
	GPtrArray *results, *domains;
};

struct summary_sender {
	char *ip; /* sending-mta-ip, or NULL */
	int64_t failures;
	struct summary_set results_h, orgs_h;
	GPtrArray *results, *orgs;
};

struct summary_report {
	char *org, *report_id, *dkim;
	int64_t start, end, received;
	GPtrArray *domains; /* char *, owned; in record order */
	struct summary_counts c;
};

/* A report in the window that claims a known reporter's name but came from
 * another domain (reporters.h): left out of the verdict and every count,
 * listed on its own. */
struct summary_suspect {
	char *org, *report_id, *from, *dkim, *known_domain;
	int64_t received;
	struct summary_counts c; /* what it claimed */
	GPtrArray *domains;	 /* policy domains, char *, owned */
};

/* Several reports with the same organization-name and report-id but other
 * contents (store/reader.h: conflict). At most one counts: the one
 * DKIM-authenticated as the known reporter's domain, when exactly one is;
 * otherwise none (trust.c). */
struct summary_conflict_version {
	char *digest, *submitter, *dkim;
	int64_t received;
	enum summary_auth auth;
	char *auth_domain; /* AUTH_OK: as what; IMPERSONATION: from where */
	int counted;
	struct summary_counts c;
};

struct summary_conflict {
	char *org, *report_id;
	GPtrArray *versions; /* struct summary_conflict_version, received */
	int counted;	     /* one version counted */
};

struct summary_problems {
	/* From the reader (store/reader.h). */
	unsigned long files, records, skipped, duplicates;
	char problems[TLSRPT_READER_MAX_PROBLEMS][TLSRPT_ERROR_TEXT_MAX];
	size_t n_problems;
	/* Day files not read: every count is short by their reports, and
	 * every view says so (summary_warn_unreadable()). */
	unsigned long unreadable;
	char unreadable_files[TLSRPT_READER_MAX_PROBLEMS]
			     [TLSRPT_ERROR_TEXT_MAX];
	size_t n_unreadable_files;
	/* Reports in the window whose DKIM verdict was "fail" (counted
	 * anyway), and with --verified-only those left out for want of a
	 * "pass". */
	int64_t dkim_fail, unverified_dropped;
	/* Policies with failures but no failure details at all; with details
	 * whose sum is below the failure total (details may overlap, RFC
	 * 8460 4.3, so a sum above the total is fine -- but one detail above
	 * it is impossible); the sessions so left unexplained. */
	int64_t no_details, details_short, detail_over_total;
	int64_t unexplained;
	/* Reports in the window left out as impersonations; report ids with
	 * conflicting versions (see summary_suspect, summary_conflict). */
	int64_t impersonations, conflicts;
};

struct summary_agg {
	struct summary_options opt;
	int64_t lookback;
	guint times_cap;  /* see summary_reporter.times */
	guint times_wide; /* until - lookback > 2^32 s: 2 slots a time */
	/* Free first chunks of reporters' times (times.c). */
	void *times_free;
	/* Reporter -> int64_t[2] (received, start-datetime) of its latest
	 * policy, for those whose offsets do not fit 4 bytes (NULL: none). */
	GHashTable *policy_wide;
	/* Every struct summary_policy_seen (the slab's), by both names,
	 * and by index. */
	GHashTable *policies;
	GPtrArray *policies_v;
	/* Reporter -> int64_t, its last received, when times_wide (NULL:
	 * not wide). */
	GHashTable *last_wide;
	/* The reporters, days, mode tallies and pairs of the domains
	 * (slab.h). */
	struct summary_slab *slab;
	/* The reasons of the domain being judged (readiness.c), copied
	 * to the slab at its exact size when it has any. */
	GArray *reason_buf;
	/* One copy of each domain name, reporter name, mode and MX list
	 * the groups keep: a provider's 10^5 domains repeat them over and
	 * over. Freed with the aggregation. Made by summary_intern(),
	 * found through interned, a table keyed like every table here
	 * (base/siphash.h: GStringChunk's own look-up, _insert_const, uses
	 * g_str_hash, whose collisions a reporter can choose). */
	GStringChunk *strings;
	GHashTable *interned;
	/* The copies last returned, by the address of the string asked
	 * for: a rollup's lines borrow its table of strings, so a result
	 * type, mode or MX met again is often the same address. A hit is
	 * checked by content, so an address reused for another string (the
	 * next file's table, a line buffer) only misses. */
	struct summary_intern_memo *intern_memo;
	GHashTable *domains_h, *orgs_h, *results_h, *mx_h, *senders_h, *days_h;
	/* The report being read: its lines come one after another. Its
	 * key (org NUL id) and the domains of its lines so far (each
	 * NUL-terminated): buffers kept from line to line, as are the
	 * line's domain in lower case and its MX list (fold.c), so that a
	 * line costs no allocation. */
	GString *cur_key, *cur_domains, *line_domain;
	GString *mx_items, *mx_list;
	GPtrArray *mx_at; /* the items' offsets in mx_items, then places */
	struct summary_report *cur_report;
	struct summary_sender_id cur_id;     /* who sent it (trust.c) */
	struct summary_suspect *cur_suspect; /* when an impersonation */
	GHashTable *known_cache; /* org as sent -> its known domains */
	/* Totals over the window (and the previous one). */
	struct summary_counts total, prev_total;
	int64_t reports;
	struct summary_problems problems;
	/* After finish, sorted for rendering (elements borrowed): */
	GPtrArray *domains; /* in window, previous window or --domain; name */
	GPtrArray *orgs;    /* most sessions first */
	GPtrArray *results; /* most failed sessions first */
	GPtrArray *mx, *senders;     /* most failures first */
	GPtrArray *days;	     /* oldest first */
	GPtrArray *reports_list;     /* owned rows, by received time */
	GPtrArray *silent_reporters; /* struct summary_silent (slab's) */
	GPtrArray *silent_domains;   /* struct summary_domain */
	/* a->domains worst first, in three runs (triage.h). */
	GPtrArray *triage;
	guint n_action, n_below;
	/* Owned rows (trust.c, conflicts.c), in the order read. */
	GPtrArray *suspects;  /* struct summary_suspect */
	GPtrArray *conflicts; /* struct summary_conflict */
	/* Our probe (probe.h): domain -> struct summary_probe; after
	 * finish, probes by name (borrowed). Domains past the cap, damaged
	 * or unread lines of the findings files. */
	GHashTable *probes_h;
	GPtrArray *probes;
	int64_t probe_domains_over, probe_damaged;
	int finished;
};

struct summary_agg *summary_agg_new(const struct summary_options *o);
void summary_agg_free(struct summary_agg *a); /* NULL is a no-op */

/* Feed one record (fold.c). Records outside [lookback, until), of other
 * domains than asked, or (verified-only) without DKIM pass are left out. */
void summary_agg_add(struct summary_agg *a, const struct tlsrpt_record *rec);

/* The group of domain name (lower case), made empty on first use: the one
 * place a domain group is made (fold.c, and summary_agg_new() for the
 * domains asked for). Owned by a. */
/* s's one copy in the aggregation's strings (made at first sight), freed
 * with the aggregation. */
#define SUMMARY_INTERN_MEMO 512 /* a power of two */
struct summary_intern_memo {
	const char *asked;
	char *copy;
};

char *summary_intern(const struct summary_agg *a, const char *s);

/* Two names alike, or both NULL. */
static inline int
summary_same_name(const char *x, const char *y)
{
	if (x == NULL || y == NULL)
		return x == y;
	return strcmp(x, y) == 0;
}

/* The pair (mode, mx) interned; cur when it is that pair already. mode
 * NULL is "unknown", mx NULL none. */
const struct summary_policy_seen *
summary_policy_seen(struct summary_agg *a,
		    const struct summary_policy_seen *cur, const char *mode,
		    const char *mx);

/* The latest policy r saw (NULL: no sts policy), its mode (NULL
 * likewise); r now sees p. */
static inline const struct summary_policy_seen *
summary_reporter_seen(const struct summary_agg *a,
		      const struct summary_reporter *r)
{
	return r->policy == 0 ? NULL
			      : g_ptr_array_index(a->policies_v, r->policy - 1);
}

static inline const char *
summary_reporter_mode(const struct summary_agg *a,
		      const struct summary_reporter *r)
{
	return r->policy == 0 ? NULL : summary_reporter_seen(a, r)->sts_mode;
}

static inline void
summary_reporter_sees(struct summary_reporter *r,
		      const struct summary_policy_seen *p)
{
	r->policy = p->ix + 1;
}

struct summary_domain *summary_agg_domain(struct summary_agg *a,
					  const char *name);

/* Copy the reader's counters into the data problems. */
void summary_agg_set_stats(struct summary_agg *a,
			   const struct tlsrpt_reader_stats *st);

/* Sort the groups and apply the readiness and silence rules. Call once,
 * after the last record. */
void summary_agg_finish(struct summary_agg *a);

/* readiness.c: verdict and reasons of every domain (called by finish). */
void summary_readiness(struct summary_agg *a);

/* readiness.c: an sts policy line of d from reporter r (fold.c) into the
 * tally of the mode it names (mode: tlsrpt_policy_sts_mode(), NULL when it
 * names none). Called before the line updates d's and r's latest policy. */
void summary_readiness_fold(struct summary_agg *a, struct summary_domain *d,
			    const struct summary_reporter *r,
			    const struct tlsrpt_record *rec, const char *mode);

/* times.c: the received time and start-datetime of r's latest policy
 * (r->sts_mode not NULL); set them (lookback <= received < until). */
void summary_reporter_policy(const struct summary_agg *a,
			     const struct summary_reporter *r,
			     int64_t *received, int64_t *seen);
void summary_reporter_set_policy(struct summary_agg *a,
				 struct summary_reporter *r, int64_t received,
				 int64_t seen);

/* times.c: a report of r received at t (lookback <= t < until) into its
 * times; its i-th time; its times sorted (finish); their heap freed. */
void summary_reporter_add_time(struct summary_agg *a,
			       struct summary_reporter *r, int64_t t);
int64_t summary_reporter_time(const struct summary_agg *a,
			      const struct summary_reporter *r, guint i);
void summary_reporter_sort_times(const struct summary_agg *a,
				 struct summary_reporter *r);
void summary_reporter_free_times(struct summary_agg *a,
				 struct summary_reporter *r);

/* times.c: r's last received; a report of r received at t (lookback <= t
 * < until) noted. */
int64_t summary_reporter_last(const struct summary_agg *a,
			      const struct summary_reporter *r);
void summary_reporter_note_last(struct summary_agg *a,
				struct summary_reporter *r, int64_t t);

/* silence.c: silent reporters and domains (called by finish); all: every
 * domain group, by name. */
void summary_silence(struct summary_agg *a, const GPtrArray *all);

/* trust.c: who sent a report. */

/* Classify the report rec starts (into a->cur_id). */
void summary_trust_classify(struct summary_agg *a,
			    const struct tlsrpt_record *rec);

/* The line rec of an impersonating report: into a->suspects when in the
 * window (domain: its policy domain, lower case). */
void summary_trust_suspect(struct summary_agg *a,
			   const struct tlsrpt_record *rec, const char *domain,
			   int new_report, int new_for_domain);

/* A new report of o in the window: count it as authenticated or not. */
void summary_trust_org(struct summary_agg *a, struct summary_org *o);

/* "authenticated as google.com", "not authenticated", "authenticated as
 * google.com (3 of 5 reports)" (caller g_free()s). */
char *summary_org_auth_text(const struct summary_org *o);

/* Whether the summary has something a person must look at beyond
 * failures: impersonations or conflicts in the window. */
int summary_trust_problems(const struct summary_agg *a);

/* One row of the "sender" view: a report left out as an impersonation, or
 * one version of a conflicting report id. Strings borrowed from a. */
struct summary_sender_row {
	const char *kind; /* "impersonation" or "conflict" */
	const char *org, *report_id, *submitter, *dkim;
	int64_t received;
	char sender[300]; /* "authenticated as x", "IMPERSONATION from y"... */
	int counted;
	struct summary_counts c;
};

/* Every such row: impersonations first, then the conflicts' versions.
 * g_array_free() it. */
GArray *summary_sender_rows(const struct summary_agg *a);

void summary_suspect_free(gpointer p);
void summary_conflict_free(gpointer p);

/* Start over with the same options (read.c reads the stores a second time
 * when they hold conflicting reports). */
void summary_agg_restart(struct summary_agg *a);

/* Success rate in percent (0..100), or -1 when there were no sessions. */
double summary_rate(const struct summary_counts *c);

/* Read every record the options need from the store directories into a
 * (read.c). Returns 0, or -1 with err from the store reader. */
int summary_read_stores(struct summary_agg *a, const char *const *dirs,
			size_t n_dirs, struct tlsrpt_error *err);

#endif
