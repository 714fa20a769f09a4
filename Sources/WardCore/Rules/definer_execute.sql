-- rule: definer_execute
-- No SECURITY DEFINER function is executable by PUBLIC, and ward_app may execute only those of schema api.
SELECT p.oid::pg_catalog.regprocedure::text AS subject,
       CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.aclexplode(COALESCE(p.proacl, pg_catalog.acldefault('f', p.proowner))) a WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE') THEN 'executable by PUBLIC'
            ELSE 'ward_app may execute it outside schema api' END AS problem
  FROM pg_catalog.pg_proc p
 WHERE p.prosecdef
   AND p.pronamespace NOT IN ('pg_catalog'::pg_catalog.regnamespace, 'information_schema'::pg_catalog.regnamespace)
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                    WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid = p.oid AND d.deptype = 'e')
   AND (EXISTS (SELECT 1 FROM pg_catalog.aclexplode(COALESCE(p.proacl, pg_catalog.acldefault('f', p.proowner))) a
                 WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE')
        OR (p.pronamespace <> 'api'::pg_catalog.regnamespace
            AND pg_catalog.has_function_privilege('ward_app', p.oid, 'EXECUTE')))
