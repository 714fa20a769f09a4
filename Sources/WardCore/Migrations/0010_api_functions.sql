-- The writes and the audited reads of the screens. Each function is SECURITY DEFINER,
-- owned by ward_auth (which bypasses row-level security), so each one states its own
-- guard first: a live session, the permission, and the current clinic in every WHERE.
-- Messages are sentences for the person at the terminal; HINT 'field:NAME' tells a form
-- which field a message is about.
GRANT CREATE ON SCHEMA ward, api TO ward_auth;

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
ALTER TABLE ward.profile_handles ENABLE ROW LEVEL SECURITY;
ALTER TABLE ward.profile_handles FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ward.profile_handles AS RESTRICTIVE FOR ALL
    USING (tenant_id = ward.current_tenant()) WITH CHECK (tenant_id = ward.current_tenant());

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
    IF dob > CURRENT_DATE OR dob < date '1880-01-01' THEN
        RAISE EXCEPTION 'the date of birth cannot be in the future or before 1880' USING ERRCODE = '22023', HINT = 'field:date_of_birth';
    END IF;
    IF sex IS NULL OR sex NOT IN ('female', 'male', 'other', 'unknown') THEN
        RAISE EXCEPTION 'sex must be female, male, other or unknown' USING ERRCODE = '22023', HINT = 'field:sex';
    END IF;
    IF email IS NOT NULL AND email <> '' AND email !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' THEN
        RAISE EXCEPTION 'the e-mail address does not look right' USING ERRCODE = '22023', HINT = 'field:email';
    END IF;
END $$;

-- Search this clinic's charts: name prefixes (any script, accent- and case-insensitive;
-- "alv jo" finds Álvarez, José), an ISO date of birth, phone digits or a chart number.
CREATE FUNCTION api.search_patients(q text, lim integer DEFAULT 50)
    RETURNS TABLE (patient_id uuid, family_name text, given_name text, date_of_birth date, sex text,
                   chart_no text, phone text, next_appointment timestamptz)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
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
               AND pg_catalog.lower(ap.during) > pg_catalog.now())
      FROM ward.clinic_patients cp
      JOIN ward.patients p ON p.id = cp.patient_id
      JOIN ward.profile_consents c ON c.tenant_id = cp.tenant_id AND c.patient_id = cp.patient_id
                                  AND c.revoked_at IS NULL
     WHERE cp.tenant_id = tenant AND q <> ''
       AND CASE
             WHEN d IS NOT NULL THEN cp.date_of_birth = d
             WHEN pg_catalog.upper(q) = cp.chart_no THEN true
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
     ORDER BY cp.family_key, cp.given_key, p.date_of_birth
     LIMIT lim;
    GET DIAGNOSTICS n = ROW_COUNT;
    PERFORM ward.audit_here('patient.search', 'search', NULL, NULL,
                            pg_catalog.jsonb_build_object('q', q, 'hits', n));
END $$;

