-- Synthetic clinics at scale, for benchmarks (`ward seed --clinics N --patients P --seed S`).
--
-- Runs in one transaction as ward_owner (which bypasses row-level security), after
-- SyntheticSeed has filled pg_temp.syn_params with the caller's numbers. Every value is
-- derived from (seed, row number) by pg_temp.rnd, so a seed always gives the same rows;
-- times are counted from syn_params.anchor (a day), not from the clock.
--
-- The statements are set-based (INSERT ... SELECT over generate_series), which loads a
-- million patients in minutes. The per-row audit triggers are switched off for the load
-- (inside this transaction only) and the audit history is written directly instead, with
-- each clinic's hash chain computed by a window aggregate over ward.audit_hash, the same
-- function the writer and `ward audit verify` use.
--
-- Allergies, consent signatures and note bodies are stored as unsealed UTF-8 bytes: SQL
-- holds no key to seal them. The first `ward keys rotate` seals them; until then the
-- terminal shows them as unreadable.
--
-- Each "-- step:" line starts a statement group that SyntheticSeed runs and times on its own.

-- step: helpers
-- The per-row audit triggers are off for the load (this transaction only): the "audit
-- events" step writes the same events set-based, with their chains.
ALTER TABLE ward.patients DISABLE TRIGGER patients_audit;
ALTER TABLE ward.clinic_patients DISABLE TRIGGER clinic_patients_audit;
ALTER TABLE ward.profile_consents DISABLE TRIGGER profile_consents_audit;
ALTER TABLE ward.appointments DISABLE TRIGGER appointments_audit;
ALTER TABLE ward.clinical_notes DISABLE TRIGGER clinical_notes_audit;

-- A number in [0, 1) from a row key and a salt: the same inputs give the same number.
CREATE OR REPLACE FUNCTION pg_temp.rnd(k bigint, salt bigint) RETURNS float8
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT (pg_catalog.hashint8extended(k, salt) & 281474976710655)::float8 / 281474976710656.0 $$;
-- A stable uuid for the n-th row of a kind.
CREATE OR REPLACE FUNCTION pg_temp.uid(seed bigint, kind text, n bigint) RETURNS uuid
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT pg_catalog.md5(seed::text || ':' || kind || ':' || n::text)::uuid $$;
-- An element of a text array picked by a number in [0, 1).
CREATE OR REPLACE FUNCTION pg_temp.pick(a text[], r float8) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT a[1 + pg_catalog.floor(r * pg_catalog.array_length(a, 1))::int] $$;
-- One link of an audit chain: the hash of event e when the previous link's hash is state.
CREATE OR REPLACE FUNCTION pg_temp.chain_step(state bytea, e ward.audit_events) RETURNS bytea
    LANGUAGE plpgsql IMMUTABLE
    AS $$
BEGIN
    e.prev_hash := COALESCE(state, pg_catalog.decode(pg_catalog.repeat('00', 32), 'hex'));
    RETURN ward.audit_hash(e);
END $$;
CREATE OR REPLACE AGGREGATE pg_temp.chain(ward.audit_events) (SFUNC = pg_temp.chain_step, STYPE = bytea);

