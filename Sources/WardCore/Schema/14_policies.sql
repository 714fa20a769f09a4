-- Row-level security, table by table: every switch and every policy in one place.
--
-- Each table's RESTRICTIVE policy is the isolation (the caller's clinic); the permissive
-- ones say what a role may see within it. A table with no permissive policy is read and
-- written only by ward_auth's functions (which bypass RLS and filter by clinic
-- themselves). The context is evaluated once per statement: `(SELECT ward.current_tenant())`
-- is an uncorrelated sub-SELECT, run once as an initPlan and then compared like a constant
-- (docs/adr/0001-policies-once-per-statement.md). A policy USING (true) is bounded by its
-- table's restrictive policy. FORCE: the owner is subject to them too (ward_owner has
-- BYPASSRLS for the operator tools).

-- tenants: a session sees its own clinic only (its name, time zone, date order).
ALTER TABLE ward.tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE ward.tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY own_clinic ON ward.tenants AS RESTRICTIVE FOR ALL
    USING (id = (SELECT ward.current_tenant())) WITH CHECK (id = (SELECT ward.current_tenant()));
CREATE POLICY tenants_select ON ward.tenants FOR SELECT USING (true);

-- staff: colleagues of the current clinic only; secret columns are not granted at all.
ALTER TABLE ward.staff ENABLE ROW LEVEL SECURITY;
ALTER TABLE ward.staff FORCE ROW LEVEL SECURITY;
CREATE POLICY colleagues_only ON ward.staff AS RESTRICTIVE FOR ALL
    USING (id IN (SELECT m.staff_id FROM ward.memberships m WHERE m.tenant_id = (SELECT ward.current_tenant())))
    WITH CHECK (id IN (SELECT m.staff_id FROM ward.memberships m WHERE m.tenant_id = (SELECT ward.current_tenant())));
CREATE POLICY staff_select ON ward.staff FOR SELECT USING (true);

-- memberships: the clinic's own.
ALTER TABLE ward.memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE ward.memberships FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ward.memberships AS RESTRICTIVE FOR ALL
    USING (tenant_id = (SELECT ward.current_tenant())) WITH CHECK (tenant_id = (SELECT ward.current_tenant()));
CREATE POLICY memberships_select ON ward.memberships FOR SELECT USING (true);

-- sessions: besides the clinic, a caller sees only the session it holds.
ALTER TABLE ward.sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE ward.sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ward.sessions AS RESTRICTIVE FOR ALL
    USING (tenant_id = (SELECT ward.current_tenant())) WITH CHECK (tenant_id = (SELECT ward.current_tenant()));
CREATE POLICY own_session_only ON ward.sessions AS RESTRICTIVE FOR ALL
    USING (id = (SELECT ward.current_session_id())) WITH CHECK (id = (SELECT ward.current_session_id()));
CREATE POLICY sessions_select ON ward.sessions FOR SELECT USING (true);

-- audit_events: the clinic's log, for roles with audit.view.
ALTER TABLE ward.audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE ward.audit_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ward.audit_events AS RESTRICTIVE FOR ALL
    USING (tenant_id = (SELECT ward.current_tenant())) WITH CHECK (tenant_id = (SELECT ward.current_tenant()));
CREATE POLICY audit_select ON ward.audit_events FOR SELECT USING ((SELECT ward.has_permission('audit.view')));

-- audit_heads: no permissive policy; ward_app never reads or writes chain heads.
ALTER TABLE ward.audit_heads ENABLE ROW LEVEL SECURITY;
ALTER TABLE ward.audit_heads FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ward.audit_heads AS RESTRICTIVE FOR ALL
    USING (tenant_id = (SELECT ward.current_tenant())) WITH CHECK (tenant_id = (SELECT ward.current_tenant()));

-- patients: no tenant_id; visible while the clinic holds a live consent.
ALTER TABLE ward.patients ENABLE ROW LEVEL SECURITY;
ALTER TABLE ward.patients FORCE ROW LEVEL SECURITY;
CREATE POLICY consented_only ON ward.patients AS RESTRICTIVE FOR ALL
    USING (EXISTS (SELECT 1 FROM ward.consents_here c WHERE c.patient_id = id))
    WITH CHECK (EXISTS (SELECT 1 FROM ward.consents_here c WHERE c.patient_id = id));
