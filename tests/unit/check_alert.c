/* SPDX-License-Identifier: BSD-2-Clause */
/* check_alert.c -- alerts: rules and thresholds, de-duplication with an
 * injected clock (and across processes), the runner against programs that
 * succeed, fail, hang, flood or do not exist, and the milter's queue. */
#include <check.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "base/argv.h"
#include "alert/dispatch.h"
#include "alert/queue.h"
#include "alert/rules.h"
#include "alert/run.h"
#include "alert/state.h"
#include "base/alloc.h"
#include "report/report.h"
#include "tests/unit/testutil.h"

/* example.org: 377 ok + 23 failed; certificate-expired on mx2 from two
 * sending IPs (20 + 3, one of them naming the MX in upper case),
 * starttls-not-supported on mx1 (5). example.net: validation-failure, 2 of
 * 100. example.com: 1 failure and no details. The 5 + 23 are more than the
 * summary says: a report that does not add up is taken as it is. */
static const char report_json[] =
	"{\"organization-name\":\"Microsoft Corporation\","
	"\"date-range\":{\"start-datetime\":\"2026-11-27T00:00:00Z\","
	"\"end-datetime\":\"2026-11-27T23:59:59Z\"},"
	"\"contact-info\":\"tlsrpt@microsoft.com\","
	"\"report-id\":\"133456789\","
	"\"policies\":["
	"{\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":\"example."
	"org\","
	"\"policy-string\":[\"version: STSv1\",\"mode: enforce\"],"
	"\"mx-host\":[\"mx1.example.org\",\"mx2.example.org\"]},"
	"\"summary\":{\"total-successful-session-count\":377,"
	"\"total-failure-session-count\":23},"
	"\"failure-details\":["
	"{\"result-type\":\"starttls-not-supported\",\"sending-mta-ip\":"
	"\"192.0.2.1\",\"receiving-mx-hostname\":\"mx1.example.org\","
	"\"failed-session-count\":5},"
	"{\"result-type\":\"certificate-expired\",\"sending-mta-ip\":"
	"\"192.0.2.2\",\"receiving-mx-hostname\":\"mx2.example.org\","
	"\"failed-session-count\":20},"
	"{\"result-type\":\"certificate-expired\",\"sending-mta-ip\":"
	"\"192.0.2.3\",\"receiving-mx-hostname\":\"MX2.example.org\","
	"\"failed-session-count\":3}]},"
	"{\"policy\":{\"policy-type\":\"tlsa\",\"policy-domain\":\"example."
	"net\","
	"\"policy-string\":[\"3 1 1 AAAA\"]},"
	"\"summary\":{\"total-successful-session-count\":98,"
	"\"total-failure-session-count\":2},"
	"\"failure-details\":["
	"{\"result-type\":\"validation-failure\",\"receiving-ip\":"
	"\"198.51.100.9\",\"failed-session-count\":2}]},"
	"{\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":\"example."
	"com\"},"
	"\"summary\":{\"total-successful-session-count\":9,"
	"\"total-failure-session-count\":1}}]}";

static struct tlsrpt_report *
parse_report(void)
{
	struct tlsrpt_limits lim;
	struct tlsrpt_report *r = NULL;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	tlsrpt_limits_default(&lim);
	ck_assert_msg(tlsrpt_report_parse(report_json, strlen(report_json),
					  &lim, &r, &err) == 0,
		      "%s", err.text);
	return r;
}

static void
rules_default(struct alert_rules *ru)
{
	memset(ru, 0, sizeof(*ru));
	ru->min_failures = 1;
}

static void
eval(const struct alert_rules *ru, struct alert_list *l)
{
	struct tlsrpt_report *r = parse_report();
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	ck_assert_int_eq(alert_rules_eval(ru, r, "mx.example.org", l, &err), 0);
	tlsrpt_report_free(r);
}

