-- thrad-events SQLite schema, version 2: per-key rate-limit overrides (token bucket).
-- NULL means "use the server-wide default" (serve --rate-limit-rps/--rate-limit-burst);
-- rate_limit_rps = 0 exempts the key from rate limiting.

ALTER TABLE api_keys ADD COLUMN rate_limit_rps REAL
  CHECK (rate_limit_rps IS NULL OR rate_limit_rps >= 0);
ALTER TABLE api_keys ADD COLUMN rate_limit_burst INTEGER
  CHECK (rate_limit_burst IS NULL OR rate_limit_burst >= 1);
