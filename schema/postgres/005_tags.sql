-- Browser tags (TAG.md section 1): the credential of tag.js and ptag. A tag_id is unique across
-- partners and stays taken after `tags remove`, which only sets removed_at (the tag's data
-- stays). origins is a JSON array of normalized origins (model/tag_origin.h), 1 to 100, kept as
-- text like every JSON document here.
--
-- tags is small, read whole by every server every 2 s and looked up by tag_id before the
-- partner is known: a reference table under Citus, like api_keys and signing_keys.
-- (005: after main's 003 enrichment and 004 clicks source default migrations.)

CREATE TABLE tags (
  tag_id     text COLLATE "C" NOT NULL PRIMARY KEY,  -- 1-256 of [A-Za-z0-9_.:-]
  partner_id text COLLATE "C" NOT NULL,
  origins    text   NOT NULL,                        -- JSON array of strings
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  removed_at bigint
);

CREATE INDEX tags_partner_created ON tags (partner_id, created_at);