CREATE POLICY patients_select ON ward.patients
    FOR SELECT USING ((SELECT ward.has_permission('patient.read')) OR (SELECT ward.has_permission('patient.search')));

ALTER TABLE ward.profile_consents ENABLE ROW LEVEL SECURITY;
ALTER TABLE ward.profile_consents FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ward.profile_consents AS RESTRICTIVE FOR ALL
    USING (tenant_id = (SELECT ward.current_tenant())) WITH CHECK (tenant_id = (SELECT ward.current_tenant()));
CREATE POLICY consents_select ON ward.profile_consents FOR SELECT USING ((SELECT ward.has_permission('patient.read')));

ALTER TABLE ward.clinic_patients ENABLE ROW LEVEL SECURITY;
ALTER TABLE ward.clinic_patients FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ward.clinic_patients AS RESTRICTIVE FOR ALL
    USING (tenant_id = (SELECT ward.current_tenant())) WITH CHECK (tenant_id = (SELECT ward.current_tenant()));
CREATE POLICY charts_select ON ward.clinic_patients FOR SELECT USING ((SELECT ward.has_permission('patient.search')));

-- chart_counters: no permissive policy; only the api functions allocate chart numbers.
ALTER TABLE ward.chart_counters ENABLE ROW LEVEL SECURITY;
ALTER TABLE ward.chart_counters FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ward.chart_counters AS RESTRICTIVE FOR ALL
    USING (tenant_id = (SELECT ward.current_tenant())) WITH CHECK (tenant_id = (SELECT ward.current_tenant()));

-- profile_handles: no permissive policy; only find_portable_profile and sign_consent.
ALTER TABLE ward.profile_handles ENABLE ROW LEVEL SECURITY;
ALTER TABLE ward.profile_handles FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ward.profile_handles AS RESTRICTIVE FOR ALL
    USING (tenant_id = (SELECT ward.current_tenant())) WITH CHECK (tenant_id = (SELECT ward.current_tenant()));

-- data_keys: a clinic's session reads its own clinic's wrapped keys, nothing of another's.
ALTER TABLE ward.data_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE ward.data_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ward.data_keys AS RESTRICTIVE FOR ALL
    USING (tenant_id = (SELECT ward.current_tenant())) WITH CHECK (tenant_id = (SELECT ward.current_tenant()));
CREATE POLICY data_keys_select ON ward.data_keys FOR SELECT USING (true);

-- portable_keys: any live session reads them; without a session, nothing.
ALTER TABLE ward.portable_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE ward.portable_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY live_session_only ON ward.portable_keys AS RESTRICTIVE FOR ALL
    USING ((SELECT ward.current_tenant()) IS NOT NULL) WITH CHECK ((SELECT ward.current_tenant()) IS NOT NULL);
CREATE POLICY portable_keys_select ON ward.portable_keys FOR SELECT USING (true);

-- key_check: nobody but the owner reads it directly; api.master_key_check() hands it out.
ALTER TABLE ward.key_check ENABLE ROW LEVEL SECURITY;
ALTER TABLE ward.key_check FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_only ON ward.key_check AS RESTRICTIVE FOR ALL USING (false) WITH CHECK (false);

ALTER TABLE ward.appointments ENABLE ROW LEVEL SECURITY;
ALTER TABLE ward.appointments FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ward.appointments AS RESTRICTIVE FOR ALL
    USING (tenant_id = (SELECT ward.current_tenant())) WITH CHECK (tenant_id = (SELECT ward.current_tenant()));
CREATE POLICY appointments_select ON ward.appointments FOR SELECT USING ((SELECT ward.has_permission('appointment.view')));

ALTER TABLE ward.clinical_notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE ward.clinical_notes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ward.clinical_notes AS RESTRICTIVE FOR ALL
    USING (tenant_id = (SELECT ward.current_tenant())) WITH CHECK (tenant_id = (SELECT ward.current_tenant()));
CREATE POLICY notes_select ON ward.clinical_notes FOR SELECT USING ((SELECT ward.has_permission('clinical.read')));
