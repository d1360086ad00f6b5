-- thrad-events SQLite schema, version 11: the rollups' hour level (store/rollup.h "The hour
-- level"; docs/architecture.md "Rollups").
--
-- The counters per UTC hour (bucket = the hour's first instant) in one grouping, the one that
-- keeps every dimension (`kept`: events 3, clicks 3, conversions 15), with the hour of the UTC
-- day (`hod`, 0-23) first in the key after the grouping. A report in a zone whose midnight is
-- not UTC's reads each local day as its nearest UTC day's row (010_day_rollups.sql), corrected by
-- the hour rows between the two midnights (store/rollup_sql.h RollupHourPlan): the same few hours
-- of every day, which this key makes a few index ranges. Written in the same transaction as the
-- quarter hours and the days, one upsert per distinct group: at most one per quarter-hour upsert,
-- where an hour row per day grouping would cost up to four (docs/benchmarks.md, session 13).
--
-- This migration builds the hour rows of everything stored before it, from the quarter hours.

CREATE TABLE rollup_events_hour (
  partner_id TEXT    NOT NULL,
  kept       INTEGER NOT NULL,
  hod       INTEGER NOT NULL,  -- the hour of the UTC day, 0-23
  bucket     INTEGER NOT NULL,
  tag_id     TEXT    NOT NULL,
  event_name TEXT    NOT NULL,
  events     INTEGER NOT NULL,
  PRIMARY KEY (partner_id, kept, hod, bucket, tag_id, event_name)
) STRICT, WITHOUT ROWID;

CREATE TABLE rollup_clicks_hour (
  partner_id      TEXT    NOT NULL,
  kept            INTEGER NOT NULL,
  hod            INTEGER NOT NULL,  -- the hour of the UTC day, 0-23
  bucket          INTEGER NOT NULL,
  campaign_key    TEXT    NOT NULL,
  tag_key         TEXT    NOT NULL,
  clicks          INTEGER NOT NULL,
  filtered_clicks INTEGER NOT NULL,
  PRIMARY KEY (partner_id, kept, hod, bucket, campaign_key, tag_key)
) STRICT, WITHOUT ROWID;

CREATE TABLE rollup_conversions_hour (
  partner_id       TEXT    NOT NULL,
  kept             INTEGER NOT NULL,
  hod             INTEGER NOT NULL,  -- the hour of the UTC day, 0-23
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
  PRIMARY KEY (partner_id, kept, hod, bucket, campaign_key, event_type, currency, click_tag_key)
) STRICT, WITHOUT ROWID;

-- Hour: floor(bucket / 3600e6) * 3600e6; its hour of the day: floor(bucket mod 86400e6 / 3600e6).
INSERT INTO rollup_events_hour(partner_id, kept, hod, bucket, tag_id, event_name, events)
  SELECT partner_id, 3,
         ((bucket % 86400000000) + 86400000000) % 86400000000 / 3600000000 AS hd,
         (bucket / 3600000000 - (bucket % 3600000000 < 0)) * 3600000000 AS h,
         tag_id, event_name, sum(events)
  FROM rollup_events
  GROUP BY partner_id, hd, h, tag_id, event_name;

INSERT INTO rollup_clicks_hour(partner_id, kept, hod, bucket, campaign_key, tag_key, clicks,
                               filtered_clicks)
  SELECT partner_id, 3,
         ((bucket % 86400000000) + 86400000000) % 86400000000 / 3600000000 AS hd,
         (bucket / 3600000000 - (bucket % 3600000000 < 0)) * 3600000000 AS h,
         campaign_key, tag_key, sum(clicks), sum(filtered_clicks)
  FROM rollup_clicks
  GROUP BY partner_id, hd, h, campaign_key, tag_key;

INSERT INTO rollup_conversions_hour(partner_id, kept, hod, bucket, campaign_key, event_type,
                                    currency, click_tag_key, conversions, value_units, value_micros,
                                    latency_negative, latency_1h, latency_1d, latency_7d,
                                    latency_30d, latency_more)
  SELECT partner_id, 15,
         ((bucket % 86400000000) + 86400000000) % 86400000000 / 3600000000 AS hd,
         (bucket / 3600000000 - (bucket % 3600000000 < 0)) * 3600000000 AS h,
         campaign_key, event_type, currency, click_tag_key,
         sum(conversions),
         sum(value_units) + sum(value_micros) / 1000000, sum(value_micros) % 1000000,
         sum(latency_negative), sum(latency_1h), sum(latency_1d), sum(latency_7d),
         sum(latency_30d), sum(latency_more)
  FROM rollup_conversions
  GROUP BY partner_id, hd, h, campaign_key, event_type, currency, click_tag_key;
