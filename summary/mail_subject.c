/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mail_subject.c -- when the digest is worth a mail, and its Subject: the
 * verdict in a few words, so a postmaster can triage from the inbox list.
 */
#include "summary/render_mail.h"

#include <string.h>

#define SUBJECT_FAILING 3 /* failing domains named before "N more" */
#define SUBJECT_SILENT 2  /* silent domains named before "N more" */

int
summary_fine(const struct summary_agg *a)
{
	return summary_sessions(&a->total) > 0 && a->total.failures == 0 &&
	       a->silent_domains->len == 0 && a->silent_reporters->len == 0 &&
	       a->problems.skipped == 0 && a->problems.unreadable == 0 &&
	       !summary_trust_problems(a);
}

/* Most failures first, then by name: the worst is named first. */
static gint
cmp_failing(gconstpointer x, gconstpointer y)
{
	const struct summary_domain *a = *(const void *const *)x;
	const struct summary_domain *b = *(const void *const *)y;

	if (a->cur.failures != b->cur.failures)
		return a->cur.failures > b->cur.failures ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* The result type with most failed sessions that hit this domain (the
 * aggregation counts types over all domains, sorted), or NULL. */
static const char *
top_result(const struct summary_agg *a, const char *domain)
{
	guint i, j;

	for (i = 0; i < a->results->len; i++) {
		const struct summary_result *r =
			g_ptr_array_index(a->results, i);

		for (j = 0; j < r->domains->len; j++) {
			if (strcmp(g_ptr_array_index(r->domains, j), domain) ==
			    0)
				return r->type;
		}
	}
	return NULL;
}

static void
part(GString *s, const char *text)
{
	g_string_append(s, s->len > 0 ? ", " : "");
	g_string_append(s, text);
}

static void
failing_parts(const struct summary_agg *a, GString *s)
{
	GPtrArray *failing = g_ptr_array_new();
	guint i;

	for (i = 0; i < a->domains->len; i++) {
		struct summary_domain *d = g_ptr_array_index(a->domains, i);

		if (d->cur.failures > 0)
			g_ptr_array_add(failing, d);
	}
	g_ptr_array_sort(failing, cmp_failing);
	for (i = 0; i < failing->len && i < SUBJECT_FAILING; i++) {
		const struct summary_domain *d = g_ptr_array_index(failing, i);
		const char *type = top_result(a, d->name);
		char *t = g_strdup_printf(
			"%s %.1f%% failures (%s)", d->name,
			100.0 - summary_rate_shown(&d->cur, 1),
			type != NULL ? type : "no details given");

		part(s, t);
		g_free(t);
	}
	if (failing->len > SUBJECT_FAILING) {
		char *t = g_strdup_printf("%u more failing",
					  failing->len - SUBJECT_FAILING);

		part(s, t);
		g_free(t);
	}
	g_ptr_array_free(failing, TRUE);
}

static void
silence_parts(const struct summary_agg *a, GString *s)
{
	guint i, n = a->silent_domains->len;
	char *t;

	for (i = 0; i < n && i < SUBJECT_SILENT; i++) {
		const struct summary_domain *d =
			g_ptr_array_index(a->silent_domains, i);

		t = g_strdup_printf("%s silent", d->name);
		part(s, t);
		g_free(t);
	}
	if (n > SUBJECT_SILENT) {
		t = g_strdup_printf("%u more silent", n - SUBJECT_SILENT);
		part(s, t);
		g_free(t);
	}
	if (a->silent_reporters->len > 0) {
		t = g_strdup_printf("%u reporter%s stopped",
				    a->silent_reporters->len,
				    a->silent_reporters->len == 1 ? "" : "s");
		part(s, t);
		g_free(t);
	}
}

/* "N things" when there are any. */
static void
count_part(GString *s, int64_t n, const char *what)
{
	char *t;

	if (n <= 0)
		return;
	t = g_strdup_printf("%lld %s%s", (long long)n, what, n == 1 ? "" : "s");
	part(s, t);
	g_free(t);
}

char *
summary_mail_subject(const struct summary_agg *a)
{
	GString *s = g_string_new(NULL);
	guint i, ok = 0;
	char *t;

	/* First: every count after it is short. */
	count_part(s, (int64_t)a->problems.unreadable, "unreadable store file");
	if (summary_sessions(&a->total) == 0)
		part(s, "no data");
	for (i = 0; i < a->domains->len; i++) {
		const struct summary_domain *d =
			g_ptr_array_index(a->domains, i);

		if (d->cur.successes > 0 && d->cur.failures == 0)
			ok++;
	}
	if (ok > 0) {
		t = g_strdup_printf("%u domain%s OK", ok, ok == 1 ? "" : "s");
		part(s, t);
		g_free(t);
	}
	failing_parts(a, s);
	silence_parts(a, s);
	if (a->problems.skipped > 0) {
		t = g_strdup_printf("%lu damaged store line%s",
				    a->problems.skipped,
				    a->problems.skipped == 1 ? "" : "s");
		part(s, t);
		g_free(t);
	}
	count_part(s, a->problems.impersonations, "impersonation");
	count_part(s, a->problems.conflicts, "conflicting report");
	g_string_prepend(s, "TLS-RPT: ");
	return g_string_free(s, FALSE);
}
