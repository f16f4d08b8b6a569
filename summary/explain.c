/* SPDX-License-Identifier: BSD-2-Clause */
/* explain.c -- reported failures that our probe explains (explain.h). */
#include "summary/explain.h"

#include <arpa/inet.h>
#include <string.h>

#include "summary/triage.h"

/* The finding types that explain a reported type other than their own. */
static const struct {
	const char *reported, *finding;
} also[] = {
	{"certificate-expired", "certificate-expiring"},
	{"validation-failure", "certificate-expired"},
	{"validation-failure", "certificate-host-mismatch"},
	{"validation-failure", "certificate-not-trusted"},
};

static int
type_explains(const char *finding, const char *reported)
{
	if (strcmp(finding, reported) == 0)
		return 1;
	for (size_t i = 0; i < G_N_ELEMENTS(also); i++)
		if (strcmp(also[i].reported, reported) == 0 &&
		    strcmp(also[i].finding, finding) == 0)
			return 1;
	return 0;
}

/* Host names as DNS compares them: ASCII case aside, one trailing dot
 * ignored. */
static int
same_host(const char *x, const char *y)
{
	size_t nx = strlen(x), ny = strlen(y);

	if (nx > 0 && x[nx - 1] == '.')
		nx--;
	if (ny > 0 && y[ny - 1] == '.')
		ny--;
	return nx == ny && nx > 0 && g_ascii_strncasecmp(x, y, nx) == 0;
}

/* Two texts of one IP address ("2001:db8::1", "2001:DB8:0::1"). */
static int
same_address(const char *x, const char *y)
{
	unsigned char a[16], b[16];

	if (inet_pton(AF_INET, x, a) == 1)
		return inet_pton(AF_INET, y, b) == 1 && memcmp(a, b, 4) == 0;
	if (inet_pton(AF_INET6, x, a) == 1)
		return inet_pton(AF_INET6, y, b) == 1 && memcmp(a, b, 16) == 0;
	return 0;
}

int
summary_probe_explains(const struct summary_probe_finding *f, const char *type,
		       const char *mx)
{
	if (f->result_type == NULL || type == NULL ||
	    !type_explains(f->result_type, type))
		return 0;
	if (f->mx_host == NULL)
		return 1;
	if (mx == NULL)
		return 0;
	return same_host(f->mx_host, mx) ||
	       (f->address != NULL && same_address(f->address, mx));
}

GArray *
summary_explained(const struct summary_domain *d)
{
	GArray *v = g_array_new(FALSE, FALSE, sizeof(struct summary_explained));
	const struct summary_domain_cold *c = summary_cold_of(d);

	if (d->probe == NULL)
		return v;
	for (guint i = 0; i < c->n_pairs; i++) {
		const struct summary_pair *x = c->pairs[i];

		for (guint j = 0; j < d->probe->findings->len; j++) {
			struct summary_explained e = {
				x, g_ptr_array_index(d->probe->findings, j)};

			if (summary_probe_explains(e.finding, x->type, x->mx))
				g_array_append_val(v, e);
		}
	}
	return v;
}

int64_t
summary_explained_sessions(const struct summary_domain *d)
{
	GArray *v = summary_explained(d);
	const struct summary_pair *last = NULL;
	int64_t n = 0;

	/* Links come by pair: count a pair at its first link. */
	for (guint i = 0; i < v->len; i++) {
		const struct summary_explained *e =
			&g_array_index(v, struct summary_explained, i);

		if (e->pair != last)
			n = tlsrpt_count_add(n, e->pair->sessions);
		last = e->pair;
	}
	g_array_free(v, TRUE);
	return n;
}

char *
summary_reported_text(const struct summary_pair *x)
{
	GString *s = g_string_new(x->type);

	if (x->mx != NULL)
		g_string_append_printf(s, " on %s", x->mx);
	g_string_append_printf(
		s, " (%lld failed %s)", (long long)x->sessions,
		summary_plural(x->sessions, "session", "sessions"));
	return g_string_free(s, FALSE);
}

char *
summary_explained_text(const struct summary_explained *e)
{
	const struct summary_probe_finding *f = e->finding;
	char *reported = summary_reported_text(e->pair);
	/* The probe's own words, with the dates, when it gave them. */
	char *t = g_strdup_printf("reported %s; our probe: %s%s%s", reported,
				  f->result_type, f->detail != NULL ? ", " : "",
				  f->detail != NULL ? f->detail : "");

	g_free(reported);
	return t;
}