-- Opening a record is an access: audited as 'patient.read'.
CREATE FUNCTION api.open_patient(patient uuid)
    RETURNS TABLE (patient_id uuid, family_name text, given_name text, date_of_birth date, sex text,
                   phone text, email text, allergies text, chart_no text, registered_at timestamptz,
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

-- Gives this clinic a live consent and a chart for a patient (shared by register and sign).
CREATE FUNCTION ward.grant_consent(p_patient uuid, p_signature text, p_version text)
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
    IF pg_catalog.btrim(COALESCE(p_signature, '')) = '' THEN
        RAISE EXCEPTION 'the patient must type their full name as signature' USING ERRCODE = '22023', HINT = 'field:signature';
    END IF;
    SELECT t.body INTO body FROM ward.consent_texts t WHERE t.version = p_version;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown consent text version %', p_version USING ERRCODE = '22023';
    END IF;
    IF EXISTS (SELECT 1 FROM ward.profile_consents c WHERE c.tenant_id = l.tenant_id
                  AND c.patient_id = p_patient AND c.revoked_at IS NULL) THEN
        RAISE EXCEPTION 'this clinic already holds the patient''s consent' USING ERRCODE = '22023';
    END IF;
    INSERT INTO ward.profile_consents (tenant_id, patient_id, signed_by, signature, text_version, text_sha256)
    VALUES (l.tenant_id, p_patient, l.staff_id, pg_catalog.btrim(p_signature), p_version,
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

CREATE FUNCTION api.register_patient(family_name text, given_name text, date_of_birth date, sex text,
                                     phone text, email text, allergies text, signature text, text_version text)
    RETURNS TABLE (patient_id uuid, chart_no text)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    id uuid;
BEGIN
    PERFORM ward.require_permission('patient.register');
    PERFORM ward.require_permission('consent.sign');
    PERFORM ward.check_profile(family_name, given_name, date_of_birth, sex, email);
    IF pg_catalog.btrim(COALESCE(signature, '')) = '' THEN
        RAISE EXCEPTION 'the patient must type their full name as signature' USING ERRCODE = '22023', HINT = 'field:signature';
    END IF;
    INSERT INTO ward.patients (family_name, given_name, date_of_birth, sex, phone, email, allergies)
    VALUES (pg_catalog.btrim(family_name), pg_catalog.btrim(given_name), date_of_birth, sex,
            NULLIF(pg_catalog.btrim(phone), ''), NULLIF(pg_catalog.btrim(email), ''), NULLIF(pg_catalog.btrim(allergies), ''))
    RETURNING ward.patients.id INTO id;
    RETURN QUERY SELECT * FROM ward.grant_consent(id, signature, text_version);
END $$;

-- Exact identifiers only: this is for a patient who is standing at the desk, not for
-- browsing other clinics' patients. Masked result, short-lived handle, audited, and at
-- most 10 lookups per staff member per 10 minutes.
CREATE FUNCTION api.find_portable_profile(family_name text, given_name text, date_of_birth date)
    RETURNS TABLE (handle text, masked_name text, birth_year integer, sex text)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    l record;
    recent integer;
    p record;
    h text;
    found_any boolean := false;
BEGIN
    PERFORM ward.require_permission('consent.sign');
    SELECT * INTO l FROM ward.require_session();
    SELECT pg_catalog.count(*) INTO recent FROM ward.audit_events e
     WHERE e.tenant_id = l.tenant_id AND e.actor_id = l.staff_id AND e.action = 'profile.lookup'
       AND e.occurred_at > pg_catalog.now() - interval '10 minutes';
    IF recent >= 10 THEN
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
                pg_catalog.now() + interval '15 minutes');
        handle := h;
        masked_name := pg_catalog.left(p.given_name, 1) || '*** ' || pg_catalog.left(p.family_name, 1) || '***';
        birth_year := pg_catalog.date_part('year', p.date_of_birth)::integer;
        sex := p.sex;
        RETURN NEXT;
    END LOOP;
    PERFORM ward.audit_here('profile.lookup', 'search', NULL, NULL,
                            pg_catalog.jsonb_build_object('found', found_any));
END $$;

CREATE FUNCTION api.sign_consent(handle text, signature text, text_version text)
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
    RETURN QUERY SELECT * FROM ward.grant_consent(target, signature, text_version);
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
    UPDATE ward.profile_consents c SET revoked_at = pg_catalog.now(), revoked_by = l.staff_id,
           revoke_reason = NULLIF(pg_catalog.btrim(reason), '')
     WHERE c.tenant_id = l.tenant_id AND c.patient_id = patient AND c.revoked_at IS NULL;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'this clinic holds no consent for that patient' USING ERRCODE = 'P0002';
    END IF;
END $$;

-- Turns an overlap into a sentence naming the clashing appointment.
CREATE FUNCTION ward.raise_clash(p_tenant uuid, p_clinician uuid, p_during tstzrange, p_except uuid) RETURNS void
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    c record;
    tz text;
BEGIN
    SELECT t.time_zone INTO tz FROM ward.tenants t WHERE t.id = p_tenant;
    SELECT a.during, p.given_name || ' ' || p.family_name AS who, s.display_name AS clinician INTO c
      FROM ward.appointments a
      LEFT JOIN ward.patients p ON p.id = a.patient_id
      JOIN ward.staff s ON s.id = a.clinician_id
     WHERE a.tenant_id = p_tenant AND a.clinician_id = p_clinician AND a.during && p_during
       AND a.status IN ('booked', 'checked_in', 'completed') AND a.id IS DISTINCT FROM p_except
     LIMIT 1;
    RAISE EXCEPTION '% is already booked % %-% (%)', c.clinician,
        pg_catalog.to_char(pg_catalog.lower(c.during) AT TIME ZONE tz, 'YYYY-MM-DD'),
        pg_catalog.to_char(pg_catalog.lower(c.during) AT TIME ZONE tz, 'HH24:MI'),
        pg_catalog.to_char(pg_catalog.upper(c.during) AT TIME ZONE tz, 'HH24:MI'),
        COALESCE(c.who, 'a patient')
        USING ERRCODE = '23P01', HINT = 'field:starts_at';
END $$;

CREATE FUNCTION api.book_appointment(patient uuid, clinician uuid, starts_at timestamptz, minutes integer, reason text)
    RETURNS uuid
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    l record;
    r tstzrange;
    id uuid;
BEGIN
    PERFORM ward.require_permission('appointment.book');
    SELECT * INTO l FROM ward.require_session();
    IF minutes IS NULL OR minutes < 5 OR minutes > 480 THEN
        RAISE EXCEPTION 'an appointment lasts between 5 minutes and 8 hours' USING ERRCODE = '22023', HINT = 'field:minutes';
    END IF;
    IF starts_at IS NULL THEN
        RAISE EXCEPTION 'enter the start time' USING ERRCODE = '22023', HINT = 'field:starts_at';
    END IF;
    IF NOT ward.consented_here(patient) THEN
        RAISE EXCEPTION 'no such patient at this clinic' USING ERRCODE = 'P0002', HINT = 'field:patient';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM ward.memberships m WHERE m.tenant_id = l.tenant_id AND m.staff_id = clinician
                      AND m.role IN ('specialist', 'admin') AND m.disabled_at IS NULL) THEN
        RAISE EXCEPTION 'choose a clinician of this clinic' USING ERRCODE = '22023', HINT = 'field:clinician';
    END IF;
    r := pg_catalog.tstzrange(starts_at, starts_at + pg_catalog.make_interval(mins => minutes));
    BEGIN
        INSERT INTO ward.appointments (tenant_id, patient_id, clinician_id, during, reason, booked_by)
        VALUES (l.tenant_id, patient, clinician, r, NULLIF(pg_catalog.btrim(reason), ''), l.staff_id)
        RETURNING ward.appointments.id INTO id;
    EXCEPTION WHEN exclusion_violation THEN
        PERFORM ward.raise_clash(l.tenant_id, clinician, r, NULL);
    END;
    RETURN id;
