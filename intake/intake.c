/* SPDX-License-Identifier: BSD-2-Clause */
/* intake.c -- bytes in; parse, DKIM verdict, store; an outcome out. */
#include "intake/intake.h"

#include <string.h>

#include "report/authres.h"
#include "store/store.h"

const char *
intake_outcome_name(enum intake_outcome o)
{
	switch (o) {
	case INTAKE_STORED: return "stored";
	case INTAKE_DUPLICATE: return "duplicate";
	case INTAKE_NOT_REPORT: return "not a report";
	case INTAKE_INVALID: return "invalid report";
	case INTAKE_REFUSED_DKIM: return "refused: no DKIM pass";
	case INTAKE_STORE_FAILED: return "store failed";
	}
	return "unknown";
}

/* The whole input's outcome is its most telling report's: a store failure
 * first (the sender must retry, and de-duplication absorbs what was already
 * stored), then a stored report, a duplicate, and the reasons for not
 * storing. */
static int
rank(enum intake_outcome o)
{
	switch (o) {
	case INTAKE_STORE_FAILED: return 5;
	case INTAKE_STORED: return 4;
	case INTAKE_DUPLICATE: return 3;
	case INTAKE_REFUSED_DKIM: return 2;
	case INTAKE_INVALID: return 1;
	case INTAKE_NOT_REPORT: return 0;
	}
	return 0;
}

static enum intake_outcome
combine(enum intake_outcome so_far, enum intake_outcome next, int first)
{
	if (first || rank(next) > rank(so_far))
		return next;
	return so_far;
}

/* The DKIM verdict of p; TLSRPT_DKIM_UNKNOWN when it has none (HTTPS). */
static enum tlsrpt_dkim
verdict(const struct intake_parsed *p)
{
	return p->have_dr ? p->dr.verdict : TLSRPT_DKIM_UNKNOWN;
}

/* Tell fn of item (or, item NULL, that the input is done). The caller's
 * on_report gets msg_state NULL; the observer its per-input slot. */
static void
tell(intake_report_fn *fn, void *ctx, const struct intake_parsed *p,
     const struct tlsrpt_input_item *item, enum intake_outcome outcome,
     const struct tlsrpt_error *err, int conflict, void **msg_state)
{
	struct intake_report_event ev = {
		.input = p->in,
		.item = item,
		.dkim = verdict(p),
		.outcome = outcome,
		.error = err,
		.conflict = conflict,
		.submitter = p->submitter,
		.dkim_domain = p->have_dr ? p->dr.domain : "",
		.msg_state = msg_state,
	};

	if (fn != NULL)
		fn(ctx, &ev);
}

/* A report tells of sessions that happened: one whose date-range ends
 * more than a day (clock skew, time zones) after we received it is forged
 * or broken. Old reports stay acceptable (tlsrpt-ingest of an archive);
 * a future start-datetime alone no longer matters, since the latest policy
 * is ordered by receipt (summary/fold.c). */
#define INTAKE_FUTURE_SLACK 86400

static int
in_future(const struct tlsrpt_report *r, int64_t received,
	  struct tlsrpt_error *err)
{
	char end[32], now[32];

	if (r->end_time <= received ||
	    r->end_time - received <= INTAKE_FUTURE_SLACK)
		return 0;
	tlsrpt_format_datetime(r->end_time, end, sizeof(end));
	tlsrpt_format_datetime(received, now, sizeof(now));
	tlsrpt_error_set(err, TLSRPT_ERR_INVALID, "date-range.end-datetime",
			 "%s is more than a day after the report was received "
			 "(%s): a report covers sessions that have happened",
			 end, now);
	return 1;
}

/* RequireDKIM: -1 with err filled when the verdict is not a pass. */
static int
dkim_refused(const struct intake_config *cfg, enum tlsrpt_dkim dkim,
	     const char *submitter, struct tlsrpt_error *err)
{
	if (!cfg->require_dkim || dkim == TLSRPT_DKIM_PASS)
		return 0;
	return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, NULL,
				"no DKIM pass for the submitter %s from a "
				"trusted Authentication-Results header "
				"(RequireDKIM is on)",
				submitter[0] != '\0' ? submitter : "(unknown)");
}

