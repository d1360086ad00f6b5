-- thrad-events SQLite schema, version 12: a count of the clicks ever deleted or changed, kept by
-- triggers, so that the writer's cache of stored clicks (SqliteStore's click cache,
-- docs/architecture.md "The click cache") stays exact.
--
-- A stored click never changes, but it can be deleted: by `prune` (expired clicks), by `erase`,
-- by a partner's deletion, or by anyone's SQL on the file, from any process. Each deletion (and
-- any update, though none of thrad-events' own statements updates a click) adds one to `n` in
-- the same transaction. The writer reads `n` inside its write transaction, where no other
-- transaction can commit: while it is the value the cache was filled under, every cached click
-- is still stored; when it has moved, the writer empties its cache.

CREATE TABLE click_deletions (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  n  INTEGER NOT NULL
) STRICT;

INSERT INTO click_deletions(id, n) VALUES (1, 0);

CREATE TRIGGER clicks_deleted AFTER DELETE ON clicks
BEGIN
  UPDATE click_deletions SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER clicks_updated AFTER UPDATE ON clicks
BEGIN
  UPDATE click_deletions SET n = n + 1 WHERE id = 1;
END;
