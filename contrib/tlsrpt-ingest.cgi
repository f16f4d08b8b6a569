#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tlsrpt-ingest.cgi -- the CGI program a web server runs for each report
# POSTed to the https rua (RFC 8460 section 3). Web servers (fcgiwrap,
# Apache's ScriptAlias, lighttpd's cgi.assign) run a CGI program without
# arguments, so this wrapper names the mode and the configuration.
#
# make install (PREFIX=/usr) and the Debian package install it as
# /usr/libexec/tlsrpt-milter/tlsrpt-ingest.cgi; point the web server at it (nginx-tlsrpt.conf, apache-tlsrpt.conf,
# lighttpd-tlsrpt.conf). The web server's user (www-data) must be able to
# read the configuration and write the store directory it names; see
# tlsrpt-ingest(8), CGI MODE.
exec /usr/sbin/tlsrpt-ingest --cgi -c /etc/tlsrpt-milter.conf
