/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * config_impl.h -- what the files of the configuration reader share, and
 * nothing outside intake/config*.c includes (the programs see config.h):
 * the row type of the key table, the table itself (config_keys.c), and
 * the few steps every job of the reader does with a key: find it, reach
 * its field, set it from text (config_value.c), print it as text
 * (config_dump.c). One header so those files agree on one row type.
 */
#ifndef TLSRPT_INTAKE_CONFIG_IMPL_H
#define TLSRPT_INTAKE_CONFIG_IMPL_H

#include <stddef.h>

#include "intake/config.h"

enum config_type {
	TYPE_STRING, /* char *, NULL when unset */
	TYPE_BOOL,   /* int 0/1 */
	TYPE_SIZE,   /* size_t, k/M/G suffixes (1024) allowed */
	TYPE_COUNT,  /* size_t, plain number */
	TYPE_UINT,   /* unsigned, plain number */
	TYPE_OCTAL,  /* unsigned, a file mode mask */
	TYPE_LIST,   /* struct config_list */
	TYPE_ENUM,   /* int, one of choices */
	TYPE_SECS,   /* unsigned seconds, s/m/h/d suffixes allowed */
};

struct config_choice {
	const char *name;
	int value;
};

/* Says why value is not acceptable for the key, into why; 0 when it is. */
typedef int config_check_fn(const char *value, char *why, size_t size);

struct config_key {
	const char *name;
	enum config_type type;
	size_t offset;
	/* "" leaves a string or list unset; NULL (the Max* limits): the
	 * default is tlsrpt_limits_default()'s, the one place the parser,
	 * the store and tlsrpt-summary take it from. */
	const char *def;
	unsigned long long min, max;	     /* numbers */
	const struct config_choice *choices; /* enums, NULL-terminated */
	config_check_fn *check;		     /* strings and list items */
	const char *description;
};

/* Longest line, longest list: a configuration file is written by a
 * person; anything past these is a mistake, not a need. */
#define CONFIG_LINE_MAX 4096
#define CONFIG_LIST_MAX 256

/* List items are separated by commas and any white space, so that no item
 * holds a character that trim() would take off the end of a dumped line. */
#define LIST_SEPARATORS ", \t\r\n\v\f"

/* The key table (config_keys.c): config_n_keys() rows. */
extern const struct config_key config_keys[];

/* The row named name, case-insensitive; NULL when no key has it. */
const struct config_key *config_find_key(const char *name);

static inline void *
config_field(struct config *c, const struct config_key *k)
{
	return (char *)c + k->offset;
}

static inline const void *
config_cfield(const struct config *c, const struct config_key *k)
{
	return (const char *)c + k->offset;
}

/* The checks the table names for string and list keys (config_check.c). */
config_check_fn config_check_socket, config_check_user, config_check_path,
	config_check_word, config_check_address, config_check_domain,
	config_check_token, config_check_command, config_check_share;

/* config_value.c: empty a list; set k from the text v (already trimmed,
 * non-empty unless a default), why getting the reason on failure. */
void config_list_clear(struct config_list *l);
int config_set_value(struct config *c, const struct config_key *k,
		     const char *v, char *why, size_t size);

/* config_dump.c: one value as config_dump() writes it, "" when unset;
 * g_free() it. NULL when out of memory. */
char *config_value_text(const struct config *c, const struct config_key *k);

#endif