-- Names from several languages and scripts: family names, then female and male given names.
CREATE TEMP TABLE syn_names (culture int PRIMARY KEY, phone text, family text[], female text[], male text[]) ON COMMIT DROP;
INSERT INTO syn_names VALUES
 (0, '+44 20 7946 ', '{Smith,Jones,Taylor,Brown,Williams,Wilson,Johnson,Davies,Robinson,Wright,Thompson,Evans,Walker,White,Roberts,Green,Hall,Wood,Jackson,Clarke,O''Brien,Murphy,Kelly,Walsh}',
    '{Olivia,Amelia,Isla,Ava,Emily,Sophie,Grace,Mia,Poppy,Ella,Lily,Evie,Siobhan,Aoife}', '{Oliver,George,Harry,Jack,Jacob,Noah,Charlie,Thomas,Oscar,William,James,Liam,Conor,Sean}'),
 (1, '+34 91 555 ', '{García,Fernández,González,Rodríguez,López,Martínez,Sánchez,Pérez,Gómez,Martín,Jiménez,Ruiz,Hernández,Díaz,Moreno,Álvarez,Muñoz,Romero}',
    '{María,Lucía,Paula,Sofía,Martina,Daniela,Carmen,Ana,Inés,Begoña}', '{José,Antonio,Manuel,Francisco,David,Juan,Javier,Iñigo,Álvaro,Sergio}'),
 (2, '+49 30 555 ', '{Müller,Schmidt,Schneider,Fischer,Weber,Meyer,Wagner,Becker,Schulz,Hoffmann,Schäfer,Koch,Bauer,Richter,Klein,Wolf,Schröder,Neumann}',
    '{Anna,Lena,Lea,Hannah,Jürgen,Jana,Sophie,Käthe,Greta,Ursula}', '{Lukas,Jonas,Leon,Finn,Felix,Jürgen,Günter,Maximilian,Paul,Elias}'),
 (3, '+33 1 55 55 ', '{Martin,Bernard,Dubois,Thomas,Robert,Richard,Petit,Durand,Leroy,Moreau,Simon,Laurent,Lefèvre,Michel,Garçon,Benoît}',
    '{Chloé,Léa,Manon,Camille,Inès,Zoé,Élodie,Hélène,Anaïs,Océane}', '{Léo,Gabriel,Raphaël,Arthur,Louis,Jules,Hugo,Théo,Noé,François}'),
 (4, '+84 24 555 ', '{Nguyễn,Trần,Lê,Phạm,Hoàng,Huỳnh,Phan,Vũ,Võ,Đặng,Bùi,Đỗ,Hồ,Ngô,Dương,Lý}',
    '{Thị Mai,Thu Hà,Ngọc Anh,Phương,Linh,Hương,Thảo,Lan}', '{Văn An,Minh,Đức,Hùng,Quang,Tuấn,Hải,Long}'),
 (5, '+48 22 555 ', '{Nowak,Kowalski,Wiśniewski,Wójcik,Kowalczyk,Kamiński,Lewandowski,Zieliński,Szymański,Woźniak,Dąbrowski,Kozłowski}',
    '{Anna,Maria,Katarzyna,Małgorzata,Agnieszka,Zofia,Łucja,Joanna}', '{Piotr,Krzysztof,Andrzej,Tomasz,Paweł,Łukasz,Michał,Jakub}'),
 (6, '+91 22 5555 ', '{शर्मा,वर्मा,गुप्ता,सिंह,कुमार,पटेल,जोशी,मिश्रा,यादव,चौधरी,Sharma,Patel,Singh,Iyer,Reddy}',
    '{अनन्या,प्रिया,दीपिका,पूजा,नेहा,कविता,Ananya,Priya,Lakshmi}', '{राहुल,अमित,विजय,अर्जुन,रोहन,सुरेश,Rahul,Arjun,Vikram}'),
 (7, '+86 10 5555 ', '{王,李,张,刘,陈,杨,黄,赵,吴,周,徐,孙,马,朱,胡,郭}',
    '{小红,丽,静,敏,燕,芳,秀英,娜}', '{小明,伟,强,磊,军,洋,勇,杰}'),
 (8, '+81 3 5555 ', '{佐藤,鈴木,高橋,田中,伊藤,渡辺,山本,中村,小林,加藤,吉田,山田}',
    '{さくら,陽菜,結衣,美咲,花子,愛}', '{蓮,大翔,悠真,太郎,健太,翔太}'),
 (9, '+20 2 5555 ', '{حداد,الخطيب,منصور,حسن,علي,إبراهيم,يوسف,Haddad,Mansour,Hassan,Khalil}',
    '{فاطمة,مريم,ليلى,نور,Fatima,Layla,Noor}', '{محمد,أحمد,عمر,يوسف,Omar,Ahmed,Karim}'),
 (10, '+30 21 0555 ', '{Παπαδόπουλος,Γεωργίου,Οικονόμου,Νικολάου,Παππάς,Βασιλείου,Ιωάννου,Papadopoulos,Georgiou}',
    '{Μαρία,Ελένη,Αικατερίνη,Σοφία,Eleni,Maria}', '{Γιώργος,Κωνσταντίνος,Δημήτρης,Νίκος,Giorgos,Nikos}'),
 (11, '+7 495 555 ', '{Иванов,Смирнов,Кузнецов,Попов,Васильев,Петров,Соколов,Михайлов,Ivanov,Petrov,Sokolov}',
    '{Анна,Мария,Елена,Ольга,Наталья,Olga,Natalia}', '{Александр,Дмитрий,Сергей,Андрей,Иван,Dmitri,Sergei}'),
 (12, '+90 212 555 ', '{Yılmaz,Kaya,Demir,Şahin,Çelik,Yıldız,Yıldırım,Öztürk,Aydın,Özdemir,Arslan,Doğan}',
    '{Zeynep,Elif,Ayşe,Fatma,Emine,Şule,Gül}', '{Mehmet,Mustafa,Ahmet,Ali,Hüseyin,Çağrı,Emre}'),
 (13, '+82 2 555 ', '{김,이,박,최,정,강,조,윤,Kim,Lee,Park,Choi}',
    '{서연,지우,하은,민서,Seo-yeon,Ji-woo}', '{민준,서준,도윤,예준,Min-jun,Seo-jun}'),
 (14, '+234 1 555 ', '{Okafor,Adeyemi,Okonkwo,Balogun,Eze,Nwosu,Adebayo,Ogunleye,Ibrahim,Oyelaran}',
    '{Ngozi,Chiamaka,Adaeze,Folake,Yetunde,Amaka}', '{Chinedu,Emeka,Oluwaseun,Tunde,Babajide,Ifeanyi}');

