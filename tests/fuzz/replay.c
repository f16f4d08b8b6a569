/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * replay.c -- run a harness over saved inputs without libFuzzer, so the
 * corpus and every past crash replay under gcc's sanitizers in `make check`.
 *
 *	replay-HARNESS DIR|FILE...
 *
 * Every regular file of each directory (not recursive; missing directories
 * are skipped) is read into a buffer of exactly its size, so any read past
 * the end is caught, and fed to LLVMFuzzerTestOneInput(). A sanitizer
 * report aborts the program; otherwise it prints how many inputs ran.
 */
#include "tests/fuzz/fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Largest input replayed: libFuzzer's inputs here are far smaller. */
#define REPLAY_MAX_BYTES (16 * 1024 * 1024)

static int
replay_file(const char *path, unsigned long *n)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *buf = NULL;
	struct stat st;
	size_t len;
	int ret = -1;

	if (fp == NULL || fstat(fileno(fp), &st) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		goto out;
	}
	if (st.st_size > REPLAY_MAX_BYTES) {
		fprintf(stderr, "replay: %s: larger than %d bytes\n", path,
			REPLAY_MAX_BYTES);
		goto out;
	}
	len = (size_t)st.st_size;
	/* malloc(0) may return NULL; the harness gets a valid pointer. */
	buf = malloc(len > 0 ? len : 1);
	if (buf == NULL || (len > 0 && fread(buf, 1, len, fp) != len)) {
		fprintf(stderr, "replay: %s: cannot read\n", path);
		goto out;
	}
	LLVMFuzzerTestOneInput(buf, len);
	(*n)++;
	ret = 0;
out:
	free(buf);
	if (fp != NULL)
		fclose(fp);
	return ret;
}

static int
replay_dir(const char *dir, unsigned long *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];
	struct stat st;
	int ret = 0;

	if (d == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >=
		    (int)sizeof(path)) {
			ret = -1;
			continue;
		}
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (replay_file(path, n) != 0)
			ret = -1;
	}
	closedir(d);
	return ret;
}

int
main(int argc, char **argv)
{
	unsigned long n = 0;
	struct stat st;
	int ret = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR|FILE...\n", argv[0]);
		return 64;
	}
	LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == 0 && S_ISREG(st.st_mode))
			ret |= replay_file(argv[i], &n);
		else
			ret |= replay_dir(argv[i], &n);
	}
	printf("%s: %lu inputs replayed clean\n", argv[0], n);
	return ret != 0 ? 1 : 0;
}
