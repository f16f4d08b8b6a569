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

/* *dst = a copy of s (NULL stays NULL); 0, or -1 when out of memory. */
static int
dup_or_null(char **dst, const char *s)
{
	*dst = s != NULL ? tlsrpt_strdup(s) : NULL;
	return s != NULL && *dst == NULL ? -1 : 0;
}

static int
dup_strings(char ***dst, char *const *v, size_t n)
{
	*dst = NULL;
	if (v == NULL)
		return 0;
	*dst = tlsrpt_calloc(n > 0 ? n : 1, sizeof(**dst));
	if (*dst == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (dup_or_null(&(*dst)[i], v[i]) < 0)
			return -1;
	return 0;
}

int
tlsrpt_policy_copy(struct tlsrpt_policy *dst, const struct tlsrpt_policy *src)
{
	*dst = *src;
	dst->policy_type = dst->policy_domain = NULL;
	dst->policy_strings = dst->mx_hosts = NULL;
	dst->failure_details = NULL;
	if (dup_or_null(&dst->policy_type, src->policy_type) < 0 ||
	    dup_or_null(&dst->policy_domain, src->policy_domain) < 0 ||
	    dup_strings(&dst->policy_strings, src->policy_strings,
			src->n_policy_strings) < 0 ||
	    dup_strings(&dst->mx_hosts, src->mx_hosts, src->n_mx_hosts) < 0)
		goto fail;
	if (src->failure_details != NULL) {
		size_t n = src->n_failure_details;

		dst->failure_details = tlsrpt_calloc(
			n > 0 ? n : 1, sizeof(*dst->failure_details));
		if (dst->failure_details == NULL)
			goto fail;
		for (size_t i = 0; i < n; i++) {
			const struct tlsrpt_failure_detail *f =
				&src->failure_details[i];
			struct tlsrpt_failure_detail *t =
				&dst->failure_details[i];

			t->failed_session_count = f->failed_session_count;
			if (dup_or_null(&t->result_type, f->result_type) < 0 ||
			    dup_or_null(&t->sending_mta_ip, f->sending_mta_ip) <
				    0 ||
			    dup_or_null(&t->receiving_mx_hostname,
					f->receiving_mx_hostname) < 0 ||
			    dup_or_null(&t->receiving_mx_helo,
					f->receiving_mx_helo) < 0 ||
			    dup_or_null(&t->receiving_ip, f->receiving_ip) <
				    0 ||
			    dup_or_null(&t->additional_information,
					f->additional_information) < 0 ||
			    dup_or_null(&t->failure_reason_code,
					f->failure_reason_code) < 0)
				goto fail;
		}
	}
	return 0;
fail:
	/* What was copied so far; the lists' unfilled slots are NULL. */
	tlsrpt_policy_clear(dst);
	return -1;
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
