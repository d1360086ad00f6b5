-- thrad-events SQLite schema, version 9: diagnostics, the refusals of authenticated requests
-- (REPORTS.md section 5; docs/architecture.md "Diagnostics").
--
-- refusal_counts: exact counts per partner, hourly UTC bucket (its first instant, Unix
-- microseconds) and reason, added to (count = count + delta) by the servers' flushes through
-- the group commit. `type` and `loc` are '' for a refusal that is not a 422 field error (null
-- in the answer); `loc` is otherwise the error's loc as a JSON array. Rows older than 168 hours
-- are deleted by every flush.
--
-- refusal_samples: the newest 100 refusals per partner (each flush deletes the older ones);
-- `errors` is a JSON array of {"loc":[...],"type":...}.

CREATE TABLE refusal_counts (
  partner_id TEXT    NOT NULL,
  bucket     INTEGER NOT NULL,
  route      TEXT    NOT NULL,
  status     INTEGER NOT NULL,
  detail     TEXT    NOT NULL,
  type       TEXT    NOT NULL,
  loc        TEXT    NOT NULL,
  count      INTEGER NOT NULL,
  PRIMARY KEY (partner_id, bucket, route, status, detail, type, loc)
) STRICT, WITHOUT ROWID;

CREATE INDEX refusal_counts_bucket ON refusal_counts(bucket);

CREATE TABLE refusal_samples (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  partner_id TEXT    NOT NULL,
  at         INTEGER NOT NULL,
  route      TEXT    NOT NULL,
  status     INTEGER NOT NULL,
  detail     TEXT    NOT NULL,
  errors     TEXT    NOT NULL,
  request_id TEXT    NOT NULL,
  key_id     TEXT    NOT NULL
) STRICT;

CREATE INDEX refusal_samples_partner_at ON refusal_samples(partner_id, at, id);
