-- thrad-events PostgreSQL schema, version 1. Same tables, columns and meaning as
-- schema/sqlite/001_init.sql; times are Unix microseconds (bigint, UTC).
--
-- Distribution (Citus or another PostgreSQL-compatible engine sharded by partner_id):
-- clicks, events and conversions hold partner data and are distributed by partner_id, so
-- their primary and unique keys all start with partner_id and every write and dedup check
-- stays on one shard. api_keys is small and read by digest before the partner is known: a
-- reference table (replicated to every node), as are health and schema_migrations.
-- NULLs are distinct in unique constraints: a NULL event_id or dedup_key never conflicts.
-- JSON documents are kept as text, byte for byte as the server serialized them.
-- Key columns use the "C" collation: byte-wise comparison, as in SQLite, and the cheapest for
-- the unique indexes (no locale-aware comparisons on every insert).

CREATE TABLE api_keys (
  id               text COLLATE "C" NOT NULL PRIMARY KEY,  -- public "key_<hex>"
  digest           text COLLATE "C" NOT NULL UNIQUE,       -- lowercase hex SHA-256 of the secret
  partner_id       text COLLATE "C" NOT NULL,
  label            text             NOT NULL,
  scopes           integer          NOT NULL,              -- bit set of Scope
  created_at       bigint           NOT NULL,
  expires_at       bigint,
  revoked_at       bigint,
  last_used_at     bigint,
  -- Per-key rate-limit override (token bucket); NULL: the server-wide default; rps 0: exempt.
  rate_limit_rps   double precision CHECK (rate_limit_rps IS NULL OR rate_limit_rps >= 0),
  rate_limit_burst bigint           CHECK (rate_limit_burst IS NULL OR rate_limit_burst >= 1)
);
CREATE INDEX api_keys_partner_created ON api_keys (partner_id, created_at);

CREATE TABLE clicks (
  partner_id  text COLLATE "C" NOT NULL,
  click_id    text COLLATE "C" NOT NULL,
  bid_id      text,
  campaign_id text,
  created_at  bigint NOT NULL,
  PRIMARY KEY (partner_id, click_id)
);

CREATE TABLE events (
  id               bigserial,        -- export order
  partner_id       text COLLATE "C" NOT NULL,
  key_id           text   NOT NULL,
  event_name       text   NOT NULL,
  tag_id           text COLLATE "C" NOT NULL,
  event_id         text COLLATE "C",
  "timestamp"      bigint,           -- client's Unix seconds
  page_url         text,
  referrer         text,
  user_agent       text,
  session_id       text,
  client_id        text,
  attribution_type text,
  impression_id    text,
  click_id         text,
  bid_id           text,
  impression_state text,
  view_time_ms     bigint,
  consent_json     text,             -- JSON object as given
  params_json      text   NOT NULL,  -- JSON object
  channel          text   NOT NULL,
  client_ip        text   NOT NULL,
  received_at      bigint NOT NULL,
  PRIMARY KEY (partner_id, id),
  UNIQUE (partner_id, tag_id, event_id)
);
CREATE INDEX events_received_at ON events (received_at);

CREATE TABLE conversions (
  id              bigserial,
  partner_id      text COLLATE "C" NOT NULL,
  key_id          text   NOT NULL,
  click_id        text COLLATE "C" NOT NULL,
  bid_id          text,               -- copied from the click
  campaign_id     text,               -- copied from the click
  conversion_time bigint NOT NULL,
  value_micros    bigint NOT NULL,    -- conversion_value * 1e6, exact
  currency        text   NOT NULL,
  event_type      text COLLATE "C" NOT NULL,
  order_id        text,
  event_id        text,
  tag_id          text,
  session_id      text,
  client_id       text,
  page_url        text,
  referrer        text,
  user_agent      text,
  dedup_key       text COLLATE "C",
  dedup_source    text,               -- 'header' | 'event_id' | 'order_id' | NULL
  params_json     text   NOT NULL,
  client_ip       text   NOT NULL,
  received_at     bigint NOT NULL,
  PRIMARY KEY (partner_id, id),
  UNIQUE (partner_id, click_id, event_type, dedup_key)
);
CREATE INDEX conversions_received_at ON conversions (received_at);

-- One row, rewritten by the writability probe (/readyz, writer recovery).
CREATE TABLE health (
  id         integer PRIMARY KEY CHECK (id = 1),
  checked_at bigint  NOT NULL
);
