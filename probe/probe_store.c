/* SPDX-License-Identifier: BSD-2-Clause */
/* probe_store.c -- --store and -c: a run's findings stored beside the
 * reports (store/findings.h, one line each, plus one line per domain
 * probed) and raised as alerts through AlertCommand with the reports'
 * de-duplication (alert/state.h), so two runs that see the same expiring
 * certificate alert once per AlertInterval. */
#include "probe/probe_store.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <glib.h>

#include "base/alloc.h"
#include "intake/alert_hook.h"
#include "store/day.h"
#include "store/findings.h"
#include "store/store.h"

/* Root must not leave files in a store that another user's milter then
 * cannot open (tlsrpt-ingest's rule, ingest/ingest_owner.h): the probe
 * does not switch users, it is run as the store's owner (the unit's
 * User=), or as root only where AllowRoot says root may write. */
static int
check_owner(const char *dir, int allow_root, struct tlsrpt_error *err)
{
	struct stat st;

	if (geteuid() != 0)
		return 0;
	if (stat(dir, &st) != 0)
		return allow_root ? 0
				  : tlsrpt_error_set(
					    err, TLSRPT_ERR_INVALID, dir,
					    "the store directory does not "
					    "exist, and root would create it "
					    "owned by root: create it for the "
					    "milter's user, or set AllowRoot "
					    "yes");
	if (st.st_uid != 0)
		return tlsrpt_error_set(
			err, TLSRPT_ERR_INVALID, dir,
			"the store directory belongs to uid %ld, and files "
			"root writes there would be root's: run tlsrpt-probe "
			"as that user (runuser -u USER -- tlsrpt-probe ...; "
			"the systemd unit sets User=)",
			(long)st.st_uid);
	return allow_root ? 0
			  : tlsrpt_error_set(
				    err, TLSRPT_ERR_INVALID, dir,
				    "the store directory is owned by root: "
				    "chown it to the user tlsrpt-milter runs "
				    "as, or set AllowRoot yes");
}

/* One line: v, kind, then the object's own keys. Appended to buf. */
static int
add_line(GString *buf, const char *kind, const json_t *o)
{
	json_t *line = json_pack("{s:i, s:s}", "v", 1, "kind", kind);
	char *s;

	if (line == NULL || json_object_update(line, (json_t *)o) != 0) {
		json_decref(line);
		return -1;
	}
	s = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(line);
	if (s == NULL)
		return -1;
	g_string_append(buf, s);
	g_string_append_c(buf, '\n');
	tlsrpt_free(s); /* json_dumps() allocates through the seam */
	return 0;
}

static int
store_lines(const char *dir, mode_t mode, const json_t *out, time_t now,
	    struct tlsrpt_error *err)
{
	GString *buf = g_string_new(NULL);
	const char *when = json_string_value(json_object_get(out, "time"));
	json_t *d, *f;
	size_t i;
	int rc = 0;

	json_array_foreach(json_object_get(out, "domains"), i, d)
	{
		const char *name =
			json_string_value(json_object_get(d, "domain"));
		size_t n = 0, j;
		json_t *run, *sts;

		json_array_foreach(json_object_get(out, "findings"), j, f) n +=
			json_equal(json_object_get(f, "domain"),
				   json_object_get(d, "domain"));
		/* So a reader knows the domain was probed, and when, also
		 * when nothing was found. */
		sts = json_object_get(d, "mta-sts");
		/* What the next run compares with (probe_history.c). */
		run = json_pack(
			"{s:s, s:s, s:O?, s:i, s:s?, s:O?, s:O?}", "time", when,
			"domain", name, "error", json_object_get(d, "error"),
			"findings", (json_int_t)n, "sts-id",
			json_is_true(json_object_get(sts, "record-valid"))
				? json_string_value(json_object_get(sts, "id"))
				: NULL,
			"sts-policy-sha256",
			json_object_get(sts, "policy-sha256"),
			"sts-id-policy-sha256",
			json_object_get(sts, "id-policy-sha256"));
		if (run == NULL || add_line(buf, "probe-run", run) < 0)
			rc = -1;
		json_decref(run);
	}
	json_array_foreach(json_object_get(out, "findings"), i,
			   f) if (add_line(buf, "probe-finding", f) < 0) rc =
		-1;
	if (rc < 0)
		tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, NULL, "out of memory");
	else if (buf->len > 0)
		rc = tlsrpt_findings_append(dir, tlsrpt_day_of((int64_t)now),
					    buf->str, buf->len, mode, err);
	g_string_free(buf, TRUE);
	return rc;
}

