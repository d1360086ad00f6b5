-- thrad-events PostgreSQL schema, version 6: the reports' rollups, as schema/sqlite/008_rollups.sql
-- (version 5 is left to the tags branch's 005_tags.sql; versions need not be contiguous).
--
-- Counters per partner, 15-minute UTC bucket (its first instant, Unix microseconds) and
-- dimensions, kept by CommitBatch in the transaction that stores the rows, one upsert per
-- distinct group, in key order (row locks in one global order). A nullable dimension is kept in
-- the primary key as '' for none and '=' || value otherwise. Money is an exact numeric sum. Every
-- key starts with partner_id (Citus: distributed by partner_id like the raw tables).
--
-- This migration builds the rollups of every row stored before it.

CREATE TABLE rollup_events (
  partner_id text COLLATE "C" NOT NULL,
  bucket     bigint NOT NULL,
  tag_id     text COLLATE "C" NOT NULL,
  event_name text COLLATE "C" NOT NULL,
  events     bigint NOT NULL,
  PRIMARY KEY (partner_id, bucket, tag_id, event_name)
);

CREATE TABLE rollup_clicks (
  partner_id      text COLLATE "C" NOT NULL,
  bucket          bigint NOT NULL,
  campaign_key    text COLLATE "C" NOT NULL,
  tag_key         text COLLATE "C" NOT NULL,
  clicks          bigint NOT NULL,
  filtered_clicks bigint NOT NULL,
  PRIMARY KEY (partner_id, bucket, campaign_key, tag_key)
);

CREATE TABLE rollup_conversions (
  partner_id       text COLLATE "C" NOT NULL,
  bucket           bigint NOT NULL,
  campaign_key     text COLLATE "C" NOT NULL,
  event_type       text COLLATE "C" NOT NULL,
  currency         text COLLATE "C" NOT NULL,
  click_tag_key    text COLLATE "C" NOT NULL,
  conversions      bigint  NOT NULL,
  value            numeric NOT NULL,  -- exact sum of conversion_value
  latency_negative bigint  NOT NULL,
  latency_1h       bigint  NOT NULL,
  latency_1d       bigint  NOT NULL,
  latency_7d       bigint  NOT NULL,
  latency_30d      bigint  NOT NULL,
  latency_more     bigint  NOT NULL,
  PRIMARY KEY (partner_id, bucket, campaign_key, event_type, currency, click_tag_key)
);

INSERT INTO rollup_events(partner_id, bucket, tag_id, event_name, events)
  SELECT partner_id, t - ((t % 900000000) + 900000000) % 900000000 AS b, tag_id, event_name,
         count(*)
  FROM (SELECT partner_id, tag_id, event_name,
               coalesce(timestamp * 1000000, received_at) AS t FROM events) e
  GROUP BY partner_id, b, tag_id, event_name;

INSERT INTO rollup_clicks(partner_id, bucket, campaign_key, tag_key, clicks, filtered_clicks)
  SELECT partner_id,
         clicked_at - ((clicked_at % 900000000) + 900000000) % 900000000 AS b,
         coalesce('=' || campaign_id, '') AS ck, coalesce('=' || tag_id, '') AS tk,
         count(*), count(filter_reason)
  FROM clicks
  GROUP BY partner_id, b, ck, tk;

INSERT INTO rollup_conversions(partner_id, bucket, campaign_key, event_type, currency,
                               click_tag_key, conversions, value, latency_negative, latency_1h,
                               latency_1d, latency_7d, latency_30d, latency_more)
  SELECT partner_id, b, ck, event_type, currency, tk, count(*),
         round(sum(value_micros) / 1000000.0, 6),
         count(*) FILTER (WHERE lat < 0),
         count(*) FILTER (WHERE lat >= 0 AND lat <= 3600000000),
         count(*) FILTER (WHERE lat > 3600000000 AND lat <= 86400000000),
         count(*) FILTER (WHERE lat > 86400000000 AND lat <= 604800000000),
         count(*) FILTER (WHERE lat > 604800000000 AND lat <= 2592000000000),
         count(*) FILTER (WHERE lat > 2592000000000)
  FROM (SELECT v.partner_id, v.event_type, v.currency, v.value_micros,
               v.conversion_time - ((v.conversion_time % 900000000) + 900000000) % 900000000
                 AS b,
               coalesce('=' || v.campaign_id, '') AS ck,
               coalesce('=' || c.tag_id, '') AS tk,
               v.conversion_time - v.click_time AS lat
        FROM conversions v
        LEFT JOIN clicks c ON c.partner_id = v.partner_id AND c.click_id = v.click_id) x
  GROUP BY partner_id, b, ck, event_type, currency, tk;

-- The raw conversions' cursor (GET /v1/api/conversions): the id of the writing transaction.
-- bigserial ids of concurrent transactions (several servers) become visible out of id order,
-- so a cursor on id alone could skip a row; a page holds only rows of transactions older than
-- every transaction still running (pg_snapshot_xmin), ordered by (tx, id), and every row that
-- becomes visible later has a larger tx. Rows stored before this migration have NULL (read as 0).
ALTER TABLE conversions ADD COLUMN tx xid8;
ALTER TABLE conversions ALTER COLUMN tx SET DEFAULT pg_current_xact_id();
