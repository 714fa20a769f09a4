-- Encryption at rest: wrapped data keys are readable only by their own clinic's sessions
-- (and the portable key by any live session), only the owner writes them, no plaintext
-- column is left beside the sealed ones, and the api functions refuse values that are not sealed.
SET ROLE ward_app;
SELECT api.login('northside', 'fiona', 'clinic-demo') AS north \gset
SELECT api.login('riverside', 'victor', 'clinic-demo') AS river \gset
RESET ROLE;
BEGIN;
SELECT plan(23);
-- A value shaped like a sealed one ("W1", version 1, nonce, tag); the database cannot tell
-- real ciphertext from this, only the terminal's key can.
CREATE FUNCTION pg_temp.sealed() RETURNS bytea LANGUAGE sql AS $f$ SELECT decode('5731' || '00000001' || repeat('ab', 40), 'hex') $f$;

SELECT ok((SELECT count(*) FROM ward.data_keys) >= 3 AND (SELECT count(*) FROM ward.portable_keys) >= 1,
          'the demo has data keys for its clinics and the portable profiles');
SELECT is((SELECT count(*)::int FROM pg_attribute
            WHERE attrelid IN ('ward.patients'::regclass, 'ward.profile_consents'::regclass, 'ward.clinical_notes'::regclass)
              AND attnum > 0 AND NOT attisdropped AND attname LIKE 'legacy%'), 0,
          'no plaintext column is left beside the sealed ones');
SELECT ok((SELECT bool_and(ward.is_sealed(allergies)) FROM ward.patients WHERE allergies IS NOT NULL)
      AND (SELECT bool_and(ward.is_sealed(signature)) FROM ward.profile_consents)
      AND (SELECT bool_and(ward.is_sealed(body)) FROM ward.clinical_notes), 'every stored value is sealed');

SET LOCAL ROLE ward_app;
SELECT set_config('ward.session', '', true);
SET LOCAL ROLE ward_api;  -- the policies, as the reader beneath the api
SELECT is((SELECT count(*)::int FROM api.data_keys), 0, 'without a session no wrapped key is visible');
SET LOCAL ROLE ward_app;
SELECT set_config('ward.session', :'north', true);
SET LOCAL ROLE ward_api;  -- the policies, as the reader beneath the api
SELECT is((SELECT count(DISTINCT scope)::int FROM api.data_keys), 2, 'northside sees two scopes of keys ...');
SELECT is((SELECT count(*)::int FROM api.data_keys WHERE scope LIKE 'clinic:%'
            AND scope <> 'clinic:' || (SELECT id FROM ward.tenants WHERE code = 'northside')), 0,
          '... its own clinic''s and no other clinic''s');
SELECT ok((SELECT count(*) FROM api.data_keys WHERE scope = 'portable') >= 1, '... and the portable key');
SELECT is((SELECT count(*)::int FROM ward.data_keys WHERE tenant_id <> (SELECT id FROM ward.tenants WHERE code = 'northside')), 0,
          'the table itself shows no other clinic''s key');
SET LOCAL ROLE ward_api;  -- the policies, as the reader beneath the api
SELECT throws_ok($$INSERT INTO ward.data_keys (tenant_id, version, wrapped) VALUES (ward.current_tenant(), 99, '\x00')$$,
                 '42501', NULL, 'ward_api cannot add a data key (ward_app reaches no table at all)');
SAVEPOINT control;
SET LOCAL ROLE ward_owner;
SELECT lives_ok($$INSERT INTO ward.data_keys (tenant_id, version, wrapped) VALUES (ward.current_tenant(), 99, '\x00')$$,
                'control: the owner can run the same insert');
ROLLBACK TO SAVEPOINT control;
SET LOCAL ROLE ward_app;
SELECT throws_ok($$DELETE FROM ward.portable_keys$$, '42501', NULL, 'ward_app cannot delete the portable key');
SAVEPOINT control;
SET LOCAL ROLE ward_owner;
SELECT lives_ok($$DELETE FROM ward.portable_keys$$, 'control: the owner can run the same delete');
ROLLBACK TO SAVEPOINT control;
SELECT throws_ok($$SELECT wrapped FROM ward.key_check$$, '42501', NULL, 'ward_app cannot read the key check table directly');
SAVEPOINT control;
SET LOCAL ROLE ward_owner;
SELECT lives_ok($$SELECT wrapped FROM ward.key_check$$, 'control: the owner can run the same select');
ROLLBACK TO SAVEPOINT control;
SELECT ok(api.master_key_check() IS NOT NULL, 'but gets the check value through the api');
RESET ROLE;  -- the catalog, as the owner (ward_app cannot name a ward table)
SELECT is((SELECT string_agg(format_type(atttypid, atttypmod), ',' ORDER BY attname) FROM pg_attribute
            WHERE (attrelid, attname) IN (('ward.patients'::regclass, 'allergies'),
                                          ('ward.profile_consents'::regclass, 'signature'),
                                          ('ward.clinical_notes'::regclass, 'body'))),
          'bytea,bytea,bytea', 'the sealed fields are bytes, never text ward_app could read');
SET LOCAL ROLE ward_app;

-- Plaintext sent where ciphertext belongs is refused with a sentence naming the field.
SELECT set_config('ward.session', :'river', true);
SELECT throws_ok($$SELECT api.write_note((SELECT patient_id FROM api.search_patients('alvarez') LIMIT 1), 'note', 'T',
                   convert_to('plain text', 'UTF8'), NULL, gen_random_uuid())$$,
                 '22023', 'this value was not encrypted by the terminal; nothing was saved', 'a plaintext note body is refused');
SELECT throws_ok($$SELECT api.write_note((SELECT patient_id FROM api.search_patients('alvarez') LIMIT 1), 'note', 'T', pg_temp.sealed())$$,
                 '22023', NULL, 'a note without the terminal''s row id is refused');
SELECT lives_ok($$SELECT api.write_note((SELECT patient_id FROM api.search_patients('alvarez') LIMIT 1), 'note', 'T', pg_temp.sealed(),
                  NULL, 'a0000000-0000-4000-8000-000000000001')$$, 'a sealed body with its row id is stored');
SET LOCAL ROLE ward_api;  -- the policies, as the reader beneath the api
SELECT is((SELECT note_id FROM api.clinical_notes WHERE title = 'T'), 'a0000000-0000-4000-8000-000000000001'::uuid,
          'under the id the terminal chose (the one its ciphertext is bound to)');
SET LOCAL ROLE ward_app;
RESET ROLE;
SELECT throws_ok($$UPDATE ward.clinical_notes SET body = pg_temp.sealed() WHERE title = 'T'$$, '42501', NULL,
                 'a note body cannot be replaced by one under the same key version');
SELECT lives_ok($$UPDATE ward.clinical_notes SET body = decode('5731' || '00000002' || repeat('cd', 40), 'hex') WHERE title = 'T'$$,
                'rotation may re-seal it under a newer version');
-- A value the owner stored unsealed (as the seeds do until `ward keys rotate` seals it)
-- reaches the terminal as it is, which shows it as unreadable, never as "no allergies".
UPDATE ward.patients SET allergies = convert_to('Latex', 'UTF8') WHERE family_name = 'Ng';
SET LOCAL ROLE ward_app;
SELECT set_config('ward.session', :'north', true);
SELECT is((SELECT allergies FROM api.open_patient((SELECT patient_id FROM api.search_patients('Ng')))),
          convert_to('Latex', 'UTF8'), 'a record whose allergies are not sealed yet never shows none');
SELECT * FROM finish();
ROLLBACK;
