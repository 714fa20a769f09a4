-- Row-level security that costs almost nothing (issue 7), chosen by measurement.
--
-- Measured on 100 clinics / 100k patients (`make bench`, BENCHMARKS.md): an audit page of
-- 50 rows took 14 ms as ward_app against 0.6 ms for the same SQL without RLS, a day list
-- of 108 appointments 70 ms against 2 ms. The plans showed why: every policy function ran
-- once per row (`Filter: ward.has_permission(...)`, `ward.consented_here(id)` and
-- `ward.is_member_here(id)` on every joined row), and each call cost about 90 us because
-- the context functions call one another (consented_here -> current_tenant ->
-- live_session): a SQL function that is SECURITY DEFINER is never inlined, so each nested
-- call re-plans its body on every outer call.
--
-- Two changes, each a measured step (figures in BENCHMARKS.md):
--
-- 1. The session is resolved by an inlinable function. ward.session_here() is plain SQL
--    with a standard body (BEGIN ATOMIC: names bound when it is created, so no
--    search_path is trusted) and no SECURITY DEFINER, so the planner pastes it into the
--    definer functions that use it: one level of definer call instead of three. Those
--    become PL/pgSQL, which keeps a statement's plan for the connection's life where a
--    SQL function re-plans its body in every statement: about 35 us a call instead of
--    160. Only ward_auth may execute session_here; it reads ward.sessions, which only
--    ward_auth (BYPASSRLS) can read whole.
--
-- 2. Policies evaluate the session once per statement. `(SELECT ward.current_tenant())`
--    and `(SELECT ward.has_permission('...'))` are uncorrelated sub-SELECTs, which
--    PostgreSQL runs once as an initPlan and then compares like a constant (an index
--    condition on tenant_id), however many rows or nested-loop rescans follow. The two
--    per-row checks become joins the planner can do cheaply: a colleague is a staff id in
--    this clinic's memberships (a hashed sub-plan, built once), and a patient is visible
--    when this clinic holds a live consent, looked up through ward.consents_here, an index
--    probe per row instead of a function call.
--
-- The trade-off DESIGN 6 names: Citus (11.0+) rejects policies that contain a sub-SELECT.
-- The function forms of 0004/0007 remain below, flattened by step 1, and are what a Citus
-- deployment would restore with ALTER POLICY; on one server the sub-SELECT forms are what
-- meets the issue's 1.05 ratio. pgTAP (01-19) re-proves every isolation claim on them.
GRANT CREATE ON SCHEMA ward TO ward_auth;

CREATE FUNCTION ward.session_here()
    RETURNS TABLE (session_id uuid, tenant_id uuid, staff_id uuid, role text, impersonated_by uuid)
    LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT s.id, s.tenant_id, s.staff_id, s.role, s.impersonated_by
      FROM ward.sessions s
     WHERE s.token_hash = pg_catalog.sha256(pg_catalog.convert_to(
               NULLIF(pg_catalog.current_setting('ward.session', true), ''), 'UTF8'))
       AND s.revoked_at IS NULL
       AND s.expires_at > pg_catalog.now()
       AND s.last_seen_at + s.idle_limit > pg_catalog.now()
     LIMIT 1;
END;
ALTER FUNCTION ward.session_here() OWNER TO ward_auth;
REVOKE ALL ON FUNCTION ward.session_here() FROM PUBLIC;

-- The same definitions as 0004 and 0007, each now one definer call around the inlined
-- session lookup; "live" is still defined in one place (ward.session_here).
CREATE OR REPLACE FUNCTION ward.live_session()
    RETURNS TABLE (session_id uuid, tenant_id uuid, staff_id uuid, role text, impersonated_by uuid)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN RETURN QUERY SELECT * FROM ward.session_here(); END $$;

CREATE OR REPLACE FUNCTION ward.touch_session() RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    UPDATE ward.sessions s SET last_seen_at = pg_catalog.now()
      FROM ward.session_here() l
     WHERE s.tenant_id = l.tenant_id AND s.id = l.session_id
       AND s.last_seen_at < pg_catalog.now() - interval '30 seconds';
END $$;

CREATE OR REPLACE FUNCTION ward.current_tenant() RETURNS uuid
    LANGUAGE plpgsql STABLE SECURITY DEFINER PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN RETURN (SELECT s.tenant_id FROM ward.session_here() s); END $$;

CREATE OR REPLACE FUNCTION ward.current_staff() RETURNS uuid
    LANGUAGE plpgsql STABLE SECURITY DEFINER PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN RETURN (SELECT s.staff_id FROM ward.session_here() s); END $$;

CREATE OR REPLACE FUNCTION ward.current_session_id() RETURNS uuid
    LANGUAGE plpgsql STABLE SECURITY DEFINER PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN RETURN (SELECT s.session_id FROM ward.session_here() s); END $$;

CREATE OR REPLACE FUNCTION ward.has_permission(p text) RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN
    RETURN EXISTS (SELECT 1 FROM ward.session_here() s
                     JOIN ward.role_permissions rp ON rp.role = s.role
                    WHERE rp.permission = p);
    END $$;

CREATE OR REPLACE FUNCTION ward.is_member_here(p_staff uuid) RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN
    RETURN EXISTS (SELECT 1 FROM ward.session_here() s
                     JOIN ward.memberships m ON m.tenant_id = s.tenant_id
                    WHERE m.staff_id = p_staff);
    END $$;

