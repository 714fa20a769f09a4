-- Login lockout and the look-up rate limit that a ROLLBACK cannot undo.
--
-- THE PROBLEM. Until now, api.login counted failures in ward.staff and wrote its audit
-- events in the caller's transaction. Whoever holds ward_app's credentials can throw that
-- transaction away after reading the answer: `BEGIN; SELECT api.login(..); ROLLBACK`, a
-- savepoint, a multi-statement query ending in an error (`SELECT api.login(..); SELECT 1/0`),
-- or a pipeline that sends a failing statement before its Sync. Every such guess left no
-- failure count, no lockout and no audit event: unlimited guessing without a trace. The
-- look-up rate limit of api.find_portable_profile counted audit events and fell the same way.
--
-- THE OPTIONS, and why this one.
-- 1. Refuse to run unless login is the sole statement of its own transaction
--    (statement_timestamp() = transaction_timestamp(), pg_current_xact_id_if_assigned() IS
--    NULL, current_query() is exactly the client's text). This catches BEGIN and savepoints,
--    and current_query() would catch a multi-statement simple query, but NOT the extended
--    protocol: a client may Execute login, read the answer, then Execute `SELECT 1/0` before
--    the Sync, and the implicit transaction rolls back. A function cannot see what comes
--    after it, so this guard is not a fix.
-- 2. dblink to a loopback connection (an autonomous transaction). It needs a login role
--    whose password is stored in the database, a pg_hba entry that asks for that password
--    (a non-superuser dblink refuses trust authentication), and the server's own address;
--    it also doubles the connections per login, which matters behind PgBouncer. Too much
--    machinery, and it breaks whenever the operator changes pg_hba.
-- 3. Sequences. nextval() and setval() are never rolled back (PostgreSQL documents this),
--    nextval() is atomic across sessions, and sequences are in every stock PostgreSQL.
--    CHOSEN for the state that decides what the next attempt may do: each account has
--    its own small sequences, created with the account (trigger below) so that no
--    attempt ever needs DDL.
--
-- WHAT IS ROLLBACK-PROOF NOW
-- * The lockout: 5 refused attempts in a row lock the account for 15 minutes, counted in
--   the sequence ward_attempts.s<id>_lockout, whatever happens to the caller's transaction.
-- * The look-up rate limit: at most 10 look-ups per staff member in a 10-minute window,
--   counted in ward_attempts.s<id>_lookups.
-- * The COUNT of refused attempts (ward_attempts.s<id>_refused). Audit events themselves
--   are rows and stay transactional. So each refused attempt also moves
--   ward.staff.refusals_audited in its own transaction; when that transaction is rolled
--   back, the count runs ahead of it, and the next attempt at that account that commits
--   (anyone's, with any password), or an operator's SELECT ward.recover_login_audit(),
--   writes one 'login.refusals_recovered' event with the number of attempts whose own
--   events were rolled back. An attempt at a locked account with the right password ends
--   in WL001, whose raise rolls back its own 'login.refused_locked' event: it too is
--   counted, and reaches the log this way.
--   Every refusal is also written at once to the server log (RAISE LOG, not transactional).
--
-- WHAT IS NOT (documented in docs/SECURITY-TESTS.md): the audit events of api.open_patient
-- and api.search_patients are undone with the caller's transaction; the data was already
-- read. The clinic's row-level security still limits what can be read to the caller's own
-- clinic, and the api views can be read without any audit event anyway.
--
-- Also here: writing api functions move the session's idle clock (ward.audit_here calls
-- ward.touch_session), so a user who only types and saves is not logged off as idle.

-- Sequences created by ward_auth (through the trigger below) live here; nobody else may
-- look in. ward_auth keeps CREATE on this schema only: it must create one set per account.
CREATE SCHEMA ward_attempts;
REVOKE ALL ON SCHEMA ward_attempts FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA ward_attempts TO ward_auth;
GRANT CREATE ON SCHEMA ward, api TO ward_auth;

-- How many refused attempts the audit log accounts for (see ward.recover_refusals).
ALTER TABLE ward.staff ADD COLUMN refusals_audited bigint NOT NULL DEFAULT 0;
-- ward.staff.failed_logins is no longer used by login (the lockout sequence replaced it);
-- locked_until still locks an account when set (an operator may set it by hand), and
-- setting a new password still clears both.

-- One account's counter of the given kind ('lockout', 'refused', 'lookups').
CREATE FUNCTION ward.attempt_counter(p_staff uuid, p_kind text) RETURNS regclass
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    seq regclass := pg_catalog.to_regclass(
        'ward_attempts.s' || pg_catalog.replace(p_staff::text, '-', '') || '_' || p_kind);
BEGIN
    IF seq IS NULL THEN
        -- Cannot happen for an account made through ward.staff; fail closed, never open.
        RAISE EXCEPTION 'attempt counter % of account % is missing', p_kind, p_staff;
    END IF;
    RETURN seq;
END $$;

-- The current value of a counter, read without a transaction's view (as nextval sees it).
-- pg_sequence_last_value is NULL until the first nextval.
CREATE FUNCTION ward.counter_value(seq regclass) RETURNS bigint
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT COALESCE(pg_catalog.pg_sequence_last_value(seq), 0) $$;

-- An account's counters, made in the same transaction as its row (trigger below; the
-- accounts that exist already are given theirs at the end of this file).
CREATE FUNCTION ward.create_attempt_counters(p_staff uuid) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    kind text;
BEGIN
    FOREACH kind IN ARRAY ARRAY['lockout', 'refused', 'lookups'] LOOP
        -- CACHE 1: every nextval is seen by every session at once.
        EXECUTE pg_catalog.format('CREATE SEQUENCE ward_attempts.%I MINVALUE 0 START 1 CACHE 1 NO CYCLE',
                                  's' || pg_catalog.replace(p_staff::text, '-', '') || '_' || kind);
    END LOOP;
