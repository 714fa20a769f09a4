-- rule: app_role
-- ward_app is no superuser, cannot bypass RLS, create roles or databases, owns nothing, is no member of ward_owner or ward_auth, cannot change the audit log nor insert consent.
SELECT s.subject, s.problem FROM (
    SELECT 'role ward_app' AS subject, 'is a SUPERUSER' AS problem FROM pg_catalog.pg_roles WHERE rolname = 'ward_app' AND rolsuper
    UNION ALL SELECT 'role ward_app', 'has BYPASSRLS' FROM pg_catalog.pg_roles WHERE rolname = 'ward_app' AND rolbypassrls
    UNION ALL SELECT 'role ward_app', 'has CREATEROLE or CREATEDB' FROM pg_catalog.pg_roles
               WHERE rolname = 'ward_app' AND (rolcreaterole OR rolcreatedb)
    UNION ALL SELECT 'role ward_app', 'is missing' WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'ward_app')
    UNION ALL SELECT 'role ward_app', 'owns objects (owners bypass grants)'
               WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_class WHERE relowner = 'ward_app'::pg_catalog.regrole)
                  OR EXISTS (SELECT 1 FROM pg_catalog.pg_proc WHERE proowner = 'ward_app'::pg_catalog.regrole)
                  OR EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspowner = 'ward_app'::pg_catalog.regrole)
    UNION ALL SELECT 'role ward_app', 'is a member of ward_owner or ward_auth'
               WHERE pg_catalog.pg_has_role('ward_app', 'ward_owner', 'MEMBER') OR pg_catalog.pg_has_role('ward_app', 'ward_auth', 'MEMBER')
    UNION ALL SELECT 'ward.audit_events', 'ward_app may update, delete or truncate it'
               WHERE pg_catalog.has_table_privilege('ward_app', 'ward.audit_events', 'UPDATE')
                  OR pg_catalog.has_table_privilege('ward_app', 'ward.audit_events', 'DELETE')
                  OR pg_catalog.has_table_privilege('ward_app', 'ward.audit_events', 'TRUNCATE')
    UNION ALL SELECT 'ward.profile_consents', 'ward_app may insert consent directly (grant itself patients)'
               WHERE pg_catalog.has_table_privilege('ward_app', 'ward.profile_consents', 'INSERT')
) s
