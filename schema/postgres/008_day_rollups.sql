-- thrad-events PostgreSQL schema, version 8: the rollups' day level, as
-- schema/sqlite/010_day_rollups.sql.
--
-- The counters of 006_rollups.sql again, per UTC day (bucket = the day's first instant) and per
-- grouping: `kept` is the bitmask of the dimensions the row keeps (bit i: the i-th dimension of
-- the kind, in the column order below); a dimension it does not keep is '' in its key. Written
-- in the same transaction as the quarter hours, one upsert per distinct group, after them (the
-- lock order: events, their days, clicks, their days, conversions, their days). Groupings
-- (store/rollup.h): events 3; clicks 1, 2, 3; conversions 6, 5, 7, 15.
--
-- This migration builds the day rows of everything stored before it, from the quarter hours.

CREATE TABLE rollup_events_day (
  partner_id text COLLATE "C" NOT NULL,
  kept       smallint NOT NULL,
  bucket     bigint NOT NULL,
  tag_id     text COLLATE "C" NOT NULL,
  event_name text COLLATE "C" NOT NULL,
  events     bigint NOT NULL,
  PRIMARY KEY (partner_id, kept, bucket, tag_id, event_name)
);

CREATE TABLE rollup_clicks_day (
  partner_id      text COLLATE "C" NOT NULL,
  kept            smallint NOT NULL,
  bucket          bigint NOT NULL,
  campaign_key    text COLLATE "C" NOT NULL,
  tag_key         text COLLATE "C" NOT NULL,
  clicks          bigint NOT NULL,
  filtered_clicks bigint NOT NULL,
  PRIMARY KEY (partner_id, kept, bucket, campaign_key, tag_key)
);

CREATE TABLE rollup_conversions_day (
  partner_id       text COLLATE "C" NOT NULL,
  kept             smallint NOT NULL,
  bucket           bigint NOT NULL,
  campaign_key     text COLLATE "C" NOT NULL,
  event_type       text COLLATE "C" NOT NULL,
  currency         text COLLATE "C" NOT NULL,
  click_tag_key    text COLLATE "C" NOT NULL,
  conversions      bigint  NOT NULL,
  value            numeric NOT NULL,
  latency_negative bigint  NOT NULL,
  latency_1h       bigint  NOT NULL,
  latency_1d       bigint  NOT NULL,
  latency_7d       bigint  NOT NULL,
  latency_30d      bigint  NOT NULL,
  latency_more     bigint  NOT NULL,
  PRIMARY KEY (partner_id, kept, bucket, campaign_key, event_type, currency, click_tag_key)
);

-- Day: floor(bucket / 86400e6) * 86400e6.
INSERT INTO rollup_events_day(partner_id, kept, bucket, tag_id, event_name, events)
  SELECT partner_id, 3, bucket - ((bucket % 86400000000) + 86400000000) % 86400000000 AS d,
         tag_id, event_name, sum(events)
  FROM rollup_events
  GROUP BY partner_id, d, tag_id, event_name;

INSERT INTO rollup_clicks_day(partner_id, kept, bucket, campaign_key, tag_key, clicks,
                              filtered_clicks)
  SELECT partner_id, g.kept,
         bucket - ((bucket % 86400000000) + 86400000000) % 86400000000 AS d,
         CASE WHEN g.kept & 1 <> 0 THEN campaign_key ELSE '' END AS ck,
         CASE WHEN g.kept & 2 <> 0 THEN tag_key ELSE '' END AS tk,
         sum(clicks), sum(filtered_clicks)
  FROM rollup_clicks, (VALUES (1::smallint), (2::smallint), (3::smallint)) g(kept)
  GROUP BY partner_id, g.kept, d, ck, tk;

INSERT INTO rollup_conversions_day(partner_id, kept, bucket, campaign_key, event_type, currency,
                                   click_tag_key, conversions, value, latency_negative,
                                   latency_1h, latency_1d, latency_7d, latency_30d, latency_more)
  SELECT partner_id, g.kept,
         bucket - ((bucket % 86400000000) + 86400000000) % 86400000000 AS d,
         CASE WHEN g.kept & 1 <> 0 THEN campaign_key ELSE '' END AS ck,
         CASE WHEN g.kept & 2 <> 0 THEN event_type ELSE '' END AS et,
         CASE WHEN g.kept & 4 <> 0 THEN currency ELSE '' END AS cur,
         CASE WHEN g.kept & 8 <> 0 THEN click_tag_key ELSE '' END AS tk,
         sum(conversions), sum(value), sum(latency_negative), sum(latency_1h), sum(latency_1d),
         sum(latency_7d), sum(latency_30d), sum(latency_more)
  FROM rollup_conversions,
       (VALUES (6::smallint), (5::smallint), (7::smallint), (15::smallint)) g(kept)
  GROUP BY partner_id, g.kept, d, ck, et, cur, tk;
