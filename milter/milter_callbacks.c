/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * milter_callbacks.c -- the libmilter callbacks of tlsrpt-milter: one
 * message's state from RCPT to end of message, collecting the bytes of
 * a report candidate, and handing them to intake_run(). What follows
 * from the outcome is milter_act.c.
 */
#include "milter/milter_callbacks.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

#include <libmilter/mfapi.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "intake/rcpt.h"
#include "milter/milter_msg.h"

/* libmilter hands callbacks no pointer of ours but the per-connection one;
 * this is set once before smfi_main() and only read after. */
static const struct milter_app *the_app;

static void
msg_reset(struct msg *m)
{
	for (size_t i = 0; i < m->n_report && i < REPORT_RCPTS_MAX; i++)
		tlsrpt_free(m->report_rcpt[i]);
	tlsrpt_buf_free(&m->body);
	milter_gen_release(m->gen);
	memset(m, 0, sizeof(*m));
	snprintf(m->qid, sizeof(m->qid), "NOQUEUE");
}

/* The connection's private pointer when memory ran out making its message
 * state: DATA then asks the MTA to retry. Only its address is used. */
static char no_memory;

static struct msg *
msg_get(SMFICTX *ctx)
{
	void *p = smfi_getpriv(ctx);

	return p == &no_memory ? NULL : p;
}

/* The message state, made at the first MAIL or RCPT of a connection and
 * reused by its later messages: no allocation per message. A message
 * takes the current configuration here, at its first MAIL or RCPT. MAIL is
 * negotiated away (SMFIP_NOMAIL) where the MTA can, so RCPT may be the
 * first callback. NULL when out of memory, remembered until the message
 * ends so that DATA tempfails even if a later recipient finds memory. */
static struct msg *
msg_ensure(SMFICTX *ctx)
{
	void *p = smfi_getpriv(ctx);
	struct msg *m;

	if (p == &no_memory)
		return NULL;
	if ((m = p) == NULL) {
		m = tlsrpt_calloc(1, sizeof(*m));
		if (m == NULL || smfi_setpriv(ctx, m) != MI_SUCCESS) {
			tlsrpt_free(m);
			(void)smfi_setpriv(ctx, &no_memory);
			return NULL;
		}
		msg_reset(m);
	}
	if (m->gen == NULL)
		m->gen = milter_gen_acquire(the_app->gens);
	return m;
}

/* The message is over (accepted early, ended, aborted): the next one
 * starts clean. Without MAIL this is the only reset between messages;
 * Postfix and Sendmail send ABORT whenever a transaction ends without
 * end of message, so a candidate flag cannot leak into the next one. */
static void
msg_end(SMFICTX *ctx)
{
	void *p = smfi_getpriv(ctx);

	if (p == &no_memory)
		(void)smfi_setpriv(ctx, NULL);
	else if (p != NULL)
		msg_reset(p);
}

/* Copy the queue id when the MTA sends it. Postfix has one from the first
 * accepted RCPT, Sendmail from the connection on (a new one at each
 * MAIL); libmilter forgets a message's macros at the next MAIL. */
static void
copy_qid(SMFICTX *ctx, struct msg *m)
{
	const char *qid = smfi_getsymval(ctx, "{i}");

	if (qid == NULL)
		qid = smfi_getsymval(ctx, "i");
	if (qid != NULL && qid[0] != '\0')
		snprintf(m->qid, sizeof(m->qid), "%s", qid);
}

/* Append n bytes, or stop buffering for good when they would pass the
 * cap: memory never grows with the input. */
static void
append(struct msg *m, const void *p, size_t n)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	if (m->too_large)
		return;
	tlsrpt_error_clear(&err);
	if (m->body.data == NULL)
		tlsrpt_buf_init(&m->body, m->gen->cfg.limits.max_message_bytes,
				"MaxMessageSize");
	if (tlsrpt_buf_append(&m->body, p, n, &err) == 0)
		return;
	/* Out of memory is handled like a message too large to keep: it is
	 * delivered, with a header saying why. */
	if (err.code == TLSRPT_ERR_NOMEM)
		mlog(&m->gen->log, LOG_ERR, m->qid,
		     "out of memory buffering %zu bytes", m->body.len + n);
	m->too_large = 1;
	tlsrpt_buf_free(&m->body);
}