END $$;

CREATE FUNCTION ward.staff_attempt_counters() RETURNS trigger
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM ward.create_attempt_counters(NEW.id);
    RETURN NULL;
END $$;
CREATE TRIGGER staff_attempt_counters AFTER INSERT ON ward.staff
    FOR EACH ROW EXECUTE FUNCTION ward.staff_attempt_counters();

-- The lockout counter holds two numbers in one value, so that both change together:
--   locked-until (Unix seconds) * 1,000,000 + refused attempts in a row since then.
-- nextval adds one refused attempt atomically; setval(.., locked * 1e6) starts a lockout
-- with a streak of 0; setval(.., 0) clears both (a success, or a new password).
CREATE FUNCTION ward.locked_until(p_staff uuid) RETURNS timestamptz
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT pg_catalog.to_timestamp(ward.counter_value(ward.attempt_counter(p_staff, 'lockout')) / 1000000) $$;

-- A new password (set by its owner or an administrator) also lifts a lockout, as before.
CREATE FUNCTION ward.clear_lockout_on_new_password() RETURNS trigger
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM pg_catalog.setval(ward.attempt_counter(NEW.id, 'lockout'), 0, true);
    RETURN NULL;
END $$;
CREATE TRIGGER staff_new_password_clears_lockout AFTER UPDATE OF password_hash ON ward.staff
    FOR EACH ROW WHEN (OLD.password_hash IS DISTINCT FROM NEW.password_hash)
    EXECUTE FUNCTION ward.clear_lockout_on_new_password();

-- Writes one event for refused attempts whose own audit events were rolled back. The
-- caller holds the account's row lock (FOR UPDATE), so concurrent attempts count once.
CREATE FUNCTION ward.recover_refusals(p_staff uuid, p_chain uuid) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    counted bigint := ward.counter_value(ward.attempt_counter(p_staff, 'refused'));
    audited bigint;
BEGIN
    SELECT s.refusals_audited INTO audited FROM ward.staff s WHERE s.id = p_staff;
    IF counted > audited THEN
        PERFORM ward.write_audit(p_chain, 'login.refusals_recovered', 'staff', p_staff::text, NULL,
                                 pg_catalog.jsonb_build_object('attempts', counted - audited),
                                 p_staff, NULL, NULL);
        UPDATE ward.staff SET refusals_audited = counted WHERE id = p_staff;
    END IF;
END $$;

-- For operators (and `ward audit verify`): recover every account's rolled-back refusals
-- into the platform's chain, without waiting for the next attempt at each account.
-- Returns how many accounts had some.
CREATE FUNCTION ward.recover_login_audit() RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    s record;
    n integer := 0;
BEGIN
    FOR s IN SELECT st.id, st.refusals_audited FROM ward.staff st ORDER BY st.id FOR UPDATE LOOP
        IF ward.counter_value(ward.attempt_counter(s.id, 'refused')) > s.refusals_audited THEN
            PERFORM ward.recover_refusals(s.id, ward.platform_tenant());
            n := n + 1;
        END IF;
    END LOOP;
    RETURN n;
END $$;

-- One refused attempt at an existing account: counted for ever (nextval), and its audit
-- event, written by the caller in the same transaction, marked as accounted for.
CREATE FUNCTION ward.count_refusal(p_staff uuid) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    UPDATE ward.staff SET refusals_audited = pg_catalog.nextval(ward.attempt_counter(p_staff, 'refused'))
     WHERE id = p_staff;
    RAISE LOG 'ward: login refused for account %', p_staff;
