-- thrad-events SQLite schema, version 1.
-- Times are Unix microseconds (INTEGER, UTC). Every unique key starts with partner_id so the
-- PostgreSQL/Citus store can shard the same schema by partner_id. NULLs are distinct in
-- SQLite unique indexes: a NULL event_id or dedup_key never conflicts.

CREATE TABLE api_keys (
  id           TEXT    NOT NULL PRIMARY KEY,  -- public "key_<hex>"
  digest       TEXT    NOT NULL UNIQUE,       -- lowercase hex SHA-256 of the secret
  partner_id   TEXT    NOT NULL,
  label        TEXT    NOT NULL,
  scopes       INTEGER NOT NULL,              -- bit set of Scope
  created_at   INTEGER NOT NULL,
  expires_at   INTEGER,
  revoked_at   INTEGER,
  last_used_at INTEGER
) STRICT;
CREATE INDEX api_keys_partner_created ON api_keys (partner_id, created_at);

CREATE TABLE clicks (
  partner_id  TEXT    NOT NULL,
  click_id    TEXT    NOT NULL,
  bid_id      TEXT,
  campaign_id TEXT,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (partner_id, click_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE events (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused, export order
  partner_id       TEXT    NOT NULL,
  key_id           TEXT    NOT NULL,
  event_name       TEXT    NOT NULL,
  tag_id           TEXT    NOT NULL,
  event_id         TEXT,
  timestamp        INTEGER,           -- client's Unix seconds
  page_url         TEXT,
  referrer         TEXT,
  user_agent       TEXT,
  session_id       TEXT,
  client_id        TEXT,
  attribution_type TEXT,
  impression_id    TEXT,
  click_id         TEXT,
  bid_id           TEXT,
  impression_state TEXT,
  view_time_ms     INTEGER,
  consent_json     TEXT,              -- JSON object as given
  params_json      TEXT    NOT NULL,  -- JSON object
  channel          TEXT    NOT NULL,
  client_ip        TEXT    NOT NULL,
  received_at      INTEGER NOT NULL,
  UNIQUE (partner_id, tag_id, event_id)
) STRICT;
CREATE INDEX events_received_at ON events (received_at);

CREATE TABLE conversions (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  partner_id      TEXT    NOT NULL,
  key_id          TEXT    NOT NULL,
  click_id        TEXT    NOT NULL,
  bid_id          TEXT,               -- copied from the click
  campaign_id     TEXT,               -- copied from the click
  conversion_time INTEGER NOT NULL,
  value_micros    INTEGER NOT NULL,   -- conversion_value * 1e6, exact
  currency        TEXT    NOT NULL,
  event_type      TEXT    NOT NULL,
  order_id        TEXT,
  event_id        TEXT,
  tag_id          TEXT,
  session_id      TEXT,
  client_id       TEXT,
  page_url        TEXT,
  referrer        TEXT,
  user_agent      TEXT,
  dedup_key       TEXT,
  dedup_source    TEXT,               -- 'header' | 'event_id' | 'order_id' | NULL
  params_json     TEXT    NOT NULL,
  client_ip       TEXT    NOT NULL,
  received_at     INTEGER NOT NULL,
  UNIQUE (partner_id, click_id, event_type, dedup_key)
) STRICT;
CREATE INDEX conversions_received_at ON conversions (received_at);

-- One row, rewritten by the writability probe (/readyz, writer recovery).
CREATE TABLE health (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  checked_at INTEGER NOT NULL
) STRICT;
