-- thrad-events PostgreSQL schema, version 2: the same change as schema/sqlite/004_clicks.sql.
--
-- clicks.created_at becomes clicked_at, and clicks gain every field of CLICKS.md. Clicks stored
-- before keep NULL in the new columns, except source, which is 'cli' (`clicks add` was the only
-- way in); exp is Unix seconds (thrad_exp). Adding a column with a constant default rewrites no
-- rows.
--
-- clicks_clicked_at serves export (clicked_at order, `since`) and prune (oldest first; exp is
-- in the entry, so "past its exp" is checked from the index). In clicked_at order the clicks
-- prune may delete come before those it must keep: exp is clicked_at plus the click TTL.
--
-- signing_keys is small and read by every server: a reference table under Citus, like
-- api_keys. conversions.click_time is the click's clicked_at, copied in the write transaction.

ALTER TABLE clicks RENAME COLUMN created_at TO clicked_at;
ALTER TABLE clicks
  ADD COLUMN tag_id        text,
  ADD COLUMN landing_url   text,
  ADD COLUMN client_ip     text,
  ADD COLUMN user_agent    text,
  ADD COLUMN referrer      text,
  ADD COLUMN exp           bigint,              -- Unix seconds
  ADD COLUMN source        text NOT NULL DEFAULT 'cli',  -- 'redirect' | 'api' | 'cli'
  ADD COLUMN filter_reason text;                -- 'prefetch' | 'bot' | NULL
CREATE INDEX clicks_clicked_at ON clicks (clicked_at, exp);

CREATE TABLE signing_keys (
  kid        text COLLATE "C" NOT NULL PRIMARY KEY,  -- "sk_" + [A-Za-z0-9]{1,32}
  secret     bytea  NOT NULL,                        -- 32 raw bytes
  created_at bigint NOT NULL,
  retired_at bigint,
  revoked_at bigint
);

ALTER TABLE conversions ADD COLUMN click_time bigint;  -- the click's clicked_at
