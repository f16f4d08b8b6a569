/* SPDX-License-Identifier: BSD-2-Clause */
/* config.c -- the one table of configuration keys, and reading it. */
#include "intake/config.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>

#include <glib.h>

#include "base/argv.h"
#include "intake/intake.h"
#include "base/alloc.h"
#include "store/store.h"

enum config_type {
	TYPE_STRING, /* char *, NULL when unset */
	TYPE_BOOL,   /* int 0/1 */
	TYPE_SIZE,   /* size_t, k/M/G suffixes (1024) allowed */
	TYPE_COUNT,  /* size_t, plain number */
	TYPE_UINT,   /* unsigned, plain number */
	TYPE_OCTAL,  /* unsigned, a file mode mask */
	TYPE_LIST,   /* struct config_list */
	TYPE_ENUM,   /* int, one of choices */
	TYPE_SECS,   /* unsigned seconds, s/m/h/d suffixes allowed */
};

struct config_choice {
	const char *name;
	int value;
};

/* Says why value is not acceptable for the key, into why; 0 when it is. */
typedef int config_check_fn(const char *value, char *why, size_t size);

struct config_key {
	const char *name;
	enum config_type type;
	size_t offset;
	/* "" leaves a string or list unset; NULL (the Max* limits): the
	 * default is tlsrpt_limits_default()'s, the one place the parser,
	 * the store and tlsrpt-summary take it from. */
	const char *def;
	unsigned long long min, max;	     /* numbers */
	const struct config_choice *choices; /* enums, NULL-terminated */
	config_check_fn *check;		     /* strings and list items */
	const char *description;
};

/* Longest line, longest list: a configuration file is written by a
 * person; anything past these is a mistake, not a need. */
#define CONFIG_LINE_MAX 4096
#define CONFIG_LIST_MAX 256

/* List items are separated by commas and any white space, so that no item
 * holds a character that trim() would take off the end of a dumped line. */
#define LIST_SEPARATORS ", \t\r\n\v\f"

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

static int
has_space(const char *s)
{
	return strpbrk(s, " \t\r\n\v\f") != NULL;
}

static int
check_socket(const char *v, char *why, size_t size)
{
	static const char *const prefixes[] = {
		"inet:", "inet6:", "unix:", "local:"};

	if (v[0] == '/')
		return 0;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i]);

		if (strncasecmp(v, prefixes[i], n) == 0 && v[n] != '\0')
			return 0;
	}
	snprintf(why, size,
		 "\"%s\" is not a libmilter socket (inet:PORT@HOST, "
		 "inet6:PORT@HOST, unix:/PATH or local:/PATH)",
		 v);
	return -1;
}

static int
check_user(const char *v, char *why, size_t size)
{
	const char *colon = strchr(v, ':');

	if (has_space(v) || v[0] == ':' ||
	    (colon != NULL && (colon[1] == '\0' || strchr(colon + 1, ':')))) {
		snprintf(why, size, "\"%s\" is not USER or USER:GROUP", v);
		return -1;
	}
	return 0;
}

static int
check_path(const char *v, char *why, size_t size)
{
	if (v[0] != '/') {
		snprintf(why, size, "\"%s\" is not an absolute path", v);
		return -1;
	}
	return 0;
}

static int
check_word(const char *v, char *why, size_t size)
{
	if (has_space(v)) {
		snprintf(why, size, "\"%s\" must not contain white space", v);
		return -1;
	}
	return 0;
}

/* An exact address or localpart@*: both sides non-empty, one '@' that
 * separates them (the last one: a quoted local part may hold another). */
static int
check_address(const char *v, char *why, size_t size)
{
	const char *at = strrchr(v, '@');

	if (at == NULL || at == v || at[1] == '\0' || strpbrk(v, "<>") ||
	    (strchr(at + 1, '*') != NULL && strcmp(at + 1, "*") != 0)) {
		snprintf(why, size,
			 "\"%s\" is not an address (local@domain) or a "
			 "local part for every domain (local@*)",
			 v);
		return -1;
	}
	return 0;
}

/* A domain name: letters, digits, '-' and '.', not starting or ending with
 * a dot (a report address is built from it). */
