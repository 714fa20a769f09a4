-- Clinic A sees only A's rows and B only B's; writes with another clinic's tenant_id fail.
SET ROLE ward_app;
SELECT api.login('northside', 'fiona', 'clinic-demo') AS north \gset
SELECT api.login('riverside', 'dana', 'clinic-demo') AS river \gset
RESET ROLE;
BEGIN;
SELECT plan(18);
SET LOCAL ROLE ward_app;
SELECT set_config('ward.session', :'north', true);
SET LOCAL ROLE ward_api;  -- the policies, as the reader beneath the api
SELECT ok((SELECT count(*) FROM api.patient_profiles) > 0, 'northside sees its own patients');
SELECT is((SELECT count(*)::int FROM api.patient_profiles WHERE chart_no NOT LIKE 'N-%'), 0, 'northside sees no other clinic''s chart');
SELECT is((SELECT count(*)::int FROM api.patient_profiles WHERE given_name = 'अनन्या'), 0, 'a riverside-only patient is invisible at northside');
SELECT is((SELECT count(*)::int FROM api.appointments WHERE chart_no NOT LIKE 'N-%'), 0, 'northside sees only its appointments');
SELECT is((SELECT count(*)::int FROM api.clinic WHERE code <> 'northside'), 0, 'northside sees only its own clinic row');
SET LOCAL ROLE ward_app;
SELECT throws_ok($$INSERT INTO ward.clinic_patients (tenant_id, patient_id, chart_no)
                   SELECT t.id, p.id, 'X-1' FROM ward.tenants t, ward.patients p LIMIT 1$$, '42501', NULL,
                 'ward_app cannot insert charts directly');
SAVEPOINT control;
SET LOCAL ROLE ward_owner;
SELECT lives_ok($$INSERT INTO ward.clinic_patients (tenant_id, patient_id, chart_no)
                  SELECT t.id, p.id, 'X-1' FROM ward.tenants t, ward.patients p LIMIT 1$$,
                'control: the owner can run the same insert');
ROLLBACK TO SAVEPOINT control;
SELECT throws_ok($$SELECT password_hash FROM ward.staff$$, '42501', NULL, 'password hashes are not readable');
SELECT throws_ok($$SELECT token_hash FROM ward.sessions$$, '42501', NULL, 'token hashes are not readable');
SET LOCAL ROLE ward_api;
SELECT throws_ok($$SELECT password_hash FROM ward.staff$$, '42501', NULL, '... not even by ward_api, which reads for the api');
SELECT throws_ok($$SELECT token_hash FROM ward.sessions$$, '42501', NULL, '... nor token hashes');
-- The control: the same statements run for the role whose functions need them (login), so
-- the refusals above are the grants, not a mistyped statement.
RESET ROLE;
SET LOCAL ROLE ward_auth;
SELECT lives_ok($$SELECT password_hash FROM ward.staff$$, 'control: ward_auth reads password hashes (login)');
SELECT lives_ok($$SELECT token_hash FROM ward.sessions$$, 'control: ward_auth reads token hashes (session look-up)');
SET LOCAL ROLE ward_app;
SELECT set_config('ward.session', :'river', true);
SET LOCAL ROLE ward_api;  -- the policies, as the reader beneath the api
SELECT is((SELECT count(*)::int FROM api.patient_profiles WHERE chart_no NOT LIKE 'R-%'), 0, 'riverside sees no other clinic''s chart');
SELECT is((SELECT count(*)::int FROM api.patient_profiles WHERE family_name = 'Ng'), 0, 'a northside-only patient is invisible at riverside');
SELECT ok((SELECT count(*) FROM api.patient_profiles WHERE given_name = 'अनन्या') = 1, 'riverside sees its own patient');
SET LOCAL ROLE ward_app;
SAVEPOINT control;
SET LOCAL ROLE ward_owner;
SELECT lives_ok($$UPDATE ward.appointments SET reason = 'x'$$, 'control: the owner can run the same update');
ROLLBACK TO SAVEPOINT control;
SELECT throws_ok($$UPDATE ward.appointments SET reason = 'x'$$, '42501', NULL, 'ward_app cannot update appointments directly');
SELECT * FROM finish();
ROLLBACK;
