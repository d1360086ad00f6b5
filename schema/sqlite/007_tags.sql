-- Browser tags (TAG.md section 1): the credential of tag.js and ptag. A tag_id is unique across
-- partners and stays taken after `tags remove`, which only sets removed_at (the tag's data
-- stays). origins is a JSON array of normalized origins (model/tag_origin.h), 1 to 100.
-- Every server reads the active tags every 2 s (TagRing): the table is small.
-- (007: after main's 005 enrichment and 006 clicks rowid migrations.)

CREATE TABLE tags (
  tag_id     TEXT    NOT NULL PRIMARY KEY,
  partner_id TEXT    NOT NULL,
  origins    TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  removed_at INTEGER
) STRICT, WITHOUT ROWID;

CREATE INDEX tags_partner_created ON tags (partner_id, created_at);
