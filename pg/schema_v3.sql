-- SPDX-License-Identifier: BSD-2-Clause
-- schema_v3.sql -- tlsrpt-ship's schema, version 2 to 3 (compiled into
-- tlsrpt-ship by pg/module.mk; tlsrpt-ship(8) describes it for readers):
-- the rollup of each finished day a host shipped, so that tlsrpt-summary
-- replays a few blobs a day instead of moving every line of its window.
--
-- tlsrpt_rollup: one row per (ship_host, store, day) of the "tlsrpt"
-- stream, the store's rollup (store/rollup.h) of exactly the lines shipped
-- from that day: its first `lines` lines, `bytes` bytes of the day's
-- stream. It is current while the day's cursor is at the same lines and
-- bytes (or the cursor was dropped with the day's files); a day that grew
-- after it is read from tlsrpt_policy_line until tlsrpt-ship uploads it
-- again. The blob is opaque to SQL; tlsrpt-summary checks its checksum
-- and bounds before it uses it.
CREATE TABLE tlsrpt_rollup (
	ship_host text NOT NULL,
	store text NOT NULL,
	day date NOT NULL,
	bytes bigint NOT NULL,
	lines bigint NOT NULL,
	rollup bytea NOT NULL,
	made timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (ship_host, store, day)
);
ALTER TABLE tlsrpt_rollup ALTER COLUMN rollup SET STORAGE EXTERNAL;

-- The days shipped before version 3 whose cursor retention already
-- dropped: no rollup will ever be made for them, so tlsrpt-summary reads
-- their lines. A host's days holding lines it shipped first, without a
-- cursor of that host.
CREATE TABLE tlsrpt_rollup_gap (
	ship_host text NOT NULL,
	day date NOT NULL,
	PRIMARY KEY (ship_host, day)
);
INSERT INTO tlsrpt_rollup_gap (ship_host, day)
SELECT DISTINCT l.ship_host, (l.received AT TIME ZONE 'UTC')::date
FROM tlsrpt_policy_line l
WHERE NOT EXISTS (
	SELECT 1 FROM tlsrpt_ship_cursor c
	WHERE c.ship_host = l.ship_host AND c.stream = 'tlsrpt'
	AND c.day = (l.received AT TIME ZONE 'UTC')::date);
