-- Catalog checks, generated from the catalog so that a new tenant table is covered at once:
-- every table of schema ward with a tenant_id forces row-level security, has a restrictive
-- tenant policy and an index led by tenant_id; every api view runs as its caller.
BEGIN;
SELECT plan((SELECT count(*)::int * 4 FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
              WHERE c.relnamespace = 'ward'::regnamespace AND c.relkind = 'r' AND a.attname = 'tenant_id')
            + (SELECT count(*)::int * 2 FROM pg_class WHERE relnamespace = 'api'::regnamespace AND relkind = 'v')
            + 4);

SELECT ok(c.relrowsecurity, c.relname || ': row-level security enabled')
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
 WHERE c.relnamespace = 'ward'::regnamespace AND c.relkind = 'r' AND a.attname = 'tenant_id' ORDER BY c.relname;
SELECT ok(c.relforcerowsecurity, c.relname || ': row-level security forced (the owner too)')
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
 WHERE c.relnamespace = 'ward'::regnamespace AND c.relkind = 'r' AND a.attname = 'tenant_id' ORDER BY c.relname;
SELECT ok(EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND NOT p.polpermissive
                     AND pg_get_expr(p.polqual, p.polrelid) LIKE '%current_tenant()%'), c.relname || ': restrictive tenant policy')
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
 WHERE c.relnamespace = 'ward'::regnamespace AND c.relkind = 'r' AND a.attname = 'tenant_id' ORDER BY c.relname;
SELECT ok(EXISTS (SELECT 1 FROM pg_index i JOIN pg_attribute ia ON ia.attrelid = i.indrelid AND ia.attnum = i.indkey[0]
                   WHERE i.indrelid = c.oid AND ia.attname = 'tenant_id'), c.relname || ': an index led by tenant_id')
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
 WHERE c.relnamespace = 'ward'::regnamespace AND c.relkind = 'r' AND a.attname = 'tenant_id' ORDER BY c.relname;

SELECT ok(coalesce(c.reloptions @> ARRAY['security_invoker=true'], false), 'api.' || c.relname || ': security_invoker')
  FROM pg_class c WHERE c.relnamespace = 'api'::regnamespace AND c.relkind = 'v' ORDER BY c.relname;
SELECT ok(coalesce(c.reloptions @> ARRAY['security_barrier=true'], false), 'api.' || c.relname || ': security_barrier')
  FROM pg_class c WHERE c.relnamespace = 'api'::regnamespace AND c.relkind = 'v' ORDER BY c.relname;

SELECT ok((SELECT relrowsecurity AND relforcerowsecurity FROM pg_class WHERE oid = 'ward.patients'::regclass),
          'patients (portable profiles): row-level security enabled and forced');
SELECT ok(NOT rolsuper AND NOT rolbypassrls AND NOT rolcreaterole AND NOT rolcreatedb, 'ward_app: not a superuser, cannot bypass RLS, create roles or databases')
  FROM pg_roles WHERE rolname = 'ward_app';
SELECT is((SELECT count(*)::int FROM pg_class WHERE relowner = 'ward_app'::regrole), 0, 'ward_app owns no relation');
SELECT ok(NOT pg_has_role('ward_app', 'ward_owner', 'MEMBER') AND NOT pg_has_role('ward_app', 'ward_auth', 'MEMBER'),
          'ward_app is a member of neither ward_owner nor ward_auth');
SELECT * FROM finish();
ROLLBACK;