START_TEST(test_rules_every_failure)
{
	struct alert_rules ru;
	struct alert_list l;
	json_t *doc;
	json_error_t jerr;

	rules_default(&ru);
	eval(&ru, &l);
	ck_assert_uint_eq(l.n, 4);
	/* Largest first; the two mx2 details are one key. */
	ck_assert_str_eq(l.items[0].key,
			 "example.org certificate-expired mx2.example.org");
	ck_assert_int_eq(l.items[0].failed, 23);
	ck_assert_int_eq(l.items[0].total, 400);
	ck_assert_str_eq(l.items[0].sentence,
			 "Microsoft Corporation could not deliver 23 of 400 "
			 "messages to example.org over TLS on 2026-11-27: "
			 "certificate-expired on mx2.example.org");
	ck_assert_str_eq(l.items[1].result_type, "starttls-not-supported");
	ck_assert_int_eq(l.items[1].failed, 5);
	ck_assert_str_eq(l.items[2].domain, "example.net");
	ck_assert_str_eq(l.items[2].mx, "198.51.100.9"); /* IP: no name */
	ck_assert_str_eq(l.items[3].domain, "example.com");
	ck_assert_str_eq(l.items[3].result_type, ALERT_RESULT_UNSPECIFIED);
	ck_assert_str_eq(l.items[3].mx, "");

	/* The document the program reads. */
	ck_assert_uint_eq(l.items[0].json[l.items[0].json_len - 1], '\n');
	doc = json_loadb(l.items[0].json, l.items[0].json_len, 0, &jerr);
	ck_assert_msg(doc != NULL, "%s", jerr.text);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "domain")),
			 "example.org");
	ck_assert_str_eq(json_string_value(json_object_get(doc, "result-type")),
			 "certificate-expired");
	ck_assert_str_eq(json_string_value(
				 json_object_get(doc, "receiving-mx-hostname")),
			 "mx2.example.org");
	ck_assert_int_eq(json_integer_value(
				 json_object_get(doc, "failed-session-count")),
			 23);
	ck_assert_int_eq(
		json_integer_value(json_object_get(doc, "total-session-count")),
		400);
	ck_assert(json_real_value(json_object_get(doc, "failure-share")) >
		  5.74);
	ck_assert(json_real_value(json_object_get(doc, "failure-share")) <
		  5.76);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "summary")),
			 l.items[0].sentence);
	ck_assert_str_eq(
		json_string_value(json_object_get(
			json_object_get(doc, "reporter"), "organization-name")),
		"Microsoft Corporation");
	ck_assert_str_eq(
		json_string_value(json_object_get(
			json_object_get(doc, "reporter"), "contact-info")),
		"tlsrpt@microsoft.com");
	ck_assert_str_eq(json_string_value(json_object_get(doc, "report-id")),
			 "133456789");
	ck_assert_str_eq(
		json_string_value(json_object_get(
			json_object_get(doc, "date-range"), "start-datetime")),
		"2026-11-27T00:00:00Z");
	ck_assert_str_eq(
		json_string_value(json_object_get(
			json_object_get(doc, "policy"), "policy-type")),
		"sts");
	ck_assert_uint_eq(
		json_array_size(json_object_get(doc, "failure-details")), 2);
	ck_assert_str_eq(
		json_string_value(json_object_get(
			json_array_get(json_object_get(doc, "failure-details"),
				       1),
			"sending-mta-ip")),
		"192.0.2.3");
	ck_assert_str_eq(
		json_string_value(json_object_get(doc, "receiving-host")),
		"mx.example.org");
	json_decref(doc);
	alert_list_clear(&l);
}
END_TEST

START_TEST(test_rules_thresholds)
{
	static char *types[] = {"STARTTLS-not-supported", "validation-failure"};
	static char *domains[] = {"EXAMPLE.NET"};
	struct alert_rules ru;
	struct alert_list l;

	/* A minimum of failed sessions per key. */
	rules_default(&ru);
	ru.min_failures = 5;
	eval(&ru, &l);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_int_eq(l.items[0].failed, 23);
	ck_assert_int_eq(l.items[1].failed, 5);
	alert_list_clear(&l);

	/* A minimum share: 23/400 = 5.75 % passes 5 %, 5/400 does not,
	 * 2/100 does not, 1/10 does. */
	rules_default(&ru);
	ru.min_share = 5;
	eval(&ru, &l);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.items[0].domain, "example.org");
	ck_assert_str_eq(l.items[1].domain, "example.com");
	alert_list_clear(&l);
	ru.min_share = 6;
	eval(&ru, &l);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.items[0].domain, "example.com");
	alert_list_clear(&l);

	/* Result types, case-insensitive. */
	rules_default(&ru);
	ru.result_types = types;
	ru.n_result_types = 2;
	eval(&ru, &l);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.items[0].result_type, "starttls-not-supported");
	ck_assert_str_eq(l.items[1].result_type, "validation-failure");
	alert_list_clear(&l);

	/* Domains, case-insensitive. */
	rules_default(&ru);
	ru.domains = domains;
	ru.n_domains = 1;
	eval(&ru, &l);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.items[0].domain, "example.net");
	alert_list_clear(&l);

	/* All together: nothing matches. */
	ru.min_failures = 3;
	eval(&ru, &l);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_ptr_null(l.items);
	alert_list_clear(&l);
}
END_TEST

/* A report with no failure at all raises nothing; control characters in
 * the organisation never reach the sentence. */
