/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_config.c -- configuration file text to config_load() and
 * config_finish().
 *
 * config_load() takes a path: every input is written to one memfd (a temp
 * file where memfd_create() is missing) made at start-up. The invariant
 * (config.h): config_dump() writes a valid configuration file, so a
 * configuration that loads dumps to text that loads again to the same dump.
 */
#include "tests/fuzz/fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "intake/config.h"
#include "report/input.h"

struct fuzz_file {
	int fd;
	char path[64];
};

/* The one file every input goes through; see LLVMFuzzerInitialize(). */
static struct fuzz_file *
fuzz_file(void)
{
	static struct fuzz_file f = {-1, ""};

	return &f;
}

static void
remove_temp(void)
{
	struct fuzz_file *f = fuzz_file();

	if (strncmp(f->path, "/proc/", 6) != 0)
		unlink(f->path);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct fuzz_file *f = fuzz_file();
	const char *tmp = getenv("TMPDIR");

	(void)argc;
	(void)argv;
	tlsrpt_parser_init();
	f->fd = memfd_create("fuzz-config", MFD_CLOEXEC);
	if (f->fd >= 0) {
		snprintf(f->path, sizeof(f->path), "/proc/self/fd/%d", f->fd);
		if (access(f->path, R_OK) == 0)
			return 0;
		close(f->fd);
	}
	snprintf(f->path, sizeof(f->path), "%s/fuzz-config.XXXXXX",
		 tmp != NULL && strlen(tmp) < 32 ? tmp : "/tmp");
	f->fd = mkstemp(f->path);
	if (f->fd < 0)
		fuzz_fail("cannot make a temp file %s", f->path);
	atexit(remove_temp);
	return 0;
}

static void
put(const void *data, size_t size)
{
	struct fuzz_file *f = fuzz_file();

	if (ftruncate(f->fd, 0) != 0 ||
	    (size > 0 && pwrite(f->fd, data, size, 0) != (ssize_t)size))
		fuzz_fail("cannot write %s", f->path);
}

/* Load the file as c; 0 when it is a valid configuration. */
static int
load(struct config *c, struct tlsrpt_error *err)
{
	if (config_init(c, err) != 0)
		fuzz_fail("config_init: %s", err->text);
	if (config_load(c, fuzz_file()->path, 0, err) != 0) {
		if (err->code == TLSRPT_OK || err->text[0] == '\0')
			fuzz_fail("config_load failed without an error");
		return -1;
	}
	return config_finish(c, err);
}

/* The dump of c; caller frees. */
static char *
dump(const struct config *c, size_t *len)
{
	char *text = NULL;
	FILE *fp = open_memstream(&text, len);

	if (fp == NULL || config_dump(fp, c, 1) != 0 || fclose(fp) != 0)
		fuzz_fail("config_dump failed");
	return text;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c, again;
	struct tlsrpt_error err = TLSRPT_ERROR_INIT;
	char *first = NULL, *second = NULL;
	size_t first_len, second_len;

	put(data, size);
	if (load(&c, &err) != 0) {
		config_free(&c);
		return 0;
	}
	first = dump(&c, &first_len);
	put(first, first_len);
	if (load(&again, &err) != 0)
		fuzz_fail("the dump does not load: %s: %s\n%s", err.path,
			  err.text, first);
	second = dump(&again, &second_len);
	if (first_len != second_len || memcmp(first, second, first_len) != 0)
		fuzz_fail("the dump does not load to itself:\n%s\n--\n%s",
			  first, second);
	free(first);
	free(second);
	config_free(&c);
	config_free(&again);
	return 0;
}
