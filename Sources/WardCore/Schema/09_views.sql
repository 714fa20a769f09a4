-- What the screens read: views in schema api, each WITH (security_invoker = true,
-- security_barrier = true) so the caller's own policies apply to every row (a plain view
-- would run with its owner's rights and bypass row-level security). ward_app gets SELECT
-- on the views and on exactly the base-table columns they show (15_grants): never
-- password or token hashes, never the search keys.

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
       a.clinician_id, s.display_name AS clinician, a.starts_at,
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

-- What the terminal loads after login: its clinic's keys and the portable keys, each with
-- the scope its values are bound to ('clinic:<tenant id>' or 'portable').
CREATE VIEW api.data_keys WITH (security_invoker = true, security_barrier = true) AS
SELECT 'clinic:' || k.tenant_id::text AS scope, k.version, k.wrapped FROM ward.data_keys k
UNION ALL
SELECT 'portable', p.version, p.wrapped FROM ward.portable_keys p;

-- The audit viewer's page: a set-returning function rather than a query on api.audit_log,
-- because a security_barrier view is never flattened and ORDER BY/LIMIT would stay outside
-- it (docs/adr/0005-audit-hashing.md has the page's figures). SECURITY INVOKER, plain SQL
-- that inlines: the caller's own policies on audit_events and staff apply as in the view.
CREATE FUNCTION api.audit_page(before_id bigint, filter text, lim integer)
    RETURNS TABLE (id bigint, occurred_at timestamptz, actor text, impersonated boolean, action text,
                   object_type text, object_id text, details jsonb)
    LANGUAGE sql STABLE
    AS $$
    SELECT e.id, e.occurred_at, (SELECT s.username FROM ward.staff s WHERE s.id = e.actor_id),
           e.impersonated_by IS NOT NULL, e.action, e.object_type, e.object_id, e.details
      FROM ward.audit_events e
     WHERE e.id < COALESCE(before_id, 9223372036854775807)
       AND (filter = '' OR e.action LIKE filter || '%'
            OR e.actor_id = (SELECT s.id FROM ward.staff s WHERE s.username = filter))
     ORDER BY e.id DESC
     LIMIT lim
    $$;