START_TEST(test_rules_quiet_and_clean)
{
	static const char ok[] =
		"{\"organization-name\":\"Evil\\nSubject: x\","
		"\"date-range\":{\"start-datetime\":\"2026-11-25T00:00:00Z\","
		"\"end-datetime\":\"2026-11-28T00:00:00Z\"},"
		"\"contact-info\":\"\",\"report-id\":\"r1\",\"policies\":["
		"{\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":"
		"\"example.org\"},\"summary\":{"
		"\"total-successful-session-count\":10,"
		"\"total-failure-session-count\":0}},"
		"{\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":"
		"\"example.net\"},\"summary\":{"
		"\"total-successful-session-count\":0,"
		"\"total-failure-session-count\":4},\"failure-details\":["
		"{\"result-type\":\"sts-webpki-invalid\","
		"\"failed-session-count\":4}]}]}";
	struct tlsrpt_limits lim;
	struct tlsrpt_report *r = NULL;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct alert_rules ru;
	struct alert_list l;

	tlsrpt_limits_default(&lim);
	ck_assert_int_eq(tlsrpt_report_parse(ok, strlen(ok), &lim, &r, &err),
			 0);
	rules_default(&ru);
	ck_assert_int_eq(alert_rules_eval(&ru, r, NULL, &l, &err), 0);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.items[0].sentence,
			 "Evil Subject: x could not deliver 4 of 4 messages "
			 "to example.net over TLS between 2026-11-25 and "
			 "2026-11-27: sts-webpki-invalid");
	ck_assert_ptr_nonnull(strstr(l.items[0].json, "\"Evil\\nSubject"));
	alert_list_clear(&l);
	tlsrpt_report_free(r);
}
END_TEST

/* Every allocation failure is an error with nothing leaked (ASan/LSan and
 * valgrind see the leaks). */
START_TEST(test_rules_alloc_failure)
{
	struct tlsrpt_report *r = parse_report();
	struct alert_rules ru;
	struct alert_list l;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	int ok = 0;

	rules_default(&ru);
	for (unsigned long n = 1; n < 2000 && !ok; n++) {
		tlsrpt_alloc_fail_after(n);
		if (alert_rules_eval(&ru, r, "h", &l, &err) == 0) {
			ok = 1;
			ck_assert_uint_eq(l.n, 4);
		} else {
			ck_assert_int_eq(err.code, TLSRPT_ERR_NOMEM);
			ck_assert_uint_eq(l.n, 0);
		}
		tlsrpt_alloc_fail_after(0);
		alert_list_clear(&l);
	}
	ck_assert(ok);
	tlsrpt_report_free(r);
}
END_TEST

START_TEST(test_argv_split)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char **v;

	v = alert_argv_split("  /usr/bin/prog  -t \"a b\" x\"y z\"w "
			     "\"q\\\"\\\\\" \"\"",
			     &err);
	ck_assert_ptr_nonnull(v);
	ck_assert_str_eq(v[0], "/usr/bin/prog");
	ck_assert_str_eq(v[1], "-t");
	ck_assert_str_eq(v[2], "a b");
	ck_assert_str_eq(v[3], "xy zw");
	ck_assert_str_eq(v[4], "q\"\\");
	ck_assert_str_eq(v[5], ""); /* "" is an empty word */
	ck_assert_ptr_null(v[6]);
	alert_argv_free(v);
	tlsrpt_error_clear(&err);
	ck_assert_ptr_null(alert_argv_split("prog \"open", &err));
	ck_assert_ptr_nonnull(strstr(err.text, "not closed"));
	ck_assert_ptr_null(alert_argv_split("   ", &err));
	tlsrpt_error_clear(&err);
	ck_assert_ptr_null(alert_argv_split("\"\" x", &err));
	ck_assert_ptr_nonnull(strstr(err.text, "no program"));
}
END_TEST

/* A fresh state file path in a new temp dir (free() it). */
static char *
state_path(void)
{
	char dir[] = "/tmp/check_alert.XXXXXX";
	char *path;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_ge(asprintf(&path, "%s/%s", dir, ALERT_STATE_FILE), 0);
	return path;
}

static void
state_remove(char *path)
{
	char buf[4200];

	unlink(path);
	snprintf(buf, sizeof(buf), "%s.lock", path);
	unlink(buf);
	*strrchr(path, '/') = '\0';
	rmdir(path);
	free(path);
}

