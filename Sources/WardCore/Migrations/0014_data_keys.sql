-- Data keys for encryption at rest (issue 9), stored only wrapped by the master key.
--
-- The master key (key-encryption key) lives in a file outside the database; it never
-- reaches PostgreSQL. Each clinic has its own data key, and the portable profiles (which
-- belong to no clinic) have one more. Every row below is a data key sealed with
-- AES-256-GCM under the master key, bound to its scope and version, so a dump of these
-- tables opens nothing. Encryption and decryption happen in the client, never in SQL.
--
-- Writing keys is the owner's job (`ward keys rotate --dsn OWNER_DSN`, or the demo seed):
-- ward_app and ward_auth get no INSERT, UPDATE or DELETE on these tables.
GRANT CREATE ON SCHEMA ward, api TO ward_auth;

-- One clinic's data keys, every version still needed to read its values. The value's own
-- header names the version it was sealed with; the newest version seals new values.
CREATE TABLE ward.data_keys (
    tenant_id  uuid NOT NULL REFERENCES ward.tenants (id),
    version    integer NOT NULL CHECK (version > 0),
    wrapped    bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (tenant_id, version)
);

-- The portable profiles' data keys. A separate table with no tenant_id, like ward.patients:
-- the key belongs to no clinic, and any clinic holding a consent must be able to read the
-- allergies it was shown.
CREATE TABLE ward.portable_keys (
    version    integer PRIMARY KEY CHECK (version > 0),
    wrapped    bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);

-- A random value sealed by the master key and bound to the scope 'key-check'. `ward` opens
-- it at start, before anyone logs in, to say "wrong master key" before anything is written.
-- It protects nothing and reveals nothing without the master key.
CREATE TABLE ward.key_check (
    only_row   boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    wrapped    bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);

-- A clinic's session reads its own clinic's wrapped keys, nothing of another clinic's.
ALTER TABLE ward.data_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE ward.data_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ward.data_keys AS RESTRICTIVE FOR ALL
    USING (tenant_id = ward.current_tenant()) WITH CHECK (tenant_id = ward.current_tenant());
CREATE POLICY data_keys_select ON ward.data_keys FOR SELECT USING (true);

-- Any live session reads the portable keys; without a session, nothing.
ALTER TABLE ward.portable_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE ward.portable_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY live_session_only ON ward.portable_keys AS RESTRICTIVE FOR ALL
    USING (ward.current_tenant() IS NOT NULL) WITH CHECK (ward.current_tenant() IS NOT NULL);
CREATE POLICY portable_keys_select ON ward.portable_keys FOR SELECT USING (true);

-- Nobody but the owner reads the check value directly; api.master_key_check() hands it out.
ALTER TABLE ward.key_check ENABLE ROW LEVEL SECURITY;
ALTER TABLE ward.key_check FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_only ON ward.key_check AS RESTRICTIVE FOR ALL USING (false) WITH CHECK (false);

-- What the terminal loads after login: its clinic's keys and the portable keys, each with
-- the scope its values are bound to ('clinic:<tenant id>' or 'portable').
CREATE VIEW api.data_keys WITH (security_invoker = true, security_barrier = true) AS
SELECT 'clinic:' || k.tenant_id::text AS scope, k.version, k.wrapped FROM ward.data_keys k
UNION ALL
SELECT 'portable', p.version, p.wrapped FROM ward.portable_keys p;

CREATE FUNCTION api.master_key_check() RETURNS bytea
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT c.wrapped FROM ward.key_check c $$;

GRANT SELECT ON ward.key_check TO ward_auth;
ALTER FUNCTION api.master_key_check() OWNER TO ward_auth;
GRANT SELECT ON api.data_keys TO ward_app;
GRANT SELECT (tenant_id, version, wrapped) ON ward.data_keys TO ward_app;
GRANT SELECT (version, wrapped) ON ward.portable_keys TO ward_app;
GRANT EXECUTE ON FUNCTION api.master_key_check() TO ward_app;

REVOKE CREATE ON SCHEMA ward, api FROM ward_auth;
