-- thrad-events SQLite schema, version 10: the rollups' day level (store/rollup.h "The day
-- level"; docs/architecture.md "Rollups").
--
-- The counters of 008_rollups.sql again, per UTC day (bucket = the day's first instant, Unix
-- microseconds) and per grouping: `kept` is the bitmask of the dimensions the row keeps (bit i:
-- the i-th dimension of the kind, in the column order below); a dimension it does not keep is
-- '' in its key. Written by CommitBatch in the same transaction as the quarter hours, one upsert
-- per distinct group; a report uses a day row for each UTC day that lies inside one of its
-- periods and the quarter hours for the rest, with the first grouping that keeps every
-- dimension it needs. Groupings (rollup.h): events 3 (tag_id, event_name); clicks 1 (campaign),
-- 2 (tag), 3 (both); conversions 6 (event_type, currency), 5 (campaign, currency), 7 (campaign,
-- event_type, currency), 15 (all four).
--
-- This migration builds the day rows of everything stored before it, from the quarter hours.

CREATE TABLE rollup_events_day (
  partner_id TEXT    NOT NULL,
  kept       INTEGER NOT NULL,
  bucket     INTEGER NOT NULL,
  tag_id     TEXT    NOT NULL,
  event_name TEXT    NOT NULL,
  events     INTEGER NOT NULL,
  PRIMARY KEY (partner_id, kept, bucket, tag_id, event_name)
) STRICT, WITHOUT ROWID;

CREATE TABLE rollup_clicks_day (
  partner_id      TEXT    NOT NULL,
  kept            INTEGER NOT NULL,
  bucket          INTEGER NOT NULL,
  campaign_key    TEXT    NOT NULL,
  tag_key         TEXT    NOT NULL,
  clicks          INTEGER NOT NULL,
  filtered_clicks INTEGER NOT NULL,
  PRIMARY KEY (partner_id, kept, bucket, campaign_key, tag_key)
) STRICT, WITHOUT ROWID;

CREATE TABLE rollup_conversions_day (
  partner_id       TEXT    NOT NULL,
  kept             INTEGER NOT NULL,
  bucket           INTEGER NOT NULL,
  campaign_key     TEXT    NOT NULL,
  event_type       TEXT    NOT NULL,
  currency         TEXT    NOT NULL,
  click_tag_key    TEXT    NOT NULL,
  conversions      INTEGER NOT NULL,
  value_units      INTEGER NOT NULL,
  value_micros     INTEGER NOT NULL,
  latency_negative INTEGER NOT NULL,
  latency_1h       INTEGER NOT NULL,
  latency_1d       INTEGER NOT NULL,
  latency_7d       INTEGER NOT NULL,
  latency_30d      INTEGER NOT NULL,
  latency_more     INTEGER NOT NULL,
  PRIMARY KEY (partner_id, kept, bucket, campaign_key, event_type, currency, click_tag_key)
) STRICT, WITHOUT ROWID;

-- Day: floor(bucket / 86400e6) * 86400e6 (buckets are whole quarter hours).
INSERT INTO rollup_events_day(partner_id, kept, bucket, tag_id, event_name, events)
  SELECT partner_id, 3, (bucket / 86400000000 - (bucket % 86400000000 < 0)) * 86400000000 AS d,
         tag_id, event_name, sum(events)
  FROM rollup_events
  GROUP BY partner_id, d, tag_id, event_name;

INSERT INTO rollup_clicks_day(partner_id, kept, bucket, campaign_key, tag_key, clicks,
                              filtered_clicks)
  SELECT partner_id, g.kept,
         (bucket / 86400000000 - (bucket % 86400000000 < 0)) * 86400000000 AS d,
         CASE WHEN g.kept & 1 THEN campaign_key ELSE '' END AS ck,
         CASE WHEN g.kept & 2 THEN tag_key ELSE '' END AS tk,
         sum(clicks), sum(filtered_clicks)
  FROM rollup_clicks, (SELECT 1 AS kept UNION ALL SELECT 2 UNION ALL SELECT 3) g
  GROUP BY partner_id, g.kept, d, ck, tk;

INSERT INTO rollup_conversions_day(partner_id, kept, bucket, campaign_key, event_type, currency,
                                   click_tag_key, conversions, value_units, value_micros,
                                   latency_negative, latency_1h, latency_1d, latency_7d,
                                   latency_30d, latency_more)
  SELECT partner_id, g.kept,
         (bucket / 86400000000 - (bucket % 86400000000 < 0)) * 86400000000 AS d,
         CASE WHEN g.kept & 1 THEN campaign_key ELSE '' END AS ck,
         CASE WHEN g.kept & 2 THEN event_type ELSE '' END AS et,
         CASE WHEN g.kept & 4 THEN currency ELSE '' END AS cur,
         CASE WHEN g.kept & 8 THEN click_tag_key ELSE '' END AS tk,
         sum(conversions),
         sum(value_units) + sum(value_micros) / 1000000, sum(value_micros) % 1000000,
         sum(latency_negative), sum(latency_1h), sum(latency_1d), sum(latency_7d),
         sum(latency_30d), sum(latency_more)
  FROM rollup_conversions,
       (SELECT 6 AS kept UNION ALL SELECT 5 UNION ALL SELECT 7 UNION ALL SELECT 15) g
  GROUP BY partner_id, g.kept, d, ck, et, cur, tk;