START_TEST(test_state_interval)
{
	char *path = state_path();
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	const int64_t t0 = 1795737600, day = 86400;
	const char *k = "example.org certificate-expired mx2.example.org";

	ck_assert_int_eq(alert_state_claim(path, k, t0, day, &err), 1);
	/* Within the interval: suppressed, however often. */
	ck_assert_int_eq(alert_state_claim(path, k, t0 + 1, day, &err), 0);
	ck_assert_int_eq(alert_state_claim(path, k, t0 + day - 1, day, &err),
			 0);
	/* Another MX, another result type, another domain: other keys. */
	ck_assert_int_eq(alert_state_claim(path,
					   "example.org certificate-expired "
					   "mx1.example.org",
					   t0 + 10, day, &err),
			 1);
	ck_assert_int_eq(alert_state_claim(path,
					   "example.org "
					   "starttls-not-supported "
					   "mx2.example.org",
					   t0 + 10, day, &err),
			 1);
	/* After the interval: again, and then quiet again. */
	ck_assert_int_eq(alert_state_claim(path, k, t0 + day, day, &err), 1);
	ck_assert_int_eq(alert_state_claim(path, k, t0 + day + 5, day, &err),
			 0);
	/* A clock that went back a little does not re-alert. */
	ck_assert_int_eq(alert_state_claim(path, k, t0 + day - 60, day, &err),
			 0);
	/* Interval 0: every time. */
	ck_assert_int_eq(alert_state_claim(path, "x y z", t0, 0, &err), 1);
	ck_assert_int_eq(alert_state_claim(path, "x y z", t0, 0, &err), 1);
	state_remove(path);
}
END_TEST

START_TEST(test_state_file)
{
	char *path = state_path();
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	const int64_t t0 = 1795737600, day = 86400;
	char *text;
	size_t len;
	FILE *fp;

	/* Keys from reports may hold anything: escaped, one line each. */
	ck_assert_int_eq(alert_state_claim(path, "a b\nc%d", t0, day, &err), 1);
	text = test_read_file(path, &len);
	ck_assert_str_eq(text, "1795737600 a%20b%0Ac%25d\n");
	free(text);
	/* The state is the file: a new "process" (nothing in memory) sees
	 * it; a damaged line is skipped, the good ones kept. */
	fp = fopen(path, "a");
	ck_assert_ptr_nonnull(fp);
	fputs("garbage\n1795737600 \n1795737600 other key\n", fp);
	fclose(fp);
	ck_assert_int_eq(alert_state_claim(path, "a b\nc%d", t0 + 1, day, &err),
			 0);
	ck_assert_int_eq(alert_state_claim(path, "other%20key", t0, day, &err),
			 1); /* "other key" was damaged: two words */
	/* Release gives a failed alert's claim back; not someone else's. */
	ck_assert_int_eq(alert_state_claim(path, "k", t0, day, &err), 1);
	ck_assert_int_eq(alert_state_release(path, "k", t0 - 1, &err), 0);
	ck_assert_int_eq(alert_state_claim(path, "k", t0 + 1, day, &err), 0);
	ck_assert_int_eq(alert_state_release(path, "k", t0, &err), 0);
	ck_assert_int_eq(alert_state_claim(path, "k", t0 + 2, day, &err), 1);
	/* Expired keys are dropped on the next rewrite. */
	ck_assert_int_eq(
		alert_state_claim(path, "new", t0 + 2 * day, day, &err), 1);
	text = test_read_file(path, &len);
	ck_assert_str_eq(text, "1795910400 new\n");
	free(text);
	/* An unusable place is an error naming it. */
	ck_assert_int_eq(alert_state_claim("/nonexistent/dir/tlsrpt.alerts",
					   "k", t0, day, &err),
			 -1);
	ck_assert_ptr_nonnull(strstr(err.path, "/nonexistent/dir"));
	state_remove(path);
}
END_TEST

/* Eight processes claim the same key at the same moment: one wins. */
START_TEST(test_state_race)
{
	char *path = state_path();
	int winners = 0;
	pid_t pids[8];

	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 8; i++) {
			pids[i] = fork();
			ck_assert_int_ge(pids[i], 0);
			if (pids[i] == 0) {
				struct tlsrpt_error err = TLSRPT_ERROR_INIT;
				int r = alert_state_claim(
					path, "example.org x mx", 1000 + round,
					86400, &err);

				_exit(r == 1 ? 10 : r == 0 ? 20 : 30);
			}
		}
		winners = 0;
		for (int i = 0; i < 8; i++) {
			int st;

			ck_assert_int_eq(waitpid(pids[i], &st, 0), pids[i]);
			ck_assert(WIFEXITED(st));
			ck_assert_int_ne(WEXITSTATUS(st), 30);
			winners += WEXITSTATUS(st) == 10;
		}
		ck_assert_int_eq(winners, round == 0 ? 1 : 0);
	}
	state_remove(path);
}
END_TEST

static long
ms_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) * 1000 +
	       (b.tv_nsec - a->tv_nsec) / 1000000;
}

/* No child of ours is left, zombie or not. */
static void
assert_no_children(void)
{
	errno = 0;
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
}

