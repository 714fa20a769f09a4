-- The roles and the migration bookkeeping. Roles are cluster-wide and ward_owner has no
-- CREATEROLE, so `ward migrate` runs this file as the connecting administrator (a
-- superuser, or a role with CREATEROLE that may grant on this database) before the
-- baseline. Every statement may run again: a role that exists is left as it is.
DO $roles$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ward_owner') THEN
    -- Owns every object; used only by `ward migrate` and the operator commands.
    -- BYPASSRLS lets operator tools (seed, audit verify, benchmarks' floor) read all
    -- clinics; the terminal never connects as this role.
    CREATE ROLE ward_owner NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE BYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ward_app') THEN
    -- What the terminal connects as: owns nothing, subject to every policy.
    CREATE ROLE ward_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ward_auth') THEN
    -- Owns only the SECURITY DEFINER functions that must act before or beside a session
    -- (login, context resolution, audit writing, consent). Nobody logs in as it and
    -- ward_app is not a member; `ward verify` lists every function it owns.
    CREATE ROLE ward_auth NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE BYPASSRLS NOINHERIT;
  END IF;
  IF NOT pg_has_role('ward_owner', 'ward_auth', 'MEMBER') THEN
    -- So that the baseline (run as ward_owner) may hand those functions over to ward_auth.
    GRANT ward_auth TO ward_owner;
  END IF;
  IF NOT pg_has_role(current_user, 'ward_owner', 'MEMBER') THEN
    EXECUTE format('GRANT ward_owner TO %I', current_user);
  END IF;
  EXECUTE format('GRANT CREATE, CONNECT, TEMPORARY ON DATABASE %I TO ward_owner', current_database());
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO ward_app', current_database());
END
$roles$;

-- Nobody but the owner creates objects in public.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- Which schema this database holds: one row per applied script, with its checksum.
CREATE SCHEMA IF NOT EXISTS ward_meta AUTHORIZATION ward_owner;
CREATE TABLE IF NOT EXISTS ward_meta.migrations (
  version    integer PRIMARY KEY,
  name       text NOT NULL,
  checksum   text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE ward_meta.migrations OWNER TO ward_owner;