static int
check_domain(const char *v, char *why, size_t size)
{
	size_t n = strlen(v);

	if (n == 0 || v[0] == '.' || v[n - 1] == '.' || strstr(v, "..") ||
	    strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		      "0123456789-.") != n) {
		snprintf(why, size, "\"%s\" is not a domain name", v);
		return -1;
	}
	return 0;
}

/* "domain:token": the token is one URL path segment of unreserved
 * characters (RFC 3986), so it needs no escaping in the rua URI. */
static int
check_token(const char *v, char *why, size_t size)
{
	const char *colon = strchr(v, ':');

	if (colon == NULL || colon == v || colon[1] == '\0' ||
	    strchr(v, '/') != NULL ||
	    strspn(colon + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			      "abcdefghijklmnopqrstuvwxyz0123456789-._~") !=
		    strlen(colon + 1)) {
		snprintf(why, size,
			 "\"%s\" is not domain:token (token of letters, "
			 "digits and -._~)",
			 v);
		return -1;
	}
	return 0;
}

/* AlertCommand: the words it splits into (alert/argv.h) name a program. */
static int
check_command(const char *v, char *why, size_t size)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char **argv = alert_argv_split(v, &err);

	if (argv == NULL) {
		snprintf(why, size, "%s", err.text);
		return -1;
	}
	alert_argv_free(argv);
	return 0;
}

/* The C type each key type reads and writes (set_value(), dump_value()). */
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
				      "config.c: " #member                     \
				      " is not of the C type of " #type);      \
		       char unused;                                            \
	       }))

