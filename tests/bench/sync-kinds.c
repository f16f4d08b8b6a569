/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sync-kinds.c -- what one fdatasync of an 800-byte write costs on this
 * disk, by the kind of write: an append that grows the file (what the
 * store's day files do), an overwrite of a region zeroed and synced
 * beforehand, and an overwrite of a region only fallocate()d. On ext4 the
 * append makes every sync commit the journal for the new size, which the
 * pre-zeroed overwrite does not: the figure a decision on pre-zeroed day
 * files needs (BENCHMARKS.md, "Durable appends").
 *
 * usage: sync-kinds DIR [N]   N syncs of each kind (1 to 100000, default
 *        2000; the pre-zeroed file takes N x 800 bytes of memory); files
 *        in DIR are made and removed. Prints "append X ms, prezeroed Y ms,
 *        fallocated Z ms" (mean per sync). Exit 1 on a failed call.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LINE 800

enum kind { APPEND, PREZEROED, FALLOCATED };

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Says what failed (errno's); closes fd (>= 0) and removes its file: -1. */
static int
fail(const char *what, const char *path, int fd)
{
	fprintf(stderr, "sync-kinds: %s %s: %s\n", what, path, strerror(errno));
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
	return -1;
}

/* Prepares path for kind, then times n writes of a line each followed by
 * fdatasync: the mean in *ms. */
static int
run(const char *path, enum kind kind, long n, double *ms)
{
	const off_t size = (off_t)n * LINE;
	char line[LINE];
	double t0;
	long i;
	int fd;

	memset(line, 'x', sizeof(line));
	line[LINE - 1] = '\n';
	fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	if (fd < 0)
		return fail("open", path, -1);
	if (kind == PREZEROED) {
		char *zero = calloc(1, (size_t)size);
		int ok = zero != NULL && write(fd, zero, (size_t)size) == size;

		free(zero);
		if (!ok)
			return fail("zero-fill", path, fd);
	} else if (kind == FALLOCATED && fallocate(fd, 0, 0, size) != 0) {
		return fail("fallocate", path, fd);
	}
	if (fsync(fd) != 0)
		return fail("fsync", path, fd);
	t0 = now();
	for (i = 0; i < n; i++) {
		if (pwrite(fd, line, LINE, (off_t)i * LINE) != LINE ||
		    fdatasync(fd) != 0)
			return fail("write and sync", path, fd);
	}
	*ms = (now() - t0) * 1e3 / (double)n;
	close(fd);
	unlink(path);
	return 0;
}

int
main(int argc, char **argv)
{
	static const char *const names[] = {"append", "prezeroed",
					    "fallocated"};
	double ms[3];
	char path[4096];
	long n = 2000;
	char *end;
	int k;

	if (argc == 3) {
		errno = 0;
		n = strtol(argv[2], &end, 10);
		if (errno != 0 || end == argv[2] || *end != '\0' || n < 1 ||
		    n > 100000)
			n = 0;
	}
	if (argc < 2 || argc > 3 || n == 0) {
		fprintf(stderr, "usage: sync-kinds DIR [N], N 1 to 100000\n");
		return 64;
	}
	for (k = APPEND; k <= FALLOCATED; k++) {
		snprintf(path, sizeof(path), "%s/sync-kinds.%d", argv[1], k);
		if (run(path, (enum kind)k, n, &ms[k]) != 0)
			return 1;
	}
	for (k = APPEND; k <= FALLOCATED; k++)
		printf("%s%s %.3f ms", k ? ", " : "", names[k], ms[k]);
	printf(" (mean of %ld fdatasyncs of %d-byte writes each)\n", n, LINE);
	return 0;
}
