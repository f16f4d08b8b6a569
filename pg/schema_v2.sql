-- SPDX-License-Identifier: BSD-2-Clause
-- schema_v2.sql -- tlsrpt-ship's schema, version 1 to 2 (compiled into
-- tlsrpt-ship by pg/module.mk; tlsrpt-ship(8) describes it for readers):
-- tlsrpt-probe's findings files shipped beside the day files, and what
-- retention deleted before it was shipped.
--
-- The cursor table follows two streams of a store's day: "tlsrpt" (the
-- day files, tlsrpt-DAY.jsonl[.gz], every cursor of version 1) and
-- "probe" (the findings file probe-DAY.jsonl). pruned: when tlsrpt-ship
-- found the day's files deleted by retention before it had read them to
-- their end (said once, and kept as the record of it); the cursor of a
-- day read to its end is dropped when its files go.
ALTER TABLE tlsrpt_ship_cursor
	ADD COLUMN stream text NOT NULL DEFAULT 'tlsrpt',
	ADD COLUMN pruned timestamptz;
ALTER TABLE tlsrpt_ship_cursor
	DROP CONSTRAINT tlsrpt_ship_cursor_pkey,
	ADD PRIMARY KEY (ship_host, store, stream, day);

-- One row per line of a findings file, as the probing host wrote it: each
-- host probes our MX hosts from where it stands, so its findings are its
-- own view, keyed by where they are (host, store, day, line number), never
-- merged with another host's in the database. tlsrpt-summary merges them
-- as it merges store directories (the latest run of a domain counts, the
-- same finding of one run once). line: the line as the file has it (the
-- summary reads it with the files' reader); the typed columns are taken
-- from it for psql and Grafana, NULL in a line tlsrpt-summary does not
-- read (another version or kind, or damaged).
CREATE TABLE tlsrpt_probe_line (
	ship_host text NOT NULL,
	store text NOT NULL,
	day date NOT NULL,
	line_number bigint NOT NULL,
	kind text,
	time timestamptz,
	domain text,
	error text,
	findings bigint,
	result_type text,
	mx_host text,
	address text,
	detail text,
	action text,
	line text NOT NULL,
	shipped timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (ship_host, store, day, line_number)
);
CREATE INDEX tlsrpt_probe_line_day ON tlsrpt_probe_line (day);
CREATE INDEX tlsrpt_probe_line_domain ON tlsrpt_probe_line (domain, time);