static const struct config_key keys[] = {
	{"Socket", FIELD(TYPE_STRING, socket), "inet:8895@127.0.0.1", 0, 0,
	 NULL, check_socket,
	 "where tlsrpt-milter listens: inet:PORT@HOST, inet6:PORT@HOST or "
	 "unix:/PATH"},
	{"UserID", FIELD(TYPE_STRING, user), "", 0, 0, NULL, check_user,
	 "user (and group) to run as after start-up: USER or USER:GROUP"},
	{"AllowRoot", FIELD(TYPE_BOOL, allow_root), "no", 0, 0, NULL, NULL,
	 "let tlsrpt-milter go on as root when UserID is unset, and a "
	 "root-run tlsrpt-ingest write a store no user owns (not "
	 "recommended: a report parser is attack surface)"},
	{"PidFile", FIELD(TYPE_STRING, pid_file), "", 0, 0, NULL, check_path,
	 "file to write the process id to (none by default)"},
	{"Chroot", FIELD(TYPE_STRING, chroot_dir), "", 0, 0, NULL, check_path,
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
	 TLSRPT_LOCALSTATEDIR "/lib/tlsrpt", 0, 0, NULL, check_path,
	 "directory of the report store (daily JSON Lines files)"},
	{"Domains", FIELD(TYPE_LIST, domains), "", 0, 0, NULL, check_domain,
	 "our own mail domains, the defaults of ReportAddresses and "
	 "AlertDomains (default: HostName without its first label, as "
	 "Postfix's mydomain)"},
	{"ReportAddresses", FIELD(TYPE_LIST, report_addresses), "", 0, 0, NULL,
	 check_address,
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
	 NULL, check_word,
	 "authserv-ids of Authentication-Results headers to believe for the "
	 "DKIM verdict (default: the host name)"},
	{"RequireDKIM", FIELD(TYPE_BOOL, require_dkim), "no", 0, 0, NULL, NULL,
	 "refuse to store reports without a trusted DKIM pass"},
	{"HostName", FIELD(TYPE_STRING, host_name), "", 0, 0, NULL, check_word,
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
	 check_command,
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
	 NULL, check_word,
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
	 check_word,
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
	{"HTTPSTokens", FIELD(TYPE_LIST, https_tokens), "", 0, 0, NULL,
	 check_token,
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

#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

_Static_assert(N_KEYS <= CONFIG_MAX_KEYS, "raise CONFIG_MAX_KEYS");

static void *
field(struct config *c, const struct config_key *k)
{
	return (char *)c + k->offset;
}

static const void *
cfield(const struct config *c, const struct config_key *k)
{
	return (const char *)c + k->offset;
}

static const struct config_key *
find_key(const char *name)
{
	for (size_t i = 0; i < N_KEYS; i++) {
		if (strcasecmp(keys[i].name, name) == 0)
			return &keys[i];
	}
	return NULL;
}

static void
list_clear(struct config_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		tlsrpt_free(l->items[i]);
	tlsrpt_free(l->items);
	l->items = NULL;
	l->n = 0;
}

static int
parse_bool(const char *v, int *out)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

/* Digits only (no sign, no space), then for sizes one of k, M, G. */
static int
parse_number(const char *v, int base, int suffix_ok, unsigned long long *out)
{
	unsigned long long n = 0, mul = 1;
	const char *p = v;

	if (*p == '\0')
		return -1;
	for (; *p >= '0' && *p < '0' + base; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (n > (ULLONG_MAX - d) / (unsigned)base)
			return -1;
		n = n * (unsigned)base + d;
	}
	if (p == v)
		return -1;
	if (*p != '\0') {
		if (!suffix_ok || p[1] != '\0')
			return -1;
		switch (*p) {
		case 'k':
		case 'K': mul = 1024ULL; break;
		case 'm':
		case 'M': mul = 1024ULL * 1024; break;
		case 'g':
		case 'G': mul = 1024ULL * 1024 * 1024; break;
		default: return -1;
		}
	}
	if (n > ULLONG_MAX / mul)
		return -1;
	*out = n * mul;
	return 0;
}

/* Digits, then optionally s, m, h or d. */
static int
parse_seconds(const char *v, unsigned long long *out)
{
	char digits[32];
	size_t len = strlen(v);
	unsigned long long mul = 1;

	if (len == 0 || len >= sizeof(digits))
		return -1;
	memcpy(digits, v, len + 1);
	switch (digits[len - 1]) {
	case 's': digits[len - 1] = '\0'; break;
	case 'm':
		mul = 60;
		digits[len - 1] = '\0';
		break;
	case 'h':
		mul = 3600;
		digits[len - 1] = '\0';
		break;
	case 'd':
		mul = 86400;
		digits[len - 1] = '\0';
		break;
	default: break;
	}
	if (parse_number(digits, 10, 0, out) != 0 || *out > ULLONG_MAX / mul)
		return -1;
	*out *= mul;
	return 0;
}

static int
parse_list(const struct config_key *k, const char *v, struct config_list *out,
	   char *why, size_t size)
{
	struct config_list l = {NULL, 0};
	const char *p = v;
	int ret = -1;

	while (*p != '\0') {
		size_t len;
		char *item;
		char **grown;

		p += strspn(p, LIST_SEPARATORS);
		len = strcspn(p, LIST_SEPARATORS);
		if (len == 0)
			continue;
		/* config_dump() writes ", " between items: "a,#b" would
		 * read back as "a" and a comment. */
		if (p[0] == '#') {
			snprintf(why, size,
				 "\"%.*s\": an item must not start with '#'",
				 (int)len, p);
			goto out;
		}
		if (l.n == CONFIG_LIST_MAX) {
			snprintf(why, size, "more than %d items",
				 CONFIG_LIST_MAX);
			goto out;
		}
		item = tlsrpt_strndup(p, len);
		if (item == NULL) {
			snprintf(why, size, "out of memory");
			goto out;
		}
		grown = tlsrpt_reallocarray(l.items, l.n + 1, sizeof(*grown));
		if (grown == NULL) {
			tlsrpt_free(item);
			snprintf(why, size, "out of memory");
			goto out;
		}
		l.items = grown;
		l.items[l.n++] = item;
		if (k->check != NULL && k->check(item, why, size) != 0)
			goto out;
		p += len;
	}
	if (l.n == 0) {
		snprintf(why, size, "the list is empty");
		goto out;
	}
	list_clear(out);
	*out = l;
	l.items = NULL;
	l.n = 0;
	ret = 0;
out:
	list_clear(&l);
	return ret;
}

static int
parse_enum(const struct config_key *k, const char *v, int *out, char *why,
	   size_t size)
{
	size_t used = 0;

	for (const struct config_choice *c = k->choices; c->name; c++) {
		if (strcasecmp(c->name, v) == 0) {
			*out = c->value;
			return 0;
		}
	}
	used = (size_t)snprintf(why, size, "\"%s\" is not one of", v);
	for (const struct config_choice *c = k->choices; c->name; c++) {
		if (used >= size)
			break;
		used += (size_t)snprintf(why + used, size - used, "%s %s",
					 c == k->choices ? "" : ",", c->name);
	}
	return -1;
}

/* Set k from the text v (already trimmed, non-empty unless a default).
 * why gets the reason on failure. */
static int
set_value(struct config *c, const struct config_key *k, const char *v,
	  char *why, size_t size)
{
	unsigned long long n;
	void *f = field(c, k);

	switch (k->type) {
	case TYPE_STRING: {
		char *s = NULL;

		if (v[0] != '\0') {
			if (k->check != NULL && k->check(v, why, size) != 0)
				return -1;
			if ((s = tlsrpt_strdup(v)) == NULL) {
				snprintf(why, size, "out of memory");
				return -1;
			}
		}
		tlsrpt_free(*(char **)f);
		*(char **)f = s;
		return 0;
	}
	case TYPE_BOOL:
		if (parse_bool(v, (int *)f) != 0) {
			snprintf(why, size,
				 "\"%s\" is not yes, no, true, false, on, "
				 "off, 1 or 0",
				 v);
			return -1;
		}
		return 0;
	case TYPE_SIZE:
	case TYPE_COUNT:
	case TYPE_UINT:
	case TYPE_OCTAL:
		if (parse_number(v, k->type == TYPE_OCTAL ? 8 : 10,
				 k->type == TYPE_SIZE, &n) != 0) {
			snprintf(why, size, "\"%s\" is not %s", v,
				 k->type == TYPE_OCTAL ? "an octal number"
				 : k->type == TYPE_SIZE
					 ? "a number (with an optional k, M "
					   "or G suffix)"
					 : "a whole number");
			return -1;
		}
		if (n < k->min || n > k->max) {
			snprintf(why, size, "%s is out of range (%llu .. %llu)",
				 v, k->min, k->max);
			return -1;
		}
		if (k->type == TYPE_SIZE || k->type == TYPE_COUNT)
			*(size_t *)f = (size_t)n;
		else
			*(unsigned *)f = (unsigned)n;
		return 0;
	case TYPE_SECS:
		if (parse_seconds(v, &n) != 0) {
			snprintf(why, size,
				 "\"%s\" is not a number of seconds (with an "
				 "optional s, m, h or d suffix)",
				 v);
			return -1;
		}
		if (n < k->min || n > k->max) {
			snprintf(why, size,
				 "%s is out of range (%llu .. %llu seconds)", v,
				 k->min, k->max);
			return -1;
		}
		*(unsigned *)f = (unsigned)n;
		return 0;
	case TYPE_LIST:
		if (v[0] == '\0') {
			list_clear(f);
			return 0;
		}
		return parse_list(k, v, f, why, size);
	case TYPE_ENUM: return parse_enum(k, v, (int *)f, why, size);
	}
	snprintf(why, size, "internal error: unknown key type");
	return -1;
}

int
config_init(struct config *c, struct tlsrpt_error *err)
{
	char why[TLSRPT_ERROR_TEXT_MAX];

	memset(c, 0, sizeof(*c));
	tlsrpt_limits_default(&c->limits);
	for (size_t i = 0; i < N_KEYS; i++) {
		if (keys[i].def == NULL)
			continue;
		if (set_value(c, &keys[i], keys[i].def, why, sizeof(why)) != 0)
			/* Only allocation can fail on a sound table. */
			return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM,
						"defaults", "%s: %s",
						keys[i].name, why);
	}
	return 0;
}

void
config_free(struct config *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < N_KEYS; i++) {
		void *f = field(c, &keys[i]);

		if (keys[i].type == TYPE_STRING) {
			tlsrpt_free(*(char **)f);
			*(char **)f = NULL;
		} else if (keys[i].type == TYPE_LIST) {
			list_clear(f);
		}
	}
	g_free(c->store_path);
	c->store_path = NULL;
}

static char *
trim(char *s)
{
	char *end;

	s += strspn(s, " \t");
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
			   end[-1] == '\r' || end[-1] == '\n'))
		*--end = '\0';
	return s;
}

