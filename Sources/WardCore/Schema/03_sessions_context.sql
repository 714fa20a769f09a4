-- Sessions and the context functions every policy calls.
--
-- The terminal starts each transaction with set_config('ward.session', token, true). A
-- setting is forgeable by whoever holds ward_app's password, so no policy trusts it as a
-- tenant id: the context functions hash it and look for a live session. Anything else
-- (unset, '', garbage, expired, idle too long, revoked) resolves to NULL, and
-- `tenant_id = NULL` is never true: reads return no row and every WITH CHECK fails.
CREATE TABLE ward.sessions (
    tenant_id       uuid NOT NULL REFERENCES ward.tenants (id),
    id              uuid NOT NULL DEFAULT pg_catalog.gen_random_uuid(),
    -- SHA-256 of the token; the token itself (256 random bits) is never stored.
    token_hash      bytea NOT NULL CHECK (pg_catalog.length(token_hash) = 32),
    staff_id        uuid NOT NULL REFERENCES ward.staff (id),
    role            text NOT NULL REFERENCES ward.roles (role),
    created_at      timestamptz NOT NULL DEFAULT ward.now(),
    -- Absolute limit: 8 hours after login, whatever the activity.
    expires_at      timestamptz NOT NULL DEFAULT ward.now() + interval '8 hours',
    -- Idle limit: refused once last_seen_at + idle_limit has passed. last_seen_at moves
    -- forward in ward.touch_session (api.touch and every audited api call).
    last_seen_at    timestamptz NOT NULL DEFAULT ward.now(),
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

-- The live session named by ward.session, or no row: the one place that defines "live".
-- Plain SQL with a standard body (names bound at creation, no search_path trusted) and no
-- SECURITY DEFINER, so the planner inlines it into the definer functions below; only
-- ward_auth may execute it (docs/adr/0001-policies-once-per-statement.md).
CREATE FUNCTION ward.session_here()
    RETURNS TABLE (session_id uuid, tenant_id uuid, staff_id uuid, role text, impersonated_by uuid)
    LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT s.id, s.tenant_id, s.staff_id, s.role, s.impersonated_by
      FROM ward.sessions s
     WHERE s.token_hash = pg_catalog.sha256(pg_catalog.convert_to(
               NULLIF(pg_catalog.current_setting('ward.session', true), ''), 'UTF8'))
       AND s.revoked_at IS NULL
       AND s.expires_at > ward.now()
       AND s.last_seen_at + s.idle_limit > ward.now()
     LIMIT 1;
END;

-- The context functions: each one definer call (as ward_auth) around the inlined lookup.
-- PL/pgSQL keeps each statement's plan for the connection's life.
CREATE FUNCTION ward.live_session()
    RETURNS TABLE (session_id uuid, tenant_id uuid, staff_id uuid, role text, impersonated_by uuid)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN RETURN QUERY SELECT * FROM ward.session_here(); END $$;

CREATE FUNCTION ward.current_tenant() RETURNS uuid
    LANGUAGE plpgsql STABLE SECURITY DEFINER PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN RETURN (SELECT s.tenant_id FROM ward.session_here() s); END $$;

CREATE FUNCTION ward.current_staff() RETURNS uuid
    LANGUAGE plpgsql STABLE SECURITY DEFINER PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN RETURN (SELECT s.staff_id FROM ward.session_here() s); END $$;

CREATE FUNCTION ward.current_session_id() RETURNS uuid
    LANGUAGE plpgsql STABLE SECURITY DEFINER PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN RETURN (SELECT s.session_id FROM ward.session_here() s); END $$;

CREATE FUNCTION ward.has_permission(p text) RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN
    RETURN EXISTS (SELECT 1 FROM ward.session_here() s
                     JOIN ward.role_permissions rp ON rp.role = s.role
                    WHERE rp.permission = p);
    END $$;

-- Is this staff member a colleague in the current clinic? (The staff policy states the
-- same as a join; this form is the one a Citus deployment would use.)
CREATE FUNCTION ward.is_member_here(p_staff uuid) RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN
    RETURN EXISTS (SELECT 1 FROM ward.session_here() s
                     JOIN ward.memberships m ON m.tenant_id = s.tenant_id
                    WHERE m.staff_id = p_staff);
    END $$;

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
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    UPDATE ward.sessions s SET last_seen_at = ward.now()
      FROM ward.session_here() l
     WHERE s.tenant_id = l.tenant_id AND s.id = l.session_id
       AND s.last_seen_at < ward.now() - interval '30 seconds';
END $$;
