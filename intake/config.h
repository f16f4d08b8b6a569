/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * config.h -- the configuration shared by tlsrpt-milter, tlsrpt-ingest and
 * tlsrpt-summary: one reader, so every program reads a file the same way.
 *
 * The file is `Key value` lines; `#` starts a comment (at the start of a
 * line or after white space). Every key lives in one table
 * (config_keys.c) with its type, default and description: the parser, the
 * defaults, `tlsrpt-milter -n -v` and the key list the tests compare with
 * tlsrpt-milter.conf(5) and contrib/tlsrpt-milter.conf all come from it.
 * Keys are case-insensitive; a key set twice in one file is an error.
 *
 * Without a file every key has its default, so the programs run on
 * embedded defaults alone.
 */
#ifndef TLSRPT_INTAKE_CONFIG_H
#define TLSRPT_INTAKE_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/error.h"
#include "report/limits.h"

struct intake_config;
struct tlsrpt_store;
struct tlsrpt_store_options;

#ifndef TLSRPT_SYSCONFDIR
#define TLSRPT_SYSCONFDIR "/etc"
#endif
#ifndef TLSRPT_LOCALSTATEDIR
#define TLSRPT_LOCALSTATEDIR "/var"
#endif

#define CONFIG_DEFAULT_PATH TLSRPT_SYSCONFDIR "/tlsrpt-milter.conf"

/* The defaults of SummaryMinFailures and SummaryMinShare, tlsrpt-summary's
 * noise threshold: summary_options_default() takes them from here too, so
 * the program and the file cannot disagree. */
#define CONFIG_SUMMARY_MIN_FAILURES 1
#define CONFIG_SUMMARY_MIN_SHARE "0.1" /* percent: config_share_ppm() */

/* Room for the keys of the table (checked at compile time). */
#define CONFIG_MAX_KEYS 56

enum config_disposition {
	CONFIG_DELIVER,
	CONFIG_DISCARD,
	CONFIG_QUARANTINE,
};

enum config_on_store_failure {
	CONFIG_TEMPFAIL,
	CONFIG_ACCEPT,
};

enum config_fsync {
	CONFIG_FSYNC_REPORT, /* fsync the day file after each report */
	CONFIG_FSYNC_NONE,
};

/* A list value: items are non-empty strings, owned by the list. */
struct config_list {
	char **items;
	size_t n;
};

struct config {
	char *socket;	       /* Socket: libmilter syntax */
	char *user;	       /* UserID: "user[:group]", NULL: stay */
	int allow_root;	       /* AllowRoot: may go on running as root */
	char *pid_file;	       /* PidFile, NULL: none */
	char *chroot_dir;      /* Chroot, NULL: none */
	unsigned umask;	       /* Umask: while the socket is created */
	int syslog_facility;   /* SyslogFacility: a LOG_* facility value */
	int log_level;	       /* LogLevel: LOG_ERR .. LOG_DEBUG */
	char *store_directory; /* StoreDirectory */
	struct config_list report_addresses; /* ReportAddresses */
	int detect_by_headers;		     /* DetectByHeaders */
	int disposition;		     /* enum config_disposition */
	int on_store_failure;		     /* enum config_on_store_failure */
	int add_header;			     /* AddHeader */
	struct config_list trusted_authserv_ids; /* TrustedAuthservIDs */
	struct config_list https_tokens;	 /* HTTPSTokens */
	int require_dkim;			 /* RequireDKIM */
	char *host_name;	      /* HostName; config_finish() fills it */
	unsigned dedup_days;	      /* DedupDays */
	int fsync;		      /* enum config_fsync */
	unsigned compress_after_days; /* CompressAfterDays, 0: never */
	unsigned retention_days;      /* RetentionDays, 0: keep for ever */
	char *alert_command;	      /* AlertCommand, NULL: no alerts */
	unsigned alert_timeout;	      /* AlertTimeout, seconds */
	unsigned alert_interval;      /* AlertInterval, seconds */
	struct config_list alert_result_types; /* AlertResultTypes */
	unsigned alert_min_failures;	       /* AlertMinFailures */
	unsigned alert_min_share;	       /* AlertMinShare, percent */
	struct config_list alert_domains;      /* AlertDomains */
	unsigned summary_min_failures;	       /* SummaryMinFailures */
	char *summary_min_share; /* SummaryMinShare: config_share_ppm() */
	unsigned alert_max_per_message;	    /* AlertMaxPerMessage */
	unsigned alert_max_per_hour;	    /* AlertMaxPerHour, 0: none */
	unsigned alert_max_per_sender_hour; /* AlertMaxPerSenderPerHour */
	unsigned max_concurrent_parses;	    /* MaxConcurrentParses */
	unsigned parse_wait;		    /* ParseWait, seconds */
	struct tlsrpt_limits limits;	    /* the Max* keys */

