-- thrad-events PostgreSQL schema, version 7: diagnostics, as schema/sqlite/009_refusals.sql
-- (REPORTS.md section 5; docs/architecture.md "Diagnostics").
--
-- refusal_counts: exact counts per partner, hourly UTC bucket and reason, added to by every
-- server's flush (count = count + delta, upserts in key order); type and loc are '' for none.
-- refusal_samples: the newest 100 refusals per partner; each flush deletes the older ones
-- under a transaction-scoped advisory lock, so servers flushing at once never leave more.
-- Every key starts with partner_id (Citus: distributed by partner_id like the raw tables).

CREATE TABLE refusal_counts (
  partner_id text COLLATE "C" NOT NULL,
  bucket     bigint NOT NULL,
  route      text COLLATE "C" NOT NULL,
  status     integer NOT NULL,
  detail     text COLLATE "C" NOT NULL,
  type       text COLLATE "C" NOT NULL,
  loc        text COLLATE "C" NOT NULL,
  count      bigint NOT NULL,
  PRIMARY KEY (partner_id, bucket, route, status, detail, type, loc)
);

CREATE INDEX refusal_counts_bucket ON refusal_counts(bucket);

CREATE TABLE refusal_samples (
  partner_id text COLLATE "C" NOT NULL,
  id         bigserial NOT NULL,
  at         bigint NOT NULL,
  route      text NOT NULL,
  status     integer NOT NULL,
  detail     text NOT NULL,
  errors     text NOT NULL,
  request_id text NOT NULL,
  key_id     text NOT NULL,
  PRIMARY KEY (partner_id, id)
);

CREATE INDEX refusal_samples_partner_at ON refusal_samples(partner_id, at, id);
