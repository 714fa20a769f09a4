-- The read layer: views in schema api, each WITH (security_invoker = true,
-- security_barrier = true) so the reader's own policies apply to every row (a plain view
-- would run with its owner's rights and bypass row-level security). Only ward_api reads
-- them, from inside the reading functions at the end of this file; ward_app reads no view
-- and no table (docs/adr/0012-closed-api.md). ward_api gets SELECT on the views and on
-- exactly the base-table columns they show (15_grants): never password or token hashes,
-- never the search keys. Each view carries tenant_id so that a function can filter by its
-- session's clinic explicitly, under the policies.

CREATE VIEW api.patient_profiles WITH (security_invoker = true, security_barrier = true) AS
SELECT cp.tenant_id, p.id AS patient_id, p.family_name, p.given_name, p.date_of_birth, p.sex, p.phone, p.email,
       p.allergies, cp.chart_no, cp.registered_at
  FROM ward.clinic_patients cp
  JOIN ward.patients p ON p.id = cp.patient_id;

CREATE VIEW api.consents WITH (security_invoker = true, security_barrier = true) AS
SELECT c.tenant_id, c.id AS consent_id, c.patient_id, c.signed_at, s.display_name AS signed_by, c.signature,
       c.text_version, c.revoked_at, r.display_name AS revoked_by, c.revoke_reason
  FROM ward.profile_consents c
  LEFT JOIN ward.staff s ON s.id = c.signed_by
  LEFT JOIN ward.staff r ON r.id = c.revoked_by;

CREATE VIEW api.appointments WITH (security_invoker = true, security_barrier = true) AS
SELECT a.tenant_id, a.id AS appointment_id, a.patient_id, p.family_name, p.given_name, cp.chart_no,
       a.clinician_id, s.display_name AS clinician, a.starts_at,
       pg_catalog.upper(a.during) AS ends_at, a.status, a.reason, a.cancel_reason
  FROM ward.appointments a
  JOIN ward.clinic_patients cp ON cp.tenant_id = a.tenant_id AND cp.patient_id = a.patient_id
  LEFT JOIN ward.patients p ON p.id = a.patient_id
  LEFT JOIN ward.staff s ON s.id = a.clinician_id;

CREATE VIEW api.clinical_notes WITH (security_invoker = true, security_barrier = true) AS
SELECT n.tenant_id, n.id AS note_id, n.patient_id, n.kind, n.title, n.body, s.display_name AS author,
       n.signed_at, n.amends_id
  FROM ward.clinical_notes n
  LEFT JOIN ward.staff s ON s.id = n.author_id;

CREATE VIEW api.audit_log WITH (security_invoker = true, security_barrier = true) AS
SELECT e.tenant_id, e.id, e.occurred_at, e.actor_id, s.username AS actor, e.impersonated_by IS NOT NULL AS impersonated,
       e.action, e.object_type, e.object_id, e.patient_id, e.details
  FROM ward.audit_events e
  LEFT JOIN ward.staff s ON s.id = e.actor_id;

CREATE VIEW api.staff_list WITH (security_invoker = true, security_barrier = true) AS
SELECT m.tenant_id, s.id AS staff_id, s.username, s.display_name, m.role, m.disabled_at IS NOT NULL AS disabled,
       s.must_change_password
  FROM ward.memberships m
  JOIN ward.staff s ON s.id = m.staff_id;

CREATE VIEW api.clinicians WITH (security_invoker = true, security_barrier = true) AS
SELECT m.tenant_id, s.id AS staff_id, s.username, s.display_name, m.role
  FROM ward.memberships m
  JOIN ward.staff s ON s.id = m.staff_id
 WHERE m.role IN ('specialist', 'admin') AND m.disabled_at IS NULL;

CREATE VIEW api.clinic WITH (security_invoker = true, security_barrier = true) AS
SELECT t.id AS tenant_id, t.code, t.name, t.time_zone, t.date_order FROM ward.tenants t;

-- What the terminal loads after login: its clinic's keys and the portable keys, each with
-- the scope its values are bound to ('clinic:<tenant id>' or 'portable').
CREATE VIEW api.data_keys WITH (security_invoker = true, security_barrier = true) AS
SELECT k.tenant_id, 'clinic:' || k.tenant_id::text AS scope, k.version, k.wrapped FROM ward.data_keys k
UNION ALL
SELECT NULL::uuid, 'portable', p.version, p.wrapped FROM ward.portable_keys p;

-- The reading api: each question a screen asks, as a function. SECURITY DEFINER, owned by
-- ward_api (no BYPASSRLS, owns no table: the forced policies apply inside), with a fixed
-- search_path. Each resolves the verified session once (ward.require_session: no live
-- session is SQLSTATE 28000), filters by that clinic explicitly and returns exactly the
-- columns and rows the screen shows; the views' policies stay the safety net beneath that
-- WHERE. The caller composes no SQL of its own over the data (docs/adr/0012-closed-api.md).

