-- A signed note is never changed: a correction is a new note that amends it, and may only
-- amend a note of the same patient at the same clinic. Every refusal is a sentence.
SET ROLE ward_app;
SELECT api.login('northside', 'sam', 'clinic-demo') AS north \gset
SELECT api.login('riverside', 'sam', 'clinic-demo') AS river \gset
SELECT api.login('northside', 'fiona', 'clinic-demo') AS desk \gset
RESET ROLE;
BEGIN;
SELECT plan(14);
CREATE FUNCTION pg_temp.as_session(tok text) RETURNS void LANGUAGE sql AS $f$ SELECT set_config('ward.session', tok, true) $f$;
SET LOCAL ROLE ward_app;
SELECT pg_temp.as_session(:'north');
SELECT patient_id AS jose FROM api.patient_profiles WHERE family_name = 'Álvarez' \gset
SELECT patient_id AS zoe FROM api.patient_profiles WHERE family_name = 'Ng' \gset
SELECT api.write_note(:'jose', 'note', 'Knee review', 'Ibuprofen 400 mg.') AS original \gset

SELECT lives_ok(format($$SELECT api.write_note(%L, 'note', 'Amends: Knee review', 'Ibuprofen 200 mg.', %L)$$,
                       :'jose', :'original'), 'sam amends his note with a new note');
SELECT is((SELECT amends_id FROM api.clinical_notes WHERE title = 'Amends: Knee review'), :'original'::uuid,
          'the amendment refers to the original');
SELECT is((SELECT body FROM api.clinical_notes WHERE note_id = :'original'), 'Ibuprofen 400 mg.',
          'the original is kept unchanged beside it');
SELECT throws_ok(format($$SELECT api.write_note(%L, 'note', 'Amends: nothing', 'text', %L)$$,
                        :'jose', gen_random_uuid()),
                 '22023', 'the note to amend is not in this patient''s record here', 'an unknown note cannot be amended');
SELECT throws_ok(format($$SELECT api.write_note(%L, 'note', 'Wrong chart', 'text', %L)$$, :'zoe', :'original'),
                 '22023', 'the note to amend is not in this patient''s record here',
                 'a note about José cannot be amended in Zoë''s record');
SELECT throws_ok(format($$SELECT api.write_note(%L, 'letter', 'A letter', 'text')$$, :'jose'),
                 '22023', 'a note''s kind is note, plan, report or form', 'an unknown kind gets a sentence');
SELECT throws_ok(format($$SELECT api.write_note(%L, 'note', %L, 'text')$$, :'jose', repeat('t', 201)),
                 '22023', 'a title can have at most 200 characters', 'an over-long title gets a sentence');
SELECT throws_ok(format($$SELECT api.write_note(%L, 'note', E' \t ', 'text')$$, :'jose'),
                 '22023', 'give the note a title', 'a blank title is refused');
SELECT throws_ok(format($$SELECT api.write_note(%L, 'note', 'Empty', E' \n\n ')$$, :'jose'),
                 '22023', 'the note is empty', 'a body of line breaks only is refused');
SELECT throws_ok($$UPDATE ward.clinical_notes SET body = 'changed' WHERE title = 'Knee review'$$, '42501', NULL,
                 'the screens cannot change a note');

-- The same person working at riverside: José is shared by consent, his northside notes are not.
SELECT pg_temp.as_session(:'river');
SELECT is((SELECT count(*)::int FROM api.clinical_notes WHERE note_id = :'original'), 0,
          'riverside does not see the northside note');
SELECT throws_ok(format($$SELECT api.write_note(%L, 'note', 'Amends: Knee review', 'text', %L)$$, :'jose', :'original'),
                 '22023', 'the note to amend is not in this patient''s record here',
                 'riverside cannot amend a northside note, even about a shared patient');

-- Front desk neither reads nor writes clinical notes.
SELECT pg_temp.as_session(:'desk');
SELECT is((SELECT count(*)::int FROM api.clinical_notes), 0, 'front desk sees no clinical note');
SELECT throws_ok(format($$SELECT api.write_note(%L, 'note', 'Desk note', 'text')$$, :'jose'),
                 '42501', NULL, 'front desk cannot write one');
SELECT * FROM finish();
ROLLBACK;
