-- Each role is refused what it lacks, in the database itself.
SET ROLE ward_app;
SELECT api.login('northside', 'fiona', 'clinic-demo') AS desk \gset
SELECT api.login('northside', 'sam', 'clinic-demo') AS spec \gset
SELECT api.login('northside', 'bruno', 'clinic-demo') AS bill \gset
SELECT api.login('northside', 'alice', 'clinic-demo') AS adm \gset
RESET ROLE;
BEGIN;
SELECT plan(15);
SET LOCAL ROLE ward_app;
SELECT set_config('ward.session', :'desk', true);
SET LOCAL ROLE ward_api;  -- the policies, as the reader beneath the api
SELECT is((SELECT count(*)::int FROM api.clinical_notes), 0, 'front desk reads no clinical note');
SET LOCAL ROLE ward_app;
SELECT throws_ok($$SELECT api.write_note((SELECT patient_id FROM api.search_patients('alvarez') LIMIT 1), 'note', 't', 'b')$$,
                 '42501', NULL, 'front desk cannot write a note');
SAVEPOINT control;
SELECT set_config('ward.session', :'spec', true);
SELECT throws_ok($$SELECT api.write_note((SELECT patient_id FROM api.search_patients('alvarez') LIMIT 1), 'note', 't', 'b')$$,
                 '22023', NULL, 'control: the same call by a specialist passes the permission check (and meets the unsealed body)');
ROLLBACK TO SAVEPOINT control;
SET LOCAL ROLE ward_api;  -- the policies, as the reader beneath the api
SELECT is((SELECT count(*)::int FROM api.audit_log), 0, 'front desk reads no audit event');
SET LOCAL ROLE ward_app;
SELECT set_config('ward.session', :'spec', true);
SET LOCAL ROLE ward_api;  -- the policies, as the reader beneath the api
SELECT ok((SELECT count(*) FROM api.clinical_notes) > 0, 'a specialist reads the clinic''s notes');
SELECT is((SELECT count(*)::int FROM api.audit_log), 0, 'a specialist views no audit event');
SET LOCAL ROLE ward_app;
SELECT throws_ok($$SELECT * FROM api.audit_chain_status()$$, '42501', NULL, 'a specialist cannot check the audit chain');
SAVEPOINT control;
SELECT set_config('ward.session', :'adm', true);
SELECT lives_ok($$SELECT * FROM api.audit_chain_status()$$, 'control: an admin can');
ROLLBACK TO SAVEPOINT control;
SELECT set_config('ward.session', :'bill', true);
SELECT throws_ok($$SELECT * FROM api.register_patient('B', 'B', '2000-01-01', 'male', NULL, NULL, NULL, 'B B', 'v1')$$,
                 '42501', NULL, 'billing cannot register a patient or take consent');
SELECT throws_ok($$SELECT * FROM api.find_portable_profile('Ng', 'Zoë', '1991-09-30')$$, '42501', NULL,
                 'billing cannot look up portable profiles');
SAVEPOINT control;
SELECT set_config('ward.session', :'desk', true);
SELECT throws_ok($$SELECT * FROM api.register_patient('B', 'B', '2000-01-01', 'male', NULL, NULL, NULL, 'B B', 'v1')$$,
                 '22023', 'the terminal must choose the new record''s id (its encryption is bound to it)',
                 'control: the same call by front desk passes the permission check (and meets the missing row id)');
SELECT lives_ok($$SELECT * FROM api.find_portable_profile('Ng', 'Zoë', '1991-09-30')$$, 'control: and look up that profile');
ROLLBACK TO SAVEPOINT control;
SELECT set_config('ward.session', :'adm', true);
SET LOCAL ROLE ward_api;  -- the policies, as the reader beneath the api
SELECT ok((SELECT count(*) FROM api.audit_log) > 0, 'an admin reads the audit log');
SET LOCAL ROLE ward_app;
RESET ROLE;
SAVEPOINT control;
SELECT lives_ok($$SET ROLE ward_owner$$, 'control: the administrator''s session can become the owner');
ROLLBACK TO SAVEPOINT control;
-- As a real ward_app login would be (the session user, not only the current user).
SET LOCAL SESSION AUTHORIZATION ward_app;
SELECT throws_ok($$SET ROLE ward_owner$$, '42501', NULL, 'ward_app cannot become the owner');
SELECT * FROM finish();
ROLLBACK;
