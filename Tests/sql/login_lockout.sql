-- One answer for every wrong detail; the sixth attempt after five failures finds the
-- account locked; success, failure and lockout are audited in the clinic's chain.
BEGIN;
SELECT plan(10);
SET LOCAL ROLE ward_app;
SELECT ok(api.login('northside', 'fiona', 'clinic-demo') ~ '^[0-9a-f]{64}$', 'the right details give a 256-bit token');
SELECT is(api.login('nowhere', 'fiona', 'clinic-demo'), NULL, 'unknown clinic: refused');
SELECT is(api.login('northside', 'nobody', 'clinic-demo'), NULL, 'unknown user: refused the same way');
SELECT is(api.login('riverside', 'fiona', 'clinic-demo'), NULL, 'no membership at that clinic: refused the same way');
SELECT is(api.login('northside', 'bruno', 'wrong'), NULL, 'wrong password: refused the same way');
SELECT is(api.login('northside', 'bruno', 'wrong'), NULL, 'second failure');
SELECT is(api.login('northside', 'bruno', 'wrong') || api.login('northside', 'bruno', 'wrong')
          || api.login('northside', 'bruno', 'wrong'), NULL, 'failures three to five');
SELECT throws_ok($$SELECT api.login('northside', 'bruno', 'clinic-demo')$$, 'WL001', NULL,
                 'the sixth attempt finds the account locked, even with the right password');
RESET ROLE;
SELECT ok((SELECT count(*) FROM ward.audit_events e JOIN ward.tenants t ON t.id = e.tenant_id
            WHERE t.code = 'northside' AND e.action = 'login.failure') >= 5, 'failures are in northside''s audit chain');
SELECT is((SELECT count(*)::int FROM ward.audit_events e JOIN ward.tenants t ON t.id = e.tenant_id
            WHERE t.code = 'northside' AND e.action = 'login.lockout'), 1, 'the lockout is audited once');
SELECT * FROM finish();
ROLLBACK;
