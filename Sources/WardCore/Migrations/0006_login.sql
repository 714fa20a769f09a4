-- Logging in and out, passwords, and platform impersonation.
--
-- api.login cannot RAISE on a wrong password: an exception rolls back the transaction, and
-- with it the failure count and the audit event that lockout and the audit log need. So a
-- refused login returns NULL (one answer for unknown clinic, unknown user, wrong password,
-- no membership and a disabled account) and its traces are committed. Only a locked account
-- whose correct password was given raises WL001 'account locked until ...': telling a
-- locked state to someone who does not know the password would reveal that the user exists.
--
-- bcrypt cost 11: about 120 ms a check on this platform's machines (cost 10 was ~55 ms, at
-- the bottom of the 50-250 ms band; 12 would be ~250 ms).
GRANT CREATE ON SCHEMA ward, api TO ward_auth;

CREATE FUNCTION ward.hash_password(p text) RETURNS text
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT ext.crypt(p, ext.gen_salt('bf', 11)) $$;
GRANT EXECUTE ON FUNCTION ward.hash_password(text) TO ward_auth;

-- Opens a session and returns its token: 256 random bits, hex. Only the SHA-256 is kept.
CREATE FUNCTION ward.open_session(p_tenant uuid, p_staff uuid, p_role text,
                                  p_impersonated_by uuid DEFAULT NULL, p_reason text DEFAULT NULL)
    RETURNS text
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    token text := pg_catalog.encode(ext.gen_random_bytes(32), 'hex');
BEGIN
    INSERT INTO ward.sessions (tenant_id, token_hash, staff_id, role, impersonated_by, impersonation_reason)
    VALUES (p_tenant, pg_catalog.sha256(pg_catalog.convert_to(token, 'UTF8')), p_staff, p_role,
            p_impersonated_by, p_reason);
    RETURN token;
END $$;

CREATE FUNCTION api.login(clinic text, username text, password text) RETURNS text
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    t ward.tenants;
    s ward.staff;
    m ward.memberships;
    -- A real bcrypt hash of a random password: an unknown user costs the same time.
    dummy constant text := '$2a$11$8TFjCS4YmkHyYQWv95RQFef7T4A9O7YZqW0XbtLeqa6cHdHKv6HAG';
    ok boolean;
    token text;
BEGIN
    SELECT * INTO t FROM ward.tenants WHERE code = pg_catalog.lower(pg_catalog.btrim(clinic));
    SELECT * INTO s FROM ward.staff st WHERE st.username = pg_catalog.lower(pg_catalog.btrim(login.username));
    ok := ext.crypt(COALESCE(password, ''), COALESCE(s.password_hash, dummy)) = COALESCE(s.password_hash, dummy)
          AND s.id IS NOT NULL;
    IF t.id IS NOT NULL AND s.id IS NOT NULL THEN
        SELECT * INTO m FROM ward.memberships mm
         WHERE mm.tenant_id = t.id AND mm.staff_id = s.id AND mm.disabled_at IS NULL;
    END IF;

    IF s.locked_until > pg_catalog.now() THEN
        PERFORM ward.write_audit(COALESCE(t.id, ward.platform_tenant()), 'login.refused_locked', 'staff',
                                 s.id::text, NULL, '{}', s.id, NULL, NULL);
        IF ok THEN
            RAISE EXCEPTION 'account locked until %',
                pg_catalog.to_char(s.locked_until AT TIME ZONE COALESCE(t.time_zone, 'UTC'), 'YYYY-MM-DD HH24:MI')
                USING ERRCODE = 'WL001';
        END IF;
        RETURN NULL;
    END IF;

    IF ok AND m.staff_id IS NOT NULL AND s.disabled_at IS NULL THEN
        UPDATE ward.staff SET failed_logins = 0, locked_until = NULL WHERE id = s.id;
        token := ward.open_session(t.id, s.id, m.role);
        PERFORM ward.write_audit(t.id, 'login.success', 'staff', s.id::text, NULL,
                                 pg_catalog.jsonb_build_object('role', m.role), s.id, NULL, NULL);
        RETURN token;
    END IF;

    -- Refused. The clinic's chain gets the event when the clinic exists, else the platform's.
    -- What was typed as username is kept only when it names a real account.
    PERFORM ward.write_audit(COALESCE(t.id, ward.platform_tenant()), 'login.failure', 'staff',
                             s.id::text, NULL, '{}', s.id, NULL, NULL);
    IF s.id IS NOT NULL THEN
        UPDATE ward.staff SET failed_logins = failed_logins + 1 WHERE id = s.id
        RETURNING * INTO s;
        IF s.failed_logins >= 5 THEN
            UPDATE ward.staff SET locked_until = pg_catalog.now() + interval '15 minutes', failed_logins = 0
             WHERE id = s.id;
            PERFORM ward.write_audit(COALESCE(t.id, ward.platform_tenant()), 'login.lockout', 'staff',
                                     s.id::text, NULL, '{"minutes": 15}', s.id, NULL, NULL);
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION api.logout() RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    l record;
BEGIN
    SELECT * INTO l FROM ward.live_session();
    IF NOT FOUND THEN RETURN; END IF;
    UPDATE ward.sessions SET revoked_at = pg_catalog.now() WHERE tenant_id = l.tenant_id AND id = l.session_id;
    PERFORM ward.audit_here('logout', 'session', l.session_id::text, NULL, '{}');
