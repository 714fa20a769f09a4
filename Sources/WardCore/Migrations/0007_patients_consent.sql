-- Portable patient profiles, the consents that let a clinic see them, and clinics' charts.
--
-- A patient belongs to no clinic: ward.patients has no tenant_id. A clinic sees a profile
-- only while it holds an unrevoked consent for it (policy below). Consent is created only
-- by api functions (register, or sign with a handle from find_portable_profile); ward_app
-- has no INSERT on the consent table, so knowing a patient's id grants nothing.
GRANT CREATE ON SCHEMA ward, api TO ward_auth;

CREATE TABLE ward.patients (
    id            uuid PRIMARY KEY DEFAULT pg_catalog.gen_random_uuid(),
    family_name   text NOT NULL CHECK (pg_catalog.btrim(family_name) <> '' AND pg_catalog.length(family_name) <= 200),
    given_name    text NOT NULL CHECK (pg_catalog.btrim(given_name) <> '' AND pg_catalog.length(given_name) <= 200),
    date_of_birth date NOT NULL CHECK (date_of_birth >= date '1880-01-01'),
    sex           text NOT NULL CHECK (sex IN ('female', 'male', 'other', 'unknown')),
    phone         text CHECK (pg_catalog.length(phone) <= 40),
    email         text CHECK (pg_catalog.length(email) <= 200),
    allergies     text CHECK (pg_catalog.length(allergies) <= 4000),
    created_at    timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at    timestamptz NOT NULL DEFAULT pg_catalog.now()
);
-- Exact-identifier lookup for find_portable_profile (not for browsing).
CREATE INDEX patients_identity ON ward.patients (ward.fold(family_name), ward.fold(given_name), date_of_birth);

CREATE TABLE ward.profile_consents (
    tenant_id     uuid NOT NULL REFERENCES ward.tenants (id),
    id            uuid NOT NULL DEFAULT pg_catalog.gen_random_uuid(),
    patient_id    uuid NOT NULL REFERENCES ward.patients (id),
    signed_at     timestamptz NOT NULL DEFAULT pg_catalog.now(),
    signed_by     uuid NOT NULL REFERENCES ward.staff (id),  -- the staff member who witnessed it
    signature     text NOT NULL CHECK (pg_catalog.btrim(signature) <> ''),  -- what the patient typed
    text_version  text NOT NULL REFERENCES ward.consent_texts (version),
    text_sha256   bytea NOT NULL,
    revoked_at    timestamptz,
    revoked_by    uuid REFERENCES ward.staff (id),
    revoke_reason text,
    PRIMARY KEY (tenant_id, id)
);
-- At most one live consent per clinic and patient; also the index the visibility test uses.
CREATE UNIQUE INDEX profile_consents_live ON ward.profile_consents (tenant_id, patient_id) WHERE revoked_at IS NULL;

-- The clinic's chart: its chart number (MRN) and the search keys of the patient's names,
-- copied here so that a clinic's search is an index scan led by tenant_id and never
-- touches other clinics' patients. ward_app is not granted the key columns.
CREATE TABLE ward.clinic_patients (
    tenant_id     uuid NOT NULL REFERENCES ward.tenants (id),
    patient_id    uuid NOT NULL REFERENCES ward.patients (id),
    chart_no      text NOT NULL,
    registered_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    family_key    text COLLATE "C",
    given_key     text COLLATE "C",
    date_of_birth date,
    phone_key     text COLLATE "C",
    PRIMARY KEY (tenant_id, patient_id),
    UNIQUE (tenant_id, chart_no)
);
CREATE INDEX clinic_patients_family ON ward.clinic_patients (tenant_id, family_key);
CREATE INDEX clinic_patients_given ON ward.clinic_patients (tenant_id, given_key);
CREATE INDEX clinic_patients_dob ON ward.clinic_patients (tenant_id, date_of_birth);
CREATE INDEX clinic_patients_phone ON ward.clinic_patients (tenant_id, phone_key);

CREATE TABLE ward.chart_counters (
    tenant_id uuid PRIMARY KEY REFERENCES ward.tenants (id),
    last_no   integer NOT NULL DEFAULT 0
);

