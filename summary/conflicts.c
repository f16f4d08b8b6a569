/* SPDX-License-Identifier: BSD-2-Clause */
/* conflicts.c -- deciding which version of a conflicting report counts. */
#include "summary/conflicts.h"

#include <string.h>

#include "base/alloc.h"
#include "base/siphash.h"

struct held_version {
	char *digest;	    /* NULL: a line from before digests */
	GPtrArray *records; /* struct tlsrpt_record *, owned */
};

struct summary_held {
	GHashTable *keys; /* key_of() -> GPtrArray of struct held_version */
	/* version_of() -> its struct held_version (the array owns it): a
	 * key's versions are the senders' to multiply (the store caps them,
	 * but not those our verifier saw signed), and a scan of them at each
	 * line was quadratic. */
	GHashTable *versions;
};

/* org and id with their lengths first: either may hold any character, so
 * a separator alone would let two keys meet. */
static char *
key_of(const struct tlsrpt_record *rec)
{
	return g_strdup_printf("%zu %zu %s%s", strlen(rec->organization_name),
			       strlen(rec->report_id), rec->organization_name,
			       rec->report_id);
}

/* key (key_of()'s, whose end its lengths fix) and a version's digest. */
static char *
version_of(const char *key, const char *digest)
{
	return digest != NULL ? g_strconcat(key, "+", digest, NULL)
			      : g_strconcat(key, "-", NULL);
}

void
summary_conflict_note(GHashTable **keys, const struct tlsrpt_record *rec)
{
	if (*keys == NULL)
		*keys = g_hash_table_new_full(tlsrpt_str_hash, g_str_equal,
					      g_free, NULL);
	g_hash_table_add(*keys, key_of(rec)); /* frees a repeat */
}

static void
record_free(gpointer p)
{
	tlsrpt_record_clear(p);
	g_free(p);
}

static void
version_free(gpointer p)
{
	struct held_version *v = p;

	g_free(v->digest);
	g_ptr_array_free(v->records, TRUE);
	g_free(v);
}

static void
versions_free(gpointer p)
{
	g_ptr_array_free(p, TRUE);
}

struct summary_held *
summary_held_new(GHashTable *keys)
{
	struct summary_held *h = g_new0(struct summary_held, 1);
	GHashTableIter it;
	gpointer k;

	h->keys = g_hash_table_new_full(tlsrpt_str_hash, g_str_equal, g_free,
					versions_free);
	h->versions = g_hash_table_new_full(tlsrpt_str_hash, g_str_equal,
					    g_free, NULL);
	g_hash_table_iter_init(&it, keys);
	while (g_hash_table_iter_next(&it, &k, NULL))
		g_hash_table_insert(
			h->keys, g_strdup(k),
			g_ptr_array_new_with_free_func(version_free));
	g_hash_table_destroy(keys);
	return h;
}

int
summary_held_take(struct summary_held *h, struct tlsrpt_record *rec)
{
	char *key = key_of(rec), *vkey;
	GPtrArray *versions = g_hash_table_lookup(h->keys, key);
	struct held_version *v;
	struct tlsrpt_record *copy;

	if (versions == NULL) {
		g_free(key);
		return 0;
	}
	/* A report's lines come one after another: a first line starts a
	 * version unless the same digest was met (the same report in
	 * another file is a duplicate the reader already dropped). */
	vkey = version_of(key, rec->digest);
	g_free(key);
	v = g_hash_table_lookup(h->versions, vkey);
	if (v == NULL) {
		v = g_new0(struct held_version, 1);
		v->digest = g_strdup(rec->digest);
		v->records = g_ptr_array_new_with_free_func(record_free);
		g_ptr_array_add(versions, v);
		g_hash_table_insert(h->versions, vkey, v);
	} else {
		g_free(vkey);
	}
	/* Kept past the reader's next call: a record replayed from a rollup
	 * borrows its strings (reader.h). */
	if (tlsrpt_record_own(rec) < 0)
		g_error("out of memory"); /* as g_new would */
	copy = g_new(struct tlsrpt_record, 1);
	*copy = *rec;
	copy->path = NULL; /* borrowed from the reader */
	memset(rec, 0, sizeof(*rec));
	g_ptr_array_add(v->records, copy);
	return 1;
}