/* One line of a file (NUL-terminated, newline still on). */
static int
config_line(struct config *c, char *line, const char *where, unsigned lineno,
	    struct tlsrpt_error *err)
{
	char why[TLSRPT_ERROR_TEXT_MAX - 64];
	const struct config_key *k;
	char *key, *value, *p;

	/* A '#' starts a comment at the start of a line or after white
	 * space; one inside a word is kept (a socket path may hold one). */
	for (p = line; *p != '\0'; p++) {
		if (*p == '#' && (p == line || p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			break;
		}
	}
	key = trim(line);
	if (*key == '\0')
		return 0;
	value = key + strcspn(key, " \t");
	if (*value != '\0')
		*value++ = '\0';
	value = trim(value);
	k = find_key(key);
	if (k == NULL)
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, where,
					"%s: unknown key", key);
	if (*value == '\0')
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, where,
					"%s: a value is required", k->name);
	if (lineno != 0) {
		unsigned *seen = &c->set_line[k - keys];

		if (*seen != 0)
			return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, where,
						"%s: already set on line %u",
						k->name, *seen);
		*seen = lineno;
	}
	if (set_value(c, k, value, why, sizeof(why)) != 0)
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, where,
					"%s: %s", k->name, why);
	return 0;
}

int
config_load(struct config *c, const char *path, int missing_ok,
	    struct tlsrpt_error *err)
{
	char where[TLSRPT_ERROR_PATH_MAX];
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	ssize_t len;
	FILE *fp;
	int ret = -1;