CREATE OR REPLACE FUNCTION ward.consented_here(p_patient uuid) RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN
    RETURN EXISTS (SELECT 1 FROM ward.session_here() s
                     JOIN ward.profile_consents c ON c.tenant_id = s.tenant_id
                    WHERE c.patient_id = p_patient AND c.revoked_at IS NULL);
    END $$;

-- The patients this clinic holds a live consent for, for the patients policy below. It
-- runs with ward_auth's rights (a view's owner), so support staff, who may search but not
-- read consents, still see the names their clinic may show, exactly as consented_here
-- did. security_barrier: a caller's own functions never see another clinic's rows
-- before the view's filter has removed them. Only ids, and only with a search or read
-- permission, so it tells nobody more than the patients policy already does.
CREATE VIEW ward.consents_here WITH (security_barrier = true) AS
SELECT c.patient_id
  FROM ward.profile_consents c
 WHERE c.tenant_id = (SELECT ward.current_tenant())
   AND c.revoked_at IS NULL
   AND ((SELECT ward.has_permission('patient.read')) OR (SELECT ward.has_permission('patient.search')));
ALTER VIEW ward.consents_here OWNER TO ward_auth;
GRANT SELECT ON ward.consents_here TO ward_app;

-- Every tenant table's restrictive policy, in the order the tables were created.
ALTER POLICY own_clinic ON ward.tenants
    USING (id = (SELECT ward.current_tenant())) WITH CHECK (id = (SELECT ward.current_tenant()));
ALTER POLICY colleagues_only ON ward.staff
    USING (id IN (SELECT m.staff_id FROM ward.memberships m WHERE m.tenant_id = (SELECT ward.current_tenant())))
    WITH CHECK (id IN (SELECT m.staff_id FROM ward.memberships m WHERE m.tenant_id = (SELECT ward.current_tenant())));
ALTER POLICY tenant_isolation ON ward.memberships
    USING (tenant_id = (SELECT ward.current_tenant())) WITH CHECK (tenant_id = (SELECT ward.current_tenant()));
ALTER POLICY tenant_isolation ON ward.sessions
    USING (tenant_id = (SELECT ward.current_tenant())) WITH CHECK (tenant_id = (SELECT ward.current_tenant()));
ALTER POLICY own_session_only ON ward.sessions
    USING (id = (SELECT ward.current_session_id())) WITH CHECK (id = (SELECT ward.current_session_id()));
ALTER POLICY tenant_isolation ON ward.audit_events
    USING (tenant_id = (SELECT ward.current_tenant())) WITH CHECK (tenant_id = (SELECT ward.current_tenant()));
ALTER POLICY tenant_isolation ON ward.audit_heads
    USING (tenant_id = (SELECT ward.current_tenant())) WITH CHECK (tenant_id = (SELECT ward.current_tenant()));
ALTER POLICY consented_only ON ward.patients
    USING (EXISTS (SELECT 1 FROM ward.consents_here c WHERE c.patient_id = id))
    WITH CHECK (EXISTS (SELECT 1 FROM ward.consents_here c WHERE c.patient_id = id));
ALTER POLICY tenant_isolation ON ward.profile_consents
    USING (tenant_id = (SELECT ward.current_tenant())) WITH CHECK (tenant_id = (SELECT ward.current_tenant()));
ALTER POLICY tenant_isolation ON ward.clinic_patients
    USING (tenant_id = (SELECT ward.current_tenant())) WITH CHECK (tenant_id = (SELECT ward.current_tenant()));
ALTER POLICY tenant_isolation ON ward.chart_counters
    USING (tenant_id = (SELECT ward.current_tenant())) WITH CHECK (tenant_id = (SELECT ward.current_tenant()));
ALTER POLICY tenant_isolation ON ward.appointments
    USING (tenant_id = (SELECT ward.current_tenant())) WITH CHECK (tenant_id = (SELECT ward.current_tenant()));
ALTER POLICY tenant_isolation ON ward.clinical_notes
    USING (tenant_id = (SELECT ward.current_tenant())) WITH CHECK (tenant_id = (SELECT ward.current_tenant()));
ALTER POLICY tenant_isolation ON ward.profile_handles
    USING (tenant_id = (SELECT ward.current_tenant())) WITH CHECK (tenant_id = (SELECT ward.current_tenant()));
ALTER POLICY tenant_isolation ON ward.data_keys
    USING (tenant_id = (SELECT ward.current_tenant())) WITH CHECK (tenant_id = (SELECT ward.current_tenant()));
ALTER POLICY live_session_only ON ward.portable_keys
    USING ((SELECT ward.current_tenant()) IS NOT NULL) WITH CHECK ((SELECT ward.current_tenant()) IS NOT NULL);

-- The permissive read policies: what each role may see.
ALTER POLICY audit_select ON ward.audit_events USING ((SELECT ward.has_permission('audit.view')));
ALTER POLICY patients_select ON ward.patients
    USING ((SELECT ward.has_permission('patient.read')) OR (SELECT ward.has_permission('patient.search')));
ALTER POLICY consents_select ON ward.profile_consents USING ((SELECT ward.has_permission('patient.read')));
ALTER POLICY charts_select ON ward.clinic_patients USING ((SELECT ward.has_permission('patient.search')));
ALTER POLICY appointments_select ON ward.appointments USING ((SELECT ward.has_permission('appointment.view')));
ALTER POLICY notes_select ON ward.clinical_notes USING ((SELECT ward.has_permission('clinical.read')));

REVOKE CREATE ON SCHEMA ward FROM ward_auth;
