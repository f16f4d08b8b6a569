/* SPDX-License-Identifier: BSD-2-Clause */
/* check_config.c -- the configuration table, file parsing and its errors;
 * recipient matching. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "intake/config.h"
#include "intake/intake.h"
#include "intake/rcpt.h"
#include "base/alloc.h"
#include "store/store.h"
#include "tests/unit/testutil.h"

/* Write text to a new temporary file; returns its path (free()). */
static char *
write_temp(const char *text, size_t len)
{
	char *path = strdup("/tmp/check_config.XXXXXX");
	int fd;

	ck_assert_ptr_nonnull(path);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	close(fd);
	return path;
}

/* Load text as a file into a fresh config; returns config_load()'s
 * result, err filled. */
static int
load_text(struct config *c, const char *text, struct tlsrpt_error *err,
	  char **path_out)
{
	char *path = write_temp(text, strlen(text));
	int ret;

	ck_assert_int_eq(config_init(c, err), 0);
	ret = config_load(c, path, 0, err);
	unlink(path);
	if (path_out != NULL)
		*path_out = path;
	else
		free(path);
	return ret;
}

START_TEST(test_defaults)
{
	struct config c;
	struct tlsrpt_limits want;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	ck_assert_int_eq(config_init(&c, &err), 0);
	ck_assert_str_eq(c.socket, "inet:8895@127.0.0.1");
	ck_assert_ptr_null(c.user);
	ck_assert_ptr_null(c.pid_file);
	ck_assert_ptr_null(c.chroot_dir);
	ck_assert_uint_eq(c.umask, 07);
	ck_assert_int_eq(c.syslog_facility, LOG_MAIL);
	ck_assert_int_eq(c.log_level, LOG_INFO);
	ck_assert_str_eq(c.store_directory, TLSRPT_LOCALSTATEDIR "/lib/tlsrpt");
	/* Filled by config_finish() from Domains: see test_domains. */
	ck_assert_uint_eq(c.report_addresses.n, 0);
	ck_assert_uint_eq(c.domains.n, 0);
	ck_assert_int_eq(c.detect_by_headers, 0);
	ck_assert_int_eq(c.disposition, CONFIG_DELIVER);
	ck_assert_int_eq(c.on_store_failure, CONFIG_TEMPFAIL);
	ck_assert_int_eq(c.add_header, 1);
	ck_assert_uint_eq(c.trusted_authserv_ids.n, 0);
	ck_assert_int_eq(c.require_dkim, 0);
	ck_assert_ptr_null(c.host_name);
	ck_assert_uint_eq(c.dedup_days, 60);
	ck_assert_int_eq(c.fsync, CONFIG_FSYNC_REPORT);
	ck_assert_uint_eq(c.compress_after_days, 7);
	ck_assert_uint_eq(c.retention_days, 0);
	/* The table's defaults are the parser's. */
	memset(&want, 0, sizeof(want)); /* padding compares too */
	tlsrpt_limits_default(&want);
	ck_assert_mem_eq(&c.limits, &want, sizeof(want));

	/* Host name and trusted ids default to the machine's name. */
	ck_assert_int_eq(config_finish(&c, &err), 0);
	ck_assert_ptr_nonnull(c.host_name);
	ck_assert_uint_eq(c.trusted_authserv_ids.n, 1);
	ck_assert_str_eq(c.trusted_authserv_ids.items[0], c.host_name);
	config_free(&c);
}
END_TEST

START_TEST(test_missing_file)
{
	struct config c;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	ck_assert_int_eq(config_init(&c, &err), 0);
	/* The default path may be absent: defaults apply. */
	ck_assert_int_eq(config_load(&c, "/nonexistent/tlsrpt.conf", 1, &err),
			 0);
	ck_assert_uint_eq(c.dedup_days, 60);
	/* A file named with -c must exist. */
	ck_assert_int_eq(config_load(&c, "/nonexistent/tlsrpt.conf", 0, &err),
			 -1);
	ck_assert_int_eq(err.code, TLSRPT_ERR_IO);
	ck_assert_str_eq(err.path, "/nonexistent/tlsrpt.conf");
	ck_assert_ptr_nonnull(strstr(err.text, "No such file"));
	config_free(&c);
}
END_TEST

