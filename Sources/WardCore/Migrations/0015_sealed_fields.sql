-- Sensitive free text is stored only as ciphertext (issue 9): a patient's allergies, the
-- body of a clinical note, and the signature a patient typed on a consent.
--
-- The terminal seals each value before sending it (AES-256-GCM under the data key of
-- migration 0014, fresh nonce) with associated data naming table, column, row id and
-- scope ('portable' for profiles, 'clinic:<tenant id>' for clinic records); see
-- docs/ENCRYPTION.md. PostgreSQL never sees the plaintext or a key. So that the terminal
-- knows the row id before the insert, the write functions take an id it generated.
--
-- Existing plaintext cannot be encrypted here (SQL holds no key): each old text column is
-- renamed legacy_*, taken away from ward_app, and emptied by `ward keys rotate`, which
-- seals what it finds there (the demo seed does the same inside its own transaction).
GRANT CREATE ON SCHEMA ward, api TO ward_auth;

-- A sealed value: "W1", key version (4 bytes), nonce (12), ciphertext, tag (16).
CREATE FUNCTION ward.is_sealed(v bytea) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT pg_catalog.octet_length(v) >= 34 AND pg_catalog.substr(v, 1, 2) = '\x5731'::bytea $$;

CREATE FUNCTION ward.sealed_version(v bytea) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT CASE WHEN ward.is_sealed(v)
                THEN (pg_catalog.get_byte(v, 2)::bigint << 24 | pg_catalog.get_byte(v, 3) << 16
                      | pg_catalog.get_byte(v, 4) << 8 | pg_catalog.get_byte(v, 5))::integer END
    $$;

-- The api functions refuse anything that is not a sealed value, so a client that forgot to
-- seal cannot store plaintext by mistake.
CREATE FUNCTION ward.require_sealed(v bytea, field text) RETURNS void
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF v IS NOT NULL AND NOT ward.is_sealed(v) THEN
        RAISE EXCEPTION 'this value was not encrypted by the terminal; nothing was saved'
            USING ERRCODE = '22023', HINT = 'field:' || field;
    END IF;
END $$;

CREATE FUNCTION ward.require_row_id(v uuid) RETURNS void
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF v IS NULL THEN
        RAISE EXCEPTION 'the terminal must choose the new record''s id (its encryption is bound to it)'
            USING ERRCODE = '22023';
    END IF;
END $$;

-- The views read the old columns; they are rebuilt on the new ones below.
DROP VIEW api.patient_profiles, api.consents, api.clinical_notes;

-- Plaintext columns become legacy_* (owner only, emptied by `ward keys rotate`).
ALTER TABLE ward.patients RENAME COLUMN allergies TO legacy_allergies;
ALTER TABLE ward.patients ADD COLUMN allergies bytea CHECK (pg_catalog.octet_length(allergies) <= 16100);
REVOKE SELECT (legacy_allergies) ON ward.patients FROM ward_app;
GRANT SELECT (allergies) ON ward.patients TO ward_app;

ALTER TABLE ward.profile_consents RENAME COLUMN signature TO legacy_signature;
ALTER TABLE ward.profile_consents ALTER COLUMN legacy_signature DROP NOT NULL;
ALTER TABLE ward.profile_consents ADD COLUMN signature bytea CHECK (pg_catalog.octet_length(signature) <= 4000);
ALTER TABLE ward.profile_consents ADD CONSTRAINT profile_consents_signed
    CHECK (signature IS NOT NULL OR legacy_signature IS NOT NULL);
REVOKE SELECT (legacy_signature) ON ward.profile_consents FROM ward_app;
GRANT SELECT (signature) ON ward.profile_consents TO ward_app;

ALTER TABLE ward.clinical_notes RENAME COLUMN body TO legacy_body;
ALTER TABLE ward.clinical_notes ALTER COLUMN legacy_body DROP NOT NULL;
ALTER TABLE ward.clinical_notes ADD COLUMN body bytea CHECK (pg_catalog.octet_length(body) <= 400100);
ALTER TABLE ward.clinical_notes ADD CONSTRAINT clinical_notes_has_body
    CHECK (body IS NOT NULL OR legacy_body IS NOT NULL);
REVOKE SELECT (legacy_body) ON ward.clinical_notes FROM ward_app;
GRANT SELECT (body) ON ward.clinical_notes TO ward_app;

