-- SPDX-License-Identifier: BSD-2-Clause
-- schema_v1.sql -- tlsrpt-ship's schema, version 1 (compiled into
-- tlsrpt-ship by pg/module.mk; tlsrpt-ship(8) describes it for readers).
--
-- One row per version of a report (its key: organisation, report id,
-- content digest) in tlsrpt_report_version; one row per policy line of it
-- in tlsrpt_policy_line, typed columns beside the whole line as jsonb;
-- one row per failure detail in tlsrpt_failure_detail. The line tables
-- are partitioned by month of receipt (the summary's window), made as
-- needed by tlsrpt_ensure_month(). Exactly once across hosts is the
-- version table's primary key, taken under a per-key advisory lock
-- (ship.c), never a host's own line number.

CREATE TABLE tlsrpt_schema_version (
	version integer PRIMARY KEY,
	applied timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tlsrpt_report_version (
	organization text NOT NULL,
	report_id text NOT NULL,
	-- "report-digest"; '' for lines written before there was one
	digest text NOT NULL,
	start_time timestamptz NOT NULL,
	end_time timestamptz NOT NULL,
	policy_count integer NOT NULL,
	dkim text,
	dkim_domain text,
	-- the first copy shipped: which host received it, when
	first_ship_host text NOT NULL,
	first_received timestamptz NOT NULL,
	shipped timestamptz NOT NULL DEFAULT now(),
	-- another version of organization + report_id exists: which one
	-- counts is the reader's rule (tlsrpt-summary: the one DKIM-signed
	-- by the known reporter, when exactly one is; else none)
	conflict boolean NOT NULL DEFAULT false,
	PRIMARY KEY (organization, report_id, digest)
);
CREATE INDEX tlsrpt_report_version_conflict
	ON tlsrpt_report_version (organization, report_id) WHERE conflict;

CREATE TABLE tlsrpt_policy_line (
	received timestamptz NOT NULL,
	organization text NOT NULL,
	report_id text NOT NULL,
	digest text NOT NULL,
	policy_index integer NOT NULL,
	policy_count integer NOT NULL,
	start_time timestamptz NOT NULL,
	end_time timestamptz NOT NULL,
	policy_type text,
	policy_domain text,
	sts_mode text,
	mx_host text[],
	successful bigint NOT NULL,
	failed bigint NOT NULL,
	dkim text,
	dkim_domain text,
	source text,
	-- "host" of the line (the receiving host as the milter named it) and
	-- the host tlsrpt-ship ran on (--host)
	host text,
	ship_host text NOT NULL,
	line jsonb NOT NULL,
	PRIMARY KEY (organization, report_id, digest, policy_index, received)
) PARTITION BY RANGE (received);
CREATE INDEX tlsrpt_policy_line_received ON tlsrpt_policy_line (received);
CREATE INDEX tlsrpt_policy_line_domain
	ON tlsrpt_policy_line (policy_domain, received);
CREATE INDEX tlsrpt_policy_line_start ON tlsrpt_policy_line (start_time);

CREATE TABLE tlsrpt_failure_detail (
	received timestamptz NOT NULL,
	organization text NOT NULL,
	report_id text NOT NULL,
	digest text NOT NULL,
	policy_index integer NOT NULL,
	detail_index integer NOT NULL,
	policy_domain text,
	result_type text,
	sending_mta_ip text,
	receiving_mx_hostname text,
	receiving_mx_helo text,
	receiving_ip text,
	failed_session_count bigint NOT NULL,
	additional_information text,
	failure_reason_code text,
	detail jsonb NOT NULL,
	PRIMARY KEY (organization, report_id, digest, policy_index,
		     detail_index, received)
) PARTITION BY RANGE (received);
CREATE INDEX tlsrpt_failure_detail_domain
	ON tlsrpt_failure_detail (policy_domain, received);
CREATE INDEX tlsrpt_failure_detail_received
	ON tlsrpt_failure_detail (received, result_type);

-- How far each store's day has been shipped, in the same transaction as
-- the lines: byte offset and lines into the day's stream (the .gz's lines,
-- then the .jsonl's), and the file sizes when it was last read to its end.
CREATE TABLE tlsrpt_ship_cursor (
	ship_host text NOT NULL,
	store text NOT NULL,
	day date NOT NULL,
	bytes bigint NOT NULL,
	lines bigint NOT NULL,
	gz_size bigint,
	plain_size bigint,
	updated timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (ship_host, store, day)
);

-- The lines a view counts when it does not apply the conflict rule
-- itself: those of reports with one version only.
CREATE VIEW tlsrpt_line AS
	SELECT l.* FROM tlsrpt_policy_line l
	JOIN tlsrpt_report_version v USING (organization, report_id, digest)
	WHERE NOT v.conflict;
CREATE VIEW tlsrpt_conflict AS
	SELECT * FROM tlsrpt_report_version WHERE conflict;

-- The month partitions of both line tables for the month of m (UTC),
-- made when missing; serialised, so concurrent shippers do not race.
CREATE FUNCTION tlsrpt_ensure_month(m date) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	s date := date_trunc('month', m)::date;
	t text;
BEGIN
	PERFORM pg_advisory_xact_lock(845970, 0);
	FOREACH t IN ARRAY ARRAY['tlsrpt_policy_line', 'tlsrpt_failure_detail']
	LOOP
		IF to_regclass(t || '_' || to_char(s, 'YYYY_MM')) IS NULL THEN
			EXECUTE format(
				'CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
				t || '_' || to_char(s, 'YYYY_MM'), t,
				s::timestamp AT TIME ZONE 'UTC',
				(s + interval '1 month')::timestamp AT TIME ZONE 'UTC');
		END IF;
	END LOOP;
END
$$;
