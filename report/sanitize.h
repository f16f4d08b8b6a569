/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sanitize.h -- one neutralising step per sink for text that came from a
 * report (or any input an attacker writes).
 *
 * Every string from a report is hostile: an organisation name may hold a
 * terminal escape, a line break that forges a log line, a spreadsheet
 * formula or an HTML tag. Each kind of output (sink) has exactly one
 * function here, and every renderer, log line and mail header of that kind
 * calls it where a foreign string is written; tests/data/hostile-strings.json
 * runs through all of them (tests/unit/check_sanitize.c and
 * tests/scripts/t-hostile-strings.sh).
 *
 * Each function appends the neutralised form of s (NULL reads as "") to
 * out and never fails. Bytes that are not valid UTF-8 never pass through.
 */
#ifndef TLSRPT_REPORT_SANITIZE_H
#define TLSRPT_REPORT_SANITIZE_H

#include <stdio.h>

#include <glib.h>

/* A terminal (text views, tlsrpt-ingest's lines): control characters (C0
 * with TAB, CR and LF, DEL, C1), bidirectional overrides and line
 * separators are written as visible escapes (\x1b, \n, \u202e), a byte that
 * is not UTF-8 as \xNN, and a backslash as \\ (so an escape in the output
 * is always ours); the output holds no control character. */
void sanitize_text(GString *out, const char *s);

/* A log line (syslog, standard error of a daemon): the characters and
 * bytes sanitize_text writes as escapes become '?' (a backslash stays),
 * as syslog daemons expect printable text. */
void sanitize_log(GString *out, const char *s);

/* A mail header value (Subject): one line; every control character, line
 * break and bidirectional override becomes a space, runs of white space
 * one space, none at either end. Non-ASCII stays UTF-8 for the mail
 * library to encode (RFC 2047). */
void sanitize_header(GString *out, const char *s);

/* One CSV field (RFC 4180): quoted when it holds a comma, quote or line
 * break; a field that a spreadsheet would read as a formula (first
 * character =, +, -, @, TAB or CR) gets a leading single quote and is
 * quoted (OWASP CSV injection). Only for text: numbers we write ourselves
 * are written as numbers. */
void sanitize_csv(GString *out, const char *s);

/* HTML element text and quoted attribute values alike: & < > " ' as
 * character references; characters an HTML5 document must not contain
 * (controls other than TAB and LF, noncharacters) and bytes that are not
 * UTF-8 become U+FFFD. */
void sanitize_html(GString *out, const char *s);

/* A Prometheus label value (text exposition format 0.0.4): backslash,
 * double quote and line feed escaped; bytes that are not UTF-8 become
 * U+FFFD. */
void sanitize_prom_label(GString *out, const char *s);

/* The kind of the functions above. */
typedef void sanitize_fn(GString *out, const char *s);

/* s through fn, as a new string; caller g_free()s. */
char *sanitize_dup(sanitize_fn *fn, const char *s);

/* s through fn, written to out. Returns 0, or -1 on a write error. */
int sanitize_fputs(sanitize_fn *fn, const char *s, FILE *out);

#endif
