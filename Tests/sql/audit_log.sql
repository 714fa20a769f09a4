-- The audit log is append-only and hash-chained; an owner-side edit is found at its link.
SET ROLE ward_app;
SELECT api.login('northside', 'fiona', 'clinic-demo') AS desk \gset
SELECT api.login('northside', 'alice', 'clinic-demo') AS adm \gset
RESET ROLE;
BEGIN;
SELECT plan(13);
SET LOCAL ROLE ward_app;
SELECT set_config('ward.session', :'desk', true) IS NOT NULL AS desk;
SELECT is((SELECT count(*)::int FROM api.search_patients('mary')), 1, 'a search');
SELECT is((SELECT count(*)::int FROM api.open_patient((SELECT patient_id FROM api.search_patients('mary')))), 1, 'a record opened');
SELECT throws_ok($$UPDATE ward.audit_events SET action = 'x'$$, '42501', NULL, 'ward_app cannot update the audit log');
SELECT throws_ok($$DELETE FROM ward.audit_events$$, '42501', NULL, 'ward_app cannot delete from the audit log');
SELECT throws_ok($$TRUNCATE ward.audit_events$$, '42501', NULL, 'ward_app cannot truncate the audit log');
-- Controls: the same statements reach the table as its owner, and are refused there only
-- by the append-only trigger's own sentence (so the refusals above are not a mistyped name).
SAVEPOINT control;
SET LOCAL ROLE ward_owner;
SELECT throws_ok($$UPDATE ward.audit_events SET action = 'x'$$, '42501', 'the audit log is append-only: UPDATE refused',
                 'control: the owner''s UPDATE reaches the log and meets the trigger');
SELECT throws_ok($$DELETE FROM ward.audit_events$$, '42501', 'the audit log is append-only: DELETE refused',
                 'control: the owner''s DELETE reaches the log and meets the trigger');
SELECT throws_ok($$TRUNCATE ward.audit_events$$, '42501', 'the audit log is append-only: TRUNCATE refused',
                 'control: the owner''s TRUNCATE reaches the log and meets the trigger');
ROLLBACK TO SAVEPOINT control;
SELECT set_config('ward.session', :'adm', true) IS NOT NULL AS admin;
SET LOCAL ROLE ward_api;  -- the policies, as the reader beneath the api
SELECT ok((SELECT count(*) FROM api.audit_log WHERE actor = 'fiona' AND action IN ('patient.search', 'patient.read')) >= 3,
          'the admin sees fiona''s searches and the record she opened');
SET LOCAL ROLE ward_app;
SELECT is((SELECT broken_at FROM api.audit_chain_status()), NULL, 'the chain verifies');
RESET ROLE;
SELECT throws_ok($$UPDATE ward.audit_events SET action = 'x' WHERE id = 1$$, '42501', NULL,
                 'even the owner cannot update an event while the trigger stands');
SAVEPOINT control;
ALTER TABLE ward.audit_events DISABLE TRIGGER audit_append_only;
SELECT lives_ok($$UPDATE ward.audit_events SET action = 'x' WHERE id = 1$$,
                'control: without the trigger the same update runs (the trigger is what refused it)');
ROLLBACK TO SAVEPOINT control;
ALTER TABLE ward.audit_events DISABLE TRIGGER audit_append_only;
UPDATE ward.audit_events SET details = '{"q": "forged"}'
 WHERE id = (SELECT max(id) FROM ward.audit_events WHERE actor_id = (SELECT id FROM ward.staff WHERE username = 'fiona')
                                                    AND action = 'patient.search');
CREATE TEMP TABLE edited AS SELECT max(id) AS id FROM ward.audit_events
 WHERE actor_id = (SELECT id FROM ward.staff WHERE username = 'fiona') AND action = 'patient.search';
GRANT SELECT ON edited TO ward_app;
SET LOCAL ROLE ward_app;
SELECT set_config('ward.session', :'adm', true) IS NOT NULL AS admin;
SELECT is((SELECT broken_at FROM api.audit_chain_status()), (SELECT id FROM edited), 'the edited event is named as the broken link');
SELECT * FROM finish();
ROLLBACK;
