/* SPDX-License-Identifier: BSD-2-Clause */
/* probe_history.c -- what the probe remembers of a domain's MTA-STS from
 * one run to the next: the _mta-sts id and the SHA-256 of the first
 * policy seen under it, kept in the probe-run lines of the store
 * (tlsrpt-store(5), "Probe findings") and read back here. RFC 8461
 * section 3.1: senders refetch the policy only when the id changes, so a
 * policy changed under the same id reaches no sender that cached the old
 * one until its max_age ends: the finding sts-policy-id-unchanged.
 *
 * The memory is the findings files, not a state file of its own: they
 * are already written once a run, bounded when read and pruned with the
 * reports, and a reader of the store sees the same state the probe
 * acts on. */
#include "probe/probe.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "store/findings.h"

struct history {
	struct probe_prev *prev;
	size_t n;
	unsigned char *hit; /* seen in the day being read */
};

static int
is_sha256_hex(const char *s)
{
	return s != NULL && strlen(s) == 64 &&
	       strspn(s, "0123456789abcdef") == 64;
}

static void
on_line(const struct tlsrpt_finding_line *l, void *ctx)
{
	struct history *h = ctx;

	if (l->kind != TLSRPT_FINDING_RUN || l->error != NULL)
		return;
	for (size_t i = 0; i < h->n; i++) {
		struct probe_prev *p = &h->prev[i];

		/* A later day already said; a later line of this day says
		 * over an earlier one (the file is in run order). */
		if (p->found && !h->hit[i])
			continue;
		if (strcasecmp(l->domain, p->domain) != 0)
			continue;
		h->hit[i] = 1;
		p->found = 1;
		p->time = l->time;
		/* The store is the milter user's, but check what we act on:
		 * an id as RFC 8461 has it, a digest as we write it. */
		snprintf(p->sts_id, sizeof(p->sts_id), "%s",
			 l->sts_id != NULL && dns_sts_id_valid(l->sts_id)
				 ? l->sts_id
				 : "");
		snprintf(p->sha256, sizeof(p->sha256), "%s",
			 is_sha256_hex(l->sts_id_policy_sha256)
				 ? l->sts_id_policy_sha256
				 : "");
	}
}

int
probe_history_read(const char *dir, int64_t today, struct probe_prev *prev,
		   size_t n, struct tlsrpt_error *err)
{
	struct tlsrpt_findings_stats st;
	const char *dirs[] = {dir};
	unsigned char hit[PROBE_DOMAINS_MAX];
	struct history h = {prev, n < PROBE_DOMAINS_MAX ? n : PROBE_DOMAINS_MAX,
			    hit};
	uint64_t bytes = 0;
	size_t left = h.n;

	for (size_t i = 0; i < h.n; i++) {
		prev[i].found = 0;
		prev[i].time = 0;
		prev[i].sts_id[0] = prev[i].sha256[0] = '\0';
	}
	/* Newest day first, a day at a time, until every domain has a run:
	 * an hourly timer finds them all in today's file or yesterday's. */
	for (int64_t d = today; left > 0 && d > today - PROBE_HISTORY_DAYS;
	     d--) {
		int rc;

		memset(hit, 0, sizeof(hit));
		rc = tlsrpt_findings_read(dirs, 1, d, d, on_line, &h, &st, err);
		if (rc < 0)
			return -1;
		for (size_t i = 0; i < h.n; i++)
			left -= hit[i];
		/* One budget over all the days, as for one read. */
		bytes += st.bytes;
		if (st.truncated > 0 || bytes >= TLSRPT_FINDINGS_BYTES_MAX)
			break;
	}
	return 0;
}

static void
iso(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, size, "?");
}

void
probe_history_compare(const struct probe_prev *prev, const char *domain,
		      json_t *sts, json_t *findings)
{
	const char *id = json_string_value(json_object_get(sts, "id"));
	const char *sha = NULL, *base = NULL, *pid = NULL, *psha = NULL;
	const char *url = json_string_value(json_object_get(sts, "url"));
	char when[32] = "", d[640];

	/* Only a valid record's id counts, and only a valid policy's body:
	 * senders neither follow the one nor cache the other. */
	if (!json_is_true(json_object_get(sts, "record-valid")))
		id = NULL;
	if (json_is_object(json_object_get(sts, "policy")))
		sha = json_string_value(json_object_get(sts, "policy-sha256"));
	if (prev != NULL && prev->found) {
		pid = prev->sts_id[0] ? prev->sts_id : NULL;
		psha = prev->sha256[0] ? prev->sha256 : NULL;
		iso(prev->time, when, sizeof(when));
		json_object_set_new(sts, "previous",
				    json_pack("{s:s, s:s?, s:s?}", "time", when,
					      "id", pid, "id-policy-sha256",
					      psha));
	} else {
		json_object_set_new(sts, "previous", json_null());
	}
	json_object_set_new(sts, "note", json_null());
	if (id != NULL && pid != NULL && psha != NULL && strcmp(id, pid) == 0) {
		/* Same id: what senders hold is still the policy first seen
		 * under it, until the id changes (or it is served again). */
		base = psha;
		if (sha != NULL && strcmp(sha, base) != 0) {
			snprintf(d, sizeof(d),
				 "the policy at %s changed (SHA-256 %.12s..., "
				 "under this id since the run of %s: "
				 "%.12s...) but the _mta-sts id is still %s: "
				 "senders that fetched the old policy keep it "
				 "until its max_age ends and never see this "
				 "one",
				 url != NULL ? url : "?", sha, when, base, id);
			probe_finding(findings, domain,
				      "sts-policy-id-unchanged", NULL, NULL, d,
				      "Change the id of the _mta-sts TXT "
				      "record (e.g. to the date and time "
				      "now) so that senders fetch the new "
				      "policy, or serve the old policy "
				      "again.");
		}
	} else if (id != NULL) {
		base = sha;
		/* The reverse: harmless (senders refetch and get the same
		 * policy), so a note in the output, not a finding that
		 * alerts on what may be a deliberate refresh. */
		if (pid != NULL && psha != NULL && sha != NULL &&
		    strcmp(id, pid) != 0 && strcmp(sha, psha) == 0) {
			snprintf(d, sizeof(d),
				 "the _mta-sts id changed from %s to %s (since "
				 "the run of %s) with the same policy: senders "
				 "fetch it again for nothing",
				 pid, id, when);
			json_object_set_new(sts, "note", json_string(d));
		}
	}
	json_object_set_new(sts, "id-policy-sha256",
			    base != NULL ? json_string(base) : json_null());
}
