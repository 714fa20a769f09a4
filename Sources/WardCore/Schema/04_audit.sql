-- The audit log: append-only, one hash chain per clinic.
--
-- hash = sha256(prev_hash || canonical row), the canonical row defined once, in
-- ward.audit_canonical(), which both the writer and `ward audit verify` use. The first
-- event of a clinic has prev_hash = 32 zero bytes. Concurrent writers of one clinic
-- serialise on that clinic's row in ward.audit_heads (FOR UPDATE, held until commit); the
-- id is drawn after the lock, so within a clinic the chain order is the id order. Clinics
-- never wait for each other. Events with no clinic (logins naming none, operator tools)
-- go to the chain of the 'platform' pseudo-tenant.
CREATE TABLE ward.audit_events (
    tenant_id       uuid NOT NULL REFERENCES ward.tenants (id),
    id              bigint NOT NULL GENERATED ALWAYS AS IDENTITY,
    occurred_at     timestamptz NOT NULL,
    actor_id        uuid,           -- staff; NULL for operator tools and unknown users
    session_id      uuid,
    impersonated_by uuid,           -- the platform admin behind an impersonation session
    action          text NOT NULL,  -- 'patient.search', 'login.failure', 'appointments.insert' ...
    object_type     text,
    object_id       text,
    patient_id      uuid,
    details         jsonb NOT NULL DEFAULT '{}',
    prev_hash       bytea NOT NULL,
    hash            bytea NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
-- Keyset paging of the log, newest first, is (tenant_id, id) descending: the primary key.
CREATE INDEX audit_events_patient ON ward.audit_events (tenant_id, patient_id, id) WHERE patient_id IS NOT NULL;

CREATE TABLE ward.audit_heads (
    tenant_id uuid PRIMARY KEY REFERENCES ward.tenants (id),
    last_id   bigint,
    last_hash bytea NOT NULL,
    events    bigint NOT NULL DEFAULT 0
);

-- The canonical form of an event: a JSON array of every field but the hash, in a fixed
-- order, times in UTC with microseconds, independent of the session's TimeZone and
-- DateStyle. STABLE and without SET so that it inlines (docs/adr/0005-audit-hashing.md):
-- every name in it is therefore qualified, the operator too.
CREATE FUNCTION ward.audit_canonical(e ward.audit_events) RETURNS text
    LANGUAGE sql STABLE
    AS $$
    SELECT pg_catalog.jsonb_build_array(
        e.tenant_id, e.id,
        pg_catalog.to_char(pg_catalog.timezone('UTC', e.occurred_at), 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        e.actor_id, e.session_id, e.impersonated_by, e.action, e.object_type, e.object_id,
        e.patient_id, e.details, pg_catalog.encode(e.prev_hash, 'hex'))::text
    $$;

CREATE FUNCTION ward.audit_hash(e ward.audit_events) RETURNS bytea
    LANGUAGE sql STABLE
    AS $$
    SELECT pg_catalog.sha256(e.prev_hash OPERATOR(pg_catalog.||)
                             pg_catalog.convert_to(ward.audit_canonical(e), 'UTF8'))
    $$;

-- Appends one event to a clinic's chain. Not executable by ward_app: events come from
-- triggers and from the api functions, never from a caller's own words.
CREATE FUNCTION ward.write_audit(
    p_tenant uuid, p_action text, p_object_type text, p_object_id text, p_patient uuid,
    p_details jsonb, p_actor uuid, p_session uuid, p_impersonated_by uuid) RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    e ward.audit_events;
BEGIN
    SELECT h.last_hash INTO e.prev_hash FROM ward.audit_heads h WHERE h.tenant_id = p_tenant FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO ward.audit_heads (tenant_id, last_hash)
             VALUES (p_tenant, pg_catalog.decode(pg_catalog.repeat('00', 32), 'hex'))
        ON CONFLICT (tenant_id) DO NOTHING;
        SELECT h.last_hash INTO e.prev_hash FROM ward.audit_heads h WHERE h.tenant_id = p_tenant FOR UPDATE;
    END IF;
    e.tenant_id := p_tenant;
    e.id := pg_catalog.nextval(pg_catalog.pg_get_serial_sequence('ward.audit_events', 'id'));
    e.occurred_at := ward.now();
    e.actor_id := p_actor;
    e.session_id := p_session;
    e.impersonated_by := p_impersonated_by;
    e.action := p_action;
    e.object_type := p_object_type;
    e.object_id := p_object_id;
    e.patient_id := p_patient;
    e.details := COALESCE(p_details, '{}'::jsonb);
    e.hash := ward.audit_hash(e);
    INSERT INTO ward.audit_events OVERRIDING SYSTEM VALUE SELECT e.*;
    UPDATE ward.audit_heads SET last_id = e.id, last_hash = e.hash, events = events + 1
     WHERE tenant_id = p_tenant;
    RETURN e.id;
END $$;

CREATE FUNCTION ward.platform_tenant() RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT t.id FROM ward.tenants t WHERE t.kind = 'platform' $$;

-- Appends an event in the caller's clinic, attributed to the caller's session, and moves
-- that session's idle clock: every writing api function and every audited read comes
-- through here, so none can forget to. Without a live session (operator tools) the event
-- goes to p_fallback_tenant, or to the platform.
CREATE FUNCTION ward.audit_here(
    p_action text, p_object_type text, p_object_id text, p_patient uuid, p_details jsonb,
    p_fallback_tenant uuid DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    s record;
BEGIN
    SELECT * INTO s FROM ward.live_session();
    IF FOUND THEN
        PERFORM ward.touch_session();
        RETURN ward.write_audit(s.tenant_id, p_action, p_object_type, p_object_id, p_patient,
                                p_details, s.staff_id, s.session_id, s.impersonated_by);
    END IF;
    RETURN ward.write_audit(COALESCE(p_fallback_tenant, ward.platform_tenant()), p_action,
                            p_object_type, p_object_id, p_patient, p_details, NULL, NULL, NULL);
END $$;

-- Row trigger for every PHI table: who changed which row of which patient, and which
-- columns changed. Values are not copied into the log (the log must not become a second,
-- less protected copy of the record).
CREATE FUNCTION ward.audit_phi() RETURNS trigger
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    r jsonb;
    o jsonb;
    changed text[];
    op text := pg_catalog.lower(TG_OP);
BEGIN
    IF TG_OP = 'DELETE' THEN r := pg_catalog.to_jsonb(OLD); ELSE r := pg_catalog.to_jsonb(NEW); END IF;
    IF TG_OP = 'UPDATE' THEN
        o := pg_catalog.to_jsonb(OLD);
        SELECT pg_catalog.array_agg(k ORDER BY k) INTO changed
          FROM pg_catalog.jsonb_object_keys(r) k
         WHERE r -> k IS DISTINCT FROM o -> k AND k NOT IN ('updated_at');
        IF changed IS NULL THEN RETURN NULL; END IF;
    END IF;
    PERFORM ward.audit_here(
        TG_TABLE_NAME || '.' || op,
        TG_TABLE_NAME,
        COALESCE(r ->> 'id', r ->> 'patient_id'),
        COALESCE(r ->> 'patient_id', CASE WHEN TG_TABLE_NAME = 'patients' THEN r ->> 'id' END)::uuid,
        CASE WHEN changed IS NULL THEN '{}'::jsonb
             ELSE pg_catalog.jsonb_build_object('changed', pg_catalog.to_jsonb(changed)) END,
        (r ->> 'tenant_id')::uuid);
    RETURN NULL;
END $$;

-- Append-only, for everyone including the owner: the grants never give ward_app UPDATE,
-- DELETE or TRUNCATE, and these triggers refuse them to anyone whose triggers fire.
CREATE FUNCTION ward.refuse_audit_change() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP USING ERRCODE = '42501';
END $$;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON ward.audit_events
    FOR EACH ROW EXECUTE FUNCTION ward.refuse_audit_change();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON ward.audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION ward.refuse_audit_change();
CREATE TRIGGER audit_heads_no_truncate BEFORE TRUNCATE ON ward.audit_heads
    FOR EACH STATEMENT EXECUTE FUNCTION ward.refuse_audit_change();
