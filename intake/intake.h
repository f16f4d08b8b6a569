/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * intake.h -- the one "message to store" step every entry point shares:
 * tlsrpt-milter's end-of-message, tlsrpt-ingest for files and mailboxes,
 * and tlsrpt-ingest --cgi. Bytes in; parse, DKIM verdict, store; an outcome
 * the caller turns into an SMTP action, an exit status or an HTTP status.
 */
#ifndef TLSRPT_INTAKE_INTAKE_H
#define TLSRPT_INTAKE_INTAKE_H

#include <stddef.h>
#include <stdint.h>

#include "report/authres.h"
#include "base/error.h"
#include "report/input.h"
#include "report/limits.h"

struct tlsrpt_store;
struct intake_report_event;

struct intake_config {
	const struct tlsrpt_limits *limits;
	struct tlsrpt_store *store;	   /* borrowed; NULL: parse only */
	char *const *trusted_authserv_ids; /* TrustedAuthservIDs */
	size_t n_trusted_authserv_ids;
	int require_dkim; /* RequireDKIM */
	/* Told of every report after the caller's on_report (may be NULL):
	 * the alert hook (alert_hook.h), so every entry point raises alerts
	 * without each wiring them. */
	void (*observe)(void *ctx, const struct intake_report_event *ev);
	void *observe_ctx;
};

/* Where the bytes came from; copied into every stored record. */
struct intake_origin {
	const char *source;	 /* "milter", "file" or "http" */
	const char *host;	 /* this host's name */
	const char *queue_id;	 /* MTA queue id, or NULL */
	const char *file;	 /* input file name, or NULL */
	const char *client_addr; /* HTTP client, or NULL */
	int unauthenticated;	 /* 1 for HTTP: no DKIM verdict at all */
	int64_t received;	 /* now, epoch seconds (injected clock) */
};

/* The outcome of a whole input is its most telling report's: a store
 * failure, else a stored report, else a duplicate, else why nothing was
 * stored. */
enum intake_outcome {
	INTAKE_STORED,	     /* at least one report newly stored */
	INTAKE_DUPLICATE,    /* every report found was stored before */
	INTAKE_NOT_REPORT,   /* no report in the input */
	INTAKE_INVALID,	     /* report parts, all broken (or too large) */
	INTAKE_REFUSED_DKIM, /* RequireDKIM and no DKIM pass */
	INTAKE_STORE_FAILED, /* temporary: the sender should retry */
};

/* What happened to one report, for the caller's log line. */
struct intake_report_event {
	const struct tlsrpt_input *input;     /* metadata, borrowed */
	const struct tlsrpt_input_item *item; /* borrowed */
	enum tlsrpt_dkim dkim;		      /* UNKNOWN: none at all (HTTPS) */
	enum intake_outcome outcome; /* STORED DUPLICATE INVALID REFUSED_DKIM
					STORE_FAILED */
	const struct tlsrpt_error *error; /* when not stored/duplicate */
	/* STORED, but another report with the same organization-name and
	 * report-id and other content was stored before (the store's
	 * TLSRPT_STORE_CONFLICT): say so in the log and header. */
	int conflict;
	/* For the observer only (intake_config.observe), else NULL: the
	 * submitter domain ("" when unknown) and a slot the observer may
	 * keep per-input state in. After the last report of an input the
	 * observer is called once more with item NULL (outcome the input's):
	 * then it finishes with what the slot holds and empties it. */
	const char *submitter;
	/* The signing domain our verifier saw pass ("" when none): who a
	 * report really came from, whatever its headers say. */
	const char *dkim_domain;
	void **msg_state;
};

/* What the log line and header say of a stored report that conflicts. */
#define INTAKE_CONFLICT_TEXT \
	"stored (conflicts with an earlier report with the same id)"

typedef void intake_report_fn(void *ctx, const struct intake_report_event *ev);

struct intake_result {
	enum intake_outcome outcome;
	size_t n_stored, n_duplicate, n_failed;
	size_t n_conflict; /* of n_stored, those stored as conflicts */
	/* Authentication-Results headers with a trusted authserv-id that
	 * did not count (below a Received header, or below our verifier's):
	 * forgery attempts, for the caller to log. */
	size_t authres_forged;
	struct tlsrpt_error error; /* the reason, when not STORED/DUPLICATE */
};

/* Parse buf and store every valid report in it. on_report (may be NULL) is
 * called once per report part with what happened to it. Returns 0 and fills
 * *res; never fails otherwise (out of memory is INTAKE_STORE_FAILED, a
 * temporary failure). */
int intake_run(const struct intake_config *cfg,
	       const struct intake_origin *origin, const void *buf, size_t len,
	       intake_report_fn *on_report, void *ctx,
	       struct intake_result *res);

/* The same in two steps, for a caller that looks at the reports before
 * they are stored (tlsrpt-ingest --cgi checks their policy domains) and
 * must not parse twice. intake_parse() reads buf and decides RequireDKIM
 * on the headers before any part is inflated; it returns -1 when the
 * input holds no report part at all (p->err says why), else 0.
 * intake_store() stores what p holds (either way) and fills *res as
 * intake_run() does; intake_parsed_free() frees p's input. cfg and origin
 * are borrowed and must outlive p. */
struct intake_parsed {
	const struct intake_config *cfg;
	const struct intake_origin *origin;
	struct tlsrpt_input *in; /* owned; NULL when memory ran out */
	struct tlsrpt_error err; /* a whole-input error, when partial */
	int partial;		 /* the parser returned -1 */
	int refused;		 /* RequireDKIM refused on the headers */
	char submitter[256];
	struct tlsrpt_dkim_result dr; /* the verdict in full, when have_dr */
	int have_dr;
};

int intake_parse(const struct intake_config *cfg,
		 const struct intake_origin *origin, const void *buf,
		 size_t len, struct intake_parsed *p);
void intake_store(struct intake_parsed *p, intake_report_fn *on_report,
		  void *ctx, struct intake_result *res);
void intake_parsed_free(struct intake_parsed *p);

/* "stored", "duplicate", "not a report", ... */
const char *intake_outcome_name(enum intake_outcome o);

#endif