END $$;

-- The contract is unchanged: NULL for every kind of refusal, WL001 only for a locked account
-- whose right password was given, a token otherwise.
CREATE OR REPLACE FUNCTION api.login(clinic text, username text, password text) RETURNS text
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    t ward.tenants;
    s ward.staff;
    m ward.memberships;
    -- A real bcrypt hash of a random password: an unknown user costs the same time.
    dummy constant text := '$2a$11$8TFjCS4YmkHyYQWv95RQFef7T4A9O7YZqW0XbtLeqa6cHdHKv6HAG';
    chain uuid;
    ok boolean;
    token text;
    lockout regclass;
    streak bigint;
    locked timestamptz;
BEGIN
    SELECT * INTO t FROM ward.tenants WHERE code = pg_catalog.lower(pg_catalog.btrim(clinic));
    -- The row lock serialises attempts at one account, so each is counted and recovered once.
    SELECT * INTO s FROM ward.staff st WHERE st.username = pg_catalog.lower(pg_catalog.btrim(login.username))
       FOR UPDATE;
    -- Events go to the named clinic's chain when it exists, else to the platform's.
    chain := COALESCE(t.id, ward.platform_tenant());
    IF s.id IS NOT NULL THEN
        PERFORM ward.recover_refusals(s.id, chain);
        lockout := ward.attempt_counter(s.id, 'lockout');
    END IF;
    ok := ext.crypt(COALESCE(password, ''), COALESCE(s.password_hash, dummy)) = COALESCE(s.password_hash, dummy)
          AND s.id IS NOT NULL;
    IF t.id IS NOT NULL AND s.id IS NOT NULL THEN
        SELECT * INTO m FROM ward.memberships mm
         WHERE mm.tenant_id = t.id AND mm.staff_id = s.id AND mm.disabled_at IS NULL;
    END IF;

    IF s.id IS NOT NULL THEN
        locked := GREATEST(s.locked_until, ward.locked_until(s.id));
    END IF;
    IF locked > pg_catalog.now() THEN
        PERFORM ward.write_audit(chain, 'login.refused_locked', 'staff', s.id::text, NULL, '{}', s.id, NULL, NULL);
        PERFORM ward.count_refusal(s.id);
        IF ok THEN
            -- This raise undoes the event above; the refused counter keeps the attempt, and
            -- the next committed attempt at this account recovers it into the log.
            RAISE EXCEPTION 'account locked until %',
                pg_catalog.to_char(locked AT TIME ZONE COALESCE(t.time_zone, 'UTC'), 'YYYY-MM-DD HH24:MI')
                USING ERRCODE = 'WL001';
        END IF;
        RETURN NULL;
    END IF;

    IF ok AND m.staff_id IS NOT NULL AND s.disabled_at IS NULL THEN
        PERFORM pg_catalog.setval(lockout, 0, true);
        token := ward.open_session(t.id, s.id, m.role);
        PERFORM ward.write_audit(t.id, 'login.success', 'staff', s.id::text, NULL,
                                 pg_catalog.jsonb_build_object('role', m.role), s.id, NULL, NULL);
        RETURN token;
    END IF;

    -- Refused. What was typed as username is kept only when it names a real account.
    PERFORM ward.write_audit(chain, 'login.failure', 'staff', s.id::text, NULL, '{}', s.id, NULL, NULL);
    IF s.id IS NULL THEN
        RAISE LOG 'ward: login refused for an unknown account';
        RETURN NULL;
    END IF;
    PERFORM ward.count_refusal(s.id);
    streak := pg_catalog.nextval(lockout) % 1000000;
    IF streak >= 5 THEN
        PERFORM pg_catalog.setval(lockout,
            pg_catalog.floor(pg_catalog.date_part('epoch', pg_catalog.now() + interval '15 minutes'))::bigint * 1000000,
            true);
        PERFORM ward.write_audit(chain, 'login.lockout', 'staff', s.id::text, NULL, '{"minutes": 15}', s.id, NULL, NULL);
    END IF;
    RETURN NULL;
END $$;

-- The look-up window lives in one value too: window start (Unix seconds) * 1e9 + look-ups
-- in it. A window opens at the first look-up after the last one closed and lasts 10 minutes;
-- so at most 10 look-ups in any window, and at most 20 in the minutes around a window edge.
CREATE FUNCTION ward.count_lookup(p_staff uuid) RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    seq regclass := ward.attempt_counter(p_staff, 'lookups');
    v bigint := pg_catalog.nextval(seq);
    now_s bigint := pg_catalog.floor(pg_catalog.date_part('epoch', pg_catalog.now()))::bigint;
