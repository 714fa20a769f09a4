-- A password set by someone else must be changed before the session may do anything; the operator's
-- functions (schema ops) are out of ward_app's reach, check their input with a sentence,
-- and leave their trace in the platform's audit chain (and the clinic's).
BEGIN;
SELECT plan(31);
CREATE TEMP TABLE ids AS SELECT username, id FROM ward.staff;
GRANT SELECT ON ids TO ward_app;

-- Alice (admin) resets Bruno's password; Bruno logs in with it.
SET LOCAL ROLE ward_app;
SELECT api.login('northside', 'bruno', 'clinic-demo') AS old_bruno \gset
SELECT set_config('ward.session', api.login('northside', 'alice', 'clinic-demo'), true) IS NOT NULL AS alice;
SELECT api.reset_staff_password((SELECT id FROM ids WHERE username = 'bruno'), 'temporary-pass-1');
SELECT set_config('ward.session', :'old_bruno', true) IS NOT NULL AS old_bruno;
SELECT is((SELECT count(*)::int FROM api.whoami()), 0, 'the reset ends the sessions opened with the old password');
SELECT set_config('ward.session', api.login('northside', 'bruno', 'temporary-pass-1'), true) IS NOT NULL AS bruno;
SELECT ok((SELECT must_change_password FROM api.whoami()), 'whoami tells the terminal the password must be changed');
SELECT is((SELECT role FROM api.whoami()), 'password_change', 'the session''s role is password_change, not billing');
SELECT is((SELECT count(*)::int FROM api.my_permissions()), 0, 'no menu entry while the password must be changed');
SET LOCAL ROLE ward_api;  -- the policies, as the reader beneath the api
SELECT ok(NOT ward.has_permission('patient.search'), 'no permission at all while the password must be changed');
SELECT is((SELECT count(*)::int FROM api.appointments), 0, 'and no row of the clinic');
SET LOCAL ROLE ward_app;
SELECT throws_ok($$SELECT * FROM api.search_patients('mary', 10)$$, '42501', NULL, 'and no api call');
SELECT throws_ok($$SELECT api.change_password('temporary-pass-1', 'temporary-pass-1')$$, '22023',
                 'the new password must differ from the current one', 'keeping the reset password is refused');
SELECT lives_ok($$SELECT api.change_password('temporary-pass-1', 'brunos-own-secret')$$, 'a new password is accepted');
SELECT is((SELECT role FROM api.whoami()), 'billing', 'then the same session has Bruno''s role');
SAVEPOINT control;
SELECT lives_ok($$SELECT * FROM api.search_patients('mary', 10)$$, 'control: and the api call refused before now works');
ROLLBACK TO SAVEPOINT control;
SET LOCAL ROLE ward_api;  -- the policies, as the reader beneath the api
SELECT ok(ward.has_permission('patient.search'), 'and its permissions');
SELECT ok((SELECT count(*) FROM api.appointments) > 0, 'and the clinic''s rows');
SET LOCAL ROLE ward_app;

-- The operator schema is not ward_app's.
SELECT throws_ok($$SELECT ops.add_clinic('sneaky', 'Sneaky', 'UTC', 'iso', NULL)$$, '42501', NULL,
                 'ward_app cannot create a clinic');
SELECT throws_ok($$SELECT ops.add_staff('mallory', 'northside', 'admin', 'M', 'long-enough-pw')$$, '42501', NULL,
                 'ward_app cannot create an account');
SELECT throws_ok($$SELECT * FROM ops.clinics()$$, '42501', NULL, 'ward_app cannot list clinics');
RESET ROLE;
-- Controls: the same three calls work for the operator (rolled back: the checks below count
-- the operator's calls).
SAVEPOINT control;
SELECT lives_ok($$SELECT ops.add_clinic('sneaky', 'Sneaky', 'UTC', 'iso', NULL)$$, 'control: the operator can create that clinic');
SELECT lives_ok($$SELECT ops.add_staff('mallory', 'northside', 'admin', 'M', 'long-enough-pw')$$, 'control: and that account');
SELECT lives_ok($$SELECT * FROM ops.clinics()$$, 'control: and list the clinics');
ROLLBACK TO SAVEPOINT control;

-- As the operator (the owner's side).
SELECT ok(ops.add_clinic('hillside', 'Hillside Clinic', 'Europe/Dublin', 'dmy', NULL) IS NOT NULL, 'a clinic is added');
SELECT is((SELECT chart_prefix || ' ' || date_order || ' ' || time_zone FROM ward.tenants WHERE code = 'hillside'),
          'H DMY Europe/Dublin', 'with its settings, chart numbers from the first letter of its code');
SELECT throws_ok($$SELECT ops.add_clinic('hillside', 'Again', 'UTC', 'iso', NULL)$$, '22023',
                 'there is already a clinic with the code hillside', 'a duplicate code is refused');
SELECT throws_ok($$SELECT ops.add_clinic('dale', 'Dale', 'Mars/Olympus', 'iso', NULL)$$, '22023', NULL,
                 'an unknown time zone is refused');
SELECT ok((SELECT count(*) FROM ops.clinics() WHERE code = 'hillside' AND active_staff = 0) = 1, 'the list shows it');
SELECT ok(ops.add_staff('hana', 'hillside', 'admin', 'Hana Ito', 'hillside-start-1') IS NOT NULL, 'an account is added');
SELECT throws_ok($$SELECT ops.add_staff('hana', 'hillside', 'admin', NULL, NULL)$$, '22023',
                 'hana is already a member of hillside', 'twice is refused');
SELECT throws_ok($$SELECT ops.add_staff('hugo', 'hillside', 'owner', NULL, 'long-enough-pw')$$, '22023', NULL,
                 'an unknown role is refused');
SELECT throws_ok($$SELECT ops.add_staff('hugo', 'hillside', 'billing', NULL, 'short')$$, '22023', NULL,
                 'a weak password is refused');
SELECT throws_ok($$SELECT ops.add_staff('olga', 'hillside', 'admin', NULL, NULL)$$, '22023', NULL,
                 'a platform account does not join a clinic');
SELECT is((SELECT array_agg(e.action ORDER BY e.id) FROM ward.audit_events e
            WHERE e.tenant_id = ward.platform_tenant() AND e.details ->> 'operator' = session_user
              AND e.action IN ('clinic.add', 'clinic.list', 'staff.add')),
          ARRAY['clinic.add', 'clinic.list', 'staff.add'], 'each operator call is in the platform chain, with who ran it');
SELECT is((SELECT count(*)::int FROM ward.audit_events e JOIN ward.tenants t ON t.id = e.tenant_id
            WHERE t.code = 'hillside' AND e.action = 'staff.add'), 1, 'and the clinic sees who joined it');
SELECT * FROM finish();
ROLLBACK;
