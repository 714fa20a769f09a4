-- The api of patients and consent. Each function is SECURITY DEFINER, owned by ward_auth
-- (which bypasses row-level security), so each one states its own guard first: a live
-- session, the permission, and the current clinic in every WHERE. Messages are sentences
-- for the person at the terminal; HINT 'field:NAME' tells a form which field a message is
-- about.

-- Search this clinic's charts: name prefixes (any script, accent- and case-insensitive;
-- "alv jo" finds Álvarez, José), an ISO date of birth, phone digits or a chart number.
-- The branch is chosen by the query text alone, so every arm is an index range on
-- (tenant_id, ...); each call is planned with its values (docs/adr/0004-search-keys.md).
CREATE FUNCTION api.search_patients(q text, lim integer DEFAULT 50)
    RETURNS TABLE (patient_id uuid, family_name text, given_name text, date_of_birth date, sex text,
                   chart_no text, phone text, next_appointment timestamptz)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    SET plan_cache_mode = force_custom_plan
    AS $$
DECLARE
    tenant uuid;
    words text[];
    a text;
    b text;
    d date;
    n integer;
BEGIN
    PERFORM ward.require_permission('patient.search');
    tenant := ward.current_tenant();
    q := pg_catalog.btrim(COALESCE(q, ''));
    lim := LEAST(GREATEST(COALESCE(lim, 50), 1), 200);
    IF q ~ '^\d{4}-\d{2}-\d{2}$' THEN
        BEGIN d := q::date; EXCEPTION WHEN others THEN d := NULL; END;
    END IF;
    words := pg_catalog.regexp_split_to_array(ward.fold(q), '[\s,]+');
    a := words[1];
    b := words[2];

    RETURN QUERY
    SELECT p.id, p.family_name, p.given_name, p.date_of_birth, p.sex, cp.chart_no, p.phone,
           (SELECT pg_catalog.min(pg_catalog.lower(ap.during)) FROM ward.appointments ap
             WHERE ap.tenant_id = tenant AND ap.patient_id = p.id AND ap.status = 'booked'
               AND pg_catalog.lower(ap.during) > ward.now())
      FROM ward.clinic_patients cp
      JOIN ward.patients p ON p.id = cp.patient_id
      JOIN ward.profile_consents c ON c.tenant_id = cp.tenant_id AND c.patient_id = cp.patient_id
                                  AND c.revoked_at IS NULL
     WHERE cp.tenant_id = tenant AND q <> ''
       AND CASE
             WHEN d IS NOT NULL THEN cp.date_of_birth = d
             ELSE cp.chart_no = pg_catalog.upper(q) OR CASE
                  WHEN q ~ '^[0-9 +()-]{4,}$' THEN
                       cp.phone_key >= ward.phone_key(q) AND cp.phone_key < ward.prefix_end(ward.phone_key(q))
                  WHEN b IS NULL THEN
                       (cp.family_key >= a AND cp.family_key < ward.prefix_end(a))
                       OR (cp.given_key >= a AND cp.given_key < ward.prefix_end(a))
                  ELSE ((cp.family_key >= a AND cp.family_key < ward.prefix_end(a)
                         AND cp.given_key >= b AND cp.given_key < ward.prefix_end(b))
                        OR (cp.given_key >= a AND cp.given_key < ward.prefix_end(a)
                         AND cp.family_key >= b AND cp.family_key < ward.prefix_end(b)))
                  END
           END
     ORDER BY cp.family_key, cp.given_key, p.date_of_birth
     LIMIT lim;
    GET DIAGNOSTICS n = ROW_COUNT;
    PERFORM ward.audit_here('patient.search', 'search', NULL, NULL,
                            pg_catalog.jsonb_build_object('q', q, 'hits', n));
END $$;

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
    PERFORM ward.audit_here('patient.read', 'patient', patient::text, patient, '{}');
END $$;

