-- thrad-events PostgreSQL schema, version 9: pending rollup counters.
--
-- A write transaction no longer upserts the rollups (006_rollups.sql, 008_day_rollups.sql): it
-- appends its quarter-hour counters, one row per distinct group, to these tables, which have
-- the quarter-hour tables' columns and no key (an append takes no index probe and no row lock).
-- The servers' rollup folder (store/postgres/pg_rollup_fold.cc) moves them into the quarter-hour
-- and day rollups about once a second: it deletes the pending rows it read and upserts their
-- sums in one transaction, under an advisory lock, so a counter is in exactly one place at any
-- snapshot. Reports read the rollups plus the pending rows of their partner and range in one
-- statement. Why: on PostgreSQL the upserts cost about 40 µs of database CPU per conversion
-- (docs/benchmarks.md, session 11).

CREATE TABLE rollup_events_pending (LIKE rollup_events INCLUDING DEFAULTS);
CREATE TABLE rollup_clicks_pending (LIKE rollup_clicks INCLUDING DEFAULTS);
CREATE TABLE rollup_conversions_pending (LIKE rollup_conversions INCLUDING DEFAULTS);
