-- Appointments and clinical notes: the clinic's own records. They never cross clinics,
-- consent or not: every key includes tenant_id and the restrictive policy is the tenant.
GRANT CREATE ON SCHEMA ward, api TO ward_auth;

CREATE TABLE ward.appointments (
    tenant_id     uuid NOT NULL REFERENCES ward.tenants (id),
    id            uuid NOT NULL DEFAULT pg_catalog.gen_random_uuid(),
    patient_id    uuid NOT NULL,
    clinician_id  uuid NOT NULL REFERENCES ward.staff (id),
    during        tstzrange NOT NULL CHECK (NOT pg_catalog.isempty(during)
                      AND pg_catalog.upper(during) - pg_catalog.lower(during) <= interval '8 hours'),
    status        text NOT NULL DEFAULT 'booked'
                  CHECK (status IN ('booked', 'checked_in', 'completed', 'cancelled', 'no_show')),
    reason        text CHECK (pg_catalog.length(reason) <= 500),
    cancel_reason text CHECK (pg_catalog.length(cancel_reason) <= 500),
    booked_by     uuid NOT NULL REFERENCES ward.staff (id),
    created_at    timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at    timestamptz NOT NULL DEFAULT pg_catalog.now(),
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

CREATE TABLE ward.clinical_notes (
    tenant_id   uuid NOT NULL REFERENCES ward.tenants (id),
    id          uuid NOT NULL DEFAULT pg_catalog.gen_random_uuid(),
    patient_id  uuid NOT NULL,
    kind        text NOT NULL DEFAULT 'note' CHECK (kind IN ('note', 'plan', 'report', 'form')),
    title       text NOT NULL CHECK (pg_catalog.btrim(title) <> '' AND pg_catalog.length(title) <= 200),
    body        text NOT NULL CHECK (pg_catalog.length(body) <= 100000),
    author_id   uuid NOT NULL REFERENCES ward.staff (id),
    signed_at   timestamptz NOT NULL DEFAULT pg_catalog.now(),
    -- Signed notes are never edited; a correction is a new note that amends the old one.
    amends_id   uuid,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, patient_id) REFERENCES ward.clinic_patients (tenant_id, patient_id),
    FOREIGN KEY (tenant_id, amends_id) REFERENCES ward.clinical_notes (tenant_id, id)
);
CREATE INDEX clinical_notes_patient ON ward.clinical_notes (tenant_id, patient_id, signed_at DESC);

CREATE FUNCTION ward.refuse_note_change() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    RAISE EXCEPTION 'a signed note cannot be changed; write a new note that amends it' USING ERRCODE = '42501';
END $$;
CREATE TRIGGER clinical_notes_immutable BEFORE UPDATE OR DELETE ON ward.clinical_notes
    FOR EACH ROW EXECUTE FUNCTION ward.refuse_note_change();

CREATE TRIGGER appointments_audit AFTER INSERT OR UPDATE OR DELETE ON ward.appointments
    FOR EACH ROW EXECUTE FUNCTION ward.audit_phi();
CREATE TRIGGER clinical_notes_audit AFTER INSERT OR UPDATE OR DELETE ON ward.clinical_notes
    FOR EACH ROW EXECUTE FUNCTION ward.audit_phi();

ALTER TABLE ward.appointments ENABLE ROW LEVEL SECURITY;
ALTER TABLE ward.appointments FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ward.appointments AS RESTRICTIVE FOR ALL
    USING (tenant_id = ward.current_tenant()) WITH CHECK (tenant_id = ward.current_tenant());
CREATE POLICY appointments_select ON ward.appointments FOR SELECT USING (ward.has_permission('appointment.view'));

ALTER TABLE ward.clinical_notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE ward.clinical_notes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ward.clinical_notes AS RESTRICTIVE FOR ALL
    USING (tenant_id = ward.current_tenant()) WITH CHECK (tenant_id = ward.current_tenant());
CREATE POLICY notes_select ON ward.clinical_notes FOR SELECT USING (ward.has_permission('clinical.read'));

REVOKE CREATE ON SCHEMA ward, api FROM ward_auth;