START_TEST(test_parse_all)
{
	static const char text[] =
		"# a comment\n"
		"\n"
		"   # an indented comment\n"
		"Socket unix:/run/tlsrpt/milter.sock # trailing comment\n"
		"userid tlsrpt:mail\n" /* keys are case-insensitive */
		"PidFile /run/tlsrpt-milter.pid\n"
		"Chroot /var/spool/tlsrpt\n"
		"Umask 0117\n"
		"SyslogFacility local3\n"
		"LogLevel Notice\n"
		"StoreDirectory /srv/tlsrpt\r\n" /* CRLF file */
		"ReportAddresses tlsrpt@example.org, TLS-Reports@*  "
		"rua@x.test\n"
		"DetectByHeaders yes\n"
		"Disposition quarantine\n"
		"OnStoreFailure accept\n"
		"AddHeader off\n"
		"TrustedAuthservIDs mx1.example.org,mx2.example.org\n"
		"RequireDKIM true\n"
		"HostName mx.example.org\n"
		"DedupDays 90\n"
		"Fsync none\n"
		"CompressAfterDays 0\n"
		"RetentionDays 400\n"
		"MaxMessageSize 2M\n"
		"MaxReportSize 4096k\n"
		"MaxInflateRatio 500\n"
		"MaxJSONDepth 12\n"
		"MaxPolicies 10\n"
		"MaxFailureDetails 20\n"
		"MaxPolicyStrings 30\n"
		"MaxStringLength 1k\n"
		"MaxReportsPerMessage 4\n"
		"MaxMIMEDepth 5\n"
		"MaxMIMEParts 64\n"
		"\t\n";
	struct config c;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct tlsrpt_limits l;
	struct intake_config ic;
	struct tlsrpt_store_options so;

	ck_assert_msg(load_text(&c, text, &err, NULL) == 0, "%s: %s", err.path,
		      err.text);
	ck_assert_str_eq(c.socket, "unix:/run/tlsrpt/milter.sock");
	ck_assert_str_eq(c.user, "tlsrpt:mail");
	ck_assert_str_eq(c.pid_file, "/run/tlsrpt-milter.pid");
	ck_assert_str_eq(c.chroot_dir, "/var/spool/tlsrpt");
	ck_assert_uint_eq(c.umask, 0117);
	ck_assert_int_eq(c.syslog_facility, LOG_LOCAL3);
	ck_assert_int_eq(c.log_level, LOG_NOTICE);
	ck_assert_str_eq(c.store_directory, "/srv/tlsrpt");
	ck_assert_uint_eq(c.report_addresses.n, 3);
	ck_assert_str_eq(c.report_addresses.items[0], "tlsrpt@example.org");
	ck_assert_str_eq(c.report_addresses.items[1], "TLS-Reports@*");
	ck_assert_str_eq(c.report_addresses.items[2], "rua@x.test");
	ck_assert_int_eq(c.detect_by_headers, 1);
	ck_assert_int_eq(c.disposition, CONFIG_QUARANTINE);
	ck_assert_int_eq(c.on_store_failure, CONFIG_ACCEPT);
	ck_assert_int_eq(c.add_header, 0);
	ck_assert_uint_eq(c.trusted_authserv_ids.n, 2);
	ck_assert_str_eq(c.trusted_authserv_ids.items[1], "mx2.example.org");
	ck_assert_int_eq(c.require_dkim, 1);
	ck_assert_str_eq(c.host_name, "mx.example.org");
	ck_assert_uint_eq(c.dedup_days, 90);
	ck_assert_int_eq(c.fsync, CONFIG_FSYNC_NONE);
	ck_assert_uint_eq(c.compress_after_days, 0);
	ck_assert_uint_eq(c.retention_days, 400);

	config_limits(&c, &l);
	ck_assert_uint_eq(l.max_message_bytes, 2 * 1024 * 1024);
	ck_assert_uint_eq(l.max_report_bytes, 4096 * 1024);
	ck_assert_uint_eq(l.max_inflate_ratio, 500);
	ck_assert_uint_eq(l.max_json_depth, 12);
	ck_assert_uint_eq(l.max_policies, 10);
	ck_assert_uint_eq(l.max_failure_details, 20);
	ck_assert_uint_eq(l.max_policy_strings, 30);
	ck_assert_uint_eq(l.max_string_bytes, 1024);
	ck_assert_uint_eq(l.max_reports, 4);
	ck_assert_uint_eq(l.max_mime_depth, 5);
	ck_assert_uint_eq(l.max_mime_parts, 64);

	/* finish keeps explicit values */
	ck_assert_int_eq(config_finish(&c, &err), 0);
	ck_assert_str_eq(c.host_name, "mx.example.org");
	ck_assert_uint_eq(c.trusted_authserv_ids.n, 2);

	config_intake(&c, NULL, &ic);
	ck_assert_ptr_eq(ic.limits, &c.limits);
	ck_assert_ptr_null(ic.store);
	ck_assert_uint_eq(ic.n_trusted_authserv_ids, 2);
	ck_assert_str_eq(ic.trusted_authserv_ids[0], "mx1.example.org");
	ck_assert_int_eq(ic.require_dkim, 1);

	/* The milter opens StoreDirectory after chroot(); every other
	 * program reaches the same directory through Chroot. */
	config_store_options(&c, CONFIG_INSIDE_CHROOT, &so);
	ck_assert_str_eq(so.dir, "/srv/tlsrpt");
	config_store_options(&c, CONFIG_OUTSIDE_CHROOT, &so);
	ck_assert_str_eq(so.dir, "/var/spool/tlsrpt/srv/tlsrpt");
	ck_assert_str_eq(config_store_path(&c), "/var/spool/tlsrpt/srv/tlsrpt");
	ck_assert_uint_eq(so.dedup_days, 90);
	ck_assert_int_eq(so.fsync, TLSRPT_STORE_FSYNC_NONE);
	ck_assert_ptr_eq(so.limits, &c.limits);
	config_free(&c);
}
END_TEST

