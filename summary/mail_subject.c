/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mail_subject.c -- when the digest is worth a mail, and its Subject: the
 * verdict in a few words, so a postmaster can triage from the inbox list.
 */
#include "summary/render_mail.h"

#include <stdarg.h>
#include <string.h>

#include "summary/triage.h"

/* Whether a domain has findings of our probe's latest run: what the
 * probe is for is a mail before the senders' reports say so. */
static int
probe_findings(const struct summary_agg *a)
{
	for (guint i = 0; i < a->n_action; i++) {
		const struct summary_domain *d =
			g_ptr_array_index(a->triage, i);

		if (d->needs & SUMMARY_NEEDS_PROBE)
			return 1;
	}
	return 0;
}

int
summary_fine(const struct summary_agg *a)
{
	return summary_sessions(&a->total) > 0 && summary_n_failing(a) == 0 &&
	       a->silent_domains->len == 0 && a->silent_reporters->len == 0 &&
	       a->problems.skipped == 0 && a->problems.unreadable == 0 &&
	       !summary_trust_problems(a) && !probe_findings(a);
}

/* Longest Subject built (after "TLS-RPT: ", before the header step): the
 * inbox list of a mail client shows 60 to 100 characters. Parts are added
 * most important first; the first that does not fit ends it with "...",
 * except the worst domain, which is always named (cut to
 * SUBJECT_NAME_MAX bytes, its result type to the room left). */
#define SUBJECT_MAX (100 - sizeof("TLS-RPT: ") + 1)
#define SUBJECT_MORE ", ..."
#define SUBJECT_NAME_MAX 32 /* bytes: a domain name longer is cut */

struct subject {
	GString *s;
	int full;
	int must; /* the next part goes in even when it does not fit */
};

/* Appends text as the next part, when it fits. */
static void
part(struct subject *sub, const char *text)
{
	size_t sep = sub->s->len > 0 ? 2 : 0;
	int must = sub->must;

	sub->must = 0;
	if (sub->full)
		return;
	if (must)
		goto add;
	/* Room is kept for the "..." that may have to follow. */
	if (sub->s->len + sep + strlen(text) + strlen(SUBJECT_MORE) >
	    SUBJECT_MAX) {
		g_string_append(sub->s, sub->s->len > 0 ? SUBJECT_MORE : "...");
		sub->full = 1;
		return;
	}
add:
	g_string_append(sub->s, sep > 0 ? ", " : "");
	g_string_append(sub->s, text);
}

static void partf(struct subject *sub, const char *fmt, ...)
	G_GNUC_PRINTF(2, 3);

static void
partf(struct subject *sub, const char *fmt, ...)
{
	va_list ap;
	char *t;

	va_start(ap, fmt);
	t = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	part(sub, t);
	g_free(t);
}

/* s made valid UTF-8 and cut to at most max bytes (max >= 3) on a
 * character boundary, "..." ending a cut one (caller g_free()s): a name
 * or a result type is whatever a report says, of any length. */
static char *
cut(const char *s, size_t max)
{
	char *v = g_utf8_make_valid(s, -1), *r;
	const char *p = v, *next;

	if (strlen(v) <= max)
		return v;
	while ((size_t)((next = g_utf8_next_char(p)) - v) <= max - 3)
		p = next;
	r = g_strdup_printf("%.*s...", (int)(p - v), v);
	g_free(v);
	return r;
}

/* d's name, cut to SUBJECT_NAME_MAX: a Subject carries the worst domain,
 * whatever its length. */
static char *
short_name(const struct summary_domain *d)
{
	return cut(d->name, SUBJECT_NAME_MAX);
}

/* How many domains of the action run have bit but not the failures. */
static guint
count_needs(const struct summary_agg *a, unsigned bit,
	    const struct summary_domain **one)
{
	guint i, n = 0;

	for (i = 0; i < a->n_action; i++) {
		const struct summary_domain *d =
			g_ptr_array_index(a->triage, i);

		if ((d->needs & bit) && !(d->needs & SUMMARY_NEEDS_FAILURES)) {
			*one = d;
			n++;
		}
	}
	return n;
}

