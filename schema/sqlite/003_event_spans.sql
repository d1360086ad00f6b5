-- thrad-events SQLite schema, version 3: event_spans replaces the index events_received_at.
--
-- The index cost one B-tree entry per stored event, about 13 % of the single writer's CPU.
-- Instead each write transaction that stores events adds one row here: the span of events.id
-- it stored (ids come from AUTOINCREMENT, so they grow and are never reused) and bounds over
-- those rows' received_at. Export --since and prune --older-than find the id range that can
-- hold matching rows from this (small) table, then read events by rowid range and check
-- received_at row by row (received_at is not monotonic in id: clients' batches interleave).
--
-- Invariant: every row of events has an id in [first_id, last_id] of some span whose
-- [min_received_at, max_received_at] holds its received_at. Spans are disjoint and ascending
-- (first_id <= last_id < the next span's first_id). The bounds are conservative: deleting
-- events never makes them wrong; prune drops the spans below the oldest remaining id.
-- Anything that inserts into events outside SqliteStore::CommitBatch must add its span too.

-- first_id, last_id: the smallest and largest events.id the transaction may have stored;
-- min_received_at, max_received_at: bounds over the received_at of the rows it stored.
-- (Comments stay outside the statement, which SQLite keeps verbatim in sqlite_schema: so the
-- whole schema still fits on page 1, the page test_store_faults.py corrupts.)
CREATE TABLE event_spans (
  first_id INTEGER PRIMARY KEY,
  last_id INTEGER NOT NULL,
  min_received_at INTEGER NOT NULL,
  max_received_at INTEGER NOT NULL,
  CHECK (first_id <= last_id AND min_received_at <= max_received_at)
) STRICT;

-- prune's bound (sqlite_spans.h) reads only the spans that may hold old rows: without this,
-- every prune batch of 1,000 rows read all spans (one per transaction; at low load one per
-- event): 31 s instead of 17 s to prune 610k of 2M events that were one span each.
CREATE INDEX event_spans_min_received_at ON event_spans (min_received_at);

-- One span covering the rows already stored. Four scalar subqueries, each answered by the
-- rowid or the index still present (one SELECT with four aggregates would scan the table).
INSERT INTO event_spans(first_id, last_id, min_received_at, max_received_at)
SELECT (SELECT min(id) FROM events), (SELECT max(id) FROM events),
       (SELECT min(received_at) FROM events), (SELECT max(received_at) FROM events)
WHERE EXISTS (SELECT 1 FROM events);

DROP INDEX events_received_at;
