-- Clinics (tenants), staff accounts, memberships and the one role -> permission table.

-- A clinic. kind 'platform' is the single pseudo-tenant that holds platform administrators'
-- sessions and the platform audit chain (logins that name no existing clinic); it has no
-- patients and no clinical data, and no membership in it grants any clinic's rows.
CREATE TABLE ward.tenants (
    id          uuid PRIMARY KEY DEFAULT pg_catalog.gen_random_uuid(),
    code        text NOT NULL UNIQUE CHECK (code ~ '^[a-z][a-z0-9-]{1,39}$'),
    name        text NOT NULL CHECK (name <> ''),
    kind        text NOT NULL DEFAULT 'clinic' CHECK (kind IN ('clinic', 'platform')),
    -- Settings the terminal uses to show and read dates and times.
    time_zone   text NOT NULL DEFAULT 'UTC'
                CHECK (pg_catalog.timezone(time_zone, timestamptz '2000-01-01') IS NOT NULL),
    date_order  text NOT NULL DEFAULT 'ISO' CHECK (date_order IN ('DMY', 'MDY', 'ISO')),
    -- Prefix of chart numbers (MRN), e.g. 'N' gives N-000123.
    chart_prefix text NOT NULL DEFAULT 'C' CHECK (chart_prefix ~ '^[A-Z]{1,3}$'),
    created_at  timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE UNIQUE INDEX tenants_one_platform ON ward.tenants (kind) WHERE kind = 'platform';
INSERT INTO ward.tenants (code, name, kind, chart_prefix) VALUES ('platform', 'Ward platform', 'platform', 'P');

-- A person's account. Platform-owned: one account may work at several clinics.
-- password_hash, failed_logins and locked_until are never granted to ward_app.
CREATE TABLE ward.staff (
    id                   uuid PRIMARY KEY DEFAULT pg_catalog.gen_random_uuid(),
    username             text NOT NULL UNIQUE CHECK (username ~ '^[a-z][a-z0-9._-]{1,39}$'),
    display_name         text NOT NULL CHECK (display_name <> ''),
    password_hash        text NOT NULL,
    must_change_password boolean NOT NULL DEFAULT false,
    failed_logins        integer NOT NULL DEFAULT 0,
    locked_until         timestamptz,
    disabled_at          timestamptz,
    created_at           timestamptz NOT NULL DEFAULT pg_catalog.now()
);

-- Roles and what they may do: the only place RBAC is defined. Policies and api functions
-- ask ward.has_permission(); the terminal builds its menus from api.my_permissions.
CREATE TABLE ward.roles (
    role        text PRIMARY KEY,
    description text NOT NULL
);
CREATE TABLE ward.role_permissions (
    role       text NOT NULL REFERENCES ward.roles (role),
    permission text NOT NULL,
    PRIMARY KEY (role, permission)
);
INSERT INTO ward.roles VALUES
    ('admin',          'clinic administrator'),
    ('specialist',     'clinician: records and clinical notes'),
    ('front_desk',     'reception: patients, consent, appointments'),
    ('billing',        'billing: patient list and appointments, read only'),
    ('platform_admin', 'platform operator: no clinic rows, may only impersonate'),
    ('support',        'an impersonation session: read-mostly support of one clinic');
INSERT INTO ward.role_permissions (role, permission) VALUES
    ('admin', 'patient.search'), ('admin', 'patient.read'), ('admin', 'patient.register'),
    ('admin', 'patient.update'), ('admin', 'consent.sign'), ('admin', 'consent.revoke'),
    ('admin', 'appointment.view'), ('admin', 'appointment.book'), ('admin', 'appointment.cancel'),
    ('admin', 'appointment.checkin'), ('admin', 'clinical.read'), ('admin', 'clinical.write'),
    ('admin', 'audit.view'), ('admin', 'staff.manage'),
    ('specialist', 'patient.search'), ('specialist', 'patient.read'),
    ('specialist', 'appointment.view'), ('specialist', 'appointment.book'),
    ('specialist', 'clinical.read'), ('specialist', 'clinical.write'),
    ('front_desk', 'patient.search'), ('front_desk', 'patient.read'),
    ('front_desk', 'patient.register'), ('front_desk', 'patient.update'),
    ('front_desk', 'consent.sign'), ('front_desk', 'consent.revoke'),
    ('front_desk', 'appointment.view'), ('front_desk', 'appointment.book'),
    ('front_desk', 'appointment.cancel'), ('front_desk', 'appointment.checkin'),
    ('billing', 'patient.search'), ('billing', 'patient.read'), ('billing', 'appointment.view'),
    ('platform_admin', 'platform.impersonate'),
    -- Support sees what is needed to help (schedule, audit log) but no clinical record, no
    -- way to create patients or consent, and no staff management: with it an impersonator
    -- could make her own account a member and return without the impersonation mark.
    ('support', 'patient.search'), ('support', 'appointment.view'), ('support', 'audit.view');

-- staff x clinic x role. One role per person per clinic.
CREATE TABLE ward.memberships (
    tenant_id   uuid NOT NULL REFERENCES ward.tenants (id),
    staff_id    uuid NOT NULL REFERENCES ward.staff (id),
    role        text NOT NULL REFERENCES ward.roles (role)
                CHECK (role <> 'support'),
    created_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    disabled_at timestamptz,
    PRIMARY KEY (tenant_id, staff_id)
);
CREATE INDEX memberships_staff ON ward.memberships (staff_id);

-- The versions of the profile-sharing consent text a patient signs; the consent row keeps
-- the version and the SHA-256 of exactly the text shown.
CREATE TABLE ward.consent_texts (
    version    text PRIMARY KEY,
    body       text NOT NULL,
    -- SHA-256 of the UTF-8 body, written with it (convert_to is not immutable, so this
    -- cannot be a generated column).
    sha256     bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);
INSERT INTO ward.consent_texts (version, body, sha256)
SELECT 'v1', t, pg_catalog.sha256(pg_catalog.convert_to(t, 'UTF8')) FROM (VALUES (
    'I agree that this clinic may see my portable profile (names, date of birth, sex, '
    'contact details and allergies) held on the Ward platform, until I revoke this consent. '
    'Clinical records of other clinics are never shared.')) v(t);