/* Every error: the text, the line it is on, and what err must say. */
static const struct {
	const char *text;
	unsigned line;
	const char *want; /* must appear in err.text */
} bad[] = {
	{"Nonsense 1\n", 1, "Nonsense: unknown key"},
	{"# ok\nSocket\n", 2, "Socket: a value is required"},
	{"DedupDays 1\ndedupdays 2\n", 2, "DedupDays: already set on line 1"},
	{"AddHeader maybe\n", 1, "AddHeader: \"maybe\" is not yes, no"},
	{"DedupDays ten\n", 1, "DedupDays: \"ten\" is not a whole number"},
	{"DedupDays -1\n", 1, "DedupDays: \"-1\" is not a whole number"},
	{"DedupDays 0\n", 1, "DedupDays: 0 is out of range (1 .. 3650)"},
	{"DedupDays 3651\n", 1, "out of range"},
	{"DedupDays 99999999999999999999999\n", 1, "is not a whole number"},
	{"MaxPolicies 1k\n", 1, "MaxPolicies: \"1k\" is not a whole number"},
	{"MaxMessageSize 10X\n", 1, "MaxMessageSize: \"10X\" is not a number"},
	{"MaxMessageSize 10MB\n", 1, "is not a number"},
	{"MaxMessageSize 2G\n", 1, "MaxMessageSize: 2G is out of range"},
	{"MaxMessageSize 1\n", 1, "out of range"},
	{"MaxMessageSize 18014398509481984k\n", 1, "is not a number"},
	{"Umask 0800\n", 1, "Umask: \"0800\" is not an octal number"},
	{"Umask 1777\n", 1, "Umask: 1777 is out of range"},
	{"Disposition bounce\n", 1,
	 "Disposition: \"bounce\" is not one of deliver, discard, quarantine"},
	{"OnStoreFailure reject\n", 1, "OnStoreFailure: \"reject\""},
	{"SyslogFacility kern\n", 1, "SyslogFacility: \"kern\" is not one of"},
	{"LogLevel loud\n", 1, "LogLevel: \"loud\""},
	{"Fsync always\n", 1, "Fsync: \"always\" is not one of report, none"},
	{"RetentionDays 36501\n", 1, "RetentionDays: 36501 is out of range"},
	{"Socket 8895\n", 1, "Socket: \"8895\" is not a libmilter socket"},
	{"Socket inet:\n", 1, "is not a libmilter socket"},
	{"StoreDirectory var/lib\n", 1,
	 "StoreDirectory: \"var/lib\" is not an absolute path"},
	{"PidFile pid\n", 1, "PidFile: \"pid\" is not an absolute path"},
	{"Chroot jail\n", 1, "Chroot: \"jail\" is not an absolute path"},
	{"UserID tlsrpt:\n", 1,
	 "UserID: \"tlsrpt:\" is not USER or USER:GROUP"},
	{"UserID :mail\n", 1, "is not USER or USER:GROUP"},
	{"UserID a:b:c\n", 1, "is not USER or USER:GROUP"},
	{"ReportAddresses tlsrpt\n", 1,
	 "ReportAddresses: \"tlsrpt\" is not an address"},
	{"ReportAddresses @example.org\n", 1, "is not an address"},
	{"ReportAddresses tlsrpt@\n", 1, "is not an address"},
	{"ReportAddresses tlsrpt@*.example.org\n", 1, "is not an address"},
	{"ReportAddresses <tlsrpt@example.org>\n", 1, "is not an address"},
	{"ReportAddresses , ,\n", 1, "ReportAddresses: the list is empty"},
	{"TrustedAuthservIDs ok,\n\nHostName a b\n", 3,
	 "HostName: \"a b\" must not contain white space"},
};

