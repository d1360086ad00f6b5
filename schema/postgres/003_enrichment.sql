-- thrad-events PostgreSQL schema, version 3: the same change as schema/sqlite/005_enrichment.sql.
--
-- Enrichment (issue 17) on events, conversions and clicks: geo from `serve --geoip-db` and the
-- device from the ua-parser regexes (model/enrichment.h). Every column is nullable; rows stored
-- before keep NULL. Adding a nullable column without a default rewrites no rows (a catalog
-- change only), so this runs in moments however large the tables are. No index.

ALTER TABLE events
  ADD COLUMN geo_country        text,
  ADD COLUMN geo_region         text,
  ADD COLUMN geo_city           text,
  ADD COLUMN geo_lat            double precision,
  ADD COLUMN geo_lon            double precision,
  ADD COLUMN ua_browser         text,
  ADD COLUMN ua_browser_version text,
  ADD COLUMN ua_os              text,
  ADD COLUMN ua_device          text,
  ADD COLUMN is_bot             boolean;

ALTER TABLE conversions
  ADD COLUMN geo_country        text,
  ADD COLUMN geo_region         text,
  ADD COLUMN geo_city           text,
  ADD COLUMN geo_lat            double precision,
  ADD COLUMN geo_lon            double precision,
  ADD COLUMN ua_browser         text,
  ADD COLUMN ua_browser_version text,
  ADD COLUMN ua_os              text,
  ADD COLUMN ua_device          text,
  ADD COLUMN is_bot             boolean;

ALTER TABLE clicks
  ADD COLUMN geo_country        text,
  ADD COLUMN geo_region         text,
  ADD COLUMN geo_city           text,
  ADD COLUMN geo_lat            double precision,
  ADD COLUMN geo_lon            double precision,
  ADD COLUMN ua_browser         text,
  ADD COLUMN ua_browser_version text,
  ADD COLUMN ua_os              text,
  ADD COLUMN ua_device          text,
  ADD COLUMN is_bot             boolean;