-- Before registering: profiles at this clinic with the same names and date of birth.
CREATE FUNCTION api.likely_duplicates(family text, given text, dob date)
    RETURNS TABLE (patient_id uuid, family_name text, given_name text, date_of_birth date, chart_no text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM ward.require_permission('patient.register');
    RETURN QUERY
    SELECT p.id, p.family_name, p.given_name, p.date_of_birth, cp.chart_no
      FROM ward.clinic_patients cp
      JOIN ward.patients p ON p.id = cp.patient_id
      JOIN ward.profile_consents c ON c.tenant_id = cp.tenant_id AND c.patient_id = cp.patient_id
                                  AND c.revoked_at IS NULL
     WHERE cp.tenant_id = ward.current_tenant() AND cp.date_of_birth = dob
       AND cp.family_key = ward.fold(pg_catalog.btrim(family))
       AND cp.given_key = ward.fold(pg_catalog.btrim(given));
END $$;

CREATE FUNCTION api.consent_text() RETURNS TABLE (version text, body text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT t.version, t.body FROM ward.consent_texts t ORDER BY t.created_at DESC, t.version DESC LIMIT 1 $$;

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
    RETURN QUERY SELECT * FROM ward.consent_saved(new_consent);
    IF FOUND THEN RETURN; END IF;
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

-- Exact identifiers only: this is for a patient who is standing at the desk, not for
-- browsing other clinics' patients. Masked result, short-lived handle, audited, and at
-- most 10 look-ups per staff member in ten minutes, counted before anything is looked up
-- by ward.count_lookup (which no rollback undoes).
CREATE FUNCTION api.find_portable_profile(family_name text, given_name text, date_of_birth date)
    RETURNS TABLE (handle text, masked_name text, birth_year integer, sex text)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    l record;
    p record;
    h text;
    found_any boolean := false;
BEGIN
    PERFORM ward.require_permission('consent.sign');
    SELECT * INTO l FROM ward.require_session();
    IF ward.count_lookup(l.staff_id) > 10 THEN
        RAISE EXCEPTION 'too many look-ups in ten minutes; wait a few minutes and try again' USING ERRCODE = '53400';
    END IF;
    FOR p IN
        SELECT pt.id, pt.family_name, pt.given_name, pt.date_of_birth, pt.sex FROM ward.patients pt
         WHERE ward.fold(pt.family_name) = ward.fold(pg_catalog.btrim(find_portable_profile.family_name))
           AND ward.fold(pt.given_name) = ward.fold(pg_catalog.btrim(find_portable_profile.given_name))
           AND pt.date_of_birth = find_portable_profile.date_of_birth
           AND NOT EXISTS (SELECT 1 FROM ward.profile_consents c WHERE c.tenant_id = l.tenant_id
                              AND c.patient_id = pt.id AND c.revoked_at IS NULL)
         LIMIT 5
    LOOP
        found_any := true;
        h := pg_catalog.encode(ext.gen_random_bytes(16), 'hex');
        INSERT INTO ward.profile_handles (tenant_id, handle_hash, patient_id, staff_id, expires_at)
        VALUES (l.tenant_id, pg_catalog.sha256(pg_catalog.convert_to(h, 'UTF8')), p.id, l.staff_id,
                ward.now() + interval '15 minutes');
        handle := h;
        masked_name := pg_catalog.left(p.given_name, 1) || '*** ' || pg_catalog.left(p.family_name, 1) || '***';
        birth_year := pg_catalog.date_part('year', p.date_of_birth)::integer;
        sex := p.sex;
        RETURN NEXT;
    END LOOP;
    PERFORM ward.audit_here('profile.lookup', 'search', NULL, NULL,
                            pg_catalog.jsonb_build_object('found', found_any));
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
    RETURN QUERY SELECT * FROM ward.consent_saved(new_consent);
    IF FOUND THEN RETURN; END IF;
    SELECT h.patient_id INTO target FROM ward.profile_handles h
     WHERE h.tenant_id = l.tenant_id AND h.staff_id = l.staff_id
       AND h.handle_hash = pg_catalog.sha256(pg_catalog.convert_to(COALESCE(handle, ''), 'UTF8'))
       AND h.expires_at > ward.now();
    IF target IS NULL THEN
        RAISE EXCEPTION 'this look-up has expired; find the profile again' USING ERRCODE = '22023';
    END IF;
    DELETE FROM ward.profile_handles h WHERE h.tenant_id = l.tenant_id AND h.patient_id = target;
    RETURN QUERY SELECT * FROM ward.grant_consent(target, signature, text_version, new_consent);
END $$;

CREATE FUNCTION api.revoke_consent(patient uuid, reason text) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    l record;
BEGIN
    PERFORM ward.require_permission('consent.revoke');
    SELECT * INTO l FROM ward.require_session();
    UPDATE ward.profile_consents c SET revoked_at = ward.now(), revoked_by = l.staff_id,
           revoke_reason = NULLIF(pg_catalog.btrim(reason), '')
     WHERE c.tenant_id = l.tenant_id AND c.patient_id = patient AND c.revoked_at IS NULL;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'this clinic holds no consent for that patient' USING ERRCODE = 'P0002';
    END IF;
END $$;
