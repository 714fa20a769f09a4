-- What the screens read: views in schema api, each created WITH (security_invoker = true,
-- security_barrier = true) so the caller's own policies apply to every row. A plain view
-- would run with its owner's rights and bypass row-level security.
--
-- ward_app gets SELECT on the views and on exactly the base-table columns they show
-- (invoker views need both); never password or token hashes, never the search keys.

CREATE VIEW api.patient_profiles WITH (security_invoker = true, security_barrier = true) AS
SELECT p.id AS patient_id, p.family_name, p.given_name, p.date_of_birth, p.sex, p.phone, p.email,
       p.allergies, cp.chart_no, cp.registered_at
  FROM ward.clinic_patients cp
  JOIN ward.patients p ON p.id = cp.patient_id;

CREATE VIEW api.consents WITH (security_invoker = true, security_barrier = true) AS
SELECT c.id AS consent_id, c.patient_id, c.signed_at, s.display_name AS signed_by, c.signature,
       c.text_version, c.revoked_at, r.display_name AS revoked_by, c.revoke_reason
  FROM ward.profile_consents c
  LEFT JOIN ward.staff s ON s.id = c.signed_by
  LEFT JOIN ward.staff r ON r.id = c.revoked_by;

CREATE VIEW api.appointments WITH (security_invoker = true, security_barrier = true) AS
SELECT a.id AS appointment_id, a.patient_id, p.family_name, p.given_name, cp.chart_no,
       a.clinician_id, s.display_name AS clinician, pg_catalog.lower(a.during) AS starts_at,
       pg_catalog.upper(a.during) AS ends_at, a.status, a.reason, a.cancel_reason
  FROM ward.appointments a
  JOIN ward.clinic_patients cp ON cp.tenant_id = a.tenant_id AND cp.patient_id = a.patient_id
  LEFT JOIN ward.patients p ON p.id = a.patient_id
  LEFT JOIN ward.staff s ON s.id = a.clinician_id;

CREATE VIEW api.clinical_notes WITH (security_invoker = true, security_barrier = true) AS
SELECT n.id AS note_id, n.patient_id, n.kind, n.title, n.body, s.display_name AS author,
       n.signed_at, n.amends_id
  FROM ward.clinical_notes n
  LEFT JOIN ward.staff s ON s.id = n.author_id;

CREATE VIEW api.audit_log WITH (security_invoker = true, security_barrier = true) AS
SELECT e.id, e.occurred_at, e.actor_id, s.username AS actor, e.impersonated_by IS NOT NULL AS impersonated,
       e.action, e.object_type, e.object_id, e.patient_id, e.details
  FROM ward.audit_events e
  LEFT JOIN ward.staff s ON s.id = e.actor_id;

CREATE VIEW api.staff_list WITH (security_invoker = true, security_barrier = true) AS
SELECT s.id AS staff_id, s.username, s.display_name, m.role, m.disabled_at IS NOT NULL AS disabled,
       s.must_change_password
  FROM ward.memberships m
  JOIN ward.staff s ON s.id = m.staff_id;

CREATE VIEW api.clinicians WITH (security_invoker = true, security_barrier = true) AS
SELECT s.id AS staff_id, s.username, s.display_name, m.role
  FROM ward.memberships m
  JOIN ward.staff s ON s.id = m.staff_id
 WHERE m.role IN ('specialist', 'admin') AND m.disabled_at IS NULL;

CREATE VIEW api.clinic WITH (security_invoker = true, security_barrier = true) AS
SELECT t.code, t.name, t.time_zone, t.date_order FROM ward.tenants t;

GRANT SELECT ON api.patient_profiles, api.consents, api.appointments, api.clinical_notes,
    api.audit_log, api.staff_list, api.clinicians, api.clinic TO ward_app;
GRANT SELECT (id, family_name, given_name, date_of_birth, sex, phone, email, allergies)
    ON ward.patients TO ward_app;
GRANT SELECT (tenant_id, patient_id, chart_no, registered_at) ON ward.clinic_patients TO ward_app;
GRANT SELECT (tenant_id, id, patient_id, signed_at, signed_by, signature, text_version, revoked_at,
              revoked_by, revoke_reason) ON ward.profile_consents TO ward_app;
GRANT SELECT (tenant_id, id, patient_id, clinician_id, during, status, reason, cancel_reason)
    ON ward.appointments TO ward_app;
GRANT SELECT (tenant_id, id, patient_id, kind, title, body, author_id, signed_at, amends_id)
    ON ward.clinical_notes TO ward_app;
GRANT SELECT (tenant_id, id, occurred_at, actor_id, impersonated_by, action, object_type, object_id,
              patient_id, details) ON ward.audit_events TO ward_app;
GRANT SELECT (id, username, display_name, must_change_password) ON ward.staff TO ward_app;
GRANT SELECT (tenant_id, staff_id, role, disabled_at) ON ward.memberships TO ward_app;
GRANT SELECT (id, code, name, time_zone, date_order) ON ward.tenants TO ward_app;
