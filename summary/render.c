/* SPDX-License-Identifier: BSD-2-Clause */
/* render.c -- the table of formats and views, and shared wording. */
#include "summary/render.h"

#include <string.h>

#include "report/report.h"
#include "summary/triage.h"

/* One line per format: add html and prometheus here. */
static const struct summary_renderer renderers[] = {
	{"text", summary_render_text, 0},
	{"json", summary_render_json, 1},
	{"csv", summary_render_csv, 0},
	{"html", summary_render_html, 1},
	{"prometheus", summary_render_prometheus, 0},
};

static const char *const view_names[] = {
	[SUMMARY_VIEW_ALL] = "all",
	[SUMMARY_VIEW_DOMAIN] = "domain",
	[SUMMARY_VIEW_ORG] = "org",
	[SUMMARY_VIEW_RESULT] = "result",
	[SUMMARY_VIEW_MX] = "mx",
	[SUMMARY_VIEW_SENDING_IP] = "sending-ip",
	[SUMMARY_VIEW_DAY] = "day",
	[SUMMARY_VIEW_REPORT] = "report",
	[SUMMARY_VIEW_SENDER] = "sender",
};

const struct summary_renderer *
summary_renderer_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(renderers) / sizeof(renderers[0]); i++) {
		if (strcmp(renderers[i].name, name) == 0)
			return &renderers[i];
	}
	return NULL;
}

const char *
summary_renderer_names(void)
{
	static char names[256];
	size_t i, used = 0;

	if (names[0] != '\0')
		return names;
	for (i = 0; i < sizeof(renderers) / sizeof(renderers[0]); i++) {
		int n = snprintf(names + used, sizeof(names) - used, "%s%s",
				 i > 0 ? "|" : "", renderers[i].name);

		if (n < 0 || (size_t)n >= sizeof(names) - used)
			break;
		used += (size_t)n;
	}
	return names;
}

int
summary_view_parse(const char *name, enum summary_view *v)
{
	size_t i;

	for (i = 1; i < sizeof(view_names) / sizeof(view_names[0]); i++) {
		if (strcmp(view_names[i], name) == 0) {
			*v = (enum summary_view)i;
			return 0;
		}
	}
	return -1;
}

const char *
summary_view_name(enum summary_view v)
{
	if ((size_t)v >= sizeof(view_names) / sizeof(view_names[0]))
		return "?";
	return view_names[v];
}

struct advice {
	const char *type, *text;
};

/* RFC 8460 section 4.3 and the IANA registry of result types. */
static const struct advice advice[] = {
	{"starttls-not-supported",
	 "enable STARTTLS on these MX hosts (or find what strips it)"},
	{"certificate-host-mismatch", "get a certificate naming the MX host "
				      "(subjectAltName) and install it"},
	{"certificate-expired",
	 "renew the certificate on these MX hosts and reload the MTA"},
	{"certificate-not-trusted",
	 "use a certificate from a public CA and serve the full chain"},
	{"validation-failure",
	 "check the certificate chain and TLS settings of these MX hosts"},
	{"tlsa-invalid",
	 "make the TLSA records match the certificate (mind key rollovers)"},
	{"dnssec-invalid",
	 "fix DNSSEC of the zone: DS record, signatures, their expiry"},
	{"dane-required",
	 "publish usable TLSA records in a DNSSEC-signed zone, or drop DANE"},
	{"sts-policy-fetch-error",
	 "make https://mta-sts.DOMAIN/.well-known/mta-sts.txt reachable"},
	{"sts-policy-invalid",
	 "fix the syntax of the MTA-STS policy file, then change its id"},
	{"sts-webpki-invalid",
	 "give the mta-sts.DOMAIN web server a valid public certificate"},
};

const char *
summary_advice(const char *result_type)
{
	size_t i;

	for (i = 0; i < sizeof(advice) / sizeof(advice[0]); i++) {
		if (strcmp(advice[i].type, result_type) == 0)
			return advice[i].text;
	}
	return "not a registered type: read the reporter's additional "
	       "information";
}

double
summary_rate_shown(const struct summary_counts *c, int decimals)
{
	double r = summary_rate(c), unit = 1;
	int i;

	if (r < 0)
		return r;
	for (i = 0; i < decimals && i < 3; i++)
		unit /= 10;
	r = (double)(int64_t)(r / unit + 0.5) * unit;
	if (c->failures > 0 && r > 100 - unit)
		r = 100 - unit;
	if (c->successes > 0 && r < unit)
		r = unit;
	return r;
}

int64_t
summary_result_total(const struct summary_agg *a)
{
	int64_t n = 0;
	guint i;

	for (i = 0; i < a->results->len; i++)
		n = tlsrpt_count_add(
			n, ((const struct summary_result *)g_ptr_array_index(
				    a->results, i))
				   ->sessions);
	return n;
}

int
summary_scale(int64_t part, int64_t whole, int width)
{
	double x;
	int n;

	if (whole <= 0 || part <= 0)
		return 0;
	/* In floating point: part * width overflows int64_t for the
	 * saturated sums (base/count.h). */
	x = (double)part * width / (double)whole;
	n = (int)x;
	if (n < x)
		n++;
	return n > width ? width : n;
}

double
summary_result_share(const struct summary_result *r, int64_t all)
{
	return all > 0 ? 100.0 * (double)r->sessions / (double)all : 0;
}

void
summary_date_of(int64_t t, char *buf, size_t size)
{
	tlsrpt_format_datetime(t, buf, size);
	if (size > 10)
		buf[10] = '\0';
}

const char *
summary_status(const struct summary_agg *a)
{
	if (summary_sessions(&a->total) == 0)
		return "no-data";
	return summary_n_failing(a) > 0 ? "failures" : "ok";
}

