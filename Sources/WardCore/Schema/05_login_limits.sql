-- Logging in and out, passwords, impersonation, and the limits a ROLLBACK cannot undo.
--
-- api.login never RAISEs on a wrong password: a refused login returns NULL (one answer for
-- unknown clinic, unknown user, wrong password, no membership and a disabled account).
-- Only a locked account whose right password was given raises WL001 'account locked
-- until ...': telling a locked state to someone who does not know the password would
-- reveal that the user exists. bcrypt cost 11 (about 120 ms a check).
--
-- The lockout and the look-up limit are counted in per-account sequences, which no
-- rollback undoes (docs/adr/0002-rollback-proof-limits.md):
-- * 5 refused attempts in a row lock the account for 15 minutes (ward_attempts.s<id>_lockout);
-- * at most 10 portable-profile look-ups per staff member in a 10-minute window
--   (ward_attempts.s<id>_lookups);
-- * every refused attempt is counted (ward_attempts.s<id>_refused); when its audit event
--   was rolled back, the next committed attempt at the account (or an operator's
--   ward.recover_login_audit()) writes one 'login.refusals_recovered' event for them.
-- Every refusal also goes to the server log at once (RAISE LOG, not transactional).

CREATE FUNCTION ward.hash_password(p text) RETURNS text
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT ext.crypt(p, ext.gen_salt('bf', 11)) $$;

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

-- An account's counters, made in the same transaction as its row, so that no attempt
-- ever needs DDL.
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

-- A new password (set by its owner or an administrator) also lifts a lockout.
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
-- into the platform's chain. Returns how many accounts had some.
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
    now_s bigint := pg_catalog.floor(pg_catalog.date_part('epoch', ward.now()))::bigint;
BEGIN
    IF v / 1000000000 <= now_s - 600 THEN
        PERFORM pg_catalog.setval(seq, now_s * 1000000000 + 1, true);
        RETURN 1;
    END IF;
    RETURN v % 1000000000;
END $$;

-- Opens a session and returns its token: 256 random bits, hex; only the SHA-256 is kept.
-- An account whose password someone else set gets the role 'password_change' (no
-- permission at all) whatever role was asked for, until api.change_password: every way of
-- opening a session obeys it, whatever client it comes from.
CREATE FUNCTION ward.open_session(p_tenant uuid, p_staff uuid, p_role text,
                                  p_impersonated_by uuid DEFAULT NULL, p_reason text DEFAULT NULL)
    RETURNS text
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    token text := pg_catalog.encode(ext.gen_random_bytes(32), 'hex');
    r text := p_role;
BEGIN
    IF EXISTS (SELECT 1 FROM ward.staff s WHERE s.id = p_staff AND s.must_change_password) THEN
        r := 'password_change';
    END IF;
    INSERT INTO ward.sessions (tenant_id, token_hash, staff_id, role, impersonated_by, impersonation_reason)
    VALUES (p_tenant, pg_catalog.sha256(pg_catalog.convert_to(token, 'UTF8')), p_staff, r,
            p_impersonated_by, p_reason);
    RETURN token;
END $$;

-- NULL for every kind of refusal, WL001 only for a locked account whose right password
-- was given, a token otherwise.
CREATE FUNCTION api.login(clinic text, username text, password text) RETURNS text
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
    IF locked > ward.now() THEN
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
            pg_catalog.floor(pg_catalog.date_part('epoch', ward.now() + interval '15 minutes'))::bigint * 1000000,
            true);
        PERFORM ward.write_audit(chain, 'login.lockout', 'staff', s.id::text, NULL, '{"minutes": 15}', s.id, NULL, NULL);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION api.logout() RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    l record;
BEGIN
    SELECT * INTO l FROM ward.live_session();
    IF NOT FOUND THEN RETURN; END IF;
    UPDATE ward.sessions SET revoked_at = ward.now() WHERE tenant_id = l.tenant_id AND id = l.session_id;
    PERFORM ward.audit_here('logout', 'session', l.session_id::text, NULL, '{}');
END $$;

-- Moves the session's idle clock; the terminal calls it when the user acts.
CREATE FUNCTION api.touch() RETURNS void
    LANGUAGE sql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT ward.touch_session() $$;

-- The time the clinic acts on (ward.now()), for the terminal's clock and its "today": the
-- terminal reads the server's time, never the host's.
CREATE FUNCTION api.server_now() RETURNS timestamptz
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT ward.now() $$;