START_TEST(test_errors)
{
	struct config c;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char *path, where[256];

	tlsrpt_error_clear(&err);
	ck_assert_int_eq(load_text(&c, bad[_i].text, &err, &path), -1);
	snprintf(where, sizeof(where), "%s:%u", path, bad[_i].line);
	ck_assert_str_eq(err.path, where);
	ck_assert_int_eq(err.code, TLSRPT_ERR_INVALID);
	ck_assert_msg(strstr(err.text, bad[_i].want) != NULL,
		      "case %d: \"%s\" lacks \"%s\"", _i, err.text,
		      bad[_i].want);
	free(path);
	config_free(&c);
}
END_TEST

START_TEST(test_long_line_and_nul)
{
	struct config c;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char *text = malloc(5000), *path, where[256];

	memset(text, 'x', 4999);
	memcpy(text, "HostName ", 9);
	text[4999] = '\0';
	ck_assert_int_eq(load_text(&c, text, &err, &path), -1);
	snprintf(where, sizeof(where), "%s:1", path);
	ck_assert_str_eq(err.path, where);
	ck_assert_ptr_nonnull(strstr(err.text, "longer than"));
	free(path);
	config_free(&c);
	free(text);

	tlsrpt_error_clear(&err);
	path = write_temp("DedupDays 5\nHostName a\0b\n", 25);
	ck_assert_int_eq(config_init(&c, &err), 0);
	ck_assert_int_eq(config_load(&c, path, 0, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.text, "NUL byte"));
	ck_assert_ptr_nonnull(strstr(err.path, ":2"));
	unlink(path);
	free(path);
	config_free(&c);
}
END_TEST

