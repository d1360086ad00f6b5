-- thrad-events PostgreSQL schema, version 4: clicks.source loses its default.
-- 002's default only filled the rows already there when the column was added: every writer
-- gives source, as on SQLite (whose clicks table has no default since its version 6).
ALTER TABLE clicks ALTER COLUMN source DROP DEFAULT;
