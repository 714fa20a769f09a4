-- The operator's functions (`ward clinic add|list`, `ward staff add`), in schema ops,
-- owned by ward_owner. ward_app has no USAGE on the schema and no EXECUTE on them; their
-- callers are the members of ward_owner, i.e. whoever holds the owner DSN. They are
-- SECURITY DEFINER as ward_owner because memberships has FORCE ROW LEVEL SECURITY and only
-- ward_owner's BYPASSRLS (attributes are not inherited by members) lets a row be written
-- without a clinic session. Every call writes an event in the platform's audit chain, with
-- the database user who ran it, since operator tools have no staff account.

-- A new clinic. Every argument is checked here so the command line can pass on one
-- sentence; the table's CHECK constraints remain the last word.
CREATE FUNCTION ops.add_clinic(p_code text, p_name text, p_time_zone text, p_date_order text,
                               p_chart_prefix text) RETURNS uuid
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    c text := pg_catalog.lower(pg_catalog.btrim(COALESCE(p_code, '')));
    n text := pg_catalog.btrim(COALESCE(p_name, ''));
    z text := COALESCE(NULLIF(pg_catalog.btrim(p_time_zone), ''), 'UTC');
    d text := pg_catalog.upper(COALESCE(NULLIF(pg_catalog.btrim(p_date_order), ''), 'ISO'));
    -- Chart numbers start with the code's first letter unless the operator chose a prefix.
    cp text := pg_catalog.upper(COALESCE(NULLIF(pg_catalog.btrim(p_chart_prefix), ''), pg_catalog.left(c, 1)));
    new_id uuid;
BEGIN
    IF c !~ '^[a-z][a-z0-9-]{1,39}$' THEN
        RAISE EXCEPTION 'a clinic code is 2 to 40 lower-case letters, digits or dashes, starting with a letter'
            USING ERRCODE = '22023', HINT = 'field:code';
    END IF;
    IF n = '' THEN
        RAISE EXCEPTION 'give the clinic a name' USING ERRCODE = '22023', HINT = 'field:name';
    END IF;
    IF EXISTS (SELECT 1 FROM ward.tenants t WHERE t.code = c) THEN
        RAISE EXCEPTION 'there is already a clinic with the code %', c USING ERRCODE = '22023', HINT = 'field:code';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_timezone_names tz WHERE tz.name = z) THEN
        RAISE EXCEPTION 'unknown time zone %: use a name such as Europe/London or America/New_York', z
            USING ERRCODE = '22023', HINT = 'field:time_zone';
    END IF;
    IF d NOT IN ('DMY', 'MDY', 'ISO') THEN
        RAISE EXCEPTION 'the date order is dmy, mdy or iso' USING ERRCODE = '22023', HINT = 'field:date_order';
    END IF;
    IF cp !~ '^[A-Z]{1,3}$' THEN
        RAISE EXCEPTION 'a chart prefix is 1 to 3 letters' USING ERRCODE = '22023', HINT = 'field:chart_prefix';
    END IF;
    INSERT INTO ward.tenants (code, name, time_zone, date_order, chart_prefix)
    VALUES (c, n, z, d, cp) RETURNING tenants.id INTO new_id;
    PERFORM ward.write_audit(ward.platform_tenant(), 'clinic.add', 'tenant', new_id::text, NULL,
                             pg_catalog.jsonb_build_object('code', c, 'name', n, 'time_zone', z,
                                                           'date_order', d, 'operator', SESSION_USER),
                             NULL, NULL, NULL);
    RETURN new_id;
END $$;

-- Every clinic (and the platform pseudo-tenant) with its count of active staff. Reading
-- the list is audited too: operators leave a trace of everything they do.
CREATE FUNCTION ops.clinics()
    RETURNS TABLE (code text, name text, kind text, time_zone text, date_order text,
                   chart_prefix text, active_staff bigint, created_at timestamptz)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM ward.write_audit(ward.platform_tenant(), 'clinic.list', NULL, NULL, NULL,
                             pg_catalog.jsonb_build_object('operator', SESSION_USER), NULL, NULL, NULL);
    RETURN QUERY
    SELECT t.code, t.name, t.kind, t.time_zone, t.date_order, t.chart_prefix,
           (SELECT pg_catalog.count(*) FROM ward.memberships m
             WHERE m.tenant_id = t.id AND m.disabled_at IS NULL),
           t.created_at
      FROM ward.tenants t
     ORDER BY t.kind DESC, t.code;
END $$;