END $$;

CREATE FUNCTION api.reschedule_appointment(appointment uuid, starts_at timestamptz, minutes integer) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    l record;
    a ward.appointments;
    r tstzrange;
BEGIN
    PERFORM ward.require_permission('appointment.book');
    SELECT * INTO l FROM ward.require_session();
    SELECT * INTO a FROM ward.appointments x WHERE x.tenant_id = l.tenant_id AND x.id = appointment FOR UPDATE;
    IF NOT FOUND THEN RAISE EXCEPTION 'no such appointment' USING ERRCODE = 'P0002'; END IF;
    IF a.status <> 'booked' THEN
        RAISE EXCEPTION 'only a booked appointment can be moved' USING ERRCODE = '22023';
    END IF;
    IF minutes IS NULL OR minutes < 5 OR minutes > 480 THEN
        RAISE EXCEPTION 'an appointment lasts between 5 minutes and 8 hours' USING ERRCODE = '22023', HINT = 'field:minutes';
    END IF;
    r := pg_catalog.tstzrange(starts_at, starts_at + pg_catalog.make_interval(mins => minutes));
    BEGIN
        UPDATE ward.appointments SET during = r, updated_at = pg_catalog.now()
         WHERE tenant_id = l.tenant_id AND id = appointment;
    EXCEPTION WHEN exclusion_violation THEN
        PERFORM ward.raise_clash(l.tenant_id, a.clinician_id, r, appointment);
    END;
