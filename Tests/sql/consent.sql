-- Consent makes a portable profile visible to that clinic only; revoking hides it again.
SET ROLE ward_app;
SELECT api.login('lakeside', 'lena', 'clinic-demo') AS lake \gset
SELECT api.login('riverside', 'dana', 'clinic-demo') AS river \gset
SELECT api.login('northside', 'fiona', 'clinic-demo') AS north \gset
RESET ROLE;
BEGIN;
SELECT plan(12);
CREATE FUNCTION pg_temp.as_clinic(tok text) RETURNS void LANGUAGE sql AS $f$ SELECT set_config('ward.session', tok, true) $f$;
SET LOCAL ROLE ward_app;
SELECT pg_temp.as_clinic(:'lake');
SET LOCAL ROLE ward_api;  -- the policies, as the reader beneath the api
SELECT is((SELECT count(*)::int FROM api.patient_profiles WHERE family_name = 'Ng'), 0, 'lakeside cannot see Zoë Ng before consent');
SELECT ok(NOT has_table_privilege('ward_app', 'ward.profile_consents', 'INSERT'), 'ward_app has no INSERT on consents');
RESET ROLE;  -- ward_app may create no temporary table
CREATE TEMP TABLE found AS SELECT * FROM api.find_portable_profile('ng', 'zoe', '1991-09-30');
GRANT SELECT ON found TO ward_app;
SET LOCAL ROLE ward_app;
SELECT is((SELECT count(*)::int FROM found), 1, 'exact identifiers (any case, no accents) find one profile');
SELECT ok((SELECT masked_name NOT LIKE '%Zoë%' AND masked_name NOT LIKE '%Ng%' FROM found), 'the match is masked');
SELECT is((SELECT count(*)::int FROM api.find_portable_profile('Ng', 'Zoë', '1991-09-29')), 0, 'a wrong date of birth finds nothing');
-- The signature travels sealed by the terminal (see encryption.sql); any sealed-shaped value will do here.
SELECT lives_ok(format('SELECT * FROM api.sign_consent(%L, %L::bytea, %L, gen_random_uuid())', (SELECT handle FROM found),
                       decode('5731' || '00000001' || repeat('ab', 40), 'hex'), 'v1'),
                'the patient signs consent at lakeside');
SET LOCAL ROLE ward_api;  -- the policies, as the reader beneath the api
SELECT is((SELECT count(*)::int FROM api.patient_profiles WHERE family_name = 'Ng' AND chart_no LIKE 'L-%'), 1,
          'after consent lakeside sees Zoë with a lakeside chart number');
SET LOCAL ROLE ward_app;
SELECT pg_temp.as_clinic(:'river');
SET LOCAL ROLE ward_api;  -- the policies, as the reader beneath the api
SELECT is((SELECT count(*)::int FROM api.patient_profiles WHERE family_name = 'Ng'), 0, 'riverside still cannot see her');
SELECT is((SELECT count(*)::int FROM api.patient_profiles WHERE family_name = 'Murphy'), 0,
          'Liam Murphy revoked consent at riverside: hidden there');
SET LOCAL ROLE ward_app;
SELECT pg_temp.as_clinic(:'north');
SET LOCAL ROLE ward_api;  -- the policies, as the reader beneath the api
SELECT is((SELECT count(*)::int FROM api.patient_profiles WHERE family_name = 'Murphy'), 1, '... and kept it at northside');
SET LOCAL ROLE ward_app;
SELECT pg_temp.as_clinic(:'lake');
SELECT lives_ok(format('SELECT api.revoke_consent(%L, %L)',
                       (SELECT patient_id FROM api.search_patients('ng zoe')), 'patient request'),
                'lakeside revokes at the patient''s request');
SET LOCAL ROLE ward_api;  -- the policies, as the reader beneath the api
SELECT is((SELECT count(*)::int FROM api.patient_profiles WHERE family_name = 'Ng'), 0, 'revoking hides the profile again');
SET LOCAL ROLE ward_app;
SELECT * FROM finish();
ROLLBACK;
