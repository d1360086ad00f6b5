-- thrad-events SQLite schema, version 5: enrichment (issue 17) on events, conversions and clicks.
--
-- What the server derives from a request's address and user agent (model/enrichment.h): geo
-- from `serve --geoip-db` (country ISO 3166-1 alpha-2, region ISO 3166-2, city, latitude and
-- longitude) and the device from the ua-parser regexes (browser family and major version, OS
-- family, device class, is_bot 0/1). Every column is nullable: rows stored before this version,
-- and rows whose source was missing, keep NULL. Adding a nullable column without a default
-- rewrites no rows. No index: nothing looks rows up by these columns.
-- (Comments stay outside the statements, which SQLite keeps verbatim in sqlite_schema.)

ALTER TABLE events ADD COLUMN geo_country TEXT;
ALTER TABLE events ADD COLUMN geo_region TEXT;
ALTER TABLE events ADD COLUMN geo_city TEXT;
ALTER TABLE events ADD COLUMN geo_lat REAL;
ALTER TABLE events ADD COLUMN geo_lon REAL;
ALTER TABLE events ADD COLUMN ua_browser TEXT;
ALTER TABLE events ADD COLUMN ua_browser_version TEXT;
ALTER TABLE events ADD COLUMN ua_os TEXT;
ALTER TABLE events ADD COLUMN ua_device TEXT;
ALTER TABLE events ADD COLUMN is_bot INTEGER CHECK (is_bot IN (0, 1));

ALTER TABLE conversions ADD COLUMN geo_country TEXT;
ALTER TABLE conversions ADD COLUMN geo_region TEXT;
ALTER TABLE conversions ADD COLUMN geo_city TEXT;
ALTER TABLE conversions ADD COLUMN geo_lat REAL;
ALTER TABLE conversions ADD COLUMN geo_lon REAL;
ALTER TABLE conversions ADD COLUMN ua_browser TEXT;
ALTER TABLE conversions ADD COLUMN ua_browser_version TEXT;
ALTER TABLE conversions ADD COLUMN ua_os TEXT;
ALTER TABLE conversions ADD COLUMN ua_device TEXT;
ALTER TABLE conversions ADD COLUMN is_bot INTEGER CHECK (is_bot IN (0, 1));

ALTER TABLE clicks ADD COLUMN geo_country TEXT;
ALTER TABLE clicks ADD COLUMN geo_region TEXT;
ALTER TABLE clicks ADD COLUMN geo_city TEXT;
ALTER TABLE clicks ADD COLUMN geo_lat REAL;
ALTER TABLE clicks ADD COLUMN geo_lon REAL;
ALTER TABLE clicks ADD COLUMN ua_browser TEXT;
ALTER TABLE clicks ADD COLUMN ua_browser_version TEXT;
ALTER TABLE clicks ADD COLUMN ua_os TEXT;
ALTER TABLE clicks ADD COLUMN ua_device TEXT;
ALTER TABLE clicks ADD COLUMN is_bot INTEGER CHECK (is_bot IN (0, 1));
