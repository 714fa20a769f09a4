-- Policies evaluate the session once per statement (docs/adr/0001), and the objects that
-- make it so (ward.session_here, ward.consents_here) give nobody more than the policies do.
SET ROLE ward_app;
SELECT api.login('northside', 'alice', 'clinic-demo') AS north \gset
SELECT api.login('riverside', 'rita', 'clinic-demo') AS river \gset
RESET ROLE;
BEGIN;
SELECT plan(9);

-- Every call of a context function in a policy sits inside its own sub-SELECT (an
-- initPlan, run once per statement), never as a per-row filter.
SELECT is((SELECT count(*)::int FROM pg_policies p, LATERAL (VALUES (p.qual), (p.with_check)) e(expr)
            WHERE p.schemaname = 'ward'
              AND regexp_count(expr, 'ward\.(current_tenant|current_staff|current_session_id|has_permission|is_member_here|consented_here)\(')
               <> regexp_count(expr, 'SELECT ward\.(current_tenant|current_staff|current_session_id|has_permission)\(')),
          0, 'no policy calls a context function once per row');
SELECT ok(NOT has_function_privilege('ward_app', 'ward.session_here()', 'EXECUTE'),
          'ward_app cannot call the session lookup that reads every session');

CREATE TEMP TABLE north_consents AS
    SELECT c.patient_id FROM ward.profile_consents c JOIN ward.tenants t ON t.id = c.tenant_id
     WHERE t.code = 'northside' AND c.revoked_at IS NULL;
CREATE TEMP TABLE river_consents AS
    SELECT c.patient_id FROM ward.profile_consents c JOIN ward.tenants t ON t.id = c.tenant_id
     WHERE t.code = 'riverside' AND c.revoked_at IS NULL;
CREATE TEMP TABLE river_only AS SELECT patient_id FROM river_consents EXCEPT SELECT patient_id FROM north_consents;
CREATE TEMP TABLE seen (patient_id uuid);
GRANT SELECT ON north_consents, river_consents, river_only TO ward_api;
GRANT INSERT, SELECT ON seen TO ward_api;
-- A caller's own function in the WHERE clause runs only on rows the view's filter kept
-- (created here: ward_api, like ward_app, may create nothing in pg_temp).
CREATE FUNCTION pg_temp.peek(p uuid) RETURNS boolean LANGUAGE plpgsql COST 0.0001
    AS $$ BEGIN INSERT INTO seen VALUES (p); RETURN true; END $$;
SELECT ok((SELECT count(*) FROM river_only) > 0, 'control: riverside holds consents northside does not');

-- ward_app reaches no table (docs/adr/0012): the policies are proven as ward_api, the
-- reader beneath the api functions.
SET LOCAL ROLE ward_api;
SELECT is((SELECT count(*)::int FROM ward.consents_here), 0, 'without a session, consents_here is empty');
SELECT set_config('ward.session', :'north', true) IS NOT NULL AS north;
-- (arrays rather than set_eq, whose temporary tables ward_api may not create)
SELECT is((SELECT array_agg(DISTINCT patient_id ORDER BY patient_id) FROM ward.consents_here),
          (SELECT array_agg(DISTINCT patient_id ORDER BY patient_id) FROM north_consents),
              'northside''s session sees exactly northside''s live consents');

SELECT ok((SELECT count(*) FROM ward.consents_here WHERE pg_temp.peek(patient_id)) > 0, 'the peeking query ran');
SELECT is((SELECT count(*)::int FROM seen WHERE patient_id IN (SELECT patient_id FROM river_only)), 0,
          'a function in the caller''s WHERE never sees another clinic''s consents');

SELECT set_config('ward.session', :'river', true) IS NOT NULL AS river;
SELECT is((SELECT array_agg(DISTINCT patient_id ORDER BY patient_id) FROM ward.consents_here),
          (SELECT array_agg(DISTINCT patient_id ORDER BY patient_id) FROM river_consents),
              'riverside''s session sees exactly riverside''s live consents');
SELECT set_config('ward.session', 'forged-' || :'north', true) IS NOT NULL AS forged;
SELECT is((SELECT count(*)::int FROM ward.consents_here), 0, 'a forged token sees no consent');

SELECT * FROM finish();
ROLLBACK;
