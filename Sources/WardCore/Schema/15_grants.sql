-- Who owns what and who may do what: every ownership hand-over and every grant.
--
-- ward_owner owns everything not listed here. ward_auth owns the SECURITY DEFINER
-- functions that must act before or beside a session; it must hold CREATE on a schema to
-- receive an object in it, for the length of this file only. It keeps CREATE on
-- ward_attempts alone: each new account gets its counters there.
GRANT CREATE ON SCHEMA ward, api TO ward_auth;

-- Sessions and context.
ALTER FUNCTION ward.session_here() OWNER TO ward_auth;
ALTER FUNCTION ward.live_session() OWNER TO ward_auth;
ALTER FUNCTION ward.current_tenant() OWNER TO ward_auth;
ALTER FUNCTION ward.current_staff() OWNER TO ward_auth;
ALTER FUNCTION ward.current_session_id() OWNER TO ward_auth;
ALTER FUNCTION ward.has_permission(text) OWNER TO ward_auth;
ALTER FUNCTION ward.is_member_here(uuid) OWNER TO ward_auth;
ALTER FUNCTION ward.require_session() OWNER TO ward_auth;
ALTER FUNCTION ward.require_permission(text) OWNER TO ward_auth;
ALTER FUNCTION ward.touch_session() OWNER TO ward_auth;
-- Audit.
ALTER FUNCTION ward.write_audit(uuid, text, text, text, uuid, jsonb, uuid, uuid, uuid) OWNER TO ward_auth;
ALTER FUNCTION ward.platform_tenant() OWNER TO ward_auth;
ALTER FUNCTION ward.audit_here(text, text, text, uuid, jsonb, uuid) OWNER TO ward_auth;
ALTER FUNCTION ward.audit_phi() OWNER TO ward_auth;
-- Login and limits.
ALTER FUNCTION ward.attempt_counter(uuid, text) OWNER TO ward_auth;
ALTER FUNCTION ward.counter_value(regclass) OWNER TO ward_auth;
ALTER FUNCTION ward.create_attempt_counters(uuid) OWNER TO ward_auth;
ALTER FUNCTION ward.staff_attempt_counters() OWNER TO ward_auth;
ALTER FUNCTION ward.locked_until(uuid) OWNER TO ward_auth;
ALTER FUNCTION ward.clear_lockout_on_new_password() OWNER TO ward_auth;
ALTER FUNCTION ward.recover_refusals(uuid, uuid) OWNER TO ward_auth;
ALTER FUNCTION ward.recover_login_audit() OWNER TO ward_auth;
ALTER FUNCTION ward.count_refusal(uuid) OWNER TO ward_auth;
ALTER FUNCTION ward.count_lookup(uuid) OWNER TO ward_auth;
ALTER FUNCTION ward.open_session(uuid, uuid, text, uuid, text) OWNER TO ward_auth;
ALTER FUNCTION api.login(text, text, text) OWNER TO ward_auth;
ALTER FUNCTION api.logout() OWNER TO ward_auth;
ALTER FUNCTION api.touch() OWNER TO ward_auth;
ALTER FUNCTION api.server_now() OWNER TO ward_auth;
ALTER FUNCTION api.change_password(text, text) OWNER TO ward_auth;
ALTER FUNCTION api.impersonate(text, text) OWNER TO ward_auth;
ALTER FUNCTION api.whoami() OWNER TO ward_auth;
ALTER FUNCTION api.my_permissions() OWNER TO ward_auth;
-- Patients, consent and keys.
ALTER FUNCTION ward.sync_search_keys() OWNER TO ward_auth;
ALTER FUNCTION ward.consented_here(uuid) OWNER TO ward_auth;
ALTER VIEW ward.consents_here OWNER TO ward_auth;
ALTER FUNCTION ward.next_chart_no(uuid) OWNER TO ward_auth;
ALTER FUNCTION ward.grant_consent(uuid, bytea, text, uuid) OWNER TO ward_auth;
ALTER FUNCTION ward.consent_saved(uuid) OWNER TO ward_auth;
ALTER FUNCTION api.master_key_check() OWNER TO ward_auth;
-- Appointments and notes.
ALTER FUNCTION ward.raise_clash(uuid, uuid, tstzrange, uuid) OWNER TO ward_auth;
-- The api.
ALTER FUNCTION api.search_patients(text, integer) OWNER TO ward_auth;
ALTER FUNCTION api.open_patient(uuid) OWNER TO ward_auth;
ALTER FUNCTION api.likely_duplicates(text, text, date) OWNER TO ward_auth;
ALTER FUNCTION api.consent_text() OWNER TO ward_auth;
ALTER FUNCTION api.register_patient(text, text, date, text, text, text, bytea, bytea, text, uuid, uuid) OWNER TO ward_auth;
ALTER FUNCTION api.find_portable_profile(text, text, date) OWNER TO ward_auth;
ALTER FUNCTION api.sign_consent(text, bytea, text, uuid) OWNER TO ward_auth;
ALTER FUNCTION api.revoke_consent(uuid, text) OWNER TO ward_auth;
ALTER FUNCTION api.book_appointment(uuid, uuid, timestamptz, integer, text) OWNER TO ward_auth;
ALTER FUNCTION api.reschedule_appointment(uuid, timestamptz, integer) OWNER TO ward_auth;
ALTER FUNCTION api.cancel_appointment(uuid, text) OWNER TO ward_auth;
ALTER FUNCTION api.set_appointment_status(uuid, text) OWNER TO ward_auth;
ALTER FUNCTION api.write_note(uuid, text, text, bytea, uuid, uuid) OWNER TO ward_auth;
ALTER FUNCTION api.add_staff_member(text, text, text, text) OWNER TO ward_auth;
ALTER FUNCTION api.set_staff_role(uuid, text) OWNER TO ward_auth;
ALTER FUNCTION api.disable_staff(uuid) OWNER TO ward_auth;
ALTER FUNCTION api.reset_staff_password(uuid, text) OWNER TO ward_auth;
ALTER FUNCTION api.audit_chain_status(integer) OWNER TO ward_auth;

