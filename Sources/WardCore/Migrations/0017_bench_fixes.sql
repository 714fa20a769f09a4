-- Fixes found by `make bench` (BENCHMARKS.md has the figures before and after).
--
-- 1. Audit hashing, about 6x faster. ward.audit_canonical and ward.audit_hash (0005) were
--    declared IMMUTABLE with SET search_path. Either one stops PostgreSQL from inlining a SQL
--    function: with SET, every call switches search_path and back and runs the body as a
--    separate query; and an IMMUTABLE function whose body calls STABLE functions (to_char,
--    jsonb_build_array) is never inlined. So each event cost two full function executions:
--    about 100 us, which bounded every audited write, `ward audit verify` and the audit
--    viewer's chain check. Here they are STABLE (what their bodies really are) and carry no
--    SET, so they inline into their callers. Without a pinned search_path nothing in the
--    bodies may be looked up by name: every function is qualified (pg_catalog., ward.), the
--    one operator is written OPERATOR(pg_catalog.||), and AT TIME ZONE became
--    pg_catalog.timezone(). The canonical text is byte for byte the same as before, so
--    existing chains still verify.
CREATE OR REPLACE FUNCTION ward.audit_canonical(e ward.audit_events) RETURNS text
    LANGUAGE sql STABLE
    AS $$
    SELECT pg_catalog.jsonb_build_array(
        e.tenant_id, e.id,
        pg_catalog.to_char(pg_catalog.timezone('UTC', e.occurred_at), 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        e.actor_id, e.session_id, e.impersonated_by, e.action, e.object_type, e.object_id,
        e.patient_id, e.details, pg_catalog.encode(e.prev_hash, 'hex'))::text
    $$;

CREATE OR REPLACE FUNCTION ward.audit_hash(e ward.audit_events) RETURNS bytea
    LANGUAGE sql STABLE
    AS $$
    SELECT pg_catalog.sha256(e.prev_hash OPERATOR(pg_catalog.||)
                             pg_catalog.convert_to(ward.audit_canonical(e), 'UTF8'))
    $$;

-- 2. The audit viewer's page, a set-returning function instead of a query on api.audit_log.
--    api.audit_log is a security_barrier view, which PostgreSQL never flattens into the
--    query around it: "ORDER BY id DESC LIMIT 50" stayed outside, so every page read all of
--    the clinic's events, checked the row policy on each and sorted them (71 s for one page
--    of a clinic with 100k events on the bench machine). Here the ORDER BY and LIMIT sit
--    next to the table, and the page is a backward scan of (tenant_id, id) that stops after
--    50 rows. SECURITY INVOKER (the default; a plain SQL function that PostgreSQL inlines),
--    so the caller's own policies on audit_events and staff apply exactly as in the view.
CREATE FUNCTION api.audit_page(before_id bigint, filter text, lim integer)
    RETURNS TABLE (id bigint, occurred_at timestamptz, actor text, impersonated boolean, action text,
                   object_type text, object_id text, details jsonb)
    LANGUAGE sql STABLE
    AS $$
    SELECT e.id, e.occurred_at, (SELECT s.username FROM ward.staff s WHERE s.id = e.actor_id),
           e.impersonated_by IS NOT NULL, e.action, e.object_type, e.object_id, e.details
      FROM ward.audit_events e
     WHERE e.id < COALESCE(before_id, 9223372036854775807)
       AND (filter = '' OR e.action LIKE filter || '%'
            OR e.actor_id = (SELECT s.id FROM ward.staff s WHERE s.username = filter))
     ORDER BY e.id DESC
     LIMIT lim
    $$;
GRANT EXECUTE ON FUNCTION api.audit_page(bigint, text, integer) TO ward_app;

-- 3. Patient search, from ~200 ms to a few ms in a clinic of 50k patients. Two causes, both
--    in the shape of api.search_patients (0010), whose body is otherwise unchanged:
--    a) The chart-number test sat inside the CASE as "WHEN upper(q) = cp.chart_no THEN true".
--       That arm depends on the row, so the CASE could never fold down to the one branch the
--       query text picks, and no branch could use an index: every search read all of the
--       clinic's charts. Now the branch is chosen by tests on the query text alone, and the
--       chart number is OR'ed beside it, so each arm is an index range on (tenant_id, ...).
--    b) PL/pgSQL caches a statement's plan; after five calls PostgreSQL may switch to a
--       generic plan, which cannot fold the CASE at all (it does not know the values) and
--       which it judged cheap because an average clinic is small. Measured: calls 1-5
--       ~45 ms, from the sixth on ~200 ms. plan_cache_mode = force_custom_plan, set on the
--       function only, plans each search with its values.
CREATE OR REPLACE FUNCTION api.search_patients(q text, lim integer DEFAULT 50)
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
               AND pg_catalog.lower(ap.during) > pg_catalog.now())
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
