-- Extensions, default privileges and the text folding used by patient search.
--
-- Extensions live in their own schema `ext`, so nothing they define can shadow a name in
-- `ward` or `api`, and every SECURITY DEFINER function can keep its search_path pinned to
-- pg_catalog and still call them by qualified name.
CREATE SCHEMA IF NOT EXISTS ext;
REVOKE ALL ON SCHEMA ext FROM PUBLIC;
GRANT USAGE ON SCHEMA ext TO ward_app, ward_auth;
CREATE EXTENSION IF NOT EXISTS pgcrypto SCHEMA ext;    -- bcrypt (crypt, gen_salt), gen_random_bytes
CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA ext;    -- accent-insensitive patient search
CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA ext;  -- uuid = in the no-double-booking exclusion

-- Nothing Ward creates is executable by PUBLIC; every EXECUTE is granted by name (see 0011).
ALTER DEFAULT PRIVILEGES FOR ROLE ward_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE ward_auth REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

-- ward_app must resolve the helpers that policies call (policies run as the caller), so it
-- may look into schema `ward`; what it may do there is decided table by table in 0011.
GRANT USAGE ON SCHEMA ward TO ward_app, ward_auth;
GRANT USAGE ON SCHEMA api TO ward_auth;
-- ward_auth must hold CREATE on a schema to receive ownership of a function in it. Each
-- migration that hands functions over grants it at its start and revokes it at its end.

-- Folding for search keys: lower case, accents removed ('Álvarez' -> 'alvarez',
-- 'Nguyễn' -> 'nguyen'); other scripts pass through unchanged. unaccent(text) alone is only
-- STABLE (it looks its dictionary up by search_path), which an index expression cannot use:
-- naming the dictionary explicitly makes the result depend on the input alone.
CREATE FUNCTION ward.fold(t text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT pg_catalog.lower(ext.unaccent('ext.unaccent'::regdictionary, t)) $$;

-- Phone numbers are compared by their digits only.
CREATE FUNCTION ward.phone_key(t text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT NULLIF(pg_catalog.regexp_replace(t, '[^0-9]', '', 'g'), '') $$;

-- Upper bound of a prefix range over COLLATE "C" keys: k <= x < k || U+10FFFF. A range
-- with parameters keeps the search an index range scan even in a generic plan, where
-- LIKE 'k%' with a parameter could not use the index.
CREATE FUNCTION ward.prefix_end(k text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT k || pg_catalog.chr(1114111) $$;
