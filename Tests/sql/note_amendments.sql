-- A signed note is never changed: a correction is a new note that amends it, and may only
-- amend a note of the same patient at the same clinic. Every refusal is a sentence.
SET ROLE ward_app;
SELECT api.login('northside', 'sam', 'clinic-demo') AS north \gset
SELECT api.login('riverside', 'sam', 'clinic-demo') AS river \gset
SELECT api.login('northside', 'fiona', 'clinic-demo') AS desk \gset
RESET ROLE;
BEGIN;
SELECT plan(17);
CREATE FUNCTION pg_temp.as_session(tok text) RETURNS void LANGUAGE sql AS $f$ SELECT set_config('ward.session', tok, true) $f$;
-- A value shaped as the terminal seals it (magic, key version, then nonce and
-- ciphertext); the database never opens it, so the text inside only tells notes apart.
CREATE FUNCTION pg_temp.sealed(t text) RETURNS bytea LANGUAGE sql AS
    $f$ SELECT decode('5731' || '00000001' || repeat('ab', 40) || encode(convert_to(t, 'UTF8'), 'hex'), 'hex') $f$;
GRANT EXECUTE ON FUNCTION pg_temp.sealed(text) TO ward_app;
SET LOCAL ROLE ward_app;
SELECT pg_temp.as_session(:'north');
SET LOCAL ROLE ward_api;  -- the policies, as the reader beneath the api
SELECT patient_id AS jose FROM api.patient_profiles WHERE family_name = 'Álvarez' \gset
SELECT patient_id AS zoe FROM api.patient_profiles WHERE family_name = 'Ng' \gset
SET LOCAL ROLE ward_app;
SELECT api.write_note(:'jose', 'note', 'Knee review', pg_temp.sealed('Ibuprofen 400 mg.'), NULL, gen_random_uuid()) AS original \gset

SELECT lives_ok(format($$SELECT api.write_note(%L, 'note', 'Amends: Knee review', pg_temp.sealed('Ibuprofen 200 mg.'), %L, gen_random_uuid())$$,
                       :'jose', :'original'), 'sam amends his note with a new note');
SET LOCAL ROLE ward_api;  -- the policies, as the reader beneath the api
SELECT is((SELECT amends_id FROM api.clinical_notes WHERE title = 'Amends: Knee review'), :'original'::uuid,
          'the amendment refers to the original');
SELECT is((SELECT body FROM api.clinical_notes WHERE note_id = :'original'), pg_temp.sealed('Ibuprofen 400 mg.'),
          'the original is kept unchanged beside it');
SET LOCAL ROLE ward_app;
SELECT throws_ok(format($$SELECT api.write_note(%L, 'note', 'Amends: nothing', pg_temp.sealed('text'), %L, gen_random_uuid())$$,
                        :'jose', gen_random_uuid()),
                 '22023', 'the note to amend is not in this patient''s record here', 'an unknown note cannot be amended');
SELECT throws_ok(format($$SELECT api.write_note(%L, 'note', 'Wrong chart', pg_temp.sealed('text'), %L, gen_random_uuid())$$, :'zoe', :'original'),
                 '22023', 'the note to amend is not in this patient''s record here',
                 'a note about José cannot be amended in Zoë''s record');
SELECT throws_ok(format($$SELECT api.write_note(%L, 'letter', 'A letter', pg_temp.sealed('text'), NULL, gen_random_uuid())$$, :'jose'),
                 '22023', 'a note''s kind is note, plan, report or form', 'an unknown kind gets a sentence');
SELECT throws_ok(format($$SELECT api.write_note(%L, 'note', %L, pg_temp.sealed('text'), NULL, gen_random_uuid())$$, :'jose', repeat('t', 201)),
                 '22023', 'a title can have at most 200 characters', 'an over-long title gets a sentence');
SELECT throws_ok(format($$SELECT api.write_note(%L, 'note', E' \t\n ', pg_temp.sealed('text'), NULL, gen_random_uuid())$$, :'jose'),
                 '22023', 'give the note a title', 'a blank title is refused');
SELECT throws_ok(format($$SELECT api.write_note(%L, 'note', 'Empty', NULL, NULL, gen_random_uuid())$$, :'jose'),
                 '22023', 'the note is empty', 'an empty body (the terminal sends blank text as NULL) is refused');
SELECT throws_ok(format($$SELECT api.write_note(%L, 'note', 'Too long', pg_temp.sealed(repeat('x', 400100)), NULL, gen_random_uuid())$$, :'jose'),
                 '22023', 'a note can have at most 100000 characters', 'an over-long body gets a sentence');
SELECT throws_ok($$UPDATE ward.clinical_notes SET body = pg_temp.sealed('changed') WHERE title = 'Knee review'$$, '42501', NULL,
                 'the screens cannot change a note');
SAVEPOINT control;
RESET ROLE;
ALTER TABLE ward.clinical_notes DISABLE TRIGGER clinical_notes_immutable;
SELECT lives_ok($$UPDATE ward.clinical_notes SET body = pg_temp.sealed('changed') WHERE title = 'Knee review'$$,
                'control: the same update runs for the owner once the immutability trigger is off');
ROLLBACK TO SAVEPOINT control;

-- The same person working at riverside: José is shared by consent, his northside notes are not.
SELECT pg_temp.as_session(:'river');
SET LOCAL ROLE ward_api;  -- the policies, as the reader beneath the api
SELECT is((SELECT count(*)::int FROM api.clinical_notes WHERE note_id = :'original'), 0,
          'riverside does not see the northside note');
SET LOCAL ROLE ward_app;
SELECT throws_ok(format($$SELECT api.write_note(%L, 'note', 'Amends: Knee review', pg_temp.sealed('text'), %L, gen_random_uuid())$$, :'jose', :'original'),
                 '22023', 'the note to amend is not in this patient''s record here',
                 'riverside cannot amend a northside note, even about a shared patient');

-- Front desk neither reads nor writes clinical notes.
SELECT pg_temp.as_session(:'desk');
SET LOCAL ROLE ward_api;  -- the policies, as the reader beneath the api
SELECT is((SELECT count(*)::int FROM api.clinical_notes), 0, 'front desk sees no clinical note');
SET LOCAL ROLE ward_app;
SAVEPOINT control;
SELECT pg_temp.as_session(:'north');
SELECT lives_ok(format($$SELECT api.write_note(%L, 'note', 'Desk note', pg_temp.sealed('text'), NULL, gen_random_uuid())$$, :'jose'),
                'control: the same call works for the clinician');
ROLLBACK TO SAVEPOINT control;
SELECT throws_ok(format($$SELECT api.write_note(%L, 'note', 'Desk note', pg_temp.sealed('text'), NULL, gen_random_uuid())$$, :'jose'),
                 '42501', NULL, 'front desk cannot write one');
SELECT * FROM finish();
ROLLBACK;
