-- The demo clinics of docs/DESIGN.md, section 5. Every account's password is 'clinic-demo'.
-- Runs as the owner (row-level security bypassed); the audit triggers still record every
-- insert in each clinic's chain, which gives the demo its audit history.
--
-- Allergies, consent signatures and note bodies are written here as unsealed UTF-8 bytes
-- only because SQL cannot encrypt: DemoSeed.swift seals every one of them in the same
-- transaction, so no plaintext is ever committed.
DO $seed$
DECLARE
    n uuid; r uuid; l uuid; plat uuid;
    pw text;
    who record;
    pt record;
    pid uuid;
    chart text;
    clinic text;
    monday date;
    today date;
    now5 timestamptz;
    later timestamptz;
    visit record;
    i integer := 0;
    tz text;
    t record;
    specialist uuid;
    booker uuid;
    patients_here uuid[];
BEGIN
    INSERT INTO ward.tenants (code, name, time_zone, date_order, chart_prefix) VALUES
        ('northside', 'Northside Family Practice', 'Europe/London', 'DMY', 'N') RETURNING id INTO n;
    INSERT INTO ward.tenants (code, name, time_zone, date_order, chart_prefix) VALUES
        ('riverside', 'Riverside Dental', 'America/New_York', 'MDY', 'R') RETURNING id INTO r;
    INSERT INTO ward.tenants (code, name, time_zone, date_order, chart_prefix) VALUES
        ('lakeside', 'Lakeside Physiotherapy', 'Australia/Sydney', 'ISO', 'L') RETURNING id INTO l;
    plat := ward.platform_tenant();

    FOR who IN SELECT * FROM (VALUES
        ('alice', 'Alice Archer'), ('sam', 'Sam Okafor'), ('fiona', 'Fiona Reyes'), ('bruno', 'Bruno Costa'),
        ('rita', 'Rita Kowalski'), ('victor', 'Victor Haddad'), ('dana', 'Dana Whitfield'),
        ('lena', 'Lena Fischer'), ('theo', 'Theo Marsh'), ('olga', 'Olga Petrova')) v(u, name)
    LOOP
        INSERT INTO ward.staff (username, display_name, password_hash)
        VALUES (who.u, who.name, ward.hash_password('clinic-demo'));
    END LOOP;

    INSERT INTO ward.memberships (tenant_id, staff_id, role)
    SELECT m.t, s.id, m.role FROM (VALUES
        (n, 'alice', 'admin'), (n, 'sam', 'specialist'), (n, 'fiona', 'front_desk'), (n, 'bruno', 'billing'),
        (r, 'rita', 'admin'), (r, 'victor', 'specialist'), (r, 'dana', 'front_desk'), (r, 'sam', 'specialist'),
        (l, 'lena', 'admin'), (l, 'theo', 'specialist'),
        (plat, 'olga', 'platform_admin')) m(t, u, role)
    JOIN ward.staff s ON s.username = m.u;

    -- Patients: names in several scripts; `clinics` lists where consent is held, and
    -- `revoked` where it was given and later withdrawn.
    FOR pt IN SELECT * FROM (VALUES
        ('Álvarez', 'José', '1979-04-12', 'male', '+44 20 7946 0101', 'jose.alvarez@example.org', 'Penicillin', '{northside,riverside}', '{}'),
        ('Ng', 'Zoë', '1991-09-30', 'female', '+44 20 7946 0102', 'zoe.ng@example.org', 'Latex', '{northside}', '{}'),
        ('शर्मा', 'अनन्या', '1988-01-22', 'female', '+1 212 555 0103', NULL, 'Sulfa drugs', '{riverside}', '{}'),
        ('Nguyễn', 'Văn An', '1965-11-03', 'male', '+61 2 5550 0104', NULL, NULL, '{lakeside}', '{}'),
        ('O''Brien', 'Mary', '1952-03-17', 'female', '+44 20 7946 0105', 'mary.obrien@example.org', 'Aspirin', '{northside}', '{}'),
        ('Murphy', 'Liam', '1984-07-08', 'male', '+44 20 7946 0106', NULL, NULL, '{northside}', '{riverside}'),
        ('王', '小明', '1990-05-05', 'male', '+44 20 7946 0107', NULL, 'Peanuts', '{northside}', '{}'),
        ('Smith', 'Olivia', '1975-02-14', 'female', '+44 20 7946 0108', NULL, NULL, '{northside}', '{}'),
        ('Williams', 'Noah', '2001-12-01', 'male', '+44 20 7946 0109', NULL, NULL, '{northside}', '{}'),
        ('Brown', 'Emma', '1969-06-21', 'female', '+44 20 7946 0110', NULL, 'Codeine', '{northside}', '{}'),
        ('Jones', 'Oliver', '2010-08-19', 'male', '+44 20 7946 0111', NULL, NULL, '{northside}', '{}'),
        ('Taylor', 'Ava', '1998-10-10', 'female', '+44 20 7946 0112', NULL, NULL, '{northside}', '{}'),
        ('Dubois', 'Élodie', '1983-04-04', 'female', '+44 20 7946 0113', NULL, NULL, '{northside}', '{}'),
        ('Andersson', 'Björn', '1971-01-29', 'male', '+44 20 7946 0114', NULL, NULL, '{northside}', '{}'),
        ('Al-Sayed', 'Fatima', '1993-03-03', 'female', '+44 20 7946 0115', NULL, NULL, '{northside}', '{}'),
        ('陈', '伟', '1987-07-27', 'male', '+44 20 7946 0116', NULL, NULL, '{northside}', '{}'),
        ('Jónsson', 'Ólafur', '1960-09-09', 'male', '+44 20 7946 0117', NULL, NULL, '{northside}', '{}'),
        ('Rossi', 'Sofia', '1995-05-15', 'female', '+1 212 555 0118', NULL, NULL, '{riverside}', '{}'),
        ('García', 'Mateo', '2005-06-06', 'male', '+1 212 555 0119', NULL, NULL, '{riverside}', '{}'),
        ('田中', '由紀', '1980-12-12', 'female', '+1 212 555 0120', NULL, NULL, '{riverside}', '{}'),
        ('Patel', 'Aarav', '1999-01-01', 'male', '+1 212 555 0121', NULL, 'Ibuprofen', '{riverside}', '{}'),
        ('Bergström', 'Ingrid', '1958-08-08', 'female', '+1 212 555 0122', NULL, NULL, '{riverside}', '{}'),
        ('Иванов', 'Дмитрий', '1977-02-02', 'male', '+1 212 555 0123', NULL, NULL, '{riverside}', '{}'),
        ('Mensah', 'Kwame', '1986-11-11', 'male', '+1 212 555 0124', NULL, NULL, '{riverside}', '{}'),
        ('Nair', 'Priya', '1992-04-24', 'female', '+1 212 555 0125', NULL, NULL, '{riverside}', '{}'),
        ('Müller', 'Lucas', '1968-03-30', 'male', '+1 212 555 0126', NULL, NULL, '{riverside}', '{}'),
        ('Martin', 'Chloé', '2000-07-14', 'female', '+1 212 555 0127', NULL, NULL, '{riverside}', '{}'),
        ('Schmidt', 'Hannah', '1974-10-31', 'female', '+1 212 555 0128', NULL, NULL, '{riverside}', '{}'),
        ('Wilson', 'Jack', '1982-05-20', 'male', '+61 2 5550 0129', NULL, NULL, '{lakeside}', '{}'),
        ('Evans', 'Charlotte', '1994-02-28', 'female', '+61 2 5550 0130', NULL, NULL, '{lakeside}', '{}'),
        ('Thompson', 'Mia', '2008-09-12', 'female', '+61 2 5550 0131', NULL, NULL, '{lakeside}', '{}'),
        ('Walker', 'Ethan', '1979-12-25', 'male', '+61 2 5550 0132', NULL, NULL, '{lakeside}', '{}'),
        ('Robinson', 'Isla', '1990-01-15', 'female', '+61 2 5550 0133', NULL, NULL, '{lakeside}', '{}'),
        ('김', '민준', '1985-06-18', 'male', '+61 2 5550 0134', NULL, NULL, '{lakeside}', '{}'),
        ('Ó Briain', 'Tomás', '1972-04-01', 'male', '+61 2 5550 0135', NULL, NULL, '{lakeside}', '{}'),
        ('Ngata', 'Aroha', '1997-11-05', 'female', '+61 2 5550 0136', NULL, NULL, '{lakeside}', '{}'),
        ('Kahale', 'Leilani', '1989-08-22', 'female', '+61 2 5550 0137', NULL, NULL, '{lakeside}', '{}'),
        ('Kumar', 'Ravi', '1966-07-07', 'male', '+61 2 5550 0138', NULL, NULL, '{lakeside}', '{}'),
        ('Lee', 'Grace', '2002-03-09', 'female', '+61 2 5550 0139', NULL, NULL, '{lakeside}', '{}'),
        ('Okonkwo', 'Chidi', '1981-10-02', 'male', '+44 20 7946 0140', NULL, NULL, '{northside,lakeside}', '{}'),
        ('Kowalczyk', 'Agnieszka', '1978-05-27', 'female', '+1 212 555 0141', NULL, NULL, '{riverside}', '{}'),
        ('Haddad', 'Yasmin', '2003-01-19', 'female', '+61 2 5550 0142', NULL, NULL, '{lakeside}', '{}')
        ) v(family, given, dob, sex, phone, email, allergies, clinics, revoked)
    LOOP
        INSERT INTO ward.patients (family_name, given_name, date_of_birth, sex, phone, email, allergies)
        VALUES (pt.family, pt.given, pt.dob::date, pt.sex, pt.phone, pt.email, pg_catalog.convert_to(pt.allergies, 'UTF8')) RETURNING id INTO pid;
        FOREACH clinic IN ARRAY (pt.clinics::text[] || pt.revoked::text[]) LOOP
            SELECT * INTO t FROM ward.tenants WHERE code = clinic;
            SELECT m.staff_id INTO booker FROM ward.memberships m WHERE m.tenant_id = t.id
             ORDER BY m.role = 'front_desk' DESC, m.role = 'admin' DESC LIMIT 1;
            INSERT INTO ward.profile_consents (tenant_id, patient_id, signed_at, signed_by, signature, text_version, text_sha256,
                                               revoked_at, revoked_by, revoke_reason)
            SELECT t.id, pid, ward.now() - interval '90 days', booker, pg_catalog.convert_to(pt.given || ' ' || pt.family, 'UTF8'), ct.version, ct.sha256,
                   CASE WHEN clinic = ANY (pt.revoked::text[]) THEN ward.now() - interval '10 days' END,
                   CASE WHEN clinic = ANY (pt.revoked::text[]) THEN booker END,
                   CASE WHEN clinic = ANY (pt.revoked::text[]) THEN 'patient asked to stop sharing' END
              FROM ward.consent_texts ct WHERE ct.version = 'v1';
            INSERT INTO ward.clinic_patients (tenant_id, patient_id, chart_no, registered_at, family_key, given_key,
                                              date_of_birth, phone_key)
            VALUES (t.id, pid, ward.next_chart_no(t.id), ward.now() - interval '90 days', ward.fold(pt.family),
                    ward.fold(pt.given), pt.dob::date, ward.phone_key(pt.phone));
        END LOOP;
    END LOOP;

    -- Appointments, laid out around ward.now() (the run's pinned clock in tests) in each
    -- clinic's own time zone, so a run on any day finds the same shape (docs/DESIGN.md, section 5):
    -- * around now, for every specialist: one checked in (started up to a quarter of an
    --   hour ago, never before midnight), one starting 25 to 30 minutes from now, and one
    --   later that day (two hours on, at the latest 23:30) when the day still has room;
    -- * 10:00 the day before and the day after (earlier and later visits on any day);
    -- * 09:00, 11:00, 13:00 and 15:00 Monday to Friday of the current week;
    -- each 30 minutes (the next-hour one 20), those that would clash with an earlier one
    -- left out. Times around now are computed as instants (five-minute steps of UTC), so a
    -- daylight-saving change between them cannot make one fall in a missing hour.
    -- Notes for some of the patients seen.
    FOR t IN SELECT * FROM ward.tenants WHERE kind = 'clinic' LOOP
        tz := t.time_zone;
        now5 := pg_catalog.date_bin(interval '5 minutes', ward.now(), timestamptz '2000-01-01 00:00+00');
        today := (ward.now() AT TIME ZONE tz)::date;
        monday := pg_catalog.date_trunc('week', ward.now() AT TIME ZONE tz)::date;
        later := LEAST(now5 + interval '2 hours', (today + time '23:30') AT TIME ZONE tz);
        SELECT pg_catalog.array_agg(cp.patient_id ORDER BY cp.chart_no) INTO patients_here
          FROM ward.clinic_patients cp JOIN ward.profile_consents c
            ON c.tenant_id = cp.tenant_id AND c.patient_id = cp.patient_id AND c.revoked_at IS NULL
         WHERE cp.tenant_id = t.id;
        SELECT m.staff_id INTO booker FROM ward.memberships m WHERE m.tenant_id = t.id
         ORDER BY m.role = 'front_desk' DESC, m.role = 'admin' DESC LIMIT 1;
        FOR specialist IN SELECT m.staff_id FROM ward.memberships m
                           WHERE m.tenant_id = t.id AND m.role = 'specialist' ORDER BY m.staff_id LOOP
            FOR visit IN
                SELECT v.* FROM (VALUES
                    (1, GREATEST(now5 - interval '15 minutes', today::timestamp AT TIME ZONE tz), 30,
                     'checked_in', 'check-up'),
                    (2, now5 + interval '30 minutes', 20, 'booked', 'follow-up'),
                    (3, later, 30, 'booked', 'review of results'),
                    (4, ((today - 1) + time '10:00') AT TIME ZONE tz, 30, 'completed', 'follow-up'),
                    (5, ((today + 1) + time '10:00') AT TIME ZONE tz, 30, 'booked', 'check-up')
                ) v(k, starts, minutes, status, reason)
                WHERE v.k <> 3 OR later >= now5 + interval '50 minutes'
                UNION ALL
                SELECT 10 + d * 4 + slot, ((monday + d) + pg_catalog.make_time(9 + slot * 2, 0, 0)) AT TIME ZONE tz, 30,
                       CASE WHEN ((monday + d) + pg_catalog.make_time(9 + slot * 2, 0, 0)) AT TIME ZONE tz < ward.now()
                            THEN 'completed' ELSE 'booked' END,
                       (ARRAY['check-up', 'follow-up', 'new complaint', 'review of results'])[1 + slot]
                  FROM pg_catalog.generate_series(0, 4) d, pg_catalog.generate_series(0, 3) slot
                ORDER BY 1
            LOOP
                CONTINUE WHEN EXISTS (
                    SELECT FROM ward.appointments a
                     WHERE a.tenant_id = t.id AND a.clinician_id = specialist
                       AND a.during && pg_catalog.tstzrange(visit.starts, visit.starts + visit.minutes * interval '1 minute'));
                i := i + 1;
                pid := patients_here[1 + (i % pg_catalog.array_length(patients_here, 1))];
                INSERT INTO ward.appointments (tenant_id, patient_id, clinician_id, during, status, reason, booked_by)
                VALUES (t.id, pid, specialist,
                        pg_catalog.tstzrange(visit.starts, visit.starts + visit.minutes * interval '1 minute'),
                        visit.status, visit.reason, booker);
                IF visit.k >= 10 AND visit.k % 4 = 2 THEN
                    INSERT INTO ward.clinical_notes (tenant_id, patient_id, kind, title, body, author_id, signed_at)
                    VALUES (t.id, pid, 'note', 'Consultation ' || pg_catalog.to_char(visit.starts AT TIME ZONE tz, 'YYYY-MM-DD'),
                            pg_catalog.convert_to('Seen at ' || t.name || '. History taken, examination unremarkable. Plan: review in four weeks.', 'UTF8'),
                            specialist, ward.now() - interval '7 days' + visit.k * interval '1 hour');
                END IF;
            END LOOP;
        END LOOP;
    END LOOP;

    -- A few logins, so the audit viewer has more than record changes to show.
    FOR who IN SELECT s.id, m.tenant_id FROM ward.staff s JOIN ward.memberships m ON m.staff_id = s.id LOOP
        PERFORM ward.write_audit(who.tenant_id, 'login.success', 'staff', who.id::text, NULL, '{}', who.id, NULL, NULL);
    END LOOP;
END
$seed$;
