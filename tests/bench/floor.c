/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * floor.c -- the floor the report benchmarks are measured against: what
 * the libraries alone cost for the same attachments, in one process, with
 * the files already in memory: base64 decode (eml mode), gunzip (zlib) and
 * json_loadb (jansson), nothing else.
 *
 * usage: floor eml|gz REPEAT FILE...
 * Prints "files=N seconds=S msgs_per_s=R MB_per_s=M" (MB of input files).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

static int
b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* The base64 body of the first base64 part, decoded into out. */
static size_t
attachment(const char *m, size_t len, unsigned char *out)
{
	const char *p = strstr(m, "Content-Transfer-Encoding: base64"), *e;
	unsigned acc = 0, bits = 0;
	size_t o = 0;

	if (p == NULL || (p = strstr(p, "\n\n")) == NULL)
		return 0;
	e = strstr(p + 2, "\n--");
	if (e == NULL)
		e = m + len;
	for (p += 2; p < e; p++) {
		int v = b64val((unsigned char)*p);

		if (v < 0)
			continue;
		acc = acc << 6 | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	return o;
}

static int
one(const unsigned char *gz, size_t n, unsigned char **buf, size_t *cap)
{
	z_stream zs;
	json_error_t jerr;
	json_t *j;
	int rc;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 32 + MAX_WBITS) != Z_OK)
		return -1;
	zs.next_in = (unsigned char *)gz;
	zs.avail_in = (unsigned)n;
	do {
		if (zs.total_out == *cap) {
			*cap *= 2;
			*buf = realloc(*buf, *cap);
			if (*buf == NULL)
				return -1;
		}
		zs.next_out = *buf + zs.total_out;
		zs.avail_out = (unsigned)(*cap - zs.total_out);
		rc = inflate(&zs, Z_NO_FLUSH);
	} while (rc == Z_OK);
	inflateEnd(&zs);
	if (rc != Z_STREAM_END)
		return -1;
	j = json_loadb((char *)*buf, zs.total_out, JSON_REJECT_DUPLICATES,
		       &jerr);
	if (j == NULL)
		return -1;
	json_decref(j);
	return 0;
}

int
main(int argc, char **argv)
{
	char **text;
	size_t *lens, total = 0, cap = 1 << 16;
	unsigned char *buf = malloc(cap), *dec = NULL;
	struct timespec t0, t1;
	int n = argc - 3, eml, reps;
	double secs;

	if (argc < 4 || buf == NULL) {
		fprintf(stderr, "usage: floor eml|gz REPEAT FILE...\n");
		return 64;
	}
	eml = strcmp(argv[1], "eml") == 0;
	reps = atoi(argv[2]);
	text = calloc((size_t)n, sizeof(*text));
	lens = calloc((size_t)n, sizeof(*lens));
	for (int i = 0; i < n; i++) {
		FILE *f = fopen(argv[3 + i], "rb");
		long sz;

		if (f == NULL || fseek(f, 0, SEEK_END) != 0 ||
		    (sz = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
			perror(argv[3 + i]);
			return 1;
		}
		text[i] = malloc((size_t)sz + 1);
		if (fread(text[i], 1, (size_t)sz, f) != (size_t)sz)
			return 1;
		text[i][sz] = '\0';
		lens[i] = (size_t)sz;
		total += (size_t)sz;
		fclose(f);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int r = 0; r < reps; r++) {
		for (int i = 0; i < n; i++) {
			const unsigned char *gz = (unsigned char *)text[i];
			size_t gl = lens[i];

			if (eml) {
				dec = realloc(dec, lens[i]);
				gl = attachment(text[i], lens[i], dec);
				gz = dec;
			}
			if (one(gz, gl, &buf, &cap) != 0) {
				fprintf(stderr, "floor: %s: not a report\n",
					argv[3 + i]);
				return 1;
			}
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("files=%d seconds=%.3f msgs_per_s=%.0f MB_per_s=%.2f\n",
	       n * reps, secs, (double)n * reps / secs,
	       (double)total * reps / secs / 1e6);
	return 0;
}
