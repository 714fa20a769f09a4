-- Portable patient profiles, the consents that let a clinic see them, and clinics' charts.
--
-- A patient belongs to no clinic: ward.patients has no tenant_id. A clinic sees a profile
-- only while it holds an unrevoked consent for it (14_policies). Consent is created only by
-- api functions (register, or sign with a handle from find_portable_profile); ward_app has
-- no INSERT on the consent table, so knowing a patient's id grants nothing.
--
-- allergies and signature are sealed by the terminal (07_keys, docs/ENCRYPTION.md):
-- PostgreSQL never sees their plaintext.

-- The versions of the profile-sharing consent text a patient signs; the consent row keeps
-- the version and the SHA-256 of exactly the text shown.
CREATE TABLE ward.consent_texts (
    version    text PRIMARY KEY,
    body       text NOT NULL,
    -- SHA-256 of the UTF-8 body, written with it (convert_to is not immutable, so this
    -- cannot be a generated column).
    sha256     bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT ward.now()
);
INSERT INTO ward.consent_texts (version, body, sha256)
SELECT 'v1', t, pg_catalog.sha256(pg_catalog.convert_to(t, 'UTF8')) FROM (VALUES (
    'I agree that this clinic may see my portable profile (names, date of birth, sex, '
    'contact details and allergies) held on the Ward platform, until I revoke this consent. '
    'Clinical records of other clinics are never shared.')) v(t);

CREATE TABLE ward.patients (
    id            uuid PRIMARY KEY DEFAULT pg_catalog.gen_random_uuid(),
    family_name   text NOT NULL CHECK (pg_catalog.btrim(family_name) <> '' AND pg_catalog.length(family_name) <= 200),
    given_name    text NOT NULL CHECK (pg_catalog.btrim(given_name) <> '' AND pg_catalog.length(given_name) <= 200),
    date_of_birth date NOT NULL CHECK (date_of_birth >= date '1880-01-01'),
    sex           text NOT NULL CHECK (sex IN ('female', 'male', 'other', 'unknown')),
    phone         text CHECK (pg_catalog.length(phone) <= 40),
    email         text CHECK (pg_catalog.length(email) <= 200),
    -- Sealed (portable scope): 4000 characters of up to four bytes, plus the seal.
    allergies     bytea CHECK (pg_catalog.octet_length(allergies) <= 16100),
    created_at    timestamptz NOT NULL DEFAULT ward.now(),
    updated_at    timestamptz NOT NULL DEFAULT ward.now()
);
-- Exact-identifier lookup for find_portable_profile (not for browsing).
CREATE INDEX patients_identity ON ward.patients (ward.fold(family_name), ward.fold(given_name), date_of_birth);

