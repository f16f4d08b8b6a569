/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns.h -- `tlsrpt-summary dns`: the DNS records a domain publishes for TLS
 * reporting (and MTA-STS), written and checked against the RFC grammars.
 */
#ifndef TLSRPT_DNS_DNS_H
#define TLSRPT_DNS_DNS_H

/* Run the `dns` subcommand. argv[0] is "dns"; returns the exit status
 * (0 fine, 1 problems found by --check, 64 usage, 68/69/75 lookup errors,
 * per sysexits). */
int dns_command(int argc, char **argv);

#endif
