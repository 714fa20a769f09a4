-- The application's clock is ward.now(), one function only the superuser may replace; and
-- a permission must exist before a role is granted it.
SET ROLE ward_app;
SELECT api.login('northside', 'alice', 'clinic-demo') AS north \gset
RESET ROLE;
BEGIN;
SELECT plan(8);

SELECT throws_ok($$INSERT INTO ward.role_permissions VALUES ('admin', 'patient.serach')$$, '23503', NULL,
                 'a misspelt permission cannot be granted');
SELECT lives_ok($$INSERT INTO ward.role_permissions VALUES ('billing', 'audit.view')$$,
                'control: a permission that exists can');

SET LOCAL ROLE ward_app;
SELECT throws_ok($$CREATE OR REPLACE FUNCTION ward.now() RETURNS timestamptz LANGUAGE sql STABLE
                   BEGIN ATOMIC SELECT pg_catalog.now() - interval '1 day'; END$$,
                 '42501', NULL, 'ward_app cannot replace the clock');
SAVEPOINT control;
RESET ROLE;
SELECT lives_ok($$CREATE OR REPLACE FUNCTION ward.now() RETURNS timestamptz LANGUAGE sql STABLE
                  BEGIN ATOMIC SELECT pg_catalog.now() - interval '1 day'; END$$,
                'control: the superuser can run the same statement');
ROLLBACK TO SAVEPOINT control;
SELECT set_config('ward.session', :'north', true) IS NOT NULL AS north;
SET LOCAL ROLE ward_api;  -- the policies, as the reader beneath the api
SELECT ok(ward.current_tenant() IS NOT NULL, 'control: the session is live at the real time');
SET LOCAL ROLE ward_app;
RESET ROLE;

-- The clock moved nine hours on from the run's (possibly pinned) now: past the session's
-- 8-hour limit. A pinned run's harness re-pins any new ward.now() through its event
-- trigger, which this transaction switches off (and the rollback back on).
SELECT ward.now() + interval '9 hours' AS later \gset
DO $$ BEGIN
    IF EXISTS (SELECT FROM pg_event_trigger WHERE evtname = 'ward_harness_pin_now') THEN
        ALTER EVENT TRIGGER ward_harness_pin_now DISABLE;
    END IF;
END $$;
SELECT format($$CREATE OR REPLACE FUNCTION ward.now() RETURNS timestamptz LANGUAGE sql STABLE
                BEGIN ATOMIC SELECT %L::timestamptz; END$$, :'later') \gexec
SET LOCAL ROLE ward_app;
SELECT set_config('ward.session', :'north', true) IS NOT NULL AS north;
SET LOCAL ROLE ward_api;  -- the policies, as the reader beneath the api
SELECT is(ward.current_tenant(), NULL, 'with the clock moved past its expiry the session is over');
SELECT is((SELECT count(*)::int FROM api.patient_profiles), 0, '... and reads nothing');
SET LOCAL ROLE ward_app;
RESET ROLE;
SELECT ok((SELECT expires_at FROM ward.sessions WHERE token_hash = sha256(convert_to(:'north', 'UTF8')))
          < ward.now(), 'the expiry the session was given is before the pinned time');
SELECT * FROM finish();
ROLLBACK;