START_TEST(test_run_success)
{
	char *path = state_path(), *cmd, *got;
	char *argv[] = {"/bin/sh", "-c", NULL, NULL};
	struct alert_run_result res;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	const char input[] = "{\"domain\":\"example.org\"}\n";
	size_t len;

	ck_assert_int_ge(asprintf(&cmd, "cat >'%s'; echo done", path), 0);
	argv[2] = cmd;
	ck_assert_int_eq(
		alert_run(argv, input, strlen(input), 5000, &res, &err), 0);
	ck_assert(res.started && res.exited);
	ck_assert_int_eq(res.exit_status, 0);
	ck_assert_str_eq(res.first_line, "done");
	got = test_read_file(path, &len);
	ck_assert_str_eq(got, input);
	free(got);
	free(cmd);
	assert_no_children();
	state_remove(path);
}
END_TEST

START_TEST(test_run_failure)
{
	char *argv[] = {"/bin/sh", "-c",
			"read x; echo \"sendmail: fatal: no\tway $x\" >&2; "
			"echo second line; exit 3",
			NULL};
	struct alert_run_result res;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	ck_assert_int_eq(alert_run(argv, "in\n", 3, 5000, &res, &err), -1);
	ck_assert(res.exited);
	ck_assert_int_eq(res.exit_status, 3);
	ck_assert_str_eq(res.first_line, "sendmail: fatal: no?way in");
	ck_assert_str_eq(err.text,
			 "exited with status 3: sendmail: fatal: no?way in");
	ck_assert_str_eq(err.path, "/bin/sh");
	assert_no_children();
}
END_TEST

START_TEST(test_run_missing)
{
	char *argv[] = {"/nonexistent/tlsrpt-alert", NULL};
	char *argv2[] = {"tlsrpt-no-such-program-anywhere", NULL};
	struct alert_run_result res;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	/* glibc says so at once; under valgrind the exec fails in the
	 * child, which then exits 127 as a shell would. */
	ck_assert_int_eq(alert_run(argv, "x", 1, 5000, &res, &err), -1);
	if (res.started) {
		ck_assert_int_eq(res.exit_status, 127);
	} else {
		ck_assert_ptr_nonnull(strstr(err.text, "cannot run"));
		ck_assert_ptr_nonnull(strstr(err.text, "No such file"));
	}
	ck_assert_int_eq(alert_run(argv2, "x", 1, 5000, &res, &err), -1);
	ck_assert(!res.started || res.exit_status == 127);
	assert_no_children();
}
END_TEST

/* A program that hangs (even one that ignores SIGTERM, with a child of
 * its own) is killed at the deadline; the call returns within timeout +
 * 1 s and leaves no process behind. */
START_TEST(test_run_hang)
{
	char *argv[] = {"/bin/sh", "-c", "sleep 37", NULL};
	char *stubborn[] = {"/bin/sh", "-c",
			    "trap '' TERM; echo stuck; sleep 37; sleep 37",
			    NULL};
	struct alert_run_result res;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct timespec t0;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(alert_run(argv, "x", 1, 1000, &res, &err), -1);
	ms = ms_since(&t0);
	ck_assert(res.timed_out);
	ck_assert_int_eq(res.signal, SIGTERM);
	ck_assert_msg(ms >= 1000 && ms < 2000, "took %ld ms", ms);
	ck_assert_ptr_nonnull(strstr(err.text, "within 1.000 s"));

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(alert_run(stubborn, "x", 1, 1000, &res, &err), -1);
	ms = ms_since(&t0);
	ck_assert(res.timed_out);
	ck_assert_int_eq(res.signal, SIGKILL);
	ck_assert_str_eq(res.first_line, "stuck");
	ck_assert_msg(ms >= 1000 && ms < 2000, "took %ld ms", ms);
	assert_no_children();
	/* The grandchild sleep was in the killed group too. */
	ck_assert_int_ne(system("pgrep -f '^sleep 37$' >/dev/null"), 0);
}
END_TEST

/* 10 MB on stdout while 4 MB wait on its stdin it never reads: no
 * deadlock, no SIGPIPE (the test process has the default SIGPIPE). */
START_TEST(test_run_flood)
{
	char *argv[] = {"/bin/sh", "-c", "head -c 10000000 /dev/zero", NULL};
	char *noread[] = {"/bin/true", NULL};
	struct alert_run_result res;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	size_t big = 4 * 1024 * 1024;
	char *input = malloc(big);

	ck_assert_ptr_nonnull(input);
	memset(input, 'x', big);
	ck_assert_int_eq(alert_run(argv, input, big, 10000, &res, &err), 0);
	ck_assert_uint_eq(res.output_bytes, 10000000);
	ck_assert(!res.timed_out);
	ck_assert_int_eq(alert_run(noread, input, big, 10000, &res, &err), 0);
	free(input);
	assert_no_children();
}
END_TEST

