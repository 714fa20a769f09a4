-- Sessions and the context functions every policy calls.
--
-- The terminal starts each transaction with set_config('ward.session', token, true). A
-- setting is forgeable by whoever holds ward_app's password, so no policy trusts it as a
-- tenant id: the context functions hash it and look for a live session. Anything else
-- (unset, '', garbage, expired, idle too long, revoked) resolves to NULL, and
-- `tenant_id = NULL` is never true: reads return no row and every WITH CHECK fails.
GRANT CREATE ON SCHEMA ward, api TO ward_auth;

CREATE TABLE ward.sessions (
    tenant_id       uuid NOT NULL REFERENCES ward.tenants (id),
    id              uuid NOT NULL DEFAULT pg_catalog.gen_random_uuid(),
    -- SHA-256 of the token; the token itself (256 random bits) is never stored.
    token_hash      bytea NOT NULL CHECK (pg_catalog.length(token_hash) = 32),
    staff_id        uuid NOT NULL REFERENCES ward.staff (id),
    role            text NOT NULL REFERENCES ward.roles (role),
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    -- Absolute limit: 8 hours after login, whatever the activity.
    expires_at      timestamptz NOT NULL DEFAULT pg_catalog.now() + interval '8 hours',
    -- Idle limit: refused once last_seen_at + idle_limit has passed. last_seen_at moves
    -- forward in api.touch() and in every api function that writes (see ward.touch_session).
    last_seen_at    timestamptz NOT NULL DEFAULT pg_catalog.now(),
    idle_limit      interval NOT NULL DEFAULT interval '10 minutes'
                    CHECK (idle_limit BETWEEN interval '1 minute' AND interval '8 hours'),
    revoked_at      timestamptz,
    -- Set on impersonation sessions: the platform administrator acting in this clinic.
    impersonated_by uuid REFERENCES ward.staff (id),
    impersonation_reason text,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, token_hash)
);
-- Resolving a token must not need the tenant: the token is all the caller has.
CREATE INDEX sessions_token_hash ON ward.sessions (token_hash);
CREATE INDEX sessions_staff ON ward.sessions (tenant_id, staff_id) WHERE revoked_at IS NULL;

-- The live session named by ward.session, or no row. The one place that defines "live".
CREATE FUNCTION ward.live_session()
    RETURNS TABLE (session_id uuid, tenant_id uuid, staff_id uuid, role text, impersonated_by uuid)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT s.id, s.tenant_id, s.staff_id, s.role, s.impersonated_by
      FROM ward.sessions s
     WHERE s.token_hash = pg_catalog.sha256(pg_catalog.convert_to(
               NULLIF(pg_catalog.current_setting('ward.session', true), ''), 'UTF8'))
       AND s.revoked_at IS NULL
       AND s.expires_at > pg_catalog.now()
       AND s.last_seen_at + s.idle_limit > pg_catalog.now()
     LIMIT 1
    $$;

CREATE FUNCTION ward.current_tenant() RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT s.tenant_id FROM ward.live_session() s $$;

CREATE FUNCTION ward.current_staff() RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT s.staff_id FROM ward.live_session() s $$;

CREATE FUNCTION ward.current_session_id() RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT s.session_id FROM ward.live_session() s $$;

CREATE FUNCTION ward.has_permission(p text) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT EXISTS (SELECT 1 FROM ward.live_session() s
                     JOIN ward.role_permissions rp ON rp.role = s.role
                    WHERE rp.permission = p)
    $$;

-- For api functions: the live session or SQLSTATE 28000 'no live session'.
CREATE FUNCTION ward.require_session()
    RETURNS TABLE (session_id uuid, tenant_id uuid, staff_id uuid, role text, impersonated_by uuid)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    RETURN QUERY SELECT * FROM ward.live_session();
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no live session: log in again' USING ERRCODE = '28000';
    END IF;
END $$;

-- For api functions: raise 42501 unless the session's role has permission p.
CREATE FUNCTION ward.require_permission(p text) RETURNS void
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM ward.require_session();
    IF NOT ward.has_permission(p) THEN
        RAISE EXCEPTION 'permission denied: your role lacks %', p USING ERRCODE = '42501';
    END IF;
END $$;

-- Moves the idle clock forward. At most one write per 30 seconds per session keeps this
-- cheap when the terminal calls it at the start of every action.
CREATE FUNCTION ward.touch_session() RETURNS void
    LANGUAGE sql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    UPDATE ward.sessions s SET last_seen_at = pg_catalog.now()
      FROM ward.live_session() l
     WHERE s.tenant_id = l.tenant_id AND s.id = l.session_id
       AND s.last_seen_at < pg_catalog.now() - interval '30 seconds'
    $$;

-- Is this staff member a colleague in the current clinic (for the staff policy)?
CREATE FUNCTION ward.is_member_here(p_staff uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT EXISTS (SELECT 1 FROM ward.memberships m
                    WHERE m.tenant_id = ward.current_tenant() AND m.staff_id = p_staff)
    $$;

ALTER FUNCTION ward.live_session() OWNER TO ward_auth;
ALTER FUNCTION ward.current_tenant() OWNER TO ward_auth;
ALTER FUNCTION ward.current_staff() OWNER TO ward_auth;
ALTER FUNCTION ward.current_session_id() OWNER TO ward_auth;
ALTER FUNCTION ward.has_permission(text) OWNER TO ward_auth;
ALTER FUNCTION ward.require_session() OWNER TO ward_auth;
ALTER FUNCTION ward.require_permission(text) OWNER TO ward_auth;
ALTER FUNCTION ward.touch_session() OWNER TO ward_auth;
ALTER FUNCTION ward.is_member_here(uuid) OWNER TO ward_auth;

-- Row-level security on the platform tables and on the first tenant tables.
-- tenants: a session sees its own clinic only (its name, time zone, date order).
ALTER TABLE ward.tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE ward.tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY own_clinic ON ward.tenants AS RESTRICTIVE FOR ALL
    USING (id = ward.current_tenant()) WITH CHECK (id = ward.current_tenant());
CREATE POLICY tenants_select ON ward.tenants FOR SELECT USING (true);

-- staff: colleagues of the current clinic only; secret columns are not granted at all.
ALTER TABLE ward.staff ENABLE ROW LEVEL SECURITY;
ALTER TABLE ward.staff FORCE ROW LEVEL SECURITY;
CREATE POLICY colleagues_only ON ward.staff AS RESTRICTIVE FOR ALL
    USING (ward.is_member_here(id)) WITH CHECK (ward.is_member_here(id));
CREATE POLICY staff_select ON ward.staff FOR SELECT USING (true);

-- memberships: tenant table.
ALTER TABLE ward.memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE ward.memberships FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ward.memberships AS RESTRICTIVE FOR ALL
    USING (tenant_id = ward.current_tenant()) WITH CHECK (tenant_id = ward.current_tenant());
CREATE POLICY memberships_select ON ward.memberships FOR SELECT USING (true);

-- sessions: tenant table; besides the tenant, a caller sees only the session it holds.
ALTER TABLE ward.sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE ward.sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ward.sessions AS RESTRICTIVE FOR ALL
    USING (tenant_id = ward.current_tenant()) WITH CHECK (tenant_id = ward.current_tenant());
CREATE POLICY own_session_only ON ward.sessions AS RESTRICTIVE FOR ALL
    USING (id = ward.current_session_id()) WITH CHECK (id = ward.current_session_id());
CREATE POLICY sessions_select ON ward.sessions FOR SELECT USING (true);

REVOKE CREATE ON SCHEMA ward, api FROM ward_auth;
