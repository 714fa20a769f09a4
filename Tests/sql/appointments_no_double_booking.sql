-- No clinician is ever double-booked: the database refuses the overlap and names it.
SET ROLE ward_app;
SELECT api.login('northside', 'fiona', 'clinic-demo') AS desk \gset
RESET ROLE;
BEGIN;
SELECT plan(6);
SELECT ok(EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'appointments_no_overlap' AND contype = 'x'),
          'an exclusion constraint guards overlaps, whatever the interleaving of sessions');
CREATE TEMP TABLE slot AS SELECT date_trunc('day', ward.now()) + interval '30 days 6 hours' AS at;
GRANT SELECT ON slot TO ward_app;
SET LOCAL ROLE ward_app;
SELECT set_config('ward.session', :'desk', true) IS NOT NULL AS desk;
SELECT lives_ok($$SELECT api.book_appointment((SELECT patient_id FROM api.search_patients('zoe')),
                  (SELECT staff_id FROM api.clinician_list() WHERE username = 'sam'), (SELECT at FROM slot), 30, 'first')$$,
                'the first booking succeeds');
SELECT throws_like($$SELECT api.book_appointment((SELECT patient_id FROM api.search_patients('mary')),
                   (SELECT staff_id FROM api.clinician_list() WHERE username = 'sam'), (SELECT at FROM slot) + interval '15 minutes', 30, 'second')$$,
                   'Sam Okafor is already booked%Zoë Ng%', 'an overlapping booking is refused, naming the clash');
SELECT lives_ok($$SELECT api.book_appointment((SELECT patient_id FROM api.search_patients('mary')),
                  (SELECT staff_id FROM api.clinician_list() WHERE username = 'alice'), (SELECT at FROM slot), 30, 'other clinician')$$,
                'the same time with another clinician is fine');
SELECT lives_ok($$SELECT api.cancel_appointment((SELECT appointment_id FROM api.schedule((SELECT staff_id FROM api.clinician_list() WHERE username = 'sam'),
                                  (SELECT at FROM slot), (SELECT at + interval '1 minute' FROM slot)) WHERE reason = 'first'), 'patient ill')$$,
                'cancelling frees the slot');
SELECT lives_ok($$SELECT api.book_appointment((SELECT patient_id FROM api.search_patients('mary')),
                  (SELECT staff_id FROM api.clinician_list() WHERE username = 'sam'), (SELECT at FROM slot), 30, 'again')$$,
                'the freed slot can be booked');
SELECT * FROM finish();
ROLLBACK;
