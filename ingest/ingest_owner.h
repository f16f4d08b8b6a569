/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ingest_owner.h -- whom a root-run tlsrpt-ingest writes the store as.
 *
 * Every file of a store must belong to the user that owns the store
 * directory, or the milter running as that user cannot open it again
 * (crash recovery, the index, the next append). So root never writes a
 * store: it becomes the directory's owner first. A store directory that is
 * missing or owned by root has no owner to become; root is refused there
 * unless AllowRoot says otherwise.
 */
#ifndef TLSRPT_INGEST_OWNER_H
#define TLSRPT_INGEST_OWNER_H

#include <sys/types.h>

#include "base/error.h"

struct ingest_owner {
	int become; /* 1: switch to uid/gid before touching the store */
	uid_t uid;
	gid_t gid;
};

/* Decide for the store directory dir. Not root: nothing to do (become 0).
 * Root: the owner of dir when it is not root; a missing or root-owned dir
 * is an error (TLSRPT_ERR_INVALID, saying what to do) unless allow_root,
 * which lets root write it as root. */
int ingest_owner_of(const char *dir, int allow_root, struct ingest_owner *out,
		    struct tlsrpt_error *err);

/* Become o's user for good: supplementary groups (the user's, from
 * initgroups(), when the uid has a name), gid, uid; and check that root
 * cannot be regained. A no-op when o->become is 0. */
int ingest_owner_become(const struct ingest_owner *o, struct tlsrpt_error *err);

#endif