/* The parser's gate: one DKIM verdict per message, from its headers,
 * before any part is inflated or parsed (every report in a message has the
 * same signer). Reports that came over HTTPS are unauthenticated: no
 * verdict. */
static int
gate_dkim(void *ctx, const struct tlsrpt_input *in, struct tlsrpt_error *why)
{
	struct intake_parsed *p = ctx;

	if (!p->origin->unauthenticated) {
		if (in->is_message)
			(void)tlsrpt_submitter_domain(&in->meta, p->submitter,
						      sizeof(p->submitter));
		tlsrpt_dkim_evaluate(
			in->meta.auth_results,
			in->meta.auth_results_received_above,
			in->meta.n_auth_results, p->cfg->trusted_authserv_ids,
			p->cfg->n_trusted_authserv_ids, p->submitter, &p->dr);
		p->have_dr = 1;
	}
	if (dkim_refused(p->cfg, verdict(p), p->submitter, why) != 0) {
		p->refused = 1;
		return -1;
	}
	return 0;
}

/* Store one parsed report; returns its outcome and fills err. RequireDKIM
 * was decided before any report was parsed (gate_dkim). */
static enum intake_outcome
store_one(const struct intake_config *cfg, const struct intake_origin *origin,
	  const struct tlsrpt_input *in, const struct tlsrpt_input_item *item,
	  const struct tlsrpt_dkim_result *dr, const char *submitter,
	  int *conflict, struct tlsrpt_error *err)
{
	struct tlsrpt_receipt receipt;
	enum tlsrpt_store_outcome stored;

	if (in_future(item->report, origin->received, err))
		return INTAKE_INVALID;
	if (cfg->store == NULL)
		return INTAKE_STORED; /* parse only: a dry run */

	memset(&receipt, 0, sizeof(receipt));
	receipt.received = origin->received;
	receipt.source = origin->source;
	receipt.host = origin->host;
	receipt.queue_id = origin->queue_id;
	receipt.file = origin->file;
	receipt.client_addr = origin->client_addr;
	receipt.message_id = in->is_message ? in->meta.message_id : NULL;
	receipt.dkim = dr != NULL ? dr->verdict : TLSRPT_DKIM_UNKNOWN;
	receipt.submitter = submitter[0] != '\0' ? submitter : NULL;
	if (dr != NULL) {
		receipt.dkim_domain = dr->domain[0] != '\0' ? dr->domain : NULL;
		receipt.authres_forged = dr->ignored;
	}
	/* A report over a bound of the store (its lines would take far more
	 * than its JSON) is refused, not retried: the sender would only send
	 * it again. */
	if (tlsrpt_store_append(cfg->store, item->report, &receipt, &stored,
				err) != 0)
		return err->code == TLSRPT_ERR_LIMIT ? INTAKE_INVALID
						     : INTAKE_STORE_FAILED;
	switch (stored) {
	case TLSRPT_STORE_DUPLICATE: return INTAKE_DUPLICATE;
	case TLSRPT_STORE_CONFLICT: *conflict = 1; return INTAKE_STORED;
	case TLSRPT_STORE_TOO_MANY_VERSIONS:
		/* A flood of variants of one id must not fill the disk; the
		 * mail is delivered with this reason. */
		tlsrpt_error_set(err, TLSRPT_ERR_LIMIT, NULL,
				 "%d reports with organization-name \"%s\" "
				 "and report-id \"%s\" but other contents are "
				 "stored already; this one is not",
				 TLSRPT_STORE_MAX_VERSIONS,
				 item->report->organization_name,
				 item->report->report_id);
		return INTAKE_INVALID;
	case TLSRPT_STORE_STORED: break;
	}
	return INTAKE_STORED;
}

int
intake_parse(const struct intake_config *cfg,
	     const struct intake_origin *origin, const void *buf, size_t len,
	     struct intake_parsed *p)
{
	struct tlsrpt_input_gate gate = {gate_dkim, p};

	memset(p, 0, sizeof(*p));
	tlsrpt_error_clear(&p->err);
	p->cfg = cfg;
	p->origin = origin;
	p->partial = tlsrpt_input_parse_gated(buf, len, cfg->limits, &gate,
					      &p->in, &p->err) != 0;
	return p->partial && (p->in == NULL || p->in->n_items == 0) ? -1 : 0;
}

