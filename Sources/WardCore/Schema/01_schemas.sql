-- Ward's schemas, extensions and the few helpers every later file uses.
--
--   ward           tables and helpers; ward_app has no USAGE here (15_grants)
--   api            the functions the terminal (ward_app) calls, and the views that
--                  ward_api's reading functions read
--   ext            extensions, so nothing they define can shadow a name in ward or api
--   ward_attempts  one set of rollback-proof counters per account (05_login_limits)
--   ops            the operator's functions, for members of ward_owner only (13_ops)
--
-- The whole baseline runs as ward_owner. Nothing it creates is executable by PUBLIC:
-- every EXECUTE is granted by name in 15_grants.
CREATE SCHEMA ward;
CREATE SCHEMA api;
CREATE SCHEMA ext;
CREATE SCHEMA ward_attempts;
CREATE SCHEMA ops AUTHORIZATION ward_owner;
REVOKE ALL ON SCHEMA ward, api, ext, ward_attempts, ops FROM PUBLIC;

CREATE EXTENSION IF NOT EXISTS pgcrypto SCHEMA ext;    -- bcrypt (crypt, gen_salt), gen_random_bytes
CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA ext;    -- accent-insensitive patient search
CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA ext;  -- uuid = in the no-double-booking exclusion

ALTER DEFAULT PRIVILEGES FOR ROLE ward_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE ward_auth REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

-- The time the application acts on: session expiry and idleness, lockout and look-up
-- windows, handle expiry, appointment and consent times, every timestamp default. Every
-- such place calls ward.now(), never now() itself, so that a test harness (as superuser)
-- can replace this one function to pin the clock. A standard SQL body: nothing is looked
-- up by name at run time and no setting ward_app can change reaches it; the planner
-- inlines it.
CREATE FUNCTION ward.now() RETURNS timestamptz
    LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT pg_catalog.now();
END;

-- Folding for search keys: lower case, accents removed ('Álvarez' -> 'alvarez',
-- 'Nguyễn' -> 'nguyen'); other scripts pass through unchanged. Naming the dictionary
-- makes the result depend on the input alone, so an index may use it.
CREATE FUNCTION ward.fold(t text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT pg_catalog.lower(ext.unaccent('ext.unaccent'::regdictionary, t)) $$;

-- Phone numbers are compared by their digits only.
CREATE FUNCTION ward.phone_key(t text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT NULLIF(pg_catalog.regexp_replace(t, '[^0-9]', '', 'g'), '') $$;

-- Upper bound of a prefix range over COLLATE "C" keys: k <= x < k || U+10FFFF, which
-- stays an index range scan even in a generic plan (docs/adr/0004-search-keys.md).
CREATE FUNCTION ward.prefix_end(k text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT k || pg_catalog.chr(1114111) $$;
