-- api.audit_page, the audit viewer's page (ward_api's function): the session's clinic and
-- the policies apply, as on the api.audit_log view read as ward_api.
SET ROLE ward_app;
SELECT api.login('northside', 'alice', 'clinic-demo') AS north \gset
SELECT api.login('riverside', 'rita', 'clinic-demo') AS river \gset
SELECT api.login('northside', 'fiona', 'clinic-demo') AS desk \gset
RESET ROLE;
BEGIN;
SELECT plan(7);
SET LOCAL ROLE ward_app;
SELECT set_config('ward.session', :'north', true) IS NOT NULL AS north;
SET LOCAL ROLE ward_api;  -- the view, as the reader beneath the api
SELECT (SELECT array_agg(id) FROM (SELECT id FROM api.audit_log ORDER BY id DESC LIMIT 50) x)::text AS first_page,
       (SELECT array_agg(id) FROM (SELECT id FROM api.audit_log ORDER BY id DESC OFFSET 50 LIMIT 50) x)::text AS next_page \gset
SET LOCAL ROLE ward_app;
SELECT is((SELECT count(*)::int FROM api.audit_page(NULL, '', 50)), 50, 'a northside admin gets a full page');
SELECT is((SELECT array_agg(id ORDER BY id DESC) FROM api.audit_page(NULL, '', 50)),
          :'first_page'::bigint[],
          'the newest page is the newest 50 events of the view, newest first');
SELECT is((SELECT array_agg(id ORDER BY id DESC) FROM api.audit_page((SELECT min(id) FROM api.audit_page(NULL, '', 50)), '', 50)),
          :'next_page'::bigint[],
          'the next page continues where the first ended');
SELECT ok((SELECT bool_and(action LIKE 'login%') FROM api.audit_page(NULL, 'login', 50)), 'the filter matches actions by prefix');
SELECT set_config('ward.session', :'river', true) IS NOT NULL AS river;
RESET ROLE;  -- ward_app may create no temporary table
CREATE TEMP TABLE river_ids AS SELECT id FROM api.audit_page(NULL, '', 100000);
GRANT SELECT ON river_ids TO ward_app;
SET LOCAL ROLE ward_app;
SELECT ok((SELECT count(*) FROM river_ids) > 0, 'riverside''s admin sees riverside''s events');
SELECT set_config('ward.session', :'north', true) IS NOT NULL AS north;
SELECT is((SELECT count(*)::int FROM api.audit_page(NULL, '', 100000) WHERE id IN (SELECT id FROM river_ids)), 0,
          'northside''s admin never gets a riverside event');
SELECT set_config('ward.session', :'desk', true) IS NOT NULL AS desk;
SELECT is((SELECT count(*)::int FROM api.audit_page(NULL, '', 50)), 0, 'front desk (no audit.view) gets no event');
SELECT * FROM finish();
ROLLBACK;
