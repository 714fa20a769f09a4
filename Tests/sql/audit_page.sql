-- api.audit_page, the audit viewer's page: the caller's own policies apply,
-- as on the api.audit_log view it replaces for paging.
SET ROLE ward_app;
SELECT api.login('northside', 'alice', 'clinic-demo') AS north \gset
SELECT api.login('riverside', 'rita', 'clinic-demo') AS river \gset
SELECT api.login('northside', 'fiona', 'clinic-demo') AS desk \gset
RESET ROLE;
BEGIN;
SELECT plan(7);
SET LOCAL ROLE ward_app;
SELECT set_config('ward.session', :'north', true) IS NOT NULL AS north;
SELECT is((SELECT count(*)::int FROM api.audit_page(NULL, '', 50)), 50, 'a northside admin gets a full page');
SELECT is((SELECT array_agg(id ORDER BY id DESC) FROM api.audit_page(NULL, '', 50)),
          (SELECT array_agg(id) FROM (SELECT id FROM api.audit_log ORDER BY id DESC LIMIT 50) x),
          'the newest page is the newest 50 events of the view, newest first');
SELECT is((SELECT array_agg(id ORDER BY id DESC) FROM api.audit_page((SELECT min(id) FROM api.audit_page(NULL, '', 50)), '', 50)),
          (SELECT array_agg(id) FROM (SELECT id FROM api.audit_log ORDER BY id DESC OFFSET 50 LIMIT 50) x),
          'the next page continues where the first ended');
SELECT ok((SELECT bool_and(action LIKE 'login%') FROM api.audit_page(NULL, 'login', 50)), 'the filter matches actions by prefix');
SELECT set_config('ward.session', :'river', true) IS NOT NULL AS river;
CREATE TEMP TABLE river_ids AS SELECT id FROM api.audit_page(NULL, '', 100000);
SELECT ok((SELECT count(*) FROM river_ids) > 0, 'riverside''s admin sees riverside''s events');
SELECT set_config('ward.session', :'north', true) IS NOT NULL AS north;
SELECT is((SELECT count(*)::int FROM api.audit_page(NULL, '', 100000) WHERE id IN (SELECT id FROM river_ids)), 0,
          'northside''s admin never gets a riverside event');
SELECT set_config('ward.session', :'desk', true) IS NOT NULL AS desk;
SELECT is((SELECT count(*)::int FROM api.audit_page(NULL, '', 50)), 0, 'front desk (no audit.view) gets no event');
SELECT * FROM finish();
ROLLBACK;
