/* SPDX-License-Identifier: BSD-2-Clause */
/* reporters.c -- the known reporters file and who sent a report. */
#include "summary/reporters.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

#include "base/siphash.h"

struct summary_known {
	GHashTable *names; /* normalised name -> char ** domains (lower) */
};

/* Case-folded, blanks at the ends dropped and inner runs made one space:
 * a forger gains nothing by writing "GOOGLE  Inc.". */
static char *
norm_name(const char *s)
{
	char *f = g_utf8_make_valid(s, -1), *cf, *o, *p;
	int blank = 0;

	cf = g_utf8_casefold(f, -1);
	g_free(f);
	for (o = p = cf; *p != '\0'; p++) {
		if (*p == ' ' || *p == '\t') {
			blank = o != cf;
			continue;
		}
		if (blank)
			*o++ = ' ';
		blank = 0;
		*o++ = *p;
	}
	*o = '\0';
	return cf;
}

static int
domain_ok(const char *d)
{
	if (*d == '\0' || strlen(d) > 253)
		return 0;
	for (; *d != '\0'; d++)
		if (!g_ascii_isalnum(*d) && *d != '-' && *d != '.')
			return 0;
	return 1;
}

int
summary_known_parse(const char *text, size_t len, const char *path,
		    struct summary_known **out, struct tlsrpt_error *err)
{
	struct summary_known *k = g_new0(struct summary_known, 1);
	char *copy = g_strndup(text, len), **lines;
	int rc = 0;

	*out = NULL;
	k->names = g_hash_table_new_full(tlsrpt_str_hash, g_str_equal, g_free,
					 (GDestroyNotify)g_strfreev);
	lines = g_strsplit(copy, "\n", -1);
	for (size_t i = 0; lines[i] != NULL && rc == 0; i++) {
		char *l = g_strstrip(lines[i]), *name, *low, **doms;
		size_t n = strcspn(l, " \t");

		if (l[0] == '\0' || l[0] == '#')
			continue;
		name = l + n;
		if (*name != '\0')
			*name++ = '\0';
		name = g_strstrip(name);
		low = g_ascii_strdown(l, -1);
		doms = g_strsplit(low, ",", -1);
		g_free(low);
		for (size_t j = 0; doms[j] != NULL && rc == 0; j++)
			rc = domain_ok(doms[j]) ? 0 : -1;
		if (rc != 0 || name[0] == '\0' || doms[0] == NULL) {
			rc = tlsrpt_error_set(err, TLSRPT_ERR_INVALID, path,
					      "line %zu: not \"domain[,domain]"
					      " organization-name\"",
					      i + 1);
			g_strfreev(doms);
			break;
		}
		g_hash_table_replace(k->names, norm_name(name), doms);
	}
	g_strfreev(lines);
	g_free(copy);
	if (rc != 0) {
		summary_known_free(k);
		return -1;
	}
	*out = k;
	return 0;
}

int
summary_known_load(const char *path, struct summary_known **out,
		   struct tlsrpt_error *err)
{
	GError *ge = NULL;
	char *text;
	gsize len;
	int rc;

	*out = NULL;
	if (!g_file_get_contents(path, &text, &len, &ge)) {
		tlsrpt_error_set(err, TLSRPT_ERR_IO, path,
				 "cannot read the known reporters: %s",
				 ge->message);
		g_error_free(ge);
		return -1;
	}
	rc = summary_known_parse(text, len, path, out, err);
	g_free(text);
	return rc;
}

void
summary_known_free(struct summary_known *k)
{
	if (k == NULL)
		return;
	g_hash_table_destroy(k->names);
	g_free(k);
}

size_t
summary_known_count(const struct summary_known *k)
{
	return k != NULL ? g_hash_table_size(k->names) : 0;
}

/* d itself or a subdomain of it. */
static int
under(const char *s, const char *d)
{
	size_t ls = strlen(s), ld = strlen(d);

	if (ls < ld || g_ascii_strcasecmp(s + ls - ld, d) != 0)
		return 0;
	return ls == ld || s[ls - ld - 1] == '.';
}

const char *
summary_contact_domain(const char *contact, size_t *len)
{
	const char *p, *end;

	if (contact == NULL)
		return NULL;
	if ((p = strrchr(contact, '@')) != NULL)
		p++;
	else if ((p = strstr(contact, "://")) != NULL)
		p += 3;
	else
		return NULL;
	end = p + strcspn(p, " \t>/?:;,");
	if (end == p)
		return NULL;
	*len = (size_t)(end - p);
	return p;
}

char *const *
summary_known_lookup(const struct summary_known *k, const char *org)
{
	char *n, **doms;

	if (k == NULL || org == NULL)
		return NULL;
	n = norm_name(org);
	doms = g_hash_table_lookup(k->names, n);
	g_free(n);
	return doms;
}

void
summary_classify(const struct summary_known *k, const char *org,
		 enum tlsrpt_dkim dkim, const char *submitter,
		 const char *contact, struct summary_sender_id *out)
{
	summary_classify_doms(summary_known_lookup(k, org), dkim, submitter,
			      contact, out);
}

void
summary_classify_doms(char *const *doms, enum tlsrpt_dkim dkim,
		      const char *submitter, const char *contact,
		      struct summary_sender_id *out)
{
	int pass = dkim == TLSRPT_DKIM_PASS;
	const char *cd;
	size_t cl = 0;

	memset(out, 0, sizeof(*out));
	if (submitter != NULL && submitter[0] != '\0')
		g_strlcpy(out->from, submitter, sizeof(out->from));
	else if ((cd = summary_contact_domain(contact, &cl)) != NULL &&
		 cl < sizeof(out->from)) {
		memcpy(out->from, cd, cl);
		out->from[cl] = '\0';
	}
	if (doms == NULL) {
		/* Unknown name: only a DKIM pass for its submitter says who. */
		if (pass && submitter != NULL && submitter[0] != '\0') {
			out->auth = SUMMARY_AUTH_OK;
			out->domain = out->from;
		}
		return;
	}
	out->known_domain = doms[0];
	if (out->from[0] == '\0') {
		/* A known name with nothing at all saying where it came
		 * from (an HTTPS POST without contact-info): the name
		 * alone must not put counts in the reporter's row. */
		g_strlcpy(out->from, "(unknown)", sizeof(out->from));
		out->auth = SUMMARY_AUTH_IMPERSONATION;
		out->domain = out->from;
		return;
	}
	for (size_t i = 0; doms[i] != NULL; i++) {
		if (!under(out->from, doms[i]))
			continue;
		/* The contact-info alone proves nothing. */
		if (pass && submitter != NULL && submitter[0] != '\0') {
			out->auth = SUMMARY_AUTH_OK;
			out->domain = doms[i];
		} else if (dkim == TLSRPT_DKIM_FAIL) {
			/* Our verifier saw its signature fail: a copied
			 * or tampered signature, not the reporter. */
			out->auth = SUMMARY_AUTH_IMPERSONATION;
			out->domain = out->from;
		}
		return;
	}
	out->auth = SUMMARY_AUTH_IMPERSONATION;
	out->domain = out->from;
}