static void
feed(struct summary_agg *a, const struct held_version *v)
{
	for (guint i = 0; i < v->records->len; i++)
		summary_agg_add(a, g_ptr_array_index(v->records, i));
}

void
summary_conflict_free(gpointer p)
{
	struct summary_conflict *c = p;

	for (guint i = 0; i < c->versions->len; i++) {
		struct summary_conflict_version *v =
			g_ptr_array_index(c->versions, i);

		g_free(v->digest);
		g_free(v->submitter);
		g_free(v->dkim);
		g_free(v->auth_domain);
		g_free(v);
	}
	g_ptr_array_free(c->versions, TRUE);
	g_free(c->org);
	g_free(c->report_id);
	g_free(c);
}

/* One conflict: classify its versions, feed the one that counts. */
static void
resolve_one(struct summary_agg *a, GPtrArray *versions)
{
	struct summary_conflict *c = g_new0(struct summary_conflict, 1);
	const struct held_version *winner = NULL;
	int n_auth = 0, in_window = 0;
	guint i;

	c->versions = g_ptr_array_new();
	for (i = 0; i < versions->len; i++) {
		const struct held_version *hv = g_ptr_array_index(versions, i);
		const struct tlsrpt_record *r =
			g_ptr_array_index(hv->records, 0);
		struct summary_conflict_version *v =
			g_new0(struct summary_conflict_version, 1);
		struct summary_sender_id id;

		summary_classify(a->opt.known, r->organization_name, r->dkim,
				 r->submitter, r->contact_info, &id);
		v->digest = g_strdup(hv->digest);
		v->submitter = g_strdup(r->submitter);
		v->dkim = g_strdup(tlsrpt_dkim_name(r->dkim));
		v->received = r->received;
		v->auth = id.auth;
		v->auth_domain = g_strdup(id.domain);
		for (guint j = 0; j < hv->records->len; j++) {
			const struct tlsrpt_record *l =
				g_ptr_array_index(hv->records, j);

			summary_counts_add(&v->c, &l->policy);
		}
		if (c->org == NULL) {
			c->org = g_strdup(r->organization_name);
			c->report_id = g_strdup(r->report_id);
		}
		/* Authenticated as the known reporter's own domain. */
		if (id.auth == SUMMARY_AUTH_OK && id.known_domain != NULL) {
			n_auth++;
			winner = hv;
		}
		in_window |= r->received >= a->opt.since &&
			     r->received < a->opt.until;
		g_ptr_array_add(c->versions, v);
	}
	if (n_auth != 1)
		winner = NULL;
	for (i = 0; i < versions->len; i++) {
		const struct held_version *hv = g_ptr_array_index(versions, i);
		struct summary_conflict_version *v =
			g_ptr_array_index(c->versions, i);

		/* Impersonations go in too: the aggregation lists them and
		 * counts nothing of them. */
		if (hv == winner || v->auth == SUMMARY_AUTH_IMPERSONATION)
			feed(a, hv);
		v->counted = hv == winner;
	}
	c->counted = winner != NULL;
	if (!in_window) {
		summary_conflict_free(c);
		return;
	}
	g_ptr_array_add(a->conflicts, c);
	a->problems.conflicts++;
}

void
summary_held_resolve(struct summary_held *h, struct summary_agg *a)
{
	GPtrArray *keys = g_ptr_array_new();
	GHashTableIter it;
	gpointer k;
	guint i;

	g_hash_table_iter_init(&it, h->keys);
	while (g_hash_table_iter_next(&it, &k, NULL))
		g_ptr_array_add(keys, k);
	g_ptr_array_sort(keys, summary_cmp_str); /* the same output every run */
	for (i = 0; i < keys->len; i++) {
		GPtrArray *versions = g_hash_table_lookup(
			h->keys, g_ptr_array_index(keys, i));

		if (versions->len > 0)
			resolve_one(a, versions);
	}
	g_ptr_array_free(keys, TRUE);
}

void
summary_held_free(struct summary_held *h)
{
	if (h == NULL)
		return;
	g_hash_table_destroy(h->versions);
	g_hash_table_destroy(h->keys);
	g_free(h);
}
