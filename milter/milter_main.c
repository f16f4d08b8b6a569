/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tlsrpt-milter -- the libmilter daemon that catches TLS reports (RFC 8460)
 * inside Postfix or Sendmail and stores them.
 *
 * Start-up order, as Postfix's chroot_uid(): read the configuration,
 * block signals before any thread exists, resolve the user, setgid +
 * initgroups, chroot, setuid; then the umask for the socket, the socket,
 * fork, the pid file, the store; then smfi_main() until SIGTERM, and
 * the messages in flight finished. SIGHUP re-reads the configuration
 * (reload.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <jansson.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <syslog.h>
#include <unistd.h>

#include <glib.h>
#include <libmilter/mfapi.h>

#include "intake/config.h"
#include "milter/generation.h"
#include "milter/log.h"
#include "milter/milter_callbacks.h"
#include "milter/nodelay.h"
#include "milter/reload.h"
#include "milter/runas_check.h"
#include "report/input.h"
#include "store/store.h"

struct options {
	const char *config_path;
	int config_given;
	const char *socket, *user, *pid_file;
	int foreground, check_only, verbose, dump_keys, print_store;
};

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: tlsrpt-milter [-c CONFIG] [-p SOCKET] [-u "
		"USER[:GROUP]] "
		"[-P PIDFILE] [-f] [-n] [-v] [-V] [-h] [--print-store]\n"
		"\n"
		"Catch SMTP TLS reports (RFC 8460) in Postfix or Sendmail and "
		"store them.\n"
		"\n"
		"  -c CONFIG  configuration file (default %s;\n"
		"             when the default is missing, built-in defaults "
		"apply)\n"
		"  -p SOCKET  listen here (Socket): inet:PORT@HOST or "
		"unix:/PATH\n"
		"  -u USER[:GROUP]  run as this user (UserID)\n"
		"  -P PIDFILE write the process id here (PidFile)\n"
		"  -f         stay in the foreground and log to standard error "
		"too\n"
		"  -n         check the configuration, that UserID exists and "
		"can\n"
		"             write the store, and exit (67: no such user, "
		"73:\n"
		"             store not writable; -v: print the "
		"configuration)\n"
		"  --print-store  print the store directory as seen from "
		"outside\n"
		"             Chroot (Chroot + StoreDirectory) and exit\n"
		"  -v         log debug messages too (LogLevel debug)\n"
		"  -V         print the version and exit\n"
		"  -h         print this help and exit\n"
		"SIGHUP re-reads the configuration; SIGTERM lets messages in "
		"flight finish.\n",
		CONFIG_DEFAULT_PATH);
}

static int
parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		/* For the test that compares the key lists; not documented. */
		{"dump-config-keys", no_argument, NULL, 'K'},
		{"print-store", no_argument, NULL, 'S'},
		{NULL, 0, NULL, 0},
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->config_path = CONFIG_DEFAULT_PATH;
	while ((c = getopt_long(argc, argv, "c:p:u:P:fnvVh", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 'c':
			o->config_path = optarg;
			o->config_given = 1;
			break;
		case 'p': o->socket = optarg; break;
		case 'u': o->user = optarg; break;
		case 'P': o->pid_file = optarg; break;
		case 'f': o->foreground = 1; break;
		case 'n': o->check_only = 1; break;
		case 'v': o->verbose = 1; break;
		case 'K': o->dump_keys = 1; break;
		case 'S': o->print_store = 1; break;
		case 'V': printf("tlsrpt-milter %s\n", TLSRPT_VERSION); exit(0);
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "tlsrpt-milter: unexpected argument \"%s\"\n",
			argv[optind]);
		usage(stderr);
		return -1;
	}
	return 0;
}

static void
print_error(const char *what, const struct tlsrpt_error *err)
{
	char text[TLSRPT_ERROR_PATH_MAX + TLSRPT_ERROR_TEXT_MAX + 8];

	fprintf(stderr, "tlsrpt-milter: %s%s%s\n", what ? what : "",
		what ? ": " : "", tlsrpt_error_format(err, text, sizeof(text)));
}

/* Configuration file, then the command line over it; on a reload (old
 * set) the keys that need a restart keep old's values (reload.h). */
