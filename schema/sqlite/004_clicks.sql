-- thrad-events SQLite schema, version 4: clicks with every field of CLICKS.md, signing keys, and
-- each conversion's click time.
--
-- clicks.created_at becomes clicked_at (when the click happened). Clicks stored before this
-- version keep NULL in the new columns, except source, which is 'cli': `clicks add` was the
-- only way in. exp is Unix seconds (thrad_exp), NULL for those older clicks.
--
-- Export reads clicks in clicked_at order and prune deletes them oldest first, both through
-- clicks_clicked_at. Its entries also hold exp (and, as in every index of a WITHOUT ROWID
-- table, the primary key), so prune checks "past its exp" without reading the row. No index
-- leads with exp: exp is clicked_at plus the click TTL, so in clicked_at order the clicks that
-- prune may delete come first and those it must keep after them.
--
-- signing_keys: the HMAC-SHA256 secrets that sign click URLs and landing parameters (32 raw
-- bytes each; never logged or listed). conversions.click_time: the click's clicked_at, copied
-- inside the write transaction like bid_id and campaign_id; NULL for older conversions.
-- (Comments stay outside the statements, which SQLite keeps verbatim in sqlite_schema.)

ALTER TABLE clicks RENAME COLUMN created_at TO clicked_at;
ALTER TABLE clicks ADD COLUMN tag_id TEXT;
ALTER TABLE clicks ADD COLUMN landing_url TEXT;
ALTER TABLE clicks ADD COLUMN client_ip TEXT;
ALTER TABLE clicks ADD COLUMN user_agent TEXT;
ALTER TABLE clicks ADD COLUMN referrer TEXT;
ALTER TABLE clicks ADD COLUMN exp INTEGER;
ALTER TABLE clicks ADD COLUMN source TEXT NOT NULL DEFAULT 'cli';
ALTER TABLE clicks ADD COLUMN filter_reason TEXT;
CREATE INDEX clicks_clicked_at ON clicks (clicked_at, exp);

CREATE TABLE signing_keys (
  kid        TEXT    NOT NULL PRIMARY KEY,
  secret     BLOB    NOT NULL,
  created_at INTEGER NOT NULL,
  retired_at INTEGER,
  revoked_at INTEGER
) STRICT, WITHOUT ROWID;

ALTER TABLE conversions ADD COLUMN click_time INTEGER;
