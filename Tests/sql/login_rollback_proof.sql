-- Attacks that throw the caller's transaction away after reading the answer.
-- Lockout and look-up limits live in sequences, which a ROLLBACK does not undo: so this
-- file clears theo's and dana's counters first (earlier files may have used them) and again
-- at the end (its own ROLLBACK would not), leaving no lock behind for later files.
DO $$ BEGIN
    PERFORM setval(ward.attempt_counter(id, 'lockout'), 0, true), setval(ward.attempt_counter(id, 'lookups'), 0, true)
       FROM ward.staff WHERE username IN ('theo', 'dana');
END $$;
BEGIN;
SELECT plan(14);
SELECT id AS theo FROM ward.staff WHERE username = 'theo' \gset
-- Earlier files rolled back attempts of their own: account for them first.
SELECT ward.recover_login_audit() >= 0 AS swept \gset
CREATE TEMP TABLE before_test AS SELECT coalesce(max(id), 0) AS last_event FROM ward.audit_events;

-- Six wrong passwords, each thrown away: three savepoints, three PL/pgSQL blocks that raise.
SET LOCAL ROLE ward_app;
SAVEPOINT g1; SELECT api.login('lakeside', 'theo', 'guess-1'); ROLLBACK TO SAVEPOINT g1;
SAVEPOINT g2; SELECT api.login('lakeside', 'theo', 'guess-2'); ROLLBACK TO SAVEPOINT g2;
SAVEPOINT g3; SELECT api.login('lakeside', 'theo', 'guess-3'); ROLLBACK TO SAVEPOINT g3;
DO $$
BEGIN
    FOR i IN 4..6 LOOP
        BEGIN
            PERFORM api.login('lakeside', 'theo', 'guess-' || i);
            RAISE EXCEPTION 'throw the attempt away';
        EXCEPTION WHEN raise_exception THEN NULL;
        END;
    END LOOP;
END $$;
RESET ROLE;
SELECT is((SELECT count(*)::int FROM ward.audit_events e, before_test b WHERE e.id > b.last_event
            AND e.actor_id = :'theo'), 0, 'control: the six attempts'' own audit events were rolled back');
SELECT ok(ward.locked_until(:'theo') > ward.now(), 'theo is locked after 6 wrong passwords, all rolled back');
SELECT ok(ward.locked_until(:'theo') <= ward.now() + interval '15 minutes', 'for at most 15 minutes');

SET LOCAL ROLE ward_app;
SELECT throws_ok($$SELECT api.login('lakeside', 'theo', 'clinic-demo')$$, 'WL001', NULL,
                 'even the right password is refused while locked (and this raise rolls back too)');
SELECT is(api.login('lakeside', 'theo', 'guess-7'), NULL, 'a further wrong password: refused, and this one commits');
RESET ROLE;
SELECT is((SELECT sum((details ->> 'attempts')::int)::int FROM ward.audit_events e, before_test b
            WHERE e.id > b.last_event AND e.actor_id = :'theo' AND e.action = 'login.refusals_recovered'), 7,
          'the committed attempt recovers the 7 refused attempts whose events were rolled back (6 guesses + WL001)');
SELECT is((SELECT count(*)::int FROM ward.audit_events e JOIN ward.tenants t ON t.id = e.tenant_id, before_test b
            WHERE e.id > b.last_event AND e.actor_id = :'theo' AND t.code = 'lakeside'
              AND e.action = 'login.refused_locked'), 1, 'and writes its own login.refused_locked event in lakeside''s chain');
SELECT is((SELECT refusals_audited FROM ward.staff WHERE id = :'theo'),
          ward.counter_value(ward.attempt_counter(:'theo', 'refused')), 'every refused attempt is now accounted for');

-- The operator's sweep finds attempts without waiting for the next login at that account.
SAVEPOINT g8; SET LOCAL ROLE ward_app; SELECT api.login('lakeside', 'theo', 'guess-8'); ROLLBACK TO SAVEPOINT g8;
RESET ROLE;
SELECT is(ward.recover_login_audit(), 1, 'the sweep finds one account with a rolled-back attempt');
SELECT is((SELECT details FROM ward.audit_events WHERE action = 'login.refusals_recovered' ORDER BY id DESC LIMIT 1),
          '{"attempts": 1}'::jsonb, 'and records it');
SET LOCAL ROLE ward_app;
SELECT throws_ok($$SELECT ward.recover_login_audit()$$, '42501', NULL, 'ward_app cannot run the sweep');
RESET ROLE;

-- A new password set by an administrator lifts the lockout.
UPDATE ward.staff SET password_hash = ward.hash_password('theo-new-password') WHERE id = :'theo';
SELECT ok(ward.locked_until(:'theo') < ward.now(), 'a new password lifts the lockout');

-- The look-up limit: 10 look-ups thrown away still count.
SET LOCAL ROLE ward_app;
SELECT api.login('riverside', 'dana', 'clinic-demo') AS dana \gset
SELECT set_config('ward.session', :'dana', true);
SAVEPOINT lookups;
DO $$ BEGIN FOR i IN 1..10 LOOP PERFORM api.find_portable_profile('Ng', 'Zoë', '1991-09-30'); END LOOP; END $$;
ROLLBACK TO SAVEPOINT lookups;
SELECT throws_ok($$SELECT * FROM api.find_portable_profile('Ng', 'Zoë', '1991-09-30')$$, '53400', NULL,
                 'dana: the 11th look-up is refused although the first 10 were rolled back');

-- Writing api functions move the idle clock (ward.audit_here calls ward.touch_session).
RESET ROLE;
UPDATE ward.sessions SET last_seen_at = ward.now() - interval '5 minutes' WHERE token_hash = sha256(convert_to(:'dana', 'UTF8'));
SET LOCAL ROLE ward_app;
SELECT set_config('ward.session', :'dana', true);
SELECT api.revoke_consent((SELECT patient_id FROM api.search_patients('alvarez') LIMIT 1), 'test of the idle clock');
RESET ROLE;
SELECT ok((SELECT last_seen_at FROM ward.sessions WHERE token_hash = sha256(convert_to(:'dana', 'UTF8')))
          > ward.now() - interval '1 minute', 'a write moves the session''s idle clock');

SELECT * FROM finish();
ROLLBACK;
DO $$ BEGIN
    PERFORM setval(ward.attempt_counter(id, 'lockout'), 0, true), setval(ward.attempt_counter(id, 'lookups'), 0, true)
       FROM ward.staff WHERE username IN ('theo', 'dana');
END $$;