-- Signed notes stay unchangeable, with one exception: re-encryption by key rotation. It
-- may replace the sealed body by one sealed under a newer key version (or seal a legacy
-- plaintext body and empty it); every other column must stay as it was.
CREATE OR REPLACE FUNCTION ward.refuse_note_change() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND (pg_catalog.to_jsonb(OLD) - 'body' - 'legacy_body') = (pg_catalog.to_jsonb(NEW) - 'body' - 'legacy_body')
       AND NEW.legacy_body IS NULL AND ward.is_sealed(NEW.body)
       AND (OLD.body IS NULL OR ward.sealed_version(NEW.body) > ward.sealed_version(OLD.body)) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'a signed note cannot be changed; write a new note that amends it' USING ERRCODE = '42501';
END $$;

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

CREATE VIEW api.clinical_notes WITH (security_invoker = true, security_barrier = true) AS
SELECT n.id AS note_id, n.patient_id, n.kind, n.title, n.body, s.display_name AS author,
       n.signed_at, n.amends_id
  FROM ward.clinical_notes n
  LEFT JOIN ward.staff s ON s.id = n.author_id;

GRANT SELECT ON api.patient_profiles, api.consents, api.clinical_notes TO ward_app;

-- The functions whose arguments or results carry these values: same checks as before
-- (migration 0010), sealed values instead of text, and the new rows' ids from the terminal.
DROP FUNCTION api.open_patient(uuid);
DROP FUNCTION api.register_patient(text, text, date, text, text, text, text, text, text);
DROP FUNCTION api.sign_consent(text, text, text);
DROP FUNCTION ward.grant_consent(uuid, text, text);
DROP FUNCTION api.write_note(uuid, text, text, text, uuid);

-- Opening a record is an access: audited as 'patient.read'. allergies is sealed (portable scope).
CREATE FUNCTION api.open_patient(patient uuid)
    RETURNS TABLE (patient_id uuid, family_name text, given_name text, date_of_birth date, sex text,
                   phone text, email text, allergies bytea, chart_no text, registered_at timestamptz,
                   consent_signed_at timestamptz)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    tenant uuid;
BEGIN
    PERFORM ward.require_permission('patient.read');
    tenant := ward.current_tenant();
    RETURN QUERY
    SELECT p.id, p.family_name, p.given_name, p.date_of_birth, p.sex, p.phone, p.email, p.allergies,
           cp.chart_no, cp.registered_at, c.signed_at
      FROM ward.clinic_patients cp
      JOIN ward.patients p ON p.id = cp.patient_id
      JOIN ward.profile_consents c ON c.tenant_id = cp.tenant_id AND c.patient_id = cp.patient_id
                                  AND c.revoked_at IS NULL
     WHERE cp.tenant_id = tenant AND cp.patient_id = patient;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no such patient at this clinic' USING ERRCODE = 'P0002';
    END IF;
    -- Between an upgrade and the first `ward keys rotate` the allergies are still plaintext
    -- in legacy_allergies: say so rather than let the screen show "none recorded".
    IF EXISTS (SELECT 1 FROM ward.patients p WHERE p.id = patient AND p.allergies IS NULL
                  AND p.legacy_allergies IS NOT NULL) THEN
        RAISE EXCEPTION 'this record is still being encrypted after an upgrade; ask the platform administrators to finish `ward keys rotate`'
            USING ERRCODE = 'P0001';
    END IF;
    PERFORM ward.audit_here('patient.read', 'patient', patient::text, patient, '{}');
END $$;

-- Gives this clinic a live consent (row id new_consent, signature sealed for that row) and
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

-- allergies is sealed for (patients, allergies, new_patient, portable); signature for
-- (profile_consents, signature, new_consent, clinic:<tenant id>).
CREATE FUNCTION api.register_patient(family_name text, given_name text, date_of_birth date, sex text,
                                     phone text, email text, allergies bytea, signature bytea, text_version text,
                                     new_patient uuid DEFAULT NULL, new_consent uuid DEFAULT NULL)
    RETURNS TABLE (patient_id uuid, chart_no text)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM ward.require_permission('patient.register');
    PERFORM ward.require_permission('consent.sign');
    PERFORM ward.check_profile(family_name, given_name, date_of_birth, sex, email);
    IF signature IS NULL THEN
        RAISE EXCEPTION 'the patient must type their full name as signature' USING ERRCODE = '22023', HINT = 'field:signature';
    END IF;
    PERFORM ward.require_sealed(allergies, 'allergies');
    PERFORM ward.require_row_id(new_patient);
    INSERT INTO ward.patients (id, family_name, given_name, date_of_birth, sex, phone, email, allergies)
    VALUES (new_patient, pg_catalog.btrim(family_name), pg_catalog.btrim(given_name), date_of_birth, sex,
            NULLIF(pg_catalog.btrim(phone), ''), NULLIF(pg_catalog.btrim(email), ''), allergies);
    RETURN QUERY SELECT * FROM ward.grant_consent(new_patient, signature, text_version, new_consent);
