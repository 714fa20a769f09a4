-- A refused booking names the clashing appointment with the date in the
-- clinic's own order, and never names a patient whose profile the clinic no longer sees;
-- a clinician's day is read through an index, not by filtering their whole history.
SET ROLE ward_app;
SELECT api.login('northside', 'fiona', 'clinic-demo') AS desk \gset
SELECT api.login('riverside', 'dana', 'clinic-demo') AS river \gset
RESET ROLE;
BEGIN;
SELECT plan(8);
-- 07:00 clinic time fifty days from now, in London (DMY) and New York (MDY).
CREATE TEMP TABLE slot AS
SELECT (n.d + interval '7 hours') AT TIME ZONE 'Europe/London' AS north_at, to_char(n.d, 'DD/MM/YYYY') AS north_day,
       (r.d + interval '7 hours') AT TIME ZONE 'America/New_York' AS river_at, to_char(r.d, 'MM/DD/YYYY') AS river_day
  FROM (SELECT date_trunc('day', ward.now() AT TIME ZONE 'Europe/London') + interval '50 days' AS d) n,
       (SELECT date_trunc('day', ward.now() AT TIME ZONE 'America/New_York') + interval '50 days' AS d) r;
GRANT SELECT ON slot TO ward_app, ward_api;
-- The plan of a query as the caller would run it, as text.
CREATE FUNCTION pg_temp.plan_of(q text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
    line text;
    result text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN ' || q LOOP result := result || line || E'\n'; END LOOP;
    RETURN result;
END $f$;
SET LOCAL ROLE ward_app;

SELECT set_config('ward.session', :'desk', true) IS NOT NULL AS desk;
SELECT lives_ok($$SELECT api.book_appointment((SELECT patient_id FROM api.search_patients('williams noah')),
                  (SELECT staff_id FROM api.clinician_list() WHERE username = 'sam'), (SELECT north_at FROM slot), 30, 'first')$$,
                'northside books Noah Williams with Sam');
SELECT throws_ok($$SELECT api.book_appointment((SELECT patient_id FROM api.search_patients('brown emma')),
                   (SELECT staff_id FROM api.clinician_list() WHERE username = 'sam'), (SELECT north_at FROM slot), 30, 'second')$$,
                 '23P01', 'Sam Okafor is already booked on ' || (SELECT north_day FROM slot) || ' from 07:00 to 07:30 (Noah Williams)',
                 'a clash at a DMY clinic names the appointment with the date as DD/MM/YYYY');
SELECT lives_ok($$SELECT api.revoke_consent((SELECT patient_id FROM api.search_patients('williams noah')), 'moved away')$$,
                'Noah Williams withdraws consent at northside');
SELECT is((SELECT count(*) FROM api.schedule((SELECT staff_id FROM api.clinician_list() WHERE username = 'sam'),
                                              (SELECT north_at FROM slot), (SELECT north_at + interval '1 minute' FROM slot))
            WHERE reason = 'first' AND family_name IS NULL), 1::bigint,
          'the appointment stays, without the profile');
SELECT throws_ok($$SELECT api.book_appointment((SELECT patient_id FROM api.search_patients('brown emma')),
                   (SELECT staff_id FROM api.clinician_list() WHERE username = 'sam'), (SELECT north_at FROM slot), 30, 'second')$$,
                 '23P01', 'Sam Okafor is already booked on ' || (SELECT north_day FROM slot)
                          || ' from 07:00 to 07:30 (a patient whose profile is not shared with this clinic)',
                 'the clash no longer names a patient whose profile the clinic cannot see');

-- Sequential scans off: the question is whether the day's range CAN be an index condition
-- for ward_app under row-level security (with lower(during) in the view it could not).
SET LOCAL enable_seqscan = off;
SET LOCAL ROLE ward_api;  -- the policies, as the reader beneath the api
SELECT matches(pg_temp.plan_of(format(
    'SELECT * FROM api.appointments WHERE clinician_id = %L AND starts_at >= %L AND starts_at < %L',
    (SELECT staff_id FROM api.clinicians WHERE username = 'sam'), (SELECT north_at FROM slot),
    (SELECT north_at + interval '1 day' FROM slot))),
    'Index Cond: [^\n]*clinician_id = [^\n]*starts_at >=',
    'the day view''s clinician and range are an index condition on appointments');
SET LOCAL ROLE ward_app;
RESET enable_seqscan;

SELECT set_config('ward.session', :'river', true) IS NOT NULL AS river;
SELECT lives_ok($$SELECT api.book_appointment((SELECT patient_id FROM api.search_patients('rossi')),
                  (SELECT staff_id FROM api.clinician_list() WHERE username = 'victor'), (SELECT river_at FROM slot), 30, 'first')$$,
                'riverside books Sofia Rossi with Victor');
SELECT throws_ok($$SELECT api.book_appointment((SELECT patient_id FROM api.search_patients('garcia')),
                   (SELECT staff_id FROM api.clinician_list() WHERE username = 'victor'), (SELECT river_at FROM slot) + interval '10 minutes', 20, 'x')$$,
                 '23P01', 'Victor Haddad is already booked on ' || (SELECT river_day FROM slot) || ' from 07:00 to 07:30 (Sofia Rossi)',
                 'a clash at an MDY clinic writes the date as MM/DD/YYYY');
SELECT * FROM finish();
ROLLBACK;