/* "; 2 domains below threshold (at least 0.1% of a domain's sessions)"
 * when some failures are under the noise threshold. */
static void
below_clause(const struct summary_agg *a, GString *s)
{
	guint n = summary_n_below(a);
	char *t;

	if (n == 0)
		return;
	t = summary_threshold_text(&a->opt);
	g_string_append_printf(s, "; %u %s below threshold (%s)", n,
			       summary_plural(n, "domain", "domains"), t);
	g_free(t);
}

char *
summary_verdict_text(const struct summary_agg *a)
{
	int64_t n = summary_sessions(&a->total);
	const struct summary_domain *worst;
	const char *type;
	char share[SUMMARY_PERCENT_MAX], wshare[SUMMARY_PERCENT_MAX];
	guint failing = summary_n_failing(a);
	GString *s;

	if (n == 0)
		return g_strdup_printf(
			"NO DATA: no TLS sessions reported in the window; "
			"check the _smtp._tls record and that reports are "
			"stored");
	s = g_string_new(NULL);
	summary_percent(a->total.failures, n, share);
	if (a->total.failures == 0) {
		g_string_printf(
			s, "OK: all %lld TLS %s to %u %s succeeded",
			(long long)n, summary_plural(n, "session", "sessions"),
			a->domains->len,
			summary_plural(a->domains->len, "domain", "domains"));
	} else if (failing == 0) {
		g_string_printf(s,
				"OK: %lld of %lld TLS %s (%s) failed, none "
				"over the noise threshold",
				(long long)a->total.failures, (long long)n,
				summary_plural(n, "session", "sessions"),
				share);
		below_clause(a, s);
	} else {
		/* The worst domain is the first of the triage: failing ones
		 * come first, by failed sessions (summary/triage.h). */
		worst = g_ptr_array_index(a->triage, 0);
		type = summary_top_result(a, worst->name);
		summary_percent(worst->cur.failures,
				summary_sessions(&worst->cur), wshare);
		g_string_printf(s,
				"FAILURES: %lld of %lld TLS %s (%s) failed "
				"at %u %s; worst: %s (%s, %s)",
				(long long)a->total.failures, (long long)n,
				summary_plural(n, "session", "sessions"), share,
				failing,
				summary_plural(failing, "domain", "domains"),
				worst->name, wshare,
				type != NULL ? type : "no details");
	}
	return g_string_free(s, FALSE);
}

const char *
summary_verdict_name(enum summary_verdict v)
{
	switch (v) {
	case SUMMARY_VERDICT_NONE: return NULL;
	case SUMMARY_VERDICT_READY: return "ready";
	case SUMMARY_VERDICT_NOT_READY: return "not-ready";
	case SUMMARY_VERDICT_ENFORCED: return "enforced";
	case SUMMARY_VERDICT_REFUSING: return "refusing";
	}
	return NULL;
}

char *
summary_unreadable_text(const struct summary_problems *p)
{
	if (p->unreadable == 0)
		return NULL;
	return g_strdup_printf("%lu store file%s could not be read: every "
			       "count here leaves out the reports in %s",
			       p->unreadable, p->unreadable == 1 ? "" : "s",
			       p->unreadable == 1 ? "it" : "them");
}

void
summary_policy_types(const struct summary_domain *d, GString *s)
{
	const char *other = summary_cold_of(d)->other_types;

	if (d->policy_types & SUMMARY_PT_STS)
		g_string_append(s, " sts");
	if (d->policy_types & SUMMARY_PT_TLSA)
		g_string_append(s, " tlsa");
	if (d->policy_types & SUMMARY_PT_NO_POLICY)
		g_string_append(s, " no-policy-found");
	if (other != NULL)
		g_string_append_printf(s, " %s", other);
}

size_t
summary_count_lines(const struct summary_problems *p,
		    struct summary_count_line *lines)
{
	/* Each text for a count of 1, then for any other count. */
	const struct {
		int64_t count;
		const char *one, *many;
	} all[SUMMARY_MAX_COUNT_LINES] = {
		{(int64_t)p->unreadable,
		 "store file could not be read (see the warning at the top)",
		 "store files could not be read (see the warning at the top)"},
		{p->dkim_fail,
		 "report failed DKIM and is counted anyway (--verified-only "
		 "leaves it out)",
		 "reports failed DKIM and are counted anyway "
		 "(--verified-only leaves them out)"},
		{p->unverified_dropped,
		 "report left out: no DKIM pass (--verified-only)",
		 "reports left out: no DKIM pass (--verified-only)"},
		{p->no_details,
		 "policy reports failures without any failure details",
		 "policies report failures without any failure details"},
		{p->details_short,
		 "policy has failure details adding up to less than its "
		 "failure total",
		 "policies have failure details adding up to less than their "
		 "failure total"},
		{p->detail_over_total,
		 "failure detail counts more sessions than its policy's "
		 "failure total",
		 "failure details count more sessions than their policy's "
		 "failure total"},
		{p->impersonations,
		 "report claims a known reporter's name from another domain "
		 "(left out)",
		 "reports claim a known reporter's name from another domain "
		 "(left out)"},
		{p->conflicts,
		 "report id was stored with different contents (conflicts)",
		 "report ids were stored with different contents "
		 "(conflicts)"},
	};
	size_t n = 0;

	for (size_t i = 0; i < SUMMARY_MAX_COUNT_LINES; i++)
		if (all[i].count > 0)
			lines[n++] = (struct summary_count_line){
				all[i].count,
				summary_plural(all[i].count, all[i].one,
					       all[i].many)};
	return n;
}