-- step: clinics
-- Clinic sizes follow a power law (weight i^-0.75): with 1,000 clinics the largest holds
-- about 5% of the patients (50k of 1M) and the smallest a few hundred; the rounding
-- remainder goes to the largest. Each patient has a home clinic: numbers first .. first+n-1.
CREATE TEMP TABLE syn_clinics ON COMMIT DROP AS
WITH w AS (
    SELECT i, pg_catalog.power(i, -0.75) AS w FROM syn_params p, pg_catalog.generate_series(1, p.clinics) i
), s AS (
    SELECT i, pg_catalog.floor(p.patients * w / pg_catalog.sum(w) OVER ())::bigint AS n FROM w, syn_params p
), n AS (
    SELECT i, (n + CASE WHEN i = 1 THEN p.patients - pg_catalog.sum(n) OVER () ELSE 0 END)::bigint AS n FROM s, syn_params p
)
SELECT n.i, n.n, (pg_catalog.sum(n.n) OVER (ORDER BY n.i) - n.n)::bigint AS first,
       pg_temp.uid(p.seed, 'tenant', n.i) AS id,
       'syn' || p.seed || '-' || pg_catalog.lpad(n.i::text, 4, '0') AS code,
       -- Clinicians: one per 1,000 patients, at least one, at most 60.
       LEAST(60, 1 + n.n / 1000)::int AS clinicians,
       pg_temp.pick('{Europe/London,America/New_York,Australia/Sydney,Asia/Kolkata,Europe/Berlin,UTC}', pg_temp.rnd(n.i, p.seed * 1009 + 1)) AS tz
  FROM n, syn_params p;
CREATE UNIQUE INDEX ON syn_clinics (i);

INSERT INTO ward.tenants (id, code, name, time_zone, date_order, chart_prefix)
SELECT c.id, c.code, 'Synthetic Clinic ' || c.i, c.tz,
       pg_temp.pick('{DMY,MDY,ISO}', pg_temp.rnd(c.i, p.seed * 1009 + 2)), 'S'
  FROM syn_clinics c, syn_params p;

