-- Clinics (tenants), staff accounts, roles, permissions and memberships.

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
    created_at  timestamptz NOT NULL DEFAULT ward.now()
);
CREATE UNIQUE INDEX tenants_one_platform ON ward.tenants (kind) WHERE kind = 'platform';
INSERT INTO ward.tenants (code, name, kind, chart_prefix) VALUES ('platform', 'Ward platform', 'platform', 'P');

-- A person's account. Platform-owned: one account may work at several clinics.
-- password_hash, failed_logins, locked_until and refusals_audited are never granted to
-- ward_app. The lockout itself is counted in sequences (05_login_limits); locked_until
-- still locks an account when an operator sets it, and a new password clears it.
CREATE TABLE ward.staff (
    id                   uuid PRIMARY KEY DEFAULT pg_catalog.gen_random_uuid(),
    username             text NOT NULL UNIQUE CHECK (username ~ '^[a-z][a-z0-9._-]{1,39}$'),
    display_name         text NOT NULL CHECK (display_name <> ''),
    password_hash        text NOT NULL,
    must_change_password boolean NOT NULL DEFAULT false,
    failed_logins        integer NOT NULL DEFAULT 0,
    locked_until         timestamptz,
    disabled_at          timestamptz,
    created_at           timestamptz NOT NULL DEFAULT ward.now(),
    -- How many refused attempts the audit log accounts for (ward.recover_refusals).
    refusals_audited     bigint NOT NULL DEFAULT 0
);

-- Roles and what they may do: the only place RBAC is defined. Policies and api functions
-- ask ward.has_permission(); the terminal builds its menus from api.my_permissions().
CREATE TABLE ward.roles (
    role        text PRIMARY KEY,
    description text NOT NULL
);
-- Every permission there is: role_permissions refers to it, so a misspelt permission is an
-- error when it is granted, not a silent denial.
CREATE TABLE ward.permissions (
    permission  text PRIMARY KEY,
    description text NOT NULL
);
CREATE TABLE ward.role_permissions (
    role       text NOT NULL REFERENCES ward.roles (role),
    permission text NOT NULL REFERENCES ward.permissions (permission),
    PRIMARY KEY (role, permission)
);

INSERT INTO ward.roles VALUES
    ('admin',           'clinic administrator'),
    ('specialist',      'clinician: records and clinical notes'),
    ('front_desk',      'reception: patients, consent, appointments'),
    ('billing',         'billing: patient list and appointments, read only'),
    ('platform_admin',  'platform operator: no clinic rows, may only impersonate'),
    ('support',         'an impersonation session: read-mostly support of one clinic'),
    ('password_change', 'a session that must choose a new password first: no permission');
INSERT INTO ward.permissions VALUES
    ('patient.search',       'search the clinic''s patients'),
    ('patient.read',         'open a patient''s record'),
    ('patient.register',     'register a new patient'),
    ('patient.update',       'change a patient''s profile'),
    ('consent.sign',         'record a patient''s consent, or find a portable profile for it'),
    ('consent.revoke',       'record that a patient revoked consent'),
    ('appointment.view',     'see the schedule'),
    ('appointment.book',     'book and move appointments'),
    ('appointment.cancel',   'cancel appointments'),
    ('appointment.checkin',  'check in, mark no-show or completed'),
    ('clinical.read',        'read clinical notes'),
    ('clinical.write',       'write clinical notes'),
    ('audit.view',           'read the clinic''s audit log'),
    ('staff.manage',         'add staff, change roles, disable, reset passwords'),
    ('platform.impersonate', 'open a support session at a clinic');
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
    -- 'password_change' has no permission at all (see ward.open_session).

-- staff x clinic x role. One role per person per clinic. 'support' and 'password_change'
-- belong to sessions only, never to a membership.
CREATE TABLE ward.memberships (
    tenant_id   uuid NOT NULL REFERENCES ward.tenants (id),
    staff_id    uuid NOT NULL REFERENCES ward.staff (id),
    role        text NOT NULL REFERENCES ward.roles (role)
                CHECK (role <> 'support'),
    created_at  timestamptz NOT NULL DEFAULT ward.now(),
    disabled_at timestamptz,
    PRIMARY KEY (tenant_id, staff_id),
    CONSTRAINT memberships_no_password_change_role CHECK (role <> 'password_change')
);
CREATE INDEX memberships_staff ON ward.memberships (staff_id);
