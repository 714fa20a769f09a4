-- Staff management cannot be turned into access a clinic would not see: an impersonation
-- session manages no staff, a platform account joins no clinic, and one clinic's admin
-- cannot reset the password of a person who also works elsewhere.
SET ROLE ward_app;
SELECT api.login('platform', 'olga', 'clinic-demo') AS olga \gset
SELECT api.login('northside', 'alice', 'clinic-demo') AS alice \gset
RESET ROLE;
BEGIN;
SELECT plan(8);
CREATE TEMP TABLE ids AS SELECT username, id FROM ward.staff;
GRANT SELECT ON ids TO ward_app;
SET LOCAL ROLE ward_app;
SELECT set_config('ward.session', :'olga', true) IS NOT NULL AS olga;
SELECT set_config('ward.session', api.impersonate('lakeside', 'ticket 4712: staff cannot log in'), true) IS NOT NULL AS support;
SELECT throws_ok($$SELECT api.add_staff_member('olga', 'Olga', 'admin', NULL)$$, '42501', NULL,
                 'an impersonation session cannot add staff (no way back in without the mark)');
SELECT throws_ok($$SELECT api.add_staff_member('rita', 'Rita', 'billing', NULL)$$, '42501', NULL,
                 '... not even a person from another clinic (the refusal is the session''s, not the account''s)');
SAVEPOINT control;
SELECT set_config('ward.session', :'alice', true) IS NOT NULL AS alice;
SELECT lives_ok($$SELECT api.add_staff_member('rita', 'Rita', 'billing', NULL)$$,
                'control: the same call works for the clinic''s own admin');
ROLLBACK TO SAVEPOINT control;
SELECT set_config('ward.session', :'alice', true) IS NOT NULL AS alice;
SELECT throws_ok($$SELECT api.add_staff_member('olga', 'Olga', 'admin', NULL)$$, '42501', NULL,
                 'a platform account cannot be made a clinic member');
SELECT lives_ok($$SELECT api.add_staff_member('rita', 'Rita', 'billing', NULL)$$,
                'an existing person from another clinic may be added');
SELECT throws_ok($$SELECT api.reset_staff_password((SELECT id FROM ids WHERE username = 'rita'), 'taken-over-123')$$,
                 '42501', NULL, 'but her password cannot be reset by this clinic');
SELECT lives_ok($$SELECT api.reset_staff_password((SELECT id FROM ids WHERE username = 'bruno'), 'new-password-123')$$,
                'a person who works only here can have the password reset');
RESET ROLE;
SELECT ok((SELECT must_change_password FROM ward.staff WHERE username = 'bruno'), 'and must change it at next login');
SELECT * FROM finish();
ROLLBACK;