-- Keeps the charts' search keys equal to the profile (a profile edit reaches every chart).
CREATE FUNCTION ward.sync_search_keys() RETURNS trigger
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    UPDATE ward.clinic_patients
       SET family_key = ward.fold(NEW.family_name), given_key = ward.fold(NEW.given_name),
           date_of_birth = NEW.date_of_birth, phone_key = ward.phone_key(NEW.phone)
     WHERE patient_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER patients_search_keys AFTER UPDATE OF family_name, given_name, date_of_birth, phone
    ON ward.patients FOR EACH ROW EXECUTE FUNCTION ward.sync_search_keys();

-- Does the current clinic hold a live consent for this patient? The patients policy asks
-- it; it is a function (not a sub-SELECT in the policy) so the policy stays Citus-friendly.
CREATE FUNCTION ward.consented_here(p_patient uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT EXISTS (SELECT 1 FROM ward.profile_consents c
                    WHERE c.tenant_id = ward.current_tenant() AND c.patient_id = p_patient
                      AND c.revoked_at IS NULL)
    $$;

-- Next chart number of the current clinic, e.g. 'N-000042'; the counter row lock
-- serialises concurrent registrations of one clinic only.
CREATE FUNCTION ward.next_chart_no(p_tenant uuid) RETURNS text
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    n integer;
BEGIN
    INSERT INTO ward.chart_counters (tenant_id, last_no) VALUES (p_tenant, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET last_no = ward.chart_counters.last_no + 1
    RETURNING last_no INTO n;
    RETURN (SELECT t.chart_prefix FROM ward.tenants t WHERE t.id = p_tenant) || '-' || pg_catalog.lpad(n::text, 6, '0');
END $$;

CREATE TRIGGER patients_audit AFTER INSERT OR UPDATE OR DELETE ON ward.patients
    FOR EACH ROW EXECUTE FUNCTION ward.audit_phi();
CREATE TRIGGER profile_consents_audit AFTER INSERT OR UPDATE OR DELETE ON ward.profile_consents
    FOR EACH ROW EXECUTE FUNCTION ward.audit_phi();
CREATE TRIGGER clinic_patients_audit AFTER INSERT OR DELETE ON ward.clinic_patients
    FOR EACH ROW EXECUTE FUNCTION ward.audit_phi();

-- Row-level security.
ALTER TABLE ward.patients ENABLE ROW LEVEL SECURITY;
ALTER TABLE ward.patients FORCE ROW LEVEL SECURITY;
CREATE POLICY consented_only ON ward.patients AS RESTRICTIVE FOR ALL
    USING (ward.consented_here(id)) WITH CHECK (ward.consented_here(id));
CREATE POLICY patients_select ON ward.patients FOR SELECT USING (ward.has_permission('patient.read')
    OR ward.has_permission('patient.search'));

ALTER TABLE ward.profile_consents ENABLE ROW LEVEL SECURITY;
ALTER TABLE ward.profile_consents FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ward.profile_consents AS RESTRICTIVE FOR ALL
    USING (tenant_id = ward.current_tenant()) WITH CHECK (tenant_id = ward.current_tenant());
CREATE POLICY consents_select ON ward.profile_consents FOR SELECT USING (ward.has_permission('patient.read'));

ALTER TABLE ward.clinic_patients ENABLE ROW LEVEL SECURITY;
ALTER TABLE ward.clinic_patients FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ward.clinic_patients AS RESTRICTIVE FOR ALL
    USING (tenant_id = ward.current_tenant()) WITH CHECK (tenant_id = ward.current_tenant());
CREATE POLICY charts_select ON ward.clinic_patients FOR SELECT USING (ward.has_permission('patient.search'));

ALTER TABLE ward.chart_counters ENABLE ROW LEVEL SECURITY;
ALTER TABLE ward.chart_counters FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ward.chart_counters AS RESTRICTIVE FOR ALL
    USING (tenant_id = ward.current_tenant()) WITH CHECK (tenant_id = ward.current_tenant());
-- No permissive policy: only the api functions (as ward_auth) allocate chart numbers.

ALTER FUNCTION ward.sync_search_keys() OWNER TO ward_auth;
ALTER FUNCTION ward.consented_here(uuid) OWNER TO ward_auth;
ALTER FUNCTION ward.next_chart_no(uuid) OWNER TO ward_auth;
GRANT EXECUTE ON FUNCTION ward.consented_here(uuid) TO ward_app;
GRANT EXECUTE ON FUNCTION ward.current_tenant(), ward.current_staff(), ward.current_session_id(),
    ward.has_permission(text), ward.is_member_here(uuid) TO ward_app;

REVOKE CREATE ON SCHEMA ward, api FROM ward_auth;