END $$;

CREATE FUNCTION api.cancel_appointment(appointment uuid, reason text) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    l record;
BEGIN
    PERFORM ward.require_permission('appointment.cancel');
    SELECT * INTO l FROM ward.require_session();
    IF pg_catalog.btrim(COALESCE(cancel_appointment.reason, '')) = '' THEN
        RAISE EXCEPTION 'give a reason for the cancellation' USING ERRCODE = '22023', HINT = 'field:reason';
    END IF;
    UPDATE ward.appointments SET status = 'cancelled', cancel_reason = pg_catalog.btrim(cancel_appointment.reason),
           updated_at = pg_catalog.now()
     WHERE tenant_id = l.tenant_id AND id = appointment AND status IN ('booked', 'checked_in');
    IF NOT FOUND THEN RAISE EXCEPTION 'no booked appointment to cancel' USING ERRCODE = 'P0002'; END IF;
END $$;

-- Check in, no-show, completed.
CREATE FUNCTION api.set_appointment_status(appointment uuid, new_status text) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    l record;
BEGIN
    PERFORM ward.require_permission('appointment.checkin');
    SELECT * INTO l FROM ward.require_session();
    IF new_status NOT IN ('checked_in', 'no_show', 'completed') THEN
        RAISE EXCEPTION 'an appointment can be checked in, marked no-show or completed' USING ERRCODE = '22023';
    END IF;
    UPDATE ward.appointments SET status = new_status, updated_at = pg_catalog.now()
     WHERE tenant_id = l.tenant_id AND id = appointment AND status IN ('booked', 'checked_in');
    IF NOT FOUND THEN RAISE EXCEPTION 'that appointment is no longer open' USING ERRCODE = 'P0002'; END IF;
END $$;

CREATE FUNCTION api.write_note(patient uuid, kind text, title text, body text, amends uuid DEFAULT NULL)
    RETURNS uuid
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    l record;
    id uuid;
BEGIN
    PERFORM ward.require_permission('clinical.write');
    SELECT * INTO l FROM ward.require_session();
    IF NOT EXISTS (SELECT 1 FROM ward.clinic_patients cp WHERE cp.tenant_id = l.tenant_id AND cp.patient_id = patient) THEN
        RAISE EXCEPTION 'no such patient at this clinic' USING ERRCODE = 'P0002';
    END IF;
    IF pg_catalog.btrim(COALESCE(title, '')) = '' THEN
        RAISE EXCEPTION 'give the note a title' USING ERRCODE = '22023', HINT = 'field:title';
    END IF;
    IF pg_catalog.btrim(COALESCE(body, '')) = '' THEN
        RAISE EXCEPTION 'the note is empty' USING ERRCODE = '22023', HINT = 'field:body';
    END IF;
    INSERT INTO ward.clinical_notes (tenant_id, patient_id, kind, title, body, author_id, amends_id)
    VALUES (l.tenant_id, patient, COALESCE(kind, 'note'), pg_catalog.btrim(title), body, l.staff_id, amends)
    RETURNING ward.clinical_notes.id INTO id;
    RETURN id;
END $$;

-- Staff management (admin): every change is audited.
CREATE FUNCTION api.add_staff_member(username text, display_name text, role text, initial_password text)
    RETURNS uuid
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    l record;
    sid uuid;
