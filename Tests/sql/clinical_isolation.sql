-- Clinical records never cross clinics, even for a patient both clinics hold consent for.
SET ROLE ward_app;
SELECT api.login('northside', 'sam', 'clinic-demo') AS north \gset
SELECT api.login('riverside', 'sam', 'clinic-demo') AS river \gset
RESET ROLE;
BEGIN;
SELECT plan(6);
SET LOCAL ROLE ward_app;
SELECT set_config('ward.session', :'north', true) IS NOT NULL AS northside;
SELECT lives_ok($$SELECT api.write_note((SELECT patient_id FROM api.search_patients('Álvarez')),
                  'note', 'Northside only', decode('5731' || '00000001' || repeat('ab', 40), 'hex'), NULL, gen_random_uuid())$$,
                'sam writes a note about José at northside (body sealed by the terminal)');
SET LOCAL ROLE ward_api;  -- the policies, as the reader beneath the api
SELECT is((SELECT count(*)::int FROM api.clinical_notes WHERE title = 'Northside only'), 1, 'northside reads it');
SET LOCAL ROLE ward_app;
SELECT set_config('ward.session', :'river', true) IS NOT NULL AS riverside;
SET LOCAL ROLE ward_api;  -- the policies, as the reader beneath the api
SELECT is((SELECT count(*)::int FROM api.patient_profiles WHERE family_name = 'Álvarez'), 1, 'riverside sees José''s profile (consent)');
SELECT is((SELECT count(*)::int FROM api.clinical_notes WHERE title = 'Northside only'), 0, 'but none of northside''s notes');
SET LOCAL ROLE ward_app;
RESET ROLE;
SAVEPOINT control;
ALTER TABLE ward.clinical_notes DISABLE TRIGGER clinical_notes_immutable;
SELECT lives_ok($$UPDATE ward.clinical_notes SET body = 'changed' WHERE title = 'Northside only'$$,
                'control: without the immutability trigger the same update runs');
ROLLBACK TO SAVEPOINT control;
SELECT throws_ok($$UPDATE ward.clinical_notes SET body = 'changed' WHERE title = 'Northside only'$$, '42501', NULL,
                 'a signed note cannot be changed, even by the owner');
SELECT * FROM finish();
ROLLBACK;