/* The worst failing domain, with how many are failing when more are:
 * "example.org 3.1% failures (certificate-expired)", "7 failing, worst
 * example.org 30.0% (certificate-expired)". */
static void
failing_parts(const struct summary_agg *a, struct subject *sub)
{
	guint n = summary_n_failing(a);
	const struct summary_domain *d;
	const char *t;
	char pct[SUMMARY_PERCENT_MAX], *name, *head, *type;
	size_t used;

	if (n == 0)
		return;
	d = g_ptr_array_index(a->triage, 0); /* failing ones first */
	t = summary_top_result(a, d->name);
	summary_percent(d->cur.failures, summary_sessions(&d->cur), pct);
	name = short_name(d);
	head = n == 1 ? g_strdup_printf("%s %s failures (", name, pct)
		      : g_strdup_printf("%u failing, worst %s %s (", n, name,
					pct);
	/* This part goes in whether it fits or not: the result type, any
	 * string of the report, gets the room that is left. */
	used = sub->s->len + (sub->s->len > 0 ? 2 : 0) + strlen(head) + 1;
	type = cut(t != NULL ? t : "no details given",
		   used + 3 < SUBJECT_MAX ? SUBJECT_MAX - used : 3);
	sub->must = 1;
	partf(sub, "%s%s)", head, type);
	g_free(type);
	g_free(head);
	g_free(name);
}

/* "example.net silent" for one, "3 silent" for more. */
static void
needs_part(const struct summary_agg *a, struct subject *sub, unsigned bit,
	   const char *what)
{
	const struct summary_domain *one = NULL;
	guint n = count_needs(a, bit, &one);
	char *name;

	if (n == 1) {
		name = short_name(one);
		partf(sub, "%s %s", name, what);
		g_free(name);
	} else if (n > 1) {
		partf(sub, "%u %s", n, what);
	}
}

/* "N things" when there are any. */
static void
count_part(struct subject *sub, int64_t n, const char *one, const char *many)
{
	if (n > 0)
		partf(sub, "%lld %s", (long long)n,
		      summary_plural(n, one, many));
}

/* Domains whose sessions all went through (not-ready ones too: their
 * mail is fine, their policy not yet enforced). */
static guint
count_ok(const struct summary_agg *a)
{
	guint i, ok = 0;

	for (i = 0; i < a->triage->len; i++) {
		const struct summary_domain *d =
			g_ptr_array_index(a->triage, i);

		ok += d->cur.successes > 0 &&
		      !(d->needs &
			(SUMMARY_NEEDS_FAILURES | SUMMARY_NEEDS_SILENT |
			 SUMMARY_NEEDS_BELOW));
	}
	return ok;
}

char *
summary_mail_subject(const struct summary_agg *a)
{
	struct subject sub = {g_string_new(NULL), 0, 0};
	guint ok = count_ok(a), failing = summary_n_failing(a);

	/* First: every count after it is short. */
	count_part(&sub, (int64_t)a->problems.unreadable,
		   "unreadable store file", "unreadable store files");
	if (summary_sessions(&a->total) == 0)
		part(&sub, "no data");
	/* The verdict: the worst failing domain, or how many are OK. */
	if (failing == 0 && ok > 0)
		partf(&sub, "%u %s OK", ok,
		      summary_plural(ok, "domain", "domains"));
	failing_parts(a, &sub);
	needs_part(a, &sub, SUMMARY_NEEDS_SILENT, "silent");
	needs_part(a, &sub, SUMMARY_NEEDS_NOT_READY, "not ready");
	needs_part(a, &sub, SUMMARY_NEEDS_PROBE, "with probe findings");
	count_part(&sub, (int64_t)a->problems.skipped, "damaged store line",
		   "damaged store lines");
	count_part(&sub, a->problems.impersonations, "impersonation",
		   "impersonations");
	count_part(&sub, a->problems.conflicts, "conflicting report",
		   "conflicting reports");
	count_part(&sub, summary_n_below(a), "domain below threshold",
		   "domains below threshold");
	if (failing > 0 && ok > 0)
		partf(&sub, "%u %s OK", ok,
		      summary_plural(ok, "domain", "domains"));
	g_string_prepend(sub.s, "TLS-RPT: ");
	return g_string_free(sub.s, FALSE);
}