CREATE TABLE ward.profile_consents (
    tenant_id     uuid NOT NULL REFERENCES ward.tenants (id),
    id            uuid NOT NULL DEFAULT pg_catalog.gen_random_uuid(),
    patient_id    uuid NOT NULL REFERENCES ward.patients (id),
    signed_at     timestamptz NOT NULL DEFAULT ward.now(),
    signed_by     uuid NOT NULL REFERENCES ward.staff (id),  -- the staff member who witnessed it
    -- What the patient typed, sealed (clinic scope).
    signature     bytea NOT NULL CHECK (pg_catalog.octet_length(signature) <= 4000),
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
-- touches other clinics' patients (docs/adr/0004-search-keys.md). ward_app is not granted
-- the key columns.
CREATE TABLE ward.clinic_patients (
    tenant_id     uuid NOT NULL REFERENCES ward.tenants (id),
    patient_id    uuid NOT NULL REFERENCES ward.patients (id),
    chart_no      text NOT NULL,
    registered_at timestamptz NOT NULL DEFAULT ward.now(),
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
-- A profile edit updates every chart of the patient (ward.sync_search_keys), whatever clinic.
CREATE INDEX clinic_patients_patient ON ward.clinic_patients (patient_id);

CREATE TABLE ward.chart_counters (
    tenant_id uuid PRIMARY KEY REFERENCES ward.tenants (id),
    last_no   integer NOT NULL DEFAULT 0
);

-- Portable-profile handles: short-lived, tied to the clinic and staff member who looked
-- the profile up; only their hash is kept.
CREATE TABLE ward.profile_handles (
    tenant_id   uuid NOT NULL REFERENCES ward.tenants (id),
    handle_hash bytea NOT NULL,
    patient_id  uuid NOT NULL REFERENCES ward.patients (id),
    staff_id    uuid NOT NULL REFERENCES ward.staff (id),
    expires_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, handle_hash)
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

-- Does the current clinic hold a live consent for this patient? (The patients policy
-- states the same through ward.consents_here; this form is the one a Citus deployment
-- would use, and api.book_appointment asks it.)
CREATE FUNCTION ward.consented_here(p_patient uuid) RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN
    RETURN EXISTS (SELECT 1 FROM ward.session_here() s
                     JOIN ward.profile_consents c ON c.tenant_id = s.tenant_id
                    WHERE c.patient_id = p_patient AND c.revoked_at IS NULL);
    END $$;

-- The patients this clinic holds a live consent for, for the patients policy. It runs
-- with ward_auth's rights (its owner), so support staff, who may search but not read
-- consents, still see the names their clinic may show. security_barrier: a caller's own
-- functions never see another clinic's rows before the view's filter has removed them.
-- Only ids, and only with a search or read permission: it tells nobody more than the
-- patients policy already does.
CREATE VIEW ward.consents_here WITH (security_barrier = true) AS
SELECT c.patient_id
  FROM ward.profile_consents c
 WHERE c.tenant_id = (SELECT ward.current_tenant())
   AND c.revoked_at IS NULL
   AND ((SELECT ward.has_permission('patient.read')) OR (SELECT ward.has_permission('patient.search')));

-- Next chart number of a clinic, e.g. 'N-000042'; the counter row lock serialises
-- concurrent registrations of one clinic only.
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

-- Profile fields, checked the same way by register and update.
CREATE FUNCTION ward.check_profile(family text, given text, dob date, sex text, email text) RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF pg_catalog.btrim(COALESCE(family, '')) = '' THEN
        RAISE EXCEPTION 'enter the family name' USING ERRCODE = '22023', HINT = 'field:family_name';
    END IF;
    IF pg_catalog.btrim(COALESCE(given, '')) = '' THEN
        RAISE EXCEPTION 'enter the given name' USING ERRCODE = '22023', HINT = 'field:given_name';
    END IF;
    IF pg_catalog.length(family) > 200 OR pg_catalog.length(given) > 200 THEN
        RAISE EXCEPTION 'a name can have at most 200 characters' USING ERRCODE = '22023', HINT = 'field:family_name';
    END IF;
    IF dob IS NULL THEN
        RAISE EXCEPTION 'enter the date of birth' USING ERRCODE = '22023', HINT = 'field:date_of_birth';
    END IF;
    IF dob > ward.now()::date OR dob < date '1880-01-01' THEN
        RAISE EXCEPTION 'the date of birth cannot be in the future or before 1880' USING ERRCODE = '22023', HINT = 'field:date_of_birth';
    END IF;
    IF sex IS NULL OR sex NOT IN ('female', 'male', 'other', 'unknown') THEN
        RAISE EXCEPTION 'sex must be female, male, other or unknown' USING ERRCODE = '22023', HINT = 'field:sex';
    END IF;
    IF email IS NOT NULL AND email <> '' AND email !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' THEN
        RAISE EXCEPTION 'the e-mail address does not look right' USING ERRCODE = '22023', HINT = 'field:email';
    END IF;
END $$;

-- A save sent again with the consent id of an earlier attempt that landed (a retry after a
-- lost answer or a failover) finds that consent, signed by the same person at this clinic,
-- and answers as the first attempt did (docs/adr/0011-exactly-once-saves-by-request-id.md).
CREATE FUNCTION ward.consent_saved(p_consent uuid)
    RETURNS TABLE (patient_id uuid, chart_no text)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT cp.patient_id, cp.chart_no
      FROM ward.require_session() l
      JOIN ward.profile_consents c ON c.tenant_id = l.tenant_id AND c.id = p_consent AND c.signed_by = l.staff_id
      JOIN ward.clinic_patients cp ON cp.tenant_id = c.tenant_id AND cp.patient_id = c.patient_id
$$;

-- Gives this clinic a live consent (row id p_consent, signature sealed for that row) and
-- a chart for a patient; shared by register and sign.
CREATE FUNCTION ward.grant_consent(p_patient uuid, p_signature bytea, p_version text, p_consent uuid)
    RETURNS TABLE (patient_id uuid, chart_no text)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    l record;
    body text;
    chart text;
    p ward.patients;
BEGIN
    SELECT * INTO l FROM ward.require_session();
    IF p_signature IS NULL THEN
        RAISE EXCEPTION 'the patient must type their full name as signature' USING ERRCODE = '22023', HINT = 'field:signature';
    END IF;
    PERFORM ward.require_sealed(p_signature, 'signature');
    PERFORM ward.require_row_id(p_consent);
    SELECT t.body INTO body FROM ward.consent_texts t WHERE t.version = p_version;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown consent text version %', p_version USING ERRCODE = '22023';
    END IF;
    IF EXISTS (SELECT 1 FROM ward.profile_consents c WHERE c.tenant_id = l.tenant_id
                  AND c.patient_id = p_patient AND c.revoked_at IS NULL) THEN
        RAISE EXCEPTION 'this clinic already holds the patient''s consent' USING ERRCODE = '22023';
    END IF;
    INSERT INTO ward.profile_consents (tenant_id, id, patient_id, signed_by, signature, text_version, text_sha256)
    VALUES (l.tenant_id, p_consent, p_patient, l.staff_id, p_signature, p_version,
            pg_catalog.sha256(pg_catalog.convert_to(body, 'UTF8')));
    SELECT * INTO p FROM ward.patients WHERE id = p_patient;
    SELECT cp.chart_no INTO chart FROM ward.clinic_patients cp WHERE cp.tenant_id = l.tenant_id AND cp.patient_id = p_patient;
    IF chart IS NULL THEN
        chart := ward.next_chart_no(l.tenant_id);
        INSERT INTO ward.clinic_patients (tenant_id, patient_id, chart_no, family_key, given_key, date_of_birth, phone_key)
        VALUES (l.tenant_id, p_patient, chart, ward.fold(p.family_name), ward.fold(p.given_name), p.date_of_birth,
                ward.phone_key(p.phone));
    END IF;
    RETURN QUERY SELECT p_patient, chart;
END $$;

CREATE TRIGGER patients_audit AFTER INSERT OR UPDATE OR DELETE ON ward.patients
    FOR EACH ROW EXECUTE FUNCTION ward.audit_phi();
CREATE TRIGGER profile_consents_audit AFTER INSERT OR UPDATE OR DELETE ON ward.profile_consents
    FOR EACH ROW EXECUTE FUNCTION ward.audit_phi();
CREATE TRIGGER clinic_patients_audit AFTER INSERT OR DELETE ON ward.clinic_patients
    FOR EACH ROW EXECUTE FUNCTION ward.audit_phi();
