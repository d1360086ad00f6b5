-- thrad-events SQLite schema, version 5: clicks becomes a rowid table.
--
-- In the WITHOUT ROWID table of 001 (altered by 004) each row lives in the primary key's
-- B-tree. Click rows now hold some hundred bytes (user agent, landing URL, referrer) and click
-- ids are random, so every new click went to a random place of a B-tree of wide rows: inserting
-- batches of new clicks was 2.2-2.6 times slower than into a rowid table (the schema alone, 60k
-- clicks in batches of 1,000, SQLite 3.40). Now rows go at the table's end and (partner_id,
-- click_id) is a UNIQUE index beside them (ON CONFLICT (partner_id, click_id) as before). The
-- rows are copied in clicked_at order; source gets no default: every writer gives it.
--
-- clicks_clicked_at (clicked_at, exp) is made again; its entries now end with the rowid, so
-- prune finds the expired clicks' rowids from the index alone and deletes by rowid.

CREATE TABLE clicks_v5 (
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
  UNIQUE (partner_id, click_id)
) STRICT;
INSERT INTO clicks_v5(partner_id, click_id, bid_id, campaign_id, clicked_at, tag_id, landing_url,
                      client_ip, user_agent, referrer, exp, source, filter_reason)
  SELECT partner_id, click_id, bid_id, campaign_id, clicked_at, tag_id, landing_url, client_ip,
         user_agent, referrer, exp, source, filter_reason
  FROM clicks ORDER BY clicked_at;
DROP TABLE clicks;
ALTER TABLE clicks_v5 RENAME TO clicks;
CREATE INDEX clicks_clicked_at ON clicks (clicked_at, exp);