REVOKE CREATE ON SCHEMA ward, api FROM ward_auth;

-- ward_api owns the reading api (09_views), for the length of this file only holding CREATE.
GRANT CREATE ON SCHEMA api TO ward_api;
ALTER FUNCTION api.clinician_list() OWNER TO ward_api;
ALTER FUNCTION api.schedule(uuid, timestamptz, timestamptz) OWNER TO ward_api;
ALTER FUNCTION api.patient_appointments(uuid) OWNER TO ward_api;
ALTER FUNCTION api.patient_notes(uuid) OWNER TO ward_api;
ALTER FUNCTION api.note(uuid) OWNER TO ward_api;
ALTER FUNCTION api.patient_consents(uuid) OWNER TO ward_api;
ALTER FUNCTION api.staff_members() OWNER TO ward_api;
ALTER FUNCTION api.session_keys() OWNER TO ward_api;
ALTER FUNCTION api.audit_page(bigint, text, integer) OWNER TO ward_api;
REVOKE CREATE ON SCHEMA api FROM ward_api;

-- Schemas. ward_app resolves names in api alone: it reads no table, no view and calls no
-- function of ward or ext (docs/adr/0012-closed-api.md lists the PostgreSQL defaults it
-- keeps). ward_api and ward_auth resolve names in ward and ext. Nobody but ward_owner's
-- members uses ops.
GRANT USAGE ON SCHEMA api TO ward_app;
GRANT USAGE ON SCHEMA ward, api, ext TO ward_api, ward_auth;
GRANT USAGE, CREATE ON SCHEMA ward_attempts TO ward_auth;

-- ward_app: the api functions, and nothing else.
GRANT EXECUTE ON FUNCTION api.login(text, text, text), api.logout(), api.touch(), api.server_now(),
    api.change_password(text, text), api.impersonate(text, text), api.whoami(), api.my_permissions(),
    api.search_patients(text, integer), api.open_patient(uuid), api.likely_duplicates(text, text, date),
    api.consent_text(), api.register_patient(text, text, date, text, text, text, bytea, bytea, text, uuid, uuid),
    api.find_portable_profile(text, text, date), api.sign_consent(text, bytea, text, uuid),
    api.revoke_consent(uuid, text), api.book_appointment(uuid, uuid, timestamptz, integer, text),
    api.reschedule_appointment(uuid, timestamptz, integer), api.cancel_appointment(uuid, text),
    api.set_appointment_status(uuid, text), api.write_note(uuid, text, text, bytea, uuid, uuid),
    api.add_staff_member(text, text, text, text), api.set_staff_role(uuid, text), api.disable_staff(uuid),
    api.reset_staff_password(uuid, text), api.audit_chain_status(integer), api.master_key_check(),
    api.clinician_list(), api.schedule(uuid, timestamptz, timestamptz), api.patient_appointments(uuid),
    api.patient_notes(uuid), api.note(uuid), api.patient_consents(uuid), api.staff_members(),
    api.session_keys(), api.audit_page(bigint, text, integer)
    TO ward_app;