END $$;

-- signature is sealed for (profile_consents, signature, new_consent, clinic:<tenant id>).
CREATE FUNCTION api.sign_consent(handle text, signature bytea, text_version text, new_consent uuid DEFAULT NULL)
    RETURNS TABLE (patient_id uuid, chart_no text)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    l record;
    target uuid;
BEGIN
    PERFORM ward.require_permission('consent.sign');
    SELECT * INTO l FROM ward.require_session();
    SELECT h.patient_id INTO target FROM ward.profile_handles h
     WHERE h.tenant_id = l.tenant_id AND h.staff_id = l.staff_id
       AND h.handle_hash = pg_catalog.sha256(pg_catalog.convert_to(COALESCE(handle, ''), 'UTF8'))
       AND h.expires_at > pg_catalog.now();
    IF target IS NULL THEN
        RAISE EXCEPTION 'this look-up has expired; find the profile again' USING ERRCODE = '22023';
    END IF;
    DELETE FROM ward.profile_handles h WHERE h.tenant_id = l.tenant_id AND h.patient_id = target;
    RETURN QUERY SELECT * FROM ward.grant_consent(target, signature, text_version, new_consent);
END $$;

-- body is sealed for (clinical_notes, body, new_note, clinic:<tenant id>).
CREATE FUNCTION api.write_note(patient uuid, kind text, title text, body bytea, amends uuid DEFAULT NULL,
                               new_note uuid DEFAULT NULL)
    RETURNS uuid
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    l record;
BEGIN
    PERFORM ward.require_permission('clinical.write');
    SELECT * INTO l FROM ward.require_session();
    IF NOT EXISTS (SELECT 1 FROM ward.clinic_patients cp WHERE cp.tenant_id = l.tenant_id AND cp.patient_id = patient) THEN
        RAISE EXCEPTION 'no such patient at this clinic' USING ERRCODE = 'P0002';
    END IF;
    IF pg_catalog.btrim(COALESCE(title, '')) = '' THEN
        RAISE EXCEPTION 'give the note a title' USING ERRCODE = '22023', HINT = 'field:title';
    END IF;
    IF body IS NULL THEN
        RAISE EXCEPTION 'the note is empty' USING ERRCODE = '22023', HINT = 'field:body';
    END IF;
    PERFORM ward.require_sealed(body, 'body');
    PERFORM ward.require_row_id(new_note);
    INSERT INTO ward.clinical_notes (tenant_id, id, patient_id, kind, title, body, author_id, amends_id)
    VALUES (l.tenant_id, new_note, patient, COALESCE(kind, 'note'), pg_catalog.btrim(title), body, l.staff_id, amends);
    RETURN new_note;
END $$;

ALTER FUNCTION api.open_patient(uuid) OWNER TO ward_auth;
ALTER FUNCTION ward.grant_consent(uuid, bytea, text, uuid) OWNER TO ward_auth;
ALTER FUNCTION api.register_patient(text, text, date, text, text, text, bytea, bytea, text, uuid, uuid) OWNER TO ward_auth;
ALTER FUNCTION api.sign_consent(text, bytea, text, uuid) OWNER TO ward_auth;
ALTER FUNCTION api.write_note(uuid, text, text, bytea, uuid, uuid) OWNER TO ward_auth;
GRANT EXECUTE ON FUNCTION ward.is_sealed(bytea), ward.sealed_version(bytea), ward.require_sealed(bytea, text),
    ward.require_row_id(uuid) TO ward_auth;
GRANT EXECUTE ON FUNCTION api.open_patient(uuid),
    api.register_patient(text, text, date, text, text, text, bytea, bytea, text, uuid, uuid),
    api.sign_consent(text, bytea, text, uuid), api.write_note(uuid, text, text, bytea, uuid, uuid) TO ward_app;

REVOKE CREATE ON SCHEMA ward, api FROM ward_auth;