-- The booking screen's clinicians: specialists and admins of this clinic, by name.
CREATE FUNCTION api.clinician_list()
    RETURNS TABLE (staff_id uuid, username text, display_name text, role text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    tenant uuid := (SELECT s.tenant_id FROM ward.require_session() s);
BEGIN
    RETURN QUERY
    SELECT v.staff_id, v.username, v.display_name, v.role FROM api.clinicians v
     WHERE v.tenant_id = tenant
     ORDER BY v.display_name, v.username;
END $$;

-- One clinician's appointments starting in [from_time, to_time), earliest first.
CREATE FUNCTION api.schedule(clinician uuid, from_time timestamptz, to_time timestamptz)
    RETURNS TABLE (appointment_id uuid, patient_id uuid, family_name text, given_name text, chart_no text,
                   clinician_id uuid, clinician_name text, starts_at timestamptz, ends_at timestamptz,
                   status text, reason text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    tenant uuid := (SELECT s.tenant_id FROM ward.require_session() s);
BEGIN
    RETURN QUERY
    SELECT v.appointment_id, v.patient_id, v.family_name, v.given_name, v.chart_no, v.clinician_id, v.clinician,
           v.starts_at, v.ends_at, v.status, v.reason
      FROM api.appointments v
     WHERE v.tenant_id = tenant AND v.clinician_id = schedule.clinician
       AND v.starts_at >= from_time AND v.starts_at < to_time
     ORDER BY v.starts_at, v.ends_at
     LIMIT 500;
END $$;

-- The patient screen's visits: the newest 50.
CREATE FUNCTION api.patient_appointments(patient uuid)
    RETURNS TABLE (starts_at timestamptz, clinician text, status text, reason text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    tenant uuid := (SELECT s.tenant_id FROM ward.require_session() s);
BEGIN
    RETURN QUERY
    SELECT v.starts_at, v.clinician, v.status, v.reason FROM api.appointments v
     WHERE v.tenant_id = tenant AND v.patient_id = patient
     ORDER BY v.starts_at DESC
     LIMIT 50;
END $$;

-- The patient screen's notes: headings of the newest 100 (bodies only one at a time).
CREATE FUNCTION api.patient_notes(patient uuid)
    RETURNS TABLE (note_id uuid, signed_at timestamptz, kind text, title text, author text, amends_id uuid)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    tenant uuid := (SELECT s.tenant_id FROM ward.require_session() s);
BEGIN
    RETURN QUERY
    SELECT v.note_id, v.signed_at, v.kind, v.title, v.author, v.amends_id FROM api.clinical_notes v
     WHERE v.tenant_id = tenant AND v.patient_id = patient
     ORDER BY v.signed_at DESC
     LIMIT 100;
END $$;

-- One note, whole (its body sealed with the clinic's key).
CREATE FUNCTION api.note(note uuid)
    RETURNS TABLE (note_id uuid, signed_at timestamptz, kind text, title text, body bytea, author text, amends_id uuid)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    tenant uuid := (SELECT s.tenant_id FROM ward.require_session() s);
BEGIN
    RETURN QUERY
    SELECT v.note_id, v.signed_at, v.kind, v.title, v.body, v.author, v.amends_id FROM api.clinical_notes v
     WHERE v.tenant_id = tenant AND v.note_id = note;
END $$;

-- The clinic's consents of one patient, newest first (signatures sealed).
CREATE FUNCTION api.patient_consents(patient uuid)
    RETURNS TABLE (consent_id uuid, signed_at timestamptz, signed_by text, signature bytea, text_version text,
                   revoked_at timestamptz)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    tenant uuid := (SELECT s.tenant_id FROM ward.require_session() s);
BEGIN
    RETURN QUERY
    SELECT v.consent_id, v.signed_at, v.signed_by, v.signature, v.text_version, v.revoked_at FROM api.consents v
     WHERE v.tenant_id = tenant AND v.patient_id = patient
     ORDER BY v.signed_at DESC;
END $$;

-- The staff screen: active people first, then by name.
CREATE FUNCTION api.staff_members()
    RETURNS TABLE (staff_id uuid, username text, display_name text, role text, disabled boolean,
                   must_change_password boolean)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    tenant uuid := (SELECT s.tenant_id FROM ward.require_session() s);
BEGIN
    RETURN QUERY
    SELECT v.staff_id, v.username, v.display_name, v.role, v.disabled, v.must_change_password FROM api.staff_list v
     WHERE v.tenant_id = tenant
     ORDER BY v.disabled, v.display_name, v.username;
END $$;

-- What the terminal loads after login: its clinic's wrapped keys and the portable ones.
CREATE FUNCTION api.session_keys()
    RETURNS TABLE (scope text, version integer, wrapped bytea)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    tenant uuid := (SELECT s.tenant_id FROM ward.require_session() s);
BEGIN
    RETURN QUERY
    SELECT v.scope, v.version, v.wrapped FROM api.data_keys v
     WHERE v.tenant_id = tenant OR (v.tenant_id IS NULL AND v.scope = 'portable');
END $$;

-- The audit viewer's page, newest first, keyset-paged before before_id; filter matches an
-- action prefix or an actor's username. It reads the tables rather than api.audit_log,
-- because a security_barrier view is never flattened and ORDER BY/LIMIT would stay outside
-- it (docs/adr/0005-audit-hashing.md); the policies on audit_events and staff apply.
CREATE FUNCTION api.audit_page(before_id bigint, filter text, lim integer)
    RETURNS TABLE (id bigint, occurred_at timestamptz, actor text, impersonated boolean, action text,
                   object_type text, object_id text, details jsonb)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    tenant uuid := (SELECT s.tenant_id FROM ward.require_session() s);
BEGIN
    RETURN QUERY
    SELECT e.id, e.occurred_at, (SELECT s.username FROM ward.staff s WHERE s.id = e.actor_id),
           e.impersonated_by IS NOT NULL, e.action, e.object_type, e.object_id, e.details
      FROM ward.audit_events e
     WHERE e.tenant_id = tenant
       AND e.id < COALESCE(before_id, 9223372036854775807)
       AND (filter = '' OR e.action LIKE filter || '%'
            OR e.actor_id = (SELECT s.id FROM ward.staff s WHERE s.username = filter))
     ORDER BY e.id DESC
     LIMIT lim;
END $$;
