-- Clinical notes: a sentence for every way a note can be refused, and amendments that can
-- only refer to a note of the same patient at the same clinic.
--
-- api.write_note (0015: the body arrives sealed by the terminal) takes `amends`, and notes
-- are immutable (0008's trigger): a correction is a new note that points at the old one.
-- But an unknown `amends` id came back as a bare foreign-key error with no sentence for
-- the user, and an amendment could point at a note about another patient of the same
-- clinic, which would mislead whoever reads either record. The same goes for a wrong kind,
-- an over-long title or an over-long body: the table's CHECKs refused them, in words meant
-- for programmers. The CHECKs stay as the last line; these messages come first, each with
-- HINT 'field:NAME' for the form. A title of nothing but line breaks or tabs passed the
-- old check (btrim removes spaces only): "empty" now means no visible character at all.
-- (The body is ciphertext here; the terminal sends a blank body as NULL.)
--
-- Same signature, same owner (ward_auth) and grants: CREATE OR REPLACE keeps them.
CREATE OR REPLACE FUNCTION api.write_note(patient uuid, kind text, title text, body bytea, amends uuid DEFAULT NULL,
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
