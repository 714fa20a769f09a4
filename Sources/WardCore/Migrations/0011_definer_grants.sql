-- What ward_auth's functions may touch. ward_auth bypasses row-level security, so each of
-- its functions filters by the caller's clinic itself; these grants only let it reach the
-- tables at all. It never receives UPDATE or DELETE on the audit log.
GRANT SELECT, INSERT, UPDATE ON ward.tenants, ward.staff, ward.memberships, ward.sessions,
    ward.patients, ward.profile_consents, ward.clinic_patients, ward.chart_counters,
    ward.appointments, ward.clinical_notes, ward.profile_handles, ward.audit_heads TO ward_auth;
GRANT SELECT ON ward.roles, ward.role_permissions, ward.consent_texts TO ward_auth;
GRANT SELECT, INSERT ON ward.audit_events TO ward_auth;
GRANT DELETE ON ward.profile_handles TO ward_auth;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA ward TO ward_auth;
GRANT EXECUTE ON FUNCTION ward.fold(text), ward.phone_key(text), ward.prefix_end(text),
    ward.audit_canonical(ward.audit_events), ward.audit_hash(ward.audit_events) TO ward_auth, ward_app;