	fp = fopen(path, "re");
	if (fp == NULL) {
		if (missing_ok && errno == ENOENT)
			return 0;
		return tlsrpt_error_set(err, TLSRPT_ERR_IO, path,
					"cannot open: %s", strerror(errno));
	}
	memset(c->set_line, 0, sizeof(c->set_line));
	/* getline() allocates with malloc: not the seam, freed with free(). */
	while ((len = getline(&line, &cap, fp)) != -1) {
		lineno++;
		snprintf(where, sizeof(where), "%s:%u", path, lineno);
		if (len > CONFIG_LINE_MAX) {
			tlsrpt_error_set(err, TLSRPT_ERR_INVALID, where,
					 "line longer than %d bytes",
					 CONFIG_LINE_MAX);
			goto out;
		}
		if (memchr(line, '\0', (size_t)len) != NULL) {
			tlsrpt_error_set(err, TLSRPT_ERR_INVALID, where,
					 "NUL byte in line");
			goto out;
		}
		if (config_line(c, line, where, lineno, err) != 0)
			goto out;
	}
	if (ferror(fp)) {
		tlsrpt_error_set(err, TLSRPT_ERR_IO, path, "read error: %s",
				 strerror(errno));
		goto out;
	}
	ret = 0;
out:
	free(line);
	fclose(fp);
	return ret;
}

int
config_set(struct config *c, const char *key, const char *value,
	   const char *where, struct tlsrpt_error *err)
{
	char buf[CONFIG_LINE_MAX];

	if (snprintf(buf, sizeof(buf), "%s %s", key, value) >= (int)sizeof(buf))
		return tlsrpt_error_set(err, TLSRPT_ERR_INVALID, where,
					"%s: value too long", key);
	return config_line(c, buf, where, 0, err);
}

/* Domains from HostName as Postfix derives mydomain from myhostname: all
 * but the first label, "localdomain" for a name without a dot. Then
 * ReportAddresses (tlsrpt@ each) and AlertDomains (the same list) where
 * the file did not set them: mail for other domains, relayed through this
 * host, is none of our business. AlertDomains "*" (every domain) stays
 * as it is: config_alert_domains() reads it. */
