-- thrad-events SQLite schema, version 4: clicks with every field of CLICKS.md, signing keys, and
-- each conversion's click time.
--
-- clicks is rebuilt, its rows copied: created_at becomes clicked_at, and a rowid table replaces
-- the WITHOUT ROWID one, whose rows (now some hundred bytes: user agent, landing URL, referrer)
-- lived in the primary key's B-tree at random places (click ids are random): inserting a
-- batch of new clicks was 2.2-2.6 times slower that way (schema alone, SQLite 3.40). Rows now go
-- at the table's end and (partner_id, click_id) is a UNIQUE index beside them. Clicks stored
-- before this version keep NULL in the new columns, except source, which is 'cli': `clicks add`
-- was the only way in. exp is Unix seconds (thrad_exp), NULL for those older clicks.
--
-- Export reads clicks in clicked_at order and prune deletes them oldest first, both through
-- clicks_clicked_at. Its entries also hold exp (and the rowid), so prune judges "past its exp"
-- and finds the row without reading it. No index leads with exp: exp is clicked_at plus the
-- click TTL, so in clicked_at order the clicks that prune may delete come first and those it
-- must keep after them.
--
-- signing_keys: the HMAC-SHA256 secrets that sign click URLs and landing parameters (32 raw
-- bytes each; never logged or listed). conversions.click_time: the click's clicked_at, copied
-- inside the write transaction like bid_id and campaign_id; NULL for older conversions.
-- (Comments stay outside the statements, which SQLite keeps verbatim in sqlite_schema.)

CREATE TABLE clicks_v4 (
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
INSERT INTO clicks_v4(partner_id, click_id, bid_id, campaign_id, clicked_at, source)
  SELECT partner_id, click_id, bid_id, campaign_id, created_at, 'cli' FROM clicks
  ORDER BY created_at;
DROP TABLE clicks;
ALTER TABLE clicks_v4 RENAME TO clicks;
CREATE INDEX clicks_clicked_at ON clicks (clicked_at, exp);

CREATE TABLE signing_keys (
  kid        TEXT    NOT NULL PRIMARY KEY,
  secret     BLOB    NOT NULL,
  created_at INTEGER NOT NULL,
  retired_at INTEGER,
  revoked_at INTEGER
) STRICT, WITHOUT ROWID;

ALTER TABLE conversions ADD COLUMN click_time INTEGER;
