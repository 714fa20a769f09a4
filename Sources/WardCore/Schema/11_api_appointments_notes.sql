-- The api of appointments and clinical notes (SECURITY DEFINER as ward_auth: each function
-- states its guard first, see 10_api_patients).

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
        UPDATE ward.appointments SET during = r, updated_at = ward.now()
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
           updated_at = ward.now()
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
    UPDATE ward.appointments SET status = new_status, updated_at = ward.now()
     WHERE tenant_id = l.tenant_id AND id = appointment AND status IN ('booked', 'checked_in');
    IF NOT FOUND THEN RAISE EXCEPTION 'that appointment is no longer open' USING ERRCODE = 'P0002'; END IF;
END $$;

-- body is sealed for (clinical_notes, body, new_note, clinic:<tenant id>). A correction is
-- a new note that amends the old one, which must be a note of the same patient at the
-- same clinic (an amendment pointing into another patient's record would mislead whoever
-- reads either). A title of nothing but line breaks or tabs counts as empty.
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
    -- Sent again with the id of a note this person already wrote here (a retry after a lost
    -- answer or a failover): that note is the answer (docs/adr/0011-exactly-once-saves-by-request-id.md).
    IF EXISTS (SELECT 1 FROM ward.clinical_notes n
                WHERE n.tenant_id = l.tenant_id AND n.id = new_note AND n.author_id = l.staff_id) THEN
        RETURN new_note;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM ward.clinic_patients cp WHERE cp.tenant_id = l.tenant_id AND cp.patient_id = patient) THEN
        RAISE EXCEPTION 'no such patient at this clinic' USING ERRCODE = 'P0002';
    END IF;
    IF COALESCE(kind, 'note') NOT IN ('note', 'plan', 'report', 'form') THEN
        RAISE EXCEPTION 'a note''s kind is note, plan, report or form' USING ERRCODE = '22023', HINT = 'field:kind';
    END IF;
    IF COALESCE(title, '') !~ '[^[:space:]]' THEN
        RAISE EXCEPTION 'give the note a title' USING ERRCODE = '22023', HINT = 'field:title';
    END IF;
    IF pg_catalog.length(pg_catalog.btrim(title)) > 200 THEN
        RAISE EXCEPTION 'a title can have at most 200 characters' USING ERRCODE = '22023', HINT = 'field:title';
    END IF;
    IF body IS NULL THEN
        RAISE EXCEPTION 'the note is empty' USING ERRCODE = '22023', HINT = 'field:body';
    END IF;
    -- 100000 characters of up to four bytes each, plus the seal's own bytes (the table's
    -- CHECK); the terminal counts characters before it seals.
    IF pg_catalog.octet_length(body) > 400100 THEN
        RAISE EXCEPTION 'a note can have at most 100000 characters' USING ERRCODE = '22023', HINT = 'field:body';
    END IF;
    PERFORM ward.require_sealed(body, 'body');
    PERFORM ward.require_row_id(new_note);
    -- The amended note must be this clinic's and about this patient. (Another clinic's
    -- note is never found here: the clinic is part of the key.)
    IF amends IS NOT NULL AND NOT EXISTS (
           SELECT 1 FROM ward.clinical_notes n
            WHERE n.tenant_id = l.tenant_id AND n.id = amends AND n.patient_id = write_note.patient) THEN
        RAISE EXCEPTION 'the note to amend is not in this patient''s record here' USING ERRCODE = '22023', HINT = 'field:amends';
    END IF;
    INSERT INTO ward.clinical_notes (tenant_id, id, patient_id, kind, title, body, author_id, amends_id)
    VALUES (l.tenant_id, new_note, patient, COALESCE(kind, 'note'), pg_catalog.btrim(title), body, l.staff_id, amends);
    RETURN new_note;
END $$;
