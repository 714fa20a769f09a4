-- rule: definer_views
-- No view anywhere runs with its owner's rights (a view without security_invoker bypasses the caller's policies).
SELECT c.oid::pg_catalog.regclass::text AS subject,
       'runs with its owner''s rights (' || pg_catalog.pg_get_userbyid(c.relowner) || ')' AS problem
  FROM pg_catalog.pg_class c
 WHERE c.relkind = 'v'
   AND c.relnamespace NOT IN ('pg_catalog'::pg_catalog.regnamespace, 'information_schema'::pg_catalog.regnamespace)
   AND NOT COALESCE(c.reloptions @> ARRAY['security_invoker=true'], false)
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                    WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid AND d.deptype = 'e')
