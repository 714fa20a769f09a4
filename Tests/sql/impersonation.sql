-- A platform administrator has no standing access; impersonation is scoped to one clinic,
-- needs a reason, and shows in that clinic's own audit log.
SET ROLE ward_app;
SELECT api.login('platform', 'olga', 'clinic-demo') AS olga \gset
SELECT api.login('lakeside', 'lena', 'clinic-demo') AS lena \gset
RESET ROLE;
BEGIN;
SELECT plan(7);
SET LOCAL ROLE ward_app;
SELECT set_config('ward.session', :'olga', true) IS NOT NULL AS olga;
SET LOCAL ROLE ward_api;  -- the policies, as the reader beneath the api
SELECT is((SELECT count(*)::int FROM api.patient_profiles), 0, 'a platform admin sees no patient');
SET LOCAL ROLE ward_app;
SELECT throws_ok($$SELECT api.impersonate('lakeside', '')$$, '22023', NULL, 'impersonation needs a reason');
SELECT ok(api.impersonate('lakeside', 'ticket 42: calendar looks wrong') ~ '^[0-9a-f]{64}$', 'with a reason: a token');
COMMIT;
SET ROLE ward_app;
SELECT token FROM (SELECT set_config('ward.session', :'olga', true)) s, LATERAL (SELECT api.impersonate('lakeside', 'ticket 43: second look') AS token) t \gset
RESET ROLE;
BEGIN;
SET LOCAL ROLE ward_app;
SELECT set_config('ward.session', :'token', true) IS NOT NULL AS support;
SET LOCAL ROLE ward_api;  -- the policies, as the reader beneath the api
SELECT ok((SELECT count(*) FROM api.appointments) > 0, 'the support session sees lakeside''s schedule');
SELECT is((SELECT count(*)::int FROM api.clinical_notes), 0, 'but no clinical note');
SELECT is((SELECT count(*)::int FROM api.appointments WHERE chart_no NOT LIKE 'L-%'), 0, 'and nothing of another clinic');
SET LOCAL ROLE ward_app;
SELECT set_config('ward.session', :'lena', true) IS NOT NULL AS lena;
SET LOCAL ROLE ward_api;  -- the policies, as the reader beneath the api
SELECT ok(EXISTS (SELECT 1 FROM api.audit_log WHERE action = 'impersonation.start' AND impersonated
                     AND details ->> 'reason' = 'ticket 43: second look'), 'lena sees the impersonation and its reason');
SET LOCAL ROLE ward_app;
SELECT * FROM finish();
ROLLBACK;