static int
finish_domains(struct config *c, struct tlsrpt_error *err)
{
	char why[128];
	GString *addrs;
	int rc = 0;

	if (c->domains.n == 0) {
		const char *dot = strchr(c->host_name, '.');
		const char *d =
			dot != NULL && dot[1] != '\0' ? dot + 1 : "localdomain";

		c->domains_derived = 1;
		if (set_value(c, find_key("Domains"), d, why, sizeof(why)) != 0)
			return tlsrpt_error_set(
				err, TLSRPT_ERR_INVALID, "Domains",
				"HostName %s gives no usable domain: %s; set "
				"Domains",
				c->host_name, why);
	}
	if (c->report_addresses.n == 0) {
		addrs = g_string_new(NULL);
		for (size_t i = 0; i < c->domains.n; i++)
			g_string_append_printf(addrs, "%stlsrpt@%s",
					       i ? ", " : "",
					       c->domains.items[i]);
		if (set_value(c, find_key("ReportAddresses"), addrs->str, why,
			      sizeof(why)) != 0)
			rc = tlsrpt_error_set(err, TLSRPT_ERR_INVALID,
					      "ReportAddresses", "%s", why);
		g_string_free(addrs, TRUE);
		if (rc != 0)
			return rc;
	}
	if (c->alert_domains.n == 0) {
		for (size_t i = 0; i < c->domains.n; i++) {
			char **grown = tlsrpt_reallocarray(
				c->alert_domains.items, i + 1, sizeof(*grown));
			char *d = grown != NULL
					  ? tlsrpt_strdup(c->domains.items[i])
					  : NULL;

			if (grown != NULL)
				c->alert_domains.items = grown;
			if (d == NULL)
				return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM,
							"AlertDomains",
							"out of memory");
			c->alert_domains.items[c->alert_domains.n++] = d;
		}
	}
	return 0;
}

int
config_finish(struct config *c, struct tlsrpt_error *err)
{
	char host[256];
	char why[128];

	if (c->host_name == NULL) {
		if (gethostname(host, sizeof(host)) != 0 || host[0] == '\0')
			snprintf(host, sizeof(host), "localhost");
		host[sizeof(host) - 1] = '\0';
		if (set_value(c, find_key("HostName"), host, why,
			      sizeof(why)) != 0)
			return tlsrpt_error_set(
				err, TLSRPT_ERR_INVALID, "HostName",
				"gethostname() gave an unusable "
				"name: %s; set HostName",
				why);
	}
	if (c->trusted_authserv_ids.n == 0 &&
	    set_value(c, find_key("TrustedAuthservIDs"), c->host_name, why,
		      sizeof(why)) != 0)
		return tlsrpt_error_set(err, TLSRPT_ERR_NOMEM,
					"TrustedAuthservIDs", "%s", why);
	if (finish_domains(c, err) != 0)
		return -1;
	/* Both are absolute paths (check_path); "/srv/chr/" + "/store" is
	 * still /srv/chr/store. */
	g_free(c->store_path);
	c->store_path = c->chroot_dir != NULL
				? g_build_filename(c->chroot_dir,
						   c->store_directory, NULL)
				: g_strdup(c->store_directory);
	/* A message bigger than the buffer cannot hold a report bigger than
	 * it either, but a gzip report inflates past it: no rule between
	 * the two sizes. Nothing else depends on another key today. */
	return 0;
}

char *const *
config_alert_domains(const struct config *c, size_t *n)
{
	if (c->alert_domains.n == 1 &&
	    strcmp(c->alert_domains.items[0], "*") == 0) {
		*n = 0;
		return NULL;
	}
	*n = c->alert_domains.n;
	return c->alert_domains.items;
}

void
config_limits(const struct config *c, struct tlsrpt_limits *out)
{
	*out = c->limits;
}

void
config_intake(const struct config *c, struct tlsrpt_store *store,
	      struct intake_config *out)
{
	memset(out, 0, sizeof(*out));
	out->limits = &c->limits;
	out->store = store;
	out->trusted_authserv_ids = c->trusted_authserv_ids.items;
	out->n_trusted_authserv_ids = c->trusted_authserv_ids.n;
	out->require_dkim = c->require_dkim;
}

const char *
config_store_path(const struct config *c)
{
	return c->store_path;
}

void
config_store_options(const struct config *c, enum config_root root,
		     struct tlsrpt_store_options *out)
{
	tlsrpt_store_options_default(out);
	out->dir = root == CONFIG_INSIDE_CHROOT ? c->store_directory
						: config_store_path(c);
	out->dedup_days = c->dedup_days;
	out->fsync = c->fsync == CONFIG_FSYNC_NONE ? TLSRPT_STORE_FSYNC_NONE
						   : TLSRPT_STORE_FSYNC_REPORT;
	out->limits = &c->limits;
}

size_t
config_n_keys(void)
{
	return N_KEYS;
}

const char *
config_key_name(size_t i)
{
	return i < N_KEYS ? keys[i].name : NULL;
}