static int
read_config(const struct options *o, const struct config *old,
	    config_changed_fn *changed, void *changed_ctx, struct config *cfg,
	    struct tlsrpt_error *err)
{
	if (config_init(cfg, err) != 0 ||
	    config_load(cfg, o->config_path, !o->config_given, err) != 0 ||
	    (o->socket && config_set(cfg, "Socket", o->socket, "-p", err)) ||
	    (o->user && config_set(cfg, "UserID", o->user, "-u", err)) ||
	    (o->pid_file &&
	     config_set(cfg, "PidFile", o->pid_file, "-P", err)) ||
	    (o->verbose && !o->check_only &&
	     config_set(cfg, "LogLevel", "debug", "-v", err)) ||
	    (old != NULL && config_keep(cfg, old, milter_restart_keys(),
					changed, changed_ctx, err) != 0) ||
	    config_finish(cfg, err) != 0)
		return -1;
	return 0;
}

/* The reload thread's way in (milter_load_fn). */
static int
reload_config(void *ctx, const struct config *old, config_changed_fn *changed,
	      void *changed_ctx, struct config *out, struct tlsrpt_error *err)
{
	return read_config(ctx, old, changed, changed_ctx, out, err);
}

static int
load_config(const struct options *o, struct config *cfg)
{
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;

	tlsrpt_error_clear(&err);
	if (read_config(o, NULL, NULL, NULL, cfg, &err) != 0) {
		print_error(NULL, &err);
		return -1;
	}
	return 0;
}

/* Root creates a missing store directory for the user it is about to
 * become, 0750 and owned by user:group, so only they get in; an existing
 * one is left as the administrator made it, with a warning when others
 * can read it. Returns an exit status. */
static int
prepare_store_dir(const struct config *cfg, uid_t uid, gid_t gid,
		  const struct milter_log *log)
{
	/* Still outside Chroot: the store as the other programs see it. */
	const char *path = config_store_path(cfg);
	struct stat st;

	if (lstat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode) && (st.st_mode & 007) != 0)
			mlog(log, LOG_WARNING, NULL,
			     "StoreDirectory %s: mode %04o lets every user "
			     "read the reports; chmod o-rwx it",
			     path, (unsigned)(st.st_mode & 07777));
		return 0;
	}
	if (errno != ENOENT)
		return 0;
	if (mkdir(path, 0750) != 0 || chown(path, uid, gid) != 0 ||
	    chmod(path, 0750) != 0) {
		mlog(log, LOG_ERR, NULL, "StoreDirectory %s: %s", path,
		     strerror(errno));
		return EX_CANTCREAT;
	}
	return 0;
}

/* setgid + initgroups, chroot, setuid: the order that leaves no way back
 * and still finds /etc/group before the chroot. Returns an exit status. */
static int
drop_privileges(const struct config *cfg, const struct milter_log *log)
{
	char user[256];
	const char *group = NULL;
	struct passwd *pw = NULL;
	gid_t gid = 0;
	char *colon;
	int status;

	if (cfg->user != NULL) {
		snprintf(user, sizeof(user), "%s", cfg->user);
		if ((colon = strchr(user, ':')) != NULL) {
			*colon = '\0';
			group = colon + 1;
		}
		if ((pw = getpwnam(user)) == NULL) {
			mlog(log, LOG_ERR, NULL, "UserID: no user \"%s\"",
			     user);
			return EX_NOUSER;
		}
		gid = pw->pw_gid;
		if (group != NULL) {
			struct group *gr = getgrnam(group);

			if (gr == NULL) {
				mlog(log, LOG_ERR, NULL,
				     "UserID: no group \"%s\"", group);
				return EX_NOUSER;
			}
			gid = gr->gr_gid;
		}
		if (getuid() != 0 && pw->pw_uid != getuid()) {
			mlog(log, LOG_ERR, NULL,
			     "UserID %s: only root can change user", cfg->user);
			return EX_NOPERM;
		}
		if (getuid() == 0 && (status = prepare_store_dir(
					      cfg, pw->pw_uid, gid, log)) != 0)
			return status;
		if (getuid() == 0 &&
		    (setgid(gid) != 0 || initgroups(user, gid) != 0)) {
			mlog(log, LOG_ERR, NULL, "setgid/initgroups %s: %s",
			     cfg->user, strerror(errno));
			return EX_OSERR;
		}
	}
	if (cfg->chroot_dir != NULL &&
	    (chroot(cfg->chroot_dir) != 0 || chdir("/") != 0)) {
		mlog(log, LOG_ERR, NULL, "Chroot %s: %s", cfg->chroot_dir,
		     strerror(errno));
		return EX_OSERR;
	}
	if (pw != NULL && getuid() == 0 && setuid(pw->pw_uid) != 0) {
		mlog(log, LOG_ERR, NULL, "setuid %s: %s", cfg->user,
		     strerror(errno));
		return EX_OSERR;
	}
	/* Whatever parses hostile input must not be root; also catches a
	 * UserID that names root itself. */
	if ((geteuid() == 0 || getuid() == 0) && !cfg->allow_root) {
		mlog(log, LOG_ERR, NULL,
		     "refusing to run as root: set UserID (or -u USER) to an "
		     "unprivileged user, or AllowRoot yes to insist");
		return EX_NOPERM;
	}
	return 0;
}

