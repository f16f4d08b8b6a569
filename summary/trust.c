/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * trust.c -- who sent each report, as the aggregation sees it: the
 * classification of reporters.h applied to every report, impersonations
 * kept out of the counts and listed, and per organisation how many of its
 * reports were authenticated as its domain.
 */
#include <string.h>

#include "base/siphash.h"
#include "summary/aggregate.h"

void
summary_suspect_free(gpointer p)
{
	struct summary_suspect *s = p;

	g_free(s->org);
	g_free(s->report_id);
	g_free(s->from);
	g_free(s->dkim);
	g_free(s->known_domain);
	g_ptr_array_free(s->domains, TRUE);
	g_free(s);
}

void
summary_trust_classify(struct summary_agg *a, const struct tlsrpt_record *rec)
{
	gpointer doms = NULL;

	/* A handful of names, a million reports: look each name up once
	 * (normalising it costs more than the rest of a report). */
	if (a->known_cache == NULL)
		a->known_cache = g_hash_table_new_full(
			tlsrpt_str_hash, g_str_equal, g_free, NULL);
	if (!g_hash_table_lookup_extended(
		    a->known_cache, rec->organization_name, NULL, &doms)) {
		doms = (gpointer)summary_known_lookup(a->opt.known,
						      rec->organization_name);
		g_hash_table_insert(a->known_cache,
				    g_strdup(rec->organization_name), doms);
	}
	summary_classify_doms(doms, rec->dkim, rec->submitter,
			      rec->contact_info, &a->cur_id);
	a->cur_suspect = NULL;
}

void
summary_trust_suspect(struct summary_agg *a, const struct tlsrpt_record *rec,
		      const char *domain, int new_report, int new_for_domain)
{
	struct summary_suspect *s = a->cur_suspect;

	if (new_report || s == NULL) {
		s = g_new0(struct summary_suspect, 1);
		s->org = g_strdup(rec->organization_name);
		s->report_id = g_strdup(rec->report_id);
		s->from = g_strdup(a->cur_id.from);
		s->dkim = g_strdup(tlsrpt_dkim_name(rec->dkim));
		s->known_domain = g_strdup(a->cur_id.known_domain);
		s->received = rec->received;
		s->domains = g_ptr_array_new_with_free_func(g_free);
		g_ptr_array_add(a->suspects, s);
		a->cur_suspect = s;
		a->problems.impersonations++;
	}
	if (new_for_domain)
		g_ptr_array_add(s->domains, g_strdup(domain));
	summary_counts_add(&s->c, &rec->policy);
}

void
summary_trust_org(struct summary_agg *a, struct summary_org *o)
{
	const struct summary_sender_id *id = &a->cur_id;

	if (o->known_domain == NULL && id->known_domain != NULL)
		o->known_domain = g_strdup(id->known_domain);
	if (id->auth != SUMMARY_AUTH_OK)
		return;
	/* "authenticated as D (n of m)": n counts D alone, so a forger
	 * authenticated as another domain cannot lend it his reports. */
	if (o->auth_domain == NULL)
		o->auth_domain = g_strdup(id->domain);
	if (g_ascii_strcasecmp(o->auth_domain, id->domain) == 0)
		o->auth_reports++;
}

char *
summary_org_auth_text(const struct summary_org *o)
{
	if (o->auth_reports == 0 || o->auth_domain == NULL)
		return g_strdup("not authenticated");
	if (o->auth_reports >= o->reports)
		return g_strdup_printf("authenticated as %s", o->auth_domain);
	return g_strdup_printf("authenticated as %s (%lld of %lld reports)",
			       o->auth_domain, (long long)o->auth_reports,
			       (long long)o->reports);
}

int
summary_trust_problems(const struct summary_agg *a)
{
	return a->problems.impersonations > 0 || a->problems.conflicts > 0;
}

/* g_snprintf cuts a long name anywhere: end buf at the last whole UTF-8
 * character, so every output (JSON above all) can take it. */
static void
utf8_cut(char *buf)
{
	const gchar *end;

	if (!g_utf8_validate(buf, -1, &end))
		*(char *)end = '\0';
}

static void
sender_text(char *buf, size_t size, enum summary_auth auth, const char *dom)
{
	switch (auth) {
	case SUMMARY_AUTH_OK:
		g_snprintf(buf, size, "authenticated as %s", dom);
		utf8_cut(buf);
		return;
	case SUMMARY_AUTH_IMPERSONATION:
		g_snprintf(buf, size, "IMPERSONATION: sent from %s", dom);
		utf8_cut(buf);
		return;
	case SUMMARY_AUTH_NONE: break;
	}
	g_snprintf(buf, size, "not authenticated");
}

GArray *
summary_sender_rows(const struct summary_agg *a)
{
	GArray *rows =
		g_array_new(FALSE, TRUE, sizeof(struct summary_sender_row));
	struct summary_sender_row r;
	guint i, j;

	for (i = 0; i < a->suspects->len; i++) {
		const struct summary_suspect *s =
			g_ptr_array_index(a->suspects, i);

		memset(&r, 0, sizeof(r));
		r.kind = "impersonation";
		r.org = s->org;
		r.report_id = s->report_id;
		r.submitter = s->from;
		r.dkim = s->dkim;
		r.received = s->received;
		g_snprintf(r.sender, sizeof(r.sender),
			   "IMPERSONATION: claims %s (%s) but sent from %s",
			   s->org, s->known_domain, s->from);
		utf8_cut(r.sender);
		r.c = s->c;
		g_array_append_val(rows, r);
	}
	for (i = 0; i < a->conflicts->len; i++) {
		const struct summary_conflict *c =
			g_ptr_array_index(a->conflicts, i);

		for (j = 0; j < c->versions->len; j++) {
			const struct summary_conflict_version *v =
				g_ptr_array_index(c->versions, j);

			memset(&r, 0, sizeof(r));
			r.kind = "conflict";
			r.org = c->org;
			r.report_id = c->report_id;
			r.submitter = v->submitter;
			r.dkim = v->dkim;
			r.received = v->received;
			sender_text(r.sender, sizeof(r.sender), v->auth,
				    v->auth_domain);
			r.counted = v->counted;
			r.c = v->c;
			g_array_append_val(rows, r);
		}
	}
	return rows;
}
