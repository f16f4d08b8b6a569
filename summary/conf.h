/*
 * conf.h -- the one thing tlsrpt-summary needs from tlsrpt-milter.conf(5):
 * where the store is. Only the StoreDirectory and Chroot keys are read
 * (case-insensitive, "Key value" lines, '#' comments); everything else in
 * the file is ignored, so the summary never rejects a milter config.
 */
#ifndef TLSRPT_SUMMARY_CONF_H
#define TLSRPT_SUMMARY_CONF_H

#include "parser/error.h"

/* The store directory named in the config file at path (inside Chroot
 * when one is set), into *out (g_free() it), or NULL when the file does
 * not set one. Returns 0, or -1 with err (TLSRPT_ERR_IO) when the file
 * cannot be read. */
int summary_conf_store_dir(const char *path, char **out,
			   struct tlsrpt_error *err);

#endif