struct logbuf {
	pthread_mutex_t mu;
	char text[16384];
	size_t len;
};

static void
log_to_buf(void *ctx, int prio, const char *line)
{
	struct logbuf *b = ctx;

	pthread_mutex_lock(&b->mu);
	b->len += (size_t)snprintf(b->text + b->len, sizeof(b->text) - b->len,
				   "%d %s\n", prio, line);
	if (b->len >= sizeof(b->text))
		b->len = sizeof(b->text) - 1;
	pthread_mutex_unlock(&b->mu);
}

static size_t
count_lines(const char *path)
{
	size_t len, n = 0;
	char *text;

	if (access(path, F_OK) != 0)
		return 0;
	text = test_read_file(path, &len);
	for (size_t i = 0; i < len; i++)
		n += text[i] == '\n';
	free(text);
	return n;
}

/* Claim, run, release on failure: a repeated key is sent once; a program
 * that fails leaves the key free for the next report. */
START_TEST(test_dispatch)
{
	static struct logbuf lb = {PTHREAD_MUTEX_INITIALIZER, "", 0};
	char *path = state_path(), *out, *cmd;
	char *argv[] = {"/bin/sh", "-c", NULL, NULL};
	char *failing[] = {"/bin/sh", "-c", "exit 1", NULL};
	struct alert_dispatch d = {argv,       5000, 86400, path,
				   log_to_buf, &lb,  {0, 0}};
	struct alert_rules ru;
	struct alert_list l;
	const int64_t t0 = 1795737600;

	ck_assert_int_ge(asprintf(&out, "%s.out", path), 0);
	ck_assert_int_ge(asprintf(&cmd, "head -n 1 >>'%s'", out), 0);
	argv[2] = cmd;
	rules_default(&ru);
	eval(&ru, &l);
	ck_assert_uint_eq(alert_dispatch_list(&d, &l, t0), 4);
	ck_assert_uint_eq(count_lines(out), 4);
	ck_assert_uint_eq(alert_dispatch_list(&d, &l, t0 + 3600), 0);
	ck_assert_uint_eq(count_lines(out), 4);
	ck_assert_ptr_nonnull(strstr(lb.text, "6 alert sent ("));
	ck_assert_ptr_nonnull(
		strstr(lb.text, "ms): Microsoft Corporation could not deliver "
				"23 of 400"));
	ck_assert_ptr_nonnull(strstr(lb.text, "already sent"));

	/* A day later the program fails: logged, and not remembered. */
	d.argv = failing;
	ck_assert_uint_eq(alert_dispatch_list(&d, &l, t0 + 86400), 0);
	ck_assert_ptr_nonnull(strstr(lb.text, "3 alert example.org/"
					      "certificate-expired/"
					      "mx2.example.org not sent: "
					      "/bin/sh: exited with status 1"));
	d.argv = argv;
	ck_assert_uint_eq(alert_dispatch_list(&d, &l, t0 + 86400 + 60), 4);
	ck_assert_uint_eq(count_lines(out), 8);
	alert_list_clear(&l);
	unlink(out);
	free(out);
	free(cmd);
	state_remove(path);
}
END_TEST

/* A program that hangs costs one timeout per report, not one per alert;
 * the alerts not tried stay unclaimed. */
START_TEST(test_dispatch_hang)
{
	static struct logbuf lb = {PTHREAD_MUTEX_INITIALIZER, "", 0};
	char *path = state_path();
	char *argv[] = {"/bin/sh", "-c", "sleep 37", NULL};
	struct alert_dispatch d = {argv,       500, 86400, path,
				   log_to_buf, &lb, {0, 0}};
	struct alert_rules ru;
	struct alert_list l;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct timespec t0;

	rules_default(&ru);
	eval(&ru, &l);
	ck_assert_uint_eq(l.n, 4);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_uint_eq(alert_dispatch_list(&d, &l, 1000), 0);
	ck_assert_msg(ms_since(&t0) < 1500, "took %ld ms", ms_since(&t0));
	ck_assert_ptr_nonnull(strstr(lb.text, "3 more alerts of the same "
					      "report not sent"));
	for (size_t i = 0; i < l.n; i++)
		ck_assert_int_eq(alert_state_claim(path, l.items[i].key, 1001,
						   86400, &err),
				 1);
	alert_list_clear(&l);
	assert_no_children();
	state_remove(path);
}
END_TEST

/* The milter's queue: pushing never waits on a slow program; a full queue
 * drops and says so; stopping waits only for the program running. */