START_TEST(test_set_overrides)
{
	struct config c;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	ck_assert_int_eq(load_text(&c, "Socket inet:1@127.0.0.1\n", &err, NULL),
			 0);
	ck_assert_int_eq(
		config_set(&c, "Socket", "unix:/tmp/x.sock", "-p", &err), 0);
	ck_assert_str_eq(c.socket, "unix:/tmp/x.sock");
	/* The command line may set a key twice; the last one counts. */
	ck_assert_int_eq(config_set(&c, "UserID", "a", "-u", &err), 0);
	ck_assert_int_eq(config_set(&c, "UserID", "b:c", "-u", &err), 0);
	ck_assert_str_eq(c.user, "b:c");
	ck_assert_int_eq(config_set(&c, "PidFile", "rel", "-P", &err), -1);
	ck_assert_str_eq(err.path, "-P");
	ck_assert_ptr_nonnull(strstr(err.text, "PidFile: \"rel\""));
	config_free(&c);
}
END_TEST

/* The keys a reload cannot change keep the old values, said once each;
 * the others take the new ones. */
struct kept {
	char said[512];
};

static void
note_kept(void *ctx, const char *key, const char *was, const char *now)
{
	struct kept *k = ctx;
	size_t used = strlen(k->said);

	snprintf(k->said + used, sizeof(k->said) - used, "%s:%s>%s;", key, was,
		 now);
}

START_TEST(test_keep)
{
	static const char *const fixed[] = {"Socket", "UserID", "PidFile",
					    "ReportAddresses", NULL};
	static const char *const bogus[] = {"NoSuchKey", NULL};
	struct config old, c;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	struct kept k = {""};

	ck_assert_int_eq(load_text(&old,
				   "Socket inet:1@127.0.0.1\n"
				   "UserID tlsrpt\n"
				   "ReportAddresses a@example.org\n",
				   &err, NULL),
			 0);
	ck_assert_int_eq(load_text(&c,
				   "Socket unix:/run/x.sock\n"
				   "PidFile /run/p.pid\n"
				   "ReportAddresses a@example.org\n"
				   "RequireDKIM yes\n",
				   &err, NULL),
			 0);
	ck_assert_int_eq(config_keep(&c, &old, fixed, note_kept, &k, &err), 0);
	ck_assert_str_eq(c.socket, "inet:1@127.0.0.1");
	ck_assert_str_eq(c.user, "tlsrpt");
	ck_assert_ptr_null(c.pid_file);
	ck_assert_int_eq(c.require_dkim, 1);
	ck_assert_str_eq(k.said, "Socket:inet:1@127.0.0.1>unix:/run/x.sock;"
				 "UserID:tlsrpt>;PidFile:>/run/p.pid;");
	ck_assert_int_eq(config_keep(&c, &old, bogus, NULL, NULL, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.text, "NoSuchKey"));
	config_free(&old);
	config_free(&c);
}
END_TEST

START_TEST(test_dump_round_trip)
{
	struct config c, d;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char *first = NULL, *second = NULL, *path;
	size_t n1 = 0, n2 = 0;
	FILE *f;

	ck_assert_int_eq(load_text(&c,
				   "ReportAddresses a@b.c, tlsrpt@*\n"
				   "MaxMessageSize 3M\nDisposition discard\n"
				   "Umask 0022\n",
				   &err, NULL),
			 0);
	f = open_memstream(&first, &n1);
	ck_assert_int_eq(config_dump(f, &c, 1), 0);
	fclose(f);
	/* Unset keys are commented out; every key is there. */
	for (size_t i = 0; i < config_n_keys(); i++)
		ck_assert_ptr_nonnull(strstr(first, config_key_name(i)));
	ck_assert_ptr_nonnull(strstr(first, "#PidFile (not set)"));
	ck_assert_ptr_nonnull(strstr(first, "\nMaxMessageSize 3145728\n"));
	ck_assert_ptr_nonnull(strstr(first, "\nUmask 0022\n"));

	/* The other Max* keys hold tlsrpt_limits_default()'s values:
	 * reading them back proves each lies in its key's range. */
	path = write_temp(first, n1);
	ck_assert_int_eq(config_init(&d, &err), 0);
	ck_assert_msg(config_load(&d, path, 0, &err) == 0, "%s: %s", err.path,
		      err.text);
	f = open_memstream(&second, &n2);
	ck_assert_int_eq(config_dump(f, &d, 1), 0);
	fclose(f);
	ck_assert_str_eq(first, second);
	unlink(path);
	free(path);
	free(first);
	free(second);
	config_free(&c);
	config_free(&d);
}
END_TEST

