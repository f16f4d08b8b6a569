/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * null-milter.c -- the baseline for the milter benchmarks: a libmilter
 * filter that does nothing and accepts every message at end of headers.
 * It registers no other callback, so libmilter negotiates every other step
 * away: the least a milter can cost an MTA.
 *
 * usage: null-milter inet:PORT@HOST   (runs until killed)
 */
#include <stdio.h>
#include <string.h>

#include <libmilter/mfapi.h>

static sfsistat
null_eoh(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_ACCEPT;
}

int
main(int argc, char **argv)
{
	struct smfiDesc desc;

	if (argc != 2) {
		fprintf(stderr, "usage: null-milter inet:PORT@HOST\n");
		return 64;
	}
	memset(&desc, 0, sizeof(desc));
	desc.xxfi_name = "null-milter";
	desc.xxfi_version = SMFI_VERSION;
	desc.xxfi_eoh = null_eoh;
	if (smfi_setconn(argv[1]) == MI_FAILURE ||
	    smfi_register(desc) == MI_FAILURE) {
		fprintf(stderr, "null-milter: cannot set up %s\n", argv[1]);
		return 1;
	}
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}
