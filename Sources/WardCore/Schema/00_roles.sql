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
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ward_api') THEN
    -- Owns the reading api functions (SECURITY DEFINER): no BYPASSRLS and no table of its
    -- own, so the forced policies still apply inside every one (docs/adr/0012).
    CREATE ROLE ward_api NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT;
  END IF;
  IF NOT pg_has_role('ward_owner', 'ward_api', 'MEMBER') THEN
    GRANT ward_api TO ward_owner;
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
  -- The closed api (docs/adr/0012): no temporary tables for anyone but the owner.
  EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
END
$roles$;

-- The closed api (docs/adr/0012): PostgreSQL's defaults that would still let ward_app
-- create large objects or read other terminals' activity and per-table counters. These
-- objects belong to the bootstrap superuser, so only a superuser may revoke; otherwise
-- `ward verify` (rule closed_surface) reports them.
DO $defaults$
DECLARE
  f regprocedure;
  v regclass;
BEGIN
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    RAISE NOTICE 'not a superuser: large objects and activity statistics stay open to PUBLIC (see ward verify)';
    RETURN;
  END IF;
  FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
            WHERE p.pronamespace = 'pg_catalog'::regnamespace
              AND (p.proname LIKE 'lo\_%' OR p.proname IN ('loread', 'lowrite') OR p.proname LIKE 'pg\_stat\_get\_%')
  LOOP
    EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
  END LOOP;
  FOR v IN SELECT c.oid::regclass FROM pg_class c
            WHERE c.relnamespace = 'pg_catalog'::regnamespace AND c.relkind = 'v'
              AND (c.relname LIKE 'pg\_stat\_%' OR c.relname LIKE 'pg\_statio\_%')
  LOOP
    -- Monitoring keeps them through pg_monitor.
    EXECUTE format('REVOKE SELECT ON %s FROM PUBLIC', v);
    EXECUTE format('GRANT SELECT ON %s TO pg_read_all_stats', v);
  END LOOP;
END
$defaults$;

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