static sfsistat
cb_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1, unsigned long f2,
	     unsigned long f3, unsigned long *pf0, unsigned long *pf1,
	     unsigned long *pf2, unsigned long *pf3)
{
	unsigned long actions = SMFIF_ADDHDRS | SMFIF_CHGHDRS |
				SMFIF_QUARANTINE | SMFIF_SETSYMLIST |
				SMFIF_DELRCPT;
	/* Steps we never use are not sent: each costs libmilter two
	 * polls and two reads on every message (MAIL too: the recipients
	 * decide, and the MTA sends MAIL's macros anyway). Steps that
	 * only collect are not answered (libmilter fakes the answer for
	 * an MTA that cannot do without). The body is not answered either, so
	 * SKIP is never sent: a message past the cap costs its body's bytes on
	 * the socket, not round trips. */
	unsigned long steps = SMFIP_NOCONNECT | SMFIP_NOHELO | SMFIP_NOMAIL |
			      SMFIP_NOUNKNOWN | SMFIP_NR_MAIL | SMFIP_NR_RCPT |
			      SMFIP_NR_HDR | SMFIP_NR_BODY;

	(void)f2;
	(void)f3;
	*pf0 = actions & f0;
	*pf1 = steps & f1;
	*pf2 = 0;
	*pf3 = 0;
	/* The queue id wherever a log line may need it. Postfix sends it
	 * at DATA, EOH and EOM by default, Sendmail only with MAIL FROM
	 * (and an admin may have trimmed either list); both honour this
	 * request. A Sendmail macro list holds "i" and "{i}" alike, and
	 * Postfix knows both spellings. */
	if ((f0 & SMFIF_SETSYMLIST) != 0) {
		(void)smfi_setsymlist(ctx, SMFIM_DATA, "{i}");
		(void)smfi_setsymlist(ctx, SMFIM_EOH, "{i}");
		(void)smfi_setsymlist(ctx, SMFIM_EOM, "{i}");
	}
	return SMFIS_CONTINUE;
}

/* Only from an MTA that cannot skip MAIL: a new message starts clean. */
static sfsistat
cb_envfrom(SMFICTX *ctx, char **argv)
{
	(void)argv;
	msg_end(ctx);
	(void)msg_ensure(ctx);
	return SMFIS_NOREPLY;
}

static sfsistat
cb_envrcpt(SMFICTX *ctx, char **argv)
{
	struct msg *m = msg_ensure(ctx);
	char addr[512];

	/* Without memory DATA says tempfail, without a configuration
	 * (stopping) it accepts: see cb_data. */
	if (m == NULL || m->gen == NULL || argv == NULL || argv[0] == NULL)
		return SMFIS_NOREPLY;
	if (rcpt_normalize(argv[0], addr, sizeof(addr)) != 0 ||
	    !rcpt_matches(&m->gen->cfg.report_addresses, addr)) {
		m->n_other++;
		return SMFIS_NOREPLY;
	}
	m->candidate = 1;
	/* Kept as the MTA wrote it: smfi_delrcpt() wants that form. A copy
	 * that fails counts as one we cannot remove (drop_report_rcpts()). */
	if (m->n_report < REPORT_RCPTS_MAX)
		m->report_rcpt[m->n_report] = tlsrpt_strdup(argv[0]);
	m->n_report++;
	return SMFIS_NOREPLY;
}

/* All recipients are known: the earliest point a whole message can be
 * accepted, so neither its headers nor its body cross the socket. */
static sfsistat
cb_data(SMFICTX *ctx)
{
	struct msg *m = msg_ensure(ctx);

	if (m == NULL) {
		msg_end(ctx);
		(void)smfi_setreply(ctx, "451", "4.3.0",
				    "tlsrpt-milter: out of memory, try again "
				    "later");
		return SMFIS_TEMPFAIL;
	}
	/* Stopping (SIGTERM): the message goes on as if we were not here,
	 * a report to its mailbox, where tlsrpt-ingest can still read it. */
	if (m->gen == NULL) {
		msg_end(ctx);
		return SMFIS_ACCEPT;
	}
	if (!m->candidate && !m->gen->cfg.detect_by_headers) {
		if (m->gen->log.level >= LOG_DEBUG) {
			copy_qid(ctx, m);
			mlog(&m->gen->log, LOG_DEBUG, m->qid,
			     "not a report candidate: accepted at DATA");
		}
		msg_end(ctx);
		return SMFIS_ACCEPT;
	}
	return SMFIS_CONTINUE;
}

/* Does this header say the message is a TLS report (RFC 8460 3)? */
static int
is_report_header(const char *name, const char *value)
{
	if (strcasecmp(name, "TLS-Report-Domain") == 0)
		return 1;
	if (strcasecmp(name, "Content-Type") == 0)
		return strcasestr(value, "multipart/report") != NULL &&
		       strcasestr(value, "tlsrpt") != NULL;
	return 0;
}

/* Folded values arrive with a bare LF (Postfix): written back as CRLF, so
 * the buffer is one consistent RFC 5322 message. */
static void
append_value(struct msg *m, const char *v)
{
	const char *p = v;

	while (*p != '\0') {
		size_t n = strcspn(p, "\r\n");

		append(m, p, n);
		p += n;
		if (*p == '\r' && p[1] == '\n')
			p++;
		if (*p == '\r' || *p == '\n') {
			append(m, "\r\n", 2);
			p++;
		}
	}
}

static sfsistat
cb_header(SMFICTX *ctx, char *name, char *value)
{
	struct msg *m = msg_get(ctx);

	if (m == NULL || m->gen == NULL || name == NULL || value == NULL)
		return SMFIS_NOREPLY;
	if (strcasecmp(name, OWN_HEADER) == 0)
		m->own_headers++;
	if (m->gen->cfg.detect_by_headers && is_report_header(name, value))
		m->hint = 1;
	append(m, name, strlen(name));
	append(m, ": ", 2);
	append_value(m, value);
	append(m, "\r\n", 2);
	return SMFIS_NOREPLY;
}

