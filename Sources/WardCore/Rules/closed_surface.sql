-- rule: closed_surface
-- ward_app may execute the api functions and nothing else of Ward's: no table, view or sequence, no schema but api, no TEMP, no large objects, no activity or per-table statistics; ward_api owns no table and cannot bypass RLS (docs/adr/0012).
SELECT s.subject, s.problem FROM (
    -- Any privilege on any relation outside the system catalogs (tables, views, sequences).
    SELECT c.oid::pg_catalog.regclass::text AS subject, 'ward_app holds a privilege on it' AS problem
      FROM pg_catalog.pg_class c
     WHERE c.relnamespace NOT IN ('pg_catalog'::pg_catalog.regnamespace, 'information_schema'::pg_catalog.regnamespace)
       AND c.relnamespace::pg_catalog.regnamespace::text NOT LIKE 'pg\_toast%'
       AND c.relnamespace::pg_catalog.regnamespace::text NOT LIKE 'pg\_temp%'
       AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
       -- An extension's own objects (pgTAP's in a test copy) are the extension's business.
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                          AND d.objid = c.oid AND d.deptype = 'e')
       AND (pg_catalog.has_table_privilege('ward_app', c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
            OR (c.relkind <> 'S' AND pg_catalog.has_any_column_privilege('ward_app', c.oid, 'SELECT, INSERT, UPDATE, REFERENCES'))
            OR (c.relkind = 'S' AND pg_catalog.has_sequence_privilege('ward_app', c.oid, 'USAGE, SELECT, UPDATE')))
    -- Schemas: USAGE on api only (besides pg_catalog, information_schema and the empty public), CREATE nowhere.
    UNION ALL
    SELECT 'schema ' || n.nspname, 'ward_app may use it'
      FROM pg_catalog.pg_namespace n
     WHERE n.nspname NOT IN ('api', 'pg_catalog', 'information_schema', 'public') AND n.nspname NOT LIKE 'pg\_%'
       AND pg_catalog.has_schema_privilege('ward_app', n.oid, 'USAGE')
    UNION ALL
    SELECT 'schema ' || n.nspname, 'ward_app may create objects in it'
      FROM pg_catalog.pg_namespace n
     WHERE n.nspname NOT LIKE 'pg\_%' AND pg_catalog.has_schema_privilege('ward_app', n.oid, 'CREATE')
    -- Every function of api ward_app may call is a definer owned by ward_auth or ward_api.
    UNION ALL
    SELECT p.oid::pg_catalog.regprocedure::text, 'ward_app may execute it but it is not a definer of ward_auth or ward_api'
      FROM pg_catalog.pg_proc p
     WHERE p.pronamespace = 'api'::pg_catalog.regnamespace
       AND pg_catalog.has_function_privilege('ward_app', p.oid, 'EXECUTE')
       AND NOT (p.prosecdef AND p.proowner IN ('ward_auth'::pg_catalog.regrole, 'ward_api'::pg_catalog.regrole))
    -- The database: CONNECT yes, TEMP and CREATE no.
    UNION ALL
    SELECT 'database ' || pg_catalog.current_database(), 'ward_app may create temporary tables'
     WHERE pg_catalog.has_database_privilege('ward_app', pg_catalog.current_database(), 'TEMPORARY')
    UNION ALL
    SELECT 'database ' || pg_catalog.current_database(), 'ward_app may create schemas'
     WHERE pg_catalog.has_database_privilege('ward_app', pg_catalog.current_database(), 'CREATE')
    -- PostgreSQL's defaults that the roles file revokes: large objects, other backends'
    -- activity, per-table counters.
    UNION ALL
    SELECT p.oid::pg_catalog.regprocedure::text, 'ward_app may execute it (large objects or statistics)'
      FROM pg_catalog.pg_proc p
     WHERE p.pronamespace = 'pg_catalog'::pg_catalog.regnamespace
       AND (p.proname LIKE 'lo\_%' OR p.proname IN ('loread', 'lowrite') OR p.proname LIKE 'pg\_stat\_get\_%')
       AND pg_catalog.has_function_privilege('ward_app', p.oid, 'EXECUTE')
    UNION ALL
    SELECT c.oid::pg_catalog.regclass::text, 'ward_app may read it (activity or per-table statistics)'
      FROM pg_catalog.pg_class c
     WHERE c.relnamespace = 'pg_catalog'::pg_catalog.regnamespace AND c.relkind = 'v'
       AND (c.relname LIKE 'pg\_stat\_%' OR c.relname LIKE 'pg\_statio\_%')
       AND pg_catalog.has_table_privilege('ward_app', c.oid, 'SELECT')
    UNION ALL
    SELECT 'large object ' || l.oid::text, 'owned by ward_app'
      FROM pg_catalog.pg_largeobject_metadata l WHERE l.lomowner = 'ward_app'::pg_catalog.regrole
    -- ward_api: subject to every policy, owner of no relation, nobody's login.
    UNION ALL
    SELECT 'role ward_api', 'is missing' WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'ward_api')
    UNION ALL
    SELECT 'role ward_api', 'may log in, bypass RLS or is a superuser' FROM pg_catalog.pg_roles
     WHERE rolname = 'ward_api' AND (rolcanlogin OR rolbypassrls OR rolsuper)
    UNION ALL
    SELECT 'role ward_api', 'owns a relation (an owner may switch off its row-level security)'
     WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_class WHERE relowner = 'ward_api'::pg_catalog.regrole)
    UNION ALL
    SELECT 'role ward_api', 'is a member of a role that bypasses RLS or owns tables'
     WHERE pg_catalog.pg_has_role('ward_api', 'ward_owner', 'MEMBER') OR pg_catalog.pg_has_role('ward_api', 'ward_auth', 'MEMBER')
    UNION ALL
    SELECT 'role ward_app', 'is a member of ward_api'
     WHERE pg_catalog.pg_has_role('ward_app', 'ward_api', 'MEMBER')
) s