BEGIN
    IF v / 1000000000 <= now_s - 600 THEN
        PERFORM pg_catalog.setval(seq, now_s * 1000000000 + 1, true);
        RETURN 1;
    END IF;
    RETURN v % 1000000000;
END $$;

-- As in 0010, except that the limit is counted by ward.count_lookup (not by audit events,
-- which a rollback removes) before anything is looked up.
CREATE OR REPLACE FUNCTION api.find_portable_profile(family_name text, given_name text, date_of_birth date)
    RETURNS TABLE (handle text, masked_name text, birth_year integer, sex text)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    l record;
    p record;
    h text;
    found_any boolean := false;
BEGIN
    PERFORM ward.require_permission('consent.sign');
    SELECT * INTO l FROM ward.require_session();
    IF ward.count_lookup(l.staff_id) > 10 THEN
        RAISE EXCEPTION 'too many look-ups in ten minutes; wait a few minutes and try again' USING ERRCODE = '53400';
    END IF;
    FOR p IN
        SELECT pt.id, pt.family_name, pt.given_name, pt.date_of_birth, pt.sex FROM ward.patients pt
         WHERE ward.fold(pt.family_name) = ward.fold(pg_catalog.btrim(find_portable_profile.family_name))
           AND ward.fold(pt.given_name) = ward.fold(pg_catalog.btrim(find_portable_profile.given_name))
           AND pt.date_of_birth = find_portable_profile.date_of_birth
           AND NOT EXISTS (SELECT 1 FROM ward.profile_consents c WHERE c.tenant_id = l.tenant_id
                              AND c.patient_id = pt.id AND c.revoked_at IS NULL)
         LIMIT 5
    LOOP
        found_any := true;
        h := pg_catalog.encode(ext.gen_random_bytes(16), 'hex');
        INSERT INTO ward.profile_handles (tenant_id, handle_hash, patient_id, staff_id, expires_at)
        VALUES (l.tenant_id, pg_catalog.sha256(pg_catalog.convert_to(h, 'UTF8')), p.id, l.staff_id,
                pg_catalog.now() + interval '15 minutes');
        handle := h;
        masked_name := pg_catalog.left(p.given_name, 1) || '*** ' || pg_catalog.left(p.family_name, 1) || '***';
        birth_year := pg_catalog.date_part('year', p.date_of_birth)::integer;
        sex := p.sex;
        RETURN NEXT;
    END LOOP;
    PERFORM ward.audit_here('profile.lookup', 'search', NULL, NULL,
                            pg_catalog.jsonb_build_object('found', found_any));
END $$;

-- As in 0005, plus: an audited action by a live session moves its idle clock. Every
-- writing api function (directly or through the PHI triggers) and every audited read comes
-- through here, so none of them can forget to.
CREATE OR REPLACE FUNCTION ward.audit_here(
    p_action text, p_object_type text, p_object_id text, p_patient uuid, p_details jsonb,
    p_fallback_tenant uuid DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    s record;
BEGIN
    SELECT * INTO s FROM ward.live_session();
    IF FOUND THEN
        PERFORM ward.touch_session();
        RETURN ward.write_audit(s.tenant_id, p_action, p_object_type, p_object_id, p_patient,
                                p_details, s.staff_id, s.session_id, s.impersonated_by);
    END IF;
    RETURN ward.write_audit(COALESCE(p_fallback_tenant, ward.platform_tenant()), p_action,
                            p_object_type, p_object_id, p_patient, p_details, NULL, NULL, NULL);
END $$;

ALTER FUNCTION ward.attempt_counter(uuid, text) OWNER TO ward_auth;
ALTER FUNCTION ward.counter_value(regclass) OWNER TO ward_auth;
ALTER FUNCTION ward.create_attempt_counters(uuid) OWNER TO ward_auth;
ALTER FUNCTION ward.staff_attempt_counters() OWNER TO ward_auth;
ALTER FUNCTION ward.locked_until(uuid) OWNER TO ward_auth;
ALTER FUNCTION ward.clear_lockout_on_new_password() OWNER TO ward_auth;
ALTER FUNCTION ward.recover_refusals(uuid, uuid) OWNER TO ward_auth;
ALTER FUNCTION ward.recover_login_audit() OWNER TO ward_auth;
ALTER FUNCTION ward.count_refusal(uuid) OWNER TO ward_auth;
ALTER FUNCTION ward.count_lookup(uuid) OWNER TO ward_auth;

-- Counters for the accounts that exist already.
SELECT ward.create_attempt_counters(st.id) FROM ward.staff st;

REVOKE CREATE ON SCHEMA ward, api FROM ward_auth;
