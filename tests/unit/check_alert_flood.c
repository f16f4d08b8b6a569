/* SPDX-License-Identifier: BSD-2-Clause */
/* check_alert_flood.c -- issue 15, case 6, through the intake step and the
 * milter's alert hook and thread: five mails of 16 unauthenticated reports
 * inventing 32 MX names each (2,560 alert keys), then Google's DKIM-signed
 * report of an expired certificate. The real alert must go out, and the
 * alert program run no more often than the bounds say. */
#include <check.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "intake/alert_hook.h"
#include "intake/config.h"
#include "intake/intake.h"
#include "report/input.h"
#include "store/store.h"
#include "tests/unit/testutil.h"

#define NOW 1795824000 /* 2026-11-28 */

/* One report part: n_mx failure details, on mx (one) or on mxN.mx. */
static void
add_part(GString *mail, const char *org, const char *id, const char *type,
	 int n_mx, const char *mx)
{
	g_string_append_printf(
		mail,
		"--b\r\nContent-Type: application/tlsrpt+json\r\n\r\n"
		"{\"organization-name\":\"%s\",\"date-range\":{"
		"\"start-datetime\":\"2026-11-27T00:00:00Z\","
		"\"end-datetime\":\"2026-11-27T23:59:59Z\"},"
		"\"report-id\":\"%s\",\"policies\":[{\"policy\":{"
		"\"policy-type\":\"sts\",\"policy-domain\":\"example.org\"},"
		"\"summary\":{\"total-successful-session-count\":0,"
		"\"total-failure-session-count\":%d},\"failure-details\":[",
		org, id, n_mx);
	for (int i = 0; i < n_mx; i++) {
		g_string_append_printf(mail,
				       "%s{\"result-type\":\"%s\","
				       "\"receiving-mx-hostname\":\"",
				       i > 0 ? "," : "", type);
		if (n_mx == 1)
			g_string_append(mail, mx);
		else
			g_string_append_printf(mail, "mx%d.%s", i, mx);
		g_string_append(mail, "\",\"failed-session-count\":1}");
	}
	g_string_append(mail, "]}]}\r\n");
}

static GString *
mail_head(const char *auth, const char *from)
{
	GString *m = g_string_new(NULL);

	if (auth != NULL)
		g_string_append_printf(m, "Authentication-Results: %s\r\n",
				       auth);
	g_string_append_printf(m,
			       "From: <%s>\r\nMessage-ID: <%s.%p@flood>\r\n"
			       "MIME-Version: 1.0\r\nContent-Type: "
			       "multipart/report; report-type=tlsrpt; "
			       "boundary=\"b\"\r\n\r\n",
			       from, from, (void *)m);
	return m;
}

static void
run(const struct intake_config *ic, GString *mail, enum intake_outcome want)
{
	struct intake_origin origin = {
		.source = "milter", .host = "mx.example.org", .received = NOW};
	struct intake_result res;

	g_string_append(mail, "--b--\r\n");
	ck_assert_int_eq(
		intake_run(ic, &origin, mail->str, mail->len, NULL, NULL, &res),
		0);
	ck_assert_int_eq(res.outcome, want);
	g_string_free(mail, TRUE);
}

static void
quiet(void *ctx, int prio, const char *line)
{
	(void)ctx;
	(void)prio;
	(void)line;
}

static size_t
lines_of(const char *path, const char *needle, size_t *matching)
{
	size_t len, n = 0;
	char *text, *line, *save = NULL;

	*matching = 0;
	if (access(path, F_OK) != 0)
		return 0;
	text = test_read_file(path, &len);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		n++;
		*matching += strstr(line, needle) != NULL;
	}
	free(text);
	return n;
}

START_TEST(test_flood_then_real)
{
	char dir[] = "/tmp/check_alert_flood.XXXXXX", cmd[256], out[128];
	struct config cfg;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct tlsrpt_store_options so;
	struct tlsrpt_store *store = NULL;
	struct intake_config ic;
	struct alert_hook hook;
	size_t runs, real;
	int i;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(out, sizeof(out), "%s/alerts.out", dir);
	snprintf(cmd, sizeof(cmd), "/bin/sh -c \"cat >>'%s'\"", out);
	ck_assert_int_eq(config_init(&cfg, &err), 0);
	ck_assert_int_eq(config_set(&cfg, "StoreDirectory", dir, "t", &err), 0);
	ck_assert_int_eq(
		config_set(&cfg, "HostName", "mx.example.org", "t", &err), 0);
	ck_assert_int_eq(config_set(&cfg, "TrustedAuthservIDs",
				    "mx.example.org", "t", &err),
			 0);
	ck_assert_int_eq(config_set(&cfg, "AlertCommand", cmd, "t", &err), 0);
	ck_assert_msg(config_finish(&cfg, &err) == 0, "%s", err.text);
	tlsrpt_store_options_default(&so);
	so.dir = dir;
	so.fsync = TLSRPT_STORE_FSYNC_NONE;
	so.limits = &cfg.limits;
	ck_assert_int_eq(tlsrpt_store_open(&so, &store, &err), 0);
	config_intake(&cfg, store, &ic);
	ck_assert_int_eq(
		alert_hook_setup(&hook, &cfg, 1, quiet, NULL, &ic, &err), 0);

	/* The flood: 5 mails x 16 reports x 32 invented MX names. */
	for (i = 0; i < 5; i++) {
		GString *m = mail_head(NULL, "noreply@flood.example");

		for (int r = 0; r < 16; r++) {
			char id[32], mx[64];

			snprintf(id, sizeof(id), "flood-%d-%d", i, r);
			snprintf(mx, sizeof(mx), "r%d.m%d.invented.example", r,
				 i);
			add_part(m, "Flood", id, "starttls-not-supported", 32,
				 mx);
		}
		run(&ic, m, INTAKE_STORED);
	}
	/* The real one: Google, signed, an expired certificate. */
	{
		GString *m = mail_head("mx.example.org; dkim=pass "
				       "header.d=google.com",
				       "noreply-smtp-tls-reporting@google.com");

		add_part(m, "Google Inc.", "real-1", "certificate-expired", 1,
			 "mx1.example.org");
		run(&ic, m, INTAKE_STORED);
	}
	for (i = 0; i < 3000 && alert_queue_pending(hook.queue) > 0; i++)
		usleep(10000);
	ck_assert_uint_eq(alert_queue_pending(hook.queue), 0);
	runs = lines_of(out, "certificate-expired", &real);
	ck_assert_uint_eq(real, 1);
	/* The flood's share: AlertMaxPerSenderPerHour (10), and the real. */
	ck_assert_uint_eq(runs, cfg.alert_max_per_sender_hour + 1);
	alert_hook_free(&hook);
	tlsrpt_store_close(store);
	config_free(&cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("alert_flood");
	TCase *tc = tcase_create("core");

	tlsrpt_parser_init();
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_flood_then_real);
	suite_add_tcase(s, tc);
	return test_run(s);
}