BEGIN
    PERFORM ward.require_permission('staff.manage');
    SELECT * INTO l FROM ward.require_session();
    IF role NOT IN ('admin', 'specialist', 'front_desk', 'billing') THEN
        RAISE EXCEPTION 'role must be admin, specialist, front_desk or billing' USING ERRCODE = '22023', HINT = 'field:role';
    END IF;
    SELECT s.id INTO sid FROM ward.staff s WHERE s.username = pg_catalog.lower(pg_catalog.btrim(add_staff_member.username));
    IF sid IS NULL THEN
        IF pg_catalog.length(COALESCE(initial_password, '')) < 10 THEN
            RAISE EXCEPTION 'the initial password needs at least 10 characters' USING ERRCODE = '22023', HINT = 'field:password';
        END IF;
        IF pg_catalog.lower(pg_catalog.btrim(username)) !~ '^[a-z][a-z0-9._-]{1,39}$' THEN
            RAISE EXCEPTION 'a username is 2 to 40 lower-case letters, digits, dots, dashes or underscores'
                USING ERRCODE = '22023', HINT = 'field:username';
        END IF;
        INSERT INTO ward.staff (username, display_name, password_hash, must_change_password)
        VALUES (pg_catalog.lower(pg_catalog.btrim(username)), COALESCE(NULLIF(pg_catalog.btrim(display_name), ''), username),
                ward.hash_password(initial_password), true)
        RETURNING id INTO sid;
    END IF;
    -- A platform administrator's account never becomes a clinic member: she works in a
    -- clinic only through impersonation, which the clinic sees.
    IF EXISTS (SELECT 1 FROM ward.memberships m JOIN ward.tenants t ON t.id = m.tenant_id
                WHERE m.staff_id = sid AND t.kind = 'platform') THEN
        RAISE EXCEPTION 'that account belongs to the platform and cannot join a clinic' USING ERRCODE = '42501', HINT = 'field:username';
    END IF;
    IF EXISTS (SELECT 1 FROM ward.memberships m WHERE m.tenant_id = l.tenant_id AND m.staff_id = sid) THEN
        RAISE EXCEPTION 'that person already works at this clinic' USING ERRCODE = '22023', HINT = 'field:username';
    END IF;
    INSERT INTO ward.memberships (tenant_id, staff_id, role) VALUES (l.tenant_id, sid, role);
    PERFORM ward.audit_here('staff.add', 'staff', sid::text, NULL, pg_catalog.jsonb_build_object('role', role));
    RETURN sid;
END $$;

CREATE FUNCTION api.set_staff_role(staff uuid, role text) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    l record;
BEGIN
    PERFORM ward.require_permission('staff.manage');
    SELECT * INTO l FROM ward.require_session();
    IF role NOT IN ('admin', 'specialist', 'front_desk', 'billing') THEN
        RAISE EXCEPTION 'role must be admin, specialist, front_desk or billing' USING ERRCODE = '22023', HINT = 'field:role';
    END IF;
    UPDATE ward.memberships m SET role = set_staff_role.role WHERE m.tenant_id = l.tenant_id AND m.staff_id = staff;
    IF NOT FOUND THEN RAISE EXCEPTION 'no such staff member here' USING ERRCODE = 'P0002'; END IF;
    PERFORM ward.audit_here('staff.role', 'staff', staff::text, NULL, pg_catalog.jsonb_build_object('role', role));
END $$;

CREATE FUNCTION api.disable_staff(staff uuid) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    l record;
BEGIN
    PERFORM ward.require_permission('staff.manage');
    SELECT * INTO l FROM ward.require_session();
    IF staff = l.staff_id THEN
        RAISE EXCEPTION 'you cannot disable your own account' USING ERRCODE = '22023';
    END IF;
    UPDATE ward.memberships m SET disabled_at = pg_catalog.now()
     WHERE m.tenant_id = l.tenant_id AND m.staff_id = staff AND m.disabled_at IS NULL;
    IF NOT FOUND THEN RAISE EXCEPTION 'no such active staff member here' USING ERRCODE = 'P0002'; END IF;
    UPDATE ward.sessions s SET revoked_at = pg_catalog.now()
     WHERE s.tenant_id = l.tenant_id AND s.staff_id = staff AND s.revoked_at IS NULL;
    PERFORM ward.audit_here('staff.disable', 'staff', staff::text, NULL, '{}');
END $$;