-- step: staff
-- Per clinic: an admin, a front-desk clerk and the clinicians. All share one bcrypt hash
-- of the demo password (hashing thousands of passwords at cost 11 would take minutes and
-- measure nothing).
CREATE TEMP TABLE syn_staff ON COMMIT DROP AS
SELECT c.i AS clinic, r.role, j, pg_temp.uid(p.seed, 'staff', c.i * 100 + j) AS id,
       'syn' || p.seed || '-' || c.i || '-' || CASE r.role WHEN 'specialist' THEN 'doc' || j ELSE r.role END AS username
  FROM syn_clinics c, syn_params p,
       LATERAL (SELECT 0 AS j, 'admin' AS role UNION ALL SELECT 1, 'front_desk'
                UNION ALL SELECT 1 + k, 'specialist' FROM pg_catalog.generate_series(1, c.clinicians) k) r;
CREATE INDEX ON syn_staff (clinic, role, j);

INSERT INTO ward.staff (id, username, display_name, password_hash)
SELECT s.id, s.username,
       pg_temp.pick(n.female || n.male, pg_temp.rnd(s.clinic * 100 + s.j, p.seed * 1009 + 3)) || ' ' ||
       pg_temp.pick(n.family, pg_temp.rnd(s.clinic * 100 + s.j, p.seed * 1009 + 4)),
       p.password_hash
  FROM syn_staff s, syn_params p, syn_names n
 WHERE n.culture = (s.clinic * 100 + s.j) % 15;
INSERT INTO ward.memberships (tenant_id, staff_id, role)
SELECT c.id, s.id, s.role FROM syn_staff s JOIN syn_clinics c ON c.i = s.clinic;

-- step: patients
-- Patient k (0-based, over all clinics): culture, sex, names, date of birth, contacts.
CREATE TEMP TABLE syn_patients ON COMMIT DROP AS
SELECT k, c.i AS clinic, pg_temp.uid(p.seed, 'patient', k) AS id,
       pg_catalog.floor(pg_temp.rnd(k, p.seed * 1009 + 10) * 15)::int AS culture,
       CASE WHEN pg_temp.rnd(k, p.seed * 1009 + 11) < 0.49 THEN 'female'
            WHEN pg_temp.rnd(k, p.seed * 1009 + 11) < 0.98 THEN 'male'
            WHEN pg_temp.rnd(k, p.seed * 1009 + 11) < 0.99 THEN 'other' ELSE 'unknown' END AS sex,
       p.anchor - 365 * 3 + pg_catalog.floor(pg_temp.rnd(k, p.seed * 1009 + 12) * 365 * 3)::int AS registered_on
  FROM syn_clinics c, syn_params p, pg_catalog.generate_series(c.first, c.first + c.n - 1) k;
CREATE INDEX ON syn_patients (k);

INSERT INTO ward.patients (id, family_name, given_name, date_of_birth, sex, phone, email, allergies, created_at, updated_at)
SELECT s.id, pg_temp.pick(n.family, pg_temp.rnd(s.k, p.seed * 1009 + 13)),
       pg_temp.pick(CASE s.sex WHEN 'female' THEN n.female WHEN 'male' THEN n.male ELSE n.female || n.male END,
                    pg_temp.rnd(s.k, p.seed * 1009 + 14)),
       date '1925-01-01' + pg_catalog.floor(pg_temp.rnd(s.k, p.seed * 1009 + 15) * 36500)::int,
       s.sex,
       n.phone || pg_catalog.lpad((s.k % 10000)::text, 4, '0'),
       CASE WHEN pg_temp.rnd(s.k, p.seed * 1009 + 16) < 0.6 THEN 'patient' || s.k || '@example.org' END,
       CASE WHEN pg_temp.rnd(s.k, p.seed * 1009 + 17) < 0.2
            THEN pg_catalog.convert_to(pg_temp.pick('{Penicillin,Latex,Peanuts,Aspirin,Codeine,Sulfa drugs,Shellfish,Bee stings}',
                                                    pg_temp.rnd(s.k, p.seed * 1009 + 18)), 'UTF8') END,
       s.registered_on::timestamptz, s.registered_on::timestamptz
  FROM syn_patients s JOIN syn_names n ON n.culture = s.culture, syn_params p;

