/* SPDX-License-Identifier: BSD-2-Clause */
/* probe.c -- the latest probe run per domain in the window (probe.h). */
#include "summary/probe.h"

#include <string.h>

#include "base/count.h"
#include "store/findings.h"

/* The findings that mean senders doing MTA-STS in enforce would refuse
 * the mail: the MX certificate does not match or is not valid, or the
 * policy cannot be used. */
static const char *const blockers[] = {
	"certificate-host-mismatch",
	"sts-policy-invalid",
	"certificate-expired",
	"certificate-not-trusted",
};

void
summary_probe_finding_free(gpointer p)
{
	struct summary_probe_finding *f = p;

	g_free(f->result_type);
	g_free(f->mx_host);
	g_free(f->address);
	g_free(f->detail);
	g_free(f->action);
	g_free(f);
}

void
summary_probe_free(gpointer p)
{
	struct summary_probe *pr = p;

	if (pr == NULL)
		return;
	g_free(pr->domain);
	g_free(pr->error);
	g_ptr_array_free(pr->findings, TRUE);
	g_free(pr);
}

/* Whether the options ask for domain (all when none named). */
static int
asked(const struct summary_options *o, const char *domain)
{
	if (o->n_domains == 0)
		return 1;
	for (size_t i = 0; i < o->n_domains; i++)
		if (g_ascii_strcasecmp(o->domains[i], domain) == 0)
			return 1;
	return 0;
}

/* A newer run starts over: only the latest run's findings count. */
static void
start_over(struct summary_probe *p, int64_t time)
{
	p->time = time;
	p->have_run = 0;
	g_free(p->error);
	p->error = NULL;
	g_ptr_array_set_size(p->findings, 0);
	p->over = 0;
}

static int
same_str(const char *x, const char *y)
{
	return x == NULL || y == NULL ? x == y : strcmp(x, y) == 0;
}

/* The same finding of the same run met again (one store given twice, a
 * findings file copied into another store): counted once; at most
 * SUMMARY_PROBE_FINDINGS_MAX to look at. */
static int
seen(const struct summary_probe *p, const struct tlsrpt_finding_line *l)
{
	int found = 0;

	for (guint i = 0; !found && i < p->findings->len; i++) {
		const struct summary_probe_finding *f =
			g_ptr_array_index(p->findings, i);

		found = same_str(f->result_type, l->result_type) &&
			same_str(f->mx_host, l->mx_host) &&
			same_str(f->address, l->address);
	}
	return found;
}

static void
take_line(const struct tlsrpt_finding_line *l, void *ctx)
{
	struct summary_agg *a = ctx;
	struct summary_probe *p;
	char *name;

	if (l->time < a->opt.since || l->time >= a->opt.until ||
	    !asked(&a->opt, l->domain))
		return;
	name = g_ascii_strdown(l->domain, -1);
	p = g_hash_table_lookup(a->probes_h, name);
	if (p == NULL) {
		if (g_hash_table_size(a->probes_h) >=
		    SUMMARY_PROBE_DOMAINS_MAX) {
			a->probe_domains_over =
				tlsrpt_count_add(a->probe_domains_over, 1);
			g_free(name);
			return;
		}
		p = g_new0(struct summary_probe, 1);
		p->domain = g_strdup(name);
		p->time = l->time;
		p->findings = g_ptr_array_new_with_free_func(
			summary_probe_finding_free);
		g_hash_table_insert(a->probes_h, p->domain, p);
	}
	g_free(name);
	if (l->time < p->time)
		return;
	if (l->time > p->time)
		start_over(p, l->time);
	if (l->kind == TLSRPT_FINDING_RUN) {
		p->have_run = 1;
		g_free(p->error);
		p->error = g_strdup(l->error);
	} else if (seen(p, l)) {
		return;
	} else if (p->findings->len >= SUMMARY_PROBE_FINDINGS_MAX) {
		p->over = tlsrpt_count_add(p->over, 1);
	} else {
		struct summary_probe_finding *f =
			g_new0(struct summary_probe_finding, 1);

		f->result_type = g_strdup(l->result_type);
		f->mx_host = g_strdup(l->mx_host);
		f->address = g_strdup(l->address);
		f->detail = g_strdup(l->detail);
		f->action = g_strdup(l->action);
		g_ptr_array_add(p->findings, f);
	}
}

int
summary_probe_read_from(struct summary_agg *a, summary_findings_source src,
			void *src_ctx, struct tlsrpt_error *err)
{
	struct tlsrpt_findings_stats st;
	int64_t first = a->opt.since / 86400, last = (a->opt.until - 1) / 86400;
	int rc;

	if (a->opt.since < 0)
		first = 0;
	rc = src(src_ctx, first, last, take_line, a, &st, err);
	a->probe_damaged = tlsrpt_count_add(
		a->probe_damaged, (int64_t)(st.damaged + st.truncated));
	return rc;
}

/* The store directories as a source of findings. */
struct dirs {
	const char *const *dirs;
	size_t n;
};

static int
dirs_source(void *src, int64_t first, int64_t last, tlsrpt_findings_fn fn,
	    void *ctx, struct tlsrpt_findings_stats *st,
	    struct tlsrpt_error *err)
{
	const struct dirs *d = src;

	return tlsrpt_findings_read(d->dirs, d->n, first, last, fn, ctx, st,
				    err);
}

int
summary_probe_read(struct summary_agg *a, const char *const *dirs,
		   size_t n_dirs, struct tlsrpt_error *err)
{
	struct dirs d = {dirs, n_dirs};

	return summary_probe_read_from(a, dirs_source, &d, err);
}

static gint
cmp_name(gconstpointer x, gconstpointer y)
{
	const struct summary_probe *a = *(const void *const *)x;
	const struct summary_probe *b = *(const void *const *)y;

	return strcmp(a->domain, b->domain);
}

void
summary_probe_finish(struct summary_agg *a)
{
	a->probes = summary_values(a->probes_h);
	g_ptr_array_sort(a->probes, cmp_name);
	for (guint i = 0; i < a->probes->len; i++) {
		struct summary_probe *p = g_ptr_array_index(a->probes, i);
		struct summary_domain *d =
			g_hash_table_lookup(a->domains_h, p->domain);

		/* The group of policies without a domain is no domain. */
		if (strcmp(p->domain, SUMMARY_NO_DOMAIN) == 0)
			continue;
		if (d == NULL && summary_probe_count(p) > 0) {
			d = summary_agg_domain(a, p->domain);
			d->probe_only = 1;
		}
		if (d != NULL)
			d->probe = p;
	}
}

const struct summary_probe_finding *
summary_probe_blocker(const struct summary_probe *p)
{
	for (guint i = 0; p != NULL && i < p->findings->len; i++) {
		const struct summary_probe_finding *f =
			g_ptr_array_index(p->findings, i);

		for (size_t j = 0; j < G_N_ELEMENTS(blockers); j++)
			if (strcmp(f->result_type, blockers[j]) == 0)
				return f;
	}
	return NULL;
}

int64_t
summary_probe_count(const struct summary_probe *p)
{
	return tlsrpt_count_add((int64_t)p->findings->len, p->over);
}

int
summary_probe_found(const struct summary_domain *d)
{
	return d->probe != NULL && summary_probe_count(d->probe) > 0;
}
