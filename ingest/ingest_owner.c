/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ingest_owner.c -- a root-run tlsrpt-ingest becomes the store's owner
 * (see ingest_owner.h for why the directory's owner and not UserID).
 */
#include "ingest/ingest_owner.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
ingest_owner_of(const char *dir, int allow_root, struct ingest_owner *out,
		struct tlsrpt_error *err)
{
	struct stat st;

	memset(out, 0, sizeof(*out));
	if (geteuid() != 0 && getuid() != 0)
		return 0;
	if (stat(dir, &st) != 0) {
		if (errno != ENOENT || allow_root)
			return 0; /* the store's own open says what is wrong */
		return tlsrpt_error_set(
			err, TLSRPT_ERR_INVALID, dir,
			"the store directory does not exist, and root would "
			"create it owned by root, where tlsrpt-milter cannot "
			"write: create it for the milter's user (install -d -o "
			"USER -g GROUP -m 0750 %s), or set AllowRoot yes",
			dir);
	}
	if (!S_ISDIR(st.st_mode))
		return 0; /* the store's own open refuses it */
	if (st.st_uid == 0) {
		if (allow_root)
			return 0;
		return tlsrpt_error_set(
			err, TLSRPT_ERR_INVALID, dir,
			"the store directory is owned by root, so there is no "
			"owner to write it as: chown -R it to the user "
			"tlsrpt-milter runs as (UserID), or set AllowRoot yes "
			"to let root write it");
	}
	out->become = 1;
	out->uid = st.st_uid;
	out->gid = st.st_gid;
	return 0;
}

int
ingest_owner_become(const struct ingest_owner *o, struct tlsrpt_error *err)
{
	struct passwd *pw;
	int rc;

	if (!o->become)
		return 0;
	/* The user's groups, as the milter gets them from initgroups(); the
	 * directory's group is the primary one, so new files get it. */
	errno = 0;
	pw = getpwuid(o->uid);
	if (pw != NULL)
		rc = initgroups(pw->pw_name, o->gid);
	else
		rc = setgroups(1, &o->gid);
	if (rc != 0 || setgid(o->gid) != 0 || setuid(o->uid) != 0)
		return tlsrpt_error_set(err, TLSRPT_ERR_IO, NULL,
					"cannot become the store's owner "
					"(uid %ld, gid %ld): %s",
					(long)o->uid, (long)o->gid,
					strerror(errno));
	if (setuid(0) == 0 || geteuid() != o->uid || getegid() != o->gid)
		return tlsrpt_error_set(err, TLSRPT_ERR_INTERNAL, NULL,
					"still able to become root after "
					"switching to uid %ld",
					(long)o->uid);
	return 0;
}