static sfsistat
cb_eoh(SMFICTX *ctx)
{
	struct msg *m = msg_get(ctx);

	if (m == NULL)
		return SMFIS_CONTINUE;
	if (m->gen == NULL) {
		msg_end(ctx);
		return SMFIS_ACCEPT;
	}
	copy_qid(ctx, m);
	/* Reached without a DATA step (an MTA that has none), or with
	 * DetectByHeaders: decide now. */
	if (!m->candidate && !m->hint) {
		mlog(&m->gen->log, LOG_DEBUG, m->qid,
		     "not a report candidate: accepted at end of headers");
		msg_end(ctx);
		return SMFIS_ACCEPT;
	}
	append(m, "\r\n", 2);
	return SMFIS_CONTINUE;
}

static sfsistat
cb_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
	struct msg *m = msg_get(ctx);

	if (m != NULL && m->gen != NULL && chunk != NULL)
		append(m, chunk, len);
	return SMFIS_NOREPLY;
}

static sfsistat
cb_eom(SMFICTX *ctx)
{
	struct msg *m = msg_get(ctx);
	struct intake_origin origin;
	struct intake_result res;
	struct summary s;
	sfsistat ret;

	if (m == NULL || m->gen == NULL) {
		msg_end(ctx);
		return SMFIS_CONTINUE;
	}
	copy_qid(ctx, m);
	memset(&s, 0, sizeof(s));
	s.gen = m->gen;
	s.qid = m->qid;
	if (m->too_large) {
		memset(&res, 0, sizeof(res));
		res.outcome = INTAKE_INVALID;
		tlsrpt_error_set(&res.error, TLSRPT_ERR_LIMIT, NULL,
				 "message larger than MaxMessageSize (%zu "
				 "bytes)",
				 m->gen->cfg.limits.max_message_bytes);
		ret = milter_act(ctx, m, &res, &s, "too large");
		msg_reset(m);
		return ret;
	}
	memset(&origin, 0, sizeof(origin));
	origin.source = "milter";
	origin.host = m->gen->cfg.host_name;
	origin.queue_id = strcmp(m->qid, "NOQUEUE") != 0 ? m->qid : NULL;
	origin.received = (int64_t)time(NULL);
	if (parse_slots_enter(the_app->slots) != 0) {
		/* Not stored, as when the store fails: milter_act() then
		 * follows OnStoreFailure like any other report not stored. */
		memset(&res, 0, sizeof(res));
		res.outcome = INTAKE_STORE_FAILED;
		tlsrpt_error_set(&res.error, TLSRPT_ERR_LIMIT, NULL,
				 "busy: %u report messages are being parsed "
				 "(MaxConcurrentParses) and none finished "
				 "within %u seconds (ParseWait)",
				 m->gen->cfg.max_concurrent_parses,
				 m->gen->cfg.parse_wait);
	} else {
		(void)intake_run(&m->gen->intake, &origin, m->body.data,
				 m->body.len, milter_on_report, &s, &res);
		parse_slots_leave(the_app->slots);
	}
	if (res.authres_forged > 0)
		mlog(&m->gen->log, LOG_NOTICE, m->qid,
		     "ignored %zu Authentication-Results header(s) with a "
		     "trusted authserv-id below a Received header or below "
		     "our verifier's: a forgery attempt",
		     res.authres_forged);
	ret = milter_act(ctx, m, &res, &s, intake_outcome_name(res.outcome));
	msg_reset(m);
	return ret;
}

static sfsistat
cb_abort(SMFICTX *ctx)
{
	msg_end(ctx);
	return SMFIS_CONTINUE;
}

/* May be the only callback a connection gets: priv may be NULL. */
static sfsistat
cb_close(SMFICTX *ctx)
{
	struct msg *m = msg_get(ctx);

	if (m != NULL) {
		msg_reset(m);
		tlsrpt_free(m);
	}
	(void)smfi_setpriv(ctx, NULL);
	return SMFIS_CONTINUE;
}

int
milter_callbacks_register(const struct milter_app *app)
{
	static struct smfiDesc desc = {
		.xxfi_name = "tlsrpt-milter",
		.xxfi_version = SMFI_VERSION,
		.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE |
			      SMFIF_SETSYMLIST | SMFIF_DELRCPT,
		.xxfi_connect = NULL,
		.xxfi_helo = NULL,
		.xxfi_envfrom = cb_envfrom,
		.xxfi_envrcpt = cb_envrcpt,
		.xxfi_header = cb_header,
		.xxfi_eoh = cb_eoh,
		.xxfi_body = cb_body,
		.xxfi_eom = cb_eom,
		.xxfi_abort = cb_abort,
		.xxfi_close = cb_close,
		.xxfi_unknown = NULL,
		.xxfi_data = cb_data,
		.xxfi_negotiate = cb_negotiate,
	};

	the_app = app;
	return smfi_register(desc) == MI_SUCCESS ? 0 : -1;
}