-- ward_api: what its functions read, under the policies. The invoker views need the base
-- columns they show; nothing else of a table is granted. The context functions are what
-- the policies call as the reader.
GRANT SELECT ON api.patient_profiles, api.consents, api.appointments, api.clinical_notes,
    api.audit_log, api.staff_list, api.clinicians, api.clinic, api.data_keys TO ward_api;
GRANT EXECUTE ON FUNCTION ward.current_tenant(), ward.current_staff(), ward.current_session_id(),
    ward.has_permission(text), ward.is_member_here(uuid), ward.consented_here(uuid),
    ward.require_session() TO ward_api;
GRANT SELECT ON ward.consents_here TO ward_api;
GRANT SELECT (id, code, name, time_zone, date_order) ON ward.tenants TO ward_api;
GRANT SELECT (id, username, display_name, must_change_password) ON ward.staff TO ward_api;
GRANT SELECT (tenant_id, staff_id, role, disabled_at) ON ward.memberships TO ward_api;
GRANT SELECT (id, family_name, given_name, date_of_birth, sex, phone, email, allergies)
    ON ward.patients TO ward_api;
GRANT SELECT (tenant_id, patient_id, chart_no, registered_at) ON ward.clinic_patients TO ward_api;
GRANT SELECT (tenant_id, id, patient_id, signed_at, signed_by, signature, text_version, revoked_at,
              revoked_by, revoke_reason) ON ward.profile_consents TO ward_api;
GRANT SELECT (tenant_id, id, patient_id, clinician_id, during, starts_at, status, reason, cancel_reason)
    ON ward.appointments TO ward_api;
GRANT SELECT (tenant_id, id, patient_id, kind, title, body, author_id, signed_at, amends_id)
    ON ward.clinical_notes TO ward_api;
GRANT SELECT (tenant_id, id, occurred_at, actor_id, impersonated_by, action, object_type, object_id,
              patient_id, details) ON ward.audit_events TO ward_api;
GRANT SELECT (tenant_id, version, wrapped) ON ward.data_keys TO ward_api;
GRANT SELECT (version, wrapped) ON ward.portable_keys TO ward_api;

-- Helpers ward_auth's functions call (search keys, the audit hash).
GRANT EXECUTE ON FUNCTION ward.fold(text), ward.phone_key(text), ward.prefix_end(text),
    ward.audit_canonical(ward.audit_events), ward.audit_hash(ward.audit_events) TO ward_auth;

-- ward_auth: what its functions may touch. It bypasses row-level security, so each of its
-- functions filters by the caller's clinic itself; these grants only let it reach the
-- tables at all. It never receives UPDATE or DELETE on the audit log, nor any write on keys.
GRANT SELECT, INSERT, UPDATE ON ward.tenants, ward.staff, ward.memberships, ward.sessions,
    ward.patients, ward.profile_consents, ward.clinic_patients, ward.chart_counters,
    ward.appointments, ward.clinical_notes, ward.profile_handles, ward.audit_heads TO ward_auth;
GRANT SELECT ON ward.roles, ward.role_permissions, ward.consent_texts, ward.key_check TO ward_auth;
GRANT SELECT, INSERT ON ward.audit_events TO ward_auth;
GRANT DELETE ON ward.profile_handles TO ward_auth;
GRANT USAGE ON SEQUENCE ward.audit_events_id_seq TO ward_auth;
GRANT EXECUTE ON FUNCTION ward.now(), ward.hash_password(text), ward.check_profile(text, text, date, text, text),
    ward.is_sealed(bytea), ward.sealed_version(bytea), ward.require_sealed(bytea, text),
    ward.require_row_id(uuid) TO ward_auth;
