/* SPDX-License-Identifier: BSD-2-Clause */
/* report.c -- releasing the report model, and reading what it says. */
#include "report/report.h"

#include <string.h>
#include <strings.h>

#include "base/alloc.h"

static void
free_strings(char **v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		tlsrpt_free(v[i]);
	tlsrpt_free(v);
}

static void
failure_detail_clear(struct tlsrpt_failure_detail *d)
{
	tlsrpt_free(d->result_type);
	tlsrpt_free(d->sending_mta_ip);
	tlsrpt_free(d->receiving_mx_hostname);
	tlsrpt_free(d->receiving_mx_helo);
	tlsrpt_free(d->receiving_ip);
	tlsrpt_free(d->additional_information);
	tlsrpt_free(d->failure_reason_code);
	memset(d, 0, sizeof(*d));
}

void
tlsrpt_policy_clear(struct tlsrpt_policy *p)
{
	if (p == NULL)
		return;
	tlsrpt_free(p->policy_type);
	tlsrpt_free(p->policy_domain);
	free_strings(p->policy_strings, p->n_policy_strings);
	free_strings(p->mx_hosts, p->n_mx_hosts);
	if (p->failure_details != NULL) {
		for (size_t i = 0; i < p->n_failure_details; i++)
			failure_detail_clear(&p->failure_details[i]);
		tlsrpt_free(p->failure_details);
	}
	memset(p, 0, sizeof(*p));
}

void
tlsrpt_report_free(struct tlsrpt_report *r)
{
	if (r == NULL)
		return;
	tlsrpt_free(r->organization_name);
	tlsrpt_free(r->contact_info);
	tlsrpt_free(r->report_id);
	if (r->policies != NULL) {
		for (size_t i = 0; i < r->n_policies; i++)
			tlsrpt_policy_clear(&r->policies[i]);
		tlsrpt_free(r->policies);
	}
	tlsrpt_free(r);
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The mode a "mode: <value>" line names, as one of our own constants; the
 * key's case and the spaces around it vary between senders. */
static const char *
mode_of_line(const char *s)
{
	static const char *const modes[] = {"enforce", "testing", "none"};
	size_t len;

	while (is_space(*s))
		s++;
	if (strncasecmp(s, "mode", 4) != 0)
		return NULL;
	s += 4;
	while (is_space(*s))
		s++;
	if (*s != ':')
		return NULL;
	s++;
	while (is_space(*s))
		s++;
	len = strlen(s);
	while (len > 0 && is_space(s[len - 1]))
		len--;
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (len == strlen(modes[i]) &&
		    strncasecmp(s, modes[i], len) == 0)
			return modes[i];
	return NULL;
}

const char *
tlsrpt_policy_sts_mode(const struct tlsrpt_policy *p)
{
	if (p == NULL || p->type != TLSRPT_POLICY_STS)
		return NULL;
	for (size_t i = 0; i < p->n_policy_strings; i++) {
		const char *m = mode_of_line(p->policy_strings[i]);

		if (m != NULL)
			return m;
	}
	return NULL;
}
