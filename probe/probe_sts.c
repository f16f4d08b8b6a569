/* SPDX-License-Identifier: BSD-2-Clause */
/* probe_sts.c -- MTA-STS (RFC 8461): not yet looked at. */
#include "probe/probe.h"

json_t *
probe_sts(const struct probe_conf *c, struct dns_resolver *r,
	  const char *domain, struct probe_mx *mx, size_t n_mx,
	  json_t *findings)
{
	(void)c;
	(void)r;
	(void)domain;
	(void)mx;
	(void)n_mx;
	(void)findings;
	return json_null();
}