-- Whether an account exists: the command line asks for an initial password only for a
-- new account (an existing person keeps theirs).
CREATE FUNCTION ops.account_exists(p_username text) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT EXISTS (SELECT 1 FROM ward.staff s WHERE s.username = pg_catalog.lower(pg_catalog.btrim(p_username))) $$;

-- Makes a person a member of a clinic: a new account (with an initial password they must
-- change at first login) or an existing account (from another clinic). A platform
-- administrator is an account of the 'platform' pseudo-tenant with role platform_admin,
-- and such an account never joins a clinic (it enters one only by impersonation).
-- The event goes to the platform's chain and to the clinic's own, where its administrator
-- sees who joined the clinic and that an operator did it.
CREATE FUNCTION ops.add_staff(p_username text, p_clinic text, p_role text, p_display_name text,
                              p_password text) RETURNS uuid
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    u text := pg_catalog.lower(pg_catalog.btrim(COALESCE(p_username, '')));
    r text := pg_catalog.lower(pg_catalog.btrim(COALESCE(p_role, '')));
    t ward.tenants;
    sid uuid;
    created boolean := false;
    details jsonb;
BEGIN
    SELECT * INTO t FROM ward.tenants WHERE code = pg_catalog.lower(pg_catalog.btrim(COALESCE(p_clinic, '')));
    IF NOT FOUND THEN
        RAISE EXCEPTION 'there is no clinic with the code %; `ward clinic list` shows them', p_clinic
            USING ERRCODE = '22023', HINT = 'field:clinic';
    END IF;
    IF t.kind = 'platform' AND r <> 'platform_admin' THEN
        RAISE EXCEPTION 'the platform has one role: platform_admin' USING ERRCODE = '22023', HINT = 'field:role';
    END IF;
    IF t.kind = 'clinic' AND r NOT IN ('admin', 'specialist', 'front_desk', 'billing') THEN
        RAISE EXCEPTION 'unknown role %: a clinic role is admin, specialist, front_desk or billing', p_role
            USING ERRCODE = '22023', HINT = 'field:role';
    END IF;
    SELECT s.id INTO sid FROM ward.staff s WHERE s.username = u;
    IF sid IS NULL THEN
        IF u !~ '^[a-z][a-z0-9._-]{1,39}$' THEN
            RAISE EXCEPTION 'a username is 2 to 40 lower-case letters, digits, dots, dashes or underscores, starting with a letter'
                USING ERRCODE = '22023', HINT = 'field:username';
        END IF;
        IF pg_catalog.length(COALESCE(p_password, '')) < 10 THEN
            RAISE EXCEPTION 'the initial password is too weak: it needs at least 10 characters'
                USING ERRCODE = '22023', HINT = 'field:password';
        END IF;
        IF pg_catalog.strpos(pg_catalog.lower(p_password), u) > 0 THEN
            RAISE EXCEPTION 'the initial password is too weak: it must not contain the username'
                USING ERRCODE = '22023', HINT = 'field:password';
        END IF;
        INSERT INTO ward.staff (username, display_name, password_hash, must_change_password)
        VALUES (u, COALESCE(NULLIF(pg_catalog.btrim(p_display_name), ''), u), ward.hash_password(p_password), true)
        RETURNING id INTO sid;
        created := true;
    END IF;
    IF EXISTS (SELECT 1 FROM ward.memberships m WHERE m.tenant_id = t.id AND m.staff_id = sid) THEN
        RAISE EXCEPTION '% is already a member of %', u, t.code USING ERRCODE = '22023', HINT = 'field:username';
    END IF;
    -- Platform and clinic accounts stay apart (as api.add_staff_member).
    IF EXISTS (SELECT 1 FROM ward.memberships m JOIN ward.tenants x ON x.id = m.tenant_id
                WHERE m.staff_id = sid AND x.kind <> t.kind) THEN
        RAISE EXCEPTION '% already works at %, and platform and clinic accounts are kept apart: choose another username',
            u, CASE t.kind WHEN 'platform' THEN 'a clinic' ELSE 'the platform' END
            USING ERRCODE = '22023', HINT = 'field:username';
    END IF;
    INSERT INTO ward.memberships (tenant_id, staff_id, role) VALUES (t.id, sid, r);
    details := pg_catalog.jsonb_build_object('clinic', t.code, 'username', u, 'role', r,
                                             'new_account', created, 'operator', SESSION_USER);
    PERFORM ward.write_audit(ward.platform_tenant(), 'staff.add', 'staff', sid::text, NULL, details, NULL, NULL, NULL);
    IF t.kind = 'clinic' THEN
        PERFORM ward.write_audit(t.id, 'staff.add', 'staff', sid::text, NULL, details, NULL, NULL, NULL);
    END IF;
    RETURN sid;
END $$;

