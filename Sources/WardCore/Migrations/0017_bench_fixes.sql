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