START_TEST(test_keys)
{
	ck_assert_uint_eq(config_n_keys(), 50);
	ck_assert_str_eq(config_key_name(0), "Socket");
	ck_assert_ptr_null(config_key_name(config_n_keys()));
	ck_assert_str_eq(config_enum_name("Disposition", CONFIG_DISCARD),
			 "discard");
	ck_assert_str_eq(config_enum_name("Disposition", 42), "?");
	ck_assert_str_eq(config_enum_name("Socket", 0), "?");
	/* No two keys alike, whatever the case. */
	for (size_t i = 0; i < config_n_keys(); i++)
		for (size_t j = i + 1; j < config_n_keys(); j++)
			ck_assert_int_ne(strcasecmp(config_key_name(i),
						    config_key_name(j)),
					 0);
}
END_TEST

/* Domains: HostName without its first label unless set; ReportAddresses
 * and AlertDomains follow it unless set (issue 15: relayed tlsrpt@ mail
 * of other domains is not ours to store or discard). */
START_TEST(test_domains)
{
	struct config c;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	size_t n;

	ck_assert_int_eq(load_text(&c, "HostName mx.example.org\n", &err, NULL),
			 0);
	ck_assert_int_eq(config_finish(&c, &err), 0);
	ck_assert_uint_eq(c.domains.n, 1);
	ck_assert_str_eq(c.domains.items[0], "example.org");
	ck_assert_int_eq(c.domains_derived, 1);
	ck_assert_uint_eq(c.report_addresses.n, 1);
	ck_assert_str_eq(c.report_addresses.items[0], "tlsrpt@example.org");
	ck_assert_int_eq(
		rcpt_matches(&c.report_addresses, "tlsrpt@customer.example"),
		0);
	ck_assert_uint_eq(c.alert_domains.n, 1);
	ck_assert_str_eq(c.alert_domains.items[0], "example.org");
	ck_assert_ptr_eq(config_alert_domains(&c, &n), c.alert_domains.items);
	ck_assert_uint_eq(n, 1);
	config_free(&c);

	/* Several domains; an explicit ReportAddresses and AlertDomains *
	 * are kept. */
	ck_assert_int_eq(load_text(&c,
				   "HostName mx.example.org\n"
				   "Domains example.org, example.net\n",
				   &err, NULL),
			 0);
	ck_assert_int_eq(config_finish(&c, &err), 0);
	ck_assert_int_eq(c.domains_derived, 0);
	ck_assert_uint_eq(c.report_addresses.n, 2);
	ck_assert_str_eq(c.report_addresses.items[1], "tlsrpt@example.net");
	ck_assert_uint_eq(c.alert_domains.n, 2);
	config_free(&c);
	ck_assert_int_eq(load_text(&c,
				   "HostName mx.example.org\n"
				   "ReportAddresses rua@*\nAlertDomains *\n",
				   &err, NULL),
			 0);
	ck_assert_int_eq(config_finish(&c, &err), 0);
	ck_assert_uint_eq(c.report_addresses.n, 1);
	ck_assert_str_eq(c.report_addresses.items[0], "rua@*");
	ck_assert_ptr_null(config_alert_domains(&c, &n));
	ck_assert_uint_eq(n, 0);
	config_free(&c);

	/* A host name without a dot: Postfix's "localdomain". */
	ck_assert_int_eq(load_text(&c, "HostName mx\n", &err, NULL), 0);
	ck_assert_int_eq(config_finish(&c, &err), 0);
	ck_assert_str_eq(c.domains.items[0], "localdomain");
	config_free(&c);
	ck_assert_int_eq(load_text(&c, "Domains exa_mple.org\n", &err, NULL),
			 -1);
	ck_assert_ptr_nonnull(strstr(err.text, "is not a domain name"));
	config_free(&c);
}
END_TEST