	/* Domains (our own, config_finish() fills them from HostName when
	 * unset): the defaults of ReportAddresses and AlertDomains. */
	struct config_list domains;
	int domains_derived; /* Domains came from HostName */

	/* Chroot + StoreDirectory: config_finish() fills it, read it with
	 * config_store_path(). Owned. */
	char *store_path;

	/* The line each key was set on in the file being read, for
	 * duplicate errors; indexed like the table. Internal. */
	unsigned set_line[CONFIG_MAX_KEYS];
};

/* Fill c with every default. Returns 0, or -1 (err filled) when out of
 * memory. Free with config_free() either way. */
int config_init(struct config *c, struct tlsrpt_error *err);

void config_free(struct config *c);

/* Read path into c. When missing_ok and the file does not exist, c keeps
 * its values and 0 is returned. Errors name "path:line" in err->path and
 * "Key: reason" in err->text. */
int config_load(struct config *c, const char *path, int missing_ok,
		struct tlsrpt_error *err);

/* Set one key from elsewhere (a command-line option); where names the
 * source in errors ("-p"). Overrides what a file said. */
int config_set(struct config *c, const char *key, const char *value,
	       const char *where, struct tlsrpt_error *err);

/* After loading: fill what defaults to the environment (HostName from
 * gethostname(), TrustedAuthservIDs to the host name, Domains to HostName
 * without its first label, ReportAddresses to tlsrpt@ each of Domains,
 * AlertDomains to Domains) and check keys that depend on each other. */
int config_finish(struct config *c, struct tlsrpt_error *err);

/* The policy domains that alert: NULL and *n 0 for every domain
 * (AlertDomains *). Borrowed from c. */
char *const *config_alert_domains(const struct config *c, size_t *n);

/* The store directory as seen from outside the milter's Chroot: Chroot +
 * StoreDirectory when Chroot is set, else StoreDirectory. The one answer
 * to "where is the store" for tlsrpt-ingest, tlsrpt-summary and the
 * milter before it chroots. Borrowed from c; valid after config_finish(). */
const char *config_store_path(const struct config *c);

/* Where the caller stands when it opens the store: the milter opens it
 * after chroot(), everything else from the real root. */
enum config_root {
	CONFIG_OUTSIDE_CHROOT,
	CONFIG_INSIDE_CHROOT,
};

/* The pieces other modules take. They borrow from c, which must outlive
 * them. config_store_options() is the one place the store options
 * (directory, DedupDays, Fsync, limits) come from. */
void config_limits(const struct config *c, struct tlsrpt_limits *out);
void config_intake(const struct config *c, struct tlsrpt_store *store,
		   struct intake_config *out);
void config_store_options(const struct config *c, enum config_root root,
			  struct tlsrpt_store_options *out);

/* For a daemon that re-reads its file (tlsrpt-milter on SIGHUP): give each
 * key of names (NULL-terminated, table names) in c the value it has in old,
 * where the two differ. changed (may be NULL) is told of each such key with
 * both values as config_dump() writes them ("" when unset). Call it after
 * config_load() and before config_finish(), so derived values (the store
 * path) follow. Returns 0, or -1 (err filled) on an unknown name or when
 * out of memory. */
typedef void config_changed_fn(void *ctx, const char *key, const char *was,
			       const char *now);
int config_keep(struct config *c, const struct config *old,
		const char *const *names, config_changed_fn *changed, void *ctx,
		struct tlsrpt_error *err);

/* A share in percent as SummaryMinShare takes it ("0.1", "0.1%", "5",
 * at most 4 decimals, 0 to 100) in parts per million, exactly (no
 * floating point). Returns 0, or -1 when v is not such a share. */
int config_share_ppm(const char *v, uint32_t *ppm);

/* The key names, in table order (for tests and --dump-config-keys). */
size_t config_n_keys(void);
const char *config_key_name(size_t i);

/* Print every key with its current value, one "Key value" line each (a
 * valid configuration file), with its description as a comment when
 * verbose. Returns 0, or -1 on a write error. */
int config_dump(FILE *out, const struct config *c, int verbose);

/* Name of an enum value of a key ("discard" for Disposition), "?" when
 * out of range. */
const char *config_enum_name(const char *key, int value);

#endif