static int
write_pid_file(const char *path, const struct milter_log *log)
{
	char line[32];
	int fd, n;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		  0644);
	if (fd < 0) {
		mlog(log, LOG_ERR, NULL, "PidFile %s: %s", path,
		     strerror(errno));
		return -1;
	}
	n = snprintf(line, sizeof(line), "%ld\n", (long)getpid());
	if (n < 0 || write(fd, line, (size_t)n) != n || close(fd) != 0) {
		mlog(log, LOG_ERR, NULL, "PidFile %s: %s", path,
		     strerror(errno));
		return -1;
	}
	return 0;
}

/* Leave the terminal: the parent exits, the child carries on. */
static int
daemonize(const struct milter_log *log)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0) {
		mlog(log, LOG_ERR, NULL, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return -1;
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		(void)dup2(fd, 0);
		(void)dup2(fd, 1);
		(void)dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	return 0;
}

/* The store keeps a pointer to the limits it reads back with: limits, in
 * run()'s frame, outlive every generation's configuration. */
static int
open_store(const struct config *cfg, struct tlsrpt_limits *limits,
	   const struct milter_log *log, struct tlsrpt_store **out)
{
	struct tlsrpt_store_options so;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char text[TLSRPT_ERROR_PATH_MAX + TLSRPT_ERROR_TEXT_MAX + 8];

	tlsrpt_error_clear(&err);
	/* After drop_privileges(): inside Chroot when one is set. */
	config_store_options(cfg, CONFIG_INSIDE_CHROOT, &so);
	*limits = cfg->limits;
	so.limits = limits;
	if (tlsrpt_store_open(&so, out, &err) != 0) {
		mlog(log, LOG_ERR, NULL, "StoreDirectory: %s",
		     tlsrpt_error_format(&err, text, sizeof(text)));
		return -1;
	}
	return 0;
}

/* app lives in main()'s frame: libmilter's session threads may still look
 * at it (and find no configuration) until the process exits. */
static int
run(const struct options *o, struct config *start_cfg, struct milter_app *app)
{
	struct milter_log log;
	struct milter_gens *gens = app->gens;
	struct milter_gen *gen;
	struct milter_reload reload;
	struct tlsrpt_store *store = NULL;
	struct tlsrpt_limits store_limits;
	const struct config *cfg;
	char *pid_file = NULL;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	sigset_t set;
	int status;

	/* Every thread libmilter (or GLib, or we) start inherits this mask;
	 * the three are the reload thread's (reload.h). */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* A day file at RLIMIT_FSIZE fails the write (EFBIG), reported. */
	signal(SIGXFSZ, SIG_IGN);

	tlsrpt_parser_init();
	json_object_seed(0);
	mlog_open(&log, "tlsrpt-milter", start_cfg->syslog_facility,
		  start_cfg->log_level, o->foreground);
	memset(&reload, 0, sizeof(reload));
	if ((gen = milter_gen_new(start_cfg, o->foreground)) == NULL) {
		mlog(&log, LOG_ERR, NULL, "out of memory");
		tlsrpt_parser_shutdown();
		mlog_close();
		return EX_OSERR;
	}
	cfg = &gen->cfg;
	parse_slots_init(app->slots, cfg->max_concurrent_parses,
			 cfg->parse_wait);
	if (milter_callbacks_register(app) != 0) {
		mlog(&log, LOG_ERR, NULL, "smfi_register failed");
		status = EX_SOFTWARE;
		goto out;
	}
	if ((status = drop_privileges(cfg, &log)) != 0)
		goto out;
	/* Fail now, on the terminal, if the store cannot be opened; the
	 * store is opened again after fork (its locks belong to the open
	 * file, which must not be shared with the parent). */
	if (open_store(cfg, &store_limits, &log, &store) != 0) {
		status = EX_CANTCREAT;
		goto out;
	}
	tlsrpt_store_close(store);
	store = NULL;

	umask((mode_t)cfg->umask);
	if (smfi_setconn(cfg->socket) != MI_SUCCESS ||
	    smfi_opensocket(1) != MI_SUCCESS) {
		mlog(&log, LOG_ERR, NULL, "Socket %s: cannot listen there",
		     cfg->socket);
		status = EX_UNAVAILABLE;
		goto out;
	}
	umask(027);
	(void)milter_listen_nodelay();
	if (!o->foreground && daemonize(&log) != 0) {
		status = EX_OSERR;
		goto out;
	}
	if (cfg->pid_file != NULL && write_pid_file(cfg->pid_file, &log) != 0) {
		status = EX_CANTCREAT;
		goto out;
	}
	if (open_store(cfg, &store_limits, &log, &store) != 0) {
		status = EX_CANTCREAT;
		goto out;
	}
	/* After fork: the alert and reload threads must live in the
	 * daemon. */
	if (milter_gen_start(gen, store, &err) != 0) {
		mlog(&log, LOG_ERR, NULL, "alerts: %s", err.text);
		status = EX_SOFTWARE;
		goto out;
	}
	milter_gen_log_domains(gen);
	mlog(&log, LOG_INFO, NULL,
	     "tlsrpt-milter %s starting: socket %s, store %s, report "
	     "addresses %zu, disposition %s",
	     TLSRPT_VERSION, cfg->socket, cfg->store_directory,
	     cfg->report_addresses.n,
	     config_enum_name("Disposition", cfg->disposition));
	pid_file = g_strdup(cfg->pid_file);
	milter_gens_install(gens, gen);
	gen = NULL;
	reload.gens = gens;
	reload.store = store;
	reload.slots = app->slots;
	reload.load = reload_config;
	reload.load_ctx = (void *)o;
	reload.foreground = o->foreground;
	/* Without it nothing would take SIGTERM (reload.h): do not run. */
	if (milter_reload_start(&reload) != 0) {
		mlog(&log, LOG_ERR, NULL, "cannot start the signal thread");
		status = EX_OSERR;
		goto out;
	}
	/* Returns after the reload thread's smfi_stop() (SIGTERM, once the
	 * messages in flight are done), or on an error. */
	status = smfi_main() == MI_SUCCESS ? 0 : EX_SOFTWARE;
	milter_reload_stop(&reload);
	mlog(&log, status == 0 ? LOG_INFO : LOG_ERR, NULL,
	     "tlsrpt-milter stopping%s", status == 0 ? "" : " after an error");
	/* PidFile needs a restart: the name is the one written. */
	if (pid_file != NULL)
		(void)unlink(pid_file);
	milter_gens_install(gens, NULL);
	if (milter_gens_busy(gens) > 0) {
		/* Session threads still use the store and the
		 * generations: leave them to exit(). */
		mlog(&log, LOG_ERR, NULL,
		     "messages still in flight are cut off");
		tlsrpt_parser_shutdown();
		mlog_close();
		return status;
	}
out:
	milter_gens_install(gens, NULL);
	(void)milter_gens_reap(gens, 1);
	milter_gen_free(gen);
	g_free(pid_file);
	tlsrpt_store_close(store);
	tlsrpt_parser_shutdown();
	parse_slots_clear(app->slots);
	mlog_close();
	return status;
}

int
main(int argc, char **argv)
{
	struct options o;
	struct config cfg;
	struct milter_gens gens;
	struct parse_slots slots;
	struct milter_app app;
	char *config_path;
	int status;

	if (parse_options(argc, argv, &o) != 0)
		return EX_USAGE;
	if (o.dump_keys) {
		for (size_t i = 0; i < config_n_keys(); i++)
			printf("%s\n", config_key_name(i));
		return fflush(stdout) == 0 ? 0 : EX_IOERR;
	}
	if (load_config(&o, &cfg) != 0) {
		config_free(&cfg);
		return EX_CONFIG;
	}
	if (o.print_store) {
		printf("%s\n", config_store_path(&cfg));
		config_free(&cfg);
		return fflush(stdout) == 0 ? 0 : EX_IOERR;
	}
	if (o.check_only) {
		/* The file is sound; now what the daemon would meet. */
		status = runas_check(&cfg, stderr);
		if (status == 0 && o.verbose &&
		    config_dump(stdout, &cfg, 1) != 0)
			status = EX_IOERR;
		else if (status == 0 && !o.verbose)
			printf("tlsrpt-milter: configuration %s OK\n",
			       access(o.config_path, F_OK) == 0
				       ? o.config_path
				       : "(built-in defaults)");
		config_free(&cfg);
		return status;
	}
	/* SIGHUP reads the file again after chdir("/") (Chroot): by the
	 * absolute name. */
	config_path = g_canonicalize_filename(o.config_path, NULL);
	o.config_path = config_path;
	milter_gens_init(&gens);
	app.gens = &gens;
	app.slots = &slots;
	status = run(&o, &cfg, &app);
	config_free(&cfg);
	g_free(config_path);
	return status;
}
