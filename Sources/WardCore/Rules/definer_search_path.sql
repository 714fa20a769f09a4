-- rule: definer_search_path
-- Every SECURITY DEFINER function, in every schema (ops included), pins search_path to pg_catalog, pg_temp.
SELECT p.oid::pg_catalog.regprocedure::text AS subject,
       CASE WHEN sp.setting IS NULL THEN 'security definer without a pinned search_path'
            ELSE 'security definer with ' || sp.setting || ' (not pg_catalog, pg_temp)' END AS problem
  FROM pg_catalog.pg_proc p
  LEFT JOIN LATERAL (SELECT s AS setting FROM pg_catalog.unnest(p.proconfig) s WHERE s LIKE 'search_path=%') sp ON true
 WHERE p.prosecdef
   AND p.pronamespace NOT IN ('pg_catalog'::pg_catalog.regnamespace, 'information_schema'::pg_catalog.regnamespace)
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                    WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid = p.oid AND d.deptype = 'e')
   AND sp.setting IS DISTINCT FROM 'search_path=pg_catalog, pg_temp'
