-- Appointments and clinical notes: the clinic's own records. They never cross clinics,
-- consent or not: every key includes tenant_id and the restrictive policy is the tenant.

CREATE TABLE ward.appointments (
    tenant_id     uuid NOT NULL REFERENCES ward.tenants (id),
    id            uuid NOT NULL DEFAULT pg_catalog.gen_random_uuid(),
    patient_id    uuid NOT NULL,
    clinician_id  uuid NOT NULL REFERENCES ward.staff (id),
    during        tstzrange NOT NULL CHECK (NOT pg_catalog.isempty(during)
                      AND pg_catalog.upper(during) - pg_catalog.lower(during) <= interval '8 hours'),
    -- A stored copy of the start: compared with leakproof operators it can be an index
    -- condition under row-level security, where lower(during) cannot
    -- (docs/adr/0006-appointment-start-column.md).
    starts_at     timestamptz GENERATED ALWAYS AS (pg_catalog.lower(during)) STORED,
    status        text NOT NULL DEFAULT 'booked'
                  CHECK (status IN ('booked', 'checked_in', 'completed', 'cancelled', 'no_show')),
    reason        text CHECK (pg_catalog.length(reason) <= 500),
    cancel_reason text CHECK (pg_catalog.length(cancel_reason) <= 500),
    booked_by     uuid NOT NULL REFERENCES ward.staff (id),
    created_at    timestamptz NOT NULL DEFAULT ward.now(),
    updated_at    timestamptz NOT NULL DEFAULT ward.now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, patient_id) REFERENCES ward.clinic_patients (tenant_id, patient_id),
    -- A clinician is never double-booked: the database refuses the second booking itself,
    -- whatever the interleaving of concurrent requests.
    CONSTRAINT appointments_no_overlap EXCLUDE USING gist
        (tenant_id WITH =, clinician_id WITH =, during WITH &&)
        WHERE (status IN ('booked', 'checked_in', 'completed'))
);
CREATE INDEX appointments_day ON ward.appointments (tenant_id, (pg_catalog.lower(during)));
CREATE INDEX appointments_patient ON ward.appointments (tenant_id, patient_id, (pg_catalog.lower(during)));
CREATE INDEX appointments_clinician_day ON ward.appointments (tenant_id, clinician_id, starts_at);

CREATE TABLE ward.clinical_notes (
    tenant_id   uuid NOT NULL REFERENCES ward.tenants (id),
    id          uuid NOT NULL DEFAULT pg_catalog.gen_random_uuid(),
    patient_id  uuid NOT NULL,
    kind        text NOT NULL DEFAULT 'note' CHECK (kind IN ('note', 'plan', 'report', 'form')),
    title       text NOT NULL CHECK (pg_catalog.btrim(title) <> '' AND pg_catalog.length(title) <= 200),
    -- Sealed (clinic scope): 100000 characters of up to four bytes, plus the seal.
    body        bytea NOT NULL CHECK (pg_catalog.octet_length(body) <= 400100),
    author_id   uuid NOT NULL REFERENCES ward.staff (id),
    signed_at   timestamptz NOT NULL DEFAULT ward.now(),
    -- Signed notes are never edited; a correction is a new note that amends the old one.
    amends_id   uuid,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, patient_id) REFERENCES ward.clinic_patients (tenant_id, patient_id),
    FOREIGN KEY (tenant_id, amends_id) REFERENCES ward.clinical_notes (tenant_id, id)
);
CREATE INDEX clinical_notes_patient ON ward.clinical_notes (tenant_id, patient_id, signed_at DESC);

-- Signed notes stay unchangeable, with one exception: key rotation may replace the sealed
-- body by one sealed under a newer key version (or seal a body the owner stored unsealed,
-- as the seeds do before they commit); every other column must stay as it was.
CREATE FUNCTION ward.refuse_note_change() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND (pg_catalog.to_jsonb(OLD) - 'body') = (pg_catalog.to_jsonb(NEW) - 'body')
       AND ward.is_sealed(NEW.body)
       AND (NOT ward.is_sealed(OLD.body) OR ward.sealed_version(NEW.body) > ward.sealed_version(OLD.body)) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'a signed note cannot be changed; write a new note that amends it' USING ERRCODE = '42501';