START_TEST(test_queue)
{
	static struct logbuf lb = {PTHREAD_MUTEX_INITIALIZER, "", 0};
	char *path = state_path();
	char *argv[] = {"/bin/sh", "-c", "cat >/dev/null; sleep 1", NULL};
	struct alert_dispatch d = {argv,       5000, 0,	    path,
				   log_to_buf, &lb,  {0, 0}};
	struct alert_queue *q = NULL;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct alert_rules ru;
	struct alert_list l;
	struct timespec t0;
	int i;

	ck_assert_int_eq(alert_queue_start(&d, 1, &q, &err), 0);
	rules_default(&ru);
	ru.min_failures = 20; /* one alert per report */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	eval(&ru, &l);
	ck_assert_int_eq(alert_queue_push(q, &l, 1), 0);
	ck_assert_uint_eq(l.n, 0);
	/* Until the thread has taken the first one: its claim writes the
	 * state file before the program starts. */
	for (i = 0; i < 200 && access(path, F_OK) != 0; i++)
		usleep(5000);
	eval(&ru, &l);
	ck_assert_int_eq(alert_queue_push(q, &l, 2), 0); /* waits in line */
	eval(&ru, &l);
	ck_assert_int_eq(alert_queue_push(q, &l, 3), -1); /* full */
	ck_assert_uint_eq(l.n, 0);
	ck_assert_msg(ms_since(&t0) < 500, "pushing took %ld ms",
		      ms_since(&t0));
	ck_assert_ptr_nonnull(strstr(lb.text, "alert queue full"));
	/* Let the first two finish (about 1 s each). */
	for (i = 0; i < 400 && alert_queue_pending(q) > 0; i++)
		usleep(10000);
	ck_assert_uint_eq(alert_queue_pending(q), 0);
	alert_queue_stop(q);
	{
		size_t sent = 0;

		for (const char *p = lb.text; (p = strstr(p, "alert sent"));
		     p++)
			sent++;
		ck_assert_uint_eq(sent, 2);
	}
	assert_no_children();
	state_remove(path);
}
END_TEST

/* Issue 15, case 6: one report mail raises at most AlertMaxPerMessage
 * alerts; the last says how many more. */
START_TEST(test_list_cap)
{
	struct alert_rules ru;
	struct alert_list l;
	json_t *doc;

	rules_default(&ru);
	eval(&ru, &l);
	ck_assert_uint_eq(l.n, 4);
	alert_list_cap(&l, 2);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_uint_eq(l.n_dropped, 2);
	ck_assert_int_eq(l.items[0].failed, 23);
	ck_assert_ptr_nonnull(strstr(l.items[1].sentence,
				     "(and 2 more failures in the same report "
				     "mail, not alerted"));
	doc = json_loadb(l.items[1].json, l.items[1].json_len, 0, NULL);
	ck_assert_ptr_nonnull(doc);
	ck_assert_int_eq(
		json_integer_value(json_object_get(doc, "more-alerts")), 2);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "summary")),
			 l.items[1].sentence);
	json_decref(doc);
	ck_assert_ptr_null(strstr(l.items[0].sentence, "more"));
	alert_list_clear(&l);
}
END_TEST

/* Hourly bounds: per sender, then in all; an hour later they are free
 * again; a key within AlertInterval is still "already sent". */
START_TEST(test_state_rate)
{
	char *path = state_path();
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	const struct alert_rate rate = {3, 2};
	const int64_t t0 = 1795737600, day = 86400;

	ck_assert_int_eq(
		alert_state_claim_rated(path, "a", "", t0, day, &rate, &err),
		1);
	ck_assert_int_eq(alert_state_claim_rated(path, "b", "", t0 + 1, day,
						 &rate, &err),
			 1);
	ck_assert_int_eq(alert_state_claim_rated(path, "c", "", t0 + 2, day,
						 &rate, &err),
			 ALERT_STATE_OVER_SENDER);
	ck_assert_int_eq(alert_state_claim_rated(path, "a", "google.com",
						 t0 + 3, day, &rate, &err),
			 0);
	ck_assert_int_eq(alert_state_claim_rated(path, "c", "google.com",
						 t0 + 3, day, &rate, &err),
			 1);
	ck_assert_int_eq(alert_state_claim_rated(path, "d", "example.net",
						 t0 + 4, day, &rate, &err),
			 ALERT_STATE_OVER_TOTAL);
	ck_assert_int_eq(alert_state_claim_rated(path, "d", "example.net",
						 t0 + 3600, day, &rate, &err),
			 1);
	/* The plain claim reads the three-field lines. */
	ck_assert_int_eq(alert_state_claim(path, "c", t0 + 3601, day, &err), 0);
	/* A short AlertInterval does not forget what the hour counts. */
	ck_assert_int_eq(alert_state_claim_rated(path, "e", "", t0 + 3602, 60,
						 &rate, &err),
			 1);
	ck_assert_int_eq(alert_state_claim_rated(path, "f", "", t0 + 3603, 60,
						 &rate, &err),
			 1);
	/* e and f (older than the interval) and d still fill the hour. */
	ck_assert_int_eq(alert_state_claim_rated(path, "g", "", t0 + 3700, 60,
						 &rate, &err),
			 ALERT_STATE_OVER_TOTAL);
	state_remove(path);
}
END_TEST