-- The person must choose a new password at next login.
CREATE FUNCTION api.reset_staff_password(staff uuid, new_password text) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    l record;
BEGIN
    PERFORM ward.require_permission('staff.manage');
    SELECT * INTO l FROM ward.require_session();
    IF NOT EXISTS (SELECT 1 FROM ward.memberships m WHERE m.tenant_id = l.tenant_id
                      AND m.staff_id = reset_staff_password.staff) THEN
        RAISE EXCEPTION 'no such staff member here' USING ERRCODE = 'P0002';
    END IF;
    -- An account is platform-wide: one clinic's admin must not take over a person who also
    -- works elsewhere (add them here, then set their password). Only the platform may.
    IF EXISTS (SELECT 1 FROM ward.memberships m WHERE m.staff_id = reset_staff_password.staff
                  AND m.tenant_id <> l.tenant_id) THEN
        RAISE EXCEPTION 'this person also works at another clinic; ask the platform administrators to reset the password'
            USING ERRCODE = '42501';
    END IF;
    IF pg_catalog.length(COALESCE(new_password, '')) < 10 THEN
        RAISE EXCEPTION 'the password needs at least 10 characters' USING ERRCODE = '22023', HINT = 'field:password';
    END IF;
    UPDATE ward.staff s SET password_hash = ward.hash_password(new_password), must_change_password = true,
           failed_logins = 0, locked_until = NULL
     WHERE s.id = reset_staff_password.staff;
    PERFORM ward.audit_here('staff.password_reset', 'staff', reset_staff_password.staff::text, NULL, '{}');
END $$;

-- Whether this clinic's newest audit events still chain correctly (for the viewer's status
-- line); `ward audit verify` checks whole chains.
CREATE FUNCTION api.audit_chain_status(last_n integer DEFAULT 1000)
    RETURNS TABLE (checked bigint, broken_at bigint)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM ward.require_permission('audit.view');
    RETURN QUERY
    SELECT pg_catalog.count(*),
           pg_catalog.min(r.id) FILTER (WHERE r.content_bad OR (r.before IS NOT NULL AND r.prev_hash <> r.before))
      FROM (SELECT e.id, e.prev_hash, e.content_bad, pg_catalog.lag(e.hash) OVER (ORDER BY e.id) AS before
              FROM (SELECT x.id, x.prev_hash, x.hash, x.hash <> ward.audit_hash(x) AS content_bad
                      FROM ward.audit_events x WHERE x.tenant_id = ward.current_tenant()
                     ORDER BY x.id DESC LIMIT LEAST(GREATEST(last_n, 1), 100000)) e) r;
END $$;

DO $owners$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p
              WHERE p.pronamespace IN ('api'::regnamespace, 'ward'::regnamespace)
                AND p.prosecdef AND pg_catalog.pg_get_userbyid(p.proowner) = 'ward_owner'
    LOOP
        EXECUTE pg_catalog.format('ALTER FUNCTION %s OWNER TO ward_auth', f);
    END LOOP;
END $owners$;

GRANT EXECUTE ON FUNCTION api.search_patients(text, integer), api.open_patient(uuid),
    api.likely_duplicates(text, text, date), api.consent_text(),
    api.register_patient(text, text, date, text, text, text, text, text, text),
    api.find_portable_profile(text, text, date), api.sign_consent(text, text, text),
    api.revoke_consent(uuid, text), api.book_appointment(uuid, uuid, timestamptz, integer, text),
    api.reschedule_appointment(uuid, timestamptz, integer), api.cancel_appointment(uuid, text),
    api.set_appointment_status(uuid, text), api.write_note(uuid, text, text, text, uuid),
    api.add_staff_member(text, text, text, text), api.set_staff_role(uuid, text), api.disable_staff(uuid),
    api.reset_staff_password(uuid, text), api.audit_chain_status(integer)
    TO ward_app;
GRANT EXECUTE ON FUNCTION ward.check_profile(text, text, date, text, text), ward.hash_password(text) TO ward_auth;

REVOKE CREATE ON SCHEMA ward, api FROM ward_auth;
