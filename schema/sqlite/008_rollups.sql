-- thrad-events SQLite schema, version 8: the reports' rollups (REPORTS.md; docs/architecture.md
-- "Rollups"). (Version 7 is left to the tags branch's 007_tags.sql; versions need not be
-- contiguous.)
--
-- Counters per partner, 15-minute UTC bucket (bucket = its first instant, Unix microseconds)
-- and dimensions, kept by CommitBatch in the transaction that stores the rows, one upsert per
-- distinct group. A nullable dimension is kept in the primary key as '' for none and
-- '=' || value otherwise (store/rollup.h RollupDimKey), since a key cannot hold NULL.
--
-- Exact money without a decimal type: value_units (whole currency units) + value_micros
-- (0..999,999 micro-units). A sum of integers that overflows 64 bits becomes a REAL in SQLite; in
-- these STRICT tables storing such a REAL in an INTEGER column fails the statement (and the
-- transaction) instead of silently losing precision (9.2e18 whole units in one group).
--
-- This migration builds the rollups of every row stored before it, in the same way.

CREATE TABLE rollup_events (
  partner_id TEXT    NOT NULL,
  bucket     INTEGER NOT NULL,
  tag_id     TEXT    NOT NULL,
  event_name TEXT    NOT NULL,
  events     INTEGER NOT NULL,
  PRIMARY KEY (partner_id, bucket, tag_id, event_name)
) STRICT, WITHOUT ROWID;

CREATE TABLE rollup_clicks (
  partner_id      TEXT    NOT NULL,
  bucket          INTEGER NOT NULL,
  campaign_key    TEXT    NOT NULL,  -- '' or '=' || campaign_id
  tag_key         TEXT    NOT NULL,  -- '' or '=' || tag_id
  clicks          INTEGER NOT NULL,
  filtered_clicks INTEGER NOT NULL,  -- with a filter_reason
  PRIMARY KEY (partner_id, bucket, campaign_key, tag_key)
) STRICT, WITHOUT ROWID;

CREATE TABLE rollup_conversions (
  partner_id       TEXT    NOT NULL,
  bucket           INTEGER NOT NULL,  -- of conversion_time
  campaign_key     TEXT    NOT NULL,  -- '' or '=' || campaign_id (the click's)
  event_type       TEXT    NOT NULL,
  currency         TEXT    NOT NULL,
  click_tag_key    TEXT    NOT NULL,  -- '' or '=' || the click's tag_id
  conversions      INTEGER NOT NULL,
  value_units      INTEGER NOT NULL,
  value_micros     INTEGER NOT NULL,  -- 0..999999
  latency_negative INTEGER NOT NULL,  -- conversion_time - click_time < 0
  latency_1h       INTEGER NOT NULL,  -- 0 .. 1 h
  latency_1d       INTEGER NOT NULL,  -- (1 h, 1 d]
  latency_7d       INTEGER NOT NULL,
  latency_30d      INTEGER NOT NULL,
  latency_more     INTEGER NOT NULL,
  PRIMARY KEY (partner_id, bucket, campaign_key, event_type, currency, click_tag_key)
) STRICT, WITHOUT ROWID;

-- The rows stored before this migration. Bucket: floor(t / 900e6) * 900e6.
INSERT INTO rollup_events(partner_id, bucket, tag_id, event_name, events)
  SELECT partner_id, b, tag_id, event_name, count(*)
  FROM (SELECT partner_id, tag_id, event_name,
               coalesce(timestamp * 1000000, received_at) AS t,
               (coalesce(timestamp * 1000000, received_at) / 900000000
                - (coalesce(timestamp * 1000000, received_at) % 900000000 < 0)) * 900000000 AS b
        FROM events)
  GROUP BY partner_id, b, tag_id, event_name;

INSERT INTO rollup_clicks(partner_id, bucket, campaign_key, tag_key, clicks, filtered_clicks)
  SELECT partner_id, (clicked_at / 900000000 - (clicked_at % 900000000 < 0)) * 900000000 AS b,
         coalesce('=' || campaign_id, '') AS ck, coalesce('=' || tag_id, '') AS tk,
         count(*), count(filter_reason)
  FROM clicks
  GROUP BY partner_id, b, ck, tk;

INSERT INTO rollup_conversions(partner_id, bucket, campaign_key, event_type, currency,
                               click_tag_key, conversions, value_units, value_micros,
                               latency_negative, latency_1h, latency_1d, latency_7d,
                               latency_30d, latency_more)
  SELECT partner_id, b, ck, event_type, currency, tk, count(*),
         sum(value_micros / 1000000) + sum(value_micros % 1000000) / 1000000,
         sum(value_micros % 1000000) % 1000000,
         count(CASE WHEN lat < 0 THEN 1 END),
         count(CASE WHEN lat >= 0 AND lat <= 3600000000 THEN 1 END),
         count(CASE WHEN lat > 3600000000 AND lat <= 86400000000 THEN 1 END),
         count(CASE WHEN lat > 86400000000 AND lat <= 604800000000 THEN 1 END),
         count(CASE WHEN lat > 604800000000 AND lat <= 2592000000000 THEN 1 END),
         count(CASE WHEN lat > 2592000000000 THEN 1 END)
  FROM (SELECT v.partner_id, v.event_type, v.currency, v.value_micros,
               (v.conversion_time / 900000000 - (v.conversion_time % 900000000 < 0)) * 900000000
                 AS b,
               coalesce('=' || v.campaign_id, '') AS ck,
               coalesce('=' || c.tag_id, '') AS tk,
               v.conversion_time - v.click_time AS lat
        FROM conversions v
        LEFT JOIN clicks c ON c.partner_id = v.partner_id AND c.click_id = v.click_id)
  GROUP BY partner_id, b, ck, event_type, currency, tk;
