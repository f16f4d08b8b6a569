/* SPDX-License-Identifier: BSD-2-Clause */
/* runas_check.c -- UserID and the store, checked as the daemon will meet
 * them (runas_check.h). */
#include "milter/runas_check.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include <glib.h>

/* Can uid/gid (with user's groups) write and enter dir? Asked of the
 * kernel by a child that becomes the user, so modes, groups and ACLs all
 * count as they will for the daemon. -1: could not tell. */
static int
writable_as(const char *dir, const char *user, uid_t uid, gid_t gid)
{
	pid_t pid;
	int st;

	if (getuid() != 0)
		return uid == getuid() ? access(dir, W_OK | X_OK) == 0 : -1;
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		if (setgid(gid) != 0 || initgroups(user, gid) != 0 ||
		    setuid(uid) != 0)
			_exit(2);
		_exit(access(dir, W_OK | X_OK) == 0 ? 0 : 1);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st) > 1)
		return -1;
	return WEXITSTATUS(st) == 0;
}

int
runas_check(const struct config *cfg, FILE *out)
{
	const char *store = config_store_path(cfg);
	char user[256], *group, *parent;
	struct passwd *pw;
	struct stat st;
	uid_t uid = getuid();
	gid_t gid = getgid();
	const char *dir = store;
	int ok, rc = 0;

	snprintf(user, sizeof(user), "%s", cfg->user != NULL ? cfg->user : "");
	if ((group = strchr(user, ':')) != NULL)
		*group++ = '\0';
	if (cfg->user != NULL) {
		if ((pw = getpwnam(user)) == NULL) {
			fprintf(out,
				"tlsrpt-milter: UserID %s: no user \"%s\" on "
				"this system (create it, e.g. adduser "
				"--system --group %s)\n",
				cfg->user, user, user);
			return EX_NOUSER;
		}
		uid = pw->pw_uid;
		gid = pw->pw_gid;
		if (group != NULL) {
			struct group *gr = getgrnam(group);

			if (gr == NULL) {
				fprintf(out,
					"tlsrpt-milter: UserID %s: no group "
					"\"%s\" on this system\n",
					cfg->user, group);
				return EX_NOUSER;
			}
			gid = gr->gr_gid;
		}
	} else {
		struct passwd *me = getpwuid(uid);

		snprintf(user, sizeof(user), "%s",
			 me != NULL ? me->pw_name : "?");
	}
	/* A missing store is made at start, by root for the user
	 * (mkdir of the last component), or else by the user itself. */
	parent = g_path_get_dirname(store);
	if (stat(store, &st) != 0) {
		if (errno != ENOENT || stat(parent, &st) != 0 ||
		    !S_ISDIR(st.st_mode)) {
			fprintf(out,
				"tlsrpt-milter: StoreDirectory %s: %s, and it "
				"cannot be created (%s is not a directory)\n",
				store, strerror(ENOENT), parent);
			g_free(parent);
			return EX_CANTCREAT;
		}
		if (getuid() == 0 && cfg->user != NULL) {
			g_free(parent);
			return 0;
		}
		dir = parent;
	} else if (!S_ISDIR(st.st_mode)) {
		fprintf(out,
			"tlsrpt-milter: StoreDirectory %s: not a directory\n",
			store);
		g_free(parent);
		return EX_CANTCREAT;
	}
	ok = writable_as(dir, user, uid, gid);
	if (ok == 0) {
		fprintf(out,
			"tlsrpt-milter: StoreDirectory %s: %s cannot write "
			"%s%s "
			"(chown it to %s, or chmod u+rwx)\n",
			store, user, dir, dir == store ? "" : " to create it",
			user);
		rc = EX_CANTCREAT;
	} else if (ok < 0) {
		fprintf(out,
			"tlsrpt-milter: StoreDirectory %s: not checked: only "
			"root can test it as %s\n",
			store, user);
	}
	g_free(parent);
	return rc;
}
