/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dayfiles.h -- the one listing of a store directory's day files.
 *
 * Retention (prune.c), reading a window (reader.c) and rebuilding the index
 * (recover.c) all need "which tlsrpt-YYYY-MM-DD.jsonl[.gz] are there, in
 * day order": they get it here, so a name the store would not write (a
 * stray file, an impossible date) is skipped the same way by all three.
 * Entries are matched by name alone (tlsrpt_day_file_match()); whoever
 * opens one opens it with O_NOFOLLOW and copes with what it finds.
 */
#ifndef TLSRPT_STORE_DAYFILES_H
#define TLSRPT_STORE_DAYFILES_H

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "base/error.h"

struct tlsrpt_dayfile {
	int64_t day;
	int gz; /* 1: tlsrpt-DAY.jsonl.gz, 0: tlsrpt-DAY.jsonl */
};

/* Open the store directory dirfd (named dir in errors) for readdir() on a
 * descriptor of its own, so the caller's stays open and at its position;
 * closedir() *out. Returns 0, or -1 with err (TLSRPT_ERR_IO). */
int tlsrpt_store_opendir(int dirfd, const char *dir, DIR **out,
			 struct tlsrpt_error *err);

/* Open the file name of the store directory dirfd for appending, creating
 * it with mode, and lock it (flock LOCK_EX): O_NOFOLLOW (a planted
 * symbolic link is refused), O_NONBLOCK and a regular-file check (a
 * planted FIFO must not hang us). *st gets its stat. what ("day file")
 * and path name it in errors. Returns the descriptor, or -1 with err
 * (TLSRPT_ERR_IO), nothing open. */
int tlsrpt_store_open_append(int dirfd, const char *name, mode_t mode,
			     const char *what, const char *path,
			     struct stat *st, struct tlsrpt_error *err);

/* The day files of the directory dirfd (dir names it in errors) whose day
 * is in [first, last], sorted by day and, within a day, the .gz first (it
 * holds the older lines). *out is a new array (tlsrpt_free()), *n its
 * length; an empty directory gives n 0 (and *out may be NULL). Returns 0,
 * or -1: TLSRPT_ERR_IO when the directory cannot be listed, NOMEM. */
int tlsrpt_dayfiles_list(int dirfd, const char *dir, int64_t first,
			 int64_t last, struct tlsrpt_dayfile **out, size_t *n,
			 struct tlsrpt_error *err);

/* The same, every day. */
int tlsrpt_dayfiles_list_all(int dirfd, const char *dir,
			     struct tlsrpt_dayfile **out, size_t *n,
			     struct tlsrpt_error *err);

#endif
