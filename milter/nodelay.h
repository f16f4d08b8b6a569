/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nodelay.h -- turn off Nagle's algorithm on libmilter's listening socket.
 */
#ifndef TLSRPT_MILTER_NODELAY_H
#define TLSRPT_MILTER_NODELAY_H

/* At end of message the milter answers with two small packets (add a
 * header, then continue). With Nagle's algorithm on, the second waits for
 * the MTA's delayed ACK of the first: about 40 ms per report message on
 * Linux. libmilter does not hand out its listening socket, so this finds
 * the process's listening TCP sockets and sets TCP_NODELAY on them, which
 * the connections accepted from them inherit. Call right after
 * smfi_opensocket(). Returns how many sockets it changed. */
int milter_listen_nodelay(void);

#endif