-- step: charts and consents
-- Every patient is registered at the home clinic; about 2% also at the next clinic (a
-- portable profile shared by consent). Chart numbers count per clinic in order of
-- registration; consents are signed by the front desk at registration, and 1% are revoked.
CREATE TEMP TABLE syn_charts ON COMMIT DROP AS
WITH r AS (
    SELECT s.clinic, s.id AS patient_id, s.k, s.registered_on FROM syn_patients s
    UNION ALL
    SELECT s.clinic % p.clinics + 1, s.id, s.k, s.registered_on + 30 FROM syn_patients s, syn_params p
     WHERE p.clinics > 1 AND pg_temp.rnd(s.k, p.seed * 1009 + 20) < 0.02
)
SELECT r.*, pg_catalog.row_number() OVER (PARTITION BY r.clinic ORDER BY r.registered_on, r.k) AS chart_seq,
       r.registered_on + pg_catalog.make_interval(secs => pg_catalog.floor(pg_temp.rnd(r.k, p.seed * 1009 + 21 + r.clinic) * 36000)::int + 8 * 3600) AS at
  FROM r, syn_params p;

INSERT INTO ward.clinic_patients (tenant_id, patient_id, chart_no, registered_at, family_key, given_key, date_of_birth, phone_key)
SELECT c.id, pt.id, 'S-' || pg_catalog.lpad(h.chart_seq::text, 6, '0'), h.at,
       ward.fold(pt.family_name), ward.fold(pt.given_name), pt.date_of_birth, ward.phone_key(pt.phone)
  FROM syn_charts h JOIN syn_clinics c ON c.i = h.clinic JOIN ward.patients pt ON pt.id = h.patient_id;
INSERT INTO ward.chart_counters (tenant_id, last_no)
SELECT c.id, pg_catalog.count(*) FROM syn_charts h JOIN syn_clinics c ON c.i = h.clinic GROUP BY c.id;

INSERT INTO ward.profile_consents (tenant_id, id, patient_id, signed_at, signed_by, signature, text_version, text_sha256,
                                   revoked_at, revoked_by, revoke_reason)
SELECT c.id, pg_temp.uid(p.seed, 'consent:' || h.clinic, h.k), pt.id, h.at, f.id, pg_catalog.convert_to(pt.given_name || ' ' || pt.family_name, 'UTF8'),
       t.version, t.sha256,
       CASE WHEN v.revoked THEN h.at + interval '20 days' END,
       CASE WHEN v.revoked THEN f.id END,
       CASE WHEN v.revoked THEN 'patient asked to withdraw' END
  FROM syn_charts h JOIN syn_clinics c ON c.i = h.clinic JOIN ward.patients pt ON pt.id = h.patient_id
  JOIN syn_staff f ON f.clinic = h.clinic AND f.role = 'front_desk'
  CROSS JOIN syn_params p CROSS JOIN ward.consent_texts t
  CROSS JOIN LATERAL (SELECT pg_temp.rnd(h.k, p.seed * 1009 + 22) < 0.01 AS revoked) v
 WHERE t.version = 'v1';

