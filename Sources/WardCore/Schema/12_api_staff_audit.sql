-- The api of staff management (admin) and of the audit viewer. Every staff change is
-- audited. SECURITY DEFINER as ward_auth: each function states its guard first.

CREATE FUNCTION api.add_staff_member(username text, display_name text, role text, initial_password text)
    RETURNS uuid
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    l record;
    sid uuid;
BEGIN
    PERFORM ward.require_permission('staff.manage');
    SELECT * INTO l FROM ward.require_session();
    IF role NOT IN ('admin', 'specialist', 'front_desk', 'billing') THEN
        RAISE EXCEPTION 'role must be admin, specialist, front_desk or billing' USING ERRCODE = '22023', HINT = 'field:role';
    END IF;
    SELECT s.id INTO sid FROM ward.staff s WHERE s.username = pg_catalog.lower(pg_catalog.btrim(add_staff_member.username));
    IF sid IS NULL THEN
        IF pg_catalog.length(COALESCE(initial_password, '')) < 10 THEN
            RAISE EXCEPTION 'the initial password needs at least 10 characters' USING ERRCODE = '22023', HINT = 'field:password';
        END IF;
        IF pg_catalog.lower(pg_catalog.btrim(username)) !~ '^[a-z][a-z0-9._-]{1,39}$' THEN
            RAISE EXCEPTION 'a username is 2 to 40 lower-case letters, digits, dots, dashes or underscores'
                USING ERRCODE = '22023', HINT = 'field:username';
        END IF;
        INSERT INTO ward.staff (username, display_name, password_hash, must_change_password)
        VALUES (pg_catalog.lower(pg_catalog.btrim(username)), COALESCE(NULLIF(pg_catalog.btrim(display_name), ''), username),
                ward.hash_password(initial_password), true)
        RETURNING id INTO sid;
    END IF;
    -- A platform administrator's account never becomes a clinic member: she works in a
    -- clinic only through impersonation, which the clinic sees.
    IF EXISTS (SELECT 1 FROM ward.memberships m JOIN ward.tenants t ON t.id = m.tenant_id
                WHERE m.staff_id = sid AND t.kind = 'platform') THEN
        RAISE EXCEPTION 'that account belongs to the platform and cannot join a clinic' USING ERRCODE = '42501', HINT = 'field:username';
    END IF;
    IF EXISTS (SELECT 1 FROM ward.memberships m WHERE m.tenant_id = l.tenant_id AND m.staff_id = sid) THEN
        RAISE EXCEPTION 'that person already works at this clinic' USING ERRCODE = '22023', HINT = 'field:username';
    END IF;
    INSERT INTO ward.memberships (tenant_id, staff_id, role) VALUES (l.tenant_id, sid, role);
    PERFORM ward.audit_here('staff.add', 'staff', sid::text, NULL, pg_catalog.jsonb_build_object('role', role));
    RETURN sid;
END $$;

CREATE FUNCTION api.set_staff_role(staff uuid, role text) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    l record;
BEGIN
    PERFORM ward.require_permission('staff.manage');
    SELECT * INTO l FROM ward.require_session();
    IF role NOT IN ('admin', 'specialist', 'front_desk', 'billing') THEN
        RAISE EXCEPTION 'role must be admin, specialist, front_desk or billing' USING ERRCODE = '22023', HINT = 'field:role';
    END IF;
    UPDATE ward.memberships m SET role = set_staff_role.role WHERE m.tenant_id = l.tenant_id AND m.staff_id = staff;
    IF NOT FOUND THEN RAISE EXCEPTION 'no such staff member here' USING ERRCODE = 'P0002'; END IF;
    PERFORM ward.audit_here('staff.role', 'staff', staff::text, NULL, pg_catalog.jsonb_build_object('role', role));
END $$;