-- The new password must differ from the current one (or "changing" it would leave it
-- known to the administrator who set it); a 'password_change' session then receives the
-- person's role in this clinic.
CREATE FUNCTION api.change_password(old_password text, new_password text) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    l record;
    h text;
BEGIN
    SELECT * INTO l FROM ward.require_session();
    SELECT password_hash INTO h FROM ward.staff WHERE id = l.staff_id;
    IF ext.crypt(COALESCE(old_password, ''), h) <> h THEN
        RAISE EXCEPTION 'the current password is not right' USING ERRCODE = '28P01', HINT = 'field:old_password';
    END IF;
    IF pg_catalog.length(COALESCE(new_password, '')) < 10 THEN
        RAISE EXCEPTION 'the new password needs at least 10 characters' USING ERRCODE = '22023', HINT = 'field:new_password';
    END IF;
    IF ext.crypt(new_password, h) = h THEN
        RAISE EXCEPTION 'the new password must differ from the current one' USING ERRCODE = '22023', HINT = 'field:new_password';
    END IF;
    UPDATE ward.staff SET password_hash = ward.hash_password(new_password), must_change_password = false
     WHERE id = l.staff_id;
    IF l.role = 'password_change' THEN
        UPDATE ward.sessions se SET role = m.role
          FROM ward.memberships m
         WHERE se.tenant_id = l.tenant_id AND se.id = l.session_id
           AND m.tenant_id = l.tenant_id AND m.staff_id = l.staff_id AND m.disabled_at IS NULL;
    END IF;
    PERFORM ward.audit_here('staff.password_changed', 'staff', l.staff_id::text, NULL, '{}');
END $$;

-- A platform administrator opens a session scoped to one clinic, with the read-mostly
-- 'support' role, marked as impersonated. The reason goes into that clinic's own audit log.
CREATE FUNCTION api.impersonate(clinic text, reason text) RETURNS text
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    l record;
    t ward.tenants;
    token text;
BEGIN
    PERFORM ward.require_permission('platform.impersonate');
    SELECT * INTO l FROM ward.live_session();
    IF pg_catalog.length(pg_catalog.btrim(COALESCE(reason, ''))) < 5 THEN
        RAISE EXCEPTION 'give a reason for the impersonation (at least a few words)'
            USING ERRCODE = '22023', HINT = 'field:reason';
    END IF;
    SELECT * INTO t FROM ward.tenants WHERE code = pg_catalog.lower(pg_catalog.btrim(clinic)) AND kind = 'clinic';
    IF NOT FOUND THEN
        RAISE EXCEPTION 'there is no clinic %', clinic USING ERRCODE = '22023', HINT = 'field:clinic';
    END IF;
    token := ward.open_session(t.id, l.staff_id, 'support', l.staff_id, reason);
    PERFORM ward.write_audit(t.id, 'impersonation.start', 'staff', l.staff_id::text, NULL,
                             pg_catalog.jsonb_build_object('reason', reason), l.staff_id, NULL, l.staff_id);
    PERFORM ward.audit_here('impersonation.start', 'tenant', t.id::text, NULL,
                            pg_catalog.jsonb_build_object('clinic', t.code, 'reason', reason));
    RETURN token;
END $$;

-- The caller's own session: who, where, which role, which permissions (menus are built from it).
CREATE FUNCTION api.whoami()
    RETURNS TABLE (clinic_code text, clinic_name text, time_zone text, date_order text,
                   username text, display_name text, role text, impersonated_by text,
                   must_change_password boolean, expires_at timestamptz)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT t.code, t.name, t.time_zone, t.date_order, st.username, st.display_name, l.role,
           imp.display_name, st.must_change_password, se.expires_at
      FROM ward.live_session() l
      JOIN ward.tenants t ON t.id = l.tenant_id
      JOIN ward.staff st ON st.id = l.staff_id
      JOIN ward.sessions se ON se.tenant_id = l.tenant_id AND se.id = l.session_id
      LEFT JOIN ward.staff imp ON imp.id = l.impersonated_by
    $$;

CREATE FUNCTION api.my_permissions() RETURNS SETOF text
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT rp.permission FROM ward.live_session() l
      JOIN ward.role_permissions rp ON rp.role = l.role ORDER BY 1
    $$;