const char *
config_enum_name(const char *key, int value)
{
	const struct config_key *k = find_key(key);

	if (k == NULL || k->type != TYPE_ENUM)
		return "?";
	for (const struct config_choice *ch = k->choices; ch->name; ch++) {
		if (ch->value == value)
			return ch->name;
	}
	return "?";
}

static int
dump_value(FILE *out, const struct config *c, const struct config_key *k)
{
	const void *f = cfield(c, k);

	switch (k->type) {
	case TYPE_STRING: return fprintf(out, "%s", *(char *const *)f);
	case TYPE_BOOL:
		return fprintf(out, "%s", *(const int *)f ? "yes" : "no");
	case TYPE_SIZE:
	case TYPE_COUNT: return fprintf(out, "%zu", *(const size_t *)f);
	case TYPE_UINT: return fprintf(out, "%u", *(const unsigned *)f);
	case TYPE_SECS: return fprintf(out, "%u", *(const unsigned *)f);
	case TYPE_OCTAL: return fprintf(out, "%04o", *(const unsigned *)f);
	case TYPE_LIST: {
		const struct config_list *l = f;

		for (size_t i = 0; i < l->n; i++) {
			if (fprintf(out, "%s%s", i ? ", " : "", l->items[i]) <
			    0)
				return -1;
		}
		return 0;
	}
	case TYPE_ENUM:
		return fprintf(out, "%s",
			       config_enum_name(k->name, *(const int *)f));
	}
	return -1;
}

/* One value as config_dump() writes it, "" when unset; g_free() it. NULL
 * when out of memory. */
static char *
value_text(const struct config *c, const struct config_key *k)
{
	const void *f = cfield(c, k);
	char *text = NULL;
	size_t size = 0;
	FILE *out;

	if ((k->type == TYPE_STRING && *(char *const *)f == NULL) ||
	    (k->type == TYPE_LIST && ((const struct config_list *)f)->n == 0))
		return g_strdup("");
	if ((out = open_memstream(&text, &size)) == NULL)
		return NULL;
	if (dump_value(out, c, k) < 0) {
		fclose(out);
		free(text);
		return NULL;
	}
	if (fclose(out) != 0) {
		free(text);
		return NULL;
	}
	/* open_memstream() allocates with malloc. */
	{
		char *copy = g_strdup(text);

		free(text);
		return copy;
	}
}

int
config_keep(struct config *c, const struct config *old,
	    const char *const *names, config_changed_fn *changed, void *ctx,
	    struct tlsrpt_error *err)
{
	char why[TLSRPT_ERROR_TEXT_MAX - 64];

	for (; *names != NULL; names++) {
		const struct config_key *k = find_key(*names);
		char *was, *now;
		int rc = 0;

		if (k == NULL)
			return tlsrpt_error_set(err, TLSRPT_ERR_INTERNAL,
						"config_keep",
						"%s: unknown key", *names);
		was = value_text(old, k);
		now = value_text(c, k);
		if (was == NULL || now == NULL) {
			rc = tlsrpt_error_set(err, TLSRPT_ERR_NOMEM, k->name,
					      "out of memory");
		} else if (strcmp(was, now) != 0) {
			/* The text config_dump() writes reads back as the
			 * same value: the file format is the one copy. */
			if (set_value(c, k, was, why, sizeof(why)) != 0)
				rc = tlsrpt_error_set(err, TLSRPT_ERR_INTERNAL,
						      k->name, "%s", why);
			else if (changed != NULL)
				changed(ctx, k->name, was, now);
		}
		g_free(was);
		g_free(now);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
config_dump(FILE *out, const struct config *c, int verbose)
{
	for (size_t i = 0; i < N_KEYS; i++) {
		const struct config_key *k = &keys[i];
		const void *f = cfield(c, k);
		int unset =
			(k->type == TYPE_STRING && *(char *const *)f == NULL) ||
			(k->type == TYPE_LIST &&
			 ((const struct config_list *)f)->n == 0);

		if (verbose && fprintf(out, "# %s\n", k->description) < 0)
			return -1;
		if (unset) {
			if (fprintf(out, "#%s (not set)\n", k->name) < 0)
				return -1;
			continue;
		}
		if (fprintf(out, "%s ", k->name) < 0 ||
		    dump_value(out, c, k) < 0 || fputc('\n', out) == EOF)
			return -1;
	}
	return fflush(out) == 0 ? 0 : -1;
}