/* A list of one alert from sender. */
static void
list_from(struct alert_list *l, const char *sender)
{
	struct alert_rules ru;

	rules_default(&ru);
	ru.min_failures = 20; /* one alert per report */
	eval(&ru, l);
	snprintf(l->sender, sizeof(l->sender), "%s", sender);
}

/* A full queue makes room by the newest list of the sender holding the
 * most, and unauthenticated lists make room for authenticated ones: a
 * flood never keeps another sender's alert out. */
START_TEST(test_queue_fair)
{
	static struct logbuf lb = {PTHREAD_MUTEX_INITIALIZER, "", 0};
	char *path = state_path();
	char *argv[] = {"/bin/sh", "-c", "cat >/dev/null; sleep 2", NULL};
	struct alert_dispatch d = {argv,       5000, 0,	    path,
				   log_to_buf, &lb,  {0, 0}};
	struct alert_queue *q = NULL;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct alert_list l;
	int i;

	ck_assert_int_eq(alert_queue_start(&d, 3, &q, &err), 0);
	list_from(&l, "busy.example");
	ck_assert_int_eq(alert_queue_push(q, &l, 1), 0);
	for (i = 0; i < 200 && access(path, F_OK) != 0; i++)
		usleep(5000); /* the thread took it: 3 places free */
	/* An unauthenticated flood fills the queue; one more is dropped. */
	for (i = 0; i < 3; i++) {
		list_from(&l, "");
		ck_assert_int_eq(alert_queue_push(q, &l, 2), 0);
	}
	list_from(&l, "");
	ck_assert_int_eq(alert_queue_push(q, &l, 3), -1);
	/* An authenticated sender's alert gets in. */
	list_from(&l, "google.com");
	ck_assert_int_eq(alert_queue_push(q, &l, 4), 0);
	ck_assert_ptr_nonnull(strstr(lb.text, "not authenticated dropped"));
	/* Authenticated senders: the one holding the most gives way. */
	list_from(&l, "evil.example");
	ck_assert_int_eq(alert_queue_push(q, &l, 5), 0); /* 2nd "" out */
	list_from(&l, "evil.example");
	ck_assert_int_eq(alert_queue_push(q, &l, 6), 0); /* last "" out */
	list_from(&l, "evil.example");
	ck_assert_int_eq(alert_queue_push(q, &l, 7), -1); /* 2 vs 1: no */
	list_from(&l, "microsoft.com");
	ck_assert_int_eq(alert_queue_push(q, &l, 8), 0); /* evil's out */
	ck_assert_ptr_nonnull(strstr(lb.text, "from evil.example dropped"));
	ck_assert_uint_eq(alert_queue_pending(q), 4);
	alert_queue_stop(q);
	assert_no_children();
	state_remove(path);
}
END_TEST

static Suite *
alert_suite(void)
{
	Suite *s = suite_create("alert");
	TCase *tc = tcase_create("rules");

	tcase_add_test(tc, test_rules_every_failure);
	tcase_add_test(tc, test_list_cap);
	tcase_add_test(tc, test_rules_thresholds);
	tcase_add_test(tc, test_rules_quiet_and_clean);
	tcase_add_test(tc, test_rules_alloc_failure);
	tcase_add_test(tc, test_argv_split);
	suite_add_tcase(s, tc);
	tc = tcase_create("state");
	tcase_add_test(tc, test_state_interval);
	tcase_add_test(tc, test_state_file);
	tcase_add_test(tc, test_state_race);
	tcase_add_test(tc, test_state_rate);
	suite_add_tcase(s, tc);
	tc = tcase_create("run");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_run_success);
	tcase_add_test(tc, test_run_failure);
	tcase_add_test(tc, test_run_missing);
	tcase_add_test(tc, test_run_hang);
	tcase_add_test(tc, test_run_flood);
	tcase_add_test(tc, test_dispatch);
	tcase_add_test(tc, test_dispatch_hang);
	tcase_add_test(tc, test_queue);
	tcase_add_test(tc, test_queue_fair);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	tlsrpt_alloc_init();
	return test_run(alert_suite());
}
