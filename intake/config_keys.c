/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * config_keys.c -- the one table of configuration keys: name, type, field,
 * default, bounds and description of each, with the FIELD() machinery
 * that makes a key whose type does not match its field a compile error.
 * Apart from the code that reads values, so the table can be read (and
 * tests/scripts/t-config-types.sh can compile it) on its own.
 */
#include <limits.h>
#include <stddef.h>
#include <strings.h>
#include <syslog.h>

#include "intake/config.h"
#include "intake/config_impl.h"

static const struct config_choice facilities[] = {
	{"mail", LOG_MAIL},	{"daemon", LOG_DAEMON}, {"user", LOG_USER},
	{"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1}, {"local2", LOG_LOCAL2},
	{"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5},
	{"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7}, {NULL, 0},
};

static const struct config_choice log_levels[] = {
	{"err", LOG_ERR},   {"notice", LOG_NOTICE},
	{"info", LOG_INFO}, {"debug", LOG_DEBUG},
	{NULL, 0},
};

static const struct config_choice dispositions[] = {
	{"deliver", CONFIG_DELIVER},
	{"discard", CONFIG_DISCARD},
	{"quarantine", CONFIG_QUARANTINE},
	{NULL, 0},
};

static const struct config_choice store_failures[] = {
	{"tempfail", CONFIG_TEMPFAIL},
	{"accept", CONFIG_ACCEPT},
	{NULL, 0},
};

static const struct config_choice fsyncs[] = {
	{"report", CONFIG_FSYNC_REPORT},
	{"none", CONFIG_FSYNC_NONE},
	{NULL, 0},
};

/* The C type each key type reads and writes (config_set_value(), dump_value()).
 */
/* A number macro as the table's default text. */
#define DEFAULT_TEXT_(x) #x
#define DEFAULT_TEXT(x) DEFAULT_TEXT_(x)

#define CTYPE_TYPE_STRING char *
#define CTYPE_TYPE_BOOL int
#define CTYPE_TYPE_SIZE size_t
#define CTYPE_TYPE_COUNT size_t
#define CTYPE_TYPE_UINT unsigned
#define CTYPE_TYPE_OCTAL unsigned
#define CTYPE_TYPE_LIST struct config_list
#define CTYPE_TYPE_ENUM int
#define CTYPE_TYPE_SECS unsigned

/* The type of a key and where its value goes, as one pair: a key whose
 * field in struct config has another C type than its key type writes is a
 * compile error (a _Static_assert inside a sizeof that adds nothing),
 * not memory written through the wrong pointer type at run time. */
#define FIELD(type, member)                                                    \
	type, (offsetof(struct config, member) +                               \
	       0 * sizeof(struct {                                             \
		       _Static_assert(_Generic(((struct config *)0)->member,   \
					       CTYPE_##type : 1, default : 0), \
				      "config_keys.c: " #member                \
				      " is not of the C type of " #type);      \
		       char unused;                                            \
	       }))

const struct config_key config_keys[] = {
	{"Socket", FIELD(TYPE_STRING, socket), "inet:8895@127.0.0.1", 0, 0,
	 NULL, config_check_socket,
	 "where tlsrpt-milter listens: inet:PORT@HOST, inet6:PORT@HOST or "
	 "unix:/PATH"},
	{"UserID", FIELD(TYPE_STRING, user), "", 0, 0, NULL, config_check_user,
	 "user (and group) to run as after start-up: USER or USER:GROUP"},
	{"AllowRoot", FIELD(TYPE_BOOL, allow_root), "no", 0, 0, NULL, NULL,
	 "let tlsrpt-milter go on as root when UserID is unset, and a "
	 "root-run tlsrpt-ingest write a store no user owns (not "
	 "recommended: a report parser is attack surface)"},
	{"PidFile", FIELD(TYPE_STRING, pid_file), "", 0, 0, NULL,
	 config_check_path,
	 "file to write the process id to (none by default)"},
	{"Chroot", FIELD(TYPE_STRING, chroot_dir), "", 0, 0, NULL,
	 config_check_path,
	 "directory to chroot to before dropping privileges (none by "
	 "default); StoreDirectory and PidFile are then inside it, and "
	 "tlsrpt-ingest and tlsrpt-summary -c use Chroot + StoreDirectory"},
	{"Umask", FIELD(TYPE_OCTAL, umask), "0007", 0, 0777, NULL, NULL,
	 "umask (octal) while the unix socket is created"},
	{"SyslogFacility", FIELD(TYPE_ENUM, syslog_facility), "mail", 0, 0,
	 facilities, NULL,
	 "syslog facility: mail, daemon, user, local0 .. local7"},
	{"LogLevel", FIELD(TYPE_ENUM, log_level), "info", 0, 0, log_levels,
	 NULL, "least important messages logged: err, notice, info or debug"},
	{"StoreDirectory", FIELD(TYPE_STRING, store_directory),
	 TLSRPT_LOCALSTATEDIR "/lib/tlsrpt", 0, 0, NULL, config_check_path,
	 "directory of the report store (daily JSON Lines files)"},
	{"Domains", FIELD(TYPE_LIST, domains), "", 0, 0, NULL,
	 config_check_domain,
	 "our own mail domains, the defaults of ReportAddresses and "
	 "AlertDomains (default: HostName without its first label, as "
	 "Postfix's mydomain)"},
	{"ReportAddresses", FIELD(TYPE_LIST, report_addresses), "", 0, 0, NULL,
	 config_check_address,
	 "recipients whose mail is a TLS report candidate: exact addresses "
	 "and localpart@* (any domain, relayed mail too), case-insensitive "
	 "(default: tlsrpt@ at each of Domains)"},
	{"DetectByHeaders", FIELD(TYPE_BOOL, detect_by_headers), "no", 0, 0,
	 NULL, NULL,
	 "also treat mail as a candidate when its headers say it is a TLS "
	 "report (multipart/report; report-type=tlsrpt or TLS-Report-Domain)"},
	{"Disposition", FIELD(TYPE_ENUM, disposition), "deliver", 0, 0,
	 dispositions, NULL,
	 "what happens to a stored report's message: deliver, discard or "
	 "quarantine"},
	{"OnStoreFailure", FIELD(TYPE_ENUM, on_store_failure), "tempfail", 0, 0,
	 store_failures, NULL,
	 "when a report cannot be stored: tempfail (the sender retries) or "
	 "accept (deliver without storing)"},
	{"AddHeader", FIELD(TYPE_BOOL, add_header), "yes", 0, 0, NULL, NULL,
	 "add an X-TLSRPT-Milter header to stored reports saying what was "
	 "stored"},
	{"TrustedAuthservIDs", FIELD(TYPE_LIST, trusted_authserv_ids), "", 0, 0,
	 NULL, config_check_word,
	 "authserv-ids of Authentication-Results headers to believe for the "
	 "DKIM verdict (default: the host name)"},
	{"RequireDKIM", FIELD(TYPE_BOOL, require_dkim), "no", 0, 0, NULL, NULL,
	 "refuse to store reports without a trusted DKIM pass"},
	{"HostName", FIELD(TYPE_STRING, host_name), "", 0, 0, NULL,
	 config_check_word,
	 "this host's name in stored records (default: gethostname())"},
	{"DedupDays", FIELD(TYPE_UINT, dedup_days), "60", 1, 3650, NULL, NULL,
	 "days a report id is remembered to drop duplicate deliveries"},
	{"Fsync", FIELD(TYPE_ENUM, fsync), "report", 0, 0, fsyncs, NULL,
	 "report: flush every stored report to disk before the MTA is "
	 "answered; none: leave it to the kernel"},
	{"CompressAfterDays", FIELD(TYPE_UINT, compress_after_days), "7", 0,
	 36500, NULL, NULL,
	 "tlsrpt-ingest --prune gzips day files this many days old (0: "
	 "never)"},
	{"RetentionDays", FIELD(TYPE_UINT, retention_days), "0", 0, 36500, NULL,
	 NULL,
	 "tlsrpt-ingest --prune deletes day files this many days old (0: "
	 "keep them for ever)"},
	{"AlertCommand", FIELD(TYPE_STRING, alert_command), "", 0, 0, NULL,
	 config_check_command,
	 "program run with a JSON alert on standard input when a newly "
	 "stored report shows failures (no shell: words, \"double quotes\" "
	 "group); none by default: no alerts"},
	{"AlertTimeout", FIELD(TYPE_UINT, alert_timeout), "10", 1, 3600, NULL,
	 NULL, "seconds the alert program may run before it is killed"},
	{"AlertInterval", FIELD(TYPE_SECS, alert_interval), "24h", 0,
	 366ULL * 86400, NULL, NULL,
	 "the same (domain, result type, receiving MX) alerts at most once "
	 "this often (seconds, or with an s, m, h or d suffix)"},
	{"AlertResultTypes", FIELD(TYPE_LIST, alert_result_types), "", 0, 0,
	 NULL, config_check_word,
	 "result types that alert (default: every type), e.g. "
	 "certificate-expired, starttls-not-supported"},
	{"AlertMinFailures", FIELD(TYPE_UINT, alert_min_failures), "1", 1,
	 UINT_MAX, NULL, NULL,
	 "fewest failed sessions of one (domain, result type, MX) that alert"},
	{"AlertMinShare", FIELD(TYPE_UINT, alert_min_share), "0", 0, 100, NULL,
	 NULL,
	 "smallest share of a policy's sessions, in percent, that must have "
	 "failed (with that result type and MX) to alert"},
	{"AlertDomains", FIELD(TYPE_LIST, alert_domains), "", 0, 0, NULL,
	 config_check_word,
	 "policy domains that alert (default: Domains; * for every domain)"},
	{"AlertMaxPerMessage", FIELD(TYPE_UINT, alert_max_per_message), "8", 1,
	 256, NULL, NULL,
	 "most alerts one report mail raises (its largest failures); the last "
	 "one says how many more there were"},
	{"AlertMaxPerHour", FIELD(TYPE_UINT, alert_max_per_hour), "30", 0,
	 100000, NULL, NULL,
	 "most alerts sent in any hour, in all (0: no bound)"},
	{"AlertMaxPerSenderPerHour",
	 FIELD(TYPE_UINT, alert_max_per_sender_hour), "10", 0, 100000, NULL,
	 NULL,
	 "most alerts sent in any hour for the reports of one sender (its "
	 "DKIM-authenticated domain; unauthenticated reports count as one "
	 "sender) (0: no bound)"},
	{"SummaryMinFailures", FIELD(TYPE_UINT, summary_min_failures),
	 DEFAULT_TEXT(CONFIG_SUMMARY_MIN_FAILURES), 1, UINT_MAX, NULL, NULL,
	 "tlsrpt-summary: fewest failed sessions of a domain in the window "
	 "that count as failing (verdict, exit status, --only-problems)"},
	{"SummaryMinShare", FIELD(TYPE_STRING, summary_min_share),
	 CONFIG_SUMMARY_MIN_SHARE, 0, 0, NULL, config_check_share,
	 "tlsrpt-summary: smallest share of a domain's sessions, in percent "
	 "(decimals allowed), that must have failed to count as failing; "
	 "fewer are shown as below threshold"},
	{"HTTPSTokens", FIELD(TYPE_LIST, https_tokens), "", 0, 0, NULL,
	 config_check_token,
	 "tlsrpt-ingest --cgi: domain:token pairs; when set, the URL must end "
	 "in /token and the report's policy domains must be that token's"},
	{"MaxMessageSize", FIELD(TYPE_SIZE, limits.max_message_bytes), NULL,
	 1024, 1024ULL * 1024 * 1024, NULL, NULL,
	 "largest message buffered and parsed; larger ones are not stored"},
	{"MaxReportSize", FIELD(TYPE_SIZE, limits.max_report_bytes), NULL, 1024,
	 1024ULL * 1024 * 1024, NULL, NULL,
	 "largest report JSON after decompression"},
	{"MaxInflateRatio", FIELD(TYPE_UINT, limits.max_inflate_ratio), NULL, 1,
	 1000000, NULL, NULL,
	 "largest ratio of decompressed to compressed size (gzip bombs)"},
	{"MaxJSONDepth", FIELD(TYPE_UINT, limits.max_json_depth), NULL, 4, 1024,
	 NULL, NULL, "deepest nesting of JSON arrays and objects"},
	{"MaxJSONValues", FIELD(TYPE_COUNT, limits.max_json_values), NULL, 1000,
	 100000000, NULL, NULL,
	 "most JSON values in one report (bounds the memory of a parse; a "
	 "report may also hold at most one value per 8 bytes)"},
	{"MaxPolicies", FIELD(TYPE_COUNT, limits.max_policies), NULL, 1,
	 1000000, NULL, NULL, "most policies in one report"},
	{"MaxFailureDetails", FIELD(TYPE_COUNT, limits.max_failure_details),
	 NULL, 1, 1000000, NULL, NULL, "most failure details in one policy"},
	{"MaxPolicyStrings", FIELD(TYPE_COUNT, limits.max_policy_strings), NULL,
	 1, 1000000, NULL, NULL,
	 "most policy strings (and MX hosts) in one policy"},
	{"MaxStringLength", FIELD(TYPE_SIZE, limits.max_string_bytes), NULL, 64,
	 16ULL * 1024 * 1024, NULL, NULL, "longest JSON string, in bytes"},
	{"MaxReportsPerMessage", FIELD(TYPE_COUNT, limits.max_reports), NULL, 1,
	 1000, NULL, NULL, "most report attachments read from one message"},
	{"MaxMIMEDepth", FIELD(TYPE_UINT, limits.max_mime_depth), NULL, 1, 100,
	 NULL, NULL, "deepest multipart and message/rfc822 nesting"},
	{"MaxMIMEParts", FIELD(TYPE_COUNT, limits.max_mime_parts), NULL, 1,
	 100000, NULL, NULL, "most MIME parts walked in one message"},
	/* Not above the default: tlsrpt-summary reads the store with the
	 * default bound and would call larger counts damaged. */
	{"MaxSessionCount", FIELD(TYPE_COUNT, limits.max_session_count), NULL,
	 1, 1000000000, NULL, NULL,
	 "most sessions one policy of one report may count (each count, "
	 "successes plus failures, the sum of its failure details); more is "
	 "refused as implausible"},
	{"MaxConcurrentParses", FIELD(TYPE_UINT, max_concurrent_parses), "4", 1,
	 1000, NULL, NULL,
	 "tlsrpt-milter: most report messages parsed at once; others wait "
	 "for a turn (each parse may take tens of megabytes)"},
	{"ParseWait", FIELD(TYPE_SECS, parse_wait), "60s", 0, 3600, NULL, NULL,
	 "tlsrpt-milter: how long a report message waits for its turn to be "
	 "parsed before it is treated as a store failure (OnStoreFailure)"},
};

#define N_KEYS (sizeof(config_keys) / sizeof(config_keys[0]))

_Static_assert(N_KEYS <= CONFIG_MAX_KEYS, "raise CONFIG_MAX_KEYS");

const struct config_key *
config_find_key(const char *name)
{
	for (size_t i = 0; i < N_KEYS; i++) {
		if (strcasecmp(config_keys[i].name, name) == 0)
			return &config_keys[i];
	}
	return NULL;
}

size_t
config_n_keys(void)
{
	return N_KEYS;
}

const char *
config_key_name(size_t i)
{
	return i < N_KEYS ? config_keys[i].name : NULL;
}

const char *
config_enum_name(const char *key, int value)
{
	const struct config_key *k = config_find_key(key);

	if (k == NULL || k->type != TYPE_ENUM)
		return "?";
	for (const struct config_choice *ch = k->choices; ch->name; ch++) {
		if (ch->value == value)
			return ch->name;
	}
	return "?";
}