END $$;
CREATE TRIGGER clinical_notes_immutable BEFORE UPDATE OR DELETE ON ward.clinical_notes
    FOR EACH ROW EXECUTE FUNCTION ward.refuse_note_change();

-- One clinician's bookings at one clinic are made one at a time: a transaction-scoped
-- advisory lock per (clinic, clinician), taken before the row is written, turns two
-- overlapping concurrent inserts (a deadlock the server breaks after deadlock_timeout)
-- into a short queue, so the exclusion constraint names the clash. Other clinicians'
-- bookings never wait for it.
CREATE FUNCTION ward.one_booking_at_a_time() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.during IS DISTINCT FROM OLD.during
       OR NEW.clinician_id IS DISTINCT FROM OLD.clinician_id OR NEW.status IS DISTINCT FROM OLD.status THEN
        PERFORM pg_catalog.pg_advisory_xact_lock(
            pg_catalog.hashtextextended('ward.booking/' || NEW.tenant_id::text || '/' || NEW.clinician_id::text, 0));
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER appointments_one_at_a_time BEFORE INSERT OR UPDATE ON ward.appointments
    FOR EACH ROW EXECUTE FUNCTION ward.one_booking_at_a_time();

-- The sentence a refused booking shows: the clashing appointment in the clinic's own date
-- order, and its patient's name only while this clinic holds that patient's consent (this
-- runs as ward_auth, which bypasses row-level security).
CREATE FUNCTION ward.raise_clash(p_tenant uuid, p_clinician uuid, p_during tstzrange, p_except uuid)
    RETURNS void
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    clinic record;
    c record;
    day_format text;
    who text;
BEGIN
    SELECT t.time_zone, t.date_order INTO clinic FROM ward.tenants t WHERE t.id = p_tenant;
    day_format := CASE clinic.date_order WHEN 'DMY' THEN 'DD/MM/YYYY' WHEN 'MDY' THEN 'MM/DD/YYYY'
                                         ELSE 'YYYY-MM-DD' END;
    SELECT a.during, a.patient_id, s.display_name AS clinician INTO c
      FROM ward.appointments a
      JOIN ward.staff s ON s.id = a.clinician_id
     WHERE a.tenant_id = p_tenant AND a.clinician_id = p_clinician AND a.during && p_during
       AND a.status IN ('booked', 'checked_in', 'completed') AND a.id IS DISTINCT FROM p_except
     ORDER BY pg_catalog.lower(a.during)
     LIMIT 1;
    IF NOT FOUND THEN
        -- Only reached if the clashing row vanished between the insert and this look-up.
        RAISE EXCEPTION 'that time clashes with another appointment of this clinician'
            USING ERRCODE = '23P01', HINT = 'field:starts_at';
    END IF;
    SELECT p.given_name || ' ' || p.family_name INTO who
      FROM ward.patients p
      JOIN ward.profile_consents pc ON pc.patient_id = p.id AND pc.tenant_id = p_tenant AND pc.revoked_at IS NULL
     WHERE p.id = c.patient_id
     LIMIT 1;
    RAISE EXCEPTION '% is already booked on % from % to % (%)', c.clinician,
        pg_catalog.to_char(pg_catalog.lower(c.during) AT TIME ZONE clinic.time_zone, day_format),
        pg_catalog.to_char(pg_catalog.lower(c.during) AT TIME ZONE clinic.time_zone, 'HH24:MI'),
        pg_catalog.to_char(pg_catalog.upper(c.during) AT TIME ZONE clinic.time_zone, 'HH24:MI'),
        COALESCE(who, 'a patient whose profile is not shared with this clinic')
        USING ERRCODE = '23P01', HINT = 'field:starts_at';
END $$;

CREATE TRIGGER appointments_audit AFTER INSERT OR UPDATE OR DELETE ON ward.appointments
    FOR EACH ROW EXECUTE FUNCTION ward.audit_phi();
CREATE TRIGGER clinical_notes_audit AFTER INSERT OR UPDATE OR DELETE ON ward.clinical_notes
    FOR EACH ROW EXECUTE FUNCTION ward.audit_phi();
