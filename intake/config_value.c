/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * config_value.c -- text to a typed value: booleans, numbers (sizes with
 * k/M/G, counts, octal masks), seconds with s/m/h/d, lists, enums and
 * checked strings, written into the key's field. The one way a value
 * gets into struct config, whether from a file, a default, a derived
 * default or a value kept on reload; apart from the file reader, which
 * only finds keys and values in lines.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"
#include "intake/config_impl.h"

void
config_list_clear(struct config_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		tlsrpt_free(l->items[i]);
	tlsrpt_free(l->items);
	l->items = NULL;
	l->n = 0;
}

static int
parse_bool(const char *v, int *out)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

/* Digits only (no sign, no space), then for sizes one of k, M, G. */
static int
parse_number(const char *v, int base, int suffix_ok, unsigned long long *out)
{
	unsigned long long n = 0, mul = 1;
	const char *p = v;

	if (*p == '\0')
		return -1;
	for (; *p >= '0' && *p < '0' + base; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (n > (ULLONG_MAX - d) / (unsigned)base)
			return -1;
		n = n * (unsigned)base + d;
	}
	if (p == v)
		return -1;
	if (*p != '\0') {
		if (!suffix_ok || p[1] != '\0')
			return -1;
		switch (*p) {
		case 'k':
		case 'K': mul = 1024ULL; break;
		case 'm':
		case 'M': mul = 1024ULL * 1024; break;
		case 'g':
		case 'G': mul = 1024ULL * 1024 * 1024; break;
		default: return -1;
		}
	}
	if (n > ULLONG_MAX / mul)
		return -1;
	*out = n * mul;
	return 0;
}

/* Digits, then optionally s, m, h or d. */
static int
parse_seconds(const char *v, unsigned long long *out)
{
	char digits[32];
	size_t len = strlen(v);
	unsigned long long mul = 1;

	if (len == 0 || len >= sizeof(digits))
		return -1;
	memcpy(digits, v, len + 1);
	switch (digits[len - 1]) {
	case 's': digits[len - 1] = '\0'; break;
	case 'm':
		mul = 60;
		digits[len - 1] = '\0';
		break;
	case 'h':
		mul = 3600;
		digits[len - 1] = '\0';
		break;
	case 'd':
		mul = 86400;
		digits[len - 1] = '\0';
		break;
	default: break;
	}
	if (parse_number(digits, 10, 0, out) != 0 || *out > ULLONG_MAX / mul)
		return -1;
	*out *= mul;
	return 0;
}

static int
parse_list(const struct config_key *k, const char *v, struct config_list *out,
	   char *why, size_t size)
{
	struct config_list l = {NULL, 0};
	const char *p = v;
	int ret = -1;

	while (*p != '\0') {
		size_t len;
		char *item;
		char **grown;

		p += strspn(p, LIST_SEPARATORS);
		len = strcspn(p, LIST_SEPARATORS);
		if (len == 0)
			continue;
		/* config_dump() writes ", " between items: "a,#b" would
		 * read back as "a" and a comment. */
		if (p[0] == '#') {
			snprintf(why, size,
				 "\"%.*s\": an item must not start with '#'",
				 (int)len, p);
			goto out;
		}
		if (l.n == CONFIG_LIST_MAX) {
			snprintf(why, size, "more than %d items",
				 CONFIG_LIST_MAX);
			goto out;
		}
		item = tlsrpt_strndup(p, len);
		if (item == NULL) {
			snprintf(why, size, "out of memory");
			goto out;
		}
		grown = tlsrpt_reallocarray(l.items, l.n + 1, sizeof(*grown));
		if (grown == NULL) {
			tlsrpt_free(item);
			snprintf(why, size, "out of memory");
			goto out;
		}
		l.items = grown;
		l.items[l.n++] = item;
		if (k->check != NULL && k->check(item, why, size) != 0)
			goto out;
		p += len;
	}
	if (l.n == 0) {
		snprintf(why, size, "the list is empty");
		goto out;
	}
	config_list_clear(out);
	*out = l;
	l.items = NULL;
	l.n = 0;
	ret = 0;
out:
	config_list_clear(&l);
	return ret;
}

static int
parse_enum(const struct config_key *k, const char *v, int *out, char *why,
	   size_t size)
{
	size_t used = 0;

	for (const struct config_choice *c = k->choices; c->name; c++) {
		if (strcasecmp(c->name, v) == 0) {
			*out = c->value;
			return 0;
		}
	}
	used = (size_t)snprintf(why, size, "\"%s\" is not one of", v);
	for (const struct config_choice *c = k->choices; c->name; c++) {
		if (used >= size)
			break;
		used += (size_t)snprintf(why + used, size - used, "%s %s",
					 c == k->choices ? "" : ",", c->name);
	}
	return -1;
}

int
config_set_value(struct config *c, const struct config_key *k, const char *v,
		 char *why, size_t size)
{
	unsigned long long n;
	void *f = config_field(c, k);

	switch (k->type) {
	case TYPE_STRING: {
		char *s = NULL;

		if (v[0] != '\0') {
			if (k->check != NULL && k->check(v, why, size) != 0)
				return -1;
			if ((s = tlsrpt_strdup(v)) == NULL) {
				snprintf(why, size, "out of memory");
				return -1;
			}
		}
		tlsrpt_free(*(char **)f);
		*(char **)f = s;
		return 0;
	}
	case TYPE_BOOL:
		if (parse_bool(v, (int *)f) != 0) {
			snprintf(why, size,
				 "\"%s\" is not yes, no, true, false, on, "
				 "off, 1 or 0",
				 v);
			return -1;
		}
		return 0;
	case TYPE_SIZE:
	case TYPE_COUNT:
	case TYPE_UINT:
	case TYPE_OCTAL:
		if (parse_number(v, k->type == TYPE_OCTAL ? 8 : 10,
				 k->type == TYPE_SIZE, &n) != 0) {
			snprintf(why, size, "\"%s\" is not %s", v,
				 k->type == TYPE_OCTAL ? "an octal number"
				 : k->type == TYPE_SIZE
					 ? "a number (with an optional k, M "
					   "or G suffix)"
					 : "a whole number");
			return -1;
		}
		if (n < k->min || n > k->max) {
			snprintf(why, size, "%s is out of range (%llu .. %llu)",
				 v, k->min, k->max);
			return -1;
		}
		if (k->type == TYPE_SIZE || k->type == TYPE_COUNT)
			*(size_t *)f = (size_t)n;
		else
			*(unsigned *)f = (unsigned)n;
		return 0;
	case TYPE_SECS:
		if (parse_seconds(v, &n) != 0) {
			snprintf(why, size,
				 "\"%s\" is not a number of seconds (with an "
				 "optional s, m, h or d suffix)",
				 v);
			return -1;
		}
		if (n < k->min || n > k->max) {
			snprintf(why, size,
				 "%s is out of range (%llu .. %llu seconds)", v,
				 k->min, k->max);
			return -1;
		}
		*(unsigned *)f = (unsigned)n;
		return 0;
	case TYPE_LIST:
		if (v[0] == '\0') {
			config_list_clear(f);
			return 0;
		}
		return parse_list(k, v, f, why, size);
	case TYPE_ENUM: return parse_enum(k, v, (int *)f, why, size);
	}
	snprintf(why, size, "internal error: unknown key type");
	return -1;
}