-- step: appointments
-- Each clinician works weekdays from 45 days before the anchor to 14 after, 16 half-hour
-- slots from 08:00 clinic time, 60% of them booked with one of the clinic's patients. A
-- slot belongs to one clinician, so no clinician is ever double-booked. Past visits are
-- mostly completed, some cancelled or missed; today's are partly checked in.
CREATE TEMP TABLE syn_visits ON COMMIT DROP AS
SELECT v.*, pg_temp.uid(p.seed, 'appointment', v.key) AS id,
       h.id AS patient_id
  FROM (
    SELECT c.i AS clinic, c.id AS tenant_id, s.id AS clinician_id, f.id AS booked_by, d, slot,
           ((c.i::bigint * 100 + s.j) * 64 + d) * 16 + slot AS key,
           (p.anchor + d - 45 + pg_catalog.make_interval(mins => 480 + slot * 30)) AT TIME ZONE c.tz AS starts_at,
           p.anchor + d - 45 AS day, c.first, c.n, p.anchor
      FROM syn_clinics c
      JOIN syn_staff s ON s.clinic = c.i AND s.role = 'specialist'
      JOIN syn_staff f ON f.clinic = c.i AND f.role = 'front_desk'
      CROSS JOIN syn_params p
      CROSS JOIN pg_catalog.generate_series(0, 59) d
      CROSS JOIN pg_catalog.generate_series(0, 15) slot
     WHERE c.n > 0 AND EXTRACT(isodow FROM p.anchor + d - 45) < 6
  ) v
  CROSS JOIN syn_params p
  JOIN syn_patients h ON h.k = v.first + pg_catalog.floor(pg_temp.rnd(v.key, p.seed * 1009 + 31) * v.n)::bigint
 WHERE pg_temp.rnd(v.key, p.seed * 1009 + 30) < 0.6;

INSERT INTO ward.appointments (tenant_id, id, patient_id, clinician_id, during, status, reason, cancel_reason,
                               booked_by, created_at, updated_at)
SELECT v.tenant_id, v.id, v.patient_id, v.clinician_id,
       pg_catalog.tstzrange(v.starts_at, v.starts_at + interval '30 minutes'), st.status,
       pg_temp.pick('{check-up,follow-up,vaccination,blood test,consultation,review of results,physiotherapy,dental cleaning}',
                    pg_temp.rnd(v.key, p.seed * 1009 + 32)),
       CASE WHEN st.status = 'cancelled' THEN 'patient cancelled by phone' END,
       v.booked_by, v.starts_at - interval '20 days', v.starts_at - interval '20 days'
  FROM syn_visits v CROSS JOIN syn_params p
  CROSS JOIN LATERAL (SELECT pg_temp.rnd(v.key, p.seed * 1009 + 33) AS r) x
  CROSS JOIN LATERAL (SELECT CASE
        WHEN v.day > v.anchor THEN 'booked'
        WHEN v.day = v.anchor THEN CASE WHEN x.r < 0.5 THEN 'checked_in' ELSE 'booked' END
        WHEN x.r < 0.85 THEN 'completed' WHEN x.r < 0.95 THEN 'cancelled' ELSE 'no_show' END AS status) st;

-- step: notes
-- Half of the completed visits have a note by the clinician, signed after the visit.
INSERT INTO ward.clinical_notes (tenant_id, id, patient_id, kind, title, body, author_id, signed_at)
SELECT a.tenant_id, pg_temp.uid(p.seed, 'note', v.key), a.patient_id,
       pg_temp.pick('{note,note,note,plan,report,form}', pg_temp.rnd(v.key, p.seed * 1009 + 40)),
       'Visit: ' || a.reason,
       pg_catalog.convert_to('Seen for ' || a.reason || '. ' ||
           pg_temp.pick('{Well; no change to treatment.,Symptoms improving; continue the current plan.,Referred for further tests.,Reviewed results with the patient; follow up in three months.}',
                        pg_temp.rnd(v.key, p.seed * 1009 + 41)), 'UTF8'),
       a.clinician_id, pg_catalog.upper(a.during) + interval '10 minutes'
  FROM syn_visits v JOIN ward.appointments a ON a.tenant_id = v.tenant_id AND a.id = v.id
  CROSS JOIN syn_params p
 WHERE a.status = 'completed' AND pg_temp.rnd(v.key, p.seed * 1009 + 42) < 0.5;

