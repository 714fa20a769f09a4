-- The two schemas of Ward: `ward` holds tables and helpers that only the owner touches
-- directly; `api` holds the views and functions the terminal (ward_app) may use.
CREATE SCHEMA IF NOT EXISTS ward;
CREATE SCHEMA IF NOT EXISTS api;
REVOKE ALL ON SCHEMA ward FROM PUBLIC;
REVOKE ALL ON SCHEMA api FROM PUBLIC;
GRANT USAGE ON SCHEMA api TO ward_app;
