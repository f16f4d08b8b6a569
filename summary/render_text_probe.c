/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * render_text_probe.c -- "our probe" beside what senders reported: per
 * domain the findings of tlsrpt-probe's latest run in the window, or "no
 * findings", with the time of the run (summary/probe.h).
 */
#include "summary/render.h"

#include "report/report.h"
#include "summary/explain.h"
#include "summary/probe.h"
#include "summary/render_text_impl.h"
#include "summary/triage.h"

/* Domains the probe found nothing at, listed before "N more" (--all:
 * all), as the healthy ones of the default view. */
#define CLEAN_MAX 10

static void
finding_line(FILE *out, const struct summary_probe_finding *f)
{
	GString *s = g_string_new(NULL);

	g_string_append(s, f->result_type);
	if (f->mx_host != NULL)
		g_string_append_printf(s, " on %s", f->mx_host);
	if (f->address != NULL)
		g_string_append_printf(s, " [%s]", f->address);
	if (f->action != NULL)
		g_string_append_printf(s, " -> %s", f->action);
	/* The wrap puts a space before text that does not start a line. */
	fputc(' ', out);
	summary_text_wrap(out, s->str, 1, 6);
	g_string_free(s, TRUE);
}

/* Under a finding, the reported failures it explains (explain.h):
 * "explains reported certificate-expired on mx2.example.net (6 failed
 * sessions)". */
static void
explains_lines(FILE *out, const GArray *links,
	       const struct summary_probe_finding *f)
{
	for (guint i = 0; i < links->len; i++) {
		const struct summary_explained *e =
			&g_array_index(links, struct summary_explained, i);
		char *r, *t;

		if (e->finding != f)
			continue;
		r = summary_reported_text(e->pair);
		t = g_strdup_printf("explains reported %s", r);
		g_free(r);
		fputs("     ", out);
		summary_text_wrap(out, t, 5, 8);
		g_free(t);
	}
}

/* One domain's line and its findings, each with what it explains of
 * the domain's reported failures. */
static void
domain_lines(FILE *out, const struct summary_agg *a,
	     const struct summary_probe *p)
{
	const struct summary_domain *d =
		g_hash_table_lookup(a->domains_h, p->domain);
	GArray *links =
		d != NULL && d->probe == p ? summary_explained(d) : NULL;
	int64_t n = summary_probe_count(p);
	char when[24], *line;

	tlsrpt_format_datetime(p->time, when, sizeof(when));
	if (p->error != NULL)
		line = g_strdup_printf("%s (%s): not probed: %s", p->domain,
				       when, p->error);
	else if (n == 0)
		line = g_strdup_printf("%s (%s): no findings", p->domain, when);
	else
		line = g_strdup_printf(
			"%s (%s): %lld %s", p->domain, when, (long long)n,
			summary_plural(n, "finding", "findings"));
	summary_text_wrap(out, line, 0, 4);
	g_free(line);
	for (guint j = 0; j < p->findings->len; j++) {
		finding_line(out, g_ptr_array_index(p->findings, j));
		if (links != NULL)
			explains_lines(out, links,
				       g_ptr_array_index(p->findings, j));
	}
	if (p->over > 0)
		fprintf(out, "  ... %lld more\n", (long long)p->over);
	if (links != NULL)
		g_array_free(links, TRUE);
}

static int
clean_run(const struct summary_probe *p)
{
	return p->error == NULL && summary_probe_count(p) == 0;
}

void
summary_text_probe(FILE *out, const struct summary_agg *a)
{
	guint shown = 0, clean = 0;

	if (a->probes == NULL || a->probes->len == 0)
		return;
	fprintf(out, "\nOUR PROBE (latest run)\n");
	/* What needs a look first; then the clean domains, cut after a few
	 * as the healthy ones are (a fleet's probe is mostly clean). */
	for (guint i = 0; i < a->probes->len; i++)
		if (!clean_run(g_ptr_array_index(a->probes, i)))
			domain_lines(out, a, g_ptr_array_index(a->probes, i));
	for (guint i = 0; i < a->probes->len; i++) {
		const struct summary_probe *p = g_ptr_array_index(a->probes, i);

		if (!clean_run(p))
			continue;
		clean++;
		if (a->opt.list_all || shown < CLEAN_MAX) {
			domain_lines(out, a, p);
			shown++;
		}
	}
	if (clean > shown)
		fprintf(out, "... %u more with no findings: --all\n",
			clean - shown);
	/* Only the counts there are, each with its plural. */
	if (a->probe_damaged > 0)
		fprintf(out, "(%lld damaged or unread findings %s)\n",
			(long long)a->probe_damaged,
			summary_plural(a->probe_damaged, "line", "lines"));
	if (a->probe_domains_over > 0)
		fprintf(out, "(%lld %s past the limit)\n",
			(long long)a->probe_domains_over,
			summary_plural(a->probe_domains_over, "domain",
				       "domains"));
}