void
intake_parsed_free(struct intake_parsed *p)
{
	tlsrpt_input_free(p->in);
	p->in = NULL;
}

int
intake_run(const struct intake_config *cfg, const struct intake_origin *origin,
	   const void *buf, size_t len, intake_report_fn *on_report, void *ctx,
	   struct intake_result *res)
{
	struct intake_parsed p;

	(void)intake_parse(cfg, origin, buf, len, &p);
	intake_store(&p, on_report, ctx, res);
	intake_parsed_free(&p);
	return 0;
}

void
intake_store(struct intake_parsed *p, intake_report_fn *on_report, void *ctx,
	     struct intake_result *res)
{
	const struct intake_config *cfg = p->cfg;
	const struct intake_origin *origin = p->origin;
	struct tlsrpt_input *in = p->in;
	struct tlsrpt_error err = p->err, item_err;
	const char *submitter = p->submitter;
	const struct tlsrpt_dkim_result *dr = p->have_dr ? &p->dr : NULL;
	int first = 1, partial = p->partial;
	void *msg_state = NULL;

	memset(res, 0, sizeof(*res));
	tlsrpt_error_clear(&res->error);
	res->authres_forged = dr != NULL ? dr->ignored : 0;
	if (partial && (in == NULL || in->n_items == 0)) {
		res->error = err;
		res->outcome =
			err.code == TLSRPT_ERR_NOMEM ? INTAKE_STORE_FAILED
			: err.code == TLSRPT_ERR_NOT_REPORT ? INTAKE_NOT_REPORT
							    : INTAKE_INVALID;
		return;
	}

	for (size_t i = 0; i < in->n_items; i++) {
		const struct tlsrpt_input_item *item = &in->items[i];
		enum intake_outcome o;
		const struct tlsrpt_error *why = &item_err;
		int conflict = 0;

		tlsrpt_error_clear(&item_err);
		if (item->report == NULL) {
			o = item->error.code == TLSRPT_ERR_NOMEM
				    ? INTAKE_STORE_FAILED
			    : p->refused ? INTAKE_REFUSED_DKIM
					 : INTAKE_INVALID;
			why = &item->error;
		} else {
			o = store_one(cfg, origin, in, item, dr, submitter,
				      &conflict, &item_err);
		}
		switch (o) {
		case INTAKE_STORED:
			res->n_stored++;
			res->n_conflict += conflict != 0;
			break;
		case INTAKE_DUPLICATE: res->n_duplicate++; break;
		default:
			res->n_failed++;
			/* Keep the first reason, or a store failure's. */
			if (res->error.code == TLSRPT_OK ||
			    o == INTAKE_STORE_FAILED)
				res->error = *why;
			break;
		}
		res->outcome = combine(res->outcome, o, first);
		first = 0;
		if (o == INTAKE_STORED || o == INTAKE_DUPLICATE)
			why = NULL;
		tell(on_report, ctx, p, item, o, why, conflict, NULL);
		tell(cfg->observe, cfg->observe_ctx, p, item, o, why, conflict,
		     &msg_state);
	}
	/* The walk stopped at a limit on the whole input (more report parts
	 * than MaxReportsPerMessage, ...) after some parts: what came after
	 * was not read, and the postmaster must hear of it. */
	if (in->stop.code != TLSRPT_OK) {
		struct tlsrpt_input_item rest;
		/* Out of memory part-way: the sender must retry, or the
		 * parts not read would be lost. */
		enum intake_outcome o = in->stop.code == TLSRPT_ERR_NOMEM
						? INTAKE_STORE_FAILED
						: INTAKE_INVALID;

		memset(&rest, 0, sizeof(rest));
		res->n_failed++;
		if (res->error.code == TLSRPT_OK || o == INTAKE_STORE_FAILED)
			res->error = in->stop;
		res->outcome = combine(res->outcome, o, 0);
		tell(on_report, ctx, p, &rest, o, &in->stop, 0, NULL);
	}
	tell(cfg->observe, cfg->observe_ctx, p, NULL, res->outcome, NULL, 0,
	     &msg_state);
}
