-- thrad-events SQLite schema, version 6: clicks becomes a rowid table.
--
-- In the WITHOUT ROWID table of 001 (altered by 004 and 005) each row lives in the primary key's
-- B-tree. Click rows now hold some hundred bytes (user agent, landing URL, referrer) and click
-- ids are random, so every new click went to a random place of a B-tree of wide rows: inserting
-- batches of new clicks was 2.2-2.6 times slower than into a rowid table (the schema alone, 60k
-- clicks in batches of 1,000, SQLite 3.40). Now rows go at the table's end and (partner_id,
-- click_id) is a UNIQUE index beside them (ON CONFLICT (partner_id, click_id) as before). The
-- rows are copied in clicked_at order; source gets no default: every writer gives it.
--
-- clicks_clicked_at (clicked_at, exp) is made again; its entries now end with the rowid, so
-- prune finds the expired clicks' rowids from the index alone and deletes by rowid.

CREATE TABLE clicks_v6 (
  partner_id    TEXT    NOT NULL,
  click_id      TEXT    NOT NULL,
  bid_id        TEXT,
  campaign_id   TEXT,
  clicked_at    INTEGER NOT NULL,
  tag_id        TEXT,
  landing_url   TEXT,
  client_ip     TEXT,
  user_agent    TEXT,
  referrer      TEXT,
  exp           INTEGER,
  source        TEXT    NOT NULL,
  filter_reason TEXT,
  geo_country   TEXT,
  geo_region    TEXT,
  geo_city      TEXT,
  geo_lat       REAL,
  geo_lon       REAL,
  ua_browser    TEXT,
  ua_browser_version TEXT,
  ua_os         TEXT,
  ua_device     TEXT,
  is_bot        INTEGER CHECK (is_bot IN (0, 1)),
  UNIQUE (partner_id, click_id)
) STRICT;
INSERT INTO clicks_v6(partner_id, click_id, bid_id, campaign_id, clicked_at, tag_id, landing_url,
                      client_ip, user_agent, referrer, exp, source, filter_reason, geo_country,
                      geo_region, geo_city, geo_lat, geo_lon, ua_browser, ua_browser_version,
                      ua_os, ua_device, is_bot)
  SELECT partner_id, click_id, bid_id, campaign_id, clicked_at, tag_id, landing_url, client_ip,
         user_agent, referrer, exp, source, filter_reason, geo_country, geo_region, geo_city,
         geo_lat, geo_lon, ua_browser, ua_browser_version, ua_os, ua_device, is_bot
  FROM clicks ORDER BY clicked_at;
DROP TABLE clicks;
ALTER TABLE clicks_v6 RENAME TO clicks;
CREATE INDEX clicks_clicked_at ON clicks (clicked_at, exp);