-- step: audit events
-- The events the triggers and api functions would have written: an insert event for every
-- row loaded above, then activity (logins, searches, record reads) spread over the past
-- year until the total reaches syn_params.audit_events. Within a clinic, ids follow time,
-- and the chain order is the id order, as with the live writer.
CREATE TEMP TABLE syn_events ON COMMIT DROP AS
SELECT h.clinic, h.at AS occurred_at, f.id AS actor_id, 'patients.insert' AS action, 'patients' AS object_type,
       h.patient_id::text AS object_id, h.patient_id, '{}'::jsonb AS details
  FROM syn_charts h JOIN syn_staff f ON f.clinic = h.clinic AND f.role = 'front_desk'
  JOIN syn_patients s ON s.id = h.patient_id AND s.clinic = h.clinic
UNION ALL
SELECT h.clinic, h.at, f.id, 'clinic_patients.insert', 'clinic_patients', h.patient_id::text, h.patient_id, '{}'
  FROM syn_charts h JOIN syn_staff f ON f.clinic = h.clinic AND f.role = 'front_desk'
UNION ALL
SELECT h.clinic, h.at, f.id, 'profile_consents.insert', 'profile_consents', pg_temp.uid(p.seed, 'consent:' || h.clinic, h.k)::text, h.patient_id, '{}'
  FROM syn_charts h JOIN syn_staff f ON f.clinic = h.clinic AND f.role = 'front_desk' CROSS JOIN syn_params p
UNION ALL
SELECT c.i, pc.revoked_at, pc.revoked_by, 'profile_consents.update', 'profile_consents', pc.id::text, pc.patient_id,
       '{"changed": ["revoke_reason", "revoked_at", "revoked_by"]}'
  FROM ward.profile_consents pc JOIN syn_clinics c ON c.id = pc.tenant_id WHERE pc.revoked_at IS NOT NULL
UNION ALL
SELECT v.clinic, a.created_at, a.booked_by, 'appointments.insert', 'appointments', a.id::text, a.patient_id, '{}'
  FROM syn_visits v JOIN ward.appointments a ON a.tenant_id = v.tenant_id AND a.id = v.id
UNION ALL
SELECT c.i, n.signed_at, n.author_id, 'clinical_notes.insert', 'clinical_notes', n.id::text, n.patient_id, '{}'
  FROM ward.clinical_notes n JOIN syn_clinics c ON c.id = n.tenant_id;

-- Activity: each clinic gets a share of the remaining events in proportion to its patients.
INSERT INTO syn_events
SELECT c.i,
       (p.anchor - 365)::timestamptz + pg_catalog.make_interval(secs => pg_temp.rnd(x.key, p.seed * 1009 + 50) * 365 * 86400),
       st.id, a.action,
       CASE a.action WHEN 'patient.read' THEN 'patient' WHEN 'patient.search' THEN 'search' ELSE 'session' END,
       CASE WHEN a.action = 'patient.read' THEN pt.id::text END,
       CASE WHEN a.action = 'patient.read' THEN pt.id END,
       CASE a.action WHEN 'patient.search'
            THEN pg_catalog.jsonb_build_object('q', pg_temp.pick('{smi,gar,mül,ngu,wan,kim,pat,ива,yıl,oka}', pg_temp.rnd(x.key, p.seed * 1009 + 54)), 'hits', (x.key % 40)::int)
            ELSE '{}' END
  FROM syn_params p
  CROSS JOIN (SELECT GREATEST(0, p.audit_events - (SELECT pg_catalog.count(*) FROM syn_events)) AS left_over FROM syn_params p) r
  JOIN syn_clinics c ON c.n > 0
  CROSS JOIN LATERAL pg_catalog.generate_series(1, pg_catalog.floor(r.left_over::float8 * c.n / p.patients)::bigint) j
  CROSS JOIN LATERAL (SELECT c.i::bigint * 4294967296 + j AS key) x
  CROSS JOIN LATERAL (SELECT pg_temp.pick('{login.success,patient.search,patient.search,patient.read,patient.read,logout}',
                                          pg_temp.rnd(x.key, p.seed * 1009 + 51)) AS action) a
  JOIN syn_staff st ON st.clinic = c.i AND st.j = pg_catalog.floor(pg_temp.rnd(x.key, p.seed * 1009 + 52) * (c.clinicians + 2))::int
  JOIN syn_patients pt ON pt.k = c.first + pg_catalog.floor(pg_temp.rnd(x.key, p.seed * 1009 + 53) * c.n)::bigint;