START_TEST(test_rcpt)
{
	char buf[64];
	char *items[] = {"tlsrpt@*", "Reports@Example.org"};
	struct config_list l = {items, 2};

	ck_assert_int_eq(
		rcpt_normalize("<TLSRPT@Example.ORG>", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "TLSRPT@Example.ORG");
	ck_assert_int_eq(
		rcpt_normalize("<@relay.test,@r2:u@d.test>", buf, sizeof(buf)),
		0);
	ck_assert_str_eq(buf, "u@d.test");
	ck_assert_int_eq(rcpt_normalize("plain@x.test", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "plain@x.test");
	ck_assert_int_eq(rcpt_normalize("<>", buf, sizeof(buf)), -1);
	ck_assert_int_eq(rcpt_normalize("<@relay.test>", buf, sizeof(buf)), -1);
	ck_assert_int_eq(
		rcpt_normalize("<0123456789@0123456789.example>", buf, 16), -1);

	ck_assert_int_eq(rcpt_matches(&l, "tlsrpt@example.org"), 1);
	ck_assert_int_eq(rcpt_matches(&l, "TlsRpt@another.test"), 1);
	ck_assert_int_eq(rcpt_matches(&l, "reports@example.ORG"), 1);
	ck_assert_int_eq(rcpt_matches(&l, "reports@example.net"), 0);
	ck_assert_int_eq(rcpt_matches(&l, "tlsrpt2@example.org"), 0);
	ck_assert_int_eq(rcpt_matches(&l, "xtlsrpt@example.org"), 0);
	ck_assert_int_eq(rcpt_matches(&l, "tlsrpt"), 0);
	ck_assert_int_eq(rcpt_matches(&l, "postmaster@example.org"), 0);
}
END_TEST

START_TEST(test_alloc_failures)
{
	/* Every allocation of loading a file may fail: an error, no leak,
	 * no crash (ASan and valgrind watch the frees). */
	static const char text[] = "ReportAddresses a@b.c, d@*, e@f.g\n"
				   "HostName mx.example\nSocket inet:1@h\n";
	char *path = write_temp(text, strlen(text));
	int ok = 0;

	for (unsigned long n = 1; n < 200 && !ok; n++) {
		struct config c;
		struct tlsrpt_error err = TLSRPT_ERROR_INIT;
		int r;

		tlsrpt_alloc_fail_after(n);
		r = config_init(&c, &err);
		if (r == 0)
			r = config_load(&c, path, 0, &err);
		if (r == 0)
			r = config_finish(&c, &err);
		tlsrpt_alloc_fail_after(0);
		if (r == 0)
			ok = 1;
		config_free(&c);
	}
	ck_assert_int_eq(ok, 1);
	unlink(path);
	free(path);
}
END_TEST

/* The Alert* keys: defaults, durations with suffixes, AlertCommand
 * checked as the words it splits into. */
/* SummaryMinShare: a percentage with up to 4 decimals, read exactly. */
START_TEST(test_summary_share)
{
	static const struct {
		const char *v;
		int ok;
		uint32_t ppm;
	} cases[] = {
		{"0.1", 0, 1000},      {"0.1%", 0, 1000},     {"5", 0, 50000},
		{"100", 0, 1000000},   {"0", 0, 0},	      {"0.0001", 0, 1},
		{"12.34%", 0, 123400}, {"0.00001", -1, 0},    {"100.1", -1, 0},
		{"", -1, 0},	       {".5", -1, 0},	      {"5.", -1, 0},
		{"1%%", -1, 0},	       {"-1", -1, 0},	      {"1e3", -1, 0},
		{"0.1 %", -1, 0},      {"9999999999", -1, 0},
	};
	struct config c;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	uint32_t ppm;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ppm = 7;
		ck_assert_msg(config_share_ppm(cases[i].v, &ppm) == cases[i].ok,
			      "\"%s\"", cases[i].v);
		if (cases[i].ok == 0)
			ck_assert_uint_eq(ppm, cases[i].ppm);
	}
	ck_assert_int_eq(config_init(&c, &err), 0);
	ck_assert_uint_eq(c.summary_min_failures, 1);
	ck_assert_str_eq(c.summary_min_share, "0.1");
	tlsrpt_error_clear(&err);
	ck_assert_int_eq(
		config_set(&c, "SummaryMinShare", "1.5x", "--min-share", &err),
		-1);
	ck_assert_ptr_nonnull(strstr(err.text, "not a percentage"));
	ck_assert_int_eq(config_set(&c, "SummaryMinFailures", "0", "t", &err),
			 -1);
	config_free(&c);
}
END_TEST

START_TEST(test_alert_keys)
{
	struct config c;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	ck_assert_int_eq(config_init(&c, &err), 0);
	ck_assert_ptr_null(c.alert_command);
	ck_assert_uint_eq(c.alert_timeout, 10);
	ck_assert_uint_eq(c.alert_interval, 86400);
	ck_assert_uint_eq(c.alert_min_failures, 1);
	ck_assert_uint_eq(c.alert_min_share, 0);
	ck_assert_uint_eq(c.alert_result_types.n, 0);
	ck_assert_uint_eq(c.alert_domains.n, 0);
	ck_assert_int_eq(config_set(&c, "AlertInterval", "90m", "t", &err), 0);
	ck_assert_uint_eq(c.alert_interval, 5400);
	ck_assert_int_eq(config_set(&c, "AlertInterval", "2d", "t", &err), 0);
	ck_assert_uint_eq(c.alert_interval, 172800);
	ck_assert_int_eq(config_set(&c, "AlertInterval", "45", "t", &err), 0);
	ck_assert_uint_eq(c.alert_interval, 45);
	tlsrpt_error_clear(&err);
	ck_assert_int_eq(config_set(&c, "AlertInterval", "1w", "t", &err), -1);
	ck_assert_ptr_nonnull(strstr(err.text, "s, m, h or d"));
	ck_assert_int_eq(config_set(&c, "AlertInterval", "400d", "t", &err),
			 -1);
	ck_assert_int_eq(config_set(&c, "AlertMinShare", "101", "t", &err), -1);
	ck_assert_int_eq(config_set(&c, "AlertCommand", "/usr/bin/x -s \"a b\"",
				    "t", &err),
			 0);
	ck_assert_str_eq(c.alert_command, "/usr/bin/x -s \"a b\"");
	tlsrpt_error_clear(&err);
	ck_assert_int_eq(
		config_set(&c, "AlertCommand", "/usr/bin/x \"a b", "t", &err),
		-1);
	ck_assert_ptr_nonnull(strstr(err.text, "AlertCommand: a double quote"));
	ck_assert_int_eq(config_set(&c, "AlertResultTypes",
				    "certificate-expired, "
				    "starttls-not-supported",
				    "t", &err),
			 0);
	ck_assert_uint_eq(c.alert_result_types.n, 2);
	config_free(&c);
}
END_TEST

static Suite *
config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_parse_all);
	tcase_add_loop_test(tc, test_errors, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_long_line_and_nul);
	tcase_add_test(tc, test_set_overrides);
	tcase_add_test(tc, test_dump_round_trip);
	tcase_add_test(tc, test_keys);
	tcase_add_test(tc, test_domains);
	tcase_add_test(tc, test_rcpt);
	tcase_add_test(tc, test_alloc_failures);
	tcase_add_test(tc, test_alert_keys);
	tcase_add_test(tc, test_summary_share);
	tcase_add_test(tc, test_keep);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	tlsrpt_alloc_init();
	return test_run(config_suite());
}
