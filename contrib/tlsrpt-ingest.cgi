#!/bin/sh
# tlsrpt-ingest.cgi -- the CGI program a web server runs for each report
# POSTed to the https rua (RFC 8460 section 3). Web servers (fcgiwrap,
# Apache's ScriptAlias, lighttpd's cgi.assign) run a CGI program without
# arguments, so this wrapper names the mode and the configuration.
#
# Install it executable, e.g. as /usr/local/lib/tlsrpt-milter/tlsrpt-ingest.cgi,
# and point the web server at it (nginx-tlsrpt.conf, apache-tlsrpt.conf,
# lighttpd-tlsrpt.conf). The web server's user (www-data) must be able to
# read the configuration and write the store directory it names; see
# tlsrpt-ingest(8), CGI MODE.
exec /usr/local/sbin/tlsrpt-ingest --cgi -c /usr/local/etc/tlsrpt-milter.conf