-- step: audit chains
-- Ids continue the table's identity sequence in (clinic, time) order; each clinic's chain
-- is the running pg_temp.chain over its events in id order, and prev_hash is the previous
-- event's hash (32 zero bytes for the first).
CREATE TEMP TABLE syn_base ON COMMIT DROP AS
SELECT pg_catalog.nextval(pg_catalog.pg_get_serial_sequence('ward.audit_events', 'id')) AS base;

INSERT INTO ward.audit_events (tenant_id, id, occurred_at, actor_id, session_id, impersonated_by, action,
                               object_type, object_id, patient_id, details, prev_hash, hash)
OVERRIDING SYSTEM VALUE
SELECT tenant_id, id, occurred_at, actor_id, NULL, NULL, action, object_type, object_id, patient_id, details,
       COALESCE(pg_catalog.lag(hash) OVER w, pg_catalog.decode(pg_catalog.repeat('00', 32), 'hex')), hash
  FROM (
    SELECT e.*, pg_temp.chain(ROW(e.tenant_id, e.id, e.occurred_at, e.actor_id, NULL, NULL, e.action, e.object_type,
                                  e.object_id, e.patient_id, e.details, NULL, NULL)::ward.audit_events) OVER w AS hash
      FROM (SELECT c.id AS tenant_id, b.base + pg_catalog.row_number() OVER (ORDER BY ev.clinic, ev.occurred_at, ev.action, ev.object_id, ev.actor_id, ev.details::text) AS id,
                   ev.occurred_at, ev.actor_id, ev.action, ev.object_type, ev.object_id, ev.patient_id, ev.details
              FROM syn_events ev JOIN syn_clinics c ON c.i = ev.clinic CROSS JOIN syn_base b) e
    WINDOW w AS (PARTITION BY e.tenant_id ORDER BY e.id)
  ) x
WINDOW w AS (PARTITION BY tenant_id ORDER BY id);

SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence('ward.audit_events', 'id'),
                         b.base + GREATEST((SELECT pg_catalog.count(*) FROM syn_events), 1))
  FROM syn_base b;

INSERT INTO ward.audit_heads (tenant_id, last_id, last_hash, events)
SELECT DISTINCT ON (e.tenant_id) e.tenant_id, e.id, e.hash, pg_catalog.count(*) OVER (PARTITION BY e.tenant_id)
  FROM ward.audit_events e JOIN syn_clinics c ON c.id = e.tenant_id
 ORDER BY e.tenant_id, e.id DESC;

-- step: finish
ALTER TABLE ward.patients ENABLE TRIGGER patients_audit;
ALTER TABLE ward.clinic_patients ENABLE TRIGGER clinic_patients_audit;
ALTER TABLE ward.profile_consents ENABLE TRIGGER profile_consents_audit;
ALTER TABLE ward.appointments ENABLE TRIGGER appointments_audit;
ALTER TABLE ward.clinical_notes ENABLE TRIGGER clinical_notes_audit;
-- Fresh statistics, so the first queries after a load are planned on the real sizes.
ANALYZE ward.tenants, ward.staff, ward.memberships, ward.patients, ward.clinic_patients, ward.profile_consents,
        ward.appointments, ward.clinical_notes, ward.audit_events, ward.audit_heads;
