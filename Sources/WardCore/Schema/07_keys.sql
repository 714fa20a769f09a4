-- Encryption at rest: the wrapped data keys and the shape of a sealed value.
--
-- The master key (key-encryption key) lives in a file outside the database and never
-- reaches PostgreSQL. Each clinic has its own data key, and the portable profiles (which
-- belong to no clinic) have one more; every row below is a data key sealed with
-- AES-256-GCM under the master key, bound to its scope and version, so a dump of these
-- tables opens nothing. Sensitive free text (allergies, consent signatures, note bodies)
-- is sealed in the terminal and stored only as ciphertext (docs/ENCRYPTION.md,
-- docs/adr/0003-sealed-fields.md). Writing keys is the owner's job (`ward keys rotate`,
-- the demo seed): ward_app and ward_auth get no INSERT, UPDATE or DELETE here.

-- One clinic's data keys, every version still needed to read its values. A value's header
-- names the version it was sealed with; the newest version seals new values.
CREATE TABLE ward.data_keys (
    tenant_id  uuid NOT NULL REFERENCES ward.tenants (id),
    version    integer NOT NULL CHECK (version > 0),
    wrapped    bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT ward.now(),
    PRIMARY KEY (tenant_id, version)
);

-- The portable profiles' data keys: no tenant_id, like ward.patients. Any clinic holding a
-- consent must be able to read the allergies it was shown.
CREATE TABLE ward.portable_keys (
    version    integer PRIMARY KEY CHECK (version > 0),
    wrapped    bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT ward.now()
);

-- A random value sealed by the master key and bound to the scope 'key-check'. `ward` opens
-- it at start, before anyone logs in, to say "wrong master key" before anything is written.
-- It protects nothing and reveals nothing without the master key.
CREATE TABLE ward.key_check (
    only_row   boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    wrapped    bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT ward.now()
);

-- A sealed value: "W1", key version (4 bytes), nonce (12), ciphertext, tag (16).
CREATE FUNCTION ward.is_sealed(v bytea) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT pg_catalog.octet_length(v) >= 34 AND pg_catalog.substr(v, 1, 2) = '\x5731'::bytea $$;

CREATE FUNCTION ward.sealed_version(v bytea) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT CASE WHEN ward.is_sealed(v)
                THEN (pg_catalog.get_byte(v, 2)::bigint << 24 | pg_catalog.get_byte(v, 3) << 16
                      | pg_catalog.get_byte(v, 4) << 8 | pg_catalog.get_byte(v, 5))::integer END
    $$;

-- The api functions refuse anything that is not a sealed value, so a client that forgot to
-- seal cannot store plaintext by mistake.
CREATE FUNCTION ward.require_sealed(v bytea, field text) RETURNS void
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF v IS NOT NULL AND NOT ward.is_sealed(v) THEN
        RAISE EXCEPTION 'this value was not encrypted by the terminal; nothing was saved'
            USING ERRCODE = '22023', HINT = 'field:' || field;
    END IF;
END $$;

-- A sealed value is bound to its row id, so the terminal chooses the id of a new row.
CREATE FUNCTION ward.require_row_id(v uuid) RETURNS void
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF v IS NULL THEN
        RAISE EXCEPTION 'the terminal must choose the new record''s id (its encryption is bound to it)'
            USING ERRCODE = '22023';
    END IF;
END $$;

-- The master-key check value, for any connection before login.
CREATE FUNCTION api.master_key_check() RETURNS bytea
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT c.wrapped FROM ward.key_check c $$;