static void
log_stderr(void *ctx, int prio, const char *line)
{
	(void)ctx;
	if (prio <= LOG_INFO)
		fprintf(stderr, "tlsrpt-probe: %s\n", line);
}

/* The findings as alerts, one per (domain, result type, MX host). */
static void
raise_alerts(const struct config *c, const char *dir, const json_t *out,
	     time_t now)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct alert_hook h;
	struct alert_list l;
	json_t *f;
	size_t i;

	memset(&l, 0, sizeof(l));
	if (alert_hook_init(&h, c, dir, log_stderr, NULL, &err) != 0) {
		fprintf(stderr, "tlsrpt-probe: alerts not raised: %s\n",
			err.text);
		alert_hook_free(&h);
		return;
	}
	/* Its own bucket for AlertMaxPerSenderPerHour: not a report
	 * sender's, and not the unauthenticated one. */
	snprintf(l.sender, sizeof(l.sender), "tlsrpt-probe");
	json_array_foreach(json_object_get(out, "findings"), i, f)
	{
		const char *dom =
			json_string_value(json_object_get(f, "domain"));
		const char *type =
			json_string_value(json_object_get(f, "result-type"));
		const char *mx =
			json_string_value(json_object_get(f, "mx-host"));
		const char *det =
			json_string_value(json_object_get(f, "detail"));
		char *sentence;
		json_t *doc;
		int rc;

		if (!h.enabled || dom == NULL || type == NULL)
			break;
		sentence = g_strdup_printf("our probe of %s%s%s: %s: %s", dom,
					   mx != NULL ? " on " : "",
					   mx != NULL ? mx : "", type,
					   det != NULL ? det : "");
		doc = json_pack("{s:i, s:s, s:s, s:s, s:s?, s:s, s:O, s:s?}",
				"version", 1, "source", "tlsrpt-probe",
				"domain", dom, "result-type", type,
				"receiving-mx-hostname", mx, "summary",
				sentence, "finding", f, "receiving-host",
				h.host);
		rc = doc == NULL ? -1
				 : alert_list_add(&l, &h.rules, dom, type,
						  mx != NULL ? mx : "",
						  sentence, doc, &err);
		if (rc < 0)
			fprintf(stderr, "tlsrpt-probe: alert not raised: %s\n",
				err.text[0] ? err.text : "out of memory");
		else if (rc == 0) /* said, or a silent timer looks fine */
			fprintf(stderr,
				"tlsrpt-probe: no alert for %s %s: not in "
				"AlertDomains (default: Domains) or "
				"AlertResultTypes\n",
				dom, type);
		json_decref(doc);
		g_free(sentence);
	}
	if (l.n > 0) {
		alert_list_cap(&l, h.max_per_message);
		(void)alert_dispatch_list(&h.dispatch, &l, (int64_t)now);
	}
	alert_list_clear(&l);
	alert_hook_free(&h);
}

void
probe_store_history(const struct config *c, struct probe_prev *prev, size_t n,
		    time_t now)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct tlsrpt_store_options so;

	config_store_options(c, CONFIG_OUTSIDE_CHROOT, &so);
	if (probe_history_read(so.dir, tlsrpt_day_of((int64_t)now), prev, n,
			       &err) < 0)
		fprintf(stderr,
			"tlsrpt-probe: %s%s%s: earlier runs not read, a "
			"policy changed without a new id goes unseen this "
			"run\n",
			err.path, err.path[0] ? ": " : "", err.text);
}

int
probe_store(const struct config *c, const json_t *out, time_t now)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct tlsrpt_store_options so;
	const char *dir;

	config_store_options(c, CONFIG_OUTSIDE_CHROOT, &so);
	dir = so.dir;
	if (check_owner(dir, c->allow_root, &err) != 0)
		goto fail;
	if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
		tlsrpt_error_set(&err, TLSRPT_ERR_IO, dir,
				 "cannot create the store directory: %s",
				 strerror(errno));
		goto fail;
	}
	if (store_lines(dir, so.mode, out, now, &err) != 0)
		goto fail;
	raise_alerts(c, dir, out, now);
	return 0;
fail:
	fprintf(stderr, "tlsrpt-probe: %s%s%s\n", err.path,
		err.path[0] ? ": " : "", err.text);
	return -1;
}