CREATE FUNCTION api.disable_staff(staff uuid) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    l record;
BEGIN
    PERFORM ward.require_permission('staff.manage');
    SELECT * INTO l FROM ward.require_session();
    IF staff = l.staff_id THEN
        RAISE EXCEPTION 'you cannot disable your own account' USING ERRCODE = '22023';
    END IF;
    UPDATE ward.memberships m SET disabled_at = ward.now()
     WHERE m.tenant_id = l.tenant_id AND m.staff_id = staff AND m.disabled_at IS NULL;
    IF NOT FOUND THEN RAISE EXCEPTION 'no such active staff member here' USING ERRCODE = 'P0002'; END IF;
    UPDATE ward.sessions s SET revoked_at = ward.now()
     WHERE s.tenant_id = l.tenant_id AND s.staff_id = staff AND s.revoked_at IS NULL;
    PERFORM ward.audit_here('staff.disable', 'staff', staff::text, NULL, '{}');
END $$;

-- The person must choose a new password at next login, and whoever is logged in with the
-- old one is logged out (a reset is often the answer to a password someone else learnt).
CREATE FUNCTION api.reset_staff_password(staff uuid, new_password text) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    l record;
BEGIN
    PERFORM ward.require_permission('staff.manage');
    SELECT * INTO l FROM ward.require_session();
    IF NOT EXISTS (SELECT 1 FROM ward.memberships m WHERE m.tenant_id = l.tenant_id
                      AND m.staff_id = reset_staff_password.staff) THEN
        RAISE EXCEPTION 'no such staff member here' USING ERRCODE = 'P0002';
    END IF;
    -- An account is platform-wide: one clinic's admin must not take over a person who also
    -- works elsewhere (add them here, then set their password). Only the platform may.
    IF EXISTS (SELECT 1 FROM ward.memberships m WHERE m.staff_id = reset_staff_password.staff
                  AND m.tenant_id <> l.tenant_id) THEN
        RAISE EXCEPTION 'this person also works at another clinic; ask the platform administrators to reset the password'
            USING ERRCODE = '42501';
    END IF;
    IF pg_catalog.length(COALESCE(new_password, '')) < 10 THEN
        RAISE EXCEPTION 'the password needs at least 10 characters' USING ERRCODE = '22023', HINT = 'field:password';
    END IF;
    UPDATE ward.staff s SET password_hash = ward.hash_password(new_password), must_change_password = true,
           failed_logins = 0, locked_until = NULL
     WHERE s.id = reset_staff_password.staff;
    PERFORM ward.audit_here('staff.password_reset', 'staff', reset_staff_password.staff::text, NULL, '{}');
    -- After the audit event, which must still find the caller's session if she reset
    -- her own password.
    UPDATE ward.sessions se SET revoked_at = ward.now()
     WHERE se.tenant_id = l.tenant_id AND se.staff_id = reset_staff_password.staff AND se.revoked_at IS NULL;
END $$;

-- Whether this clinic's newest audit events still chain correctly (for the viewer's status
-- line); `ward audit verify` checks whole chains.
CREATE FUNCTION api.audit_chain_status(last_n integer DEFAULT 1000)
    RETURNS TABLE (checked bigint, broken_at bigint)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM ward.require_permission('audit.view');
    RETURN QUERY
    SELECT pg_catalog.count(*),
           pg_catalog.min(r.id) FILTER (WHERE r.content_bad OR (r.before IS NOT NULL AND r.prev_hash <> r.before))
      FROM (SELECT e.id, e.prev_hash, e.content_bad, pg_catalog.lag(e.hash) OVER (ORDER BY e.id) AS before
              FROM (SELECT x.id, x.prev_hash, x.hash, x.hash <> ward.audit_hash(x) AS content_bad
                      FROM ward.audit_events x WHERE x.tenant_id = ward.current_tenant()
                     ORDER BY x.id DESC LIMIT LEAST(GREATEST(last_n, 1), 100000)) e) r;
END $$;