END $$;

-- Moves the session's idle clock; the terminal calls it when the user acts.
CREATE FUNCTION api.touch() RETURNS void
    LANGUAGE sql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT ward.touch_session() $$;

CREATE FUNCTION api.change_password(old_password text, new_password text) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    l record;
    h text;
BEGIN
    SELECT * INTO l FROM ward.require_session();
    SELECT password_hash INTO h FROM ward.staff WHERE id = l.staff_id;
    IF ext.crypt(COALESCE(old_password, ''), h) <> h THEN
        RAISE EXCEPTION 'the current password is not right' USING ERRCODE = '28P01', HINT = 'field:old_password';
    END IF;
    IF pg_catalog.length(COALESCE(new_password, '')) < 10 THEN
        RAISE EXCEPTION 'the new password needs at least 10 characters' USING ERRCODE = '22023', HINT = 'field:new_password';
    END IF;
    UPDATE ward.staff SET password_hash = ward.hash_password(new_password), must_change_password = false
     WHERE id = l.staff_id;
    PERFORM ward.audit_here('staff.password_changed', 'staff', l.staff_id::text, NULL, '{}');
END $$;

-- A platform administrator opens a session scoped to one clinic, with the read-mostly
-- 'support' role, marked as impersonated. The reason goes into that clinic's own audit log.
CREATE FUNCTION api.impersonate(clinic text, reason text) RETURNS text
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    l record;
    t ward.tenants;
    token text;
BEGIN
    PERFORM ward.require_permission('platform.impersonate');
    SELECT * INTO l FROM ward.live_session();
    IF pg_catalog.length(pg_catalog.btrim(COALESCE(reason, ''))) < 5 THEN
        RAISE EXCEPTION 'give a reason for the impersonation (at least a few words)'
            USING ERRCODE = '22023', HINT = 'field:reason';
    END IF;
    SELECT * INTO t FROM ward.tenants WHERE code = pg_catalog.lower(pg_catalog.btrim(clinic)) AND kind = 'clinic';
    IF NOT FOUND THEN
        RAISE EXCEPTION 'there is no clinic %', clinic USING ERRCODE = '22023', HINT = 'field:clinic';
    END IF;
    token := ward.open_session(t.id, l.staff_id, 'support', l.staff_id, reason);
    PERFORM ward.write_audit(t.id, 'impersonation.start', 'staff', l.staff_id::text, NULL,
                             pg_catalog.jsonb_build_object('reason', reason), l.staff_id, NULL, l.staff_id);
    PERFORM ward.audit_here('impersonation.start', 'tenant', t.id::text, NULL,
                            pg_catalog.jsonb_build_object('clinic', t.code, 'reason', reason));
    RETURN token;
END $$;

-- The caller's own session: who, where, which role, which permissions (menus are built from it).
CREATE FUNCTION api.whoami()
    RETURNS TABLE (clinic_code text, clinic_name text, time_zone text, date_order text,
                   username text, display_name text, role text, impersonated_by text,
                   must_change_password boolean, expires_at timestamptz)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT t.code, t.name, t.time_zone, t.date_order, st.username, st.display_name, l.role,
           imp.display_name, st.must_change_password, se.expires_at
      FROM ward.live_session() l
      JOIN ward.tenants t ON t.id = l.tenant_id
      JOIN ward.staff st ON st.id = l.staff_id
      JOIN ward.sessions se ON se.tenant_id = l.tenant_id AND se.id = l.session_id
      LEFT JOIN ward.staff imp ON imp.id = l.impersonated_by
    $$;

CREATE FUNCTION api.my_permissions() RETURNS SETOF text
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT rp.permission FROM ward.live_session() l
      JOIN ward.role_permissions rp ON rp.role = l.role ORDER BY 1
    $$;

ALTER FUNCTION ward.open_session(uuid, uuid, text, uuid, text) OWNER TO ward_auth;
ALTER FUNCTION api.login(text, text, text) OWNER TO ward_auth;
ALTER FUNCTION api.logout() OWNER TO ward_auth;
ALTER FUNCTION api.touch() OWNER TO ward_auth;
ALTER FUNCTION api.change_password(text, text) OWNER TO ward_auth;
ALTER FUNCTION api.impersonate(text, text) OWNER TO ward_auth;
ALTER FUNCTION api.whoami() OWNER TO ward_auth;
ALTER FUNCTION api.my_permissions() OWNER TO ward_auth;
GRANT EXECUTE ON FUNCTION api.login(text, text, text), api.logout(), api.touch(),
    api.change_password(text, text), api.impersonate(text, text), api.whoami(), api.my_permissions()
    TO ward_app;

REVOKE CREATE ON SCHEMA ward, api FROM ward_auth;
